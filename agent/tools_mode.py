"""Tools mode (CONCIERGE_AGENT_MODE=tools, for a capable model such as vLLM's): the LLM's native
tool calls drive the same tool layer. The model is never trusted: arguments are validated by the
tool layer, identity comes from the session, and a confirmation gate holds every write until the
shopper has said yes to a read-back written by code, not by the model."""

from __future__ import annotations

import copy
import json
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from agent.dialogue import Draft, Turn, fixed
from agent.grounding import Facts, check
from agent.handoff import ASSISTANT
from agent.llm import LLMClient, LLMUnavailable
from agent.ports import Pseudonymizer
from agent.replies import prompt, reply
from tools.service import ToolService

MAX_STEPS = 6


def _affirmed(turn: Turn) -> bool:
    return turn.understood.intent == "affirm" or bool(turn.understood.slots.get("affirm"))


def _denied(turn: Turn) -> bool:
    return turn.understood.intent == "deny" or bool(turn.understood.slots.get("deny"))


def readback(tool: str, args: dict[str, Any]) -> str:
    """A plain, exact statement of the write, built from the validated arguments."""
    details = "; ".join(f"{k.replace('_', ' ')}: {', '.join(v) if isinstance(v, list) else v}"
                        for k, v in args.items())
    return f"To confirm, I'm about to {tool.replace('_', ' ')} ({details}). Shall I go ahead? Please answer yes or no."


class ToolsModeDialogue:
    def __init__(self, llm: LLMClient, tools: ToolService, pseudonymizer: Pseudonymizer | None = None) -> None:
        self.llm = llm
        self.tools = tools
        self.pseudonymizer = pseudonymizer
        self.specs = [convert_to_openai_tool(_as_langchain_schema(s)) for s in tools.registry]

    def _p(self, cid: str, text: str) -> str:
        return self.pseudonymizer.pseudonymize(cid, text) if self.pseudonymizer else text

    def _r(self, cid: str, text: str) -> str:
        return self.pseudonymizer.restore(cid, text) if self.pseudonymizer else text

    def _restore_args(self, cid: str, args: dict[str, Any]) -> dict[str, Any]:
        return self.pseudonymizer.restore_arguments(cid, args) if self.pseudonymizer else args

    def decide(self, state: dict[str, Any], turn: Turn) -> tuple[Draft, dict[str, Any]]:
        st = copy.deepcopy(state)
        cid = turn.conversation_id
        facts = Facts()
        messages: list[BaseMessage] = [SystemMessage(prompt("tools_system"))]
        for h in st.get("history", [])[-12:]:
            messages.append(HumanMessage(h["text"]) if h["role"] == "shopper" else AIMessage(h["text"] or " "))
        messages.append(HumanMessage(self._p(cid, turn.understood.text)))

        pending = st.get("pending")
        if pending:
            st["pending"] = None
            if _denied(turn) or not _affirmed(turn):
                return fixed(reply("action_declined")), st
            out = self.tools.call(turn.session, pending["tool"], pending["args"])
            facts.add(json.dumps(out.result if out.ok else out.error, default=str))
            messages.append(AIMessage(" ", tool_calls=[{"name": pending["tool"], "args": pending["args"],
                                                        "id": "confirmed-write"}]))
            messages.append(ToolMessage(self._tool_text(cid, out), tool_call_id="confirmed-write"))
            if not out.ok:
                return fixed(reply("tool_failed", error=out.error)), st

        for _step in range(MAX_STEPS):
            try:
                ai = self.llm.invoke_with_tools(messages, self.specs)
            except LLMUnavailable:
                return fixed(reply("llm_down"), quick_replies=["Talk to a person"], understood=False,
                             llm_down=True), st
            calls = getattr(ai, "tool_calls", None) or []
            if not calls:
                text = self._r(cid, ai.content if isinstance(ai.content, str) else "").strip()
                verdict = check(text, facts)
                if verdict.ok:
                    return Draft(text, facts=facts, use_llm=False), st
                return self._fallback(facts, "the model's reply was not grounded in the tool results"), st
            call = calls[0]  # policy: one tool call at a time
            name = call.get("name") or ""
            args = self._restore_args(cid, call.get("args") or {})
            spec = self.tools.registry.get(name)
            call_id = call.get("id") or f"call-{_step}"
            messages.append(AIMessage(" ", tool_calls=[{"name": name, "args": call.get("args") or {}, "id": call_id}]))
            if spec is not None and spec.write:
                trial = self.tools.call(turn.session, name, args, dry_run=True)
                if trial.ok:  # valid, owned and allowed: hold it until the shopper says yes
                    st["pending"] = {"tool": name, "args": args}
                    return fixed(readback(name, args), quick_replies=["Yes", "No"]), st
                out = trial
            else:
                out = self.tools.call(turn.session, name, args)
            facts.add(json.dumps(out.result if out.ok else out.error, default=str))
            messages.append(ToolMessage(self._tool_text(cid, out), tool_call_id=call_id))
            if name == "transfer_to_human_agents" and out.ok:
                summary = str(args.get("summary", ""))[:500]
                return fixed(reply("handoff"), handoff={"reason": "the assistant transferred the conversation",
                                                        "trigger": ASSISTANT, "summary": summary}), st
        return self._fallback(facts, "too many tool steps"), st

    def _tool_text(self, cid: str, out: Any) -> str:
        payload = {"ok": out.ok, "result": out.result} if out.ok else {"ok": False, "error": out.error}
        return self._p(cid, json.dumps(payload, default=str))

    @staticmethod
    def _fallback(facts: Facts, why: str) -> Draft:
        return Draft(reply("not_understood"), facts=facts, use_llm=False, understood=False)


def _as_langchain_schema(spec: Any) -> dict[str, Any]:
    schema = spec.args.model_json_schema()
    schema.pop("title", None)
    return {"name": spec.name, "description": spec.description, "parameters": schema}
