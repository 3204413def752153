"""Backend-neutral payload filters. Each backend translates `FilterSpec` into its own filter
classes (qdrant_edge.Filter or qdrant_client.models.Filter), so both see the same conditions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Match:
    """field == value (for list-valued payload fields: the list contains value)."""

    field: str
    value: str | bool | int


@dataclass(frozen=True)
class MatchAny:
    field: str
    values: tuple[str, ...] | tuple[int, ...]


@dataclass(frozen=True)
class Range:
    field: str
    gte: float | None = None
    lte: float | None = None
    gt: float | None = None
    lt: float | None = None


Condition = Union[Match, MatchAny, Range]


@dataclass(frozen=True)
class FilterSpec:
    must: tuple[Condition, ...] = ()
    must_not: tuple[Condition, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.must or self.must_not)

    def and_(self, other: FilterSpec | None) -> FilterSpec:
        if other is None:
            return self
        return FilterSpec(self.must + other.must, self.must_not + other.must_not)


@dataclass(frozen=True)
class FieldSchema:
    """A payload field and how it is indexed: 'keyword', 'bool', 'float' or 'integer'."""

    name: str
    kind: str
    tenant: bool = False
