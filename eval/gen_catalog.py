"""Synthetic catalog generator for the retrieval latency benchmark.

Random but structured: every synthetic product copies the option schema of one of the 50 demo
products, gets a brand and a style word in its name and a random subset of option combinations
as variants, with prices spread around the template's. `python -m eval.gen_catalog N` writes N
catalog items (products + variants) as JSON lines of `CatalogProduct`."""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from retrieval.models import CatalogProduct, ProductVariant
from retrieval.tau2_adapter import catalog_from_tau2, load_categories, load_tau2_store

ROOT = Path(__file__).resolve().parent.parent
DB = ROOT / "tools" / "data" / "tau2_retail" / "db.json"
CATEGORIES = ROOT / "tools" / "data" / "categories.json"
BRANDS = ["Acme", "Northwind", "Contoso", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay",
          "Soylent", "Tyrell", "Cyberdyne", "Wonka", "Oceanic", "Aperture", "Gringotts", "Monarch", "Dunder",
          "Piper", "Massive", "Kumatsu", "Virtucon", "Nakatomi", "Zorg", "Ollivander", "Duff", "Krusty",
          "Prestige", "Sirius"]
STYLES = ["Classic", "Pro", "Lite", "Max", "Eco", "Urban", "Trail", "Studio", "Compact", "Deluxe", "Essential",
          "Sport", "Travel", "Home", "Smart", "Ultra", "Mini", "Signature", "Everyday", "Premium"]


def templates() -> list[CatalogProduct]:
    return list(catalog_from_tau2(load_tau2_store(DB), load_categories(CATEGORIES)))


def template_key(product_name: str) -> str:
    """The demo product a synthetic name was made from ('Acme Pro Electric Kettle 17' ->
    'Electric Kettle'), used to reuse that template's embeddings."""
    words = product_name.split()
    return " ".join(words[2:-1]) if len(words) > 3 else product_name


def generate(n_items: int, seed: int = 7) -> Iterator[CatalogProduct]:
    """Yield products until their points (1 per product + 1 per variant) reach n_items."""
    rng = random.Random(seed)
    tpls = templates()
    made = 0
    serial = 0
    while made < n_items:
        t = rng.choice(tpls)
        serial += 1
        keys = list(dict.fromkeys(k for v in t.variants for k in v.options))
        values = {k: sorted({v.options[k] for v in t.variants if k in v.options}) for k in keys}
        combos = list(itertools.islice(itertools.product(*(values[k] for k in keys)), 200))
        rng.shuffle(combos)
        n_var = min(len(combos), rng.randint(4, 16), max(n_items - made - 1, 0))
        base = sum(v.price for v in t.variants) / max(len(t.variants), 1)
        variants = tuple(
            ProductVariant(item_id=f"9{serial:07d}{i:03d}", options=dict(zip(keys, combo)),
                           price=round(base * rng.uniform(0.8, 1.2), 2), available=rng.random() < 0.7)
            for i, combo in enumerate(combos[:n_var])
        )
        yield CatalogProduct(product_id=f"8{serial:09d}",
                             name=f"{rng.choice(BRANDS)} {rng.choice(STYLES)} {t.name} {serial % 97}",
                             category=t.category, variants=variants)
        made += 1 + len(variants)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("items", type=int)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    for p in generate(args.items, args.seed):
        sys.stdout.write(json.dumps(p.model_dump()) + "\n")


if __name__ == "__main__":
    main()
