from __future__ import annotations

import pytest

from retrieval.collections import Collection, build_filter
from retrieval.errors import InvalidFilterError, UnknownFilterFieldError
from retrieval.filters import Match, MatchAny, Range


def test_catalog_filters_translate() -> None:
    spec = build_filter(Collection.CATALOG, {"category": "kitchen", "available": "true",
                                             "price": {"gte": 10, "lte": 100}, "kind": ["product", "variant"]})
    assert Match("category", "kitchen") in spec.must
    assert Match("available_flag", "true") in spec.must
    assert Range("price_min", lte=100.0) in spec.must and Range("price_max", gte=10.0) in spec.must
    assert MatchAny("kind", ("product", "variant")) in spec.must


@pytest.mark.parametrize("collection, filters", [
    (Collection.CATALOG, {"colour": "red"}),
    (Collection.KB, {"category": "kitchen"}),
    (Collection.HISTORY, {"customer_id": "someone_else"}),  # bound by the session only
])
def test_unknown_field(collection: Collection, filters: dict) -> None:
    with pytest.raises(UnknownFilterFieldError, match="no filterable field"):
        build_filter(collection, filters)


@pytest.mark.parametrize("filters", [
    {"price": {"about": 5}}, {"price": {"lte": "cheap"}}, {"available": "maybe"}, {"category": {"gte": 1}},
    {"category": []},
])
def test_bad_values(filters: dict) -> None:
    with pytest.raises(InvalidFilterError):
        build_filter(Collection.CATALOG, filters)
