"""Fixtures for the browser tests: Debian's Chromium (never a downloaded browser), the real
Concierge server started as a subprocess on a seeded temporary store, and the scripted stand-in
of tests/e2e/fake_chat_server.py."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent                       # the venv running pytest (.venv/bin)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RESULTS = REPO / "test-results"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _log_tail(path: Path, n: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode} before /healthz answered:\n{_log_tail(log)}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"server not healthy after {timeout:.0f} s:\n{_log_tail(log)}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the process group we started (the server and the children it spawned, such as the
    embedded model server), then sweep whatever is left in that group."""
    try:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        os.killpg(proc.pid, signal.SIGKILL)     # e.g. a model server respawned during shutdown
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def results_dir() -> Path:
    RESULTS.mkdir(exist_ok=True)
    return RESULTS


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing at /usr/bin/chromium: run `make chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def concierge_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real server: `concierge seed`, then `concierge serve --port N`, on a temporary store.

    CONCIERGE_E2E_SERVER=http://host:port uses an already running server instead (development)."""
    if os.environ.get("CONCIERGE_E2E_SERVER"):
        yield os.environ["CONCIERGE_E2E_SERVER"].rstrip("/")
        return
    tmp = tmp_path_factory.mktemp("concierge")
    env = {**os.environ,
           "CONCIERGE_VAR_DIR": str(tmp),
           "CONCIERGE_DATABASE_URL": f"sqlite:///{tmp}/c.db",
           "CONCIERGE_EMBEDDED_LLM_PORT": str(free_port()),   # our own model server, not a shared one
           "CONCIERGE_DEMO_MODE": "true",
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    concierge = shutil.which("concierge", path=str(BIN)) or str(REPO / ".venv" / "bin" / "concierge")
    seeded = subprocess.run([concierge, "seed"], env=env, cwd=tmp, capture_output=True, text=True, timeout=300)
    if seeded.returncode != 0:
        pytest.fail(f"`concierge seed` failed ({seeded.returncode}):\n{seeded.stderr[-3000:]}")
    port = free_port()
    log = tmp / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([concierge, "serve", "--port", str(port)], env=env, cwd=tmp,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        # The gateway's startup (models, NLU, catalog index) took up to ~7 minutes on a busy 2-CPU machine.
        _wait_healthy(base, proc, log, timeout=600)
        missing = [path for path in ("/", "/static/concierge-chat.js", "/demo/customers")
                   if httpx.get(base + path, timeout=10).status_code != 200]
        if missing:
            pytest.fail("The server does not serve " + ", ".join(missing) + " (demo mode): the widget's browser "
                        "test needs server/demo.py's routes and /static mounted in server/app.py.")
        yield base
    finally:
        _stop(proc)
        print(f"--- server log tail ({log}) ---\n{_log_tail(log, 30)}")


@pytest.fixture(scope="module")
def fake_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The scripted /ws/chat stand-in (tests/e2e/fake_chat_server.py) serving the demo page."""
    port = free_port()
    log = tmp_path_factory.mktemp("fake") / "fake.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "tests.e2e.fake_chat_server", "--port", str(port)],
                                cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc, log, timeout=60)
        yield base
    finally:
        _stop(proc)
