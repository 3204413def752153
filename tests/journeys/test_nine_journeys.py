"""The nine shopper journeys, end to end: a real server, the real WebSocket, the embedded model,
the real tool layer, retrieval and privacy. Each asserts what the shopper would see."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.live import STAFF_SECRET, RunningServer, open_chat, run_async
from server.auth import issue_staff_token

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


run = run_async


def order_status(server: RunningServer, order_id: str) -> str:
    token = issue_staff_token(STAFF_SECRET, "journey-check")
    r = httpx.get(f"{server.base}/api/orders/{order_id.replace('#', '%23')}",
                  headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return r.json()["status"]


def test_1_identify_by_email_and_by_name_and_zip(live_server: RunningServer) -> None:
    async def journey() -> None:
        ws, chat = await open_chat(live_server)
        async with ws:
            reply = await chat.say("Hi, my email is yusuf.rossi7301@example.com")
            assert "Yusuf" in reply.text and "verified" in reply.text
        ws, chat = await open_chat(live_server)
        async with ws:
            reply = await chat.say("I'm Noah Brown, zip code 80279")
            assert "Noah" in reply.text and "verified" in reply.text
            wrong = await chat.say("Actually I'm Yusuf Rossi, zip 19122")
            assert "Yusuf" not in wrong.text
    run(journey())


def test_2_order_status_with_tracking(live_server: RunningServer) -> None:
    async def journey() -> None:
        ws, chat = await open_chat(live_server)
        async with ws:
            first = await chat.say("Where is my order #W2378156?")
            assert "verify" in first.text.lower() and "email" in first.text.lower()
            reply = await chat.say("yusuf.rossi7301@example.com")
            assert "#W2378156" in reply.text and "delivered" in reply.text
            assert "843053632392" in reply.text
            card = reply.message["cards"][0]
            assert card["kind"] == "order" and card["tracking"] == ["843053632392"]
            assert reply.of_type("typing") or reply.tokens
    run(journey())


def test_3_cancel_a_pending_order_after_confirmation_and_refuse_a_delivered_one(live_server: RunningServer) -> None:
    async def journey() -> None:
        ws, chat = await open_chat(live_server, identity=live_server.identity("yusuf_rossi_9620"))
        async with ws:
            refused = await chat.say("Please cancel order #W2378156")
            assert "can't cancel" in refused.text and "delivered" in refused.text
            ask = await chat.say("I want to cancel order #W6247578")
            assert "no longer needed" in ask.text and "ordered by mistake" in ask.text
            readback = await chat.say("I no longer need it")
            assert "#W6247578" in readback.text and "yes or no" in readback.text
            assert order_status(live_server, "#W6247578") == "pending"
            done = await chat.say("yes")
            assert "cancelled" in done.text
            assert order_status(live_server, "#W6247578") == "cancelled"
    run(journey())


def test_4_return_delivered_items_to_a_gift_card_after_confirmation(live_server: RunningServer) -> None:
    async def journey() -> None:
        ws, chat = await open_chat(live_server, identity=live_server.identity("mia_moore_8366"))
        async with ws:
            ask = await chat.say("I'd like to return the bookshelf from order #W5544629")
            assert "refund" in ask.text.lower() and "gift card" in ask.text.lower()
            readback = await chat.say("to my gift card please")
            assert "Bookshelf" in readback.text and "$471.77" in readback.text and "yes or no" in readback.text
            done = await chat.say("yes, go ahead")
            assert "return" in done.text.lower() and "#W5544629" in done.text
            assert order_status(live_server, "#W5544629") == "return requested"
    run(journey())


def test_5_product_question_answered_from_the_catalog(live_server: RunningServer) -> None:
    async def journey() -> None:
        ws, chat = await open_chat(live_server)
        async with ws:
            reply = await chat.say("Do you sell a clicky mechanical keyboard with RGB backlight?")
            cards = reply.message.get("cards") or []
            assert cards and cards[0]["kind"] == "product" and cards[0]["name"] == "Mechanical Keyboard"
            assert "Mechanical Keyboard" in reply.text and re.search(r"\$\d+\.\d\d", reply.text)
            assert all("price" in c and "available" in c for c in cards)
    run(journey())


def test_6_policy_question_answered_from_the_policy_text(live_server: RunningServer) -> None:
    async def journey() -> None:
        ws, chat = await open_chat(live_server)
        async with ws:
            reply = await chat.say("How do returns work for a delivered order?")
            assert "policy" in reply.text.lower()
            assert re.search(r"deliver", reply.text, re.I) and re.search(r"return", reply.text, re.I)
    run(journey())


def test_7_personal_offers_with_reasons(live_server: RunningServer) -> None:
    async def journey() -> None:
        ws, chat = await open_chat(live_server, identity=live_server.identity("noah_brown_6181"))
        async with ws:
            reply = await chat.say("Do you have any deals or offers for me?")
            cards = reply.message.get("cards") or []
            assert cards and all(c["kind"] == "offer" and c["reason"].startswith("because") for c in cards)
            assert "because you bought" in reply.text
    run(journey())


def test_8_asking_for_a_person_marks_the_conversation_for_handoff(live_server: RunningServer) -> None:
    async def journey() -> None:
        ws, chat = await open_chat(live_server)
        async with ws:
            reply = await chat.say("I want to talk to a person")
            assert "member of our team" in reply.text
            handoff = reply.of_type("handoff")
            assert handoff and handoff[0]["status"] == "requested"
    run(journey())


def test_9_out_of_scope_gets_a_polite_answer_about_what_concierge_does(live_server: RunningServer) -> None:
    async def journey() -> None:
        ws, chat = await open_chat(live_server)
        async with ws:
            reply = await chat.say("What's the weather going to be like in Paris tomorrow?")
            assert "can't help with that" in reply.text and "orders" in reply.text
    run(journey())
