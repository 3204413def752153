"""Custom Presidio recognizers; `retail_recognizers` lists the pattern-based ones."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

from privacy.recognizers.address import AddressCueRecognizer
from privacy.recognizers.phone import phone_layout_recognizer
from privacy.recognizers.places import PlaceCueRecognizer
from privacy.recognizers.retail import (
    age_recognizer,
    gift_card_recognizer,
    loyalty_number_recognizer,
    street_address_recognizer,
    timestamp_recognizer,
    title_recognizer,
    zip_code_recognizer,
)


def retail_recognizers(lang: str = "en") -> list[EntityRecognizer]:
    return [
        street_address_recognizer(lang),
        AddressCueRecognizer(supported_language=lang),
        PlaceCueRecognizer(supported_language=lang),
        zip_code_recognizer(lang),
        gift_card_recognizer(lang),
        loyalty_number_recognizer(lang),
        title_recognizer(lang),
        age_recognizer(lang),
        timestamp_recognizer(lang),
        phone_layout_recognizer(lang),
    ]
