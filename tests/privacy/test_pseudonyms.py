"""Reversible pseudonymisation across a conversation."""

from __future__ import annotations

from privacy.config import PrivacyConfig
from privacy.conversation import PrivacyService
from privacy.detector import PiiDetector
from privacy.pseudonyms import PseudonymMap
from privacy.store import InMemoryPseudonymStore


def service(detector: PiiDetector) -> PrivacyService:
    return PrivacyService(PrivacyConfig(), InMemoryPseudonymStore(), detector)


def test_same_value_same_pseudonym_across_turns(detector: PiiDetector) -> None:
    convo = service(detector).conversation("c1")
    first = convo.scrub("Hi, my name is Jane Doe and my email is jane@example.com")
    second = convo.scrub("Jane Doe again: did you get JANE@example.com ?")
    assert first == "Hi, my name is <PERSON_1> and my email is <EMAIL_ADDRESS_1>"
    assert "<PERSON_1>" in second and "<EMAIL_ADDRESS_1>" in second
    assert "Jane" not in second and "jane" not in second.lower()


def test_store_identifiers_and_dates_pass_through_to_the_llm(detector: PiiDetector) -> None:
    convo = service(detector).conversation("c2")
    text = "Order #W2378156 from 2024-05-14, item 1008292230, paid with credit_card_9513926."
    assert convo.scrub(text) == text


def test_restore_for_the_shopper_and_at_the_tool_boundary(detector: PiiDetector) -> None:
    convo = service(detector).conversation("c3")
    convo.scrub("I'm Lucas Oliveira, email lucas.oliveira@outlook.com")
    reply = "Thanks <PERSON_1>, I found the account for <EMAIL_ADDRESS_1>. <PERSON_9> is unknown."
    assert convo.restore(reply) == (
        "Thanks Lucas Oliveira, I found the account for lucas.oliveira@outlook.com. <PERSON_9> is unknown."
    )
    args = {"email": "<EMAIL_ADDRESS_1>", "filters": [{"name": "<PERSON_1>"}, 3], "order_id": "#W2378156"}
    assert convo.restore_arguments(args) == {
        "email": "lucas.oliveira@outlook.com",
        "filters": [{"name": "Lucas Oliveira"}, 3],
        "order_id": "#W2378156",
    }


def test_conversations_do_not_share_pseudonyms(detector: PiiDetector) -> None:
    svc = service(detector)
    a, b = svc.conversation("a"), svc.conversation("b")
    a.scrub("email jane@example.com")
    assert b.restore("<EMAIL_ADDRESS_1>") == "<EMAIL_ADDRESS_1>"


def test_profile_values_are_pseudonymised_without_detection(detector: PiiDetector) -> None:
    convo = service(detector).conversation("c4")
    convo.identify("noah_brown_6181", {"PERSON": "Noah Brown", "EMAIL_ADDRESS": ["noah.brown7922@example.com"]})
    out = convo.scrub("noah brown here, any news?")
    assert "noah" not in out.lower() and "<PERSON_1>" in out


def test_tool_results_are_scrubbed_before_the_llm_sees_them(detector: PiiDetector) -> None:
    convo = service(detector).conversation("c5")
    result = {"user_id": "noah_brown_6181", "email": "noah.brown7922@example.com",
              "orders": ["#W7678072"], "address": {"address1": "986 Sunset Drive", "zip": "80279"}}
    scrubbed = convo.scrub_data(result)
    assert scrubbed["email"] == "<EMAIL_ADDRESS_1>"
    assert scrubbed["orders"] == ["#W7678072"] and scrubbed["user_id"] == "noah_brown_6181"
    assert convo.restore_arguments(scrubbed)["email"] == "noah.brown7922@example.com"


def test_the_map_never_shows_its_values() -> None:
    m = PseudonymMap("c6", "cust")
    m.pseudonym_for("EMAIL_ADDRESS", "secret@example.com")
    assert "secret" not in repr(m) and "secret" not in str(m)


def test_end_forgets_the_conversation(detector: PiiDetector) -> None:
    convo = service(detector).conversation("c7")
    convo.scrub("email jane@example.com")
    convo.end()
    assert convo.restore("<EMAIL_ADDRESS_1>") == "<EMAIL_ADDRESS_1>"
