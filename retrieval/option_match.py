"""Stated options: when a shopper names option values ('1 liter stainless steel bottle', 'size 10
waterproof boots'), the variants that have them come first.

Embeddings blur option values (a 750ml bottle sits next to a 1000ml one) and BM25 only counts
shared words, so a variant matching two of three stated options can outrank the one matching
all three. This pass works on the fused candidate list, one product at a time:

- an option key is *stated* for a product when the query names one of that product's values for
  it (all the value's BM25 tokens are in the query: stemmed, so 'experts' names 'expert'), or,
  for a yes/no option, its name ('waterproof');
- within the places the product's points already hold in the list, its variants that satisfy
  every stated option come first, then the product's own point (its card lists every option),
  then variants that contradict the query (fewer contradictions first). Other products keep
  their places: this never moves one product above another.

Quantities are compared in one spelling (`retrieval.units`). Hand-written (~90 lines): a
catalog's option values are structured data, and no library matches free text against them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from retrieval.catalog_docs import POSITIVE_VALUES, TokenIds, is_negative
from retrieval.units import canonical_units

# Size letters are stopwords to BM25 ('M', 'S'): they are matched as whole upper-case words.
_SIZE_LETTERS = frozenset({"XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL"})


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
        """Tokens of an option value or name (cached: the catalog repeats them on every query)."""
        got = self._cache.get(text)
        if got is None:
            got = frozenset(self._token_ids(canonical_units(text)))
            if len(self._cache) < 50_000:
                self._cache[text] = got
        return got

    def _query(self, text: str) -> _Query:
        canon = canonical_units(text)
        words = re.findall(r"[\w%]+(?:[-'][\w%]+)*", canon)
        parts = [w for word in words for w in re.split(r"[-']", word)]
        grams = {_squash(" ".join(parts[i:i + n])) for n in range(1, 5) for i in range(len(parts) - n + 1)}
        grams |= {_squash(w) for w in words}
        return _Query(frozenset(self._token_ids(canon)), frozenset(grams - {""}),
                      frozenset(re.findall(r"[A-Za-z]+", text)))

    def _names(self, q: _Query, key: str, value: str, siblings: Sequence[str]) -> bool:
        """Does the query name this option value (or, for a yes/no option, the option)?
        By its words as written ('hardcover' = 'hard cover'), or by its BM25 tokens when those
        tell it from the other values of the option ('over-ear' and 'on-ear' both reduce to
        'ear', so they must be written out)."""
        v = value.strip()
        if is_negative(v):
            return False
        if v.upper() in _SIZE_LETTERS and v.isupper():
            return v in q.words
        text = key if v.lower() in POSITIVE_VALUES else v
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

            def misses(i: int) -> int:  # stated options this variant contradicts
                opts = payloads[i].get("options") or {}
                return sum(1 for k in stated if (k, str(opts.get(k))) not in named)

            def tie(i: int) -> tuple[float, str]:
                return (-scores[i] if scores is not None else float(i), str(payloads[i].get("item_id", "")))

            miss = {i: misses(i) for i in variants}
            good = sorted((i for i in variants if miss[i] == 0), key=tie)
            bad = sorted((i for i in variants if miss[i] > 0), key=lambda i: (miss[i], *tie(i)))
            products = [i for i in idxs if payloads[i].get("kind") != "variant"]
            for slot, i in zip(idxs, [*good, *products, *bad]):
                order[slot] = i
        return order
