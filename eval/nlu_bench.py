"""Understanding-layer benchmark: `python -m eval.nlu_bench` (also run by `make bench`).

Scores the shipped intent model + slot rules (agent.nlu.NLU) on data it was neither trained nor
tuned on, and writes eval/reports/nlu.md and eval/reports/nlu.json:

- Bitext held-out split (15% of bitext_train.csv, stratified, seed 7): accuracy over its 27
  intents (an utterance flagged out of scope counts as wrong) and the flagged rate.
- Store examples held-out split (20% of agent/nlu/data/store_intents.yaml per intent): accuracy
  and flagged rate of the in-scope ones; flagged rate of the hand-written out-of-scope ones.
- CLINC150 oos_val (100 out-of-scope queries): flagged rate.
- Slot extraction on eval/data/nlu_slots.jsonl (hand-labelled): exact match per slot.
- Latency: median / p95 ms of `understand()` one utterance at a time; throughput of
  `understand_many()` in batches of 64.

`--split val` scores the validation split instead (what the threshold was tuned on).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
REPORT_DIR = ROOT / "eval" / "reports"
SLOTS_DATA = ROOT / "eval" / "data" / "nlu_slots.jsonl"
TARGETS = {"bitext_accuracy": 0.97, "clinc_oos_flagged": 0.90, "retail_in_scope_flagged_max": 0.03}


def _rate(xs: list[bool]) -> float:
    return round(sum(xs) / len(xs), 4) if xs else float("nan")


def score_intents(nlu: Any, split: str) -> dict[str, Any]:
    from agent.nlu.data import load_bitext, load_clinc, load_store_examples
    from agent.nlu.labels import OUT_OF_SCOPE

    bitext = [e for e in load_bitext() if e.split == split]
    store = [e for e in load_store_examples() if e.split == split]
    clinc_oos = [e for e in load_clinc() if e.split == split and e.origin == "oos"]
    examples = [*bitext, *store, *clinc_oos]
    t0 = time.perf_counter()
    results = nlu.understand_many([e.text for e in examples])
    elapsed = time.perf_counter() - t0
    by = list(zip(examples, results))

    b = [(e, u) for e, u in by if e.source == "bitext"]
    s_in = [(e, u) for e, u in by if e.source == "store" and e.label != OUT_OF_SCOPE]
    s_oos = [(e, u) for e, u in by if e.source == "store" and e.label == OUT_OF_SCOPE]
    c = [(e, u) for e, u in by if e.source == "clinc"]
    retail = b + s_in

    per_intent: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "correct": 0, "flagged": 0})
    confusions: Counter[tuple[str, str]] = Counter()
    for e, u in retail:
        row = per_intent[e.label]
        row["n"] += 1
        row["correct"] += u.intent == e.label
        row["flagged"] += u.out_of_scope
        if u.intent != e.label:
            confusions[(e.label, u.intent)] += 1
    errors = [{"text": e.text, "label": e.label, "predicted": u.intent, "confidence": u.confidence}
              for e, u in retail if u.intent != e.label]
    missed = [{"text": e.text, "predicted": u.intent} for e, u in c + s_oos if not u.out_of_scope]
    return {
        "split": split,
        "n": {"bitext": len(b), "store_in_scope": len(s_in), "store_out_of_scope": len(s_oos),
              "clinc_oos": len(c)},
        "bitext_accuracy": _rate([u.intent == e.label for e, u in b]),
        "bitext_flagged": _rate([u.out_of_scope for _, u in b]),
        "store_accuracy": _rate([u.intent == e.label for e, u in s_in]),
        "store_flagged": _rate([u.out_of_scope for _, u in s_in]),
        "retail_in_scope_flagged": _rate([u.out_of_scope for _, u in retail]),
        "clinc_oos_flagged": _rate([u.out_of_scope for _, u in c]),
        "store_oos_flagged": _rate([u.out_of_scope for _, u in s_oos]),
        "per_intent": {k: {**v, "accuracy": round(v["correct"] / v["n"], 4)} for k, v in sorted(per_intent.items())},
        "top_confusions": [{"label": a, "predicted": p, "count": n} for (a, p), n in confusions.most_common(15)],
        "errors": errors,
        "missed_out_of_scope": missed,
        "seconds": round(elapsed, 2),
    }


def score_slots(nlu: Any, path: Path = SLOTS_DATA) -> dict[str, Any]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = nlu.understand_many([r["text"] for r in rows])
    per_slot: dict[str, list[bool]] = defaultdict(list)
    spurious = 0
    failures = []
    checked = ("order_id", "email", "first_name", "last_name", "zip", "item_ids", "cancel_reason", "payment_hint",
               "card_last_four", "all_items", "affirm", "deny", "product", "products", "options")
    for r, u in zip(rows, results):
        want = r["slots"]
        for key in checked:
            got = u.slots.get(key)
            if key == "options" and got is not None:
                got = [[o["attribute"], o["value"], o["negated"]] for o in got]
            if key in want:
                ok = got == want[key] if key != "options" else all(o in (got or []) for o in want[key])
                per_slot[key].append(ok)
                if not ok:
                    failures.append({"text": r["text"], "slot": key, "want": want[key], "got": got})
            elif got and key not in ("products", "options", "product") and key not in want:
                spurious += 1
                failures.append({"text": r["text"], "slot": key, "want": None, "got": got})
    return {"n": len(rows), "per_slot": {k: {"n": len(v), "accuracy": _rate(v)} for k, v in sorted(per_slot.items())},
            "all_correct": _rate([x for v in per_slot.values() for x in v]), "spurious": spurious,
            "failures": failures}


def latency(nlu: Any, texts: list[str], n_single: int = 100, n_batch: int = 1000) -> dict[str, float]:
    nlu.understand_many(texts[:8])  # warm-up
    singles = []
    for t in texts[:n_single]:
        t0 = time.perf_counter()
        nlu.understand(t)
        singles.append((time.perf_counter() - t0) * 1000)
    batch = (texts * (n_batch // max(1, len(texts)) + 1))[:n_batch]
    t0 = time.perf_counter()
    nlu.understand_many(batch, batch_size=64)
    secs = time.perf_counter() - t0
    singles.sort()
    return {"single_median_ms": round(statistics.median(singles), 2),
            "single_p95_ms": round(singles[int(0.95 * (len(singles) - 1))], 2),
            "batch_utterances_per_s": round(len(batch) / secs, 1), "batch_n": len(batch)}


def render(report: dict[str, Any]) -> str:
    r, s, lat = report["intents"], report["slots"], report["latency"]
    ok = lambda good: "✅" if good else "❌"  # noqa: E731
    lines = [
        "# NLU: intent, out-of-scope and slot benchmark",
        "",
        f"Generated by `python -m eval.nlu_bench` on the **{r['split']}** splits "
        "(see docs/nlu.md for the splits; the shipped model never trained on them"
        + (", and its threshold was not tuned on them" if r["split"] == "test" else "; the threshold was tuned on them")
        + f"). Model: `{report['model']['file']}` ({report['model']['labels']} labels, "
        f"OOS threshold {report['model']['oos_threshold']}). Machine: {report['machine']}.",
        "",
        "| metric | n | value | target |",
        "|---|---:|---:|---|",
        f"| Bitext held-out accuracy (27 intents; flagged = wrong) | {r['n']['bitext']} | {r['bitext_accuracy']:.4f} | "
        f"≥ {TARGETS['bitext_accuracy']} {ok(r['bitext_accuracy'] >= TARGETS['bitext_accuracy'])} |",
        f"| CLINC150 oos_val flagged out of scope | {r['n']['clinc_oos']} | {r['clinc_oos_flagged']:.4f} | "
        f"≥ {TARGETS['clinc_oos_flagged']} {ok(r['clinc_oos_flagged'] >= TARGETS['clinc_oos_flagged'])} |",
        f"| Retail in-scope flagged (Bitext + store held-out) | {r['n']['bitext'] + r['n']['store_in_scope']} | "
        f"{r['retail_in_scope_flagged']:.4f} | ≤ {TARGETS['retail_in_scope_flagged_max']} "
        f"{ok(r['retail_in_scope_flagged'] <= TARGETS['retail_in_scope_flagged_max'])} |",
        f"| Bitext held-out flagged | {r['n']['bitext']} | {r['bitext_flagged']:.4f} | |",
        f"| Store examples held-out accuracy | {r['n']['store_in_scope']} | {r['store_accuracy']:.4f} | |",
        f"| Store examples held-out flagged | {r['n']['store_in_scope']} | {r['store_flagged']:.4f} | |",
        f"| Hand-written out-of-scope held-out flagged | {r['n']['store_out_of_scope']} | {r['store_oos_flagged']:.4f} | |",
        f"| Slot extraction, exact per slot (eval/data/nlu_slots.jsonl) | {s['n']} utt. | {s['all_correct']:.4f} | |",
        "",
        f"## Latency (CPU, {os.cpu_count()} cores shared with other jobs; 1-min load average "
        f"{lat['load_average_1min']} when measured)",
        "",
        "| torch threads | `understand()` median | p95 | `understand_many()` batches of 64 |",
        "|---|---:|---:|---:|",
        f"| {lat['default_threads']} (default) | **{lat['single_median_ms']} ms** | {lat['single_p95_ms']} ms | "
        f"**{lat['batch_utterances_per_s']} utt/s** |",
        f"| 1 | **{lat['one_thread']['single_median_ms']} ms** | {lat['one_thread']['single_p95_ms']} ms | "
        f"**{lat['one_thread']['batch_utterances_per_s']} utt/s** |",
        "",
        "On a loaded machine, one torch thread avoids oversubscription (`concierge understand --threads 1`).",
        "",
        f"- loading the intent artifact: {report['model']['artifact_load_ms']} ms; MiniLM load: {report['model']['minilm_load_s']} s",
        "",
        "## Per intent (held-out retail utterances)",
        "",
        "| intent | n | accuracy | flagged |",
        "|---|---:|---:|---:|",
        *[f"| {k} | {v['n']} | {v['accuracy']:.3f} | {v['flagged']} |" for k, v in r["per_intent"].items()],
        "",
        "## Most frequent confusions",
        "",
        "| label | predicted | count |",
        "|---|---|---:|",
        *[f"| {c['label']} | {c['predicted']} | {c['count']} |" for c in r["top_confusions"]],
        "",
        "## Slots",
        "",
        "| slot | n | exact |",
        "|---|---:|---:|",
        *[f"| {k} | {v['n']} | {v['accuracy']:.3f} |" for k, v in s["per_slot"].items()],
        "",
        f"Spurious slots: {s['spurious']}. Failures: "
        + ("none." if not s["failures"] else "; ".join(f"`{f['text']}` {f['slot']}: want {f['want']}, got {f['got']}"
                                                       for f in s["failures"][:10])),
        "",
        "## Out-of-scope queries not flagged",
        "",
        *[f"- `{m['text']}` → {m['predicted']}" for m in r["missed_out_of_scope"]],
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.nlu_bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=["test", "val"], default="test")
    ap.add_argument("--out", type=Path, default=REPORT_DIR)
    args = ap.parse_args(argv)

    from agent.nlu import NLU
    from agent.nlu.classifier import IntentModel
    from agent.nlu.embedding import load_sentence_transformer
    from agent.nlu.paths import MODEL_FILE

    t0 = time.perf_counter()
    model = load_sentence_transformer()
    minilm_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    IntentModel.load(MODEL_FILE)
    artifact_ms = (time.perf_counter() - t0) * 1000
    nlu = NLU(model)

    intents = score_intents(nlu, args.split)
    slots = score_slots(nlu)
    sample = [e["text"] for e in intents["errors"][:0]] or [
        "where is my order #W2378156", "yes", "do you have a clicky keyboard with RGB?", "what's the weather in Paris",
        "I'm Yusuf Rossi, zip 19122", "I want to return the headphones from my last order",
        "can I exchange a delivered item", "any deals for me?", "cancel my order, I ordered by mistake",
        "how do I reset my password", "transfer me to a human", "thanks, bye"] * 10
    import torch

    default_threads = torch.get_num_threads()
    load_before = os.getloadavg()[0]
    lat = {"default_threads": default_threads, **latency(nlu, sample)}
    torch.set_num_threads(1)
    lat_1 = {"threads": 1, **latency(nlu, sample)}
    torch.set_num_threads(default_threads)
    lat["one_thread"] = lat_1
    lat["load_average_1min"] = round(load_before, 2)
    report = {
        "model": {"file": str(MODEL_FILE.relative_to(ROOT)), "labels": len(nlu.labels),
                  "oos_threshold": nlu.intents.oos_threshold, "artifact_load_ms": round(artifact_ms, 1),
                  "minilm_load_s": round(minilm_s, 2), "train_meta": nlu.intents.meta},
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "intents": intents, "slots": slots, "latency": lat, "targets": TARGETS,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "nlu" if args.split == "test" else "nlu.val"
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (args.out / f"{stem}.md").write_text(render(report), encoding="utf-8")
    print(render(report).split("## Per intent")[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
