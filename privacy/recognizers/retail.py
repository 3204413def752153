"""Retail recognizers: street addresses (in `address.py`), zip codes, gift-card and loyalty numbers, titles, ages.

All are Presidio `PatternRecognizer`s: a regex gives a base score and Presidio's context
enhancer lifts weak matches when a context word ("zip", "gift card", "ship to") is near.
Patterns that are ambiguous on their own (a bare 5-digit number, a digit run) start below the
analyzer threshold, so they are only reported with context.

These recognizers are case-sensitive (no IGNORECASE): capitalisation is most of what tells a
street name or a person's title from ordinary words; case-insensitive parts use `(?i:...)`.
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

from privacy.recognizers.address import StreetAddressRecognizer

CASE_SENSITIVE = re.DOTALL | re.MULTILINE


def street_address_recognizer(lang: str) -> StreetAddressRecognizer:
    """Street lines with their unit, city, region and postcode (see `address.py`)."""
    return StreetAddressRecognizer(supported_language=lang)


def zip_code_recognizer(lang: str) -> PatternRecognizer:
    """Postcodes are plain numbers: only reported next to a zip/postal context word."""
    return PatternRecognizer(
        supported_entity="ZIP_CODE",
        name="ZipCodeRecognizer",
        supported_language=lang,
        patterns=[
            Pattern("us zip", r"(?<![\w#$.,])\d{5}(?:-\d{4})?\b(?![.,]\d)", 0.1),
            Pattern("4-digit / pt postcode", r"(?<![\w#$.,])\d{4}(?:-\d{3})?\b(?![.,]\d)", 0.05),
            Pattern("uk postcode", r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b", 0.3),
        ],
        context=["zip", "zipcode", "postal", "postcode", "post code", "zip code"],
        global_regex_flags=CASE_SENSITIVE,
    )


def gift_card_recognizer(lang: str) -> PatternRecognizer:
    """Gift-card numbers and claim codes, next to gift-card wording."""
    return PatternRecognizer(
        supported_entity="GIFT_CARD",
        name="GiftCardRecognizer",
        supported_language=lang,
        patterns=[
            Pattern("grouped code", r"\b[A-Z0-9]{4}(?:[- ][A-Z0-9]{4}){2,4}\b", 0.3),
            Pattern("digits", r"(?<![\w#])\d{12,19}\b", 0.1),
            Pattern("alnum code", r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{10,20}\b", 0.1),
        ],
        context=["gift", "giftcard", "voucher", "redeem", "claim", "pin", "store credit"],
        global_regex_flags=CASE_SENSITIVE,
    )


def loyalty_number_recognizer(lang: str) -> PatternRecognizer:
    """Loyalty / rewards membership numbers, next to loyalty wording."""
    return PatternRecognizer(
        supported_entity="LOYALTY_NUMBER",
        name="LoyaltyNumberRecognizer",
        supported_language=lang,
        patterns=[Pattern("member number", r"(?<![\w#])(?:[A-Z]{2,4}-?)?\d{6,12}\b", 0.05)],
        context=["loyalty", "rewards", "reward", "member", "membership", "points", "club"],
        global_regex_flags=CASE_SENSITIVE,
    )


def title_recognizer(lang: str) -> PatternRecognizer:
    """Honorifics in front of a capitalised name."""
    return PatternRecognizer(
        supported_entity="TITLE",
        name="TitleRecognizer",
        supported_language=lang,
        patterns=[
            Pattern(
                "honorific",
                r"\b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Rev|Madam|Mme|Mlle|Herr|Frau)\b\.?"
                r"(?=\s+\p{Lu})",
                0.6,
            )
        ],
        global_regex_flags=CASE_SENSITIVE,
    )


def age_recognizer(lang: str) -> PatternRecognizer:
    """Ages: "34 year old", "aged 34", "age: 34"."""
    return PatternRecognizer(
        supported_entity="AGE",
        name="AgeRecognizer",
        supported_language=lang,
        patterns=[
            Pattern("n year old", r"\b\d{1,3}(?=[\s-]*(?i:years?|yrs?)[\s-]*(?i:old)\b)", 0.6),
            Pattern("aged n", r"(?<=\b(?i:aged?)\s*:?\s*)\d{1,3}\b", 0.5),
            Pattern("n y/o", r"\b\d{1,3}(?=\s*(?i:y/o|yo)\b)", 0.5),
            # "I just turned 47", "I'll turn 23" (not "turn 2 pages", "turned 90 degrees")
            Pattern("turned n", r"(?<=\b(?i:turn|turned|turning|turns)\s)(?:1[0-9]|[2-9][0-9]|1[01][0-9])\b"
                    r"(?!\s*(?:%|(?i:degrees?|percent|pages?|times?|minutes?|km|miles?|left|right)))", 0.5),
        ],
        global_regex_flags=CASE_SENSITIVE,
    )


def timestamp_recognizer(lang: str) -> PatternRecognizer:
    """ISO-style timestamps as one DATE_TIME ("2006-04-07 09:00:27"); spaCy and Presidio's
    date pattern split the date from the time."""
    return PatternRecognizer(
        supported_entity="DATE_TIME",
        name="TimestampRecognizer",
        supported_language=lang,
        patterns=[Pattern(
            "date + time",
            r"\b\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?(?:Z|[+-]\d{2}:?\d{2}|(?i:am|pm)))?)\b",
            0.9,
        )],
        global_regex_flags=CASE_SENSITIVE,
    )
