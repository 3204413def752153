"""The `concierge` command line, run as a user would: a subprocess with its environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TAU2_TEST_DATA

BIN = Path(sys.executable).parent / "concierge"


def run(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], env=env, input=stdin, capture_output=True, text=True, timeout=300)


@pytest.fixture
def env(sqlite_url: str, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "CONCIERGE_DATABASE_URL": sqlite_url, "CONCIERGE_VAR_DIR": str(tmp_path),
            "CONCIERGE_STAFF_SECRET": "cli-secret-long-enough-for-hs256-signatures!"}


@pytest.mark.parametrize("command", [[], ["seed"], ["serve"], ["tau2", "replay"], ["segments"],
                                     ["customers", "show"], ["customers", "consent"], ["orders", "show"],
                                     ["audit", "tail"], ["staff", "token"]])
def test_every_command_has_help(command: list[str], env: dict[str, str]) -> None:
    r = run([*command, "--help"], env)
    assert r.returncode == 0 and "Usage:" in r.stdout


def test_seed_is_idempotent(env: dict[str, str]) -> None:
    assert "unchanged" in run(["seed"], env).stderr
    assert "reset" in run(["seed", "--reset"], env).stderr


def test_consent_off_is_reflected_in_the_profile(env: dict[str, str]) -> None:
    assert run(["customers", "consent", "noah_brown_6181", "--off", "--json"], env).returncode == 0
    profile = json.loads(run(["customers", "show", "noah_brown_6181", "--json"], env).stdout)
    assert profile["marketing_consent"] is False and profile["user_id"] == "noah_brown_6181"


def test_unknown_ids_fail_clearly(env: dict[str, str]) -> None:
    r = run(["orders", "show", "#W0000000", "--json"], env)
    assert r.returncode == 1 and "not found" in r.stderr and r.stdout == ""


def test_orders_show_json(env: dict[str, str]) -> None:
    order = json.loads(run(["orders", "show", "#W2378156", "--json"], env).stdout)
    assert order["user_id"] == "yusuf_rossi_9620" and len(order["items"]) == 5


def test_segments_and_audit_tail(env: dict[str, str]) -> None:
    counts = json.loads(run(["segments", "--json"], env).stdout)
    assert sum(counts.values()) == 500
    tail = run(["audit", "tail", "--json", "-n", "5"], env)
    assert tail.returncode == 0 and isinstance(json.loads(tail.stdout), list)


def test_staff_token_is_accepted_by_the_api(env: dict[str, str]) -> None:
    from server.auth import verify_staff_token

    token = run(["staff", "token", "alice"], env).stdout.strip()
    assert verify_staff_token("cli-secret-long-enough-for-hs256-signatures!", token).name == "alice"


def test_tau2_replay_writes_the_documented_format(env: dict[str, str], tmp_path: Path) -> None:
    tasks = json.loads((TAU2_TEST_DATA / "tasks_train.json").read_text())[:4]
    expected = {e["task_id"]: e for e in json.loads((TAU2_TEST_DATA / "expected_train.json").read_text())}
    (tmp_path / "tasks.json").write_text(json.dumps(tasks))
    r = run(["tau2", "replay", "--tasks", str(tmp_path / "tasks.json"), "--out", str(tmp_path / "out.json")], env)
    assert r.returncode == 0, r.stderr
    out = json.loads((tmp_path / "out.json").read_text())
    assert [o["task_id"] for o in out] == [t["id"] for t in tasks]
    from tools.tau2_compare import compare_task

    for o in out:
        assert set(o) >= {"task_id", "actions", "changed"} and set(o["changed"]) == {"orders", "users", "products"}
        assert all(set(a) >= {"name", "ok", "result_or_error"} for a in o["actions"])
        assert compare_task(expected[o["task_id"]], o) == []


def test_tau2_replay_rejects_a_broken_file(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    r = run(["tau2", "replay", "--tasks", str(tmp_path / "bad.json"), "--out", str(tmp_path / "o.json")], env)
    assert r.returncode == 1 and "not valid JSON" in r.stderr
