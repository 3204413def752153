"""`concierge understand`, run as a user would: JSON lines through a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "concierge"


def run(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run([str(BIN), "understand", *args], input=stdin, env=env, capture_output=True, text=True,
                          timeout=300)


def test_understand_json_lines_with_bad_lines_in_between() -> None:
    filler = [json.dumps({"text": t}) for t in ["hi", "I want to return the headphones", "any deals for me?"] * 100]
    lines = [
        json.dumps({"text": "where is my order #W2378156"}),
        "this is not json",
        json.dumps({"text": "what's the weather in Paris", "id": 7}),
        json.dumps({"no_text": 1}),
        json.dumps(["a list"]),
        "",
        json.dumps({"text": "yes"}),
        *filler,
    ]
    r = run("\n".join(lines) + "\n", "--batch-size", "64")
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(out) == 6 + len(filler)  # the blank line is skipped, every other line answers in order
    assert [o["intent"] for o in out[6:9]] == ["greeting", "return_items", "get_offers"]
    first = out[0]
    assert list(first)[:5] == ["text", "intent", "confidence", "out_of_scope", "slots"]
    assert (first["intent"], first["out_of_scope"], first["slots"]["order_id"]) == ("track_order", False, "#W2378156")
    assert "error" in out[1] and "error" in out[3] and "error" in out[4]
    assert out[2]["out_of_scope"] is True and out[2]["id"] == 7
    assert (out[5]["intent"], out[5]["out_of_scope"]) == ("affirm", False)


@pytest.mark.slow
def test_understand_thousands_of_lines() -> None:
    texts = ["hi", "I want to return the headphones", "any deals for me?", "book a flight to Rome"] * 750
    r = run("".join(json.dumps({"text": t}) + "\n" for t in texts), "--batch-size", "256")
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["text"] for o in out] == texts
    assert {o["intent"] for o in out[:4]} == {"greeting", "return_items", "get_offers", "out_of_scope"}


def test_understand_help() -> None:
    env = {**os.environ}
    r = subprocess.run([str(BIN), "understand", "--help"], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "JSON lines" in r.stdout
