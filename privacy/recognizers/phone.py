"""Phone numbers, scored by how much they look like one.

Presidio's `PhoneRecognizer` (python-phonenumbers) gives every match the same 0.4. A number
written the way people write phone numbers (`+44 20 7946 0958`, `(212) 555-0187`,
`905-674-3793`) deserves more than a bare run of digits that happens to be valid somewhere,
which is more often an id. The subclass keeps phonenumbers' validation and only re-scores.
A second, pattern-based recognizer catches short or foreign layouts that phonenumbers does
not validate for the configured regions, but only next to a phone context word.
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

PHONE_CONTEXT = [
    "phone", "telephone", "tel", "cell", "cellphone", "mobile", "call", "fax", "office",
    "desk", "landline", "whatsapp", "sms", "text", "reach", "contact",
]

_INTL = re.compile(r"^\s*(?:\+|00)\d")
_GROUPED = re.compile(r"^\(?\d{2,4}\)?[\s.\-]\d{2,4}[\s.\-]\d{2,5}(?:[\s.\-]\d{1,5})*$")


def phone_score(number: str) -> float:
    """0.75 international, 0.6 grouped with separators, 0.4 (Presidio's default) otherwise."""
    if _INTL.match(number):
        return 0.75
    if _GROUPED.match(number.strip()):
        return 0.6
    return 0.4


class ScoredPhoneRecognizer(PhoneRecognizer):
    """python-phonenumbers matching, with format-aware scores and more regions."""

    REGIONS = ("US", "GB", "DE", "FR", "IT", "ES", "NL", "AU", "IN", "CA", "BR")

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            context=PHONE_CONTEXT,
            supported_language=supported_language,
            supported_regions=self.REGIONS,
            leniency=1,
        )

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if sum(ch.isdigit() for ch in text) < 7:
            return []  # no phone number has fewer digits; skips 11 region scans
        results = super().analyze(text, entities, nlp_artifacts)
        for r in results:
            r.score = phone_score(text[r.start : r.end])
        return results


def phone_layout_recognizer(lang: str) -> PatternRecognizer:
    """Digit groups laid out like a phone number; reported only with a phone context word."""
    return PatternRecognizer(
        supported_entity="PHONE_NUMBER",
        name="PhoneLayoutRecognizer",
        supported_language=lang,
        patterns=[
            Pattern(
                "international",
                r"(?<![\w+])\+\d{1,3}(?:[\s.\-]?\(\d{1,4}\))?(?:[\s.\-]?\d{1,5}){2,5}\b",
                0.5,
            ),
            Pattern(
                "grouped digits",
                r"(?<![\w+\-.])\(?\d{2,4}\)?(?:[\s.\-]\d{2,4}){1,4}\b(?![\-.]\d)",
                0.1,
            ),
        ],
        context=PHONE_CONTEXT,
    )
