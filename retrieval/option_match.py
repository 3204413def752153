"""Stated options: when a shopper names option values ('1 liter stainless steel bottle', 'size 10
waterproof boots'), the variants that have them come first.

Embeddings blur option values (a 750ml bottle sits next to a 1000ml one) and BM25 only counts
shared words, so a variant matching two of three stated options can outrank the one matching
all three. This pass works on the fused candidate list, one product at a time:

- an option key is *stated* for a product when the query names one of that product's values for
  it (all the value's BM25 tokens are in the query: stemmed, so 'experts' names 'expert'), or,
  for a yes/no option, its name ('waterproof');
- within the places the product's points already hold in the list, its variants that satisfy
  every stated option come first (more stated options matched first), then the product's own
  point (its card lists every option), then variants that contradict the query (fewer
  contradictions first). Other products keep their places: this never moves one product above
  another.

Quantities are compared in one spelling (`canonical_units`): '1 liter', '1L' and '1000ml' are
the same capacity, '32 GB' and '32GB' the same storage. Hand-written (~100 lines): a catalog's
option values are structured data, and no library matches free text against them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

TokenIds = Callable[[str], Sequence[int]]

_POSITIVE = frozenset({"yes", "true"})
_NEGATIVE = frozenset({"no", "false", "none", "n/a", "not resistant", "not available"})

# unit spelling -> (canonical unit, factor)
_UNITS: dict[str, tuple[str, float]] = {
    "ml": ("ml", 1), "milliliter": ("ml", 1), "milliliters": ("ml", 1), "millilitre": ("ml", 1),
    "millilitres": ("ml", 1),
    "l": ("ml", 1000), "liter": ("ml", 1000), "liters": ("ml", 1000), "litre": ("ml", 1000),
    "litres": ("ml", 1000), "ltr": ("ml", 1000),
    "gb": ("gb", 1), "tb": ("tb", 1), "mah": ("mah", 1), "mp": ("mp", 1), "megapixel": ("mp", 1),
    "megapixels": ("mp", 1),
    "inch": ("inch", 1), "inches": ("inch", 1), '"': ("inch", 1),  # not "in": 'size 10 in black'
    "ft": ("ft", 1), "feet": ("ft", 1), "foot": ("ft", 1),
    "mm": ("mm", 1), "cm": ("cm", 1), "bar": ("bar", 1), "w": ("w", 1), "watt": ("w", 1),
    "watts": ("w", 1), "hour": ("hour", 1), "hours": ("hour", 1), "hr": ("hour", 1), "hrs": ("hour", 1),
    "degree": ("degree", 1), "degrees": ("degree", 1), "cup": ("cup", 1), "cups": ("cup", 1),
    "oz": ("oz", 1), "lb": ("lb", 1), "lbs": ("lb", 1), "pound": ("lb", 1), "pounds": ("lb", 1),
    "kg": ("kg", 1),
}
_QUANTITY = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*-?\s*("
    + "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
    + r")(?![\w])", re.IGNORECASE)
# Size letters are stopwords to BM25 ('M', 'S'): they are matched as whole upper-case words.
_SIZE_LETTERS = frozenset({"XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL"})


def canonical_units(text: str) -> str:
    """'1 liter' / '1L' / '1000 ml' -> '1000ml'; '10-inch' / '10 inches' -> '10inch'."""
    def one(m: re.Match[str]) -> str:
        unit, factor = _UNITS[m.group(2).lower()]
        value = float(m.group(1)) * factor
        number = f"{value:g}" if value < 1e6 else str(int(value))
        return f"{number}{unit}"
    return _QUANTITY.sub(one, text)


def unit_aliases(text: str) -> str:
    """The canonical spellings of the quantities in `text` ('' if none), for the BM25 text of a
    document, so that a query for '1 liter' finds a '1L' kettle by its words too."""
    return " ".join(canonical_units(m.group(0)) for m in _QUANTITY.finditer(text))


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9%]+", "", text.lower())


@dataclass(frozen=True)
class _Query:
    tokens: frozenset[int]  # BM25 tokens (stemmed, no stopwords)
    grams: frozenset[str]  # 1- to 4-word runs with spaces and hyphens squashed: 'hard cover' = 'hardcover'
    words: frozenset[str]


class OptionMatcher:
    def __init__(self, token_ids: TokenIds) -> None:
        self._token_ids = token_ids
        self._cache: dict[str, frozenset[int]] = {}

    def _tokens(self, text: str) -> frozenset[int]:
        got = self._cache.get(text)
        if got is None:
            got = frozenset(self._token_ids(canonical_units(text)))
            if len(self._cache) < 50_000:
                self._cache[text] = got
        return got

    def _query(self, text: str) -> _Query:
        words = re.findall(r"[\w%]+(?:[-'][\w%]+)*", canonical_units(text))
        parts = [w for word in words for w in re.split(r"[-']", word)]
        grams = {_squash(" ".join(parts[i:i + n])) for n in range(1, 5) for i in range(len(parts) - n + 1)}
        grams |= {_squash(w) for w in words}
        return _Query(self._tokens(text), frozenset(grams - {""}), frozenset(re.findall(r"[A-Za-z]+", text)))

    def _names(self, q: _Query, key: str, value: str, siblings: Sequence[str]) -> bool:
        """Does the query name this option value (or, for a yes/no option, the option)?
        By its words as written ('hardcover' = 'hard cover'), or by its BM25 tokens when those
        tell it from the other values of the option ('over-ear' and 'on-ear' both reduce to
        'ear', so they must be written out)."""
        v = value.strip()
        if v.lower() in _NEGATIVE:
            return False
        if v.upper() in _SIZE_LETTERS and v.isupper():
            return v in q.words
        text = key if v.lower() in _POSITIVE else v
        if _squash(canonical_units(text)) in q.grams:
            return True
        toks = self._tokens(text)
        if not toks or not toks <= q.tokens:
            return False
        return not any(self._tokens(s) == toks for s in siblings if s != v)

    def rerank(self, query: str, payloads: Sequence[dict[str, Any]],
               scores: Sequence[float] | None = None) -> list[int]:
        """The new order of `payloads` (catalog points, best first) as indexes into it. Among
        equally good variants the higher score, then the item id, goes first (engines order
        ties differently)."""
        q = self._query(query)
        groups: dict[str, list[int]] = {}
        for i, p in enumerate(payloads):
            pid = p.get("product_id")
            if pid is not None:
                groups.setdefault(str(pid), []).append(i)
        order = list(range(len(payloads)))
        for idxs in groups.values():
            variants = [i for i in idxs if payloads[i].get("kind") == "variant"]
            if not variants:
                continue
            values: dict[str, list[str]] = {}  # the product's values per option, as far as seen
            for i in idxs:
                for k, vs in (payloads[i].get("options") or {}).items():
                    for v in (vs if isinstance(vs, list) else [vs]):
                        if str(v) not in values.setdefault(k, []):
                            values[k].append(str(v))
            named = {(k, v) for k, vs in values.items() for v in vs if self._names(q, k, v, vs)}
            stated = {k for k, _ in named}
            if not stated:
                continue

            def fit(i: int) -> tuple[int, int]:
                opts = payloads[i].get("options") or {}
                ok = sum(1 for k in stated if (k, str(opts.get(k))) in named)
                return ok, len(stated) - ok

            def tie(i: int) -> tuple[float, str]:
                return (-scores[i] if scores is not None else float(i), str(payloads[i].get("item_id", "")))

            scored = {i: fit(i) for i in variants}
            good = sorted((i for i in variants if scored[i][1] == 0), key=lambda i: (-scored[i][0], *tie(i)))
            bad = sorted((i for i in variants if scored[i][1] > 0), key=lambda i: (scored[i][1], *tie(i)))
            products = [i for i in idxs if payloads[i].get("kind") != "variant"]
            for slot, i in zip(idxs, [*good, *products, *bad]):
                order[slot] = i
        return order
