"""The tool service: validates arguments, checks identity, runs a tool in one transaction with
its audit row, and turns every failure into a clear `ToolOutcome` the agent can relay."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from tools import audit
from tools.errors import (
    AuthenticationRequired,
    Conflict,
    Internal,
    InvalidArguments,
    ToolError,
    Unavailable,
)
from tools.registry import ToolContext, ToolRegistry, ToolSpec
from tools.session import ToolSession

log = logging.getLogger(__name__)


@dataclass
class ToolOutcome:
    tool: str
    ok: bool
    result: Any = None
    error: str | None = None
    code: str | None = None

    @property
    def result_or_error(self) -> Any:
        return self.result if self.ok else self.error


def describe_validation_error(tool: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        if err["type"] == "missing":
            parts.append(f"missing argument '{where}'")
        elif err["type"] == "extra_forbidden":
            parts.append(f"unexpected argument '{where}'")
        else:
            parts.append(f"'{where}': {err['msg']}")
    return f"Invalid arguments for {tool}: " + "; ".join(parts)


INTERNAL_MESSAGE = ("Something went wrong on our side and nothing was changed. Please try again, "
                    "or I can transfer you to a person.")

WriteListener = Callable[[str, ToolSession, Any], None]


class ToolService:
    def __init__(self, sessions: sessionmaker[Session], registry: ToolRegistry,
                 on_write: list[WriteListener] | None = None) -> None:
        """`on_write` listeners run after a write has committed (e.g. to refresh the customer's
        history in the vector store); their failures are logged, never undo the write."""
        self.sessions = sessions
        self.registry = registry
        self.on_write = list(on_write or [])

    def call(self, session: ToolSession, tool: str, arguments: dict[str, Any] | None, *,
             dry_run: bool = False) -> ToolOutcome:
        """Run one tool call for `session`; never raises for a tool-level failure.

        `dry_run` runs every check and the write itself, then rolls back: it tells whether the call
        would succeed (used to validate a model's proposed write before asking the shopper)."""
        arguments = arguments if isinstance(arguments, dict) else {}
        tool = tool if isinstance(tool, str) else repr(tool)  # a model may send anything as a name
        spec = self.registry.get(tool)
        try:
            if spec is None:
                raise InvalidArguments(f"Unknown tool '{tool}'. Available: {', '.join(self.registry.names())}")
            args = self._validate(spec, arguments)
            if spec.needs_auth and not session.authenticated:
                raise AuthenticationRequired(
                    "Please verify the customer first: their email, or their first name, last name and zip code.")
            return self._run(spec, session, args, arguments, dry_run=dry_run)
        except ToolError as exc:
            self._audit_failure(session, tool, arguments, exc, spec)
            return ToolOutcome(tool, False, error=exc.message, code=exc.code)

    @staticmethod
    def _validate(spec: ToolSpec, arguments: dict[str, Any]) -> Any:
        try:
            return spec.args.model_validate(arguments)
        except ValidationError as exc:
            raise InvalidArguments(describe_validation_error(spec.name, exc)) from None

    def _run(self, spec: ToolSpec, session: ToolSession, args: Any, raw: dict[str, Any], *,
             dry_run: bool = False) -> ToolOutcome:
        before = (session.customer_id, session.verified_by)
        try:
            with self.sessions.begin() as db:
                ctx = ToolContext(db=db, session=session, now=datetime.now(timezone.utc))
                result = spec.handler(ctx, args)
                db.flush()
                if dry_run:
                    db.rollback()
                    session.customer_id, session.verified_by = before
                    with self.sessions.begin() as audit_db:
                        audit.record(audit_db, session, tool=f"{spec.name} (dry run)", arguments=raw, ok=True,
                                     result={"dry_run": True}, write=False, at=ctx.now)
                    return ToolOutcome(spec.name, True, result=result)
                audit.record(db, session, tool=spec.name, arguments=raw, ok=True, result=result,
                             write=spec.write, at=ctx.now)
        except ToolError:
            session.customer_id, session.verified_by = before
            raise
        except StaleDataError:
            session.customer_id, session.verified_by = before
            raise Conflict("Someone else changed this record at the same moment; nothing was changed. "
                           "Please look it up again and retry.") from None
        except OperationalError as exc:
            session.customer_id, session.verified_by = before
            if "locked" in str(exc.orig).lower():
                raise Conflict("Another change to this record is in progress; nothing was changed. "
                               "Please retry.") from None
            log.warning("database unavailable during %s: %s", spec.name, exc.orig)
            raise Unavailable("The store's records are unavailable right now; nothing was changed. "
                              "Please try again in a moment.") from None
        except IntegrityError as exc:  # the checks passed, so a concurrent change broke a constraint
            session.customer_id, session.verified_by = before
            log.warning("integrity error during %s: %s", spec.name, exc.orig)
            raise Conflict("This change conflicts with the store's current records (they may have just "
                           "changed); nothing was changed. Please look it up again and retry.") from None
        except DataError as exc:  # a value the database cannot hold, e.g. out of range
            session.customer_id, session.verified_by = before
            log.warning("data error during %s: %s", spec.name, exc.orig)
            raise InvalidArguments(f"Invalid arguments for {spec.name}: a value cannot be stored by the "
                                   "store; nothing was changed.") from None
        except DBAPIError as exc:
            session.customer_id, session.verified_by = before
            if exc.connection_invalidated:
                raise Unavailable("The store's records are unavailable right now; nothing was changed. "
                                  "Please try again in a moment.") from None
            log.error("database error during %s: %s", spec.name, exc.orig)
            raise Internal(INTERNAL_MESSAGE) from None
        except Exception:  # a bug must not crash the conversation; it is logged and audited
            session.customer_id, session.verified_by = before
            log.exception("tool %s failed unexpectedly", spec.name)
            raise Internal(INTERNAL_MESSAGE) from None
        if spec.write:
            for listener in self.on_write:
                try:
                    listener(spec.name, session, result)
                except Exception:  # a listener must not turn a committed write into an error
                    log.exception("write listener failed after %s", spec.name)
        return ToolOutcome(spec.name, True, result=result)

    def _audit_failure(self, session: ToolSession, tool: str, arguments: dict[str, Any],
                       exc: ToolError, spec: ToolSpec | None) -> None:
        if isinstance(exc, Unavailable):
            log.warning("tool %s failed and could not be audited: database unavailable", tool)
            return
        try:
            with self.sessions.begin() as db:
                audit.record(db, session, tool=tool, arguments=arguments, ok=False,
                             error=f"{exc.code}: {exc.message}", write=bool(spec and spec.write))
        except Exception:  # auditing a failure must not turn it into a crash
            log.warning("could not audit failed call to %s", tool, exc_info=True)
