"""<concierge-chat>'s side of the /ws/chat protocol, in a real browser, against the scripted
stand-in of fake_chat_server.py: streaming, cards, quick replies, handoff, errors, reconnection
with resume, the offline outbox, client_id re-sends, identity changes and the JS API.

The stand-in makes these deterministic (a drop at a chosen moment, a canned reply); the real
server is exercised end to end by test_widget_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

RECORD = """
window.__concierge = {session: [], message: [], error: [], handoff: []};
for (const name of Object.keys(window.__concierge)) {
  document.addEventListener("concierge:" + name, (e) => window.__concierge[name].push(e.detail));
}
"""


@pytest.fixture
def page(browser, fake_server: str) -> Iterator[Page]:
    httpx.post(f"{fake_server}/_fake/refuse", params={"on": 0})
    ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    ctx.add_init_script(RECORD)
    p = ctx.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.goto(fake_server + "/")
    yield p
    ctx.close()
    assert not errors, errors


def state(base: str) -> dict:
    return httpx.get(f"{base}/_fake/state").json()


def widget(page: Page):
    return page.locator("concierge-chat")


def open_chat(page: Page) -> None:
    widget(page).locator(".launcher").click()
    expect(widget(page).locator('[role="dialog"]')).to_be_visible()
    page.wait_for_function("document.querySelector('concierge-chat').connectionState === 'online'")


def say(page: Page, text: str) -> None:
    box = widget(page).locator("textarea")
    box.fill(text)
    box.press("Enter")


def seqs(page: Page) -> list[int]:
    return page.evaluate("""() => [...document.querySelector('concierge-chat').shadowRoot
        .querySelectorAll('.msg[data-seq]')].map(m => Number(m.dataset.seq))""")


def test_streaming_cards_and_quick_replies(page: Page, fake_server: str):
    chat = widget(page)
    open_chat(page)
    # anonymous: lazily connected on open, no identity in hello
    hello = state(fake_server)["hellos"][-1]
    assert hello["type"] == "hello" and hello["channel"] == "web" and "identity" not in hello
    say(page, "where is my order?")
    # tokens stream into a pending bubble (aria-busy) ...
    expect(chat.locator('.msg[data-streaming][aria-busy="true"]')).to_be_visible(timeout=5_000)
    # ... which the final message replaces
    final = chat.locator('.msg[data-role="assistant"][data-seq]')
    expect(final).to_have_count(1, timeout=5_000)
    expect(chat.locator(".msg[data-streaming]")).to_have_count(0)
    expect(final.locator(".bubble")).to_have_text(re.compile(r"^Your order #W2378156 was delivered"))
    order = final.locator("article.card.order")
    expect(order.locator("h4")).to_have_text("#W2378156")
    expect(order.locator(".pill")).to_have_text("Delivered")
    expect(order.locator(".items li")).to_have_count(2)
    expect(order.locator(".tracking")).to_contain_text("843053632392")
    # quick replies are buttons; clicking one sends it as an ordinary message
    chips = chat.locator('.chips[aria-label="Suggested replies"] .chip')
    expect(chips).to_have_text(["Return an item", "Exchange an item", "That's all"])
    say(page, "is the keyboard in stock?")
    expect(chips).to_have_text(["Compare switch types", "Show 60% keyboards"], timeout=5_000)
    cards = chat.locator("article.card.product")
    expect(cards).to_have_count(2)
    expect(cards.nth(0).locator("h4")).to_have_text("Mechanical Keyboard")
    expect(cards.nth(0).locator(".pill")).to_have_text("In stock")
    expect(cards.nth(1).locator(".pill")).to_have_text("Out of stock")
    expect(cards.nth(0).locator(".price")).to_have_text("$269.16")
    expect(cards.nth(0).locator(".opts")).to_contain_text("Switch type: clicky")
    chips.first.click()
    expect(chat.locator('.msg[data-role="shopper"]').last.locator(".bubble")).to_have_text("Compare switch types")
    expect(chat.locator('.msg[data-role="shopper"]').last).to_have_attribute("data-state", "acked")
    expect(chat.locator('.msg[data-role="assistant"][data-seq]')).to_have_count(3, timeout=5_000)
    # the live region announced the latest reply; seqs are unique and ascending
    expect(chat.locator('[role="status"][aria-live="polite"]')).to_contain_text("I can help with that")
    s = seqs(page)
    assert s == sorted(s) and len(s) == len(set(s)) == 6
    # concierge:message fired once per persisted message
    events = page.evaluate("window.__concierge.message.map(m => m.seq)")
    assert sorted(events) == s


def test_long_orders_collapse(page: Page, fake_server: str):
    chat = widget(page)
    open_chat(page)
    say(page, "show all my orders")
    cards = chat.locator("article.card.order")
    expect(cards).to_have_count(2, timeout=5_000)
    big = cards.nth(1)
    expect(big.locator(".pill")).to_have_text("Processed")
    expect(big.locator(":scope > .items li")).to_have_count(3)
    summary = big.locator("details.more-items summary")
    expect(summary).to_have_text("Show 2 more items")
    expect(big.locator("details.more-items .items li").first).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")                                   # native <details>: keyboard works
    expect(big.locator("details.more-items .items li")).to_have_text([re.compile("Yoga Mat"),
                                                                      re.compile("Desk Lamp")])
    expect(cards.nth(0).locator("details")).to_have_count(0)       # two items: nothing hidden


def test_reconnect_resumes_without_duplicates(page: Page, fake_server: str):
    chat = widget(page)
    open_chat(page)
    say(page, "hello there")
    expect(chat.locator('.msg[data-role="assistant"][data-seq]')).to_have_count(1, timeout=5_000)
    conv = page.evaluate("document.querySelector('concierge-chat').conversationId")
    n_hellos = len(state(fake_server)["hellos"])
    httpx.post(f"{fake_server}/_fake/drop")                       # the network drops
    page.wait_for_function("document.querySelector('concierge-chat').connectionState === 'online'"
                           " && window.__concierge.session.length >= 2", timeout=10_000)
    hello = state(fake_server)["hellos"][n_hellos]
    assert hello["conversation_id"] == conv and hello["last_seq"] == 2
    assert page.evaluate("window.__concierge.session.at(-1).resumed") is True
    say(page, "still there?")
    expect(chat.locator('.msg[data-role="assistant"][data-seq]')).to_have_count(2, timeout=5_000)
    assert seqs(page) == [1, 2, 3, 4]


def test_offline_outbox_and_client_id_resend(page: Page, fake_server: str):
    chat = widget(page)
    open_chat(page)
    conv = page.evaluate("document.querySelector('concierge-chat').conversationId")
    # 1) written while disconnected: queued, then sent once the socket is back
    httpx.post(f"{fake_server}/_fake/refuse", params={"on": 1})
    httpx.post(f"{fake_server}/_fake/drop")
    page.wait_for_function("document.querySelector('concierge-chat').connectionState !== 'online'")
    expect(chat.locator(".status")).to_contain_text(re.compile("Reconnecting|Connecting|Offline"))
    say(page, "sent while offline")
    queued = chat.locator('.msg[data-role="shopper"]').last
    expect(queued).to_have_attribute("data-state", "pending")
    expect(queued.locator(".info")).to_contain_text("Waiting for connection")
    httpx.post(f"{fake_server}/_fake/refuse", params={"on": 0})
    expect(queued).to_have_attribute("data-state", "acked", timeout=15_000)
    # 2) stored by the server but the ack is lost: re-sent with the same client_id, stored once
    httpx.post(f"{fake_server}/_fake/drop_before_ack")
    say(page, "ack me twice")
    lost = chat.locator('.msg[data-role="shopper"]').last
    expect(lost).to_have_attribute("data-state", "acked", timeout=15_000)
    st = state(fake_server)
    stored = [m for m in st["conversations"][conv]["messages"] if m["role"] == "shopper"]
    assert [m["text"] for m in stored] == ["sent while offline", "ack me twice"]
    sends = [f for f in st["frames_in"] if f.get("type") == "message" and f.get("text") == "ack me twice"]
    assert len(sends) == 2 and sends[0]["client_id"] == sends[1]["client_id"]
    expect(chat.locator('.msg[data-role="shopper"]')).to_have_count(2)
    expect(chat.locator('.msg[data-role="assistant"][data-seq]')).to_have_count(2, timeout=5_000)
    s = seqs(page)
    assert len(s) == len(set(s)) == 4


def test_handoff_staff_and_errors(page: Page, fake_server: str):
    chat = widget(page)
    open_chat(page)
    human = chat.locator("button.human")
    expect(human).to_have_text("Talk to a person")
    human.click()
    banner = chat.locator(".banner")
    expect(banner).to_be_visible()
    staff = chat.locator('.msg[data-role="staff"]')
    expect(staff).to_have_count(1, timeout=5_000)
    expect(staff.locator(".bubble")).to_contain_text("I'm Sam")
    expect(banner).to_contain_text("has joined")
    expect(human).to_be_hidden()                                   # a person owns the conversation
    expect(chat.locator(".status")).to_contain_text("With our team")
    notices = chat.locator('.msg[data-role="system"] .bubble')
    expect(notices).to_contain_text(["finding a member", "next in line", "Sam from our team has joined"])
    statuses = page.evaluate("window.__concierge.handoff.map(h => h.status)")
    assert statuses == ["requested", "queued", "accepted"]
    assert any(f.get("type") == "handoff_request" for f in state(fake_server)["frames_in"])


def test_error_frames_are_polite(page: Page, fake_server: str):
    chat = widget(page)
    open_chat(page)
    say(page, "please fail")                                      # the stand-in answers with `unavailable`
    notice = chat.locator(".notice")
    expect(notice).to_be_visible(timeout=5_000)
    expect(notice).to_contain_text("briefly unavailable")
    expect(chat.locator('[role="status"][aria-live="polite"]')).to_contain_text("briefly unavailable")
    assert page.evaluate("window.__concierge.error.at(-1).code") == "unavailable"
    # a message longer than the protocol allows is refused before it is sent
    assert page.evaluate("document.querySelector('concierge-chat').send('x'.repeat(4001))") is None
    chat.locator(".notice .icon-btn").click()
    expect(notice).to_be_hidden()


def test_identity_changes_start_new_conversations(page: Page, fake_server: str):
    chat = widget(page)
    open_chat(page)
    say(page, "hi as a guest")
    expect(chat.locator('.msg[data-role="assistant"][data-seq]')).to_have_count(1, timeout=5_000)
    guest_conv = page.evaluate("document.querySelector('concierge-chat').conversationId")
    page.select_option("#demo-customer", "noah_brown_6181")
    page.click("#demo-signin button[type=submit]")
    page.wait_for_function("window.__concierge.session.length >= 2")
    signed = page.evaluate("window.__concierge.session.at(-1)")
    assert signed["conversation_id"] != guest_conv and signed["customer"] == {"first_name": "Noah"}
    assert state(fake_server)["hellos"][-1]["identity"] == chat.get_attribute("identity")
    expect(chat.locator(".msg")).to_have_count(0)                 # a fresh transcript
    expect(chat.locator(".welcome h3")).to_have_text("Hi Noah, how can we help?")
    # reload: the sign-in and the conversation come back
    say(page, "where is my order?")
    expect(chat.locator('.msg[data-role="assistant"][data-seq]')).to_have_count(1, timeout=5_000)
    page.reload()
    expect(chat.locator(".msg[data-seq]")).to_have_count(2, timeout=10_000)
    assert page.evaluate("document.querySelector('concierge-chat').conversationId") == signed["conversation_id"]
    # sign out: anonymous again, in a new conversation
    page.click("#demo-signout")
    page.wait_for_function("window.__concierge.session.length >= 2")
    out = page.evaluate("window.__concierge.session.at(-1)")
    assert out["conversation_id"] not in (guest_conv, signed["conversation_id"]) and out["customer"] is None
    assert "identity" not in state(fake_server)["hellos"][-1]
    expect(chat.locator(".msg")).to_have_count(0)


def test_js_api_and_accessibility(page: Page, fake_server: str, results_dir: Path):
    chat = widget(page)
    launcher = chat.locator(".launcher")
    expect(launcher).to_have_attribute("aria-label", "Chat with Concierge")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    page.wait_for_timeout(300)
    assert page.evaluate("document.querySelector('concierge-chat').connectionState") == "idle"  # lazy: no socket yet
    # element.send() opens a conversation even while the panel is closed
    page.evaluate("document.querySelector('concierge-chat').send('keyboard offers?')")
    page.wait_for_function("window.__concierge.message.some(m => m.role === 'assistant')", timeout=10_000)
    expect(launcher.locator(".badge-count")).to_have_text("1")    # unread while closed
    expect(launcher).to_have_attribute("aria-label", "Chat with Concierge, 1 new message")
    launcher.click()
    expect(launcher.locator(".badge-count")).to_be_hidden()
    dialog = chat.locator('[role="dialog"]')
    expect(dialog).to_have_attribute("aria-labelledby", "title")
    expect(chat.locator('[role="log"]')).to_have_attribute("aria-label", "Conversation")
    expect(chat.locator("textarea")).to_have_accessible_name("Message")
    expect(chat.locator("button.send")).to_have_accessible_name("Send message")
    expect(chat.locator("button.close")).to_have_accessible_name("Close chat")
    # keyboard: Tab reaches the controls, focus is visible (an outline is drawn)
    chat.locator("textarea").focus()
    page.keyboard.press("Shift+Tab")
    outline = page.evaluate("""() => { const r = document.querySelector('concierge-chat').shadowRoot;
        const a = r.activeElement; return a ? getComputedStyle(a).outlineStyle : null; }""")
    assert outline not in (None, "none")
    page.screenshot(path=str(results_dir / "widget-fake.png"))
    # reset() forgets the conversation
    old = page.evaluate("document.querySelector('concierge-chat').conversationId")
    page.evaluate("document.querySelector('concierge-chat').reset()")
    page.wait_for_function(f"document.querySelector('concierge-chat').conversationId && "
                           f"document.querySelector('concierge-chat').conversationId !== '{old}'")
    expect(chat.locator(".msg")).to_have_count(0)
    # theming through CSS custom properties
    page.evaluate("document.querySelector('concierge-chat').style.setProperty('--concierge-accent', 'rgb(200, 0, 90)')")
    page.wait_for_function("""() => getComputedStyle(document.querySelector('concierge-chat').shadowRoot
        .querySelector('.send')).backgroundColor === 'rgb(200, 0, 90)'""", timeout=2_000)  # after the transition


def test_classic_script_inline_kiosk(browser, fake_server: str):
    """A classic (non-module) script tag works; `inline` renders open; hello carries channel/store_id."""
    ctx = browser.new_context(viewport={"width": 800, "height": 700})
    ctx.add_init_script(RECORD)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{fake_server}/_fake/classic")
        chat = widget(page)
        expect(chat.locator('[role="dialog"]')).to_be_visible()
        expect(chat.locator(".launcher")).to_be_hidden()
        expect(chat.locator("button.close")).to_be_hidden()
        expect(chat.locator("#title")).to_have_text("Store helper")
        page.wait_for_function("document.querySelector('concierge-chat').connectionState === 'online'")
        hello = state(fake_server)["hellos"][-1]
        assert hello["channel"] == "kiosk" and hello["store_id"] == "store-12"
        expect(chat.locator(".welcome .chip")).to_have_text(["Opening hours", "Find a product"])
        chat.locator(".welcome .chip").first.click()
        expect(chat.locator('.msg[data-role="assistant"][data-seq]')).to_have_count(1, timeout=5_000)
        chat.locator("textarea").press("Escape")                   # inline: Esc does not close
        expect(chat.locator('[role="dialog"]')).to_be_visible()
        assert not errors, errors
    finally:
        ctx.close()
