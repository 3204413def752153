"""retrieval/ stays a library: no imports of the app layers, no settings or environment reads."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "retrieval"
FORBIDDEN = {"agent", "server", "tools", "privacy"}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_forbidden_imports() -> None:
    bad = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            bad += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert bad == []


def test_no_settings_or_environment() -> None:
    for path in _modules():
        src = path.read_text()
        assert "os.environ" not in src and "getenv" not in src and "Settings" not in src, path
