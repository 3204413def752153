"""A registry of tools: name -> spec (argument schema, description, read/write, handler).

New tools register with `@registry.tool(...)`; the service, the LangChain binding and the
docs all read the same registry, like Presidio's recognizer registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from tools.session import ToolSession


@dataclass
class ToolContext:
    """What a handler gets: the open database transaction and the caller's session."""

    db: Session
    session: ToolSession
    now: datetime


Handler = Callable[[ToolContext, Any], Any]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    args: type[BaseModel]
    handler: Handler
    write: bool = False
    needs_auth: bool = True


class ToolRegistry:
    def __init__(self) -> None:
        self._specs: dict[str, ToolSpec] = {}

    def tool(self, name: str, args: type[BaseModel], *, write: bool = False,
             needs_auth: bool = True) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            doc = " ".join((fn.__doc__ or "").split())
            self._specs[name] = ToolSpec(name, doc, args, fn, write=write, needs_auth=needs_auth)
            return fn

        return register

    def merge(self, other: ToolRegistry) -> ToolRegistry:
        merged = ToolRegistry()
        merged._specs = {**self._specs, **other._specs}
        return merged

    def get(self, name: str) -> ToolSpec | None:
        return self._specs.get(name)

    def __iter__(self) -> Iterator[ToolSpec]:
        return iter(self._specs.values())

    def names(self) -> list[str]:
        return list(self._specs)
