"""A person's view: a real server started on a fresh machine, opened in Debian's chromium."""
import pytest
from playwright.sync_api import sync_playwright

from tests.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    serious_accessibility_violations,
    streamlit_server,
    wait_until_idle,
)

pytestmark = pytest.mark.browser
BUILTIN_CARDS = 7
LAPTOP = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_first_run_shows_the_demo_overview_with_cards_and_chart(browser, tmp_path):
    db = tmp_path / "first-run.duckdb"
    with streamlit_server(db) as url:
        page = browser.new_page(viewport=LAPTOP)
        page.goto(url, timeout=60_000)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
        page.wait_for_selector(".js-plotly-plot", timeout=30_000)
        wait_until_idle(page)
        assert page.locator('[data-testid="stMetric"]').count() == BUILTIN_CARDS
        assert page.get_by_text("Ideas in practice").first.is_visible()
        assert "fictional data" in page.locator('[data-testid="stAlert"]').first.inner_text()
        assert serious_accessibility_violations(page) == []
        page.close()
    assert db.exists()


def test_a_gated_page_opened_directly_on_a_fresh_server_refuses_an_anonymous_visitor(browser, tmp_path):
    # streamlit-notes: right after a start, /<page> may run pages/<page>.py without the entry script.
    with streamlit_server(tmp_path / "gated.duckdb", {"TRACKER_LEADS": "lead@example.org"}) as url:
        page = browser.new_page(viewport=LAPTOP)
        page.goto(f"{url}/data", timeout=60_000)
        page.wait_for_selector("text=/do not have access|Page not found/", timeout=30_000)
        wait_until_idle(page)
        body = page.locator('[data-testid="stAppViewContainer"]').inner_text()
        assert "Programme data" not in body and "Recent changes" not in body and "records" not in body
        page.close()
