"""Payment card numbers: issuer ranges, Luhn, and the words around the number.

Presidio's `CreditCardRecognizer` matches 13–17 digits starting with 1, 3, 4, 5 or 6, so it
misses Mastercard's 2-series (2221–2720), JCB's 15-digit 2131/1800 numbers, 18–19 digit
Visa/Maestro/UnionPay/Discover numbers and 12-digit Maestro numbers. This recognizer keeps
Presidio's approach (regex + Luhn, validated matches score 1.0) with the issuers' published
ranges:

* 13–19 digits that pass Luhn and fall in a known issuer range and length: a card, whatever
  the context (the check digit makes chance matches rare: 1 in 10, and the issuer range
  narrows it further);
* 12 digits, or an unknown range: only when the nearest cue word is a card word ("card",
  "cc", "visa", …; see `privacy.store_ids.number_context`), because a bare 12-digit number
  in a shop chat is normally a tracking number;
* next to "gift card" wording the number is left to the gift-card recognizer.
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from privacy.store_ids import luhn_valid, number_context

#: (prefix range low, high, allowed lengths) per issuer; prefixes compared on equal digits.
ISSUER_RANGES: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({13, 16, 19})),  # Visa (Electron included)
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard 2-series
    ("34", "34", frozenset({15})),  # American Express
    ("37", "37", frozenset({15})),
    ("300", "305", frozenset({14, 16, 17, 18, 19})),  # Diners Club
    ("3095", "3095", frozenset({14, 16, 17, 18, 19})),
    ("36", "36", frozenset({14, 16, 17, 18, 19})),
    ("38", "39", frozenset({14, 16, 17, 18, 19})),
    ("3528", "3589", frozenset({16, 17, 18, 19})),  # JCB
    ("2131", "2131", frozenset({15})),  # JCB 15-digit
    ("1800", "1800", frozenset({15})),
    ("6011", "6011", frozenset({16, 17, 18, 19})),  # Discover
    ("644", "649", frozenset({16, 17, 18, 19})),
    ("65", "65", frozenset({16, 17, 18, 19})),
    ("62", "62", frozenset({16, 17, 18, 19})),  # UnionPay
    ("50", "50", frozenset(range(12, 20))),  # Maestro
    ("56", "69", frozenset(range(12, 20))),
    ("2200", "2204", frozenset({16, 17, 18, 19})),  # Mir
    ("60", "60", frozenset({16})),  # RuPay
    ("81", "82", frozenset({16})),
)

#: 12–19 digits, optionally grouped by single spaces or dashes; not part of a longer number,
#: a word, a decimal or a date.
CARD_CANDIDATE = re.compile(r"(?<![\w+\-./,])\d(?:[ \-]?\d){11,18}(?![\w\-/]|[.,]\d)")


def issuer_known(digits: str) -> bool:
    """Whether `digits` has the length of a card of the issuer whose range it starts with."""
    n = len(digits)
    for low, high, lengths in ISSUER_RANGES:
        if n in lengths and low <= digits[: len(low)] <= high:
            return True
    return False


class CardNumberRecognizer(LocalRecognizer):
    """CREDIT_CARD from issuer range + Luhn, or Luhn + a card cue word (module docstring)."""

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=["CREDIT_CARD"],
            supported_language=supported_language,
            name="CardNumberRecognizer",
        )

    def load(self) -> None:  # noqa: D102
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if "CREDIT_CARD" not in entities or sum(ch.isdigit() for ch in text) < 12:
            return []
        results = []
        for m in CARD_CANDIDATE.finditer(text):
            raw = m.group()
            if raw[0] in " -" or raw[-1] in " -" or ("-" in raw and " " in raw):
                continue
            digits = raw.replace(" ", "").replace("-", "")
            if not luhn_valid(digits) or len(set(digits)) == 1:
                continue
            if len(digits) == 13 and digits[0] == "1":
                continue  # a millisecond timestamp, as Presidio's own pattern excludes
            cue = number_context(text, m.start(), m.end())
            if cue == "gift_card":
                continue
            if len(digits) >= 13 and issuer_known(digits):
                score = 1.0
            elif cue == "card":
                score = 0.9
            else:
                continue
            results.append(RecognizerResult(
                "CREDIT_CARD", m.start(), m.end(), score,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
                },
            ))
        return results
