"""Customer segments from order history: recency, frequency, monetary value (RFM) and favourite
categories, clustered with scikit-learn's KMeans. Recomputed by `concierge segments`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from tools.models import Customer, CustomerSegment, Order, Product

# Cluster names, best customers first; clusters are ranked by (frequency + monetary - recency).
SEGMENT_NAMES = ("champions", "loyal", "occasional", "lapsed")
NO_ORDERS = "new"


@dataclass(frozen=True)
class RFM:
    customer_id: str
    recency_days: int
    frequency: int
    monetary: Decimal
    favourite_categories: list[str]


def _as_aware(value: datetime, like: datetime) -> datetime:
    if value.tzinfo is None and like.tzinfo is not None:
        return value.replace(tzinfo=like.tzinfo)
    return value


def rfm_features(db: Session, now: datetime) -> list[RFM]:
    """RFM per customer over non-cancelled orders; net of refunds."""
    categories = dict(db.execute(select(Product.id, Product.category)).all())
    customers = db.scalars(select(Customer).options(
        selectinload(Customer.orders).selectinload(Order.items),
        selectinload(Customer.orders).selectinload(Order.payments)))
    out = []
    for c in customers:
        orders = [o for o in c.orders if o.status != "cancelled"]
        if not orders:
            out.append(RFM(c.id, 10_000, 0, Decimal(0), []))
            continue
        last = max(_as_aware(o.placed_at or now, now) for o in orders)
        spend = sum((p.amount if p.transaction_type == "payment" else -p.amount
                     for o in orders for p in o.payments), Decimal(0))
        cats = Counter(categories.get(i.product_id, "general") for o in orders for i in o.items)
        favourites = [cat for cat, _ in cats.most_common(2)]
        out.append(RFM(c.id, max(0, (now - last).days), len(orders), spend, favourites))
    return out


def cluster(features: list[RFM], k: int = len(SEGMENT_NAMES), seed: int = 0) -> dict[str, str]:
    """Segment name per customer id."""
    active = [f for f in features if f.frequency > 0]
    names = {f.customer_id: NO_ORDERS for f in features if f.frequency == 0}
    if len(active) < k:
        names.update({f.customer_id: SEGMENT_NAMES[-1] for f in active})
        return names
    x = np.array([[np.log1p(f.recency_days), np.log1p(f.frequency), np.log1p(float(f.monetary))]
                  for f in active])
    z = StandardScaler().fit_transform(x)
    model = KMeans(n_clusters=k, random_state=seed, n_init=10).fit(z)
    centres = model.cluster_centers_
    value = centres[:, 1] + centres[:, 2] - centres[:, 0]
    rank = {int(c): i for i, c in enumerate(np.argsort(-value))}
    for f, label in zip(active, model.labels_):
        names[f.customer_id] = SEGMENT_NAMES[rank[int(label)]]
    return names


def recompute(db: Session, now: datetime) -> Counter[str]:
    """Replace every customer's segment; returns the count per segment."""
    features = rfm_features(db, now)
    names = cluster(features)
    db.execute(delete(CustomerSegment))
    db.add_all(CustomerSegment(customer_id=f.customer_id, segment=names[f.customer_id],
                               recency_days=f.recency_days, frequency=f.frequency,
                               monetary=f.monetary, favourite_categories=f.favourite_categories,
                               computed_at=now)
               for f in features)
    return Counter(names.values())
