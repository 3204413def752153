"""A scripted stand-in for Concierge's /ws/chat, for the widget's browser tests.

It speaks docs/protocol.md ("WebSocket /ws/chat") with a canned agent, so the widget's own
behaviour (streaming, cards, quick replies, handoff, errors, reconnection, resume, the outbox
and client_id de-duplication) can be tested deterministically and without a model. It also
serves the demo page like the real server in demo mode (`/`, `/static/…`, `/demo/…`).

The real server is tested by test_widget_browser.py; this one only pins the widget's side.

Test hooks (HTTP, not part of the product):
  POST /_fake/drop               close every open socket (a network drop)
  POST /_fake/refuse?on=1|0      refuse (close) new sockets right after accepting them
  POST /_fake/drop_before_ack    store the next shopper message, then close without an ack
  POST /_fake/push               {"conversation_id", "role", "text"}: a message from staff/system
  GET  /_fake/state              conversations, stored messages, hello frames received
  GET  /_fake/classic            a page embedding the widget with a classic script, inline (kiosk)

Run by hand: python -m tests.e2e.fake_chat_server --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jwt
import uvicorn
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

ROOT = Path(__file__).resolve().parents[2]
WIDGET = ROOT / "web_widget"
IDENTITY_SECRET = "fake-identity-secret-for-widget-tests-0000"
CUSTOMERS = [
    {"customer_id": "yusuf_rossi_9620", "name": "Yusuf Rossi"},
    {"customer_id": "noah_brown_6181", "name": "Noah Brown"},
    {"customer_id": "mei_kovacs_8020", "name": "Mei Kovacs"},
]
NAMES = {c["customer_id"]: c["name"] for c in CUSTOMERS}

ORDER_CARD = {
    "kind": "order", "order_id": "#W2378156", "status": "delivered",
    "items": [
        {"name": "Mechanical Keyboard", "product_id": "1656367028", "item_id": "1151293680",
         "price": 272.33, "options": {"switch type": "linear", "backlight": "RGB", "size": "full size"}},
        {"name": "Smart Thermostat", "product_id": "4896585277", "item_id": "4983901480",
         "price": 262.47, "options": {"compatibility": "Apple HomeKit", "color": "black"}},
    ],
    "tracking": [{"tracking_id": ["843053632392"], "item_ids": ["1151293680", "4983901480"]}],
}
BIG_ORDER_CARD = {
    "kind": "order", "order_id": "#W3470184", "status": "processed",
    "items": [{"name": n, "item_id": str(1000 + i), "price": p, "options": {"color": "blue"}}
              for i, (n, p) in enumerate([("Wireless Earbuds", 258.84), ("Water Bottle", 54.04),
                                          ("Bookshelf", 549.84), ("Yoga Mat", 92.53), ("Desk Lamp", 164.28)])],
    "tracking": [],
}
PRODUCT_CARDS = [
    {"kind": "product", "product_id": "1656367028", "item_id": "7706410293", "name": "Mechanical Keyboard",
     "options": {"switch type": "clicky", "backlight": "none", "size": "full size"}, "price": 269.16,
     "available": True},
    {"kind": "product", "product_id": "1656367028", "item_id": "1421289881", "name": "Mechanical Keyboard",
     "options": {"switch type": "linear", "backlight": "none", "size": "80%"}, "price": 268.77,
     "available": False},
]
OFFER_CARD = {"kind": "offer", "campaign_id": "spring-kitchen", "name": "Spring kitchen refresh",
              "description": "15% off espresso machines and kettles until Sunday.",
              "reason": "you bought a coffee maker last year", "discount_percent": 15}


CLASSIC_EMBED = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Classic embed</title>
<link rel="icon" href="data:,"></head>
<body><div style="height: 600px; max-width: 480px">
<concierge-chat inline channel="kiosk" store-id="store-12" title="Store helper"
                suggestions="Opening hours|Find a product"></concierge-chat></div>
<script src="/static/concierge-chat.js"></script></body></html>"""


@dataclass
class Conversation:
    id: str
    customer_id: str | None
    channel: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    by_client_id: dict[str, int] = field(default_factory=dict)
    handoff: str | None = None

    @property
    def last_seq(self) -> int:
        return self.messages[-1]["seq"] if self.messages else 0

    def add(self, role: str, text: str, **extra: Any) -> dict[str, Any]:
        msg = {"type": "message", "seq": self.last_seq + 1, "role": role, "text": text,
               "created_at": datetime.now(timezone.utc).isoformat(), **extra}
        self.messages.append(msg)
        return msg


