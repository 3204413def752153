"""The registry's tools as LangChain tools bound to one tool session.

The LLM sees typed argument schemas and descriptions; every call goes through `ToolService`,
so identity, ownership, policy and audit are enforced whatever the model sends.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.tools import StructuredTool

from tools.registry import ToolSpec
from tools.service import ToolService
from tools.session import ToolSession


def outcome_json(ok: bool, result: Any, error: str | None, code: str | None) -> str:
    if ok:
        return json.dumps({"ok": True, "result": result}, default=str)
    return json.dumps({"ok": False, "error": error, "code": code})


def _bind(service: ToolService, session: ToolSession, spec: ToolSpec) -> StructuredTool:
    def run(**kwargs: Any) -> str:
        o = service.call(session, spec.name, kwargs)
        return outcome_json(o.ok, o.result, o.error, o.code)

    return StructuredTool.from_function(func=run, name=spec.name, description=spec.description,
                                        args_schema=spec.args)


def langchain_tools(service: ToolService, session: ToolSession) -> list[StructuredTool]:
    return [_bind(service, session, spec) for spec in service.registry]
