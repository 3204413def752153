"""`concierge redact`: JSON lines in, redacted JSON lines out (for pipelines and audits)."""

from __future__ import annotations

import json
import sys
from typing import TextIO

import typer


def redact_stream(source: TextIO, sink: TextIO, detector) -> int:
    """One output line per input line; returns how many lines were bad."""
    from privacy.redaction import redact

    bad = 0
    for line in source:
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            bad += 1
            sink.write(json.dumps({"error": f"invalid JSON: {exc.msg}"}) + "\n")
            continue
        text = row.get("text") if isinstance(row, dict) else None
        if not isinstance(text, str):
            bad += 1
            sink.write(json.dumps({"error": "each line must be an object with a string 'text'"}) + "\n")
            continue
        result = redact(text, detector)
        sink.write(json.dumps({
            "text": result.text,
            "redacted": result.redacted,
            "entities": [d.as_dict() for d in result.entities],
        }, ensure_ascii=False) + "\n")
        sink.flush()
    return bad


def register(app: typer.Typer) -> None:
    @app.command("redact")
    def redact_command() -> None:
        """Redact PII from JSON lines on stdin.

        Each input line is {"text": "..."}; each output line is {"text", "redacted",
        "entities": [{"type", "start", "end", "score"}]} with character offsets into the input.
        `entities` lists everything detected; `redacted` replaces only the types the default
        policy redacts (order dates, organisations and ages stay), with pseudonyms like
        <PERSON_1> numbered per line. A bad line yields {"error": "..."} and the run goes on.
        """
        from privacy.config import PrivacyConfig
        from privacy.detector import PiiDetector

        stdin = open(sys.stdin.fileno(), encoding="utf-8", errors="surrogateescape", closefd=False)
        redact_stream(stdin, sys.stdout, PiiDetector(PrivacyConfig()))
