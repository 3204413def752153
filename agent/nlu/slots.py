"""Deterministic slot extraction (regular expressions + the catalog's fuzzy matcher, no model):
order ids, e-mail, name + zip, item ids, cancel reason, payment hint, all-items, products,
option values (with negation), and yes/no flags. Only slots that were found are returned."""

from __future__ import annotations

import re
from typing import Any

from agent.nlu.catalog import Catalog
from agent.nlu.text import ALL_ITEMS

_ORDER_PATTERNS = (
    re.compile(r"#\s?w?\s?(\d{7})\b", re.IGNORECASE),
    re.compile(r"\bw\s?(\d{7})\b", re.IGNORECASE),
    re.compile(r"\border\s*(?:number|no\.?|num|id|#)?\s*(?:is|:)?\s*(\d{7})\b", re.IGNORECASE),
    re.compile(r"(?<![\d#\w-])(\d{7})(?![\d-])"),
)
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_ITEM_ID = re.compile(r"(?<!\d)(\d{10})(?!\d)")
_ZIP_CUE = re.compile(r"\b(?:zip|zipcode|zip\s*code|postal\s*code|postcode|post\s*code)\b\D{0,12}?(\d{5})(?!\d)",
                      re.IGNORECASE)
_ZIP_BARE = re.compile(r"(?<![\d#\w-])(\d{5})(?![\d-])")
_NAME_WORD = r"([A-Za-z][A-Za-z'\-]{1,29})"
_STRONG_NAME = re.compile(r"\b(?:my\s+(?:full\s+)?name\s+is|my\s+name's|name\s*(?:is|:)|name's|"
                          r"i\s+go\s+by|call\s+me|account\s+is\s+under|under\s+the\s+name(?:\s+of)?)\s+"
                          + _NAME_WORD + r"\s+" + _NAME_WORD, re.IGNORECASE)
_WEAK_NAME = re.compile(r"(?:^|[\s,.;:!])(?:i'm|i\s+am|im|this\s+is|it's|it\s+is|here\s+is)\s+"
                        + _NAME_WORD + r"\s+" + _NAME_WORD, re.IGNORECASE)
_SPLIT_NAME = re.compile(r"first\s+name\s*(?:is|:)?\s*" + _NAME_WORD + r".{0,20}?last\s+name\s*(?:is|:)?\s*"
                         + _NAME_WORD, re.IGNORECASE)
_LEADING_NAME = re.compile(r"^\s*(?:hi,?\s+|hello,?\s+)?([A-Z][a-z'\-]+)\s+([A-Z][a-z'\-]+)\s*(?:,|here\b|\d{5})")
# Words that follow "I'm"/"this is" but are not names.
_NOT_NAMES = set("""
a an the and or but so to of in on at for from with about by as is am are was were be been being
my your his her its our their this that these those it here there not no yes yeah sure ok okay
looking trying going wanting hoping calling writing asking wondering interested sorry glad happy
unhappy upset angry confused done finished ready back still just also really very so too quite
having getting waiting planning thinking talking reaching contacting following checking needing
want need like would could should can will may might must have has had do does did get got make
order orders item items return exchange refund cancel account email zip code name the customer
new old good bad fine great hi hello hey thanks thank please help user shopper buyer owner holder
regarding concerning calling about mr mrs ms miss dr sir madam one two three all any some
""".split())
_CANCEL_REASONS = (
    ("ordered by mistake", re.compile(
        r"\b(?:by\s+(?:mistake|accident)|mistaken(?:ly)?|accidental(?:ly)?|didn'?t\s+mean\s+to|did\s+not\s+mean\s+to|"
        r"ordered\s+(?:the\s+)?wrong|wrong\s+order|in\s+error|unintentional(?:ly)?|misclick)", re.IGNORECASE)),
    ("no longer needed", re.compile(
        r"\b(?:no\s+longer\s+(?:need|needed|want|wanted|required|necessary)|(?:don'?t|do\s+not|doesn'?t)\s+"
        r"(?:need|want)\s+(?:it|them|this|that|these|those|the\s+\w+)?\s*(?:any\s*more|anymore)|"
        r"not\s+needed|no\s+need\s+for|(?:don'?t|do\s+not)\s+need\s+(?:it|them)\b|found\s+(?:a\s+)?(?:it\s+)?"
        r"(?:cheaper|better)|not\s+necessary)", re.IGNORECASE)),
)
_NOT_CHOSEN = re.compile(r"\b(?:instead\s+of|rather\s+than|not\s+(?:the|my|to|on|with)?|but\s+not|"
                         r"from)\s+(?:the\s+|my\s+|a\s+)?"
                         r"(gift\s*-?\s*card|pay\s*pal|credit\s+card|debit\s+card|card|visa|mastercard|amex)",
                         re.IGNORECASE)
_PAYMENT = (
    ("original", re.compile(r"\b(?:original|same)\s+(?:payment|method|card|account|form\s+of\s+payment|way)|"
                            r"\bwhere\s+i\s+paid\b|\bhow\s+i\s+paid\b|\bthe\s+original\s+one\b", re.IGNORECASE)),
    ("gift_card", re.compile(r"\bgift\s*-?\s*cards?\b|\bstore\s+credit\b", re.IGNORECASE)),
    ("paypal", re.compile(r"\bpay\s*pal\b", re.IGNORECASE)),
    ("credit_card", re.compile(r"\b(?:credit|debit)\s*cards?\b|\bvisa\b|\bmaster\s*card\b|\bamex\b|"
                               r"\bamerican\s+express\b|\bdiscover\s+card\b|\bcard\s+ending\b", re.IGNORECASE)),
)
_LAST_FOUR = re.compile(r"\bending\s+(?:in|with)\s*(\d{4})\b", re.IGNORECASE)
_ALL_ITEMS = ALL_ITEMS
_AFFIRM = re.compile(r"^\s*(?:yes|yeah|yea|yep|yup|ya|y|sure|ok|okay|k|confirm(?:ed)?|correct|right|"
                     r"that'?s\s+(?:right|correct|it)|go\s+ahead|please\s+do|do\s+it|proceed|"
                     r"please\s+proceed|absolutely|definitely|of\s+course|affirmative|sounds\s+good|"
                     r"alright|all\s+right|i\s+confirm|i\s+agree|agreed|perfect)\b(?![-'])",
                     re.IGNORECASE)
