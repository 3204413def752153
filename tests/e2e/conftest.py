"""Fixtures for the browser tests: Debian's Chromium (never a downloaded browser), the real
Concierge server (the session's `live_server`, or CONCIERGE_E2E_SERVER when set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RESULTS = REPO / "test-results"


@pytest.fixture(scope="session")
def results_dir() -> Path:
    RESULTS.mkdir(exist_ok=True)
    return RESULTS


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing at /usr/bin/chromium: run `make chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def concierge_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """The real server: an already running one (CONCIERGE_E2E_SERVER=http://…) or the session's."""
    external = os.environ.get("CONCIERGE_E2E_SERVER")
    if external:
        yield external.rstrip("/")
        return
    yield request.getfixturevalue("live_server").base
