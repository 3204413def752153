"""The in-store kiosk (/kiosk) in a real browser against the REAL server.

The kiosk shows the store from GET /kiosk/config, chats anonymously through
<concierge-chat channel="kiosk">, calls a store associate (the conversation is queued, and the
shopper can go back to the assistant), and after `?idle=SECONDS` without input asks "Still
there?", then wipes the conversation from the screen and from browser storage; the next message
opens a new conversation (a `hello` without `conversation_id`).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

try:
    from server.gateway import INTERNAL_ERROR_TEXT
except ImportError:  # pragma: no cover
    INTERNAL_ERROR_TEXT = "Sorry, something went wrong on our side."

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.timeout(1200)]

REPLY_TIMEOUT_MS = 180_000
IDLE_S = 5

RECORD_EVENTS = """
window.__concierge = {session: [], message: [], handoff: [], error: []};
for (const name of ["session", "message", "handoff", "error"]) {
  document.addEventListener("concierge:" + name, (e) => window.__concierge[name].push(e.detail));
}
"""


def browser_storage(page: Page) -> str:
    """Everything in sessionStorage and localStorage, as one string."""
    return page.evaluate("""() => JSON.stringify([Object.entries(sessionStorage), Object.entries(localStorage)])""")


def test_kiosk_chat_associate_and_idle_wipe(concierge_server: str, browser, results_dir: Path):
    started = time.monotonic()
    config = httpx.get(concierge_server + "/kiosk/config", timeout=30).json()
    assert config["store_id"] and config["store_name"]

    ctx = browser.new_context(viewport={"width": 1080, "height": 1600}, has_touch=True,
                              reduced_motion="reduce")
    ctx.add_init_script(RECORD_EVENTS)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    hellos: list[dict] = []

    def on_socket(ws):  # type: ignore[no-untyped-def]
        def sent(payload):  # type: ignore[no-untyped-def]
            try:
                frame = json.loads(payload)
            except (TypeError, ValueError):
                return
            if frame.get("type") == "hello":
                hellos.append(frame)
        ws.on("framesent", sent)

    page.on("websocket", on_socket)
    try:
        page.goto(f"{concierge_server}/kiosk?idle={IDLE_S}")
        expect(page.locator("#store-name")).to_have_text(config["store_name"])
        if config.get("store_hours"):
            expect(page.locator("#store-hours")).to_contain_text(str(config["store_hours"])[:10])
        chat = page.locator("concierge-chat")
        expect(chat).to_have_attribute("channel", "kiosk")
        expect(chat).to_have_attribute("store-id", str(config["store_id"]))
        # anonymous, inline, no launcher; the session is a kiosk one for this store
        expect(chat.locator(".launcher")).to_be_hidden()
        expect(chat.locator('[role="dialog"]')).to_be_visible()
        page.wait_for_function("window.__concierge.session.length > 0", timeout=30_000)
        session = page.evaluate("window.__concierge.session.at(-1)")
        assert session["channel"] == "kiosk" and session["customer"] is None
        assert hellos and hellos[0]["channel"] == "kiosk" and hellos[0]["store_id"] == config["store_id"]
        assert "identity" not in hellos[0]

        # --- touch targets: at least 48 px
        for target in (page.locator("#call-associate"), page.locator("#start-over"), chat.locator(".send"),
                       chat.locator(".human")):
            box = target.bounding_box()
            assert box and box["height"] >= 48 and box["width"] >= 48, (target, box)

        # --- a question and the assistant's answer
        question = "Do you sell backpacks?"
        textarea = chat.locator("textarea")
        textarea.tap()
        textarea.fill(question)
        textarea.press("Enter")
        mine = chat.locator('.msg[data-role="shopper"]').last
        expect(mine).to_have_attribute("data-state", "acked", timeout=30_000)
        reply = chat.locator('.msg[data-role="assistant"][data-seq]').first
        expect(reply).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        assert (reply.locator(".bubble").text_content() or "").strip() not in ("", INTERNAL_ERROR_TEXT)
        first_conversation = page.evaluate("document.querySelector('concierge-chat').conversationId")
        assert first_conversation == session["conversation_id"]
        assert first_conversation in browser_storage(page)            # the widget keeps it to resume
        page.screenshot(path=str(results_dir / "kiosk.png"))

        # --- "Call a store associate": queued for this store, with a way back to the assistant
        call = page.get_by_role("button", name="Call a store associate")
        call.tap()
        page.wait_for_function("window.__concierge.handoff.some(h => h.status === 'queued')", timeout=30_000)
        queued = page.evaluate("window.__concierge.handoff.find(h => h.status === 'queued')")
        assert queued["text"]
        banner = chat.locator(".banner")
        expect(banner).to_contain_text(queued["text"][:40])
        expect(page.locator("#call-associate")).to_be_disabled()
        expect(page.locator("#call-label")).to_have_text("A store associate is on the way")
        page.screenshot(path=str(results_dir / "kiosk-associate.png"))
        back = chat.get_by_role("button", name="Back to the assistant")
        back.tap()
        page.wait_for_function("window.__concierge.handoff.some(h => h.status === 'cancelled')", timeout=30_000)
        expect(page.get_by_role("button", name="Call a store associate")).to_be_enabled()
        expect(back).to_be_hidden()

        # --- idle: "Still there?"; a touch dismisses it and keeps the conversation
        prompt = page.get_by_role("alertdialog", name="Still there?")
        expect(prompt).to_be_visible(timeout=(IDLE_S + 10) * 1000)
        expect(page.get_by_role("button", name="I'm still here")).to_be_focused()
        prompt.locator("#idle-text").tap()                            # a touch anywhere on the screen
        expect(prompt).to_be_hidden()
        expect(chat.locator(".msg[data-seq]").first).to_be_visible()

        # --- idle again, and nobody answers: the screen and the browser storage are wiped
        hellos_before_wipe = len(hellos)
        expect(prompt).to_be_visible(timeout=(IDLE_S + 10) * 1000)
        expect(page.locator("#idle-count")).to_have_text(re.compile(r"^\d+$"))
        page.screenshot(path=str(results_dir / "kiosk-still-there.png"))
        expect(prompt).to_be_hidden(timeout=(IDLE_S + 10) * 1000)
        expect(chat.locator(".msg")).to_have_count(0)
        expect(chat.locator(".welcome")).to_be_visible()
        expect(chat.locator(".banner")).to_be_hidden()
        storage = browser_storage(page)
        assert first_conversation not in storage, storage
        assert question not in storage, storage
        page.screenshot(path=str(results_dir / "kiosk-wiped.png"))

        # --- the next shopper: a new conversation, opened by a hello without conversation_id
        textarea.tap()
        textarea.fill("Where are the fitting rooms?")
        textarea.press("Enter")
        expect(chat.locator('.msg[data-role="shopper"]').last).to_have_attribute("data-state", "acked", timeout=30_000)
        second = page.evaluate("document.querySelector('concierge-chat').conversationId")
        assert second and second != first_conversation
        new_hellos = hellos[hellos_before_wipe:]
        assert new_hellos and "conversation_id" not in new_hellos[0], new_hellos
        assert all(h.get("conversation_id") != first_conversation for h in new_hellos), new_hellos
        assert page.evaluate("window.__concierge.session.at(-1).conversation_id") == second
        assert question not in page.evaluate("document.querySelector('concierge-chat').shadowRoot.textContent")

        assert not errors, errors
    finally:
        ctx.close()
        print(f"kiosk: {time.monotonic() - started:.1f} s")
