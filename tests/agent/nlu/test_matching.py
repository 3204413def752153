"""Free-text descriptions matched to an order's lines and to a product's variants."""

from __future__ import annotations

from typing import Any

import pytest

from agent.nlu import NLU, Catalog, match_order_items


@pytest.fixture
def two_lines(db: dict[str, Any]) -> list[dict[str, Any]]:
    return db["orders"]["#W2611340"]["items"]  # a glass Water Bottle and an Office Chair


@pytest.fixture
def two_cameras(db: dict[str, Any]) -> list[dict[str, Any]]:
    return db["orders"]["#W5918442"]["items"]  # Perfume, Skateboard, Action Camera 5K, Action Camera 4K


def ids(matches) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.item_id for m in matches]


def test_product_word_picks_that_line(catalog: Catalog, two_lines: list[dict[str, Any]]) -> None:
    assert ids(match_order_items("the water bottle", two_lines, catalog)) == ["6469567736"]
    assert ids(match_order_items("I want to return the chair", two_lines, catalog)) == ["8426249116"]
    assert ids(match_order_items("the glass one", two_lines, catalog)) == ["6469567736"]


def test_several_all_and_except(catalog: Catalog, two_lines: list[dict[str, Any]]) -> None:
    assert set(ids(match_order_items("the office chair and the bottle", two_lines, catalog))) == {
        "6469567736", "8426249116"}
    assert set(ids(match_order_items("both of them", two_lines, catalog))) == {"6469567736", "8426249116"}
    assert ids(match_order_items("everything except the chair", two_lines, catalog)) == ["6469567736"]
    assert ids(match_order_items("not the bottle", two_lines, catalog)) == ["8426249116"]


def test_options_choose_between_lines_of_one_product(catalog: Catalog, two_cameras: list[dict[str, Any]]) -> None:
    assert ids(match_order_items("the 5K camera", two_cameras, catalog)) == ["1586641416"]
    assert ids(match_order_items("the action camera, the 4K one", two_cameras, catalog)) == ["6117189161"]
    assert set(ids(match_order_items("the camera", two_cameras, catalog))) == {"1586641416", "6117189161"}


def test_unrelated_description_matches_nothing(catalog: Catalog, two_lines: list[dict[str, Any]]) -> None:
    assert match_order_items("the keyboard", two_lines, catalog) == []
    assert match_order_items("", two_lines, catalog) == []


def test_explicit_item_id_wins(catalog: Catalog, two_lines: list[dict[str, Any]]) -> None:
    assert ids(match_order_items("item 8426249116 please", two_lines, catalog)) == ["8426249116"]


def test_nlu_protocol_method_returns_ids(nlu: NLU, two_lines: list[dict[str, Any]]) -> None:
    assert nlu.match_order_items("the keyboard... no wait, the water bottle", two_lines) == ["6469567736"]


def test_variants_ranked_by_fit(catalog: Catalog) -> None:
    ranked = catalog.match_variants("Mechanical Keyboard", "the clicky one with RGB, full size")
    assert ranked and all(v.available for v in ranked)
    best = ranked[0]
    assert best.options["switch type"] == "clicky" and best.score == max(v.score for v in ranked)
    top_scores = [v.score for v in ranked]
    assert top_scores == sorted(top_scores, reverse=True)
    # the exact clicky/RGB/full-size keyboard exists but is unavailable: only the unfiltered ranking has it
    exact = catalog.match_variants("Mechanical Keyboard", "clicky RGB full size", available_only=False)[0]
    assert (exact.options["switch type"], exact.options["backlight"], exact.options["size"]) == (
        "clicky", "RGB", "full size") and exact.score == 3.0


def test_negated_option_pushes_variants_down(catalog: Catalog) -> None:
    ranked = catalog.match_variants("Water Bottle", "not glass, 750ml", available_only=False)
    assert ranked[0].options["material"] != "glass" and ranked[0].options["capacity"] == "750ml"
    assert all(v.options["material"] != "glass" for v in ranked if v.score == ranked[0].score)


def test_letter_sizes_from_words(catalog: Catalog) -> None:
    ranked = catalog.match_variants("T-Shirt", "a medium one", available_only=False)
    assert ranked[0].options["size"] == "M"


def test_unknown_product_has_no_variants(catalog: Catalog) -> None:
    assert catalog.match_variants("Guitar", "red") == []
