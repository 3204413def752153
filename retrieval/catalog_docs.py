"""Catalog products and variants -> `IndexDoc`s: one point per product, one per variant.

The description text is generated from the structured data, so it works for any store:
options are written as 'key: value' (the key tells the model what the value means: '80%' is a
keyboard size, 'clicky' a switch type), yes/no options become 'waterproof' / 'not waterproof',
and the sparse (BM25) text leaves negative facts out entirely so that 'not waterproof' does not
match a search for 'waterproof'. `attrs` holds BM25 token ids of each positive option value, so
a query like 'a kettle that isn't plastic' can exclude plastic items with a payload filter."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from retrieval.collections import flag
from retrieval.documents import IndexDoc
from retrieval.models import CatalogProduct, ProductVariant
from retrieval.units import unit_aliases

SCOPE = "catalog"
NEGATIVE_VALUES = frozenset({"no", "none", "n/a", "false", "not resistant", "not available"})
POSITIVE_VALUES = frozenset({"yes", "true"})
_NEG_PREFIXES = ("no ", "non-", "non ", "not ", "without ")

TokenIds = Callable[[str], Sequence[int]]


def is_negative(value: str) -> bool:
    v = value.strip().lower()
    return v in NEGATIVE_VALUES or v.startswith(_NEG_PREFIXES)


def option_phrase(key: str, value: str) -> str:
    """'waterproof'/'yes' -> 'waterproof'; 'backlight'/'none' -> 'no backlight';
    'water resistance'/'no' -> 'not water resistance'; otherwise 'key: value'."""
    v = value.strip()
    low = v.lower()
    if low in POSITIVE_VALUES:
        return key
    if low == "none":
        return f"no {key}"
    if low in ("no", "false"):
        return f"not {key}"
    return f"{key}: {v}"


def attr_keys(key: str, value: str, token_ids: TokenIds) -> set[str]:
    """Filterable attribute keys of one option: the token-id set of the whole value and of each
    of its words (so 'not stainless' also catches 'stainless steel'). Negative values add none:
    a 'non-polarized' lens must not count as 'polarized'."""
    if is_negative(value):
        return set()
    text = key if value.strip().lower() in POSITIVE_VALUES else value
    ids = sorted(set(token_ids(text)))
    if not ids:
        return set()
    keys = {attr_key(ids)}
    keys.update(attr_key([i]) for i in ids)
    return keys


def attr_key(ids: Iterable[int]) -> str:
    return "t" + "_".join(str(i) for i in sorted(set(ids)))


def _money(x: float) -> str:
    return f"${x:,.2f}"


def _positive_words(options: dict[str, str]) -> list[str]:
    return [v if v.strip().lower() not in POSITIVE_VALUES else k
            for k, v in options.items() if not is_negative(v)]


def variant_doc(product: CatalogProduct, variant: ProductVariant, token_ids: TokenIds) -> IndexDoc:
    phrases = [option_phrase(k, v) for k, v in variant.options.items()]
    stock = "in stock" if variant.available else "out of stock"
    summary = ", ".join(phrases)
    text = f"{product.name} ({summary}). {_money(variant.price)}, {stock}. Category: {product.category}."
    dense = f"{product.name}: {summary}. {product.category}."
    if product.description:
        text += " " + product.description
        dense += " " + product.description
    sparse_opts = " ".join(
        f"{k} {v}" if v.strip().lower() not in POSITIVE_VALUES else k
        for k, v in variant.options.items() if not is_negative(v)
    )
    sparse = " ".join(f"{product.name} {sparse_opts} {unit_aliases(sparse_opts)} {product.category} "
                      f"{product.description}".split())
    attrs: set[str] = set()
    for k, v in variant.options.items():
        attrs |= attr_keys(k, v, token_ids)
    return IndexDoc(
        key=f"{product.product_id}:{variant.item_id}",
        result_id=f"{product.product_id}:{variant.item_id}",
        title=f"{product.name} — {', '.join(variant.options.values())}" if variant.options else product.name,
        text=text,
        dense_text=dense,
        sparse_text=sparse,
        scope=SCOPE,
        payload={
            "kind": "variant",
            "product_id": product.product_id,
            "item_id": variant.item_id,
            "name": product.name,
            "category": product.category,
            "options": dict(variant.options),
            "available": variant.available,
            "available_flag": flag(variant.available),
            "price": variant.price,
            "price_min": variant.price,
            "price_max": variant.price,
            "attrs": sorted(attrs),
        },
    )


def product_doc(product: CatalogProduct, token_ids: TokenIds) -> IndexDoc:
    variants = product.variants
    values: dict[str, list[str]] = {}
    for v in variants:
        for k, val in v.options.items():
            if val not in values.setdefault(k, []):
                values[k].append(val)
    option_lines = [f"{k}: {', '.join(vals)}" for k, vals in values.items()]
    prices = [v.price for v in variants] or [0.0]
    available = [v for v in variants if v.available]
    lo, hi = min(prices), max(prices)
    price_text = _money(lo) if lo == hi else f"{_money(lo)} to {_money(hi)}"
    text = (f"{product.name} ({product.category}). {len(variants)} variants, {len(available)} in stock, "
            f"{price_text}. Options — " + "; ".join(option_lines) + ".")
    dense = f"{product.name}. {product.category}. " + "; ".join(option_lines) + "."
    if product.description:
        text += " " + product.description
        dense = f"{product.name}. {product.description} {product.category}. " + "; ".join(option_lines)
    sparse_values = sorted({w for v in variants for w in _positive_words(v.options)})
    sparse = " ".join(" ".join([product.name, product.name, product.category, product.description,
                                " ".join(values), " ".join(sparse_values),
                                unit_aliases(" ".join(sparse_values))]).split())
    # A product point is excluded by a negated attribute only if every variant has it.
    per_variant = [set().union(*(attr_keys(k, val, token_ids) for k, val in v.options.items()))
                   for v in variants]
    common = set.intersection(*per_variant) if per_variant else set()
    return IndexDoc(
        key=product.product_id,
        result_id=product.product_id,
        title=product.name,
        text=text,
        dense_text=dense,
        sparse_text=sparse,
        scope=SCOPE,
        payload={
            "kind": "product",
            "product_id": product.product_id,
            "name": product.name,
            "category": product.category,
            "options": {k: list(vals) for k, vals in values.items()},
            "available": bool(available),
            "available_flag": flag(bool(available)),
            "price": lo,
            "price_min": lo,
            "price_max": hi,
            "variant_count": len(variants),
            "attrs": sorted(common),
        },
    )


def catalog_docs(products: Iterable[CatalogProduct], token_ids: TokenIds) -> Iterator[IndexDoc]:
    for product in products:
        yield product_doc(product, token_ids)
        for variant in product.variants:
            yield variant_doc(product, variant, token_ids)
