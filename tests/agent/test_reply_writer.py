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



def test_a_busy_model_does_not_make_shoppers_queue() -> None:
    """One LLM slot (the embedded model words one reply at a time): while it is taken, another
    conversation's reply is the grounded draft, sent at once, not a wait in line. (A scripted
    OpenAI-compatible endpoint plays a slow model.)"""
    import threading
    import time

    from tests.agent.scripted_llm import ScriptedLLM

    llm = ScriptedLLM()
    url = llm.start(free_port())
    try:
        llm.delay_s = 4.0
        llm.say("Order #W2378156 is delivered.")
        writer = ReplyWriter(LLMClient(make_chat_model(LLMConfig(base_url=url, model="scripted", timeout_s=30,
                                                                 max_retries=0))),
                             budget_s=30, max_concurrency=1, queue_wait_s=0.2)
        first = threading.Thread(target=writer.write, args=("conv-1", draft(), "where is my order?", lambda _p: None))
        first.start()
        time.sleep(0.5)  # conversation 1 is waiting for its wording
        d = draft()
        shown: list[str] = []
        written = writer.write("conv-2", d, "tracking number please", shown.append)
        assert (written.text, written.source, written.rejected) == (d.text, "template", ["llm busy"])
        assert shown == [d.text]  # the shopper saw the whole answer at once
        assert len(llm.requests) == 1  # only conversation 1 reached the model
        first.join(30)
    finally:
        llm.stop()
