"""`concierge index` / `concierge search` end to end on a tiny store (real model, real Edge)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from .conftest import DB

PRODUCTS = ("Electric Kettle", "Tea Kettle", "Mechanical Keyboard")
CUSTOMER = "james_li_5688"


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("cli")
    full = json.loads(DB.read_text())
    small = {
        "products": {k: v for k, v in full["products"].items() if v["name"] in PRODUCTS},
        "users": {CUSTOMER: full["users"][CUSTOMER]},
        "orders": {k: v for k, v in full["orders"].items() if v["user_id"] == CUSTOMER},
    }
    (tmp / "db.json").write_text(json.dumps(small))
    return {"CONCIERGE_VAR_DIR": str(tmp / "var"), "CONCIERGE_QDRANT_PATH": str(tmp / "qdrant"),
            "CONCIERGE_SEED_FILE": str(tmp / "db.json"), "CONCIERGE_DATABASE_URL": "",
            "CONCIERGE_QDRANT_URL": ""}


def run(env: dict[str, str], *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    from server.cli import app

    return CliRunner().invoke(app, list(args), env=env, input=stdin)


@pytest.fixture(scope="module")
def indexed(cli_env: dict[str, str]) -> dict[str, str]:
    for target in ("catalog", "history"):
        res = run(cli_env, "index", target)
        assert res.exit_code == 0, res.output
    return cli_env


def test_help_lists_commands() -> None:
    from server.cli import app

    out = CliRunner().invoke(app, ["--help"]).output
    assert "search" in out and "index" in out
    assert "--queries" in CliRunner().invoke(app, ["search", "--help"]).output


def test_index_is_idempotent(indexed: dict[str, str]) -> None:
    res = run(indexed, "index", "catalog")
    assert res.exit_code == 0
    assert "0 embedded" in res.output


def test_search_json_format(indexed: dict[str, str]) -> None:
    res = run(indexed, "search", "clicky full-size keyboard with RGB", "--collection", "catalog", "-k", "3", "--json")
    assert res.exit_code == 0, res.output
    hits = json.loads(res.stdout)
    assert len(hits) == 3
    assert all(set(h) == {"id", "score", "title", "text", "payload"} for h in hits)
    product, _, item = hits[0]["id"].partition(":")
    assert product == "1656367028" and item == hits[0]["payload"]["item_id"]


def test_history_needs_customer_and_filters_to_it(indexed: dict[str, str]) -> None:
    res = run(indexed, "search", "water bottle", "--collection", "history")
    assert res.exit_code != 0 and "customer id is required" in res.output
    res = run(indexed, "search", "water bottle", "--collection", "history", "--customer", CUSTOMER, "--json")
    assert res.exit_code == 0
    assert all(h["payload"]["customer_id"] == CUSTOMER for h in json.loads(res.stdout))


def test_queries_file(indexed: dict[str, str], tmp_path: Path) -> None:
    lines = [{"query": "a kettle that isn't plastic", "collection": "catalog", "k": 2},
             {"query": "my orders", "collection": "history", "customer": CUSTOMER},
             {"query": "keyboard", "collection": "catalog"}]
    f = tmp_path / "q.jsonl"
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    res = run(indexed, "search", "--queries", str(f))
    assert res.exit_code == 0, res.output
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["query"] for o in out] == [x["query"] for x in lines]
    assert all(set(o) == {"query", "results"} for o in out)
    assert len(out[0]["results"]) == 2 and len(out[2]["results"]) == 10


@pytest.mark.parametrize("args, message", [
    (["search", "", "--json"], "empty"),
    (["search", "x" * 10_240], "limit is"),
    (["search", "kettle", "--collection", "products"], "unknown collection"),
    (["search", "kettle", "--filter", "colour=red"], "no filterable field"),
    (["search", "kettle", "--filter", "nonsense"], "KEY=VALUE"),
    (["index", "everything"], "unknown collection"),
    (["search"], "QUERY or --queries"),
])
def test_bad_input_exits_non_zero(indexed: dict[str, str], args: list[str], message: str) -> None:
    res = run(indexed, *args)
    assert res.exit_code != 0
    assert message in res.output


def test_bad_line_in_queries_file(indexed: dict[str, str], tmp_path: Path) -> None:
    f = tmp_path / "q.jsonl"
    f.write_text(json.dumps({"query": "kettle", "collection": "catalog", "k": 1}) + "\n"
                 + json.dumps({"query": "", "collection": "catalog"}) + "\n")
    res = run(indexed, "search", "--queries", str(f))
    assert res.exit_code == 1
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(out[0]["results"]) == 1 and out[1]["results"] == [] and "empty" in out[1]["error"]
