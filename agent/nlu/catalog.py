"""The store catalog as plain data, and fuzzy matching of free text against it: product
mentions (plurals, synonyms, typos), option values (with negation: "not plastic"), the variants
of a product that fit a description, and the lines of an order that a description points at.

The catalog is given as data (a τ² db.json dict, its "products" mapping, or a list of products
with name/variants); nothing here imports the store's tool layer."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.nlu.text import ALL_ITEMS, tokens

# Extra names shoppers use, keyed by lower-case product name (used only if the product exists).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "wireless earbuds": ("earbuds", "earbud", "ear buds", "earphones", "earpods", "airpods", "in ear headphones"),
    "headphones": ("headphone", "headset", "earphones", "cans"),
    "mechanical keyboard": ("keyboard", "keyboards"),
    "t-shirt": ("tshirt", "t shirt", "tee", "tee shirt", "shirt"),
    "running shoes": ("running shoe", "runners", "trainers", "shoes"),
    "sneakers": ("sneaker", "trainers", "shoes"),
    "hiking boots": ("boots", "boot", "hiking boot"),
    "electric kettle": ("kettle",),
    "tea kettle": ("kettle", "teakettle", "tea pot", "teapot"),
    "coffee maker": ("coffee machine", "coffeemaker", "coffee brewer"),
    "espresso machine": ("espresso maker", "coffee machine"),
    "smartphone": ("phone", "cell phone", "mobile phone", "smart phone", "mobile"),
    "laptop": ("notebook computer", "computer"),
    "wristwatch": ("wrist watch", "watch"),
    "smart watch": ("smartwatch", "watch", "fitness watch"),
    "gaming mouse": ("mouse", "computer mouse"),
    "action camera": ("camera", "gopro", "action cam"),
    "digital camera": ("camera",),
    "indoor security camera": ("security camera", "camera", "security cam"),
    "portable charger": ("power bank", "powerbank", "battery pack", "charger"),
    "bluetooth speaker": ("speaker", "wireless speaker"),
    "e-reader": ("ereader", "kindle", "ebook reader"),
    "led light bulb": ("light bulb", "bulb", "lightbulb", "smart bulb"),
    "yoga mat": ("mat", "exercise mat"),
    "luggage set": ("luggage", "suitcase", "suitcases"),
    "patio umbrella": ("umbrella",),
    "vacuum cleaner": ("vacuum", "hoover", "robot vacuum"),
    "makeup kit": ("make up kit", "makeup"),
    "office chair": ("chair", "desk chair"),
    "pet bed": ("dog bed", "cat bed"),
    "dumbbell set": ("dumbbells", "dumbbell", "weights"),
    "cycling helmet": ("helmet", "bike helmet", "bicycle helmet"),
    "bicycle": ("bike",),
    "jigsaw puzzle": ("puzzle",),
    "water bottle": ("bottle",),
    "desk lamp": ("lamp",),
    "wall clock": ("clock",),
    "garden hose": ("hose",),
    "air purifier": ("purifier",),
    "smart thermostat": ("thermostat",),
    "fleece jacket": ("jacket", "fleece"),
    "backpack": ("back pack", "rucksack", "bag"),
    "bookshelf": ("book shelf", "bookcase"),
    "grill": ("bbq", "barbecue"),
    "skateboard": ("skate board", "board"),
    "perfume": ("fragrance", "cologne", "scent"),
    "tablet": ("ipad",),
    "sunglasses": ("shades", "sun glasses"),
    "electric toothbrush": ("toothbrush",),
}
# Alternative spellings of option values.
VALUE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "grey": ("gray",), "gray": ("grey",), "space grey": ("space gray",), "wi-fi": ("wifi", "wireless internet"),
    "rgb": ("rainbow backlight", "rgb backlight"), "usb-c": ("usbc", "type c"), "full size": ("fullsize", "full sized"),
    "stainless steel": ("steel",), "memory foam": ("memoryfoam",), "hard cover": ("hardcover", "hardback"),
    "soft cover": ("softcover", "paperback"),
}
LETTER_SIZES = {"xs": ("extra small",), "s": ("small",), "m": ("medium",), "l": ("large",),
                "xl": ("extra large",), "xxl": ("double extra large", "2xl")}
NEGATORS = {"not", "no", "non", "without", "except", "nothing", "avoid", "never", "isnt", "dont"}
_STOP_FUZZY = {"there", "these", "those", "where", "which", "would", "could", "should", "about", "order",
               "orders", "return", "please", "thanks", "thank", "change", "exchange", "cancel", "item",
               "items", "other", "another", "color", "colour", "bought", "brought", "ordered", "other"}


@dataclass(frozen=True)
class Variant:
    item_id: str
    options: Mapping[str, str]
    available: bool = True
    price: float | None = None


@dataclass(frozen=True)
class Product:
    name: str
    product_id: str = ""
    variants: tuple[Variant, ...] = ()

    @property
    def attributes(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for v in self.variants:
            for k, val in v.options.items():
                out.setdefault(k, set()).add(val)
        return out


@dataclass(frozen=True)
class ProductMention:
    text: str
    start: int  # token offsets
    end: int
    candidates: tuple[str, ...]  # product names, best first
    negated: bool = False  # "not the bottle", "everything except the lamp"


@dataclass(frozen=True)
class OptionMention:
    text: str
    value: str
    attribute: str
    attributes: tuple[str, ...]  # every attribute this value belongs to (in the considered products)
    negated: bool
    start: int
    end: int

    def as_slot(self) -> dict[str, Any]:
        return {"attribute": self.attribute, "value": self.value, "negated": self.negated,
                "text": self.text}


@dataclass(frozen=True)
class VariantMatch:
    item_id: str
    score: float
    available: bool
    price: float | None
    options: Mapping[str, str]
    matched: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemMatch:
    item_id: str
    name: str
    score: float
    options: Mapping[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------- alias index

@dataclass
class _Entry:
    kind: str  # "product" | "option"
    product: str = ""
    attribute: str = ""
    value: str = ""
    exact: bool = True  # the full product name (vs a synonym or head noun)


def _alias_tokens(s: str) -> tuple[str, ...]:
    return tuple(tokens(s))


class _AliasIndex:
    """Longest-match lookup of token sequences."""

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], _Entry]]] = {}
        self.vocab: set[str] = set()

    def add(self, alias: str | tuple[str, ...], entry: _Entry) -> None:
        toks = alias if isinstance(alias, tuple) else _alias_tokens(alias)
        if not toks:
            return
        self._by_first.setdefault(toks[0], []).append((toks, entry))
        self.vocab.update(toks)

    def find(self, toks: Sequence[str]) -> list[tuple[int, int, list[_Entry]]]:
        """Non-overlapping matches (start, end, entries), longest first, left to right."""
        out = []
        i = 0
        while i < len(toks):
            best_len, best = 0, []
            for alias, entry in self._by_first.get(toks[i], ()):
                n = len(alias)
                if tuple(toks[i:i + n]) == alias:
                    if n > best_len:
                        best_len, best = n, [entry]
                    elif n == best_len:
                        best.append(entry)
            if best_len:
                out.append((i, i + best_len, best))
                i += best_len
            else:
                i += 1
        return out


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "sh", "ch")):
        return word + "es"
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _value_aliases(attribute: str, value: str) -> list[tuple[str, ...]]:
    """Token sequences that name `value` of `attribute` in a sentence."""
    v, k = value.lower(), attribute.lower()
    vt, kt = _alias_tokens(v), _alias_tokens(k)
    key_words = tuple(t for t in kt if t not in {"type", "level"}) or kt
    if v in {"yes"}:
        return [kt, _alias_tokens(k.replace("resistance", "resistant"))]
    if v in {"no", "not resistant"}:
        base = [kt, _alias_tokens(k.replace("resistance", "resistant"))]
        return [(neg, *b) for b in base for neg in ("not", "no", "non")]
    if v == "none":
        return [("no", *kt), ("without", *kt), ("without", "a", *kt), ("no", *key_words)]
    out = []
    weak = len(v) <= 1 or all(t.replace(".", "").isdigit() for t in vt)
    if not weak:
        out.append(vt)
        if len(vt) > 1:
            out.append(("".join(vt),))
    out += [(*kt, *vt), (*vt, *kt)]
    if len(kt) > 1:
        out += [(kt[-1], *vt), (*vt, kt[-1])]
    for syn in VALUE_SYNONYMS.get(v, ()):
        out.append(_alias_tokens(syn))
    if k == "size" and v in LETTER_SIZES:
        for syn in LETTER_SIZES[v]:
            out += [_alias_tokens(syn), (*_alias_tokens(syn), "size"), ("size", *_alias_tokens(syn))]
    return [a for a in out if a]


class Catalog:
    """Products and their variants, indexed for matching free text."""

    def __init__(self, products: Iterable[Product]) -> None:
        self.products: dict[str, Product] = {p.name: p for p in products}
        self._by_lower = {n.lower(): n for n in self.products}
        self._products = _AliasIndex()
        for name in self.products:
            low = name.lower()
            exact = {_alias_tokens(low), ("".join(_alias_tokens(low)),)}
            for a in exact:
                self._products.add(a, _Entry("product", product=name, exact=True))
                self._products.add((*a[:-1], _plural(a[-1])), _Entry("product", product=name, exact=True))
            head = _alias_tokens(low)[-1]
            others = {head, _plural(head)} - {a[0] for a in exact if len(a) == 1}
            for syn in (*SYNONYMS.get(low, ()), *others):
                st = _alias_tokens(syn)
                self._products.add(st, _Entry("product", product=name, exact=False))
                if len(st[-1]) > 2 and not st[-1].endswith("s"):
                    self._products.add((*st[:-1], _plural(st[-1])), _Entry("product", product=name, exact=False))
        self._options = self._option_index(self.products.values())

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> Catalog:
        """From a τ² db dict ({"products": {...}}), its products mapping, or a list of products."""
        if isinstance(data, Mapping) and "products" in data:
            data = data["products"]
        raw = list(data.values()) if isinstance(data, Mapping) else list(data)
        products = []
        for p in raw:
            variants = p.get("variants", {})
            vs = variants.values() if isinstance(variants, Mapping) else variants
            products.append(Product(
                p["name"], str(p.get("product_id", "")),
                tuple(Variant(str(v["item_id"]), dict(v.get("options", {})), bool(v.get("available", True)),
                              v.get("price")) for v in vs)))
        return cls(products)

    @classmethod
    def from_json(cls, path: Path | str) -> Catalog:
        return cls.from_data(json.loads(Path(path).read_text(encoding="utf-8")))

    @staticmethod
    def _option_index(products: Iterable[Product]) -> _AliasIndex:
        idx = _AliasIndex()
        seen: set[tuple[str, str, str]] = set()
        for p in products:
            for attr, values in p.attributes.items():
                for value in values:
                    for alias in _value_aliases(attr, value):
                        key = (" ".join(alias), attr, value)
                        if key not in seen:
                            seen.add(key)
                            idx.add(alias, _Entry("option", product=p.name, attribute=attr, value=value))
        return idx

    # ------------------------------------------------------------------ matching

    def _tokens(self, text: str) -> list[str]:
        """Tokens with typos of catalog words corrected (difflib ratio ≥ 0.86, same first letter,
        words of ≥ 5 letters)."""
        vocab = self._products.vocab | self._options.vocab
        out = []
        for t in tokens(text):
            if t not in vocab and len(t) >= 5 and t.isalpha() and t not in _STOP_FUZZY:
                close = difflib.get_close_matches(t, [v for v in vocab if v[:1] == t[:1]], n=1, cutoff=0.86)
                t = close[0] if close else t
            out.append(t)
        return out

    def find_products(self, text: str) -> list[ProductMention]:
        """Product mentions, left to right; ambiguous names ("kettle") list every candidate."""
        toks = self._tokens(text)
        out = []
        last_end = 0
        for s, e, entries in self._products.find(toks):
            names = list(dict.fromkeys(x.product for x in sorted(entries, key=lambda x: not x.exact)))
            negated = any(t in NEGATORS - {"no"} for t in toks[max(last_end, s - 3):s])
            out.append(ProductMention(" ".join(toks[s:e]), s, e, tuple(names), negated))
            last_end = e
        return out

    def find_options(self, text: str, products: Sequence[str] | None = None, *,
                     restrict: bool = True) -> list[OptionMention]:
        """Option values mentioned in `text`. With `products`: only their values (`restrict`), or
        every catalog value with those products' attribute names listed first."""
        index = self._options
        if products and restrict:
            index = self._option_index(self.products[p] for p in products if p in self.products)
        preferred = {a for p in (products or ()) if p in self.products for a in self.products[p].attributes}
        toks = self._tokens(text)
        prod_spans = {i for m in self._products.find(toks) for i in range(m[0], m[1])}
        out = []
        last_end = 0
        for s, e, entries in index.find(toks):
            if all(i in prod_spans for i in range(s, e)):
                continue  # part of a product name ("electric" in "electric kettle")
            attrs = list(dict.fromkeys(x.attribute for x in entries))
            values = list(dict.fromkeys(x.value for x in entries))
            # the attribute most products use for this value goes first
            attrs.sort(key=lambda a: (a not in preferred, -sum(x.attribute == a for x in entries), a))
            window = toks[max(last_end, s - 3):s]
            negated = any(t in NEGATORS for t in window)
            last_end = e
            for value in values:
                va = [a for a in attrs if any(x.attribute == a and x.value == value for x in entries)]
                out.append(OptionMention(" ".join(toks[s:e]), value, va[0], tuple(va), negated, s, e))
        return out

    def match_variants(self, product: str, text: str, *, available_only: bool = True,
                       top: int | None = None) -> list[VariantMatch]:
        """The product's variants ranked by how well they fit `text` ("the clicky one with RGB")."""
        p = self.products.get(product) or self.products.get(self._by_lower.get(product.lower(), ""))
        if p is None:
            return []
        mentions = self.find_options(text, [p.name])
        scored = []
        for v in p.variants:
            if available_only and not v.available:
                continue
            score, matched, conflicts = 0.0, [], []
            for m in mentions:
                has = any(v.options.get(a) == m.value for a in m.attributes)
                if m.negated:
                    if has:
                        score -= 1.0
                        conflicts.append(f"not {m.value}")
                elif has:
                    score += 1.0
                    matched.append(m.value)
                elif any(a in v.options for a in m.attributes):
                    conflicts.append(m.value)
            scored.append(VariantMatch(v.item_id, score, v.available, v.price, dict(v.options),
                                       tuple(matched), tuple(conflicts)))
        scored.sort(key=lambda x: (-x.score, len(x.conflicts), not x.available, x.price or 0.0))
        return scored[:top] if top else scored

    def match_order_items(self, text: str, items: Sequence[Mapping[str, Any]]) -> list[ItemMatch]:
        """The lines of an order (τ² items: name, item_id, options) that `text` points at, best
        first; [] when nothing in the text singles out a line."""
        return match_order_items(text, items, self)


