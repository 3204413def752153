"""The staff console and the shopper's widget, two pages in a real browser against the REAL server.

A staff account is created with `concierge staff add` (as an operator would), the staff member
signs in through /console/login, and a shopper on the demo store asks for a person. The console
sees the request in its queue, claims it, reads the transcript, summary, profile and orders, runs
a CRM tool and replies; typing shows on both sides; the shopper answers; the staff member hands
the conversation back to the bot, and the shopper's next message gets an assistant reply.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

try:
    from server.gateway import INTERNAL_ERROR_TEXT
except ImportError:  # pragma: no cover
    INTERNAL_ERROR_TEXT = "Sorry, something went wrong on our side."

# The timeout covers the module's server start-up as well (see conftest.concierge_server).
pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.timeout(1200)]

CONCIERGE = Path(sys.executable).parent / "concierge"
REPLY_TIMEOUT_MS = 180_000          # a first turn may wait for the embedded model to warm up
STEP_MS = 30_000


def widget_messages(page: Page) -> list[tuple[str, str]]:
    """(role, text) of every persisted message the widget shows, in order."""
    rows = page.evaluate("""() => [...document.querySelector('concierge-chat').shadowRoot
        .querySelectorAll('.msg[data-seq]')].map(m => [m.dataset.role,
        m.querySelector('.bubble').textContent.trim()])""")
    return [(role, text) for role, text in rows]


def add_staff(env: dict[str, str], name: str, password: str) -> dict:
    out = subprocess.run([str(CONCIERGE), "staff", "add", name, "--password-stdin", "--json"],
                         input=password + "\n", env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def server_env(request: pytest.FixtureRequest, concierge_server: str) -> dict[str, str]:
    """The running server's environment (its database), for the operator's CLI."""
    if os.environ.get("CONCIERGE_E2E_SERVER"):
        return dict(os.environ)
    return dict(request.getfixturevalue("live_server").env)


def claim_with_retry(console: Page, item) -> None:  # type: ignore[no-untyped-def]
    """Claim; the server answers `busy` while a bot turn is still running: try again."""
    deadline = time.monotonic() + 90
    while True:
        item.get_by_role("button", name=re.compile("^Claim")).click()
        tab = console.locator('[role="tab"]')
        busy = console.locator('.notice[data-code="busy"]')
        expect(tab.or_(busy).first).to_be_visible(timeout=60_000)
        if tab.count():
            return
        assert time.monotonic() < deadline, "the conversation stayed busy"
        busy.first.get_by_role("button", name="Dismiss notice").click()
        console.wait_for_timeout(1500)


def test_console_handoff_round_trip(concierge_server: str, server_env: dict[str, str], browser, results_dir: Path):
    started = time.monotonic()
    staff_name = f"Robin {uuid.uuid4().hex[:6]}"
    password = "e2e " + uuid.uuid4().hex
    account = add_staff(server_env, staff_name, password)
    assert account["name"] == staff_name and "password" not in account   # not generated: --password-stdin

    staff_ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    shop_ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    console = staff_ctx.new_page()
    shop = shop_ctx.new_page()
    errors: list[str] = []
    console.on("pageerror", lambda exc: errors.append(f"console: {exc}"))
    shop.on("pageerror", lambda exc: errors.append(f"shop: {exc}"))
    try:
        # --- no token: /console sends the browser to the sign-in page
        console.goto(concierge_server + "/console")
        expect(console).to_have_url(re.compile(r"/console/login"))
        expect(console.get_by_label("Name")).to_be_focused()

        # --- a wrong password is refused clearly; the right one signs in
        console.get_by_label("Name").fill(staff_name)
        console.get_by_label("Password").fill("not the password")
        console.keyboard.press("Enter")
        expect(console.get_by_role("alert")).to_have_text("Wrong name or password")
        expect(console.get_by_label("Password")).to_be_focused()
        console.get_by_label("Password").fill(password)
        console.get_by_role("button", name="Sign in").click()
        expect(console).to_have_url(re.compile(r"/console$"))
        stored = console.evaluate("JSON.parse(sessionStorage.getItem('concierge.staff'))")
        assert stored["name"] == staff_name and stored["token"].count(".") == 2 and stored["expires_at"]
        expect(console.locator("#me")).to_have_text(staff_name)
        expect(console.locator("#conn")).to_have_attribute("data-state", "online", timeout=STEP_MS)
        expect(console.locator("#staff-online")).to_have_text(re.compile(r"^[1-9]\d*$"))

        # --- the shopper: demo store, signed in with the demo picker, one turn with the bot
        shop.goto(concierge_server + "/")
        options = shop.locator("#demo-customer option:not([value=''])")
        expect(options.first).to_be_attached(timeout=15_000)
        customer_id = options.first.get_attribute("value")
        full_name = re.sub(r"\s*\(.*\)$", "", options.first.text_content() or "").strip()
        shop.select_option("#demo-customer", customer_id)
        shop.click("#demo-signin button[type=submit]")
        expect(shop.locator("#demo-name")).to_have_text(full_name)
        chat = shop.locator("concierge-chat")
        chat.locator(".launcher").click()
        textarea = chat.locator("textarea")
        expect(textarea).to_be_focused()
        first_question = "Hello, I need help with one of my orders."
        textarea.fill(first_question)
        textarea.press("Enter")
        reply = chat.locator('.msg[data-role="assistant"][data-seq]').first
        expect(reply).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        assert (reply.locator(".bubble").text_content() or "").strip() != INTERNAL_ERROR_TEXT
        expect(chat.locator(".msg[data-streaming]")).to_have_count(0, timeout=STEP_MS)
        conversation_id = shop.evaluate("document.querySelector('concierge-chat').conversationId")
        assert conversation_id

        # --- "Talk to a person": the shopper is queued and may go back to the assistant
        chat.get_by_role("button", name="Talk to a person").click()
        banner = chat.locator(".banner")
        expect(banner).to_be_visible()
        expect(chat.get_by_role("button", name="Back to the assistant")).to_be_visible(timeout=STEP_MS)
        expect(banner).to_contain_text(re.compile(r"queue|team|wait", re.I))

        # --- the console's queue shows it: who, channel, reason, waiting time, last message
        item = console.locator(f'.q-item[data-conversation-id="{conversation_id}"]')
        expect(item).to_be_visible(timeout=STEP_MS)
        expect(item.locator(".q-name")).to_contain_text(full_name.split()[0])
        expect(item.locator(".q-pills")).to_contain_text("Web")
        expect(item.locator(".q-pills")).to_contain_text(re.compile(r"Priority \d+"))
        expect(item.locator(".q-reason")).to_contain_text(re.compile(r"\w"))
        expect(item.locator(".q-wait")).to_have_text(re.compile(r"^Waiting \d+"))
        expect(item.locator(".q-last")).not_to_be_empty()
        # the new entry is announced in the polite live region
        expect(console.locator("#live")).to_contain_text(full_name.split()[0])
        console.screenshot(path=str(results_dir / "console-queue.png"))

        # --- claim: a tab with the transcript, summary, profile and orders
        claim_with_retry(console, item)
        panel = console.locator(f'.conv[data-conversation-id="{conversation_id}"]')
        expect(panel).to_be_visible()
        expect(console.locator('[role="tab"][aria-selected="true"]')).to_contain_text(full_name.split()[0])
        transcript = panel.locator(".transcript")
        expect(transcript.locator('.m[data-role="shopper"]').first).to_contain_text(first_question)
        expect(transcript.locator('.m[data-role="assistant"]').first).to_be_visible()
        expect(panel.locator(".summary-body")).not_to_be_empty()
        expect(panel.locator(".summary-body")).to_contain_text("Why handed off")
        expect(panel.locator(".customer-body")).to_contain_text(customer_id)
        expect(panel.locator(".customer-body")).to_contain_text(full_name)
        expect(panel.locator(".orders-body .order").first).to_be_visible()
        reply_box = panel.get_by_label("Reply to the shopper")
        expect(reply_box).to_be_focused()

        # --- the shopper is told a person joined, by name; the button to ask for one goes away
        expect(banner).to_contain_text(staff_name, timeout=STEP_MS)
        expect(chat.get_by_role("button", name="Talk to a person")).to_be_hidden()
        expect(chat.get_by_role("button", name="Back to the assistant")).to_be_hidden()

        # --- a CRM tool, run by the staff member on the customer's first order
        order_id = panel.locator(".orders-body .order strong").first.text_content()
        panel.get_by_label("Tool", exact=True).select_option("get_order_details")
        panel.get_by_label("Arguments (JSON)").fill(json.dumps({"order_id": order_id}))
        panel.get_by_role("button", name="Run tool").click()
        run = panel.locator(".tool-run").first
        expect(run).to_have_attribute("data-ok", "true", timeout=STEP_MS)
        expect(run.locator(".tool-out")).to_contain_text(order_id)
        # invalid JSON never leaves the page
        panel.get_by_label("Arguments (JSON)").fill("{not json")
        panel.get_by_role("button", name="Run tool").click()
        expect(panel.locator(".field-error")).to_contain_text("Not valid JSON")
        expect(panel.locator(".tool-run")).to_have_count(1)

        # --- suggested replies can be refreshed (the server answers with a suggestions frame)
        refresh = panel.get_by_role("button", name="Refresh suggestions")
        refresh.click()
        expect(refresh).to_be_enabled(timeout=STEP_MS)
        expect(refresh).to_have_text("Refresh suggestions")

        # --- staff typing shows on the shopper's side; Enter sends the reply
        staff_reply = f"Hi, this is {staff_name.split()[0]} from the team. I can see your orders."
        reply_box.click()
        reply_box.press_sequentially(staff_reply[:24], delay=40)
        expect(chat.locator(".typing")).to_be_visible(timeout=10_000)
        expect(chat.locator(".typing")).to_contain_text(f"{staff_name} is typing")
        reply_box.press_sequentially(staff_reply[24:], delay=5)
        reply_box.press("Enter")
        expect(reply_box).to_have_value("")
        mine = transcript.locator('.m[data-role="staff"][data-seq]')
        expect(mine).to_have_count(1, timeout=STEP_MS)                  # once: ack and echo de-duplicated
        expect(mine.first).to_contain_text(staff_reply)
        expect(panel.locator(".outbox .pending")).to_have_count(0)
        shop_staff = chat.locator('.msg[data-role="staff"][data-seq]')
        expect(shop_staff.first).to_contain_text(staff_reply, timeout=STEP_MS)
        expect(chat.locator(".typing")).to_be_hidden()

        # --- shopper typing shows on the console; the shopper's answer arrives there
        shopper_answer = "Thanks! Can you check when my last order ships?"
        textarea.click()
        textarea.press_sequentially(shopper_answer[:20], delay=40)
        expect(panel.locator(".typing")).to_be_visible(timeout=10_000)
        expect(panel.locator(".typing")).to_have_text(re.compile("Shopper is typing"))
        textarea.press_sequentially(shopper_answer[20:], delay=5)
        textarea.press("Enter")
        expect(transcript.locator('.m[data-role="shopper"]').last).to_contain_text(shopper_answer, timeout=STEP_MS)
        expect(panel.locator(".typing")).to_be_hidden(timeout=10_000)
        console.screenshot(path=str(results_dir / "console-conversation.png"))
        shop.screenshot(path=str(results_dir / "console-shopper-with-staff.png"))

        # --- the console's socket drops: "Reconnecting…", then back with the conversation still
        # its own (the server sends `claimed` again) and nothing shown or sent twice
        shopper_rows = transcript.locator('.m[data-role="shopper"]').count()
        console.evaluate("""() => {
            window.__connStates = [];
            new MutationObserver(() => window.__connStates.push(document.body.dataset.conn))
                .observe(document.body, {attributes: true, attributeFilter: ["data-conn"]});
            window.conciergeConsole.ws.close();
        }""")
        console.wait_for_function("window.__connStates.includes('reconnecting')", timeout=10_000)
        expect(console.locator("#conn")).to_have_attribute("data-state", "online", timeout=STEP_MS)
        expect(console.locator("#reconnect-banner")).to_be_hidden()
        expect(panel).to_be_visible()
        console.wait_for_timeout(1000)
        expect(mine).to_have_count(1)
        expect(transcript.locator('.m[data-role="shopper"]')).to_have_count(shopper_rows)
        seqs = [int(s) for s in transcript.locator(".m[data-seq]").evaluate_all("ns => ns.map(n => n.dataset.seq)")]
        assert seqs == sorted(set(seqs)), seqs

        # --- hand back to the bot: the conversation leaves "mine"; the shopper is told
        panel.get_by_role("button", name="Hand back to bot").click()
        expect(panel).to_have_count(0, timeout=STEP_MS)
        expect(console.locator('[role="tab"]')).to_have_count(0)
        expect(console.locator('.notice[data-kind="info"]')).to_contain_text("went back to the assistant")
        expect(chat.locator(".human")).to_be_visible(timeout=STEP_MS)
        expect(banner).to_contain_text("back with the Concierge assistant")

        # --- the bot answers again
        before = len(widget_messages(shop))
        textarea.fill("What is your return policy?")
        textarea.press("Enter")
        last_shopper = chat.locator('.msg[data-role="shopper"]').last
        expect(last_shopper).to_have_attribute("data-state", "acked", timeout=STEP_MS)
        shopper_seq = int(last_shopper.get_attribute("data-seq") or 0)
        answer = chat.locator(f'.msg[data-role="assistant"][data-reply-to="{shopper_seq}"]')
        expect(answer).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        assert (answer.locator(".bubble").text_content() or "").strip() not in ("", INTERNAL_ERROR_TEXT)
        assert len(widget_messages(shop)) > before
        shop.screenshot(path=str(results_dir / "console-shopper-back-to-bot.png"))

        # --- once more to a person; this time the staff member closes the conversation, and the
        # shopper's next message starts a new one (the old id is gone from the browser's storage)
        chat.get_by_role("button", name="Talk to a person").click()
        item = console.locator(f'.q-item[data-conversation-id="{conversation_id}"]')
        expect(item).to_be_visible(timeout=STEP_MS)
        claim_with_retry(console, item)
        panel = console.locator(f'.conv[data-conversation-id="{conversation_id}"]')
        expect(panel).to_be_visible()
        expect(banner).to_contain_text(staff_name, timeout=STEP_MS)
        panel.get_by_role("button", name="Close", exact=True).click()
        expect(panel).to_have_count(0, timeout=STEP_MS)
        expect(banner).to_contain_text("has ended", timeout=STEP_MS)
        assert conversation_id not in shop.evaluate("JSON.stringify(Object.entries(sessionStorage))")
        textarea.fill("One more question: do you ship abroad?")
        textarea.press("Enter")
        last_shopper = chat.locator('.msg[data-role="shopper"]').last
        expect(last_shopper).to_have_attribute("data-state", "acked", timeout=STEP_MS)
        new_conversation = shop.evaluate("document.querySelector('concierge-chat').conversationId")
        assert new_conversation and new_conversation != conversation_id
        expect(chat.locator(".msg[data-archived]").first).to_be_attached()       # the old one, above a divider
        new_seq = int(last_shopper.get_attribute("data-seq") or 0)
        answer = chat.locator(f'.msg[data-role="assistant"][data-reply-to="{new_seq}"]:not([data-archived])')
        expect(answer).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        shop.screenshot(path=str(results_dir / "console-shopper-after-close.png"))

        # --- sign out clears the token and goes back to the sign-in page
        console.get_by_role("button", name="Sign out").click()
        expect(console).to_have_url(re.compile(r"/console/login"))
        assert console.evaluate("sessionStorage.getItem('concierge.staff')") is None

        assert not errors, errors
    finally:
        staff_ctx.close()
        shop_ctx.close()
        print(f"console round trip: {time.monotonic() - started:.1f} s")
