"""/ws/chat as a client sees it: bad input gets an error frame and the socket stays usable;
messages are persisted before the ack; a reconnect resumes; a restart loses nothing acked."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import websockets

from tests.live import RunningServer, open_chat, run_async, start_server, stop_server

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


run = run_async


async def next_of(chat, kind: str, timeout: float = 60):  # type: ignore[no-untyped-def]
    while True:
        frame = await chat.recv(timeout)
        if frame["type"] == kind:
            return frame


def test_bad_frames_get_errors_and_the_socket_stays_usable(live_server: RunningServer) -> None:
    async def scenario() -> None:
        ws, chat = await open_chat(live_server)
        async with ws:
            for raw, code in [("{not json", "bad_json"), ("[1, 2]", "bad_frame"), ('{"text": "no type"}', "bad_frame"),
                              ('{"type": "teleport"}', "unknown_type"), ("x" * 20_000, "too_large"),
                              (json.dumps({"type": "message", "text": "hi"}), "bad_frame"),
                              (json.dumps({"type": "message", "text": "   ", "client_id": "a"}), "bad_frame"),
                              (json.dumps({"type": "message", "text": "y" * 4001, "client_id": "b"}), "too_large")]:
                await ws.send(raw)
                frame = await next_of(chat, "error")
                assert frame["code"] == code and frame["message"]
            await ws.send(b'{"type": "ping"}')
            assert (await next_of(chat, "error"))["code"] == "bad_frame"
            await ws.send('{"type": "ping"}')
            assert (await next_of(chat, "pong"))["type"] == "pong"
            reply = await chat.say("hi")
            assert reply.message["role"] == "assistant" and reply.text
    run(scenario())


def test_a_message_without_hello_opens_an_anonymous_conversation(live_server: RunningServer) -> None:
    async def scenario() -> None:
        async with websockets.connect(live_server.ws_url) as ws:
            await ws.send(json.dumps({"type": "message", "text": "hello", "client_id": "c1"}))
            first = json.loads(await ws.recv())
            assert first["type"] == "session" and first["conversation_id"] and first["customer"] is None
            ack = json.loads(await ws.recv())
            assert ack == {"type": "ack", "client_id": "c1", "seq": 1}
    run(scenario())


def test_a_bad_identity_token_is_refused_clearly(live_server: RunningServer) -> None:
    async def scenario() -> None:
        async with websockets.connect(live_server.ws_url) as ws:
            await ws.send(json.dumps({"type": "hello", "identity": "not.a.jwt"}))
            err = json.loads(await ws.recv())
            session = json.loads(await ws.recv())
            assert err["code"] == "bad_identity" and session["type"] == "session" and session["customer"] is None
    run(scenario())


def test_a_repeated_client_id_is_acked_again_not_stored_twice(live_server: RunningServer) -> None:
    async def scenario() -> None:
        ws, chat = await open_chat(live_server)
        async with ws:
            frame = json.dumps({"type": "message", "text": "hi there", "client_id": "same-id"})
            await ws.send(frame)
            first = await next_of(chat, "ack")
            await ws.send(frame)
            second = await next_of(chat, "ack")
            assert first["seq"] == second["seq"]
        ws2, chat2 = await open_chat(live_server, conversation_id=chat.session["conversation_id"], last_seq=0)
        async with ws2:
            await asyncio.sleep(0.5)
        shopper = [m for m in await replayed(live_server, chat.session["conversation_id"]) if m["role"] == "shopper"]
        assert [m["client_id"] for m in shopper] == ["same-id"]
    run(scenario())


async def replayed(server: RunningServer, conversation_id: str, last_seq: int = 0) -> list[dict]:
    """Every message a resuming client receives."""
    async with websockets.connect(server.ws_url) as ws:
        await ws.send(json.dumps({"type": "hello", "conversation_id": conversation_id, "last_seq": last_seq}))
        frames = []
        while True:
            try:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 2))
            except asyncio.TimeoutError:
                return frames
            if frame["type"] == "message":
                frames.append(frame)


def test_reconnecting_with_the_last_seq_replays_what_was_missed(live_server: RunningServer) -> None:
    async def scenario() -> None:
        ws, chat = await open_chat(live_server)
        async with ws:
            await chat.say("hi")
            seen = chat.last_seq
            await chat.say("thanks")
        missed = await replayed(live_server, chat.session["conversation_id"], last_seq=seen)
        assert [m["role"] for m in missed] == ["shopper", "assistant"] and missed[0]["text"] == "thanks"
        assert all(m["seq"] > seen for m in missed)
    run(scenario())


def test_unknown_conversation_starts_a_new_one(live_server: RunningServer) -> None:
    async def scenario() -> None:
        ws, chat = await open_chat(live_server, conversation_id=uuid.uuid4().hex, last_seq=3)
        async with ws:
            assert chat.session["resumed"] is False
    run(scenario())


def test_rate_limit_per_connection(live_server: RunningServer) -> None:
    async def scenario() -> None:
        ws, chat = await open_chat(live_server)
        async with ws:
            codes = []
            for i in range(25):
                await ws.send(json.dumps({"type": "message", "text": f"m{i}", "client_id": f"r{i}"}))
            deadline = asyncio.get_running_loop().time() + 60
            while len(codes) < 25 and asyncio.get_running_loop().time() < deadline:
                frame = await chat.recv()
                if frame["type"] in ("ack", "error") and str(frame.get("client_id", "")).startswith("r"):
                    codes.append(frame["type"] if frame["type"] == "ack" else frame["code"])
            assert codes.count("ack") == 20 and codes.count("rate_limited") == 5
    run(scenario())


def test_a_killed_server_loses_nothing_acked(sqlite_template, index_template, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL right after the ack: after a restart the message is there and gets its answer."""
    server = start_server(tmp_path / "var", sqlite_template, index_template=index_template)
    try:
        async def before_kill() -> tuple[str, int]:
            ws, chat = await open_chat(server)
            async with ws:
                await ws.send(json.dumps({"type": "message", "text": "Do you sell yoga mats?", "client_id": "k1"}))
                ack = await next_of(chat, "ack")
                server.proc.kill()
                return chat.session["conversation_id"], ack["seq"]

        conversation_id, seq = run(before_kill())
        server.proc.wait(30)
    finally:
        stop_server(server)
    restarted = start_server(tmp_path / "var", sqlite_template, index_template=index_template)
    try:
        async def after_restart() -> list[dict]:
            ws, chat = await open_chat(restarted, conversation_id=conversation_id, last_seq=0)
            async with ws:
                frames = []
                while not any(f["role"] == "assistant" for f in frames):
                    frame = await chat.recv(180)
                    if frame["type"] == "message":
                        frames.append(frame)
                return frames

        frames = run(after_restart())
        assert frames[0]["seq"] == seq and frames[0]["text"] == "Do you sell yoga mats?"
        answer = next(f for f in frames if f["role"] == "assistant")
        assert answer["reply_to"] == seq and answer["text"]
    finally:
        stop_server(restarted)
