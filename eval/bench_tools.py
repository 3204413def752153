"""Tool-call latency through the full service path (validation, identity, SQL, audit row, commit)
on SQLite and on PostgreSQL. Reports medians and p95 per tool; writes eval/reports/tools.{md,json}.

    python -m eval.bench_tools [--repeat 200] [--postgres URL|--no-postgres]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from tools.crm import registry as crm_registry
from tools.db import make_engine, make_sessionmaker
from tools.offers import registry as offers_registry
from tools.seed import seed
from tools.service import ToolService
from tools.session import ToolSession

REPORTS = Path(__file__).resolve().parent / "reports"
YUSUF = "yusuf_rossi_9620"
READS: list[tuple[str, dict[str, Any]]] = [
    ("get_order_details", {"order_id": "#W2378156"}),
    ("get_user_details", {"user_id": YUSUF}),
    ("get_product_details", {"product_id": "1656367028"}),
    ("find_user_id_by_email", {"email": "yusuf.rossi7301@example.com"}),
    ("find_user_id_by_name_zip", {"first_name": "Yusuf", "last_name": "Rossi", "zip": "19122"}),
    ("get_offers", {}),
]
# A write that can repeat: alternate an order's shipping address between two values.
ADDRESSES = [{"address1": "763 Broadway", "address2": "Suite 135", "city": "Philadelphia", "state": "PA",
              "country": "USA", "zip": "19122"},
             {"address1": "1 Market St", "address2": "", "city": "Philadelphia", "state": "PA",
              "country": "USA", "zip": "19106"}]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench(url: str, repeat: int) -> dict[str, dict[str, float]]:
    engine = make_engine(url)
    service = ToolService(make_sessionmaker(engine), crm_registry.merge(offers_registry))
    session = ToolSession.for_customer(YUSUF, verified_by="website_identity", actor="bench")
    calls = [*READS, *[("modify_pending_order_address", {"order_id": "#W6247578", **a}) for a in ADDRESSES]]
    for name, args in calls:  # warm-up
        assert service.call(session, name, args).ok, name
    timings: dict[str, list[float]] = {name: [] for name, _ in calls}
    for i in range(repeat):
        for name, args in calls:
            if name == "modify_pending_order_address":
                args = {"order_id": "#W6247578", **ADDRESSES[i % 2]}
            t0 = time.perf_counter()
            out = service.call(session, name, args)
            timings[name].append((time.perf_counter() - t0) * 1000)
            assert out.ok, out.error
    engine.dispose()
    every = [t for ts in timings.values() for t in ts]
    report = {name: {"median_ms": statistics.median(ts), "p95_ms": pct(ts, 0.95)} for name, ts in timings.items()}
    report["ALL"] = {"median_ms": statistics.median(every), "p95_ms": pct(every, 0.95)}
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=100)
    ap.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        seed(make_engine(url))
        results["sqlite"] = bench(url, args.repeat)
    if not args.no_postgres:
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        name = f"concierge_bench_{uuid.uuid4().hex[:8]}"
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
            engine = make_engine(url)
            seed(engine)
            engine.dispose()
            results["postgresql"] = bench(url, args.repeat)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "tools.json").write_text(json.dumps(results, indent=2))
    backends = list(results)
    lines = ["# Tool-call latency", "",
             f"Full service path (validate, identity, SQL, audit row, commit); {args.repeat} rounds; ms.", "",
             "| tool | " + " | ".join(f"{b} median | {b} p95" for b in backends) + " |",
             "|---|" + "---:|---:|" * len(backends)]
    for tool in results[backends[0]]:
        cells = " | ".join(f"{results[b][tool]['median_ms']:.2f} | {results[b][tool]['p95_ms']:.2f}" for b in backends)
        lines.append(f"| {tool} | {cells} |")
    (REPORTS / "tools.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
