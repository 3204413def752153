"""Agent fixtures: the real NLU (MiniLM), a seeded store, and an embedded SmolLM2 server."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live import free_port


@pytest.fixture(scope="session")
def nlu():  # type: ignore[no-untyped-def]
    from agent.nlu import NLU

    return NLU(catalog=Path(__file__).resolve().parents[2] / "tools/data/tau2_retail/db.json")


def _start_llama(chat_format: str) -> tuple[subprocess.Popen[bytes], str]:
    from server.llm_server import MODEL_ALIAS, bundled_model_path

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_model_path()),
                             "--model_alias", MODEL_ALIAS, "--port", str(port), "--n_ctx", "4096",
                             "--n_threads", "2", "--chat_format", chat_format, "--verbose", "False"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("llama.cpp server did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:  # busy finishing a generation
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="session")
def smollm2_function_calling() -> Iterator[str]:
    """SmolLM2 behind llama.cpp's `chatml-function-calling` format (the tools-mode wire format)."""
    proc, url = _start_llama("chatml-function-calling")
    yield url
    _stop(proc)


@pytest.fixture(scope="session")
def smollm2_chat() -> Iterator[str]:
    """SmolLM2 behind llama.cpp's plain `chatml` format (the intents-mode reply writer)."""
    proc, url = _start_llama("chatml")
    yield url
    _stop(proc)
