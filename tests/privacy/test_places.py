"""Cities and countries after a travel or residence cue."""

from __future__ import annotations

import pytest

from privacy.detector import PiiDetector


def kinds(detector: PiiDetector, text: str) -> dict[str, str]:
    return {d.text: d.entity_type for d in detector.detect(text)}


@pytest.mark.parametrize("text, place", [
    ("Ms. Jones flew to Bessastaðahreppur on Saturday morning", "Bessastaðahreppur"),
    ("We moved here from Tjæreborg", "Tjæreborg"),
    ("Coden is a design agency based in NAANTALI.", "NAANTALI"),
    ("I will be travelling to Czech Republic next week", "Czech Republic"),
    ("I'm Abelardo Trevisano, originally from PORT O' WARREN, and i'm 58 y/o.", "PORT O' WARREN"),
])
def test_places_after_travel_and_residence_cues(detector: PiiDetector, text: str, place: str) -> None:
    assert kinds(detector, text).get(place) == "LOCATION", detector.detect(text)


def test_a_cue_does_not_turn_a_name_or_a_weekday_into_a_place(detector: PiiDetector) -> None:
    found = kinds(detector, "I'm Abelardo Trevisano, I flew to Lyon Monday")
    assert found.get("Abelardo Trevisano") == "PERSON"
    assert found.get("Lyon") == "LOCATION" and "Lyon Monday" not in found
