"""The composition root: builds every collaborator from Settings, once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from server.settings import Settings
from tools.crm import registry as crm_registry
from tools.db import make_engine, make_sessionmaker
from tools.offers import registry as offers_registry
from tools.registry import ToolRegistry
from tools.service import ToolService


@dataclass
class Container:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.sqlalchemy_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_sessionmaker(self.engine)

    @cached_property
    def tool_registry(self) -> ToolRegistry:
        return crm_registry.merge(offers_registry)

    @cached_property
    def tools(self) -> ToolService:
        return ToolService(self.sessions, self.tool_registry)

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
