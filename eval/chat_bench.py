"""Chat latency with the embedded model, over the real WebSocket of a real server.

    python -m eval.chat_bench [--rounds 3] [--concurrency 20,100]

Per journey: time to first text (the first streamed token, or the final message when the reply
is not streamed) and full-turn latency (median, p95); the same turns with the
LLM switched off (the agent's own overhead: NLU, tools, retrieval, privacy, persistence); then
N concurrent conversations. Writes eval/reports/chat.{md,json}."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import websockets

from tests.live import IDENTITY_SECRET, RunningServer, start_server, stop_server
from server.auth import issue_identity_token

REPORTS = Path(__file__).resolve().parent / "reports"
REPO = Path(__file__).resolve().parent.parent
JOURNEYS: dict[str, tuple[str | None, list[str]]] = {
    "identify": (None, ["Hi, my email is yusuf.rossi7301@example.com"]),
    "order status": ("yusuf_rossi_9620", ["Where is my order #W2378156?"]),
    "cancel": ("yusuf_rossi_9620", ["Cancel order #W6247578", "ordered by mistake", "no"]),  # under the refund limit
    "return": ("mia_moore_8366", ["I want to return the bookshelf from order #W5544629", "gift card", "no"]),
    "product": (None, ["Do you sell a clicky mechanical keyboard with RGB?"]),
    "policy": (None, ["How do returns work for a delivered order?"]),
    "offers": ("noah_brown_6181", ["Any offers for me?"]),
    "handoff": (None, ["I want to talk to a person"]),
    "out of scope": (None, ["What's the weather in Paris tomorrow?"]),
}


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


async def turn(ws: Any, text: str) -> tuple[float | None, float]:
    cid, t0, first = uuid.uuid4().hex, time.perf_counter(), None
    await ws.send(json.dumps({"type": "message", "text": text, "client_id": cid}))
    seq = None
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 180))
        if frame["type"] == "ack" and frame["client_id"] == cid:
            seq = frame["seq"]
        elif frame["type"] == "token" and first is None and frame.get("reply_to") == seq:
            first = time.perf_counter() - t0
        elif frame["type"] == "message" and frame["role"] == "assistant" and frame.get("reply_to") == seq:
            done = time.perf_counter() - t0
            return (first if first is not None else done), done  # first text the shopper sees


async def journey(server: RunningServer, name: str) -> list[tuple[float | None, float]]:
    customer, texts = JOURNEYS[name]
    async with websockets.connect(server.ws_url, max_size=2**22) as ws:
        hello: dict[str, Any] = {"type": "hello"}
        if customer:
            hello["identity"] = issue_identity_token(IDENTITY_SECRET, customer)
        await ws.send(json.dumps(hello))
        while json.loads(await ws.recv())["type"] != "session":
            pass
        return [await turn(ws, t) for t in texts]


async def per_journey(server: RunningServer, rounds: int) -> dict[str, dict[str, float]]:
    out = {}
    for name in JOURNEYS:
        samples = [s for _ in range(rounds) for s in await journey(server, name)]
        ttft = [s[0] for s in samples if s[0] is not None]
        full = [s[1] for s in samples]
        out[name] = {"ttft_median_ms": statistics.median(ttft) * 1000 if ttft else float("nan"),
                     "ttft_p95_ms": pct(ttft, 0.95) * 1000 if ttft else float("nan"),
                     "turn_median_ms": statistics.median(full) * 1000, "turn_p95_ms": pct(full, 0.95) * 1000,
                     "turns": len(full)}
    return out


async def concurrent(server: RunningServer, n: int) -> dict[str, float]:
    names = ["product", "policy", "order status", "out of scope"]
    t0 = time.perf_counter()
    results = await asyncio.gather(*[journey(server, names[i % len(names)]) for i in range(n)])
    wall = time.perf_counter() - t0
    full = [s[1] for r in results for s in r]
    ttft = [s[0] for r in results for s in r if s[0] is not None]
    return {"conversations": n, "turn_median_ms": statistics.median(full) * 1000, "turn_p95_ms": pct(full, 0.95) * 1000,
            "ttft_median_ms": statistics.median(ttft) * 1000 if ttft else float("nan"), "wall_s": wall}


def seeded_template(tmp: Path) -> tuple[Path, Path]:
    db = tmp / "template.db"
    env_var = tmp / "index"
    env_var.mkdir()
    env = {"CONCIERGE_VAR_DIR": str(env_var), "CONCIERGE_DATABASE_URL": f"sqlite:///{db}"}
    concierge = str(Path(sys.executable).parent / "concierge")
    import os

    subprocess.run([concierge, "seed"], env={**os.environ, **env}, check=True, capture_output=True)
    subprocess.run([concierge, "index", "all"], env={**os.environ, **env}, check=True, capture_output=True)
    return db, env_var / "qdrant"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", default="20,100")
    args = ap.parse_args()
    limits = {"CONCIERGE_CHAT_CONNECTIONS_PER_ADDRESS": "500", "CONCIERGE_CHAT_MESSAGES_PER_MINUTE": "600"}
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="concierge-bench-") as tmp_s:
        tmp = Path(tmp_s)
        db, index = seeded_template(tmp)
        for label, extra in [("embedded LLM", {}), ("LLM off (agent overhead)", {"CONCIERGE_LLM_URL": "http://127.0.0.1:9/v1",
                                                                                  "CONCIERGE_LLM_MAX_RETRIES": "0",
                                                                                  # measuring, not handing off
                                                                                  "CONCIERGE_HANDOFF_LLM_DOWN_TURNS": "0"})]:
            var = tmp / label.split()[0]
            server = start_server(var, db, {**limits, **extra}, index_template=index)
            try:
                report[label] = {"journeys": asyncio.run(per_journey(server, args.rounds))}
                if label == "embedded LLM":
                    report[label]["concurrent"] = [asyncio.run(concurrent(server, int(n)))
                                                   for n in args.concurrency.split(",") if n]
            finally:
                stop_server(server)
                shutil.rmtree(var, ignore_errors=True)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "chat.json").write_text(json.dumps(report, indent=2))
    lines = ["# Chat latency (embedded defaults, real WebSocket)", ""]
    for label, data in report.items():
        lines += [f"## {label}", "", "| journey | turns | TTFT median | TTFT p95 | turn median | turn p95 |",
                  "|---|---:|---:|---:|---:|---:|"]
        for name, r in data["journeys"].items():
            lines.append(f"| {name} | {r['turns']} | {r['ttft_median_ms']:.0f} ms | {r['ttft_p95_ms']:.0f} ms | "
                         f"{r['turn_median_ms']:.0f} ms | {r['turn_p95_ms']:.0f} ms |")
        for c in data.get("concurrent", []):
            lines += ["", f"{c['conversations']} concurrent conversations: turn median {c['turn_median_ms']:.0f} ms, "
                          f"p95 {c['turn_p95_ms']:.0f} ms, TTFT median {c['ttft_median_ms']:.0f} ms, wall {c['wall_s']:.1f} s"]
        lines.append("")
    (REPORTS / "chat.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
