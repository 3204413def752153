from __future__ import annotations

import pytest

from retrieval.query_parsing import parse_catalog_query


@pytest.mark.parametrize("query, text, negated", [
    ("a kettle that isn't plastic", "a kettle", ("plastic",)),
    ("water bottle not made of plastic", "water bottle", ("plastic",)),
    ("keyboard without rgb lighting", "keyboard", ("rgb lighting",)),
    ("non-polarized sunglasses", "sunglasses", ("polarized",)),
    ("t-shirt, not in black, size M", "t-shirt, size M", ("black",)),
    ("plastic-free lunch box", "lunch box", ("plastic",)),
    ("clicky full-size keyboard with RGB", "clicky full-size keyboard with RGB", ()),
])
def test_negation(query: str, text: str, negated: tuple[str, ...]) -> None:
    p = parse_catalog_query(query)
    assert p.text == text
    assert p.negated == negated


@pytest.mark.parametrize("query, lo, hi, text", [
    ("headphones under $200", None, 200.0, "headphones"),
    ("laptop between $2000 and $2500", 2000.0, 2500.0, "laptop"),
    ("running shoes over 150 dollars", 150.0, None, "running shoes"),
    ("espresso machine under 3k", None, 3000.0, "espresso machine"),
    ("coffee maker below $250.50 with timer", None, 250.5, "coffee maker with timer"),
    ("espresso machine under $2,800", None, 2800.0, "espresso machine"),
])
def test_price(query: str, lo: float | None, hi: float | None, text: str) -> None:
    p = parse_catalog_query(query)
    assert (p.price_gte, p.price_lte, p.text) == (lo, hi, text)


@pytest.mark.parametrize("query", [
    "dumbbells under 30 lbs", "a phone with no more than 6.1 inch screen", "bottle under 750ml",
])
def test_units_are_not_prices(query: str) -> None:
    p = parse_catalog_query(query)
    assert p.price_gte is None and p.price_lte is None
    assert p.negated == ()


def test_in_stock() -> None:
    p = parse_catalog_query("smartphone in stock")
    assert p.in_stock and p.text == "smartphone"
