"""Deterministic slot extraction (no model)."""

from __future__ import annotations

import pytest

from agent.nlu import Catalog, extract_slots


@pytest.mark.parametrize("text", ["W2378156", "#w2378156", "order 2378156", "order number 2378156",
                                  "my order is # W2378156", "where's #2378156?"])
def test_order_ids_are_normalised(text: str) -> None:
    assert extract_slots(text)["order_id"] == "#W2378156"


def test_several_order_ids() -> None:
    s = extract_slots("order W4817420 and order #W5866402")
    assert s["order_id"] == "#W4817420" and s["order_ids"] == ["#W4817420", "#W5866402"]


def test_item_ids_and_zip_are_not_order_ids() -> None:
    s = extract_slots("return 1151293680 please")
    assert s["item_ids"] == ["1151293680"] and "order_id" not in s
    assert "order_id" not in extract_slots("my zip is 19122")


@pytest.mark.parametrize("text,first,last,zip_code", [
    ("I'm Yusuf Rossi, zip code 19122", "Yusuf", "Rossi", "19122"),
    ("name is Mei Kovacs and my zip is 28236", "Mei", "Kovacs", "28236"),
    ("hi, this is james li, zip 10083", "James", "Li", "10083"),
    ("Yara Silva 77159", "Yara", "Silva", "77159"),
    ("my first name is Ivan, last name Hernandez, zip 75284", "Ivan", "Hernandez", "75284"),
])
def test_name_and_zip(text: str, first: str, last: str, zip_code: str) -> None:
    s = extract_slots(text)
    assert (s.get("first_name"), s.get("last_name"), s.get("zip")) == (first, last, zip_code)


@pytest.mark.parametrize("text", ["I'm looking for a keyboard", "I'm Trying To Return this",
                                  "this is not what I ordered", "I am very upset about it"])
def test_ordinary_sentences_are_not_names(text: str) -> None:
    s = extract_slots(text)
    assert "first_name" not in s and "last_name" not in s


def test_email_is_lower_cased() -> None:
    assert extract_slots("It's Jane.Doe@Example.com")["email"] == "jane.doe@example.com"


@pytest.mark.parametrize("text,reason", [
    ("cancel it, I ordered by mistake", "ordered by mistake"),
    ("I accidentally ordered two", "ordered by mistake"),
    ("I don't need it anymore", "no longer needed"),
    ("no longer needed", "no longer needed"),
])
def test_cancel_reason(text: str, reason: str) -> None:
    assert extract_slots(text)["cancel_reason"] == reason


def test_unclear_reason_is_left_out() -> None:
    assert "cancel_reason" not in extract_slots("cancel it, it's too expensive")


@pytest.mark.parametrize("text,hint", [
    ("refund to my gift card", "gift_card"), ("paypal please", "paypal"),
    ("put it on my credit card", "credit_card"), ("the original payment method", "original"),
    ("use paypal instead of the gift card", "paypal"), ("not the gift card, my visa", "credit_card"),
])
def test_payment_hint(text: str, hint: str) -> None:
    assert extract_slots(text)["payment_hint"] == hint


def test_card_last_four() -> None:
    s = extract_slots("the credit card ending in 9212")
    assert (s["payment_hint"], s["card_last_four"]) == ("credit_card", "9212")


@pytest.mark.parametrize("text,flag", [("yes", "affirm"), ("Yep, go ahead", "affirm"), ("ok", "affirm"),
                                       ("no", "deny"), ("nope", "deny"), ("don't do that", "deny")])
def test_affirm_deny_flags(text: str, flag: str) -> None:
    s = extract_slots(text)
    assert s.get(flag) is True and ("deny" if flag == "affirm" else "affirm") not in s


@pytest.mark.parametrize("text", ["no longer needed", "no problem", "yesterday I ordered", "nobody asked"])
def test_no_false_yes_no(text: str) -> None:
    s = extract_slots(text)
    assert "affirm" not in s and "deny" not in s


def test_all_items() -> None:
    assert extract_slots("all of them")["all_items"] is True
    assert extract_slots("return everything")["all_items"] is True
    assert "all_items" not in extract_slots("just the lamp")


@pytest.mark.parametrize("text,product", [
    ("how much are the earbuds", "Wireless Earbuds"), ("do you sell kettles", "Electric Kettle"),
    ("a new keybord", "Mechanical Keyboard"), ("t-shirts in blue", "T-Shirt"),
    ("I need a power bank", "Portable Charger"), ("the espresso machine", "Espresso Machine"),
])
def test_products_with_plurals_synonyms_and_typos(catalog: Catalog, text: str, product: str) -> None:
    assert extract_slots(text, catalog)["product"] == product


def test_ambiguous_product_lists_candidates(catalog: Catalog) -> None:
    s = extract_slots("is the kettle glass", catalog)
    assert set(s["products"]) == {"Electric Kettle", "Tea Kettle"} and s["product_ambiguous"] is True


def test_options_with_negation(catalog: Catalog) -> None:
    s = extract_slots("a kettle that is not plastic, glass maybe, 2 liters", catalog)
    opts = {(o["value"], o["negated"]) for o in s["options"]}
    assert ("plastic", True) in opts and ("glass", False) in opts and ("2L", False) in opts


def test_option_forms(catalog: Catalog) -> None:
    s = extract_slots("full-size keyboard with no backlight", catalog)
    assert {(o["attribute"], o["value"]) for o in s["options"]} == {("size", "full size"), ("backlight", "none")}
    s = extract_slots("waterproof hiking boots size 10", catalog)
    assert {(o["attribute"], o["value"]) for o in s["options"]} == {("waterproof", "yes"), ("size", "10")}


def test_no_options_from_ordinary_words(catalog: Catalog) -> None:
    for text in ("what's the weather in Paris", "book a flight to Rome", "I'm Noah Brown, zip 80279"):
        assert "options" not in extract_slots(text, catalog), text
