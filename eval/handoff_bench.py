"""Handoff latency across instances: two app processes on PostgreSQL + Redis, shoppers on A,
one staff console on B, N concurrent conversations (default 50).

- handoff latency: the shopper's `handoff_request` sent on A -> the console on B receives a
  `queue` frame listing the conversation (requests arrive every --arrival-ms, 50 a second);
- message latency: a shopper message sent on A -> the console on B receives it, and a staff
  message sent on B -> the shopper on A receives it.
Reports median and p95 (ms) in eval/reports/handoff.{json,md}.

Needs PostgreSQL (CONCIERGE_BENCH_POSTGRES_URL, default the local `test` server) and Redis
(CONCIERGE_BENCH_REDIS_URL, default redis://127.0.0.1:6379/6)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import create_engine, text

from tests.live import (Chat, RunningServer, add_staff, launch_server, open_chat, open_console, staff_login,
                        stop_server, wait_ready)

REPORTS = Path(__file__).resolve().parent / "reports"
PG_ADMIN = os.environ.get("CONCIERGE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CONCIERGE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
CONCIERGE = str(Path(sys.executable).parent / "concierge")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def stats(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "median_ms": statistics.median(values) * 1000, "p95_ms": pct(values, 0.95) * 1000}


async def wait_for(chat: Chat, match: Any, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        f = await chat.recv(max(0.01, deadline - time.monotonic()))
        if match(f):
            return f


async def run(a: RunningServer, b: RunningServer, token: str, n: int, rounds: int,
              arrival_s: float) -> dict[str, Any]:
    cws, console = await open_console(b, token)
    shoppers = [await open_chat(a) for _ in range(n)]
    ids = [chat.session["conversation_id"] for _ws, chat in shoppers]
    sent: dict[str, float] = {}
    handoff: dict[str, float] = {}

    async def watch_queue() -> None:
        while len(handoff) < n:
            f = await console.until(lambda f: f["type"] == "queue", timeout=120)
            now = time.perf_counter()
            for e in f["conversations"]:
                cid = e["conversation_id"]
                if cid in sent and cid not in handoff:
                    handoff[cid] = now - sent[cid]

    watcher = asyncio.create_task(watch_queue())
    for (ws, _chat), cid in zip(shoppers, ids):  # arrivals every `arrival_s` (50 a second by default)
        sent[cid] = time.perf_counter()
        await ws.send(json.dumps({"type": "handoff_request"}))
        await asyncio.sleep(arrival_s)
    await asyncio.wait_for(watcher, 180)
    for cid in ids:  # claim them all
        await console.send(type="claim", conversation_id=cid)
        await console.until(lambda f, cid=cid: f["type"] == "claimed" and f["conversation_id"] == cid, timeout=120)

    a_to_b: list[float] = []
    b_to_a: list[float] = []
    pending: dict[str, float] = {}

    async def console_reader() -> None:
        while len(a_to_b) < n * rounds:
            f = await console.until(lambda f: f["type"] == "message" and f["role"] == "shopper", timeout=120)
            a_to_b.append(time.perf_counter() - pending.pop(f["text"]))

    async def shopper_round(ws: Any, chat: Chat, cid: str) -> None:
        for r in range(rounds):
            key = f"{cid}:{r}"
            pending[key] = time.perf_counter()
            await ws.send(json.dumps({"type": "message", "text": key, "client_id": key}))
            t0 = time.perf_counter()
            await console.send(type="message", conversation_id=cid, text=f"staff {key}", client_id=f"s{key}")
            await wait_for(chat, lambda f: f["type"] == "message" and f["role"] == "staff" and f["text"] == f"staff {key}")
            b_to_a.append(time.perf_counter() - t0)

    reader = asyncio.create_task(console_reader())
    await asyncio.gather(*(shopper_round(ws, chat, cid) for (ws, chat), cid in zip(shoppers, ids)))
    await asyncio.wait_for(reader, 120)
    for ws, _chat in shoppers:
        await ws.close()
    await cws.close()
    return {"conversations": n, "rounds": rounds, "arrival_ms": arrival_s * 1000,
            "handoff_request_to_console": stats(list(handoff.values())),
            "shopper_on_a_to_staff_on_b": stats(a_to_b), "staff_on_b_to_shopper_on_a": stats(b_to_a)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conversations", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--arrival-ms", type=float, default=20.0, help="time between two shoppers' handoff requests")
    args = ap.parse_args()
    redis.Redis.from_url(REDIS_URL).flushdb()
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    dbname = f"concierge_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{dbname}"'))
    env = {"CONCIERGE_DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + f"/{dbname}", "CONCIERGE_REDIS_URL": REDIS_URL,
           "CONCIERGE_CHAT_CONNECTIONS_PER_ADDRESS": "500", "CONCIERGE_CHAT_MESSAGES_PER_MINUTE": "600"}
    servers: list[RunningServer] = []
    try:
        with tempfile.TemporaryDirectory(prefix="concierge-handoff-bench-") as tmp_s:
            tmp = Path(tmp_s)
            index_var = tmp / "index"
            full = {**os.environ, **env, "CONCIERGE_VAR_DIR": str(index_var)}
            subprocess.run([CONCIERGE, "seed"], env=full, check=True, capture_output=True)
            subprocess.run([CONCIERGE, "index", "all"], env=full, check=True, capture_output=True)
            launched = [(launch_server(tmp / name, None, env, index_template=index_var / "qdrant"), tmp / name)
                        for name in ("a", "b")]
            servers = [wait_ready(proc, base, e, var) for (proc, base, e), var in launched]
            add_staff(servers[0], "bench", "bench-password-1")
            token = staff_login(servers[1], "bench", "bench-password-1")
            report = asyncio.run(run(servers[0], servers[1], token, args.conversations, args.rounds,
                                     args.arrival_ms / 1000))
            for s in servers:
                stop_server(s)
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        for s in servers:
            if s.proc.poll() is None:
                s.proc.kill()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "handoff.json").write_text(json.dumps(report, indent=2))
    lines = ["# Handoff latency across two instances (PostgreSQL + Redis)", "",
             f"{report['conversations']} concurrent conversations (shoppers on instance A, one console on B), "
             f"{report['rounds']} message rounds each (all conversations at once); handoff requests "
             f"arrive every {report['arrival_ms']:.0f} ms.", "", "| path | n | median | p95 |", "|---|---:|---:|---:|"]
    for key in ("handoff_request_to_console", "shopper_on_a_to_staff_on_b", "staff_on_b_to_shopper_on_a"):
        r = report[key]
        lines.append(f"| {key.replace('_', ' ')} | {r['n']} | {r['median_ms']:.1f} ms | {r['p95_ms']:.1f} ms |")
    (REPORTS / "handoff.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
