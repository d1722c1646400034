"""Shared fixtures: every test's database is a real DuckDB file in its own tmp_path, released afterwards."""
import pytest

from data.store import Store, close_all


@pytest.fixture(autouse=True)
def _release_databases(monkeypatch):
    # No background warm-up in this process: it would reopen a database a test has just released. Servers the
    # browser tests start turn it back on (tests/browser.py).
    monkeypatch.setenv("TRACKER_WARM", "0")
    yield
    close_all()


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "tracker.duckdb", actor="test")


def shown_tables(at) -> list:
    """The static tables (st.table) of an AppTest run as the reader sees them: the Markdown escapes that keep user
    text literal (ui.filters.md) taken off again."""
    import re

    unescape = re.compile(r"\\(.)")
    return [t.value.map(lambda cell: unescape.sub(r"\1", cell) if isinstance(cell, str) else cell) for t in at.table]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright, one per test module (browser tests only)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