class Fake:
    def __init__(self) -> None:
        self.conversations: dict[str, Conversation] = {}
        self.sockets: dict[WebSocket, str | None] = {}
        self.hellos: list[dict[str, Any]] = []
        self.frames_in: list[dict[str, Any]] = []
        self.refuse = False
        self.drop_before_ack = False

    async def broadcast(self, conv: Conversation, frame: dict[str, Any]) -> None:
        for ws, cid in list(self.sockets.items()):
            if cid == conv.id:
                try:
                    await ws.send_text(json.dumps(frame))
                except Exception:
                    pass


def reply_for(text: str) -> dict[str, Any]:
    t = text.lower()
    if "all my orders" in t:
        return {"text": "You have two orders:", "cards": [ORDER_CARD, BIG_ORDER_CARD]}
    if "order" in t:
        return {"text": "Your order #W2378156 was delivered on Tuesday. Here are the details:",
                "cards": [ORDER_CARD], "quick_replies": ["Return an item", "Exchange an item", "That's all"]}
    if "keyboard" in t or "stock" in t or "product" in t:
        return {"text": "Here are two Mechanical Keyboard options. The clicky one is in stock.",
                "cards": PRODUCT_CARDS, "quick_replies": ["Compare switch types", "Show 60% keyboards"]}
    if "offer" in t or "deal" in t:
        return {"text": "You have an offer waiting:", "cards": [OFFER_CARD]}
    if "fail" in t:
        return {"error": "unavailable"}
    return {"text": f"I can help with that. You said: “{text}”. Is it about an order, a return or a product?",
            "quick_replies": ["An order", "A return", "A product"]}