_DENY = re.compile(r"^\s*(?:no(?!\s+(?:longer|need|problem|worries))|nope|nah|n|negative|"
                   r"don'?t(?:\s+do\s+(?:it|that))?|do\s+not|never\s*mind|nevermind|stop|wait|hold\s+on|"
                   r"not\s+(?:now|yet|that|really)|cancel\s+that|absolutely\s+not|that'?s\s+(?:wrong|"
                   r"incorrect|not\s+right)|wrong|incorrect)\b", re.IGNORECASE)


def normalize_order_id(digits: str) -> str:
    return f"#W{digits}"


def extract_order_ids(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pat in _ORDER_PATTERNS:
        for m in pat.finditer(text):
            span = m.span(1)
            if any(s <= span[0] < e for s, e in taken):
                continue
            taken.append(span)
            found.append((span[0], normalize_order_id(m.group(1))))
    return list(dict.fromkeys(v for _, v in sorted(found)))


def _name_ok(first: str, last: str, text: str, strong: bool) -> bool:
    for w in (first, last):
        if w.lower() in _NOT_NAMES or not w[0].isalpha():
            return False
    if strong:
        return True
    # weak cue ("I'm X Y"): need capitalised words, unless the whole text is lower case
    lowered = text == text.lower()
    return lowered or (first[0].isupper() and last[0].isupper())


def extract_name(text: str) -> tuple[str, str] | None:
    """(first, last) when the shopper states their name."""
    m = _SPLIT_NAME.search(text)
    if m and _name_ok(m.group(1), m.group(2), text, True):
        return m.group(1).title(), m.group(2).title()
    for pat, strong in ((_STRONG_NAME, True), (_WEAK_NAME, False), (_LEADING_NAME, False)):
        for m in pat.finditer(text):
            if _name_ok(m.group(1), m.group(2), text, strong):
                return m.group(1).title(), m.group(2).title()
    return None


def extract_zip(text: str, have_name: bool) -> str | None:
    m = _ZIP_CUE.search(text)
    if m:
        return m.group(1)
    if have_name:
        m = _ZIP_BARE.search(text)
        if m:
            return m.group(1)
    return None


def extract_payment(text: str) -> tuple[str | None, str | None]:
    """(payment_hint, card_last_four)."""
    cleaned = _NOT_CHOSEN.sub(" ", text)
    hits = []
    for value, pat in _PAYMENT:
        m = pat.search(cleaned)
        if m:
            hits.append((m.start(), value))
    hint = sorted(hits)[0][1] if hits else None
    if hint is None and _NOT_CHOSEN.search(text) is None and re.search(r"\bcard\b", text, re.IGNORECASE) \
            and _LAST_FOUR.search(text):
        hint = "credit_card"
    four = _LAST_FOUR.search(text)
    return hint, four.group(1) if four else None


def extract_slots(text: str, catalog: Catalog | None = None) -> dict[str, Any]:
    """Every slot found in `text`; keys are absent when nothing was found."""
    slots: dict[str, Any] = {}
    order_ids = extract_order_ids(text)
    if order_ids:
        slots["order_id"] = order_ids[0]
        if len(order_ids) > 1:
            slots["order_ids"] = order_ids
    emails = _EMAIL.findall(text)
    if emails:
        slots["email"] = emails[0].lower()
    name = extract_name(_EMAIL.sub(" ", text))
    if name:
        slots["first_name"], slots["last_name"] = name
    zip_code = extract_zip(text, name is not None)
    if zip_code:
        slots["zip"] = zip_code
    item_ids = list(dict.fromkeys(_ITEM_ID.findall(text)))
    if item_ids:
        slots["item_ids"] = item_ids
    for reason, pat in _CANCEL_REASONS:
        if pat.search(text):
            slots["cancel_reason"] = reason
            break
    hint, four = extract_payment(text)
    if hint:
        slots["payment_hint"] = hint
    if four:
        slots["card_last_four"] = four
    if _ALL_ITEMS.search(text):
        slots["all_items"] = True
    if catalog is not None:
        mentions = catalog.find_products(text)
        if mentions:
            slots["product"] = mentions[0].candidates[0]
            slots["products"] = list(dict.fromkeys(c for m in mentions for c in m.candidates))
            if len(mentions[0].candidates) > 1:
                slots["product_ambiguous"] = True
        rest = _EMAIL.sub(" ", text)
        if name:
            rest = re.sub(rf"\b(?:{re.escape(name[0])}|{re.escape(name[1])})\b", " ", rest, flags=re.IGNORECASE)
        options = catalog.find_options(rest, slots.get("products"), restrict=False)
        if options:
            slots["options"] = [o.as_slot() for o in options]
    affirm, deny = bool(_AFFIRM.search(text)), bool(_DENY.search(text))
    if affirm != deny:
        slots["affirm" if affirm else "deny"] = True
    return slots
