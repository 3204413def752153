"""One LLM client path: LangChain's ChatOpenAI against any OpenAI-compatible endpoint (vLLM in
production, llama.cpp's server with the bundled SmolLM2 by default), with timeouts, retries with
backoff (the OpenAI client's), and a circuit breaker so a dead model fails fast."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
import openai
from langchain_core.messages import BaseMessage
from langchain_openai import ChatOpenAI


class LLMUnavailable(Exception):
    """The model cannot answer now (down, timing out, or the breaker is open)."""


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str = "not-needed"
    timeout_s: float = 30.0
    max_retries: int = 2
    temperature: float = 0.2
    max_tokens: int = 200


class CircuitBreaker:
    """Opens after `threshold` consecutive failures; after `cooldown_s` lets one call probe."""

    def __init__(self, threshold: int = 3, cooldown_s: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half-open" if self._clock() - self._opened_at >= self.cooldown_s else "open"

    def allow(self) -> bool:
        return self.state != "open"

    def success(self) -> None:
        with self._lock:
            self._failures, self._opened_at = 0, None

    def failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.threshold:
                self._opened_at = self._clock()


# Errors that mean "the model service is not usable right now".
TRANSIENT = (openai.APIConnectionError, openai.APITimeoutError, openai.InternalServerError,
             openai.RateLimitError, openai.NotFoundError, httpx.HTTPError, ConnectionError, TimeoutError)


def make_chat_model(cfg: LLMConfig) -> ChatOpenAI:
    return ChatOpenAI(base_url=cfg.base_url, model=cfg.model, api_key=cfg.api_key, timeout=cfg.timeout_s,
                      max_retries=cfg.max_retries, temperature=cfg.temperature, max_tokens=cfg.max_tokens)


class LLMClient:
    """Streams a reply; raises LLMUnavailable instead of any transport error."""

    def __init__(self, model: ChatOpenAI, breaker: CircuitBreaker | None = None) -> None:
        self.model = model
        self.breaker = breaker or CircuitBreaker()

    def stream(self, messages: Sequence[BaseMessage], on_token: Callable[[str], bool | None] | None = None) -> str:
        """Collects the streamed reply. `on_token` may return False to stop the stream early."""
        if not self.breaker.allow():
            raise LLMUnavailable("the language model is unavailable (circuit open)")
        parts: list[str] = []
        try:
            for chunk in self.model.stream(list(messages)):
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if not piece:
                    continue
                parts.append(piece)
                if on_token is not None and on_token(piece) is False:
                    break
        except TRANSIENT as exc:
            self.breaker.failure()
            raise LLMUnavailable(f"the language model is unavailable: {type(exc).__name__}") from exc
        self.breaker.success()
        return "".join(parts)

    def invoke_with_tools(self, messages: Sequence[BaseMessage], tools: Sequence[object]) -> BaseMessage:
        """One tool-calling step (tools mode). `tool_choice="auto"` is sent explicitly: llama.cpp's
        chatml-function-calling format ignores tools without it."""
        if not self.breaker.allow():
            raise LLMUnavailable("the language model is unavailable (circuit open)")
        try:
            out = self.model.bind_tools(list(tools), tool_choice="auto").invoke(list(messages))
        except TRANSIENT as exc:
            self.breaker.failure()
            raise LLMUnavailable(f"the language model is unavailable: {type(exc).__name__}") from exc
        self.breaker.success()
        return out
