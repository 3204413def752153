"""A real Concierge server (subprocess, embedded defaults: SQLite, Qdrant Edge, SmolLM2 through
llama.cpp) and a WebSocket client that talks to it as the widget does. The `live_server` fixture
(tests/conftest.py) starts one per test session."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

from server.auth import issue_identity_token

BIN = Path(sys.executable).parent / "concierge"
IDENTITY_SECRET = "journeys-identity-secret-0123456789abcdef"
STAFF_SECRET = "journeys-staff-secret-0123456789abcdefgh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningServer:
    base: str
    env: dict[str, str]
    proc: subprocess.Popen[bytes]
    var: Path

    @property
    def ws_url(self) -> str:
        return self.base.replace("http", "ws") + "/ws/chat"

    def identity(self, customer_id: str) -> str:
        return issue_identity_token(IDENTITY_SECRET, customer_id)


def launch_server(var: Path, sqlite_template: Path | None, extra_env: dict[str, str] | None = None, *,
                  index_template: Path | None = None) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    """Start `concierge serve` without waiting (several instances start side by side).
    Without `sqlite_template`, extra_env must name CONCIERGE_DATABASE_URL."""
    var.mkdir(parents=True, exist_ok=True)
    db = var / "concierge.db"
    if sqlite_template is not None and not db.exists():
        shutil.copyfile(sqlite_template, db)
    if index_template is not None and not (var / "qdrant").exists():
        shutil.copytree(index_template, var / "qdrant")
    port, llm_port = free_port(), free_port()
    env = {**os.environ, "CONCIERGE_VAR_DIR": str(var), "CONCIERGE_DATABASE_URL": f"sqlite:///{db}",
           "CONCIERGE_PORT": str(port), "CONCIERGE_EMBEDDED_LLM_PORT": str(llm_port),
           "CONCIERGE_IDENTITY_SECRET": IDENTITY_SECRET, "CONCIERGE_STAFF_SECRET": STAFF_SECRET,
           "HF_HUB_OFFLINE": "1", **(extra_env or {})}
    log = open(var / "server.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen([str(BIN), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}", env


def wait_ready(proc: subprocess.Popen[bytes], base: str, env: dict[str, str], var: Path,
               timeout_s: float = 900) -> RunningServer:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {(var / 'server.log').read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return RunningServer(base, env, proc, var)
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"server not ready: {(var / 'server.log').read_text()[-3000:]}")


def start_server(var: Path, sqlite_template: Path | None, extra_env: dict[str, str] | None = None, *,
                 index_template: Path | None = None, timeout_s: float = 900) -> RunningServer:
    proc, base, env = launch_server(var, sqlite_template, extra_env, index_template=index_template)
    return wait_ready(proc, base, env, var, timeout_s)


def add_staff(server: RunningServer, name: str, password: str, store_id: str | None = None) -> dict[str, Any]:
    """`concierge staff add` against the server's database, as an operator would."""
    args = [str(BIN), "staff", "add", name, "--password-stdin", "--json"] + (["--store", store_id] if store_id else [])
    out = subprocess.run(args, input=password + "\n", env=server.env, capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(out.stdout)


def staff_login(server: RunningServer, name: str, password: str) -> str:
    r = httpx.post(f"{server.base}/api/staff/login", json={"name": name, "password": password}, timeout=30)
    r.raise_for_status()
    return str(r.json()["token"])


class Console:
    """A staff console's socket: frames are kept so a test can wait for any of them."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []

    async def send(self, **frame: Any) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout: float = 60) -> dict[str, Any]:
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        self.frames.append(frame)
        return frame

    async def until(self, match: Any, timeout: float = 60) -> dict[str, Any]:
        """The next frame for which match(frame) is true."""
        deadline = time.monotonic() + timeout
        while True:
            frame = await self.recv(max(0.01, deadline - time.monotonic()))
            if match(frame):
                return frame

    async def until_queued(self, conversation_id: str, timeout: float = 60) -> dict[str, Any]:
        return await self.until(lambda f: f["type"] == "queue" and any(
            e["conversation_id"] == conversation_id and e["status"] == "queued" for e in f["conversations"]), timeout)


async def open_console(server: RunningServer, token: str) -> tuple[Any, Console]:
    ws = await websockets.connect(server.base.replace("http", "ws") + "/ws/console", max_size=2**22)
    console = Console(ws)
    await console.send(type="hello", token=token)
    await console.until(lambda f: f["type"] == "welcome")
    return ws, console


def stop_server(server: RunningServer) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(30)
    except subprocess.TimeoutExpired:
        server.proc.kill()


@dataclass
class Reply:
    message: dict[str, Any]
    tokens: list[str] = field(default_factory=list)
    frames: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.message["text"]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f.get("type") == kind]


class Chat:
    """A shopper's socket: hello, then say() returns the assistant's final reply."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.session: dict[str, Any] = {}
        self.last_seq = 0

    async def recv(self, timeout: float = 120) -> dict[str, Any]:
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        if "seq" in frame and frame.get("type") == "message":
            self.last_seq = max(self.last_seq, frame["seq"])
        return frame

    async def hello(self, **fields: Any) -> dict[str, Any]:
        await self.ws.send(json.dumps({"type": "hello", **fields}))
        while True:
            frame = await self.recv()
            if frame["type"] == "session":
                self.session = frame
                return frame

    async def say(self, text: str, timeout: float = 120) -> Reply:
        client_id = uuid.uuid4().hex
        await self.ws.send(json.dumps({"type": "message", "text": text, "client_id": client_id}))
        frames: list[dict[str, Any]] = []
        seq = None
        while True:
            frame = await self.recv(timeout)
            frames.append(frame)
            if frame["type"] == "ack" and frame["client_id"] == client_id:
                seq = frame["seq"]
            if frame["type"] == "error" and frame.get("client_id") == client_id:
                raise AssertionError(f"error frame: {frame}")
            if frame["type"] == "message" and frame["role"] in ("assistant", "system") and seq is not None \
                    and frame.get("reply_to", seq) == seq:
                tokens = [f["text"] for f in frames if f["type"] == "token" and f.get("reply_to") == seq]
                reply = Reply(frame, tokens, frames)
                if frame["role"] == "assistant":
                    await self._drain_after(reply)
                    return reply

    async def _drain_after(self, reply: Reply) -> None:
        """Frames that follow the reply at once (typing off, handoff) belong to it."""
        while True:
            try:
                frame = await self.recv(timeout=0.5)
            except asyncio.TimeoutError:
                return
            reply.frames.append(frame)


def run_async(coro):  # type: ignore[no-untyped-def]
    """asyncio.run in a thread of its own: Playwright's sync API (browser tests in the same
    session) keeps an event loop running in the main thread."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def open_chat(server: RunningServer, **hello: Any) -> tuple[Any, Chat]:
    ws = await websockets.connect(server.ws_url, max_size=2**20)
    chat = Chat(ws)
    await chat.hello(**hello)
    return ws, chat
