"""The tools as LangChain tools: what the LLM reads, and bad calls answered like every other error."""

from __future__ import annotations

import json

from langchain_core.messages import ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_openai import ChatOpenAI
from sqlalchemy import select

from tests.conftest import Store
from tools.langchain_tools import langchain_tools
from tools.models import AuditEntry, Order
from tools.session import ToolSession

YUSUF = "yusuf_rossi_9620"


def _tools(store: Store, session: ToolSession) -> dict:
    return {t.name: t for t in langchain_tools(store.tools, session)}


def test_every_tool_is_bound_with_its_schema_and_description(store: Store) -> None:
    tools = _tools(store, ToolSession())
    assert list(tools) == store.tools.registry.names()
    assert {"find_user_id_by_email", "cancel_pending_order", "get_offers", "transfer_to_human_agents"} <= set(tools)
    for spec in store.tools.registry:
        fn = convert_to_openai_tool(tools[spec.name])["function"]
        assert fn["description"] == spec.description and len(fn["description"]) > 30
        params = fn["parameters"]
        assert set(params.get("properties", {})) == set(spec.args.model_fields)
        assert set(params.get("required", [])) == {n for n, f in spec.args.model_fields.items() if f.is_required()}
        assert params.get("additionalProperties") is False
        assert all(p.get("description") for p in params.get("properties", {}).values()), spec.name


def test_a_chat_model_receives_the_bound_tools(store: Store) -> None:
    model = ChatOpenAI(model="concierge-base", base_url="http://127.0.0.1:9/v1", api_key="not-needed")
    bound = model.bind_tools(list(_tools(store, ToolSession()).values()))
    sent = {t["function"]["name"]: t["function"] for t in bound.kwargs["tools"]}
    cancel = sent["cancel_pending_order"]["parameters"]
    assert cancel["required"] == ["order_id", "reason"]
    assert "'#' symbol" in cancel["properties"]["order_id"]["description"]


def test_a_call_with_missing_arguments_is_a_relayable_error(store: Store) -> None:
    s = ToolSession.for_customer(YUSUF, verified_by="website_identity")
    out = json.loads(_tools(store, s)["get_order_details"].invoke({}))
    assert out == {"ok": False, "code": "invalid_arguments",
                   "error": "Invalid arguments for get_order_details: missing argument 'order_id'"}


def test_a_call_with_extra_arguments_is_refused_audited_and_writes_nothing(store: Store) -> None:
    s = ToolSession.for_customer(YUSUF, verified_by="website_identity")
    msg = _tools(store, s)["cancel_pending_order"].invoke({
        "type": "tool_call", "id": "call-1", "name": "cancel_pending_order",
        "args": {"order_id": "#W6247578", "reason": "no longer needed", "refund_to": "my gift card"}})
    assert isinstance(msg, ToolMessage) and msg.status == "error" and msg.tool_call_id == "call-1"
    out = json.loads(msg.content)
    assert out["code"] == "invalid_arguments" and "unexpected argument 'refund_to'" in out["error"]
    with store.sessions() as db:
        assert db.get(Order, "#W6247578").status == "pending"
        row = db.scalars(select(AuditEntry).where(AuditEntry.session_id == s.session_id)).one()
    assert (row.tool, row.ok, row.arguments["refund_to"]) == ("cancel_pending_order", False, "my gift card")


def test_a_good_call_goes_through_the_session(store: Store) -> None:
    s = ToolSession()
    tools = _tools(store, s)
    found = json.loads(tools["find_user_id_by_email"].invoke({"email": "yusuf.rossi7301@example.com"}))
    assert found == {"ok": True, "result": YUSUF} and s.customer_id == YUSUF
    msg = tools["get_order_details"].invoke({"type": "tool_call", "id": "c2", "name": "get_order_details",
                                             "args": {"order_id": "#W2378156"}})
    assert msg.status == "success" and json.loads(msg.content)["result"]["user_id"] == YUSUF
