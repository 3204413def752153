"""Compare a replay with τ²'s expected output: money to the cent, a missing key equals null."""

from __future__ import annotations

from typing import Any


def normalise(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    return value


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Human-readable differences between two normalised structures."""
    e, a = normalise(expected), normalise(actual)
    if isinstance(e, dict) and isinstance(a, dict):
        out: list[str] = []
        for key in sorted(set(e) | set(a)):
            out += differences(e.get(key), a.get(key), f"{path}.{key}")
        return out
    if isinstance(e, list) and isinstance(a, list) and len(e) == len(a):
        out = []
        for i, (x, y) in enumerate(zip(e, a)):
            out += differences(x, y, f"{path}[{i}]")
        return out
    return [] if e == a else [f"{path}: expected {e!r}, got {a!r}"]


def compare_task(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    diffs = differences(expected["changed"], actual["changed"], "changed")
    exp_actions = [(x["name"], x["ok"], x["result_or_error"]) for x in expected["actions"]]
    act_actions = [(x["name"], x["ok"], x["result_or_error"]) for x in actual["actions"]]
    diffs += differences(exp_actions, act_actions, "actions")
    return diffs
