"""The grounding check: what a reply may state is what the facts say."""

from __future__ import annotations

from agent.grounding import Facts, SentenceGate, check, claims

FACTS = Facts(["Order #W2378156 is delivered. Items: Headphones, Vacuum Cleaner. Tracking number: 843053632392.",
               "Refunds to a credit card take 5 to 7 business days. Total $1,819.92."])
DRAFT = FACTS.texts[0]


def test_claims_are_found() -> None:
    found = claims("Your order W2378156 was delivered on May 3 for $1,819.92 (tracking 843053632392).")
    assert {"#W2378156", "$1,819.92", "May 3", "delivered", "843053632392"} <= set(found)


def test_a_faithful_rewording_passes() -> None:
    reply = "Good news: order #W2378156 has been delivered, and its tracking number is 843053632392."
    assert check(reply, FACTS, ["#W2378156", "delivered"], draft=DRAFT).ok


def test_invented_facts_fail() -> None:
    for reply in ["Order #W2378156 is pending.", "Order #W9999999 is delivered.",
                  "It was delivered on May 3.", "Refunds take 10 business days.", "You paid $20.00 for it."]:
        verdict = check(reply, FACTS, draft=DRAFT)
        assert not verdict.ok and verdict.unsupported, reply


def test_a_reply_missing_a_key_fact_fails() -> None:
    verdict = check("Your headphones and vacuum cleaner have arrived.", FACTS, ["#W2378156", "843053632392"],
                    draft=DRAFT)
    assert not verdict.ok and verdict.missing == ["#W2378156", "843053632392"]


def test_echoed_prompts_inverted_facts_and_drift_fail() -> None:
    assert not check("FACTS: Order #W2378156 is delivered.", FACTS, draft=DRAFT).ok
    assert not check("Order #W2378156 is not delivered.", FACTS, draft=DRAFT).ok
    assert not check("I'm sorry for your loss, as a store assistant I can't provide directions.", FACTS,
                     draft=DRAFT).ok


def test_the_sentence_gate_stops_at_the_first_unsupported_sentence() -> None:
    released: list[str] = []
    gate = SentenceGate(FACTS, released.append, draft=DRAFT)
    stream = ["Order #W2378156 ", "is delivered. ", "It arrived on ", "June 2. ", "Tracking 843053632392."]
    results = [gate.feed(piece) for piece in stream]
    assert results[-1] is False or results[-2] is False
    assert released == ["Order #W2378156 is delivered. "] and gate.failed == ["June 2"]
