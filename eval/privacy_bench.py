"""PII detection benchmark: `python -m eval.privacy_bench` (also run by `make bench`).

Scores the `privacy` detector (and, for comparison, a vanilla Presidio AnalyzerEngine on the
same spaCy model) on the presidio-research synthetic set, checks the retail chat set for
false positives on the store's identifiers, and measures latency and batch throughput.
Writes eval/reports/privacy.md and eval/reports/privacy.json.

Scoring follows presidio-research's `SpanEvaluator` (presidio_evaluator/evaluation/
span_evaluator.py), re-implemented here without pandas:

1. The text is tokenised with the spaCy tokenizer; each token gets the label of the gold span
   (or predicted span) it overlaps, else "O" (IO scheme, as `span_to_tag` does).
2. Runs of equally-labelled tokens become spans; tokens in presidio-evaluator's skip-word list
   (spaCy stop words, punctuation, whitespace and words like "apt", "suite", "street", "mr.")
   are dropped from a span's *normalised* extent, and same-type spans separated only by skip
   words are merged.
3. Each gold span is matched to the overlapping predictions, added greedily (left to right)
   while they raise the character IoU of the normalised extents; it is a true positive when
   the IoU reaches the threshold (0.7 by default, as in presidio-research's published
   customised run; the class default 0.9 is reported too).
4. Global "PII vs non-PII" first relabels every non-O token as PII (`create_global_entities_df`)
   so adjacent entities of different types form one span, then scores as above. Per-type
   scores only let predictions of the same type match (an annotation matched only by a
   prediction of another type is a miss for its type, as in presidio-research). Precision
   counts each prediction span once: (predicted - unmatched) / predicted; F is F-beta, beta 2.
5. Entity alignment for the per-type scores follows presidio-research's published runs
   (`Evaluator.align_entity_types(dataset, PresidioAnalyzerWrapper.presidio_entities_map)`):
   STREET_ADDRESS and GPE are both LOCATION, DOMAIN_NAME is URL. A stricter table keeping
   STREET_ADDRESS apart is reported too (`ALIGNMENTS`). Per-type recall is also split by the
   dataset's own label (`Scorer.by_origin`), which is how the per-type targets are read.

Latency is measured on distinct messages with the detector's cache cleared, as the median of
three passes per message, with CPU time and the machine's load average alongside (the machine
is shared). The retail chat set labels store identifiers by their shape in its "keep" lists, so
the detector's own context rules are what is tested.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import string
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "presidio_synth" / "synth_dev.json"
RETAIL_DATA = ROOT / "eval" / "data" / "retail_chat_pii.jsonl"
REPORT_DIR = ROOT / "eval" / "reports"

#: Entity alignments for the per-type scores: dataset label -> evaluation label ("gold") and
#: detector label -> evaluation label ("pred"). "presidio-research" is what their published
#: runs do (`Evaluator.align_entity_types(dataset, PresidioAnalyzerWrapper.
#: presidio_entities_map)`): STREET_ADDRESS and GPE both become LOCATION, so an address written
#: as street, city and country is one LOCATION span whatever the template's granularity. A
#: detector's STREET_ADDRESS is a LOCATION there too. "strict" keeps STREET_ADDRESS apart from
#: cities and countries (stricter than any published number; kept for comparison).
ALIGNMENTS: dict[str, dict[str, dict[str, str]]] = {
    "presidio-research": {
        "gold": {"DOMAIN_NAME": "URL", "GPE": "LOCATION", "STREET_ADDRESS": "LOCATION"},
        "pred": {"STREET_ADDRESS": "LOCATION"},
    },
    "strict": {
        "gold": {"DOMAIN_NAME": "URL", "GPE": "LOCATION"},
        "pred": {},
    },
}
DEFAULT_ALIGNMENT = "presidio-research"

#: presidio-evaluator's skip words (skipwords.py): punctuation, whitespace, a few address and
#: time words, plus spaCy's English stop words (added at runtime).
_SKIP_EXTRA = {
    "", " ", "\n", "\n\n", "\n\n\n", "\n\n\n\n", "\t", "\t\t", "\t\t\t", "\t\t\t\t",
    ">>", ">>>", ">>>>", ">>>>>", ">>>>>>", "'s", "street", "st.", "st", "de", "rue", "via",
    "and", "a", "the", "or", "do", "as", "of", "day", "address", "country", "state", "city",
    "zip", "po", "apt", "unit", "corner", "p.o.", "box", "suite", "mr.", "mrs.", "miss",
    "year", "years", "y/o", "month", "months", "old", "morning", "noon", "afternoon", "night",
    "evening", "this", "first", "last", "week", "weeks", "weekend", "days", "age", "ago",
    "inc", "inc.", "ltd",
}


def skip_words() -> set[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return set(string.punctuation) | _SKIP_EXTRA | set(STOP_WORDS)


# --------------------------------------------------------------------------- scoring


@dataclass
class Span:
    label: str
    tok_start: int  # first token index
    tok_end: int  # one past the last token
    norm_start: int  # char extent of the non-skip tokens
    norm_end: int


@dataclass
class Counts:
    annotated: int = 0
    predicted: int = 0
    tp: int = 0
    fp: int = 0

    def precision(self) -> float:
        return (self.predicted - self.fp) / self.predicted if self.predicted else 0.0

    def recall(self) -> float:
        return self.tp / self.annotated if self.annotated else 0.0

    def f(self, beta: float = 2.0) -> float:
        p, r = self.precision(), self.recall()
        return (1 + beta**2) * p * r / (beta**2 * p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {
            "annotated": self.annotated,
            "predicted": self.predicted,
            "tp": self.tp,
            "fp": self.fp,
            "precision": round(self.precision(), 4),
            "recall": round(self.recall(), 4),
            "f2": round(self.f(), 4),
        }


@dataclass
class Scorer:
    """Accumulates global and per-type counts over many samples."""

    tokenizer: Callable
    iou: float = 0.7
    alignment: str = DEFAULT_ALIGNMENT
    skip: set[str] = field(default_factory=skip_words)
    global_counts: Counts = field(default_factory=Counts)
    per_type: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    #: Recall of the aligned per-type scores split by the gold span's dataset label (a
    #: LOCATION span that contains a dataset STREET_ADDRESS counts under STREET_ADDRESS).
    by_origin: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    errors: list[dict] = field(default_factory=list)

    def add(self, text: str, gold: Sequence[tuple[str, int, int]], pred: Sequence[tuple[str, int, int]]) -> None:
        """`gold` carries the dataset's labels, `pred` the detector's; both are aligned here."""
        amap = ALIGNMENTS[self.alignment]
        toks = [(t.text, t.idx) for t in self.tokenizer(text)]
        raw_gold_tags = _tags(toks, gold)
        gold_tags = [amap["gold"].get(t, t) for t in raw_gold_tags]
        pred_tags = [amap["pred"].get(t, t) for t in _tags(toks, pred)]
        g_spans = self._spans(toks, gold_tags)
        p_spans = self._spans(toks, pred_tags)
        for s in g_spans:
            self.per_type[s.label].annotated += 1
        for s in p_spans:
            self.per_type[s.label].predicted += 1
        missed_typed, _ = _match(g_spans, p_spans, self.iou, by_type=True, per_type=self.per_type)
        for s in g_spans:
            origins = {raw_gold_tags[k] for k in range(s.tok_start, s.tok_end)} - {"O"}
            origin = "STREET_ADDRESS" if "STREET_ADDRESS" in origins else (
                origins.pop() if len(origins) == 1 else s.label)
            c = self.by_origin[origin]
            c.annotated += 1
            c.tp += not any(m is s for m in missed_typed)
        glob = lambda tags: ["O" if t == "O" else "PII" for t in tags]  # noqa: E731
        g_pii = self._spans(toks, glob(gold_tags))
        p_pii = self._spans(toks, glob(pred_tags))
        c = Counts()
        missed, spurious = _match(g_pii, p_pii, self.iou, by_type=False, per_type={"PII": c})
        c.annotated, c.predicted = len(g_pii), len(p_pii)
        self.global_counts.annotated += c.annotated
        self.global_counts.predicted += c.predicted
        self.global_counts.tp += c.tp
        self.global_counts.fp += c.fp
        for kind, spans in (("FN", missed), ("FP", spurious)):
            for s in spans:
                self.errors.append({"kind": kind, "text": text, "span": _span_text(text, toks, s)})

    def _spans(self, toks: list[tuple[str, int]], tags: list[str]) -> list[Span]:
        raw: list[Span] = []
        i = 0
        while i < len(tags):
            if tags[i] == "O":
                i += 1
                continue
            j = i
            while j < len(tags) and tags[j] == tags[i]:
                j += 1
            norm = [(toks[k][1], toks[k][1] + len(toks[k][0])) for k in range(i, j)
                    if toks[k][0].lower().strip() not in self.skip and toks[k][0].lower() not in self.skip]
            if norm:
                raw.append(Span(tags[i], i, j, min(a for a, _ in norm), max(b for _, b in norm)))
            i = j
        merged: list[Span] = []
        for s in raw:
            if merged and merged[-1].label == s.label and all(
                toks[k][0].lower().strip() in self.skip for k in range(merged[-1].tok_end, s.tok_start)
            ):
                m = merged[-1]
                merged[-1] = Span(m.label, m.tok_start, s.tok_end, m.norm_start, max(m.norm_end, s.norm_end))
            else:
                merged.append(s)
        return merged


def _tags(toks: list[tuple[str, int]], spans: Sequence[tuple[str, int, int]]) -> list[str]:
    tags = ["O"] * len(toks)
    best = [0] * len(toks)
    for label, start, end in spans:
        for k, (tok, idx) in enumerate(toks):
            ov = min(end, idx + len(tok)) - max(start, idx)
            if ov > 0 and ov > best[k]:
                tags[k], best[k] = label, ov
    return tags


def _iou(ann: Span, preds: list[Span]) -> float:
    a = set(range(ann.norm_start, ann.norm_end))
    p: set[int] = set()
    for s in preds:
        p.update(range(s.norm_start, s.norm_end))
    union = len(a | p)
    return len(a & p) / union if union else 0.0


def _match(gold: list[Span], pred: list[Span], threshold: float, by_type: bool,
           per_type: dict[str, Counts]) -> tuple[list[Span], list[Span]]:
    used: set[int] = set()
    missed: list[Span] = []
    for ann in gold:
        cands = [i for i, p in enumerate(pred) if i not in used
                 and (not by_type or p.label == ann.label) and _iou(ann, [p]) > 0]
        cands.sort(key=lambda i: pred[i].norm_start)
        chosen: list[int] = []
        best = 0.0
        for i in cands:
            v = _iou(ann, [pred[j] for j in chosen] + [pred[i]])
            if v > best:
                chosen.append(i)
                best = v
        if chosen and best >= threshold:
            per_type[ann.label].tp += 1
            used.update(chosen)
        else:
            missed.append(ann)
    spurious = [p for i, p in enumerate(pred) if i not in used]
    for p in spurious:
        per_type[p.label].fp += 1
    return missed, spurious


def _span_text(text: str, toks: list[tuple[str, int]], s: Span) -> str:
    start = toks[s.tok_start][1]
    last = toks[s.tok_end - 1]
    return text[start: last[1] + len(last[0])]


# --------------------------------------------------------------------------- data


def load_synth(path: Path) -> list[dict]:
    if not path.exists():
        raise SystemExit(
            f"dataset not found: {path}\n"
            "The presidio-research dev set lives in the shared data folder "
            "(shared/data/presidio_synth/synth_dev.json next to the repo); pass --data PATH."
        )
    return json.loads(path.read_text(encoding="utf-8"))


def gold_spans(sample: dict) -> list[tuple[str, int, int]]:
    """The dataset's spans with the dataset's labels (the Scorer aligns them)."""
    return [(s["entity_type"], s["start_position"], s["end_position"]) for s in sample["spans"]]


def load_retail(path: Path = RETAIL_DATA) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


# --------------------------------------------------------------------------- detectors


Detect = Callable[[list[str]], list[list[tuple[str, int, int]]]]


def catalog_terms() -> tuple[str, ...]:
    """Product names of the demo store's catalog, passed as allow terms the way the
    composition root would (the privacy package itself never reads the catalog)."""
    db = ROOT / "tools" / "data" / "tau2_retail" / "db.json"
    if not db.exists():
        return ()
    products = json.loads(db.read_text(encoding="utf-8"))["products"].values()
    return tuple(sorted({p["name"] for p in products}))


def ours_detector() -> tuple[Detect, Callable]:
    from privacy.config import PrivacyConfig
    from privacy.detector import PiiDetector

    det = PiiDetector(PrivacyConfig(allow_terms=catalog_terms()))

    def run(texts: list[str]) -> list[list[tuple[str, int, int]]]:
        out = []
        for ents in det.detect_batch(texts):
            out.append([(e.entity_type, e.start, e.end) for e in ents])
        return out

    return run, det


def vanilla_detector(model: str) -> Detect:
    """Presidio out of the box (default registry, threshold 0.4 as in presidio-research's
    notebook 4), on the same small spaCy model we use, made offline for the email check."""
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    from privacy.recognizers.email import OfflineEmailRecognizer

    nlp = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model}])
    engine = AnalyzerEngine(nlp_engine=nlp, default_score_threshold=0.4)
    engine.registry.remove_recognizer("EmailRecognizer")
    engine.registry.add_recognizer(OfflineEmailRecognizer())
    batch = BatchAnalyzerEngine(engine)

    def run(texts: list[str]) -> list[list[tuple[str, int, int]]]:
        res = batch.analyze_iterator(texts, language="en", batch_size=32)
        return [[(r.entity_type, r.start, r.end) for r in rs] for rs in res]

    return run


# --------------------------------------------------------------------------- runs


def score(samples: list[dict], preds: list[list[tuple[str, int, int]]], tokenizer, iou: float,
          alignment: str = DEFAULT_ALIGNMENT) -> Scorer:
    sc = Scorer(tokenizer=tokenizer, iou=iou, alignment=alignment)
    for s, p in zip(samples, preds):
        sc.add(s["full_text"], gold_spans(s), p)
    return sc


#: Shapes of the store's identifiers, for labelling the retail set's "keep" values (the
#: detector's own context rules are what is being tested, so they are not used here).
ID_SHAPE = re.compile(
    r"#?W\d{7}|\d{10}|\d{12}|(?:credit_card|gift_card|paypal|debit_card)_\d{5,9}"
    r"|[a-z]+(?:_[a-z]+)+_\d{4}"
)


def retail_check(detect: Detect, det) -> dict:
    """False positives on store identifiers and leaks of labelled PII in the retail chat set.

    A store identifier is a "keep" value with an id shape (order id, 10-digit item id,
    12-digit tracking number, payment-method id); any detection touching it, of any type and
    score, is a false positive. Other "keep" values (prices, dates, product names) count when
    the default policy would redact them. A labelled PII value is caught when redacted
    detections cover at least 70% of it.
    """
    rows = load_retail()
    preds = detect([r["text"] for r in rows])
    policy = det.config.policy
    id_fp: list[dict] = []
    keep_fp: list[dict] = []
    missed: list[dict] = []
    labelled = caught = ids = 0
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row, ents in zip(rows, preds):
        text = row["text"]
        redacted = [(t, s, e) for t, s, e in ents if policy.should_redact(t, 1.0)]
        for keep in row.get("keep", []):
            k = text.find(keep)
            if k < 0:
                raise ValueError(f"keep value {keep!r} not in {text!r}")
            if ID_SHAPE.fullmatch(keep):
                ids += 1
                if any(s < k + len(keep) and k < e for _, s, e in ents):
                    id_fp.append({"text": text, "id": keep})
            elif any(s < k + len(keep) and k < e for _, s, e in redacted):
                keep_fp.append({"text": text, "keep": keep})
        for pii in row.get("pii", []):
            labelled += 1
            s0 = text.find(pii["value"])
            if s0 < 0:
                raise ValueError(f"pii value {pii['value']!r} not in {text!r}")
            e0 = s0 + len(pii["value"])
            covered = sum(max(0, min(e, e0) - max(s, s0)) for _, s, e in redacted)
            by_type[pii["type"]][0] += 1
            if covered >= 0.7 * (e0 - s0):
                caught += 1
                by_type[pii["type"]][1] += 1
            else:
                missed.append({"text": text, "pii": pii})
    return {
        "messages": len(rows),
        "store_id_mentions": ids,
        "store_id_false_positives": len(id_fp),
        "kept_value_false_positives": len(keep_fp),
        "pii_labelled": labelled,
        "pii_redacted": caught,
        "pii_recall": round(caught / labelled, 4) if labelled else None,
        "pii_by_type": {k: {"labelled": v[0], "redacted": v[1]} for k, v in sorted(by_type.items())},
        "examples_id_fp": id_fp[:10],
        "examples_keep_fp": keep_fp[:10],
        "examples_missed": missed[:10],
    }


def latency(det, samples: list[dict], n: int = 200, repeats: int = 3) -> dict:
    """Single-message latency on ~30-word messages (20–40 words) and batch throughput.

    Every timed call sees a text the detector has not cached (the cache is cleared before
    each pass), so these are cold-path numbers; a cache hit is timed separately. Each message
    is timed `repeats` times in separate passes and its median kept, which damps noise from
    other processes on the machine; the machine's load average is recorded with the numbers.
    """
    import os

    texts = [s["full_text"] for s in samples]
    msgs = [t for t in dict.fromkeys(texts) if 20 <= len(t.split()) <= 40][:n]
    det.clear_cache()
    det.detect(msgs[0])  # warm up (first-call allocations)
    load_before = os.getloadavg()
    per_msg: list[list[float]] = [[] for _ in msgs]
    per_msg_cpu: list[list[float]] = [[] for _ in msgs]
    for _ in range(repeats):
        det.clear_cache()
        for k, m in enumerate(msgs):
            c0 = time.process_time()
            t0 = time.perf_counter()
            det.detect(m)
            per_msg[k].append((time.perf_counter() - t0) * 1000)
            per_msg_cpu[k].append((time.process_time() - c0) * 1000)
    times = sorted(statistics.median(v) for v in per_msg)
    cpu = sorted(statistics.median(v) for v in per_msg_cpu)
    det.clear_cache()
    t0 = time.perf_counter()
    det.detect_batch(msgs)
    batch_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for m in msgs:
        det.detect(m)
    hit_ms = (time.perf_counter() - t0) * 1000 / len(msgs)
    det.clear_cache()
    load_after = os.getloadavg()
    return {
        "messages": len(msgs),
        "mean_words": round(statistics.mean(len(m.split()) for m in msgs), 1),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
        "batch_msgs_per_s": round(len(msgs) / batch_s, 1),
        "sequential_msgs_per_s": round(len(msgs) / (sum(times) / 1000), 1),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 2),
        "cache_hit_ms": round(hit_ms, 3),
        "load_average_1m_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "cpus": os.cpu_count(),
    }


def summarise(samples: list[dict], preds: list[list[tuple[str, int, int]]], tokenizer,
              iou: float) -> dict:
    """Global scores at IoU 0.5 / `iou` / 0.9; per-type scores at `iou` under both alignments,
    and the aligned per-type recall split by the dataset's own labels."""
    glob = {k: score(samples, preds, tokenizer, k) for k in sorted({iou, 0.5, 0.9})}
    strict = score(samples, preds, tokenizer, iou, alignment="strict")
    main_sc = glob[iou]
    return {
        "global": {str(k): v.global_counts.as_dict() for k, v in glob.items()},
        "per_type": {k: v.as_dict() for k, v in sorted(main_sc.per_type.items())},
        "recall_by_dataset_label": {
            k: {"annotated": v.annotated, "tp": v.tp, "recall": round(v.recall(), 4)}
            for k, v in sorted(main_sc.by_origin.items())
        },
        "per_type_strict": {k: v.as_dict() for k, v in sorted(strict.per_type.items())},
    }


