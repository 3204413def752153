"""Typed errors. Callers (CLI, agent tools, HTTP) show `str(err)` to a person, so every message
says what was wrong and what to do instead."""

from __future__ import annotations


class RetrievalError(Exception):
    """Base class for every error raised by `retrieval`."""


class InvalidQueryError(RetrievalError, ValueError):
    """The query text cannot be searched (empty, too long, ...)."""


class EmptyQueryError(InvalidQueryError):
    def __init__(self) -> None:
        super().__init__("the query is empty: give some words to search for")


class QueryTooLongError(InvalidQueryError):
    def __init__(self, length: int, limit: int) -> None:
        super().__init__(
            f"the query is {length} characters long; the limit is {limit}: shorten it to the question itself"
        )
        self.length = length
        self.limit = limit


class UnknownCollectionError(RetrievalError, ValueError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown collection {name!r}: use one of {', '.join(known)}")
        self.name = name


class InvalidFilterError(RetrievalError, ValueError):
    """A payload filter names a field the collection does not have, or has a bad value."""


class UnknownFilterFieldError(InvalidFilterError):
    def __init__(self, collection: str, field: str, known: list[str]) -> None:
        super().__init__(
            f"collection {collection!r} has no filterable field {field!r}: "
            f"filter on one of {', '.join(known)}"
        )
        self.collection = collection
        self.field = field


class CustomerRequiredError(RetrievalError, ValueError):
    def __init__(self) -> None:
        super().__init__(
            "the 'history' collection is per customer: a customer id is required "
            "(it is bound by the session, never chosen by the model)"
        )


class InvalidParameterError(RetrievalError, ValueError):
    """A search parameter such as k is out of range."""


class StoreUnavailableError(RetrievalError, RuntimeError):
    """The vector store cannot be opened or reached."""


class StoreBusyError(StoreUnavailableError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"the Qdrant Edge store at {path} is open in another process "
            "(is `concierge serve` running?); stop it or run this command inside that process"
        )
        self.path = path


class EmbeddingModelError(StoreUnavailableError):
    """The embedding model cannot be loaded from the configured local path."""


class IncompatibleStoreError(StoreUnavailableError):
    """The stored collection was built with another vector size or layout."""
