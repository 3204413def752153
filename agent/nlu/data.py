"""Training and evaluation data: the vendored compact copies of Bitext and CLINC150, the
hand-written store examples, and the fixed train / val / test splits every tool here shares.

Splits (deterministic, no randomness at run time beyond a fixed seed):
- Bitext: stratified by intent, seed 7: 15% test (reported only), 10% val (threshold tuning),
  75% train.
- Store examples (store_intents.yaml): per intent, ordered by a hash of label+text: 20% test,
  10% val, 70% train.
- CLINC150: train → train; val and oos_train → val; oos_val → test (reported only).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from agent.nlu.labels import BITEXT_INTENTS, clinc_label
from agent.nlu.paths import BITEXT_FILE, CLINC_FILE, SHARED_DATA_DIR, STORE_INTENTS_FILE

Split = Literal["train", "val", "test"]
SEED = 7


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    source: Literal["bitext", "clinc", "store"]
    split: Split
    origin: str = ""  # the source dataset's own label (CLINC intent, Bitext intent)


def _hash_order(key: str) -> str:
    return hashlib.md5(key.encode("utf-8")).hexdigest()


def _stratified_hash_split(texts: list[str], label: str) -> list[Split]:
    """Per label: order the texts by hash; the first 20% are test, the next 10% val."""
    order = sorted(range(len(texts)), key=lambda i: _hash_order(f"{label}\t{texts[i]}"))
    n_test, n_val = round(0.2 * len(texts)), round(0.1 * len(texts))
    out: list[Split] = ["train"] * len(texts)
    for rank, i in enumerate(order):
        out[i] = "test" if rank < n_test else "val" if rank < n_test + n_val else "train"
    return out


def load_store_examples(path: Path = STORE_INTENTS_FILE) -> list[Example]:
    """The hand-written store examples, with their hash-based split."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for label, raw in doc["intents"].items():
        texts = [str(t) for t in raw]
        for text, split in zip(texts, _stratified_hash_split(texts, label)):
            out.append(Example(text, label, "store", split, label))
    return out


def load_bitext(path: Path = BITEXT_FILE) -> list[Example]:
    """Bitext utterances with a stratified 75/10/15 train/val/test split (seed 7)."""
    from sklearn.model_selection import train_test_split

    with path.open(encoding="utf-8", newline="") as fh:
        rows = [(r["instruction"], r["intent"]) for r in csv.DictReader(fh)]
    idx = list(range(len(rows)))
    labels = [r[1] for r in rows]
    rest, test = train_test_split(idx, test_size=0.15, stratify=labels, random_state=SEED)
    train, val = train_test_split(rest, test_size=0.10 / 0.85, stratify=[labels[i] for i in rest],
                                  random_state=SEED)
    split: dict[int, Split] = {**{i: "train" for i in train}, **{i: "val" for i in val},
                               **{i: "test" for i in test}}
    return [Example(t, y, "bitext", split[i], y) for i, (t, y) in enumerate(rows)]


def load_clinc(path: Path = CLINC_FILE) -> list[Example]:
    """CLINC150 utterances relabelled for a retail store (see labels.clinc_label)."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        doc = json.load(fh)
    where: dict[str, Split] = {"train": "train", "val": "val", "oos_train": "val", "oos_val": "test"}
    out = []
    for part, split in where.items():
        for text, intent in doc[part]:
            label = clinc_label(intent)
            if label is not None:
                out.append(Example(text, label, "clinc", split, intent))
    return out


def load_all() -> list[Example]:
    """Every labelled example, all sources, all splits. A CLINC150 utterance that is also a store
    example ("hi", "thanks") is dropped, so the store example's split alone decides its use."""
    store = load_store_examples()
    seen = {e.text.lower().strip() for e in store}
    clinc = [e for e in load_clinc() if e.text.lower().strip() not in seen]
    return [*load_bitext(), *clinc, *store]


def select(examples: Iterable[Example], *splits: Split) -> list[Example]:
    return [e for e in examples if e.split in splits]


def refresh_vendored(shared: Path = SHARED_DATA_DIR) -> None:
    """Rebuild the compact vendored copies from the full datasets in `shared` (maintainers only)."""
    import shutil

    src = shared / "bitext" / "bitext_train.csv"
    BITEXT_FILE.parent.mkdir(parents=True, exist_ok=True)
    with src.open(encoding="utf-8", newline="") as fh, BITEXT_FILE.open("w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(["instruction", "intent"])
        for r in csv.DictReader(fh):
            if r["intent"] in BITEXT_INTENTS:
                w.writerow([r["instruction"], r["intent"]])
    shutil.copyfile(shared / "bitext" / "LICENSE.txt", BITEXT_FILE.parent / "LICENSE.txt")

    doc = json.loads((shared / "clinc150" / "clinc150_trainval.json").read_text(encoding="utf-8"))
    CLINC_FILE.parent.mkdir(parents=True, exist_ok=True)
    keep = {k: doc[k] for k in ("train", "val", "oos_train", "oos_val")}
    with gzip.GzipFile(CLINC_FILE, "wb", mtime=0) as gz:
        gz.write(json.dumps(keep, separators=(",", ":")).encode("utf-8"))
    shutil.copyfile(shared / "clinc150" / "LICENSE", CLINC_FILE.parent / "LICENSE")
    shutil.copyfile(shared / "clinc150" / "domains.json", CLINC_FILE.parent / "domains.json")
