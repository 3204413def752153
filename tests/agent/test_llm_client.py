"""The LLM client: a dead endpoint is a clear LLMUnavailable, and the breaker then fails fast."""

from __future__ import annotations

import time

import pytest
from langchain_core.messages import HumanMessage

from agent.llm import CircuitBreaker, LLMClient, LLMConfig, LLMUnavailable, make_chat_model
from tests.live import free_port


def test_a_dead_endpoint_opens_the_breaker() -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    client = LLMClient(make_chat_model(LLMConfig(base_url=dead, model="m", timeout_s=2, max_retries=0)),
                       CircuitBreaker(threshold=2, cooldown_s=60))
    for _ in range(2):
        with pytest.raises(LLMUnavailable, match="unavailable"):
            client.stream([HumanMessage("hi")])
    assert client.breaker.state == "open"
    t0 = time.perf_counter()
    with pytest.raises(LLMUnavailable, match="circuit open"):
        client.stream([HumanMessage("hi")])
    assert time.perf_counter() - t0 < 0.1


def test_the_breaker_lets_a_probe_through_after_its_cooldown() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=1, cooldown_s=30, clock=lambda: now[0])
    breaker.failure()
    assert breaker.state == "open" and not breaker.allow()
    now[0] = 31
    assert breaker.state == "half-open" and breaker.allow()
    breaker.success()
    assert breaker.state == "closed"
