"""One real detector (real Presidio, real spaCy model) shared by the whole privacy suite."""

from __future__ import annotations

import pytest

from privacy.config import PrivacyConfig
from privacy.detector import PiiDetector


@pytest.fixture(scope="session")
def detector() -> PiiDetector:
    return PiiDetector(PrivacyConfig(allow_terms=("Yoga Mat", "Mechanical Keyboard", "Water Bottle")))