def match_order_items(text: str, items: Sequence[Mapping[str, Any]],
                      catalog: Catalog | None = None) -> list[ItemMatch]:
    """Order lines described by `text`: explicit item ids, else product names/synonyms, with
    option values ("the red one", "not the glass bottle") to choose among same-product lines."""
    if not items:
        return []
    ids = {str(i["item_id"]) for i in items}
    explicit = [t for t in tokens(text) if t in ids]
    if explicit:
        return [ItemMatch(str(i["item_id"]), i["name"], 10.0, dict(i.get("options", {})))
                for i in items if str(i["item_id"]) in explicit]
    local = Catalog(_products_from_items(items, catalog))
    wanted: set[str] = set()
    excluded: set[str] = set()
    for m in local.find_products(text):
        (excluded if m.negated else wanted).update(m.candidates)
    wanted -= excluded
    if ALL_ITEMS.search(text) or (excluded and not wanted):  # "all of them", "everything but the lamp"
        return [ItemMatch(str(i["item_id"]), i["name"], 1.0, dict(i.get("options", {})))
                for i in items if i["name"] not in excluded]
    names = sorted({i["name"] for i in items})
    options = local.find_options(text, names)
    scored: list[ItemMatch] = []
    for it in items:
        opts = dict(it.get("options", {}))
        score = 0.0
        if it["name"] in wanted:
            score += 2.0
        for m in options:
            has = any(opts.get(a) == m.value for a in m.attributes)
            if has:
                score += -3.0 if m.negated else 1.0
        if score > 0:
            scored.append(ItemMatch(str(it["item_id"]), it["name"], score, opts))
    if not scored:
        return []
    # Among lines of the same product keep only the best-fitting ones.
    best_per_name: dict[str, float] = {}
    for m in scored:
        best_per_name[m.name] = max(best_per_name.get(m.name, 0.0), m.score)
    kept = [m for m in scored if m.score == best_per_name[m.name]]
    if not wanted:  # options only ("the red one"): keep the best-scoring lines overall
        top = max(m.score for m in kept)
        kept = [m for m in kept if m.score == top]
    return sorted(kept, key=lambda m: -m.score)


def _products_from_items(items: Sequence[Mapping[str, Any]], catalog: Catalog | None) -> list[Product]:
    by_name: dict[str, list[Variant]] = {}
    for it in items:
        by_name.setdefault(it["name"], []).append(
            Variant(str(it["item_id"]), dict(it.get("options", {})), True, it.get("price")))
    out = []
    for name, variants in by_name.items():
        extra = catalog.products[name].variants if catalog and name in catalog.products else ()
        out.append(Product(name, variants=(*variants, *extra)))
    return out
