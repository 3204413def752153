"""Concierge's understanding layer: intent classification (MiniLM embeddings + logistic
regression, Bitext's 27 intents + store intents), out-of-scope detection (trained and tuned with
CLINC150) and deterministic slot extraction against the store catalog.

    from agent.nlu import NLU
    nlu = NLU()                      # or NLU(model=shared_sentence_transformer, catalog=db_dict)
    nlu.understand("where is my order #W2378156")
    # Understood(intent='track_order', out_of_scope=False, slots={'order_id': '#W2378156'}, ...)
"""

from agent.nlu.catalog import Catalog, ItemMatch, OptionMention, ProductMention, VariantMatch, match_order_items
from agent.nlu.labels import ALL_LABELS, BITEXT_INTENTS, OUT_OF_SCOPE, STORE_INTENTS
from agent.nlu.slots import extract_slots
from agent.nlu.understand import NLU, Understood

__all__ = ["ALL_LABELS", "BITEXT_INTENTS", "NLU", "OUT_OF_SCOPE", "STORE_INTENTS", "Catalog", "ItemMatch",
           "OptionMention", "ProductMention", "Understood", "VariantMatch", "extract_slots",
           "match_order_items"]
