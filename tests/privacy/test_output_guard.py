"""The last check: another customer's PII never reaches this shopper."""

from __future__ import annotations

from privacy.config import PrivacyConfig
from privacy.conversation import PrivacyService
from privacy.detector import PiiDetector
from privacy.output_guard import guard_output
from privacy.store import InMemoryPseudonymStore


def test_other_customers_email_and_address_are_withheld(detector: PiiDetector) -> None:
    reply = ("Your order ships to 986 Sunset Drive, Denver. By the way, the previous owner "
             "was reachable at mia.garcia@example.net, 44 Elm Street, Boston, MA 02108.")
    verdict = guard_output(reply, {"Noah Brown", "986 Sunset Drive, Suite 259, Denver, CO 80279"}, detector)
    assert not verdict.allowed
    assert "mia.garcia@example.net" not in verdict.safe_text
    assert "44 Elm Street" not in verdict.safe_text
    assert "986 Sunset Drive" in verdict.safe_text
    assert verdict.safe_text.count("[withheld]") >= 2
    assert {d.entity_type for d in verdict.offending} >= {"EMAIL_ADDRESS", "STREET_ADDRESS"}


def test_the_shoppers_own_values_pass(detector: PiiDetector) -> None:
    convo = PrivacyService(PrivacyConfig(), InMemoryPseudonymStore(), detector).conversation("g1")
    convo.scrub("I'm Lucas Oliveira, email lucas.oliveira@outlook.com")
    reply = convo.restore("Thanks <PERSON_1>, a receipt went to <EMAIL_ADDRESS_1> for #W2378156.")
    verdict = convo.guard(reply)
    assert verdict.allowed and verdict.safe_text == reply


def test_assistant_name_can_be_allowed(detector: PiiDetector) -> None:
    convo = PrivacyService(PrivacyConfig(), InMemoryPseudonymStore(), detector).conversation("g2")
    reply = "Dear customer, my name is Ava Sinclair and I can help with #W2378156."
    assert not convo.guard(reply).allowed
    assert convo.guard(reply, allowed=["Ava Sinclair"]).allowed


def test_plain_replies_pass(detector: PiiDetector) -> None:
    text = "Your Mechanical Keyboard (item 1008292230) ships on 2024-05-20 for $129.99."
    assert guard_output(text, set(), detector).allowed
