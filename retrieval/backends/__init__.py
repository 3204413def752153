"""Vector stores behind one interface (`VectorBackend`): Qdrant Edge (embedded, default) and a
Qdrant server through qdrant-client."""

from retrieval.backends.base import HybridRequest, ScoredPayload, StoredPoint, VectorBackend

__all__ = ["HybridRequest", "ScoredPayload", "StoredPoint", "VectorBackend"]
