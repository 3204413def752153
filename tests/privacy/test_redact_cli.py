"""`concierge redact`: JSON lines in, JSON lines out, bad lines reported and skipped."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from privacy.detector import PiiDetector
from server.commands.redact import redact_stream

ROOT = Path(__file__).resolve().parents[2]


def test_stream_reports_entities_with_offsets_and_errors(detector: PiiDetector) -> None:
    lines = "\n".join([
        json.dumps({"text": "I am Jane Doe, order #W2378156 on 2024-05-14, mail jane@example.com"}),
        "{not json",
        json.dumps({"no_text": 1}),
        json.dumps(["text"]),
        json.dumps({"text": ""}),
    ]) + "\n"
    out = io.StringIO()
    bad = redact_stream(io.StringIO(lines), out, detector)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert bad == 3 and len(rows) == 5
    first = rows[0]
    assert first["redacted"] == "I am <PERSON_1>, order #W2378156 on 2024-05-14, mail <EMAIL_ADDRESS_1>"
    kinds = {e["type"] for e in first["entities"]}
    assert {"PERSON", "EMAIL_ADDRESS", "DATE_TIME"} <= kinds  # dates detected, not replaced
    for e in first["entities"]:
        assert 0 <= e["start"] < e["end"] <= len(first["text"])
    assert all("error" in r for r in rows[1:4])
    assert rows[4] == {"text": "", "redacted": "", "entities": []}


@pytest.mark.slow
def test_cli_end_to_end_with_invalid_utf8() -> None:
    data = b'{"text": "email jane@example.com"}\n' + b'{"text": "bad \xff byte, call +44 20 7946 0958"}\n' + b"oops\n"
    proc = subprocess.run(
        [sys.executable, "-m", "server.cli", "redact"], input=data, capture_output=True,
        cwd=ROOT, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    rows = [json.loads(x) for x in proc.stdout.decode("utf-8").splitlines()]
    assert rows[0]["redacted"] == "email <EMAIL_ADDRESS_1>"
    assert "+44 20 7946 0958" not in rows[1]["redacted"]
    assert "error" in rows[2]


def test_help_text() -> None:
    from typer.testing import CliRunner

    from server.cli import app

    result = CliRunner().invoke(app, ["redact", "--help"])
    assert result.exit_code == 0 and "JSON lines" in result.output
