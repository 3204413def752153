"""The reply writer with the real embedded model: whatever SmolLM2 writes, the shopper only ever
gets a grounded wording or the deterministic draft, and a dead model still gets an answer out."""

from __future__ import annotations

import pytest

from agent.dialogue import Draft
from agent.grounding import Facts, check
from agent.llm import LLMClient, LLMConfig, make_chat_model
from agent.respond import ReplyWriter
from tests.live import free_port

pytestmark = pytest.mark.slow


def draft() -> Draft:
    facts = Facts()
    facts.add("Order #W2378156 status delivered. Items: Headphones; Vacuum Cleaner. Tracking: 843053632392.")
    return Draft("Order #W2378156 is delivered. Items: Headphones and Vacuum Cleaner. Tracking number: 843053632392.",
                 facts=facts, required=["#W2378156", "delivered", "843053632392"])


def test_smollm2_wording_is_grounded_or_replaced(smollm2_chat: str) -> None:
    writer = ReplyWriter(LLMClient(make_chat_model(LLMConfig(base_url=smollm2_chat, model="smollm2-135m-instruct",
                                                             timeout_s=120, max_retries=0))), budget_s=120)
    for message in ["where is my order #W2378156?", "has my order arrived", "tracking number please"]:
        d = draft()
        streamed: list[str] = []
        written = writer.write("conv", d, message, streamed.append)
        assert written.text == d.text or check(written.text, d.facts, d.required, context=message, draft=d.text).ok
        assert written.source in ("llm", "template")
        for piece in streamed:  # nothing ungrounded was ever streamed either
            assert check(piece, d.facts, context=message, draft=d.text).unsupported == []


def test_a_dead_model_still_gets_the_answer_out() -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    writer = ReplyWriter(LLMClient(make_chat_model(LLMConfig(base_url=dead, model="m", timeout_s=2, max_retries=0))))
    d = draft()
    streamed: list[str] = []
    written = writer.write("conv", d, "where is my order?", streamed.append)
    assert written.text == d.text and written.source == "template" and "unavailable" in (written.llm_error or "")
    assert streamed == [d.text]
