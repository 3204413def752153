"""Numbers that only context tells apart: tracking numbers and item ids vs cards and phones."""

from __future__ import annotations

import pytest

from privacy.detector import PiiDetector
from privacy.recognizers.cards import issuer_known
from privacy.store_ids import is_store_identifier, luhn_valid, number_context, store_id_spans

# Luhn-valid 12-digit numbers: each is also a possible (Maestro) card number.
LUHN_12 = ["156404104234", "685356068831", "590454409103"]


def found(detector: PiiDetector, text: str) -> dict[str, str]:
    return {d.text: d.entity_type for d in detector.detect(text)}


def test_the_fixtures_are_what_they_claim() -> None:
    assert all(luhn_valid(n) for n in LUHN_12)
    assert not luhn_valid("843053632392")


@pytest.mark.parametrize("text, number", [
    ("tracking number 843053632392", "843053632392"),
    ("My tracking number is 156404104234 but the card I paid with was charged twice.", "156404104234"),
    ("I paid by credit card. Tracking number 590454409103 hasn't moved.", "590454409103"),
    ("156404104234 is the tracking code UPS gave me", "156404104234"),
    ("Can you tell me where parcel #685356068831 is?", "685356068831"),
    ("Order #W4120091, tracking 541858369492, item 6671723143: wrong colour.", "541858369492"),
    ("Tracking 357962501027 says delivered", "357962501027"),
])
def test_tracking_numbers_stay_store_ids_even_when_luhn_valid(detector: PiiDetector, text: str, number: str) -> None:
    assert number not in found(detector, text), found(detector, text)
    k = text.index(number)
    assert (k, k + len(number)) in store_id_spans(text)


@pytest.mark.parametrize("text, number", [
    ("Please charge my Maestro card 590454409103 instead.", "590454409103"),
    ("card number 685356068831, expiry 09/27", "685356068831"),
    ("my credit card number is 156404104234?", "156404104234"),
    ("Could you send the last billed amount for cc 156404104234 to my e-mail?", "156404104234"),
])
def test_a_luhn_valid_12_digit_number_next_to_card_words_is_a_card(detector: PiiDetector, text: str, number: str) -> None:
    assert found(detector, text).get(number) == "CREDIT_CARD"


def test_a_12_digit_number_next_to_card_words_that_fails_luhn_is_not_a_card(detector: PiiDetector) -> None:
    assert "843053632392" not in found(detector, "my card 843053632392")


@pytest.mark.parametrize("number", [
    "2221000000000009",  # Mastercard 2-series
    "213176828496175",  # JCB 15-digit
    "4064557646766436702",  # Visa 19-digit
    "30569309025904",  # Diners 14-digit
])
def test_issuer_ranges_presidio_misses_are_cards_without_context(detector: PiiDetector, number: str) -> None:
    assert issuer_known(number) and luhn_valid(number)
    assert found(detector, f"The number {number} was declined.").get(number) == "CREDIT_CARD"


def test_grouped_card_numbers_and_luhn_failures(detector: PiiDetector) -> None:
    assert found(detector, "Use my debit card 5018 2222 3333 4449 please")["5018 2222 3333 4449"] == "CREDIT_CARD"
    assert "CREDIT_CARD" not in found(detector, "card 4111 1111 1111 1112").values()


def test_gift_card_wording_keeps_gift_cards_apart(detector: PiiDetector) -> None:
    assert found(detector, "my gift card number is 6006491286007417")["6006491286007417"] == "GIFT_CARD"


@pytest.mark.parametrize("text, number", [
    ("Call me on 4155550132 when the courier arrives.", "4155550132"),
    ("my number is 6175550199, order #W5565470", "6175550199"),
    ("Desk: 5403926876", "5403926876"),
    ("Fax: 9498777106", "9498777106"),
])
def test_a_10_digit_number_next_to_phone_words_is_a_phone(detector: PiiDetector, text: str, number: str) -> None:
    assert found(detector, text).get(number) == "PHONE_NUMBER"


@pytest.mark.parametrize("text, number", [
    ("The Office Chair 8426249116 wobbles.", "8426249116"),
    ("The Phone Case 3455640544 doesn't fit my phone.", "3455640544"),
    ("Is the Gaming Mouse 5019835484 still $154.99?", "5019835484"),
    ("Item no. 3542910686, product 9088969291, both returned.", "3542910686"),
    ("my tracking number is 4155550132", "4155550132"),
])
def test_a_10_digit_number_without_phone_words_is_an_item_id(detector: PiiDetector, text: str, number: str) -> None:
    assert number not in found(detector, text)


@pytest.mark.parametrize("text, number", [
    ("416 60 039 office", "416 60 039"),
    ("Mobile: 737 219 628", "737 219 628"),
    ("They're not answering at 78 651 450", "78 651 450"),
    ("Desk: +1-903-140-4508x769", "+1-903-140-4508x769"),
    ("Text me at +1 (415) 555-0132 ext. 12 about item 1008292230.", "+1 (415) 555-0132 ext. 12"),
])
def test_phone_layouts_with_labels_before_or_after_and_extensions(detector: PiiDetector, text: str, number: str) -> None:
    assert found(detector, text).get(number) == "PHONE_NUMBER", found(detector, text)


def test_digit_groups_without_phone_words_are_not_phones(detector: PiiDetector) -> None:
    assert "PHONE_NUMBER" not in found(detector, "Order 3 of size 10 12 14 please").values()


def test_nearest_cue_wins() -> None:
    text = "I paid by card, tracking number 843053632392"
    k = text.index("8430")
    assert number_context(text, k, k + 12) == "store_id"
    text = "credit_card_9513926 843053632392"  # a payment-method id is not a card word
    assert number_context(text, 20, 32) is None


def test_lowercase_iban(detector: PiiDetector) -> None:
    assert found(detector, "my iban is gb42nawi04454264788619")["gb42nawi04454264788619"] == "IBAN_CODE"


def test_is_store_identifier_shapes() -> None:
    assert is_store_identifier("#W2378156") and is_store_identifier("843053632392")
    assert not is_store_identifier("4111 1111 1111 1111")


@pytest.mark.parametrize("text", [
    "Date: 1978-04-13 12:20:39\nName: Toshimi Arata",
    "On 2018-01-14 03:07:43, the government began",
    "Delivered 05/02/2024 12:30",
])
def test_dates_and_times_are_not_phone_numbers(detector: PiiDetector, text: str) -> None:
    assert "PHONE_NUMBER" not in found(detector, text).values()
