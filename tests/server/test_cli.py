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


@pytest.mark.parametrize("command", [[], ["seed"], ["migrate"], ["serve"], ["tau2", "replay"], ["segments"],
                                     ["customers", "show"], ["customers", "consent"], ["customers", "hardship"],
                                     ["orders", "show"], ["audit", "tail"], ["staff", "token"]])
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


@pytest.mark.parametrize("content, expected", [
    ("[1]", "task 0: expected an object"),
    ('"x"', "expected a JSON list of tasks, got str"),
    ("42", "expected a JSON list of tasks, got int"),
    ('[{"evaluation_criteria": {"actions": []}}]', "task 0: missing 'id'"),
    ('[{"id": "7", "evaluation_criteria": {"actions": [{"arguments": {}}]}}]', "task 0 (id '7'): action 0 has no 'name'"),
    ('[{"id": "7", "evaluation_criteria": {"actions": "cancel"}}]', "'evaluation_criteria.actions' must be a list"),
    ('[{"id": 1, "evaluation_criteria": {"actions": [{"name": "calculate", "arguments": [1]}]}}]',
     "action 0 (calculate): 'arguments' must be an object"),
])
def test_tau2_replay_explains_a_file_that_is_not_tasks(env: dict[str, str], tmp_path: Path, content: str,
                                                        expected: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    r = run(["tau2", "replay", "--tasks", str(tmp_path / "bad.json"), "--out", str(tmp_path / "o.json")], env)
    assert r.returncode == 1 and "not a τ² tasks file" in r.stderr and expected in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and r.stdout == "" and not (tmp_path / "o.json").exists()


def test_tau2_replay_refuses_an_unwritable_out_before_replaying(env: dict[str, str], tmp_path: Path) -> None:
    tasks = json.loads((TAU2_TEST_DATA / "tasks_train.json").read_text())[:1]
    (tmp_path / "tasks.json").write_text(json.dumps(tasks))
    for out, why in [(tmp_path / "missing" / "out.json", "does not exist"), (tmp_path, "is a directory")]:
        r = run(["tau2", "replay", "--tasks", str(tmp_path / "tasks.json"), "--out", str(out)], env)
        assert r.returncode == 2 and f"cannot write --out {out}" in r.stderr and why in r.stderr, r.stderr
        assert "replayed" not in r.stderr and "Traceback" not in r.stderr


def test_tau2_replay_accepts_ids_that_look_like_paths(env: dict[str, str], tmp_path: Path) -> None:
    task = json.loads((TAU2_TEST_DATA / "tasks_train.json").read_text())[0]
    (tmp_path / "tasks.json").write_text(json.dumps([{**task, "id": "../../x/y"}]))
    r = run(["tau2", "replay", "--tasks", str(tmp_path / "tasks.json"), "--out", str(tmp_path / "out.json")], env)
    assert r.returncode == 0, r.stderr
    assert [o["task_id"] for o in json.loads((tmp_path / "out.json").read_text())] == ["../../x/y"]


def test_hardship_flag_stops_marketing_offers_and_is_audited(env: dict[str, str], sqlite_url: str) -> None:
    from tests.conftest import _store
    from tools.session import ToolSession

    noah = "noah_brown_6181"

    def offers() -> list[dict]:
        store = _store(sqlite_url)
        try:
            out = store.tools.call(ToolSession.for_customer(noah, verified_by="website_identity"), "get_offers", {})
        finally:
            store.engine.dispose()
        assert out.ok
        return out.result

    assert any(o["marketing"] for o in offers())
    r = run(["customers", "hardship", noah, "--on", "--json"], env)
    assert r.returncode == 0 and json.loads(r.stdout) == {"user_id": noah, "hardship": True}
    assert json.loads(run(["customers", "show", noah, "--json"], env).stdout)["hardship"] is True
    assert not any(o["marketing"] for o in offers())
    tail = json.loads(run(["audit", "tail", "--customer", noah, "--json", "-n", "5"], env).stdout)
    assert [(e["tool"], e["arguments"], e["write"]) for e in tail if e["actor"].startswith("cli")][-1] == \
        ("customers hardship", {"user_id": noah, "hardship": True}, True)
    assert json.loads(run(["customers", "hardship", noah, "--off", "--json"], env).stdout)["hardship"] is False
    assert any(o["marketing"] for o in offers())


def test_hardship_needs_a_known_customer_and_a_choice(env: dict[str, str]) -> None:
    r = run(["customers", "hardship", "nobody_0000", "--on", "--json"], env)
    assert r.returncode == 1 and "not found" in r.stderr and r.stdout == ""
    assert run(["customers", "hardship", "noah_brown_6181"], env).returncode == 2  # --on or --off is required


def test_consent_changes_are_audited(env: dict[str, str]) -> None:
    run(["customers", "consent", "noah_brown_6181", "--off"], env)
    tail = json.loads(run(["audit", "tail", "--customer", "noah_brown_6181", "--json"], env).stdout)
    assert tail[-1]["tool"] == "customers consent" and tail[-1]["arguments"]["marketing_consent"] is False


def test_migrate_creates_the_schema_without_demo_customers(tmp_path: Path) -> None:
    db = tmp_path / "prod.db"
    env = {**os.environ, "CONCIERGE_DATABASE_URL": f"sqlite:///{db}", "CONCIERGE_VAR_DIR": str(tmp_path)}
    for _ in range(2):  # idempotent
        r = run(["migrate", "--json"], env)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["outcome"] == "migrated"
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(f"sqlite:///{db}")
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"customers", "orders", "audit_log", "campaigns", "conversations", "messages"} <= tables
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM customers")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM campaigns")).scalar() == 0
    finally:
        engine.dispose()
    r = run(["customers", "show", "noah_brown_6181", "--json"], env)
    assert r.returncode == 1 and "not found" in r.stderr


def test_seed_json(env: dict[str, str]) -> None:
    r = run(["seed", "--json"], env)
    assert r.returncode == 0 and json.loads(r.stdout)["outcome"] == "unchanged"
