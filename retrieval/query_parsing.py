"""Shopper-query understanding for the catalog, by rules (hand-written; no model):

- negation: 'a kettle that isn't plastic', 'headphones without wires', 'non-leather boots',
  'not in black' -> the negated phrase is removed from the text both embedders see (embedding
  'not plastic' lands next to 'plastic') and becomes a must-not filter on option attributes;
- price: 'under $100', 'between 50 and 80 dollars', 'over $1,000' -> a price range filter;
- stock: 'in stock' -> available = true.
Only the catalog uses this; policy questions keep their words ('can I cancel an order that is
not pending?' is about 'not pending')."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NEG_CUE = (
    r"(?:is\s+not|isn'?t|are\s+not|aren'?t|was\s+not|wasn'?t|does\s+not|doesn'?t|do\s+not|don'?t|"
    r"not|no|without|w/o|minus|excluding|except(?:\s+for)?|other\s+than|anything\s+but|but\s+not|never|"
    r"non|free\s+of)"
)
# The negated phrase runs to punctuation or a word that starts a new clause.
_STOP = (r"(?=\s*(?:[,.;:!?()]|$|\s(?:and|but|or|that|which|with|for|in\s+(?:stock|a|an|the)|"
         r"under|below|over|above|less|more|between|at|to|please|thanks|because)\b))")
_NEG = re.compile(rf"\b{_NEG_CUE}\s+(?!(?:more|less|fewer|longer|bigger|smaller|larger)\s+than\b)(?P<phrase>[^,.;:!?()]+?){_STOP}", re.IGNORECASE)
_NEG_HYPHEN = re.compile(r"\b(?:non|no|not)-(?P<phrase>[a-z0-9]+)\b", re.IGNORECASE)  # 'non-polarized'
_FREE = re.compile(r"\b(?P<phrase>[a-z][a-z ]*?)-free\b", re.IGNORECASE)  # 'bpa-free', 'plastic-free'
# Filler between the cue and the attribute: 'not made of plastic', "isn't in black", "no more than".
_FILLER = re.compile(
    r"^(?:(?:made|built|constructed)\s+(?:of|from|out\s+of|with)|in|of|from|a|an|the|any|too|very|so|"
    r"really|be|being|have|has|having|use|using|need|want|like|come\s+in|available\s+in)\s+",
    re.IGNORECASE)

_NUM = r"\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?![\d,]|\.\d)(?:\s*(?:k)\b)?"
_UNIT_AFTER = (r"(?!\s*(?:%|mm\b|cm\b|m\b|ml\b|l\b|liters?\b|lbs?\b|pounds?\b|kg\b|g\b|gb\b|tb\b|mb\b|mah\b|w\b|"
               r"watts?\b|mp\b|ft\b|feet\b|foot\b|inch(?:es)?\b|in\b|\"|hours?\b|hrs?\b|pieces?\b|pcs\b|"
               r"cups?\b|bar\b|degrees?\b|x\b|-\s*inch|piece))")
_CUR = r"(?:\s*(?:dollars|usd|bucks|\$))?"
_UPPER = re.compile(rf"\b(?:under|below|less\s+than|cheaper\s+than|at\s+most|max(?:imum)?|up\s+to|"
                    rf"no\s+more\s+than|within|<=?)\s*(?P<cur>\$)?{_NUM}{_UNIT_AFTER}{_CUR}", re.IGNORECASE)
_LOWER = re.compile(rf"\b(?:over|above|more\s+than|at\s+least|min(?:imum)?|from|>=?)\s*(?P<cur>\$)?"
                    rf"{_NUM}{_UNIT_AFTER}{_CUR}", re.IGNORECASE)
_BETWEEN = re.compile(rf"\b(?:between|from)?\s*(?P<cur>\$)\s*(\d[\d,]*)(?:\.(\d{{1,2}}))?\s*(?:-|–|to|and)\s*"
                      rf"\$?\s*(\d[\d,]*)(?:\.(\d{{1,2}}))?{_CUR}"
                      rf"|\bbetween\s+\$?\s*(\d[\d,]*)(?:\.(\d{{1,2}}))?\s+and\s+\$?\s*(\d[\d,]*)(?:\.(\d{{1,2}}))?"
                      rf"{_UNIT_AFTER}{_CUR}", re.IGNORECASE)
_STOCK = re.compile(r"\b(?:in[\s-]stock|available\s+now|currently\s+available|that\s+i\s+can\s+buy\s+now)\b",
                    re.IGNORECASE)
_PRICE_WORDS = re.compile(r"\b(?:price[ds]?|costs?|costing|priced|budget)\b\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    negated: tuple[str, ...] = ()
    price_gte: float | None = None
    price_lte: float | None = None
    in_stock: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.negated or self.price_gte is not None or self.price_lte is not None or self.in_stock)


def _amount(whole: str, cents: str | None, tail: str = "") -> float:
    value = float(whole.replace(",", "")) + (float(f"0.{cents}") if cents else 0.0)
    return value * 1000 if tail.lower().strip().endswith("k") else value


def _strip_filler(phrase: str) -> str:
    prev = None
    phrase = phrase.strip()
    while prev != phrase:
        prev = phrase
        phrase = _FILLER.sub("", phrase).strip()
    return phrase


def _blank(text: str, span: tuple[int, int]) -> str:
    return text[:span[0]] + " " * (span[1] - span[0]) + text[span[1]:]


def parse_catalog_query(query: str) -> ParsedQuery:
    text = query
    gte: float | None = None
    lte: float | None = None
    notes: list[str] = []

    m = _BETWEEN.search(text)
    if m:
        g = m.groups()
        if g[1] is not None:
            lo, hi = _amount(g[1], g[2]), _amount(g[3], g[4])
        else:
            lo, hi = _amount(g[5], g[6]), _amount(g[7], g[8])
        gte, lte = min(lo, hi), max(lo, hi)
        text = _blank(text, m.span())
        notes.append(f"price {gte:g}-{lte:g}")
    for rx, is_upper in ((_UPPER, True), (_LOWER, False)):
        m = rx.search(text)
        if not m:
            continue
        has_currency = bool(m.group("cur")) or bool(re.search(r"(dollars|usd|bucks|\$)\s*$", m.group(0), re.I))
        word = m.group(0).split()[0].lower()
        # 'from 5' alone is too ambiguous; bare numbers after 'under/over' are prices unless a unit follows.
        if word == "from" and not has_currency:
            continue
        amount = _amount(m.group(2), m.group(3), m.group(0))
        if is_upper:
            lte = amount
        else:
            gte = amount
        text = _blank(text, m.span())
        notes.append(("max " if is_upper else "min ") + f"{amount:g}")
    m = _STOCK.search(text)
    in_stock = bool(m)
    if m:
        text = _blank(text, m.span())

    negated: list[str] = []
    for rx in (_NEG_HYPHEN, _NEG, _FREE):
        while True:
            m = rx.search(text)
            if not m:
                break
            phrase = _strip_filler(m.group("phrase"))
            if phrase and not re.fullmatch(r"(?:more|less|longer|bigger|smaller|than|problem|matter|idea)\b.*",
                                           phrase, re.I):
                negated.append(phrase.lower())
            text = _blank(text, m.span())
    text = re.sub(r"\bbut\b", " ", text, flags=re.I)
    text = re.sub(r"\s*([,;])(?:\s*[,;])+", r"\1", text)
    text = re.sub(r"\s+", " ", text).strip(" ,.;:-")
    text = re.sub(r"\b(?:that|which|and|but|with|one)\s*$", "", text, flags=re.I).strip(" ,.;:-")
    if _PRICE_WORDS.search(text) and (gte is not None or lte is not None):
        text = _PRICE_WORDS.sub("", text).strip(" ,.;:-")
    return ParsedQuery(text=text or query.strip(), negated=tuple(negated), price_gte=gte, price_lte=lte,
                       in_stock=in_stock, notes=tuple(notes))
