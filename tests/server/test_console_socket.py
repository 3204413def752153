"""The handoff round trip over the real sockets of one real server (SQLite, no Redis): the
shopper asks for a person, staff sign in, see the queue, claim, talk, run tools under their own
identity, hand back; the bot never talks over the person."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
import websockets

from tests.live import RunningServer, add_staff, open_chat, open_console, run_async, staff_login

CUSTOMER = "yusuf_rossi_9620"


@pytest.fixture(scope="module")
def staff_token(live_server: RunningServer) -> str:
    add_staff(live_server, "ana", "correct horse battery")
    return staff_login(live_server, "ana", "correct horse battery")


async def next_frame(chat, match, timeout: float = 60):  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        frame = await chat.recv(max(0.01, deadline - loop.time()))
        if match(frame):
            return frame


def test_login_refuses_wrong_passwords_and_the_console_refuses_no_token(live_server: RunningServer,
                                                                        staff_token: str) -> None:
    r = httpx.post(f"{live_server.base}/api/staff/login", json={"name": "ana", "password": "nope"}, timeout=30)
    assert r.status_code == 401 and "Wrong name or password" in r.json()["detail"]
    r = httpx.post(f"{live_server.base}/api/staff/login", json={"name": "nobody", "password": "x" * 9}, timeout=30)
    assert r.status_code == 401  # the same answer: no probing for names
    # the token works on the operator API too
    assert httpx.get(f"{live_server.base}/api/customers?limit=1", timeout=30,
                     headers={"Authorization": f"Bearer {staff_token}"}).status_code == 200

    async def scenario() -> None:
        url = live_server.base.replace("http", "ws") + "/ws/console"
        for hello in ({"type": "hello", "token": "not-a-jwt"}, {"type": "claim", "conversation_id": "x"}):
            async with websockets.connect(url) as ws:
                await ws.send(json.dumps(hello))
                frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
                assert frame["type"] == "error" and frame["code"] == "unauthorized"
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await asyncio.wait_for(ws.recv(), 30)
                assert closed.value.rcvd.code == 4401
        # a shopper identity token is not a staff token
        async with websockets.connect(url) as ws:
            await ws.send(json.dumps({"type": "hello", "token": live_server.identity(CUSTOMER)}))
            assert json.loads(await asyncio.wait_for(ws.recv(), 30))["code"] == "unauthorized"
    run_async(scenario())


def test_full_handoff_round_trip(live_server: RunningServer, staff_token: str) -> None:
    async def scenario() -> None:
        cws, console = await open_console(live_server, staff_token)
        sws, shopper = await open_chat(live_server, identity=live_server.identity(CUSTOMER))
        conv_id = shopper.session["conversation_id"]
        async with cws, sws:
            first = await shopper.say("What's the status of order #W6247578?")
            assert first.message["role"] == "assistant"
            await shopper.ws.send(json.dumps({"type": "handoff_request"}))
            queued = await next_frame(shopper, lambda f: f["type"] == "handoff" and f["status"] == "queued")
            # ana is signed in; other tests on this shared server may have left shoppers queued
            assert queued["available"] is True and queued["position"] >= 1 and queued["estimated_wait_s"] is not None
            entry = (await console.until_queued(conv_id))["conversations"]
            entry = next(e for e in entry if e["conversation_id"] == conv_id)
            assert entry["trigger"] == "button" and entry["customer_name"] == "Yusuf Rossi"

            await console.send(type="claim", conversation_id=conv_id)
            claimed = await console.until(lambda f: f["type"] == "claimed")
            assert claimed["conversation_id"] == conv_id
            assert [m["role"] for m in claimed["transcript"]][:2] == ["shopper", "assistant"]
            assert "#W6247578" in claimed["transcript"][0]["text"]
            summary = claimed["summary"]
            assert "order status" in " ".join(summary["intents"]).replace("_", " ") or summary["intents"]
            assert any("#W6247578" in a for a in summary["bot_actions"])
            assert "talk to a person" in summary["handoff_reason"] and summary["trigger"] == "button"
            assert claimed["customer"]["user_id"] == CUSTOMER
            assert any(o["order_id"] == "#W6247578" for o in claimed["orders"])
            assert claimed["suggestions"] and all(s["source"]["collection"] for s in claimed["suggestions"])
            accepted = await next_frame(shopper, lambda f: f["type"] == "handoff" and f["status"] == "accepted")
            assert accepted["staff"] == "ana"

            # staff -> shopper, with typing
            await console.send(type="typing", conversation_id=conv_id, state=True)
            typing = await next_frame(shopper, lambda f: f["type"] == "typing")
            assert typing == {"type": "typing", "role": "staff", "state": True}
            await console.send(type="message", conversation_id=conv_id, text="Hi, I'm Ana. Let me check.",
                               client_id="c1")
            ack = await console.until(lambda f: f["type"] == "ack")
            got = await next_frame(shopper, lambda f: f["type"] == "message" and f["role"] == "staff")
            assert got["text"] == "Hi, I'm Ana. Let me check." and got["author"] == "ana" and got["seq"] == ack["seq"]

            # shopper -> staff; the bot stays silent while ana owns the conversation
            await shopper.ws.send(json.dumps({"type": "typing", "state": True}))
            await console.until(lambda f: f["type"] == "typing" and f["role"] == "shopper")
            await shopper.ws.send(json.dumps({"type": "message", "text": "Thanks! Can you cancel it?",
                                              "client_id": "s2"}))
            seen = await console.until(lambda f: f["type"] == "message" and f["role"] == "shopper")
            assert seen["text"] == "Thanks! Can you cancel it?" and seen["conversation_id"] == conv_id
            with pytest.raises(asyncio.TimeoutError):
                await next_frame(shopper, lambda f: f["type"] in ("token", "message") and f.get("role") != "shopper",
                                 timeout=4)

            # staff run a tool under their own identity; other customers' data stays refused
            await console.send(type="tool", conversation_id=conv_id, name="get_order_details",
                               arguments={"order_id": "#W6247578"}, request_id="r1")
            result = await console.until(lambda f: f["type"] == "tool_result")
            assert result["ok"] and result["request_id"] == "r1" and result["result"]["user_id"] == CUSTOMER
            await console.send(type="tool", conversation_id=conv_id, name="get_order_details",
                               arguments={"order_id": "#W2611340"}, request_id="r2")
            refused = await console.until(lambda f: f["type"] == "tool_result")
            assert not refused["ok"] and refused["code"] in ("forbidden", "not_found")
            audit = httpx.get(f"{live_server.base}/api/audit", params={"session_id": conv_id, "limit": 50},
                              headers={"Authorization": f"Bearer {staff_token}"}, timeout=30).json()
            assert any(a["actor"] == "staff:ana" and a["tool"] == "get_order_details" for a in audit)

            # hand back: the bot answers the next message
            await console.send(type="release", conversation_id=conv_id)
            released = await console.until(lambda f: f["type"] == "handoff")
            assert released["status"] == "released" and released["conversation_id"] == conv_id
            await next_frame(shopper, lambda f: f["type"] == "handoff" and f["status"] == "released")
            back = await shopper.say("Where is order #W6247578?")
            assert back.message["role"] == "assistant" and "#W6247578" in back.text
    run_async(scenario())


def test_shopper_can_leave_the_queue_and_nobody_online_is_said(live_server: RunningServer, staff_token: str) -> None:
    async def scenario() -> None:
        ws, shopper = await open_chat(live_server)
        async with ws:
            await shopper.ws.send(json.dumps({"type": "handoff_request"}))
            queued = await next_frame(shopper, lambda f: f["type"] == "handoff" and f["status"] == "queued")
            assert queued["available"] is False and "No one" in queued["text"] and queued["estimated_wait_s"] > 0
            notice = await next_frame(shopper, lambda f: f["type"] == "message" and f["role"] == "system")
            assert notice["text"] == queued["text"]
            # a member of staff signs in: the waiting shopper is told at once
            cws, _console = await open_console(live_server, staff_token)
            async with cws:
                update = await next_frame(shopper, lambda f: f["type"] == "handoff" and f["status"] == "queued")
                assert update["available"] is True and "No one" not in update["text"]
            await shopper.ws.send(json.dumps({"type": "handoff_cancel"}))
            cancelled = await next_frame(shopper, lambda f: f["type"] == "handoff")
            assert cancelled["status"] == "cancelled"
            reply = await shopper.say("What is your return policy?")
            assert reply.message["role"] == "assistant"
            await shopper.ws.send(json.dumps({"type": "handoff_cancel"}))
            err = await next_frame(shopper, lambda f: f["type"] == "error")
            assert err["code"] == "not_queued"
    run_async(scenario())


def test_only_the_owner_may_act_and_closing_ends_the_conversation(live_server: RunningServer,
                                                                  staff_token: str) -> None:
    add_staff(live_server, "bo", "another good password")
    bo_token = staff_login(live_server, "bo", "another good password")

    async def scenario() -> None:
        aws, ana = await open_console(live_server, staff_token)
        bws, bo = await open_console(live_server, bo_token)
        sws, shopper = await open_chat(live_server)
        conv_id = shopper.session["conversation_id"]
        async with aws, bws, sws:
            await shopper.ws.send(json.dumps({"type": "handoff_request", "reason": "billing question"}))
            await ana.until_queued(conv_id)
            await ana.send(type="claim", conversation_id=conv_id)
            await ana.until(lambda f: f["type"] == "claimed")
            await bo.send(type="claim", conversation_id=conv_id)
            taken = await bo.until(lambda f: f["type"] == "error")
            assert taken["code"] == "already_claimed"
            await bo.send(type="message", conversation_id=conv_id, text="hi", client_id=uuid.uuid4().hex)
            assert (await bo.until(lambda f: f["type"] == "error"))["code"] == "not_owner"
            await bo.send(type="claim", conversation_id="no-such-conversation")
            assert (await bo.until(lambda f: f["type"] == "error"))["code"] == "unknown_conversation"
            await bo.send(type="nonsense")
            assert (await bo.until(lambda f: f["type"] == "error"))["code"] == "unknown_type"
            await bws.send("{not json")
            assert (await bo.until(lambda f: f["type"] == "error"))["code"] == "bad_json"

            await ana.send(type="close", conversation_id=conv_id)
            closed = await next_frame(shopper, lambda f: f["type"] == "handoff" and f["status"] == "closed")
            assert closed["by"] == "ana"
            await shopper.ws.send(json.dumps({"type": "message", "text": "one more thing", "client_id": "after"}))
            session = await next_frame(shopper, lambda f: f["type"] == "session")
            assert session["conversation_id"] != conv_id and not session["resumed"]
    run_async(scenario())


def test_a_shopper_who_leaves_is_not_left_waiting_for(live_server: RunningServer, staff_token: str) -> None:
    """The kiosk's idle wipe sends `end`: the person who had the conversation is told at once."""
    async def scenario() -> None:
        cws, console = await open_console(live_server, staff_token)
        sws, shopper = await open_chat(live_server, channel="kiosk", store_id="store-001")
        conv_id = shopper.session["conversation_id"]
        async with cws, sws:
            await shopper.ws.send(json.dumps({"type": "handoff_request", "reason": "kiosk: call a store associate"}))
            queue = await console.until_queued(conv_id)
            entry = next(e for e in queue["conversations"] if e["conversation_id"] == conv_id)
            assert (entry["trigger"], entry["channel"], entry["store_id"]) == ("kiosk", "kiosk", "store-001")
            await console.send(type="claim", conversation_id=conv_id)
            await console.until(lambda f: f["type"] == "claimed")
            await shopper.ws.send(json.dumps({"type": "end"}))
            gone = await console.until(lambda f: f["type"] == "handoff" and f["conversation_id"] == conv_id)
            assert (gone["status"], gone["by"]) == ("closed", "shopper")
            await console.send(type="message", conversation_id=conv_id, text="hello?", client_id="late")
            assert (await console.until(lambda f: f["type"] == "error"))["code"] == "not_owner"
            later = await console.until(lambda f: f["type"] == "queue")
            assert conv_id not in [e["conversation_id"] for e in later["conversations"]]
    run_async(scenario())
