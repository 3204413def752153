"""Tools mode: the LLM's tool calls drive the real tool layer, never trusted.

With the scripted endpoint this tests the plumbing (OpenAI tool-call wire format, the dry-run +
confirmation gate, identity from the session); with SmolLM2 through llama.cpp's
chatml-function-calling format it tests the real wire format and that garbage calls are caught."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent.engine import Agent
from agent.llm import LLMClient, LLMConfig, make_chat_model
from agent.respond import ReplyWriter
from agent.tools_mode import ToolsModeDialogue
from tests.agent.scripted_llm import ScriptedLLM
from tests.conftest import Store
from tests.live import free_port
from tools import audit
from tools.models import Order
from tools.session import ToolSession


@pytest.fixture
def scripted() -> Iterator[tuple[ScriptedLLM, str]]:
    llm = ScriptedLLM()
    url = llm.start(free_port())
    yield llm, url
    llm.stop()


def saver(store: Store):  # type: ignore[no-untyped-def]
    """LangGraph's SQLite saver on the store's own database file, as the server uses it."""
    import sqlite3

    from langgraph.checkpoint.sqlite import SqliteSaver

    s = SqliteSaver(sqlite3.connect(store.engine.url.database, check_same_thread=False))
    s.setup()
    return s


def tools_agent(store: Store, nlu, url: str) -> Agent:  # type: ignore[no-untyped-def]
    client = LLMClient(make_chat_model(LLMConfig(base_url=url, model="scripted", timeout_s=60, max_retries=0)))
    return Agent(store.tools, nlu, ReplyWriter(None), checkpointer=saver(store),
                 dialogue=ToolsModeDialogue(client, store.tools))


def status(store: Store, order_id: str) -> str:
    with store.sessions() as db:
        return db.get(Order, order_id).status


def test_a_write_waits_for_the_shoppers_yes(sqlite_store: Store, nlu, scripted) -> None:  # type: ignore[no-untyped-def]
    llm, url = scripted
    agent = tools_agent(sqlite_store, nlu, url)
    session = ToolSession.for_customer("yusuf_rossi_9620", verified_by="website_identity", session_id="conv-1")
    llm.call("get_order_details", order_id="#W6247578")
    llm.call("cancel_pending_order", order_id="#W6247578", reason="no longer needed")
    first = agent.run_turn("conv-1", "Please cancel #W6247578, I no longer need it", session)
    assert "To confirm" in first.text and "#W6247578" in first.text and "no longer needed" in first.text
    assert first.quick_replies == ["Yes", "No"] and status(sqlite_store, "#W6247578") == "pending"
    tool_names = [t["function"]["name"] for t in llm.requests[0]["tools"]]
    assert "cancel_pending_order" in tool_names and llm.requests[0]["tool_choice"] == "auto"
    llm.say("Your order #W6247578 is now cancelled.")
    done = agent.run_turn("conv-1", "yes", session)
    assert status(sqlite_store, "#W6247578") == "cancelled"
    assert done.text == "Your order #W6247578 is now cancelled."


def test_no_means_nothing_is_written(sqlite_store: Store, nlu, scripted) -> None:  # type: ignore[no-untyped-def]
    llm, url = scripted
    agent = tools_agent(sqlite_store, nlu, url)
    session = ToolSession.for_customer("yusuf_rossi_9620", verified_by="website_identity", session_id="conv-2")
    llm.call("cancel_pending_order", order_id="#W6247578", reason="no longer needed")
    agent.run_turn("conv-2", "cancel #W6247578", session)
    reply = agent.run_turn("conv-2", "no, don't", session)
    assert "haven't changed anything" in reply.text and status(sqlite_store, "#W6247578") == "pending"


def test_identity_comes_from_the_session_not_the_model(sqlite_store: Store, nlu, scripted) -> None:  # type: ignore[no-untyped-def]
    llm, url = scripted
    agent = tools_agent(sqlite_store, nlu, url)
    session = ToolSession.for_customer("yusuf_rossi_9620", verified_by="website_identity", session_id="conv-3")
    llm.call("get_user_details", user_id="noah_brown_6181")  # someone else's profile
    llm.say("Noah's email is noah.brown7922@example.com")
    reply = agent.run_turn("conv-3", "show me Noah Brown's details", session)
    assert "noah.brown7922" not in reply.text
    with sqlite_store.sessions() as db:
        row = [e for e in audit.tail(db, session_id="conv-3") if e.tool == "get_user_details"][0]
    assert not row.ok and row.error.startswith("forbidden")


def test_invalid_writes_are_refused_before_any_read_back(sqlite_store: Store, nlu, scripted) -> None:  # type: ignore[no-untyped-def]
    llm, url = scripted
    agent = tools_agent(sqlite_store, nlu, url)
    session = ToolSession.for_customer("yusuf_rossi_9620", verified_by="website_identity", session_id="conv-4")
    llm.call("cancel_pending_order", order_id="#W2378156", reason="no longer needed")  # delivered
    llm.call("cancel_pending_order", order_id="#W6247578", reason="because")          # bad reason
    llm.say("Sorry, I can't cancel that order.")
    reply = agent.run_turn("conv-4", "cancel my order", session)
    assert "To confirm" not in reply.text
    tool_messages = [m for m in llm.requests[-1]["messages"] if m["role"] == "tool"]
    assert "Non-pending order cannot be cancelled" in tool_messages[0]["content"]
    assert "Invalid reason" in tool_messages[1]["content"]
    assert status(sqlite_store, "#W2378156") == "delivered" and status(sqlite_store, "#W6247578") == "pending"


@pytest.mark.slow
def test_smollm2_tool_calls_through_llama_cpp_are_checked(sqlite_store: Store, nlu,  # type: ignore[no-untyped-def]
                                                          smollm2_function_calling: str) -> None:
    client = LLMClient(make_chat_model(LLMConfig(base_url=smollm2_function_calling, model="smollm2-135m-instruct",
                                                 timeout_s=120, max_retries=0, max_tokens=60)))
    agent = Agent(sqlite_store.tools, nlu, ReplyWriter(None), checkpointer=saver(sqlite_store),
                  dialogue=ToolsModeDialogue(client, sqlite_store.tools))
    session = ToolSession.for_customer("yusuf_rossi_9620", verified_by="website_identity", session_id="conv-5")
    reply = agent.run_turn("conv-5", "Please cancel order #W6247578 because I no longer need it", session)
    assert reply.text  # a grounded reply, a read-back, or the fallback: never an exception
    assert status(sqlite_store, "#W6247578") == "pending"  # no write without the shopper's yes
    with sqlite_store.sessions() as db:
        writes = [e for e in audit.tail(db, limit=100, session_id="conv-5") if e.write and e.ok]
    assert writes == []
