"""What the detector finds in shopper messages, and what it must leave alone."""

from __future__ import annotations

import pytest

from privacy.detector import PiiDetector


def types(detections) -> dict[str, str]:
    return {d.text: d.entity_type for d in detections}


def test_finds_the_pii_a_shopper_types(detector: PiiDetector) -> None:
    text = ("Hi, my name is Priya Raghunathan, email priya.r88@gmail.com, phone (415) 555-0132, "
            "card 4111 1111 1111 1111, ship to 986 Sunset Drive, Suite 259, Denver, CO 80279.")
    found = types(detector.detect(text))
    assert found["Priya Raghunathan"] == "PERSON"
    assert found["priya.r88@gmail.com"] == "EMAIL_ADDRESS"
    assert found["(415) 555-0132"] == "PHONE_NUMBER"
    assert found["4111 1111 1111 1111"] == "CREDIT_CARD"
    assert any(t == "STREET_ADDRESS" and v.startswith("986 Sunset Drive") for v, t in found.items())


@pytest.mark.parametrize("text", [
    "Where is my order #W2378156?",
    "Item 1008292230 arrived broken, tracking 843053632392.",
    "Refund to credit_card_9513926 or gift_card_7245904 or paypal_5727330.",
    "It cost $488.81 on 2024-05-14, then 536.65.",
    "Tracking 357962501027 says delivered but nothing is here.",
    "My Yoga Mat and Mechanical Keyboard from #W1092119 are torn.",
])
def test_store_identifiers_and_catalog_names_are_never_pii(detector: PiiDetector, text: str) -> None:
    found = [d for d in detector.detect(text) if d.entity_type != "DATE_TIME"]
    assert found == [], found


def test_luhn_invalid_card_numbers_are_not_cards(detector: PiiDetector) -> None:
    assert all(d.entity_type != "CREDIT_CARD" for d in detector.detect("card 4111 1111 1111 1112"))


def test_phone_scores_follow_how_phone_like_the_number_is(detector: PiiDetector) -> None:
    [intl] = [d for d in detector.detect("call +44 20 7946 0958 please") if d.entity_type == "PHONE_NUMBER"]
    [local] = [d for d in detector.detect("call 212-555-0187 please") if d.entity_type == "PHONE_NUMBER"]
    assert intl.score > 0.6 and local.score >= 0.6


def test_zip_code_needs_address_context(detector: PiiDetector) -> None:
    assert "ZIP_CODE" in {d.entity_type for d in detector.detect("my zip code is 30301")}
    assert "ZIP_CODE" not in {d.entity_type for d in detector.detect("I bought 30301 stickers")}


def test_gift_card_and_loyalty_numbers_with_their_wording(detector: PiiDetector) -> None:
    assert types(detector.detect("My gift card code is X7KQ-9PLM-2WRT-5ZHB"))["X7KQ-9PLM-2WRT-5ZHB"] == "GIFT_CARD"
    assert types(detector.detect("loyalty number LY-20481937 please"))["LY-20481937"] == "LOYALTY_NUMBER"


def test_known_values_are_found_even_without_cues(detector: PiiDetector) -> None:
    text = "tell noah the parcel is late"
    assert detector.detect(text) == [] or all(d.text != "noah" for d in detector.detect(text))
    found = detector.detect(text, known={"PERSON": ["Noah Brown", "noah"]})
    assert [(d.entity_type, d.text) for d in found] == [("PERSON", "noah")]


def test_batch_and_single_agree(detector: PiiDetector) -> None:
    texts = ["email me at a.b@example.org", "", "nothing here", "I am Jane Doe from 12 Main Street"]
    batch = detector.detect_batch(texts)
    assert batch == [detector.detect(t) for t in texts]


def test_a_timestamp_is_one_date_time(detector: PiiDetector) -> None:
    found = detector.detect("Date: 2003-08-28 12:13:52\nName: Sieda Batukayev")
    assert ("DATE_TIME", "2003-08-28 12:13:52") in [(d.entity_type, d.text) for d in found]


@pytest.mark.parametrize("text, age", [("I just turned 47", "47"), ("My brother just turned 35", "35")])
def test_turned_n_is_an_age(detector: PiiDetector, text: str, age: str) -> None:
    assert types(detector.detect(text)).get(age) == "AGE"


def test_turning_things_is_not_an_age(detector: PiiDetector) -> None:
    assert "AGE" not in types(detector.detect("turn 2 pages and turned 90 degrees")).values()


def test_the_cache_returns_the_same_answer_and_can_be_cleared(detector: PiiDetector) -> None:
    text = "Hi, I'm Cache Testperson, call me on 415-555-0199"
    first = detector.detect(text)
    assert detector.detect(text) == first
    detector.clear_cache()
    assert detector.detect(text) == first
    assert detector.detect(text, known={"PERSON": ["Cache Testperson"]})[0].score == 0.99


def test_product_colours_are_not_people_or_places(detector: PiiDetector) -> None:
    found = detector.detect("The Smart Watch 2860956907 comes in Black, Silver and Rose Gold?")
    assert [d for d in found if d.entity_type in ("PERSON", "LOCATION")] == []
    assert types(detector.detect("Please ask Mr. Green about it"))["Green"] == "PERSON"
