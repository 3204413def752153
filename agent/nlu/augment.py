"""Entity-swap augmentation of the hand-written store examples: the same sentence with other
products, order ids, item ids, e-mails and zip codes, so the classifier learns the sentence
shape rather than the particular entity. Deterministic (seeded)."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from agent.nlu.data import Example

_ORDER = re.compile(r"#?\bW\d{7}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_ITEM = re.compile(r"\b\d{10}\b")
_ZIP = re.compile(r"\b\d{5}\b")
_BITEXT_ORDER = re.compile(r"\b((?:order|purchase)(?:\s+(?:number|no\.?|id))?\s*)#?\d{5,}\b", re.IGNORECASE)
_FIRST = ("ava", "noah", "mei", "yusuf", "sofia", "omar", "lucas", "aarav", "emma", "raj", "chen", "yara")
_LAST = ("rossi", "kovacs", "li", "brown", "garcia", "silva", "khan", "moore", "nguyen", "lopez")


def _product_pattern(products: Sequence[str]) -> re.Pattern[str]:
    names = sorted({p.lower() for p in products} | {p.lower().split()[-1] for p in products}, key=len,
                   reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")s?\b", re.IGNORECASE)


def bitext_order_ids(examples: Sequence[Example], seed: int = 7) -> list[Example]:
    """Copies of Bitext utterances that quote an order number, with a store-style id
    ("purchase 00004587345" → "purchase #W4587345"), so the store's ids read like Bitext's."""
    rng = random.Random(seed)
    out = []
    for ex in examples:
        if ex.source == "bitext" and _BITEXT_ORDER.search(ex.text):
            t = _BITEXT_ORDER.sub(lambda m: m.group(1) + rng.choice(["#W", "W", "#W"])
                                  + f"{rng.randrange(10**7):07d}", ex.text)
            out.append(Example(t, ex.label, "bitext", ex.split, f"augmented:{ex.origin}"))
    return out


def augment(examples: Sequence[Example], products: Sequence[str], copies: int = 2,
            seed: int = 7) -> list[Example]:
    """Up to `copies` entity-swapped variants of each store example that mentions an entity."""
    rng = random.Random(seed)
    prod_re = _product_pattern(products) if products else None
    names = [p.lower() for p in products]
    out: list[Example] = []
    for ex in examples:
        if ex.source != "store":
            continue
        seen = {ex.text}
        for _ in range(copies):
            t = ex.text
            t = _ORDER.sub(lambda m: rng.choice(["#W", "W", "#W"]) + f"{rng.randrange(10**7):07d}", t)
            t = _EMAIL.sub(lambda m: f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}{rng.randrange(10000)}"
                                     "@example.com", t)
            t = _ITEM.sub(lambda m: f"{rng.randrange(10**9, 10**10)}", t)
            t = _ZIP.sub(lambda m: f"{rng.randrange(10000, 99999)}", t)
            if prod_re is not None and names:
                t = prod_re.sub(lambda m: rng.choice(names), t)
            if t not in seen:
                seen.add(t)
                out.append(Example(t, ex.label, "store", ex.split, f"augmented:{ex.origin}"))
    return out
