"""Builds the retrieval facade from Settings (composition root side), and loads the data to
index: the catalog and orders from the store database when it has been seeded, else from the
τ² seed file. Retrieval itself only sees plain data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retrieval import KbSources, Retrieval, RetrievalConfig
from retrieval.models import CatalogProduct, CustomerOrder
from retrieval.tau2_adapter import (
    catalog_from_tau2,
    load_categories,
    load_tau2_store,
    order_from_record,
    orders_from_tau2,
    product_from_record,
)
from server.settings import Settings


def retrieval_config(settings: Settings) -> RetrievalConfig:
    return RetrievalConfig(
        store_path=settings.qdrant_path or (settings.var_dir / "qdrant"),
        qdrant_url=settings.qdrant_url,
        qdrant_api_key=settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None,
        collection_prefix=settings.qdrant_collection_prefix,
        model_path=settings.embedding_model_path,
        onnx_cache_dir=(settings.models_dir or settings.var_dir / "models") if settings.embedding_onnx else None,
        kb=KbSources(policy_files=((settings.policy_file, "tau2-policy"),), faq_dir=settings.faq_dir),
    )


def build_retrieval(settings: Settings) -> Retrieval:
    """The facade the server keeps for the life of the process (one per process: a Qdrant Edge
    store is single-writer)."""
    return Retrieval.open(retrieval_config(settings))


def _database_has_store(settings: Settings) -> bool:
    if settings.database_url:
        return True
    return (settings.var_dir / "concierge.db").exists()


def _from_database(settings: Settings) -> tuple[list[CatalogProduct], list[CustomerOrder]] | None:
    """Current catalog and orders from the store database, via the CRM tool layer's records."""
    if not _database_has_store(settings):
        return None
    try:
        from sqlalchemy import select

        from tools.db import make_engine, make_sessionmaker
        from tools.models import Order, Product
        from tools.records import order_record, product_record
    except ImportError:
        return None
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with make_sessionmaker(engine)() as db:
            products = [product_from_record(product_record(p), p.category)
                        for p in db.scalars(select(Product).order_by(Product.position))]
            orders = [order_from_record(_with_placed_at(order_record(o), o))
                      for o in db.scalars(select(Order).order_by(Order.position))]
    except Exception:  # not migrated / not seeded yet: fall back to the seed file
        return None
    finally:
        engine.dispose()
    return (products, orders) if products else None


def _with_placed_at(record: dict[str, Any], order: Any) -> dict[str, Any]:
    placed = getattr(order, "placed_at", None)
    return record | ({"placed_at": placed.isoformat()} if placed else {})


def load_catalog_and_orders(settings: Settings) -> tuple[list[CatalogProduct], list[CustomerOrder], str]:
    """(products, orders, source description)."""
    found = _from_database(settings)
    if found is not None:
        return found[0], found[1], "store database"
    db = load_tau2_store(Path(settings.seed_file))
    cats = load_categories(settings.categories_file)
    return list(catalog_from_tau2(db, cats)), list(orders_from_tau2(db)), str(settings.seed_file)
