"""The website chat widget in a real browser against the REAL server.

Starts `concierge serve` on a seeded temporary store (conftest.concierge_server), opens the demo
store page in Debian's Chromium, signs in with the demo picker, chats through <concierge-chat>
using the keyboard, and reloads the page to check the conversation is resumed from the server.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

try:  # the gateway's fallback when an agent turn raises: a reply, but not an answer
    from server.gateway import INTERNAL_ERROR_TEXT
except ImportError:  # pragma: no cover
    INTERNAL_ERROR_TEXT = "Sorry, something went wrong on our side."

# The timeout covers the module's server start-up as well (see conftest.concierge_server).
pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.timeout(1200)]

REPLY_TIMEOUT_MS = 180_000          # a first turn may wait for the embedded model to warm up

# Every concierge:* event, recorded from the very start of each page load.
RECORD_EVENTS = """
window.__concierge = {session: [], message: [], error: []};
for (const name of ["session", "message", "error"]) {
  document.addEventListener("concierge:" + name, (e) => window.__concierge[name].push(e.detail));
}
"""


def persisted(page: Page) -> list[tuple[str, str]]:
    """(role, text) of every message the widget shows with a server seq, in order."""
    rows = page.evaluate("""() => [...document.querySelector('concierge-chat').shadowRoot
        .querySelectorAll('.msg[data-seq]')].map(m => [m.dataset.role,
        m.querySelector('.bubble').textContent.trim()])""")
    return [(role, text) for role, text in rows]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_widget_chat_keyboard_and_resume_against_real_server(concierge_server: str, browser, results_dir: Path):
    ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    ctx.add_init_script(RECORD_EVENTS)
    page = ctx.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    try:
        page.goto(concierge_server + "/")
        expect(page).to_have_title("Concierge Demo Store")
        chat = page.locator("concierge-chat")

        # --- the demo-only picker, filled from GET /demo/customers
        expect(page.locator(".demo-tag")).to_have_text(re.compile("demo only", re.I))
        options = page.locator("#demo-customer option:not([value=''])")
        expect(options.first).to_be_attached(timeout=15_000)
        customer_id = options.first.get_attribute("value")
        full_name = re.sub(r"\s*\(.*\)$", "", options.first.text_content() or "").strip()
        assert customer_id and full_name
        page.select_option("#demo-customer", customer_id)
        page.click("#demo-signin button[type=submit]")             # POST /demo/identity
        expect(page.locator("#demo-signed")).to_be_visible()
        expect(page.locator("#demo-name")).to_have_text(full_name)
        token = chat.get_attribute("identity") or ""
        assert token.count(".") == 2, "the widget's identity attribute holds the JWT"

        # --- open the widget with the keyboard; focus moves into the composer
        launcher = chat.locator(".launcher")
        launcher.focus()
        page.keyboard.press("Enter")
        panel = chat.locator('[role="dialog"]')
        expect(panel).to_be_visible()
        expect(launcher).to_have_attribute("aria-expanded", "true")
        textarea = chat.locator("textarea")
        expect(textarea).to_be_focused()
        # the signed-in shopper is greeted by first name once the session frame arrives
        expect(chat.locator(".welcome h3")).to_contain_text(full_name.split()[0], timeout=30_000)
        session = page.evaluate("window.__concierge.session.at(-1)")
        assert session["conversation_id"] and session["resumed"] is False
        assert session["customer"]["first_name"] == full_name.split()[0]

        # --- Shift+Enter is a new line, not a send
        page.keyboard.type("first line")
        page.keyboard.press("Shift+Enter")
        page.keyboard.type("second line")
        assert textarea.input_value() == "first line\nsecond line"
        assert chat.locator('.msg[data-role="shopper"]').count() == 0
        textarea.fill("")

        # --- Enter sends; the bubble goes pending -> acked (persisted with a seq)
        page.keyboard.type("where is my order?")
        page.keyboard.press("Enter")
        expect(textarea).to_have_value("")
        mine = chat.locator('.msg[data-role="shopper"]').last
        expect(mine.locator(".bubble")).to_have_text("where is my order?")
        expect(mine).to_have_attribute("data-state", "acked", timeout=30_000)
        expect(mine).to_have_attribute("data-seq", re.compile(r"^\d+$"))
        expect(mine.locator(".info")).to_contain_text("Sent")

        # --- the assistant's reply: the final message (streamed tokens are replaced by it)
        reply = chat.locator('.msg[data-role="assistant"][data-seq]').first
        expect(reply).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        expect(chat.locator(".msg[data-streaming]")).to_have_count(0, timeout=30_000)
        reply_text = squash(reply.locator(".bubble").text_content() or "")
        assert reply_text, "the assistant's reply has text"
        assert reply_text != squash(INTERNAL_ERROR_TEXT), "the agent's turn failed on the server (see its log)"
        assert int(reply.get_attribute("data-seq")) > int(mine.get_attribute("data-seq"))

        # --- the polite live region announces it
        live = chat.locator('[aria-live="polite"][role="status"]')
        expect(live).to_contain_text(reply_text[:60], timeout=5_000)
        # and the concierge:message event fired for both messages
        roles = page.evaluate("window.__concierge.message.map(m => m.role)")
        assert "shopper" in roles and "assistant" in roles

        page.wait_for_timeout(300)
        page.screenshot(path=str(results_dir / "widget.png"))
        before = persisted(page)
        assert ("shopper", "where is my order?") in before
        conversation_id = page.evaluate("document.querySelector('concierge-chat').conversationId")
        assert conversation_id == session["conversation_id"]

        # --- Esc closes the panel and gives focus back to the launcher
        textarea.focus()
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        expect(launcher).to_be_focused()
        expect(launcher).to_have_attribute("aria-expanded", "false")
        page.keyboard.press("Enter")                                 # and opens again
        expect(panel).to_be_visible()

        # --- reload: the conversation is resumed from the server (hello with conversation_id)
        page.reload()
        expect(panel).to_be_visible()                                # open state survives the reload
        expect(page.locator("#demo-name")).to_have_text(full_name)  # so does the demo sign-in
        expect(chat.locator(".msg[data-seq]")).to_have_count(len(before), timeout=30_000)
        assert persisted(page) == before, "the transcript is replayed from the server"
        resumed = page.evaluate("window.__concierge.session.at(-1)")
        assert resumed["conversation_id"] == conversation_id and resumed["resumed"] is True
        replayed = page.evaluate("window.__concierge.message.map(m => m.replayed)")
        assert replayed and all(replayed), "history is marked as replayed (not re-announced)"
        # history is shown but not re-announced
        assert reply_text[:60] not in (live.text_content() or "")
        page.screenshot(path=str(results_dir / "widget-resumed.png"))

        # --- mobile viewport: the panel takes the whole screen
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)
        box = panel.bounding_box()
        assert box and box["width"] >= 389 and box["height"] >= 840
        page.screenshot(path=str(results_dir / "widget-mobile.png"))

        assert not page_errors, page_errors
    finally:
        ctx.close()
