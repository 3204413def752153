"""What a shopper's message is understood as: intent, out-of-scope flag and slots (real MiniLM)."""

from __future__ import annotations

import time

import pytest

from agent.nlu import NLU, OUT_OF_SCOPE, Understood


def test_where_is_my_order_is_track_order_with_the_order_id(nlu: NLU) -> None:
    u = nlu.understand("where is my order #W2378156")
    assert u.intent == "track_order" and not u.out_of_scope
    assert u.slots["order_id"] == "#W2378156"


@pytest.mark.parametrize("text", ["what's the weather in Paris", "book me a flight to Rome",
                                  "tell me a joke about cats", "what's my credit score",
                                  "how do I make lasagna", "set an alarm for 6am"])
def test_non_retail_requests_are_out_of_scope(nlu: NLU, text: str) -> None:
    u = nlu.understand(text)
    assert u.out_of_scope and u.intent == OUT_OF_SCOPE


@pytest.mark.parametrize("text,intent", [
    ("yes", "affirm"), ("yes please go ahead", "affirm"), ("confirm", "affirm"),
    ("no", "deny"), ("don't do that", "deny"),
    ("hi", "greeting"), ("thanks", "thanks"), ("bye", "goodbye"),
])
def test_short_dialogue_acts_stay_in_scope(nlu: NLU, text: str, intent: str) -> None:
    u = nlu.understand(text)
    assert (u.intent, u.out_of_scope) == (intent, False)


def test_yes_and_no_also_set_flags(nlu: NLU) -> None:
    assert nlu.understand("yes").slots.get("affirm") is True
    assert nlu.understand("no").slots.get("deny") is True
    # "no longer needed" answers the cancel-reason question; it is not a "no".
    u = nlu.understand("no longer needed")
    assert "deny" not in u.slots and u.slots["cancel_reason"] == "no longer needed" and not u.out_of_scope


@pytest.mark.parametrize("text,slot,value,intent", [
    ("jane.doe@example.com", "email", "jane.doe@example.com", "identify"),
    ("it's jane.doe@example.com", "email", "jane.doe@example.com", "identify"),
    ("#W2378156", "order_id", "#W2378156", "inform"),
    ("W2378156", "order_id", "#W2378156", "inform"),
    ("1151293680", "item_ids", ["1151293680"], "inform"),
])
def test_a_bare_identifier_is_in_scope(nlu: NLU, text: str, slot: str, value: object, intent: str) -> None:
    u = nlu.understand(text)
    assert not u.out_of_scope and u.intent == intent and u.slots[slot] == value


def test_name_and_zip_identify_the_shopper(nlu: NLU) -> None:
    u = nlu.understand("I'm Yusuf Rossi, zip 19122")
    assert u.intent == "identify" and not u.out_of_scope
    assert (u.slots["first_name"], u.slots["last_name"], u.slots["zip"]) == ("Yusuf", "Rossi", "19122")


def test_product_question_carries_product_and_options(nlu: NLU) -> None:
    u = nlu.understand("do you have a clicky keyboard with RGB?")
    assert u.intent == "product_question" and not u.out_of_scope
    assert u.slots["product"] == "Mechanical Keyboard"
    assert {(o["attribute"], o["value"], o["negated"]) for o in u.slots["options"]} == {
        ("switch type", "clicky", False), ("backlight", "RGB", False)}
    assert nlu.understand("how much is the espresso machine").slots["product"] == "Espresso Machine"


@pytest.mark.parametrize("text,intent", [
    ("what's your return policy", "policy_question"),
    ("can I exchange a delivered item", "policy_question"),
    ("any deals for me?", "get_offers"),
    ("I want to return the headphones from my last order", "return_items"),
    ("I'd like to exchange the boots I received for a waterproof pair", "exchange_items"),
    ("I want to cancel my order", "cancel_order"),
    ("I want to speak with a human agent", "contact_human_agent"),
    ("how do I reset my password", "recover_password"),
    ("I want a refund", "get_refund"),
])
def test_store_requests_get_their_intent(nlu: NLU, text: str, intent: str) -> None:
    u = nlu.understand(text)
    assert (u.intent, u.out_of_scope) == (intent, False), u


def test_cancel_with_reason_and_order(nlu: NLU) -> None:
    u = nlu.understand("please cancel order #W5866402, I ordered it by mistake")
    assert u.intent == "cancel_order"
    assert u.slots["order_id"] == "#W5866402" and u.slots["cancel_reason"] == "ordered by mistake"


def test_quick_reply_answers_are_understood(nlu: NLU) -> None:
    got = {t: nlu.understand(t) for t in ("All of them", "Gift card", "Original payment method", "ordered by mistake")}
    assert all(not u.out_of_scope for u in got.values())
    assert got["All of them"].slots["all_items"] is True
    assert got["Gift card"].slots["payment_hint"] == "gift_card"
    assert got["Original payment method"].slots["payment_hint"] == "original"


def test_batch_matches_single_and_keeps_order(nlu: NLU) -> None:
    texts = ["hi", "where is my order #W2378156", "what's the weather in Paris", "", "yes"]
    many = nlu.understand_many(texts)
    assert [u.text for u in many] == texts
    for t, u in zip(texts, many):
        if t:
            one = nlu.understand(t)
            assert (one.intent, one.out_of_scope, one.slots) == (u.intent, u.out_of_scope, u.slots)
    assert nlu.understand_many([]) == []


def test_result_shape(nlu: NLU) -> None:
    u = nlu.understand("where is my order #W2378156")
    assert isinstance(u, Understood)
    assert set(u.model_dump()) >= {"text", "intent", "confidence", "out_of_scope", "slots"}
    assert 0.0 <= u.confidence <= 1.0
    assert u.intent in nlu.labels


def test_the_embedding_model_is_shared_not_reloaded(sentence_model, catalog) -> None:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    nlu = NLU(sentence_model, catalog=catalog)
    assert time.perf_counter() - t0 < 1.0  # the intent artifact loads fast; MiniLM is not reloaded
    assert nlu.encoder.model is sentence_model
    assert nlu.understand("yes").intent == "affirm"


def test_label_set(nlu: NLU) -> None:
    from agent.nlu import BITEXT_INTENTS, STORE_INTENTS

    assert set(nlu.labels) == {*BITEXT_INTENTS, *STORE_INTENTS, OUT_OF_SCOPE}
    assert len(BITEXT_INTENTS) == 27
