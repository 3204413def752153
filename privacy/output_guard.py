"""Last check before a reply leaves: no PII that is not this shopper's own.

The agent may pull another customer's record into a tool result and the LLM may repeat it.
`guard_output` detects PII in the outgoing (already restored) text and withholds every value
that does not belong to this conversation: the shopper's values from the pseudonym map and
their profile. A detected value belongs when its words are all words of one known value
("Noah" or "noah.brown@example.com" against the profile's "Noah Brown" and email), so partial
mentions of the shopper's own data pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from privacy.detector import Detection, PiiDetector
from privacy.text_input import clean_text

WITHHELD = "[withheld]"

#: What the guard protects. LOCATION, dates, organisations are not blocked: replies name
#: cities, store locations and brands all the time.
GUARDED_TYPES: frozenset[str] = frozenset({
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "STREET_ADDRESS", "ZIP_CODE", "CREDIT_CARD",
    "GIFT_CARD", "LOYALTY_NUMBER", "IBAN_CODE", "US_SSN", "US_DRIVER_LICENSE", "US_PASSPORT",
    "US_BANK_NUMBER", "US_ITIN", "IP_ADDRESS", "CRYPTO",
})

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _words(value: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(value)}


@dataclass(frozen=True)
class GuardVerdict:
    allowed: bool
    offending: list[Detection] = field(default_factory=list)
    safe_text: str = ""

    def __repr__(self) -> str:
        return f"GuardVerdict(allowed={self.allowed}, offending={[d.entity_type for d in self.offending]})"


def belongs(value: str, known_values: Iterable[str]) -> bool:
    words = _words(value)
    if not words:
        return True
    digits = re.sub(r"\D", "", value)
    for known in known_values:
        if words <= _words(known):
            return True
        if len(digits) >= 7 and digits == re.sub(r"\D", "", known):
            return True  # same phone / card number, written differently
    return False


def guard_output(
    text: str,
    known_values: Iterable[str],
    detector: PiiDetector,
    guarded_types: frozenset[str] = GUARDED_TYPES,
    replacement: str = WITHHELD,
) -> GuardVerdict:
    """Verdict on `text`: the offending detections and the text with them replaced."""
    text = clean_text(text)
    known = [k for k in known_values if k and k.strip()]
    offending = [
        d for d in detector.detect(text)
        if d.entity_type in guarded_types and not belongs(d.text, known)
    ]
    if not offending:
        return GuardVerdict(True, [], text)
    out, last = [], 0
    for d in offending:
        out.append(text[last : d.start])
        out.append(replacement)
        last = d.end
    out.append(text[last:])
    return GuardVerdict(False, offending, "".join(out))
