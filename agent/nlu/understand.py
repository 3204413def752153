"""`NLU`: text → intent, confidence, out-of-scope flag and slots, for one utterance or a batch."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent.nlu.catalog import Catalog, ItemMatch, VariantMatch, match_order_items
from agent.nlu.classifier import Decision, IntentModel
from agent.nlu.embedding import Encoder
from agent.nlu.labels import OUT_OF_SCOPE
from agent.nlu.paths import DEFAULT_CATALOG_FILE, MODEL_FILE
from agent.nlu.slots import extract_slots

# Store identifiers: an utterance that quotes one is never out of scope.
STRONG_ANCHORS = ("order_id", "item_ids", "email")
# Store words: with one of them, an utterance is flagged out of scope only when the model is very
# sure (P(out_of_scope) ≥ ANCHORED_OOS_THRESHOLD). Option values ("art", "light") are too common
# to count.
ANCHOR_SLOTS = ("product", "payment_hint", "cancel_reason")
ANCHORED_OOS_THRESHOLD = 0.9
_GREETING = re.compile(r"^\s*(?:hi|hello|hey|hiya|howdy|good\s+(?:morning|afternoon|evening)|greetings)\b",
                       re.IGNORECASE)
# Short answers to the agent's questions ("Gift card", "ordered by mistake", "All of them").
_ANSWER_SLOTS = ("payment_hint", "cancel_reason", "all_items")
_ANSWERS = {"inform", "affirm", "deny", "identify"}
# Words that may surround a bare slot value ("it's #W2378156", "my email is ...").
_FILLER = set("""
it it's its is my the a an email e mail address order orders number no id zip zipcode code postal post
name i'm im i am here this that's thats and or for of on in at item items please sure ok okay so
account user first last is: number: id: mine one was
""".split())
_SLOT_SPANS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+|#?\s?[Ww]?\d{5,10}|[^\w\s']")


class Understood(BaseModel):
    """What the shopper meant."""

    text: str
    intent: str
    confidence: float
    out_of_scope: bool
    slots: dict[str, Any] = Field(default_factory=dict)
    alternatives: list[tuple[str, float]] = Field(default_factory=list)


class NLU:
    """The understanding layer. Build once per process and share it.

    `model`: an already-loaded SentenceTransformer (or retrieval's DenseEmbedder) to share; when
    None, the packaged all-MiniLM-L6-v2 is loaded (eagerly unless `lazy`). `catalog`: the store's
    products as a Catalog, a τ² db dict / products mapping, or a JSON path; None → the demo store
    file when it exists (product/option slots need a catalog)."""

    def __init__(self, model: Any | None = None, *, catalog: Catalog | Mapping[str, Any] | Path | str | None = None,
                 artifact: Path | str = MODEL_FILE, batch_size: int = 64, device: str = "cpu",
                 lazy: bool = False) -> None:
        self.intents = IntentModel.load(Path(artifact))
        self.encoder = Encoder(model, batch_size=batch_size, device=device)
        self.catalog = _as_catalog(catalog)
        if not lazy:
            _ = self.encoder.model

    @property
    def labels(self) -> list[str]:
        return list(self.intents.labels)

    def understand(self, text: str) -> Understood:
        return self.understand_many([text])[0]

    def understand_many(self, texts: Sequence[str], batch_size: int | None = None) -> list[Understood]:
        """Batched: one embedding pass for all texts."""
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        if not texts:
            return []
        emb = self.encoder.encode([t.strip() or "." for t in texts], batch_size=batch_size)
        decisions = self.intents.decide(emb)
        out = []
        for text, d in zip(texts, decisions):
            slots = extract_slots(text, self.catalog)
            intent, conf, oos = apply_rules(text, d, slots, self.intents.min_confidence)
            out.append(Understood(text=text, intent=intent, confidence=round(conf, 4), out_of_scope=oos,
                                  slots=slots, alternatives=list(d.ranking)))
        return out

    # ------------------------------------------------------------------ matching helpers

    def match_order_items(self, text: str, items: list[dict[str, Any]]) -> list[str]:
        """Item ids of `items` (τ² order lines) that `text` describes; [] when none is clear."""
        return [m.item_id for m in self.match_order_item_details(text, items)]

    def match_order_item_details(self, text: str, items: Sequence[Mapping[str, Any]]) -> list[ItemMatch]:
        return match_order_items(text, items, self.catalog)

    def match_variants(self, product: str, text: str, *, available_only: bool = True,
                       top: int | None = None) -> list[VariantMatch]:
        """Variants of `product` ranked by fit to `text` (needs a catalog)."""
        if self.catalog is None:
            return []
        return self.catalog.match_variants(product, text, available_only=available_only, top=top)


def apply_rules(text: str, d: Decision, slots: Mapping[str, Any],
                min_confidence: float = 0.0) -> tuple[str, float, bool]:
    """The model's decision, corrected by what the slots show: bare slot values and short answers
    are in scope; an utterance quoting an order id, item id or e-mail is in scope; one naming a
    product, payment method or cancel reason is flagged out of scope only when
    P(out_of_scope) ≥ ANCHORED_OOS_THRESHOLD; an utterance with no store slot whose best
    in-scope probability is below `min_confidence` is out of scope."""
    intent, conf, oos = d.intent, d.confidence, d.out_of_scope
    words = len(text.split())
    if _slot_only(text, slots):  # "#W2378156", "it's jane@x.com", "Yara Silva 77159"
        intent = "identify" if slots.get("email") or slots.get("zip") else "inform"
        return intent, max(d.p_best, 0.9), False
    if words <= 3 and d.best_in_scope not in _ANSWERS and any(slots.get(k) for k in _ANSWER_SLOTS):
        return "inform", max(d.p_best, 0.5), False  # "Gift card", "All of them", "no longer needed"
    if oos and (any(slots.get(k) for k in STRONG_ANCHORS)
                or (d.p_oos < ANCHORED_OOS_THRESHOLD and any(slots.get(k) for k in ANCHOR_SLOTS))):
        return d.best_in_scope, d.p_best, False
    if oos and words <= 3 and (slots.get("affirm") or slots.get("deny")):
        return ("affirm" if slots.get("affirm") else "deny"), 1.0 - d.p_oos, False
    if oos and words <= 6 and _GREETING.search(text):
        return "greeting", 1.0 - d.p_oos, False
    if not oos and d.p_best < min_confidence and not any(
            slots.get(k) for k in (*STRONG_ANCHORS, *ANCHOR_SLOTS, *_ANSWER_SLOTS, "affirm", "deny", "zip")):
        return OUT_OF_SCOPE, d.p_oos, True
    return intent, float(conf), bool(oos)


def _slot_only(text: str, slots: Mapping[str, Any]) -> bool:
    """True when the text is just slot values (ids, e-mail, name + zip) and filler words."""
    if not (slots.get("order_id") or slots.get("email") or slots.get("item_ids")
            or (slots.get("first_name") and slots.get("zip"))):
        return False
    rest = _SLOT_SPANS.sub(" ", text)
    for key in ("first_name", "last_name"):
        if slots.get(key):
            rest = re.sub(rf"\b{re.escape(slots[key])}\b", " ", rest, flags=re.IGNORECASE)
    words = [w for w in rest.lower().split() if w]
    return all(w in _FILLER for w in words)


def _as_catalog(catalog: Catalog | Mapping[str, Any] | Path | str | None) -> Catalog | None:
    if isinstance(catalog, Catalog):
        return catalog
    if isinstance(catalog, Mapping):
        return Catalog.from_data(catalog)
    if isinstance(catalog, (str, Path)):
        return Catalog.from_json(catalog)
    return Catalog.from_json(DEFAULT_CATALOG_FILE) if DEFAULT_CATALOG_FILE.exists() else None
