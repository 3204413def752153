"""Store commands: seed, migrate, serve, tau2 replay, segments, customers, orders, audit, staff."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from server.container import Container
from server.settings import Settings

# No wrapping: an error naming a long path must stay one line a user can copy.
console = Console(stderr=True, soft_wrap=True)


def _container() -> Container:
    return Container(Settings())


def _emit(data: Any, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    else:
        Console().print_json(json.dumps(data, default=str))


def _fail(message: str, code: int = 1) -> None:
    console.print(f"[red]error:[/red] {escape(message)}")  # a path or id may contain [brackets]
    raise typer.Exit(code)


def _customer_or_fail(db: Any, customer_id: str) -> Any:
    """The customer row, or exit with a clear error (before anything is written)."""
    from tools.models import Customer

    customer = db.get(Customer, customer_id)
    if customer is None:
        _fail(f"customer {customer_id!r} not found")
    return customer


def _database_label(settings: Settings) -> str:
    """Where the database is, without the credentials."""
    return settings.sqlalchemy_url.split("@")[-1]


def seed_cmd(
    reset: Annotated[bool, typer.Option("--reset", help="Wipe the store and load it again.")] = False,
    source: Annotated[Path | None, typer.Option(help="A τ² db.json to load instead of the demo store.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Create or migrate the database and load the demo store (idempotent). For production,
    where the demo customers must not be loaded, use `concierge migrate`."""
    from tools.seed import seed

    c = _container()
    outcome = seed(c.engine, source or c.settings.seed_file, reset=reset)
    console.print(f"demo store: {outcome} ({_database_label(c.settings)})")
    if as_json:
        _emit({"outcome": outcome, "database": _database_label(c.settings)}, True)


def migrate_cmd(as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False) -> None:
    """Create or upgrade the database schema (CRM and conversations) and load no data: the
    production step before `serve`. Idempotent; safe with several instances starting at once."""
    from server.conversations import migrate_server
    from tools.db import migrate

    c = _container()
    migrate(c.engine)
    migrate_server(c.engine)
    console.print(f"schema: up to date ({_database_label(c.settings)})")
    if as_json:
        _emit({"outcome": "migrated", "database": _database_label(c.settings)}, True)


def serve_cmd(
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
) -> None:
    """Start the HTTP/WebSocket server."""
    import uvicorn

    from server.app import create_app

    settings = Settings()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port,
                log_level="info")


def _unwritable(path: Path) -> str | None:
    """Why `path` cannot be written as a file, or None."""
    import os

    if path.is_dir():
        return "it is a directory"
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return f"the directory {parent} does not exist"
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "permission denied"
    return None


tau2 = typer.Typer(help="τ²-bench retail tools.", no_args_is_help=True)


@tau2.command("replay")
def tau2_replay(
    tasks: Annotated[Path, typer.Option("--tasks", help="τ² tasks JSON (a list of tasks).", exists=True,
                                        dir_okay=False)],
    out: Annotated[Path, typer.Option("--out", help="Where to write the JSON list of results.")],
) -> None:
    """Replay each task's gold actions on a fresh copy of the demo store; write what changed."""
    from tools.replay import TaskFileError, load_tasks, replay_tasks

    problem = _unwritable(out)
    if problem:  # found now, not after replaying every task
        _fail(f"cannot write --out {out}: {problem}", 2)
        return
    try:
        task_list = load_tasks(tasks)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        _fail(f"{tasks} is not valid JSON: {exc}")
        return
    except TaskFileError as exc:
        _fail(f"{tasks} is not a τ² tasks file: {exc}")
        return
    settings = Settings()
    with Progress(console=console, transient=True) as progress:
        bar = progress.add_task("replaying", total=len(task_list))
        results = replay_tasks(task_list, settings.seed_file,
                               progress=lambda n: progress.advance(bar, n))
    out.write_text(json.dumps(results, indent=1))
    ok = sum(all(a["ok"] for a in r["actions"]) for r in results)
    console.print(f"{len(results)} tasks replayed ({ok} with every action ok) -> {out}")


def segments_cmd(as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False) -> None:
    """Recompute customer segments (RFM + KMeans) from order history."""
    from tools.segments import recompute

    c = _container()
    with c.sessions.begin() as db:
        counts = recompute(db, datetime.now(timezone.utc))
    _emit(dict(sorted(counts.items())), as_json)


customers = typer.Typer(help="Look up and manage customers.", no_args_is_help=True)


@customers.command("show")
def customers_show(customer_id: str,
                   as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False) -> None:
    """Show a customer's profile (τ² layout), segment and consent."""
    from tools.records import customer_profile

    c = _container()
    with c.sessions() as db:
        record = customer_profile(db, customer_id)
    if record is None:
        _fail(f"customer {customer_id!r} not found")
        return
    _emit(record, as_json)


