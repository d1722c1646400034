"""A lead in a real browser marks two process changes on the Process behaviour chart, sees both segments, removes one,
and finds both actions in History."""
import re
from datetime import date

import pandas as pd
import pytest
from playwright.sync_api import sync_playwright

from data.demo import DEMO_MONTHS
from tests.browser import CHROMIUM, CHROMIUM_ARGS, serious_accessibility_violations, streamlit_server, wait_until_idle

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1440, "height": 900}


def _periods(page) -> str:
    return page.get_by_text(re.compile(r"\d+ process periods? in this view")).first.inner_text()


def _demo_month(offset: int) -> str:
    """The demo's month `offset` months after its first, as the month list reads it: it ends last month, 30 long."""
    first = pd.Period(date.today(), "M") - DEMO_MONTHS
    return (first + offset).strftime("%b %Y")


def _mark(page, offset: int, reason: str) -> str:
    month = _demo_month(offset)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="First month of the new process")
    box.locator("input").click()
    page.keyboard.type(month)  # the list is long: type to find the month, as a person would
    page.get_by_role("option", name=month, exact=True).click()
    page.get_by_label("What changed").fill(reason)
    page.get_by_role("button", name="Mark process change").click()
    wait_until_idle(page)
    return month


def test_a_lead_marks_two_process_changes_removes_one_and_finds_both_in_history(tmp_path):
    with sync_playwright() as p, streamlit_server(tmp_path / "evidence.duckdb") as url:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=LAPTOP)
        page.goto(f"{url}/process?metric=revenue", timeout=60_000)  # no initiative is meant to move revenue
        page.wait_for_selector(".js-plotly-plot", timeout=60_000)
        wait_until_idle(page)
        assert _periods(page) == "1 process period in this view, each with its own limits."
        first = _mark(page, 10, "New fares from the spring")
        assert _periods(page).startswith("2 process periods")
        second = _mark(page, 20, "Lounge partnership in Paris")
        assert _periods(page).startswith("3 process periods")
        body = page.locator('[data-testid="stAppViewContainer"]').inner_text()
        assert "New fares from the spring" in body and "Lounge partnership in Paris" in body
        assert f"{first} · New fares from the spring" in body and f"{second} · Lounge partnership in Paris" in body
        assert serious_accessibility_violations(page) == []

        page.get_by_role("button", name="Remove").first.click()
        wait_until_idle(page)
        assert _periods(page).startswith("2 process periods")
        body = page.locator('[data-testid="stAppViewContainer"]').inner_text()
        assert f"Process change of {first}" in body and "removed" in body
        assert "New fares from the spring" not in body and "Lounge partnership in Paris" in body

        page.goto(f"{url}/history", timeout=60_000)
        page.wait_for_selector('[data-testid="stSelectbox"]', timeout=60_000)
        wait_until_idle(page)
        page.locator('[data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="process_changes", exact=True).click()
        wait_until_idle(page)
        # The demo's own three marked changes, then the two marked here and the one removed.
        assert page.get_by_text("6 changes, newest first.").is_visible()
        assert serious_accessibility_violations(page) == []
        browser.close()
