"""Inputs a chat transport really delivers must never crash detection or redaction."""

from __future__ import annotations

import time

import pytest

from privacy.detector import PiiDetector
from privacy.redaction import redact


@pytest.mark.parametrize("value", ["", "   ", "\n\n", None])
def test_empty_text(detector: PiiDetector, value) -> None:
    assert detector.detect(value) == []
    assert redact(value, detector).redacted == (value or "")


def test_invalid_utf8_bytes(detector: PiiDetector) -> None:
    raw = b"email \xff\xfe me at jane@example.com \xc3"
    result = redact(raw, detector)
    assert "jane@example.com" not in result.redacted
    assert "\ufffd" in result.text


def test_lone_surrogates(detector: PiiDetector) -> None:
    text = "half an emoji \ud83d then jane@example.com"
    result = redact(text, detector)
    assert result.redacted.encode("utf-8")  # printable / storable
    assert "<EMAIL_ADDRESS_1>" in result.redacted


def test_emoji_and_mixed_scripts_keep_offsets_right(detector: PiiDetector) -> None:
    text = "🙏🏽 Привет, 你好! Write to jane@example.com 👋 — مرحبا"
    [email] = [d for d in detector.detect(text) if d.entity_type == "EMAIL_ADDRESS"]
    assert text[email.start:email.end] == "jane@example.com"


def test_100_kb_text_is_segmented_and_pii_near_the_end_is_found(detector: PiiDetector) -> None:
    filler = "The parcel was late again and the box was dented. " * 2000
    text = filler + "Reach me at jane.doe@example.com or (415) 555-0132."
    assert len(text) > 100_000
    start = time.perf_counter()
    found = detector.detect(text)
    elapsed = time.perf_counter() - start
    values = {d.text for d in found}
    assert "jane.doe@example.com" in values and "(415) 555-0132" in values
    assert all(text[d.start:d.end] == d.text for d in found)
    assert elapsed < 60
