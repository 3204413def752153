"""Prompts and deterministic reply templates, loaded from the YAML data files."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROMPTS = Path(__file__).resolve().parent / "prompts"


@cache
def _load(name: str) -> dict[str, str]:
    return yaml.safe_load((PROMPTS / f"{name}.yaml").read_text())


def prompt(key: str) -> str:
    return _load("system")[key]


def reply(key: str, **values: Any) -> str:
    return _load("replies")[key].format(**values)


def money(value: float | int | None) -> str:
    return "" if value is None else f"${float(value):,.2f}"


def join_human(parts: list[str]) -> str:
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
