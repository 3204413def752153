"""Retrieval commands: `concierge search` and `concierge index`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from retrieval import Collection, Retrieval, RetrievalError, SearchRequest
from server.retrieval_wiring import build_retrieval, load_catalog_and_orders
from server.settings import Settings

console = Console(stderr=True)
COLLECTIONS = [c.value for c in Collection]
TARGETS = [*COLLECTIONS, "all"]


def _fail(message: str, code: int = 1) -> None:
    console.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(code)


def _open() -> Retrieval:
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar in CLI output
    except ImportError:
        pass
    try:
        return build_retrieval(Settings())
    except RetrievalError as exc:
        _fail(str(exc))
        raise  # unreachable


def _parse_filters(items: list[str] | None) -> dict[str, Any] | None:
    """KEY=VALUE, KEY>=N, KEY<=N (repeatable)."""
    if not items:
        return None
    out: dict[str, Any] = {}
    for item in items:
        for op, key in ((">=", "gte"), ("<=", "lte"), (">", "gt"), ("<", "lt")):
            if op in item:
                name, _, value = item.partition(op)
                out.setdefault(name.strip(), {})
                if not isinstance(out[name.strip()], dict):
                    raise typer.BadParameter(f"{name} has both a value and a range")
                out[name.strip()][key] = value.strip()
                break
        else:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise typer.BadParameter(f"--filter takes KEY=VALUE, KEY>=N or KEY<=N, got {item!r}")
            values = [v.strip() for v in value.split(",")]
            out[name.strip()] = values if len(values) > 1 else values[0]
    return out


def _hits_json(hits: list[Any]) -> list[dict[str, Any]]:
    return [h.to_json() for h in hits]


def _print_table(query: str, collection: str, hits: list[Any]) -> None:
    table = Table(title=f"{collection}: {query}", show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("id")
    table.add_column("score", justify="right")
    table.add_column("title")
    table.add_column("text", overflow="fold", max_width=70)
    for i, h in enumerate(hits, 1):
        text = h.text if len(h.text) <= 160 else h.text[:157] + "..."
        table.add_row(str(i), h.id, f"{h.score:.4f}", h.title, text)
    Console().print(table)


def _read_queries(path: Path) -> list[dict[str, Any]]:
    if str(path) == "-":
        lines = sys.stdin.read().splitlines()
    else:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            _fail(f"cannot read {path}: {exc.strerror}")
    rows = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            _fail(f"{path}:{n}: not a JSON line ({exc.msg})")
        if not isinstance(row, dict) or "query" not in row or "collection" not in row:
            _fail(f'{path}:{n}: each line needs {{"query", "collection", "customer"?, "k"?}}')
        rows.append(row)
    return rows


def search_cmd(
    query: Annotated[str | None, typer.Argument(help="What to search for (omit with --queries).")] = None,
    collection: Annotated[str, typer.Option("--collection", "-c", help="catalog, kb or history.")] = "catalog",
    customer: Annotated[str | None, typer.Option("--customer", help="Customer id (required for history).")] = None,
    k: Annotated[int, typer.Option("-k", "--k", help="Number of results.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output: a list of {id, score, title, text, payload}.")] = False,
    queries: Annotated[Path | None, typer.Option(
        "--queries", help='JSON lines {"query","collection","customer"?,"k"?} ("-" = stdin); prints one '
        'JSON line {"query","results"} per query, in order.')] = None,
    filters: Annotated[list[str] | None, typer.Option(
        "--filter", help="Payload filter KEY=VALUE (a,b = any of), KEY>=N, KEY<=N; repeatable.")] = None,
    mode: Annotated[str, typer.Option("--mode", help="hybrid, dense or bm25.")] = "hybrid",
) -> None:
    """Search the catalog, the knowledge base or a customer's history (hybrid dense + BM25)."""
    if queries is None and query is None:
        _fail("give a QUERY or --queries FILE")
    if queries is not None and query is not None:
        _fail("give either a QUERY or --queries FILE, not both")
    try:
        flt = _parse_filters(filters)
    except typer.BadParameter as exc:
        _fail(str(exc))
    if queries is not None:
        _run_batch(_read_queries(queries), flt, mode)
        return
    assert query is not None
    r = _open()
    try:
        hits = r.search(query, collection, k=k, customer_id=customer, filters=flt, mode=mode)  # type: ignore[arg-type]
    except RetrievalError as exc:
        _fail(str(exc))
    finally:
        r.close()
    if as_json:
        sys.stdout.write(json.dumps(_hits_json(hits), ensure_ascii=False) + "\n")
    else:
        _print_table(query, collection, hits)


def _run_batch(rows: list[dict[str, Any]], flt: dict[str, Any] | None, mode: str) -> None:
    r = _open()
    failed = 0
    try:
        requests = [SearchRequest(query=row["query"], collection=row["collection"], k=int(row.get("k") or 10),
                                  customer_id=row.get("customer"), filters=flt, mode=mode)  # type: ignore[arg-type]
                    for row in rows]
        try:
            results: list[Any] = r.search_many(requests)
        except RetrievalError:
            results = []
            for req in requests:  # one bad line must not sink the others
                try:
                    results.append(r.search_many([req])[0])
                except RetrievalError as exc:
                    results.append(exc)
        for row, res in zip(rows, results):
            line: dict[str, Any] = {"query": row["query"]}
            if isinstance(res, RetrievalError):
                failed += 1
                line["results"] = []
                line["error"] = str(res)
                console.print(f"[red]error:[/red] {row['query'][:80]!r}: {res}", highlight=False)
            else:
                line["results"] = _hits_json(res)
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    finally:
        r.close()
    if failed:
        raise typer.Exit(1)


def index_cmd(
    target: Annotated[str, typer.Argument(help="catalog, kb, history or all.")] = "all",
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the collection(s) first.")] = False,
) -> None:
    """Index the catalog, the knowledge base and customer histories (incremental: only changed
    documents are embedded again; running it twice does nothing the second time)."""
    target = target.strip().lower()
    if target not in TARGETS:
        _fail(f"unknown collection {target!r}: use one of {', '.join(TARGETS)}")
    names = COLLECTIONS if target == "all" else [target]
    settings = Settings()
    r = _open()
    try:
        products = orders = None
        if {"catalog", "history"} & set(names):
            products, orders, source = load_catalog_and_orders(settings)
            console.print(f"catalog and orders from {source}")
        with Progress(TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console) as bar:
            for name in names:
                if rebuild:
                    r.drop(name)
                task = bar.add_task(name, total=None)

                def progress(done: int, total: int | None, _task: Any = task) -> None:
                    bar.update(_task, completed=done, total=total)

                if name == "catalog":
                    stats = r.index_catalog(products or [], progress=progress)
                elif name == "kb":
                    stats = r.index_kb(progress=progress)
                else:
                    stats = r.index_history(orders or [], progress=progress)
                bar.update(task, completed=stats.total, total=stats.total)
                console.print(str(stats))
    except RetrievalError as exc:
        _fail(str(exc))
    finally:
        r.close()


def register(app: typer.Typer) -> None:
    app.command("search", help=search_cmd.__doc__)(search_cmd)
    app.command("index", help=index_cmd.__doc__)(index_cmd)