def _table(rows: Iterable[tuple[str, dict]]) -> list[str]:
    out = ["| type | gold | pred | P | R | F2 |", "|---|---:|---:|---:|---:|---:|"]
    for name, c in rows:
        out.append(
            f"| {name} | {c['annotated']} | {c['predicted']} | {c['precision']:.3f} | "
            f"{c['recall']:.3f} | {c['f2']:.3f} |"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.privacy_bench", description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="presidio-research synth JSON")
    ap.add_argument("--iou", type=float, default=0.7, help="IoU threshold for a match")
    ap.add_argument("--limit", type=int, default=0, help="only the first N samples (0 = all)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the vanilla Presidio run")
    ap.add_argument("--errors", type=int, default=0, help="print N global errors of ours")
    ap.add_argument("--out", type=Path, default=REPORT_DIR, help="report directory")
    args = ap.parse_args(argv)

    samples = load_synth(args.data)
    if args.limit:
        samples = samples[: args.limit]
    texts = [s["full_text"] for s in samples]

    detect, det = ours_detector()
    tokenizer = det.tokenizer
    t0 = time.perf_counter()
    ours_pred = detect(texts)
    ours_secs = time.perf_counter() - t0
    runs: dict[str, dict] = {}
    runs["ours"] = summarise(samples, ours_pred, tokenizer, args.iou)
    runs["ours"]["seconds"] = round(ours_secs, 1)
    if args.errors:
        for e in score(samples, ours_pred, tokenizer, args.iou).errors[: args.errors]:
            print(e["kind"], repr(e["span"]), "|", repr(e["text"][:160]))
    if not args.no_baseline:
        vanilla = vanilla_detector(det.config.spacy_model)
        runs["vanilla_presidio"] = summarise(samples, vanilla(texts), tokenizer, args.iou)
    retail = retail_check(detect, det)
    lat = latency(det, samples)

    report = {
        "dataset": str(args.data),
        "samples": len(samples),
        "iou_threshold": args.iou,
        "spacy_model": det.config.spacy_model,
        "spacy_pipeline": det.analyzer.nlp_engine.get_nlp(det.config.language).pipe_names,
        "commit": _git_head(),
        "published": {
            "vanilla_presidio_en_core_web_lg": {"precision": 0.685, "recall": 0.603, "f2": 0.618},
            "best_customised_transformer": {"precision": 0.870, "recall": 0.839, "f2": 0.845},
        },
        "runs": runs,
        "retail": retail,
        "latency": lat,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "privacy.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (args.out / "privacy.md").write_text(render_markdown(report))
    g = runs["ours"]["global"][str(args.iou)]
    print(f"ours: P {g['precision']:.3f} R {g['recall']:.3f} F2 {g['f2']:.3f} "
          f"(iou {args.iou}, {len(samples)} samples)")
    if "vanilla_presidio" in runs:
        b = runs["vanilla_presidio"]["global"][str(args.iou)]
        print(f"vanilla: P {b['precision']:.3f} R {b['recall']:.3f} F2 {b['f2']:.3f}")
    print(f"retail: {retail['store_id_false_positives']} store-id FPs, "
          f"{retail['kept_value_false_positives']} kept-value FPs, PII recall {retail['pii_recall']}")
    print(f"latency: median {lat['median_ms']} ms, p95 {lat['p95_ms']} ms (CPU {lat['cpu_median_ms']} ms), "
          f"batch {lat['batch_msgs_per_s']} msg/s, load {lat['load_average_1m_before_after']}")
    print(f"wrote {args.out / 'privacy.md'}")
    return 0


def _git_head() -> str | None:
    import subprocess

    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


#: The targets the privacy package is held to (docs/privacy.md).
TARGET_F2 = 0.85
TARGET_RECALL = 0.95
TARGET_MEDIAN_MS = 15.0
TARGET_TYPES = ("PERSON", "STREET_ADDRESS", "CREDIT_CARD", "PHONE_NUMBER", "IBAN_CODE", "EMAIL_ADDRESS", "US_SSN")


def render_markdown(r: dict) -> str:
    iou = str(r["iou_threshold"])
    ours = r["runs"]["ours"]
    g = ours["global"][iou]
    lat = r["latency"]
    by_label = ours["recall_by_dataset_label"]
    lines = [
        "# Privacy: PII detection benchmark",
        "",
        f"Generated by `python -m eval.privacy_bench` (commit {r.get('commit') or '?'}) on {r['samples']} "
        f"samples of `{Path(r['dataset']).name}` (presidio-research synthetic set, dev split), spaCy "
        f"model `{r['spacy_model']}` (pipeline: {', '.join(r.get('spacy_pipeline', []))}). "
        "Span-level scoring as presidio-research's `SpanEvaluator`: character IoU over "
        f"skip-word-normalised spans, threshold {iou}, F = F2 (see the module docstring of "
        "eval/privacy_bench.py).",
        "",
        "## Targets",
        "",
        "| target | value | met |",
        "|---|---:|:---:|",
        f"| PII-vs-non-PII F2 ≥ {TARGET_F2} (IoU {iou}) | {g['f2']:.3f} | {'yes' if g['f2'] >= TARGET_F2 else 'no'} |",
    ]
    for t in TARGET_TYPES:
        if t in by_label:
            rec = by_label[t]["recall"]
            lines.append(f"| {t} recall ≥ {TARGET_RECALL} | {rec:.3f} | {'yes' if rec >= TARGET_RECALL else 'no'} |")
    lines += [
        f"| median latency ≤ {TARGET_MEDIAN_MS:.0f} ms per ~30-word message | {lat['median_ms']} ms "
        f"(load {lat['load_average_1m_before_after'][0]}) | {'yes' if lat['median_ms'] <= TARGET_MEDIAN_MS else 'no'} |",
        f"| store identifiers flagged in the retail chat set = 0 | {r['retail']['store_id_false_positives']} | "
        f"{'yes' if r['retail']['store_id_false_positives'] == 0 else 'no'} |",
        "",
        "Per-type recall is presidio-research's per-entity recall under their entity alignment "
        "(next section), reported per dataset label.",
        "",
        "## PII vs non-PII",
        "",
        "| system | IoU | P | R | F2 |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, run in r["runs"].items():
        for k, gg in run["global"].items():
            lines.append(f"| {name} | {k} | {gg['precision']:.3f} | {gg['recall']:.3f} | {gg['f2']:.3f} |")
    pub = r["published"]
    lines += [
        f"| published: vanilla Presidio (en_core_web_lg, full 1,500) | — | "
        f"{pub['vanilla_presidio_en_core_web_lg']['precision']} | "
        f"{pub['vanilla_presidio_en_core_web_lg']['recall']} | {pub['vanilla_presidio_en_core_web_lg']['f2']} |",
        f"| published: best customised (transformer NER) | 0.7 | "
        f"{pub['best_customised_transformer']['precision']} | "
        f"{pub['best_customised_transformer']['recall']} | {pub['best_customised_transformer']['f2']} |",
        "",
        f"## Per entity type (ours, IoU {iou}, presidio-research's alignment)",
        "",
        "As presidio-research scores its published runs: the dataset's labels are first mapped "
        "to Presidio's (`PresidioAnalyzerWrapper.presidio_entities_map`: STREET_ADDRESS and GPE → "
        "LOCATION, DOMAIN_NAME → URL) and a prediction only counts for an annotation of the same "
        "type. Our STREET_ADDRESS predictions are LOCATION here. So an address written as street, "
        "city and country is one LOCATION span whether the template labelled it as one "
        "STREET_ADDRESS or as STREET_ADDRESS + GPE + GPE.",
        "",
        *_table(ours["per_type"].items()),
        "",
        "Recall of the table above by the dataset's own label (a LOCATION span containing a "
        "dataset STREET_ADDRESS counts as STREET_ADDRESS; GPE is a city or country on its own):",
        "",
        "| dataset label | gold | recall |",
        "|---|---:|---:|",
        *[f"| {k} | {v['annotated']} | {v['recall']:.3f} |" for k, v in by_label.items()],
        "",
        f"## Per entity type, strict (ours, IoU {iou})",
        "",
        "Stricter than any published number, kept for comparison: STREET_ADDRESS is its own type "
        "(only GPE → LOCATION, DOMAIN_NAME → URL), so where a template split an address into "
        "street, city and country, our one STREET_ADDRESS span misses the street part's IoU.",
        "",
        *_table(ours["per_type_strict"].items()),
        "",
    ]
    if "vanilla_presidio" in r["runs"]:
        lines += [
            f"## Per entity type (vanilla Presidio, IoU {iou}, presidio-research's alignment)",
            "",
            *_table(r["runs"]["vanilla_presidio"]["per_type"].items()),
            "",
        ]
    rt = r["retail"]
    lines += [
        "## Retail chat set (eval/data/retail_chat_pii.jsonl)",
        "",
        f"- messages: {rt['messages']}, store-identifier mentions: {rt['store_id_mentions']} "
        "(order ids, 10-digit item ids, 12-digit tracking numbers — many Luhn-valid and next to "
        "card words —, payment-method ids)",
        f"- store identifiers flagged as PII (any type, any score): **{rt['store_id_false_positives']}**",
        f"- labelled non-PII values (prices, dates, product names) redacted: "
        f"**{rt['kept_value_false_positives']}**",
        f"- labelled PII redacted under the default policy: {rt['pii_redacted']}/{rt['pii_labelled']}",
        *[f"- store id flagged: `{e['id']}` in “{e['text']}”" for e in rt["examples_id_fp"]],
        *[f"- non-PII value redacted: `{e['keep']}` in “{e['text']}”" for e in rt["examples_keep_fp"]],
        *[f"- PII missed: `{e['pii']['value']}` ({e['pii']['type']}) in “{e['text']}”" for e in rt["examples_missed"]],
        "",
        "| PII type | labelled | redacted |",
        "|---|---:|---:|",
        *[f"| {k} | {v['labelled']} | {v['redacted']} |" for k, v in rt.get("pii_by_type", {}).items()],
        "",
        "## Latency (one process, 2-core machine shared with other jobs)",
        "",
        f"- {lat['messages']} distinct messages of ~{lat['mean_words']} words (20–40), detection cache "
        f"cleared before each pass, each message's median of 3 passes: median **{lat['median_ms']} ms**, "
        f"p95 {lat['p95_ms']} ms wall clock",
        f"- CPU time per message (less sensitive to other jobs): median {lat['cpu_median_ms']} ms, "
        f"p95 {lat['cpu_p95_ms']} ms",
        f"- 1-minute load average before/after: {lat['load_average_1m_before_after']} on "
        f"{lat['cpus']} CPUs",
        f"- batched (`nlp.pipe` via BatchAnalyzerEngine): {lat['batch_msgs_per_s']} messages/s "
        f"(sequential: {lat['sequential_msgs_per_s']} messages/s)",
        f"- repeated text (detection cache hit): {lat['cache_hit_ms']} ms",
        f"- full dev set detection: {ours['seconds']} s",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
