"""The handoff queue on the real SQLite and PostgreSQL: priority, one owner, business hours and
what the shopper is told."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from server.business_hours import BadHours, BusinessHours
from server.conversation_models import Conversation
from server.conversations import ConversationStore, migrate_server
from server.handoff_queue import HandoffQueue
from tests.conftest import Store


@pytest.fixture
def desk(store: Store) -> tuple[ConversationStore, HandoffQueue]:
    migrate_server(store.engine)
    values = {"champion_1": 20.0}
    return ConversationStore(store.sessions), HandoffQueue(
        store.sessions, BusinessHours(), customer_value=lambda c: values.get(c or "", 0.0),
        customer_name=lambda c: c and c.replace("_", " ").title())


def test_priority_orders_by_trigger_customer_value_and_waiting(desk) -> None:  # type: ignore[no-untyped-def]
    convs, queue = desk
    a = convs.create()
    b = convs.create(customer_id="champion_1")
    c = convs.create()
    assert queue.enqueue(a.id, "explicit", "asked for a person", "", None)
    assert queue.enqueue(b.id, "explicit", "asked for a person", "", "champion_1")
    assert queue.enqueue(c.id, "policy", "policy: legal or safety matter", "", None)
    convs.append(a.id, "shopper", "hello? anyone?")
    order = [e.conversation_id for e in queue.entries()]
    assert order == [c.id, b.id, a.id]  # safety first, then the best customer
    with queue.sessions.begin() as db:  # a has waited 45 minutes: it overtakes both
        db.execute(update(Conversation).where(Conversation.id == a.id)
                   .values(queued_at=datetime.now(timezone.utc) - timedelta(minutes=45)))
    assert [e.conversation_id for e in queue.entries()] == [a.id, c.id, b.id]
    entry = next(e for e in queue.entries() if e.conversation_id == a.id)
    assert entry.last_message == "hello? anyone?" and entry.status == "queued"


def test_exactly_one_of_many_concurrent_claims_wins(desk) -> None:  # type: ignore[no-untyped-def]
    convs, queue = desk
    conv = convs.create()
    queue.enqueue(conv.id, "explicit", "asked", "", None)
    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(lambda i: queue.claim(conv.id, f"staff{i}"), range(8)))
    assert wins.count(True) == 1
    owner = f"staff{wins.index(True)}"
    assert convs.get(conv.id).assigned_staff == owner
    assert not queue.release(conv.id, "someone else") and not queue.close(conv.id, "someone else")
    assert queue.release(conv.id, owner) and convs.get(conv.id).status == "bot"


def test_cancel_only_while_queued_and_never_twice_queued(desk) -> None:  # type: ignore[no-untyped-def]
    convs, queue = desk
    conv = convs.create()
    assert queue.enqueue(conv.id, "button", "pressed", "", None)
    assert not queue.enqueue(conv.id, "button", "pressed again", "", None)
    assert queue.cancel(conv.id) and convs.get(conv.id).status == "bot"
    assert not queue.cancel(conv.id)
    queue.enqueue(conv.id, "button", "pressed", "", None)
    queue.claim(conv.id, "ana")
    assert not queue.cancel(conv.id) and convs.get(conv.id).status == "human"


def test_staff_messages_only_from_the_owner(desk) -> None:  # type: ignore[no-untyped-def]
    convs, queue = desk
    conv = convs.create()
    queue.enqueue(conv.id, "button", "pressed", "", None)
    queue.claim(conv.id, "ana")
    assert convs.append(conv.id, "staff", "hi", author="bo", only_if={"status": "human", "assigned_staff": "bo"}) is None
    ok = convs.append(conv.id, "staff", "hi", author="ana", only_if={"status": "human", "assigned_staff": "ana"})
    assert ok is not None and ok.message.seq == 1
    # and the bot cannot append while a person owns it
    assert convs.append(conv.id, "assistant", "bot here", only_if={"status": "bot"}) is None


def test_what_the_shopper_is_told(desk) -> None:  # type: ignore[no-untyped-def]
    convs, queue = desk
    first, second = convs.create(), convs.create()
    queue.enqueue(first.id, "button", "pressed", "", None)
    queue.enqueue(second.id, "button", "pressed", "", None)
    nobody = queue.wait_info(second.id, staff_online=0)
    assert (nobody.position, nobody.available) == (2, False) and "No one" in nobody.text
    assert nobody.estimated_wait_s == 600  # two ahead-or-including at the default 5 minutes each
    one = queue.wait_info(first.id, staff_online=1)
    assert one.available and one.estimated_wait_s == 0 and "shortly" in one.text
    queue.hours = BusinessHours.parse("mon-fri 09:00-17:00", "America/New_York")
    saturday_noon = datetime(2026, 11, 28, 17, 0, tzinfo=timezone.utc)
    closed = queue.wait_info(first.id, staff_online=3, now=saturday_noon)
    assert not closed.available and "Monday 09:00" in closed.text
    assert closed.estimated_wait_s > 40 * 3600


def test_business_hours() -> None:
    hours = BusinessHours.parse("mon-fri 09:00-18:00; sat 10:00-16:00", "Europe/Paris")
    friday_evening = datetime(2026, 11, 27, 18, 30, tzinfo=timezone.utc)  # 19:30 in Paris
    assert not hours.is_open(friday_evening)
    assert hours.next_open(friday_evening).isoformat().startswith("2026-11-28T10:00")
    assert hours.is_open(datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc))  # 10:00 in Paris
    assert BusinessHours.parse("").is_open() and BusinessHours.parse("").next_open() is None
    night = BusinessHours.parse("sun-sun 00:00-24:00")
    assert night.is_open(datetime(2026, 11, 29, 23, 59, tzinfo=timezone.utc))
    for bad in ("weekdays 9-5", "mon 18:00-09:00", "mon 25:00-26:00"):
        with pytest.raises(BadHours):
            BusinessHours.parse(bad)
