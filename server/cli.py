"""`concierge` command line. Each group of sub-commands lives in server/commands/<name>.py and
exposes `register(app)`; this module only assembles them."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="concierge",
    help="Concierge: an open-source customer-service agent for retailers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Sub-command modules, in the order they appear in --help.
COMMAND_MODULES = (
    "store",      # seed, serve, tau2 replay, segments, customers, orders, audit, staff
    "understand",
    "redact",     # redact PII from JSON lines (privacy)
    "search",     # search, index (retrieval)
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"server.commands.{_name}").register(app)


if __name__ == "__main__":
    app()
