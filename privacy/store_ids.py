"""The store's own identifiers, which must never be scrubbed, and the numbers that only
context can tell apart from PII.

Two kinds of store identifier:

* **Unambiguous shapes** (`#W2378156`, `credit_card_9513926`, `noah_brown_6181`, prices) are
  passed to Presidio as a *regex allow list*: a detection whose whole text matches one of
  `STORE_ID_PATTERNS` is dropped by `AnalyzerEngine.analyze` itself. Presidio applies
  allow-list regexes with `search`, so every pattern is anchored.
* **Bare digit runs** of the store's id lengths (10-digit product/item ids, 12-digit tracking
  numbers) have the same shape as a phone number written without separators or a
  12-digit (Maestro) card number. `number_context` reads the words around the number: the
  nearest cue word wins ("tracking", "item", "order" → store id; "card", "visa", "cc" →
  card; "phone", "call", "fax", "mobile" → phone). With no cue at all, the store's reading
  wins (a bare 12-digit number in a shop chat is a tracking number far more often than a
  card); a "card" cue only counts for a 12-digit number that passes the Luhn check.
  `store_id_spans(text)` returns the spans that are store identifiers in *this* text.
"""

from __future__ import annotations

import re
from typing import Literal

#: Full-match patterns (anchored) for identifiers whose shape alone says "store id".
STORE_ID_PATTERNS: tuple[str, ...] = (
    r"^#?W\d{7}$",  # order id, e.g. #W2378156
    r"^(?:credit_card|gift_card|paypal|debit_card|apple_pay|bank_account)_\d{5,9}$",
    r"^[a-z]+(?:_[a-z]+)+_\d{4}$",  # customer account id, e.g. noah_brown_6181
    r"^[$€£]\s?\d{1,3}(?:,?\d{3})*(?:\.\d{2})?$",  # price with a currency sign
    r"^\d{1,3}(?:,?\d{3})*\.\d{2}$",  # bare price, e.g. 488.81
)

#: Unambiguous store identifiers inside a text.
_UNAMBIGUOUS_IN_TEXT = re.compile(
    r"#W\d{7}\b|(?<![\w#])W\d{7}\b"
    r"|\b(?:credit_card|gift_card|paypal|debit_card|apple_pay|bank_account)_\d{5,9}\b"
    r"|\b[a-z]+(?:_[a-z]+)+_\d{4}\b"
)
#: Bare digit runs with the store's id lengths (10: product/item id, 12: tracking number).
_AMBIGUOUS_IN_TEXT = re.compile(r"(?<![\w+\-.,/])(?:\d{10}|\d{12})(?![\w\-/]|[.,]\d)")

#: Shape-only view of every store identifier (unambiguous or not), for callers that need a
#: cheap "could there be a store id here" test (the log filter's fast path, the benchmark).
STORE_ID_IN_TEXT = re.compile(
    r"#W\d{7}\b|\b(?:credit_card|gift_card|paypal)_\d{5,9}\b|\b\d{10}\b|\b\d{12}\b"
)

Cue = Literal["store_id", "card", "gift_card", "phone"]

#: Words that say what a nearby number is. Compared on lower-cased letter runs, so
#: "Tracking#", "(tracking)" and "tracking:" all count.
CUE_WORDS: dict[str, Cue] = {
    **dict.fromkeys(
        ["tracking", "track", "trackings", "order", "orders", "item", "items", "product",
         "products", "sku", "skus", "shipment", "shipments", "package", "packages", "parcel",
         "parcels", "id", "ids", "reference", "ref", "confirmation", "invoice", "rma", "awb",
         "waybill", "ups", "fedex", "usps", "dhl", "courier", "delivery", "model", "article",
         "listing", "catalog", "catalogue", "barcode", "upc", "ean", "isbn", "asin", "lot",
         "batch", "serial", "ticket", "case", "return", "exchange"],
        "store_id",
    ),
    **dict.fromkeys(
        ["card", "cards", "creditcard", "cc", "credit", "debit", "visa", "mastercard", "amex",
         "maestro", "discover", "jcb", "diners", "unionpay", "cvv", "expiry", "pan"],
        "card",
    ),
    **dict.fromkeys(["gift", "giftcard", "voucher", "redeem"], "gift_card"),
    **dict.fromkeys(
        ["phone", "telephone", "tel", "cell", "cellphone", "mobile", "call", "calling", "fax",
         "text", "txt", "sms", "whatsapp", "dial", "ring", "landline", "reach", "contact",
         "cellular", "mob", "ph", "answering", "voicemail", "callback", "calls"],
        "phone",
    ),
}
#: Line labels of a contact block ("Desk: 5403926876", "416 60 039 office"): phone cues only
#: right next to the number, since "Office Chair 8426249116" is a product.
LABEL_WORDS: dict[str, Cue] = dict.fromkeys(["office", "desk", "home", "work", "direct"], "phone")
#: "my number", "new number": a phone cue only with one of these words right before it
#: ("my tracking number" is not a phone cue: the word before "number" is "tracking").
_NUMBER_OWNERS = {"my", "new", "old", "contact", "callback", "home", "work", "her", "his", "our", "your"}