def _cli_actor() -> str:
    """Who ran the command, for the audit log."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"[:128]
    except Exception:  # no login name in some containers
        return "cli"


def _audit_staff_change(db: Any, customer_id: str, command: str, change: dict[str, Any]) -> None:
    """A staff change to a customer goes to the audit log in the same transaction as the change."""
    from tools import audit
    from tools.session import ToolSession

    session = ToolSession.for_customer(customer_id, verified_by="staff", actor=_cli_actor(),
                                       session_id=f"cli-{uuid.uuid4().hex[:24]}")
    audit.record(db, session, tool=command, arguments={"user_id": customer_id, **change}, ok=True,
                 result={"user_id": customer_id, **change}, write=True)


@customers.command("consent")
def customers_consent(
    customer_id: str,
    on: Annotated[bool, typer.Option("--on/--off", help="Opt in to, or out of, marketing offers.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Record a customer's marketing consent (audited)."""
    from tools.models import MarketingConsent

    c = _container()
    with c.sessions.begin() as db:
        customer = _customer_or_fail(db, customer_id)
        if customer.consent is None:
            customer.consent = MarketingConsent(granted=on, source="cli")
        else:
            customer.consent.granted = on
            customer.consent.source = "cli"
            customer.consent.updated_at = datetime.now(timezone.utc)
        _audit_staff_change(db, customer_id, "customers consent", {"marketing_consent": on})
    _emit({"user_id": customer_id, "marketing_consent": on}, as_json)


@customers.command("hardship")
def customers_hardship(
    customer_id: str,
    on: Annotated[bool, typer.Option("--on/--off", help="Flag, or unflag, the customer as in financial "
                                     "hardship: a flagged customer gets no marketing offers.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Set the hardship flag staff use for a customer known to be in financial difficulty
    (audited). Flagged customers receive service offers only, never marketing ones."""
    c = _container()
    with c.sessions.begin() as db:
        customer = _customer_or_fail(db, customer_id)
        customer.hardship = on
        customer.updated_at = datetime.now(timezone.utc)
        _audit_staff_change(db, customer_id, "customers hardship", {"hardship": on})
    _emit({"user_id": customer_id, "hardship": on}, as_json)


@customers.command("forget")
def customers_forget(
    customer_id: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Right to erasure: delete the customer's conversations, pseudonym maps and history vectors;
    blank the PII of their audit rows. (With the embedded Qdrant, stop the server first or use
    the operator API's POST /api/customers/{id}/forget.)"""
    from server.erasure import forget_customer
    from tools.models import Customer

    c = _container()
    with c.sessions() as db:
        if db.get(Customer, customer_id) is None:
            _fail(f"customer {customer_id!r} not found")
            return
    if not yes and not typer.confirm(f"Erase {customer_id}'s conversations, maps and history?"):
        raise typer.Exit(1)
    try:
        _emit(forget_customer(c, customer_id), as_json)
    except Exception as exc:  # e.g. the embedded vector store is held by a running server
        _fail(str(exc))


orders = typer.Typer(help="Look up orders.", no_args_is_help=True)


@orders.command("show")
def orders_show(order_id: str,
                as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False) -> None:
    """Show an order (τ² layout)."""
    from tools.models import Order
    from tools.records import order_record

    c = _container()
    with c.sessions() as db:
        order = db.get(Order, order_id)
        if order is None:
            _fail(f"order {order_id!r} not found")
            return
        record = order_record(order)
    _emit(record, as_json)


audit_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)


@audit_app.command("tail")
def audit_tail(
    n: Annotated[int, typer.Option("-n", help="How many entries.", min=1, max=10_000)] = 20,
    customer: Annotated[str | None, typer.Option(help="Only this customer's entries.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Show the newest audit entries, oldest first."""
    from tools import audit

    c = _container()
    with c.sessions() as db:
        rows = [audit.entry_record(e) for e in audit.tail(db, limit=n, customer_id=customer)]
    if as_json:
        _emit(rows, True)
        return
    for r in rows:
        status = "ok " if r["ok"] else "ERR"
        print(f"{r['at']}  {status} {r['actor']:<14} {r['customer_id'] or '-':<24} {r['tool']}"
              f"({json.dumps(r['arguments'])}){'' if r['ok'] else '  ' + (r['error'] or '')}")


staff = typer.Typer(help="Staff identities for the operator API and console.", no_args_is_help=True)


@staff.command("token")
def staff_token(name: str,
                hours: Annotated[float, typer.Option(help="Validity in hours.", min=0.01)] = 12.0) -> None:
    """Print a staff JWT (HS256, aud="staff") signed with CONCIERGE_STAFF_SECRET."""
    from datetime import timedelta

    from server.auth import issue_staff_token

    print(issue_staff_token(Settings().staff_secret.get_secret_value(), name, ttl=timedelta(hours=hours)))


@staff.command("add")
def staff_add(name: str,
              store: Annotated[str | None, typer.Option(help="The store whose kiosk queue this person answers.")] = None,
              password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                           help="Read the password from stdin (first line).")] = False,
              as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Create a console account (or reset its password and store). Without --password-stdin a
    password is generated and printed once."""
    import secrets

    generated = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = generated = secrets.token_urlsafe(12)
    if not password:
        _fail("no password on stdin", 2)
    c = _container()
    try:
        created = c.staff.add(name, password, store)
    except ValueError as exc:
        _fail(str(exc), 2)
    finally:
        c.close()
    out = {"name": name, "store_id": store, "created": created}
    if generated:
        out["password"] = generated
    if as_json:
        print(json.dumps(out))
        return
    print(f"{'Created' if created else 'Updated'} staff account {name!r}" + (f" for store {store}" if store else ""))
    if generated:
        print(f"Password (shown once): {generated}")


def register(app: typer.Typer) -> None:
    app.command("seed")(seed_cmd)
    app.command("migrate")(migrate_cmd)
    app.command("serve")(serve_cmd)
    app.add_typer(tau2, name="tau2")
    app.command("segments")(segments_cmd)
    app.add_typer(customers, name="customers")
    app.add_typer(orders, name="orders")
    app.add_typer(audit_app, name="audit")
    app.add_typer(staff, name="staff")
