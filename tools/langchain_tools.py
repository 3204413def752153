"""The registry's tools as LangChain tools bound to one tool session.

The LLM sees typed argument schemas and descriptions; every call goes through `ToolService`,
so identity, ownership, policy and audit are enforced whatever the model sends.

LangChain would validate a pydantic `args_schema` itself and raise `ValidationError` before the
service runs, so a model's missing or extra argument would crash the caller and never reach the
audit log. The tools therefore carry the same schema as JSON schema (LangChain passes dict-schema
arguments through unvalidated): the service validates once, audits, and answers in the one
outcome shape. A failed outcome is raised as a `ToolException` that `handle_tool_error` turns
back into the same JSON, so in a tool-call message it is also marked `status="error"`.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.tools import StructuredTool, ToolException

from tools.registry import ToolSpec
from tools.service import ToolService
from tools.session import ToolSession


def outcome_json(ok: bool, result: Any, error: str | None, code: str | None) -> str:
    if ok:
        return json.dumps({"ok": True, "result": result}, default=str)
    return json.dumps({"ok": False, "error": error, "code": code})


def parameters_schema(spec: ToolSpec) -> dict[str, Any]:
    """The JSON schema the LLM reads: field types, constraints, descriptions, no extra fields."""
    schema = spec.args.model_json_schema()
    schema.pop("title", None)
    return schema


def _error_content(exc: ToolException) -> str:
    return str(exc)


def _bind(service: ToolService, session: ToolSession, spec: ToolSpec) -> StructuredTool:
    def run(**kwargs: Any) -> str:
        o = service.call(session, spec.name, kwargs)
        content = outcome_json(o.ok, o.result, o.error, o.code)
        if not o.ok:
            raise ToolException(content)
        return content

    return StructuredTool.from_function(func=run, name=spec.name, description=spec.description,
                                        args_schema=parameters_schema(spec), handle_tool_error=_error_content)


def langchain_tools(service: ToolService, session: ToolSession) -> list[StructuredTool]:
    return [_bind(service, session, spec) for spec in service.registry]
