"""Stated options first and the one spelling of quantities it relies on, with Qdrant's own
BM25 tokenizer (the one search uses)."""

from __future__ import annotations

import pytest

from retrieval.embedding import Bm25Encoder
from retrieval.option_match import OptionMatcher
from retrieval.units import canonical_units, unit_aliases


@pytest.mark.parametrize("text, expected", [
    ("1 liter stainless steel bottle", "1000ml stainless steel bottle"),
    ("1L", "1000ml"),
    ("1.5 liters", "1500ml"),
    ("500 ml", "500ml"),
    ("a 13\" laptop with 32 GB", "a 13inch laptop with 32gb"),
    ("10-inch tablet", "10inch tablet"),
    ("size 10 in black", "size 10 in black"),  # 'in' is never an inch
    ("2000 piece puzzle", "2000 piece puzzle"),
])
def test_canonical_units(text: str, expected: str) -> None:
    assert canonical_units(text) == expected


def test_unit_aliases_only_for_quantities() -> None:
    assert unit_aliases("capacity 1L color black") == "1000ml"
    assert unit_aliases("color black") == ""


def _variant(pid: str, item: str, **options: str) -> dict:
    return {"kind": "variant", "product_id": pid, "item_id": item, "options": options}


def _product(pid: str, **options: list[str]) -> dict:
    return {"kind": "product", "product_id": pid, "options": options}


@pytest.fixture(scope="module")
def matcher() -> OptionMatcher:
    return OptionMatcher(Bm25Encoder().token_ids)


def _ids(payloads: list[dict], order: list[int]) -> list[str]:
    return [payloads[i].get("item_id") or payloads[i]["product_id"] for i in order]


def test_variant_with_every_stated_option_first_then_the_product_card(matcher: OptionMatcher) -> None:
    pts = [
        _variant("bottle", "750-steel", capacity="750ml", material="stainless steel"),
        _variant("bottle", "500-steel", capacity="500ml", material="stainless steel"),
        _product("kettle"),
        _variant("bottle", "1000-steel", capacity="1000ml", material="stainless steel"),
        _variant("bottle", "1000-glass", capacity="1000ml", material="glass"),
        _product("bottle", capacity=["500ml", "750ml", "1000ml"], material=["glass", "stainless steel"]),
    ]
    order = matcher.rerank("1 liter stainless steel bottle", pts)
    # The bottle's points keep the bottle's places (0, 1, 3, 4, 5); the kettle stays third.
    assert _ids(pts, order) == ["1000-steel", "bottle", "kettle", "750-steel", "500-steel", "1000-glass"]


def test_nothing_moves_when_no_option_is_named(matcher: OptionMatcher) -> None:
    pts = [_variant("hp", "a", type="in-ear"), _variant("hp", "b", type="over-ear"), _product("hp")]
    assert matcher.rerank("headphones for the gym", pts) == [0, 1, 2]


def test_values_that_reduce_to_the_same_tokens_must_be_written_out(matcher: OptionMatcher) -> None:
    # 'over', 'on' and 'in' are stopwords: all three types are 'ear' to BM25.
    pts = [_variant("hp", "in", type="in-ear"), _variant("hp", "on", type="on-ear"),
           _variant("hp", "over", type="over-ear")]
    assert _ids(pts, matcher.rerank("over-ear headphones", pts))[0] == "over"
    assert _ids(pts, matcher.rerank("over ear headphones", pts))[0] == "over"


@pytest.mark.parametrize("query, first", [
    ("waterproof boots size 10", "10-yes"),       # a yes/no option is named by its name
    ("hardcover A5 notebook", "a5-hard"),          # 'hardcover' = 'hard cover'
    ("t-shirt in XL", "xl"),                       # size letters are matched as written
    ("puzzles for experts", "expert"),             # stemmed: 'experts' names 'expert'
])
def test_named_values(matcher: OptionMatcher, query: str, first: str) -> None:
    cases = {
        "10-yes": [_variant("b", "10-no", size="10", waterproof="no"),
                   _variant("b", "9-yes", size="9", waterproof="yes"),
                   _variant("b", "10-yes", size="10", waterproof="yes")],
        "a5-hard": [_variant("n", "a5-soft", size="A5", cover="soft cover"),
                    _variant("n", "a4-hard", size="A4", cover="hard cover"),
                    _variant("n", "a5-hard", size="A5", cover="hard cover")],
        "xl": [_variant("t", "m", size="M"), _variant("t", "l", size="L"), _variant("t", "xl", size="XL")],
        "expert": [_variant("p", "beginner", level="beginner"), _variant("p", "expert", level="expert")],
    }
    pts = cases[first]
    assert _ids(pts, matcher.rerank(query, pts))[0] == first


def test_a_lower_case_letter_is_not_a_size(matcher: OptionMatcher) -> None:
    pts = [_variant("t", "s", size="S"), _variant("t", "m", size="M")]
    assert matcher.rerank("i'm looking for a tee", pts) == [0, 1]


def test_negative_values_are_never_named(matcher: OptionMatcher) -> None:
    pts = [_variant("bulb", "none", connectivity="none"), _variant("bulb", "wifi", connectivity="Wi-Fi")]
    assert _ids(pts, matcher.rerank("wifi light bulb", pts)) == ["wifi", "none"]
    assert matcher.rerank("light bulb with none of the smart stuff", pts) == [0, 1]
