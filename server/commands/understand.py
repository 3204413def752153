"""`concierge understand`: JSON lines in ({"text": ...}), one JSON line out per input line with
the intent, confidence, out-of-scope flag and slots. Batched; bad lines yield {"error": ...}."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import IO, Annotated, Any

import typer


def _parse(line: str) -> tuple[str | None, dict[str, Any] | None, str | None]:
    """(text, the parsed object, error)."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, None, f"invalid JSON: {exc.msg} (column {exc.colno})"
    if not isinstance(obj, dict):
        return None, None, 'expected a JSON object like {"text": "..."}'
    text = obj.get("text")
    if not isinstance(text, str):
        return None, obj, 'missing or non-string "text"'
    return text, obj, None


def run(nlu: Any, lines: IO[str], out: IO[str], *, batch_size: int = 256, alternatives: bool = False) -> int:
    """Stream `lines` through `nlu` in batches; returns how many lines were errors."""
    errors = 0
    pending: list[tuple[str | None, dict[str, Any] | None, str | None]] = []

    def flush() -> None:
        nonlocal errors
        texts = [t for t, _, err in pending if err is None and t is not None]
        results = iter(nlu.understand_many(texts)) if texts else iter(())
        for text, obj, err in pending:
            if err is not None:
                errors += 1
                row: dict[str, Any] = {"error": err}
            else:
                u = next(results)
                row = {"text": u.text, "intent": u.intent, "confidence": u.confidence,
                       "out_of_scope": u.out_of_scope, "slots": u.slots}
                if alternatives:
                    row["alternatives"] = [[label, p] for label, p in u.alternatives]
            if obj is not None and "id" in obj:
                row["id"] = obj["id"]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        out.flush()
        pending.clear()

    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        pending.append(_parse(line))
        if len(pending) >= batch_size:
            flush()
    if pending:
        flush()
    return errors


def understand_cmd(
    batch_size: Annotated[int, typer.Option(min=1, help="Utterances embedded per batch.")] = 256,
    catalog: Annotated[Path | None, typer.Option(help="Store catalog JSON (τ² db.json); default: the seed file.",
                                                 exists=True, dir_okay=False)] = None,
    alternatives: Annotated[bool, typer.Option("--alternatives", help="Add the top-3 intents per line.")] = False,
    threads: Annotated[int, typer.Option(min=0, help="torch CPU threads (0: torch's default).")] = 0,
) -> None:
    """Understand shoppers' messages: JSON lines {"text": ...} on stdin → one JSON line each on stdout
    ({"text", "intent", "confidence", "out_of_scope", "slots"}; {"error"} for a bad line)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from agent.nlu import NLU
    from server.settings import Settings

    if threads:
        import torch

        torch.set_num_threads(threads)

    source = catalog or Settings().seed_file
    nlu = NLU(catalog=source if Path(source).exists() else None)
    run(nlu, sys.stdin, sys.stdout, batch_size=batch_size, alternatives=alternatives)


def register(app: typer.Typer) -> None:
    app.command("understand")(understand_cmd)
