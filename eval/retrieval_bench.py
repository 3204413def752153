"""Retrieval benchmark: quality on the labelled demo-store query set (dense vs BM25 vs hybrid)
and latency / build time / memory at the demo size and on synthetic catalogs.

    python -m eval.retrieval_bench [--sizes demo,100k,1m]

Writes eval/reports/retrieval.md and eval/reports/retrieval.json. Each synthetic size runs in
its own process so its resident memory is its own. Synthetic catalogs (eval/gen_catalog.py)
embed a pool of distinct template texts once with the real MiniLM and give each item its
template's vector plus small Gaussian noise (documented in the report); queries are always
embedded for real, and BM25 vectors are always real."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "eval" / "data" / "retrieval_queries.jsonl"
REPORTS = ROOT / "eval" / "reports"
DB = ROOT / "tools" / "data" / "tau2_retail" / "db.json"
CATEGORIES = ROOT / "tools" / "data" / "categories.json"
POLICY = ROOT / "tools" / "data" / "tau2_retail" / "policy.md"
ONNX_CACHE = ROOT / "var" / "models"  # the server's default cache (settings.var_dir / "models")
SIZES = {"demo": 0, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
MODES = ("dense", "bm25", "hybrid")


# --- metrics -------------------------------------------------------------------------------

def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the relevant ids in the top k, capped: with more than k relevant ids, k hits
    in the top k is a perfect score."""
    return len([r for r in ranked[:k] if r in relevant]) / min(len(relevant), k)