def create_app() -> FastAPI:
    app = FastAPI()
    fake = Fake()
    app.state.fake = fake

    @app.get("/")
    def index() -> FileResponse:
        return FileResponse(WIDGET / "demo" / "index.html")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "database": "ok"}

    @app.get("/demo/customers")
    def customers() -> list[dict[str, str]]:
        return CUSTOMERS

    @app.post("/demo/identity")
    async def identity(request: Request) -> Any:
        body = await request.json()
        cid = body.get("customer_id")
        if cid not in NAMES:
            return JSONResponse({"detail": "unknown customer"}, status_code=404)
        now = datetime.now(timezone.utc)
        token = jwt.encode({"sub": cid, "iat": now, "exp": now + timedelta(hours=1)}, IDENTITY_SECRET,
                           algorithm="HS256")
        return {"token": token}

    @app.post("/_fake/drop")
    async def drop() -> dict[str, int]:
        n = 0
        for ws in list(fake.sockets):
            try:
                await ws.close(code=1012)
                n += 1
            except Exception:
                pass
        return {"dropped": n}

    @app.post("/_fake/refuse")
    def refuse(on: int = 1) -> dict[str, bool]:
        fake.refuse = bool(on)
        return {"refuse": fake.refuse}

    @app.post("/_fake/drop_before_ack")
    def drop_before_ack() -> dict[str, bool]:
        fake.drop_before_ack = True
        return {"armed": True}

    @app.post("/_fake/push")
    async def push(request: Request) -> dict[str, Any]:
        body = await request.json()
        conv = fake.conversations[body["conversation_id"]]
        msg = conv.add(body.get("role", "staff"), body["text"])
        await fake.broadcast(conv, msg)
        return msg

    @app.get("/_fake/classic")
    def classic() -> HTMLResponse:
        return HTMLResponse(CLASSIC_EMBED)

    @app.get("/_fake/state")
    def state() -> dict[str, Any]:
        return {
            "conversations": {cid: {"customer_id": c.customer_id, "messages": c.messages,
                                    "handoff": c.handoff} for cid, c in fake.conversations.items()},
            "hellos": fake.hellos,
            "frames_in": fake.frames_in,
            "open_sockets": len(fake.sockets),
        }

    @app.websocket("/ws/chat")
    async def chat(ws: WebSocket) -> None:
        await ws.accept()
        if fake.refuse:
            await ws.close(code=1013)
            return
        fake.sockets[ws] = None
        conv: Conversation | None = None

        async def send(frame: dict[str, Any]) -> None:
            await ws.send_text(json.dumps(frame))

        async def open_conversation(customer_id: str | None, channel: str) -> Conversation:
            c = Conversation(id=uuid.uuid4().hex, customer_id=customer_id, channel=channel)
            fake.conversations[c.id] = c
            return c

        async def attach(c: Conversation, resumed: bool, after: int) -> None:
            nonlocal conv
            conv = c
            fake.sockets[ws] = c.id
            first = NAMES.get(c.customer_id or "", "").split(" ")[0] or None
            await send({"type": "session", "conversation_id": c.id, "last_seq": c.last_seq, "resumed": resumed,
                        "customer": {"first_name": first} if first else None, "channel": c.channel})
            for m in c.messages:
                if m["seq"] > after:
                    await send(m)

        async def agent_reply(c: Conversation, shopper: dict[str, Any]) -> None:
            if c.handoff in ("requested", "queued", "accepted"):
                return
            r = reply_for(shopper["text"])
            await fake.broadcast(c, {"type": "typing", "role": "assistant", "state": True})
            await asyncio.sleep(0.25)
            if "error" in r:
                await fake.broadcast(c, {"type": "typing", "role": "assistant", "state": False})
                await fake.broadcast(c, {"type": "error", "code": r["error"], "message": "agent unavailable"})
                return
            for piece in re.findall(r"\S+\s*", r["text"]):
                await fake.broadcast(c, {"type": "token", "text": piece, "reply_to": shopper["seq"]})
                await asyncio.sleep(0.03)
            extra = {k: r[k] for k in ("cards", "quick_replies") if k in r}
            msg = c.add("assistant", r["text"], reply_to=shopper["seq"], **extra)
            await fake.broadcast(c, {"type": "typing", "role": "assistant", "state": False})
            await fake.broadcast(c, msg)

        async def handoff(c: Conversation) -> None:
            for status, text, delay in (
                ("requested", "We're finding a member of our team for you.", 0),
                ("queued", "You're next in line. A member of our team will be with you shortly.", 0.4),
                ("accepted", "Sam from our team has joined the conversation.", 0.8),
            ):
                await asyncio.sleep(delay)
                c.handoff = status
                await fake.broadcast(c, {"type": "handoff", "status": status, "reason": "shopper_request",
                                         "text": text})
            await asyncio.sleep(0.3)
            msg = c.add("staff", "Hi, I'm Sam. I can see your conversation. How can I help?")
            await fake.broadcast(c, msg)

        try:
            while True:
                raw = await ws.receive_text()
                try:
                    f = json.loads(raw)
                except json.JSONDecodeError:
                    await send({"type": "error", "code": "bad_json", "message": "not JSON"})
                    continue
                fake.frames_in.append(f)
                kind = f.get("type")
                if kind == "hello":
                    fake.hellos.append(f)
                    customer_id = None
                    if f.get("identity"):
                        try:
                            customer_id = jwt.decode(f["identity"], IDENTITY_SECRET, algorithms=["HS256"],
                                                     options={"require": ["exp", "sub"]})["sub"]
                        except jwt.PyJWTError:
                            await send({"type": "error", "code": "bad_identity", "message": "invalid identity"})
                    channel = f.get("channel") or "web"
                    existing = fake.conversations.get(f.get("conversation_id") or "")
                    if f.get("conversation_id") and (existing is None or existing.customer_id != customer_id):
                        await send({"type": "error", "code": "unknown_conversation",
                                    "message": "no such conversation"})
                        existing = None
                    if existing:
                        await attach(existing, True, int(f.get("last_seq") or 0))
                    else:
                        await attach(await open_conversation(customer_id, channel), False, 0)
                elif kind == "message":
                    text = f.get("text")
                    cid = f.get("client_id")
                    if not isinstance(text, str) or not text.strip() or not isinstance(cid, str):
                        await send({"type": "error", "code": "bad_frame", "message": "text and client_id",
                                    "client_id": cid})
                        continue
                    if len(text) > 4000:
                        await send({"type": "error", "code": "too_large", "message": "too long",
                                    "client_id": cid})
                        continue
                    if conv is None:
                        await attach(await open_conversation(None, "web"), False, 0)
                    assert conv is not None
                    if cid in conv.by_client_id:
                        seq = conv.by_client_id[cid]
                        await send({"type": "ack", "client_id": cid, "seq": seq})
                        # like the real server: answer a stored message nobody answered yet
                        if not any(m.get("reply_to") == seq for m in conv.messages):
                            stored = next(m for m in conv.messages if m["seq"] == seq)
                            asyncio.create_task(agent_reply(conv, stored))
                        continue
                    msg = conv.add("shopper", text, client_id=cid)
                    conv.by_client_id[cid] = msg["seq"]
                    if fake.drop_before_ack:
                        fake.drop_before_ack = False
                        await ws.close(code=1012)
                        break
                    await send({"type": "ack", "client_id": cid, "seq": msg["seq"]})
                    asyncio.create_task(agent_reply(conv, msg))
                elif kind == "handoff_request":
                    if conv is None:
                        await attach(await open_conversation(None, "web"), False, 0)
                    assert conv is not None
                    asyncio.create_task(handoff(conv))
                elif kind == "typing":
                    pass
                elif kind == "ping":
                    await send({"type": "pong"})
                else:
                    await send({"type": "error", "code": "unknown_type", "message": f"unknown type {kind!r}"})
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            fake.sockets.pop(ws, None)

    app.mount("/static", StaticFiles(directory=WIDGET), name="static")
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
