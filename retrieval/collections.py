"""The three collections, their payload schemas, and the translation of caller filters
(`{"category": "kitchen", "price": {"lte": 100}}`) into validated `FilterSpec`s."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from retrieval.errors import InvalidFilterError, UnknownCollectionError, UnknownFilterFieldError
from retrieval.filters import Condition, FieldSchema, FilterSpec, Match, MatchAny, Range

DENSE = "dense"
SPARSE = "bm25"


class Collection(str, Enum):
    CATALOG = "catalog"
    KB = "kb"
    HISTORY = "history"

    @classmethod
    def parse(cls, name: str | Collection) -> Collection:
        if isinstance(name, Collection):
            return name
        try:
            return cls(str(name).strip().lower())
        except ValueError:
            raise UnknownCollectionError(str(name), [c.value for c in cls]) from None


@dataclass(frozen=True)
class CollectionSpec:
    """indexed: payload fields with a Qdrant payload index. filterable: what callers may filter
    on (a subset; `customer_id` is bound by the session, never by a caller's filter)."""

    name: Collection
    indexed: tuple[FieldSchema, ...]
    filterable: tuple[str, ...]

    def field(self, name: str) -> FieldSchema | None:
        return next((f for f in self.indexed if f.name == name), None)


_SCOPE = FieldSchema("scope", "keyword")

SPECS: dict[Collection, CollectionSpec] = {
    Collection.CATALOG: CollectionSpec(
        Collection.CATALOG,
        indexed=(
            _SCOPE,
            FieldSchema("kind", "keyword"),
            FieldSchema("category", "keyword"),
            FieldSchema("product_id", "keyword"),
            FieldSchema("name", "keyword"),
            FieldSchema("available", "bool"),
            FieldSchema("available_flag", "keyword"),
            FieldSchema("price", "float"),
            FieldSchema("price_min", "float"),
            FieldSchema("price_max", "float"),
            FieldSchema("attrs", "keyword"),
        ),
        filterable=("kind", "category", "product_id", "name", "available", "price"),
    ),
    Collection.KB: CollectionSpec(
        Collection.KB,
        indexed=(_SCOPE, FieldSchema("source", "keyword"), FieldSchema("section_id", "keyword")),
        filterable=("source", "section_id"),
    ),
    Collection.HISTORY: CollectionSpec(
        Collection.HISTORY,
        indexed=(
            _SCOPE,
            FieldSchema("customer_id", "keyword", tenant=True),
            FieldSchema("kind", "keyword"),
            FieldSchema("status", "keyword"),
            FieldSchema("order_id", "keyword"),
            FieldSchema("product_ids", "keyword"),
        ),
        filterable=("kind", "status", "order_id", "product_ids"),
    ),
}

_RANGE_KEYS = {"gte", "lte", "gt", "lt"}


def _number(field: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            return float(value)
        except (TypeError, ValueError):
            raise InvalidFilterError(f"filter {field}.{key} must be a number, got {value!r}") from None
    return float(value)


def _catalog_price(rng: Range) -> tuple[Condition, ...]:
    """A product point matches a price range when some variant does: the product's
    [price_min, price_max] overlaps the requested range. Variants have min == max == price."""
    conds: list[Condition] = []
    upper = rng.lte if rng.lte is not None else rng.lt
    lower = rng.gte if rng.gte is not None else rng.gt
    if upper is not None:
        conds.append(Range("price_min", lte=rng.lte, lt=rng.lt))
    if lower is not None:
        conds.append(Range("price_max", gte=rng.gte, gt=rng.gt))
    return tuple(conds)


def flag(value: bool) -> str:
    return "true" if value else "false"


def bool_match(name: str, value: bool) -> Match:
    """Boolean equality, via the keyword companion field '<name>_flag'. Workaround: in
    qdrant-edge-py 0.9 `MatchValue(True)` never matches a boolean payload (the binding passes it
    on as an integer), so booleans are filtered as the keywords 'true'/'false' on both backends."""
    return Match(f"{name}_flag", flag(value))


def build_filter(collection: Collection, filters: Mapping[str, Any] | None) -> FilterSpec:
    """Validate caller filters against the collection schema and translate them.

    Value forms: scalar -> equality; list -> any of; {"gte"/"lte"/"gt"/"lt": n} -> range.
    A field the collection does not have raises UnknownFilterFieldError (Qdrant itself would
    silently match nothing)."""
    if not filters:
        return FilterSpec()
    spec = SPECS[collection]
    must: list[Condition] = []
    for name, value in filters.items():
        if name not in spec.filterable:
            raise UnknownFilterFieldError(collection.value, name, list(spec.filterable))
        schema = spec.field(name)
        assert schema is not None
        if isinstance(value, Mapping):
            bad = set(value) - _RANGE_KEYS
            if bad or not value:
                raise InvalidFilterError(
                    f"filter {name}: a range takes gte/lte/gt/lt, got {sorted(value) or 'nothing'}")
            if schema.kind not in ("float", "integer"):
                raise InvalidFilterError(f"filter {name}: a range needs a numeric field")
            rng = Range(name, **{k: _number(name, k, v) for k, v in value.items()})
            if collection is Collection.CATALOG and name == "price":
                must.extend(_catalog_price(rng))
            else:
                must.append(rng)
            continue
        if schema.kind == "bool":
            if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
                value = value.lower() in ("true", "yes", "1")
            if not isinstance(value, bool):
                raise InvalidFilterError(f"filter {name} must be true or false, got {value!r}")
            must.append(bool_match(name, value))
        elif schema.kind in ("float", "integer"):
            number = _number(name, "value", value)
            rng = Range(name, gte=number, lte=number)
            must.extend(_catalog_price(rng) if (collection is Collection.CATALOG and name == "price")
                        else (rng,))
        elif isinstance(value, (list, tuple, set)):
            values = tuple(str(v) for v in value)
            if not values:
                raise InvalidFilterError(f"filter {name}: the list of values is empty")
            must.append(MatchAny(name, values))
        else:
            if value is None or isinstance(value, (dict, bool)):
                raise InvalidFilterError(f"filter {name} needs a text value, got {value!r}")
            must.append(Match(name, str(value)))
    return FilterSpec(must=tuple(must))