def mrr_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return next((1.0 / (i + 1) for i, r in enumerate(ranked[:k]) if r in relevant), 0.0)


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(ranked[:k]) if r in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MiB, from /proc."""
    cur = peak = float("nan")
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    except OSError:
        pass
    return cur, peak


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def load_queries(path: Path = QUERIES) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# --- demo-size quality and latency ---------------------------------------------------------

def _demo_retrieval(store: Path):  # type: ignore[no-untyped-def]
    from retrieval import KbSources, Retrieval, RetrievalConfig
    from retrieval.tau2_adapter import catalog_from_tau2, load_categories, load_tau2_store, orders_from_tau2

    r = Retrieval.open(RetrievalConfig(store_path=store, onnx_cache_dir=ONNX_CACHE,
                                       kb=KbSources(policy_files=((POLICY, "tau2-policy"),))))
    db = load_tau2_store(DB)
    t0 = time.perf_counter()
    r.index_catalog(list(catalog_from_tau2(db, load_categories(CATEGORIES))))
    t_cat = time.perf_counter() - t0
    t0 = time.perf_counter()
    r.index_kb()
    t_kb = time.perf_counter() - t0
    t0 = time.perf_counter()
    r.index_history(list(orders_from_tau2(db)))
    t_hist = time.perf_counter() - t0
    builds = {"catalog_s": t_cat, "kb_s": t_kb, "history_s": t_hist,
              "points": {c: r.count(c) for c in ("catalog", "kb", "history")}}
    return r, builds


def quality(r: Any, queries: list[dict[str, Any]]) -> dict[str, Any]:
    rows: dict[str, dict[str, list[float]]] = {}
    failures: list[dict[str, Any]] = []
    for q in queries:
        rel = set(q["relevant"])
        for mode in MODES:
            hits = r.search(q["query"], q["collection"], k=10, mode=mode)
            ranked = [h.id for h in hits]
            for group in (q["collection"], "all"):
                m = rows.setdefault(f"{group}|{mode}", {"recall@5": [], "mrr@10": [], "ndcg@10": [], "hit@1": []})
                m["recall@5"].append(recall_at(ranked, rel, 5))
                m["mrr@10"].append(mrr_at(ranked, rel, 10))
                m["ndcg@10"].append(ndcg_at(ranked, rel, 10))
                m["hit@1"].append(1.0 if ranked[:1] and ranked[0] in rel else 0.0)
            if mode == "hybrid" and (not ranked or ranked[0] not in rel or recall_at(ranked, rel, 5) < 1):
                failures.append({"query": q["query"], "collection": q["collection"], "top3": ranked[:3],
                                 "recall@5": round(recall_at(ranked, rel, 5), 3),
                                 "hit@1": bool(ranked and ranked[0] in rel)})
    table = {key: {m: round(statistics.fmean(v), 4) for m, v in ms.items()} | {"n": len(ms["hit@1"])}
             for key, ms in rows.items()}
    return {"metrics": table, "misses": failures}


def latency(r: Any, queries: list[dict[str, Any]], repeats: int = 2) -> dict[str, Any]:
    out: dict[str, Any] = {}
    history_q = ["where is my order", "did I buy a water bottle", "what is the tracking number of my laptop order",
                 "cancelled orders", "how much did I pay for the office chair"]
    customers = ["james_li_5688", "noah_brown_6181", "sofia_kovacs_7075", "yusuf_rossi_9620", "mia_garcia_4516"]
    by_coll: dict[str, list[tuple[str, str | None]]] = {}
    for q in queries:
        by_coll.setdefault(q["collection"], []).append((q["query"], None))
    by_coll["history"] = [(q, c) for q in history_q for c in customers]
    for coll, items in by_coll.items():
        r.search(items[0][0], coll, k=10, customer_id=items[0][1])  # warm up
        times, cpu = [], []
        for _ in range(repeats):
            for text, cust in items:
                t0, c0 = time.perf_counter(), time.process_time()
                r.search(text, coll, k=10, customer_id=cust)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
        out[coll] = {"median_ms": round(statistics.median(times), 2), "p95_ms": round(percentile(times, 95), 2),
                     "cpu_median_ms": round(statistics.median(cpu), 2), "cpu_p95_ms": round(percentile(cpu, 95), 2),
                     "n": len(times)}
    emb = []
    for text, _ in by_coll["catalog"]:
        t0 = time.perf_counter()
        r.dense.embed_query(text)
        emb.append((time.perf_counter() - t0) * 1000)
    out["query_embedding_only"] = {"median_ms": round(statistics.median(emb), 2),
                                   "p95_ms": round(percentile(emb, 95), 2), "n": len(emb)}
    return out


# --- synthetic sizes (worker process) ------------------------------------------------------

class PooledEmbedder:
    """Benchmark-only embedder: embeds each distinct *template* text once with the real model
    (the synthetic name's brand/style/serial stripped) and returns that vector plus N(0, sigma)
    noise, re-normalised. Keeps a 1M build to minutes instead of ~40 CPU-minutes of MiniLM."""

    def __init__(self, real: Any, sigma: float = 0.01, seed: int = 0) -> None:
        self.real = real
        self.sigma = sigma
        self.pool: dict[str, np.ndarray] = {}
        self.rng = np.random.default_rng(seed)

    @property
    def dim(self) -> int:
        return self.real.dim

    @property
    def model_id(self) -> str:
        return self.real.model_id + "+pool"

    def _key(self, text: str) -> str:
        """Variant texts ('<name>: <options>. <category>.') pool by template and options;
        product texts ('<name>. <category>. <option lists>') by template alone, since their option
        lists are random subsets and nearly all distinct."""
        from eval.gen_catalog import template_key

        first = text.split(". ")[0]
        if ":" in first:
            head, _, rest = text.partition(":")
            return template_key(head.strip()) + ":" + rest
        head, _, rest = text.partition(".")
        return template_key(head.strip()) + "." + rest.split(".")[0] + "."

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.pool))
        if missing:
            vecs = self.real.embed_documents(missing)
            self.pool.update(zip(missing, vecs))
        base = np.stack([self.pool[k] for k in keys])
        noisy = base + self.rng.normal(0.0, self.sigma, base.shape).astype(np.float32)
        return (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.real.embed_query(text)


def worker(n_items: int, store: Path, queries: list[dict[str, Any]]) -> dict[str, Any]:
    from eval.gen_catalog import generate
    from retrieval import Retrieval
    from retrieval.backends.base import HybridRequest
    from retrieval.backends.edge import EdgeBackend
    from retrieval.catalog_docs import catalog_docs
    from retrieval.collections import Collection
    from retrieval.embedding import SentenceTransformerEmbedder

    real = SentenceTransformerEmbedder(onnx_cache_dir=ONNX_CACHE)  # queries as the server embeds them
    real.embed_query("warm up")
    base_rss, _ = rss_mb()
    pooled = PooledEmbedder(real)
    backend = EdgeBackend(store)
    r = Retrieval(backend, pooled)
    r.indexer.hnsw_min_points = 10**12  # optimise explicitly below, to time it on its own
    t0 = time.perf_counter()
    stats = r.indexer.sync(Collection.CATALOG, catalog_docs(generate(n_items),
                                                          r.sparse[Collection.CATALOG].token_ids),
                           scopes=["catalog"])
    t_upsert = time.perf_counter() - t0
    t0 = time.perf_counter()
    backend.optimize("catalog")
    t_opt = time.perf_counter() - t0
    r.searcher.invalidate()
    after_build_rss, peak_build = rss_mb()
    cat_queries = [q["query"] for q in queries if q["collection"] == "catalog"]
    r.search(cat_queries[0], "catalog")
    times, filtered, cpu = [], [], []
    for _ in range(2):
        for q in cat_queries:
            t0, c0 = time.perf_counter(), time.process_time()
            r.search(q, "catalog", k=10)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    for q in cat_queries[:40]:
        t0 = time.perf_counter()
        r.search(q, "catalog", k=10, filters={"available": True, "price": {"lte": 500}})
        filtered.append((time.perf_counter() - t0) * 1000)
    # HNSW vs exact on the dense prefetch alone: what approximate search costs in recall.
    overlap = []
    for q in cat_queries[:40]:
        v = real.embed_query(q)
        a = [p.id for p in backend.query("catalog", HybridRequest(limit=10, dense=v, mode="dense", exact=False,
                                                                    hnsw_ef=r.searcher.config.hnsw_ef))]
        b = [p.id for p in backend.query("catalog", HybridRequest(limit=10, dense=v, mode="dense", exact=True))]
        overlap.append(len(set(a) & set(b)) / max(len(b), 1))
    t_exact = []
    for q in cat_queries[:20]:
        v = real.embed_query(q)
        t0 = time.perf_counter()
        backend.query("catalog", HybridRequest(limit=10, dense=v, mode="dense", exact=True))
        t_exact.append((time.perf_counter() - t0) * 1000)
    info = backend.info("catalog")
    cur_rss, peak = rss_mb()
    out = {
        "items": stats.total, "embedded": stats.embedded, "template_texts_embedded": len(pooled.pool),
        "build_upsert_s": round(t_upsert, 1), "build_hnsw_s": round(t_opt, 1),
        "build_total_s": round(t_upsert + t_opt, 1),
        "query_median_ms": round(statistics.median(times), 2), "query_p95_ms": round(percentile(times, 95), 2),
        "query_cpu_median_ms": round(statistics.median(cpu), 2), "query_cpu_p95_ms": round(percentile(cpu, 95), 2),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "filtered_query_median_ms": round(statistics.median(filtered), 2),
        "filtered_query_p95_ms": round(percentile(filtered, 95), 2),
        "dense_hnsw_recall@10_vs_exact": round(statistics.fmean(overlap), 4),
        "dense_exact_median_ms": round(statistics.median(t_exact), 2),
        "rss_model_only_mb": round(base_rss), "rss_after_build_mb": round(after_build_rss),
        "rss_peak_mb": round(peak), "rss_serving_mb": round(cur_rss),
        "index_rss_mb": round(cur_rss - base_rss), "disk_mb": round(dir_mb(store)),
        "segments": info["segments"], "indexed_vectors": info["indexed_vectors"], "n_queries": len(times),
    }
    r.close()
    return out


def run_size(name: str, n: int, keep_store: bool = False) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix=f"retrieval-bench-{name}-"))
    try:
        cmd = [sys.executable, "-m", "eval.retrieval_bench", "--worker", str(n), "--store", str(tmp / "qdrant")]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            return {"error": proc.stderr[-2000:]}
        return json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        if not keep_store:
            shutil.rmtree(tmp, ignore_errors=True)


# --- report --------------------------------------------------------------------------------

def render(report: dict[str, Any]) -> str:
    m = report["quality"]["metrics"]
    lines = [
        "# Retrieval benchmark",
        "",
        f"Generated {report['generated']} by `python -m eval.retrieval_bench --sizes {report['sizes']}` on "
        f"{report['machine']['cpus']} CPUs ({report['machine']['platform']}); load average at start "
        f"{report['machine']['loadavg_start']}, at end {report['machine']['loadavg_end']}. Edge backend "
        "(qdrant-edge-py), all-MiniLM-L6-v2 on CPU.",
        "",
        f"## Quality — {report['quality']['n_queries']} labelled queries (`eval/data/retrieval_queries.jsonl`)",
        "",
        "Recall@5 is capped (|relevant ∩ top 5| / min(|relevant|, 5)); hit@1 = the first result is relevant.",
        "",
        "| set | mode | n | Recall@5 | MRR@10 | nDCG@10 | hit@1 |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for group in ("all", "catalog", "kb"):
        for mode in MODES:
            row = m.get(f"{group}|{mode}")
            if row:
                lines.append(f"| {group} | {mode} | {row['n']} | {row['recall@5']:.3f} | {row['mrr@10']:.3f} | "
                             f"{row['ndcg@10']:.3f} | {row['hit@1']:.3f} |")
    lat = report["demo"]["latency"]
    b = report["demo"]["build"]
    lines += [
        "",
        "## Latency at demo size (hybrid, k=10, one query at a time, including query embedding)",
        "",
        f"Points: {b['points']}. Build (real MiniLM embeddings): catalog {b['catalog_s']:.1f} s, "
        f"kb {b['kb_s']:.1f} s, history {b['history_s']:.1f} s; re-running the build embeds nothing.",
        "",
        "Wall-clock times depend on what else runs on the 2 cores; CPU ms is the process CPU time per "
        "query (all threads), which is what the query costs on an otherwise idle machine.",
        "",
        "| collection | queries | median ms | p95 ms | CPU median ms | CPU p95 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for coll in ("catalog", "kb", "history", "query_embedding_only"):
        if coll in lat:
            x = lat[coll]
            lines.append(f"| {coll} | {x['n']} | {x['median_ms']} | {x['p95_ms']} | {x.get('cpu_median_ms', '')} | "
                         f"{x.get('cpu_p95_ms', '')} |")
    if report["synthetic"]:
        lines += [
            "",
            "## Synthetic catalogs (Edge backend, HNSW m=16 ef_construct=100, search ef=128)",
            "",
            "Items = catalog points (products + variants) from `eval/gen_catalog.py`. Dense vectors: each distinct "
            "template text embedded once with MiniLM, reused per item with N(0, 0.01²) noise per dimension; BM25 "
            "vectors and query embeddings are real. Query latency includes embedding the query.",
            "",
            "| size | items | build s (upsert + HNSW) | median ms | p95 ms | CPU median / p95 ms | "
            "filtered median / p95 ms | dense HNSW recall@10 vs exact | exact dense ms | RSS serving MB (index part) | "
            "peak RSS MB | disk MB | load avg |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for name, s in report["synthetic"].items():
            if "error" in s:
                lines.append(f"| {name} | error: {s['error'][-200:]!r} |")
                continue
            label = f"{name} ({s['note']})" if s.get("note") else name
            lines.append(
                f"| {label} | {s['items']:,} | {s['build_total_s']} ({s['build_upsert_s']} + {s['build_hnsw_s']}) | "
                f"{s['query_median_ms']} | {s['query_p95_ms']} | {s.get('query_cpu_median_ms', '')} / "
                f"{s.get('query_cpu_p95_ms', '')} | {s['filtered_query_median_ms']} / "
                f"{s['filtered_query_p95_ms']} | {s['dense_hnsw_recall@10_vs_exact']} | {s['dense_exact_median_ms']} | "
                f"{s['rss_serving_mb']} ({s['index_rss_mb']}) | {s['rss_peak_mb']} | {s['disk_mb']} | "
                f"{s.get('loadavg', '')} |")
    misses = report["quality"]["misses"]
    lines += ["", f"## Hybrid misses ({len(misses)}: first result wrong or Recall@5 < 1)", ""]
    for f in misses:
        lines.append(f"- [{f['collection']}] {f['query']!r}: hit@1={f['hit@1']}, Recall@5={f['recall@5']}, "
                     f"top3={f['top3']}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Retrieval quality and latency benchmark.")
    ap.add_argument("--sizes", default="demo,100k", help="comma list of demo,10k,100k,1m (default demo,100k)")
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--out", type=Path, default=REPORTS / "retrieval")
    ap.add_argument("--skip-demo", action="store_true",
                    help="reuse the quality and demo-latency sections of the existing report (e.g. to add 1m)")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    queries = load_queries(args.queries)
    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.store, queries)))
        return 0
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    bad = [s for s in sizes if s not in SIZES]
    if bad:
        ap.error(f"unknown size(s) {bad}: use {', '.join(SIZES)}")
    report: dict[str, Any] = {
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "sizes": ",".join(sizes),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "loadavg_start": [round(x, 2) for x in os.getloadavg()]},
        "synthetic": {},
    }
    json_path = args.out.with_suffix(".json")
    if args.skip_demo and json_path.exists():
        old = json.loads(json_path.read_text())
        report["quality"], report["demo"] = old["quality"], old["demo"]
        report["machine"]["demo_from"] = old.get("generated")
    else:
        with tempfile.TemporaryDirectory(prefix="retrieval-bench-demo-") as tmp:
            r, builds = _demo_retrieval(Path(tmp) / "qdrant")
            try:
                report["quality"] = quality(r, queries) | {"n_queries": len(queries)}
                report["demo"] = {"build": builds, "latency": latency(r, queries)}
            finally:
                r.close()
    for s in sizes:
        if s != "demo":
            print(f"synthetic {s} ...", file=sys.stderr)
            report["synthetic"][s] = run_size(s, SIZES[s])
    report["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    prev = {}
    if json_path.exists():  # keep numbers of sizes not re-run this time (e.g. the opt-in 1m run)
        try:
            prev = json.loads(json_path.read_text()).get("synthetic", {})
        except ValueError:
            prev = {}
    for name, val in prev.items():
        report["synthetic"].setdefault(name, val | {"note": "from an earlier run"})
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(render(report))
    print(render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
