"""Each handoff trigger, through the real agent (real NLU, real VADER, real tools), and each one
configurable: a kind switched off no longer hands off."""

from __future__ import annotations

import pytest

from agent.engine import Agent
from agent.handoff import ALL_KINDS, HandoffPolicy
from agent.llm import LLMClient, LLMConfig, make_chat_model
from agent.respond import ReplyWriter
from tests.conftest import Store
from tests.live import free_port
from tools import audit
from tools.session import ToolSession

CUSTOMER = "yusuf_rossi_9620"
ANGRY = "My order #W6247578 is late again, this is the worst, I hate it, absolutely terrible!"


def make_agent(store: Store, nlu, writer: ReplyWriter | None = None, **policy) -> Agent:  # type: ignore[no-untyped-def]
    return Agent(store.tools, nlu, writer or ReplyWriter(None), handoff=HandoffPolicy(**policy))


def signed_in(conv: str) -> ToolSession:
    return ToolSession.for_customer(CUSTOMER, verified_by="website_identity", session_id=conv)


def first_handoff(agent: Agent, conv: str, messages: list[str]) -> tuple[int, dict | None]:
    session = signed_in(conv)
    for i, text in enumerate(messages):
        result = agent.run_turn(conv, text, session)
        if result.handoff:
            return i, result.handoff
    return -1, None


def test_explicit_request(sqlite_store: Store, nlu) -> None:  # type: ignore[no-untyped-def]
    i, handoff = first_handoff(make_agent(sqlite_store, nlu), "t-explicit", ["I want to talk to a person"])
    assert (i, handoff and handoff["trigger"]) == (0, "explicit")
    with sqlite_store.sessions() as db:  # the transfer itself goes through the audited tool layer
        assert any(e.tool == "transfer_to_human_agents" for e in audit.tail(db, session_id="t-explicit"))


def test_repeated_failure_to_understand_after_n_turns(sqlite_store: Store, nlu) -> None:  # type: ignore[no-untyped-def]
    gibberish = ["what's the capital of Peru", "how do I bake sourdough", "tell me the NBA scores"]
    i, handoff = first_handoff(make_agent(sqlite_store, nlu, max_failures=2), "t-fail", gibberish)
    assert i == 1 and handoff["trigger"] == "failures" and "2 turns" in handoff["reason"]
    i, _ = first_handoff(make_agent(sqlite_store, nlu, max_failures=3), "t-fail-3", gibberish)
    assert i == 2


def test_strong_negative_sentiment(sqlite_store: Store, nlu) -> None:  # type: ignore[no-untyped-def]
    angry = [ANGRY]
    i, handoff = first_handoff(make_agent(sqlite_store, nlu), "t-angry", angry)
    assert (i, handoff and handoff["reason"]) == (0, "strong negative sentiment")
    assert handoff["trigger"] == "sentiment"


def test_sustained_negative_sentiment(sqlite_store: Store, nlu) -> None:  # type: ignore[no-untyped-def]
    unhappy = ["this is frustrating, where is my order #W6247578", "still annoyed, what is the status of #W6247578?",
               "ugh, so disappointing, where is #W6247578"]
    i, handoff = first_handoff(make_agent(sqlite_store, nlu), "t-sour", unhappy)
    assert i == 2 and handoff["reason"] == "sustained negative sentiment"


def test_legal_or_safety_words(sqlite_store: Store, nlu) -> None:  # type: ignore[no-untyped-def]
    i, handoff = first_handoff(make_agent(sqlite_store, nlu), "t-legal",
                               ["The charger caught fire in my kitchen"])
    assert (i, handoff and handoff["trigger"]) == (0, "policy") and "safety" in handoff["reason"]


def test_complaint_about_a_third_party(sqlite_store: Store, nlu) -> None:  # type: ignore[no-untyped-def]
    i, handoff = first_handoff(make_agent(sqlite_store, nlu), "t-courier",
                               ["The courier was rude and threw my parcel over the fence, awful"])
    assert i == 0 and handoff["reason"] == "policy: complaint about a third party"


def test_refund_above_the_threshold_needs_a_person(sqlite_store: Store, nlu) -> None:  # type: ignore[no-untyped-def]
    messages = ["Please cancel order #W6247578", "I no longer need it"]
    i, handoff = first_handoff(make_agent(sqlite_store, nlu, refund_threshold=50), "t-refund", messages)
    assert i >= 0 and handoff["trigger"] == "policy" and "$50" in handoff["reason"]
    i, handoff = first_handoff(make_agent(sqlite_store, nlu, refund_threshold=100_000), "t-refund-ok", messages)
    assert handoff is None  # under the threshold the bot reads the cancellation back itself


def test_llm_unavailable_after_n_turns(sqlite_store: Store, nlu) -> None:  # type: ignore[no-untyped-def]
    dead = LLMClient(make_chat_model(LLMConfig(base_url=f"http://127.0.0.1:{free_port()}/v1", model="x",
                                               timeout_s=2, max_retries=0)))
    agent = make_agent(sqlite_store, nlu, ReplyWriter(dead), llm_down_turns=2)
    questions = ["What offers do you have for me?", "Any discounts for me?", "Do I have any coupons?"]
    i, handoff = first_handoff(agent, "t-down", questions)
    assert i == 1 and handoff["trigger"] == "llm_down" and handoff["announce"] is True


@pytest.mark.parametrize("kind,messages,policy", [
    ("sentiment", [ANGRY], {}),
    ("failures", ["what's the capital of Peru", "how do I bake sourdough"], {"max_failures": 2}),
    ("policy", ["The charger caught fire in my kitchen"], {}),
])
def test_each_kind_can_be_switched_off(sqlite_store: Store, nlu, kind: str, messages: list[str],  # type: ignore[no-untyped-def]
                                       policy: dict) -> None:
    on = make_agent(sqlite_store, nlu, **policy)
    off = make_agent(sqlite_store, nlu, enabled=frozenset(set(ALL_KINDS) - {kind}), **policy)
    assert first_handoff(on, f"on-{kind}", messages)[1] is not None
    assert first_handoff(off, f"off-{kind}", messages)[1] is None


def test_handing_back_starts_the_counters_afresh(sqlite_store: Store, nlu) -> None:  # type: ignore[no-untyped-def]
    agent = make_agent(sqlite_store, nlu, max_failures=2)
    i, _ = first_handoff(agent, "t-back", ["what's the capital of Peru", "how do I bake sourdough"])
    assert i == 1
    agent.handed_back("t-back")
    assert agent.state("t-back")["failures"] == 0
    i, _ = first_handoff(agent, "t-back", ["tell me the NBA scores"])
    assert i == -1  # one miss after the hand-back is not two
