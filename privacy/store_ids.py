"""The store's own identifiers, which must never be scrubbed.

Order ids, product/item ids, tracking numbers and payment-method ids look like PII to
generic recognizers (10- and 12-digit numbers parse as phone numbers, bank accounts or
driver licences). They are passed to Presidio as a *regex allow list*: a detection whose
whole text matches one of these patterns is dropped by `AnalyzerEngine.analyze` itself.
Presidio applies allow-list regexes with `search`, so every pattern here is anchored.
"""

from __future__ import annotations

import re

#: Full-match patterns (anchored) for identifiers the store issues.
STORE_ID_PATTERNS: tuple[str, ...] = (
    r"^#?W\d{7}$",  # order id, e.g. #W2378156
    r"^\d{10}$",  # product id / item id, e.g. 1008292230
    r"^\d{12}$",  # tracking number, e.g. 843053632392
    r"^(?:credit_card|gift_card|paypal|debit_card|apple_pay|bank_account)_\d{5,9}$",
    r"^[a-z]+(?:_[a-z]+)+_\d{4}$",  # customer account id, e.g. noah_brown_6181
    r"^[$€£]\s?\d{1,3}(?:,?\d{3})*(?:\.\d{2})?$",  # price with a currency sign
    r"^\d{1,3}(?:,?\d{3})*\.\d{2}$",  # bare price, e.g. 488.81
)

#: Tokens that look like store identifiers anywhere in a text (used by the log filter's fast
#: path and by tests); the allow list above is the authoritative check.
STORE_ID_IN_TEXT = re.compile(
    r"#W\d{7}\b|\b(?:credit_card|gift_card|paypal)_\d{5,9}\b|\b\d{10}\b|\b\d{12}\b"
)


def allow_list(extra: tuple[str, ...] = (), terms: tuple[str, ...] = ()) -> list[str]:
    """Allow-list regexes in the form `AnalyzerEngine.analyze(allow_list=...)` expects:
    the store-id patterns, `extra` patterns and literal `terms` (whole, any case, plural s)."""
    out = [*STORE_ID_PATTERNS, *extra]
    words = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if words:
        out.append(r"^(?i:" + "|".join(re.escape(w) for w in words) + r")s?$")
    return out


def store_id_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in STORE_ID_IN_TEXT.finditer(text)]


def is_store_identifier(value: str, extra: tuple[str, ...] = ()) -> bool:
    return any(re.search(p, value.strip()) for p in allow_list(extra))