_WORD = re.compile(r"[^\W\d_]+")
WINDOW_BEFORE = 6
WINDOW_AFTER = 2


def _cue_of(words: list[tuple[str, int, int]], k: int) -> Cue | None:
    word = words[k][0]
    if word == "number" or word == "no" or word == "num":
        prev = words[k - 1][0] if k > 0 else ""
        return "phone" if prev in _NUMBER_OWNERS else None
    if word == "card" and k > 0 and words[k - 1][0] == "gift":
        return "gift_card"
    return CUE_WORDS.get(word)


def number_context(text: str, start: int, end: int) -> Cue | None:
    """What the words around `text[start:end]` say the number is: the nearest cue word within
    six words before or two words after in the same clause (before wins a tie); None without
    a cue.

    Store-id tokens (`credit_card_9513926`) are not read as "card" cues, and words on the
    other side of a sentence end are not read at all.
    """
    before_text = _UNAMBIGUOUS_IN_TEXT.sub(" ", text[max(0, start - 120): start])
    before_text = re.split(r"[.!?](?:\s|$)|\n\s*\n", before_text)[-1]
    after_text = _UNAMBIGUOUS_IN_TEXT.sub(" ", text[end: end + 60])
    after_text = re.split(r"[.!?](?:\s|$)|[\n,;(]", after_text)[0]
    before = [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(before_text)]
    after = [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(after_text)]
    best: tuple[int, int, Cue] | None = None
    for dist, k in enumerate(range(len(before) - 1, max(-1, len(before) - 1 - WINDOW_BEFORE), -1)):
        cue = _cue_of(before, k)
        if dist == 0 and not cue and re.fullmatch(r"\s*:\s*", before_text[before[k][2]:]):
            cue = LABEL_WORDS.get(before[k][0])
        if cue:
            best = (dist, 0, cue)
            break
    for dist, k in enumerate(range(min(WINDOW_AFTER, len(after)))):
        cue = _cue_of(after, k)
        if dist == 0 and not cue and re.fullmatch(r"[\s\-]*", after_text[: after[k][1]]):
            cue = LABEL_WORDS.get(after[k][0])
        if cue:
            if best is None or (dist, 1) < best[:2]:
                best = (dist, 1, cue)
            break
    return best[2] if best else None


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def is_ambiguous_pii(text: str, start: int, end: int) -> bool:
    """A bare 10/12-digit run that its context says is a card, gift card or phone number."""
    cue = number_context(text, start, end)
    if cue == "card":
        return end - start == 12 and luhn_valid(text[start:end])
    return cue in ("phone", "gift_card")


def allow_list(extra: tuple[str, ...] = (), terms: tuple[str, ...] = ()) -> list[str]:
    """Allow-list regexes in the form `AnalyzerEngine.analyze(allow_list=...)` expects:
    the store-id patterns, `extra` patterns and literal `terms` (whole, any case, plural s)."""
    out = [*STORE_ID_PATTERNS, *extra]
    words = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if words:
        out.append(r"^(?i:" + "|".join(re.escape(w) for w in words) + r")s?$")
    return out


def store_id_spans(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that are the store's identifiers, read in context (module docstring)."""
    spans = [m.span() for m in _UNAMBIGUOUS_IN_TEXT.finditer(text)]
    for m in _AMBIGUOUS_IN_TEXT.finditer(text):
        if not is_ambiguous_pii(text, m.start(), m.end()):
            spans.append(m.span())
    return sorted(spans)


def is_store_identifier(value: str, extra: tuple[str, ...] = ()) -> bool:
    """Whether `value` on its own is a store identifier (a bare 10/12-digit run is)."""
    value = value.strip()
    return any(re.search(p, value) for p in allow_list(extra)) or bool(
        re.fullmatch(r"\d{10}|\d{12}", value)
    )
