"""A new organisation's first hour in a real browser (issue 10): what is on the first laptop screen, problems read in
full, a second workshop's code, phones that keep up unasked, and no moderate accessibility finding on any page."""
from __future__ import annotations

import time

import pytest

from data.demo import load_demo
from data.importer import run_import
from data.store import Store, close_all
from tests.browser import serious_accessibility_violations, streamlit_server, wait_until_idle
from tests.test_first_use import own_programme
from ui.kiosk import PHONE_REFRESH_MIN_S

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# Every page a lead or facilitator opens, by its address; the executive pages have their own scan in test_browser.
PAGES = ("units", "training", "ideas", "initiatives", "voice", "tickets", "readings", "metric_registry", "import",
         "history", "data", "settings", "workshops")
# A phone's timer, the rerun and the drawing: the other phone's idea must be on the wall within this.
PHONE_DEADLINE_S = PHONE_REFRESH_MIN_S + 4


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "tracker.duckdb"
    load_demo(Store(db))
    close_all()
    with streamlit_server(db) as url:
        yield url


@pytest.fixture(scope="module")
def own_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("own") / "tracker.duckdb"
    assert not run_import(Store(db), own_programme()).problems
    close_all()
    return db


@pytest.fixture(scope="module")
def own_url(own_db):
    with streamlit_server(own_db) as url:
        yield url


def opened(browser, url: str, viewport=LAPTOP, wait_for: str = '[data-testid="stAppViewContainer"]'):
    page = browser.new_page(viewport=viewport)
    page.goto(url, timeout=60_000)
    page.wait_for_selector(wait_for, state="attached", timeout=60_000)
    wait_until_idle(page)
    return page


def test_the_first_laptop_screen_holds_every_card_the_headline_and_the_units_behind(browser, demo_url):
    page = opened(browser, demo_url, wait_for='[data-testid="stMetric"]')
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    wait_until_idle(page)
    bottom = LAPTOP["height"]
    cards = page.locator('[data-testid="stMetric"]')
    assert cards.count() >= 11
    # Each card's bordered box (the metric's enclosing block) ends on the first screen.
    card_bottoms = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stMetric]')].map(m => {
        const box = m.closest('[data-testid=stVerticalBlock]').getBoundingClientRect(); return box.bottom; })""")
    assert max(card_bottoms) <= bottom, card_bottoms
    behind = page.get_by_text("Furthest behind plan").first.bounding_box()
    headline = page.get_by_text("has followed").first.bounding_box()
    assert behind["y"] + behind["height"] <= bottom and headline["y"] + headline["height"] <= bottom
    # The rest (heat map, plan, the lead-lag chart) within one more screen.
    last_chart = page.locator(".js-plotly-plot").last.bounding_box()
    scroller = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop")
    assert last_chart["y"] + scroller + last_chart["height"] <= 2 * bottom + 60
    page.close()


def test_no_page_has_a_moderate_accessibility_finding(browser, demo_url):
    page = browser.new_page(viewport=LAPTOP)
    for path in PAGES:
        page.goto(f"{demo_url}/{path}", timeout=60_000)
        page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=60_000)
        wait_until_idle(page)
        page.wait_for_timeout(500)
        assert "Page not found" not in page.inner_text("body"), path
        assert serious_accessibility_violations(page) == [], path
    page.close()


def test_an_import_problem_reads_in_full_with_its_fix(browser, own_url):
    page = opened(browser, f"{own_url}/import", wait_for='[data-testid="stFileUploaderDropzoneInput"]')
    bad = b"month,unit,headcount,leavers\n2026-01,Front Dsek,20,0\n"  # a typo the import suggests a fix for
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "headcount.csv", "mimeType": "text/csv", "buffer": bad})
    page.wait_for_selector("text=/problems? to fix/", timeout=60_000)
    wait_until_idle(page)
    table = page.locator('[data-testid="stTable"]').first
    reason = table.locator("td").filter(has_text="Front Desk").first
    reason.wait_for(state="visible", timeout=60_000)  # the table's rows may arrive a moment after its header
    box = reason.bounding_box()
    assert box["x"] + box["width"] <= LAPTOP["width"]  # the whole reason is on screen, wrapped, not cut off
    assert 'did you mean "Front Desk"' in table.inner_text()
    assert serious_accessibility_violations(page) == []
    page.close()


def test_a_second_workshop_shows_its_own_code(browser, own_url):
    page = opened(browser, f"{own_url}/workshops")
    for title in ("Morning room", "Afternoon room"):
        page.get_by_text("New workshop").first.click()
        page.get_by_label("Title").fill(title)
        page.get_by_label("Question put to the room").fill("What would you change first?")
        page.get_by_role("button", name="Create workshop").click()
        page.wait_for_selector(f"text=/{title}/", timeout=30_000)
        wait_until_idle(page)
    shown = page.locator('[data-testid="stMain"]').inner_text()
    created = page.locator('[data-testid="stAlert"]').first.inner_text()
    code = created.split("code ", 1)[1].strip().rstrip(".")
    assert code in shown.replace(created, "")  # the code under the QR code is the new workshop's
    chosen = page.locator('[data-testid="stSelectbox"]').filter(has_text="Workshop").first
    assert chosen.locator("input").input_value().startswith("Afternoon room")
    assert "w=" in page.url
    page.reload()
    page.wait_for_selector(f"text={code}", timeout=30_000)  # the link names the workshop: a reload keeps it
    page.close()


def test_a_phone_sees_another_phones_idea_without_refreshing(browser, own_url):
    facilitator = opened(browser, f"{own_url}/workshops")
    facilitator.get_by_text("New workshop").first.click()
    facilitator.get_by_label("Title").fill("Phones room")
    facilitator.get_by_label("Question put to the room").fill("What would help?")
    facilitator.get_by_role("button", name="Create workshop").click()
    facilitator.wait_for_selector("text=/Workshop created/", timeout=30_000)
    link = facilitator.locator('[data-testid="stCode"] code').first.inner_text().strip()
    facilitator.close()
    phones = browser.new_context(viewport=PHONE)
    ana, bo = phones.new_page(), phones.new_page()
    for phone, name in ((ana, "Ana"), (bo, "Bo")):
        phone.goto(link, timeout=60_000)
        phone.get_by_label("Your name (optional)").fill(name)
        phone.get_by_role("button", name="Join").click()
        phone.get_by_role("textbox", name="Your idea").wait_for(timeout=30_000)
        wait_until_idle(phone)
    idea = "Name the reason for every delay within ten minutes"
    ana.get_by_role("textbox", name="Your idea").fill(idea)
    ana.get_by_role("button", name="Post idea").click()
    ana.wait_for_selector("text=Your idea is on the wall", timeout=10_000)
    started = time.monotonic()
    bo.wait_for_selector(f"text={idea}", timeout=PHONE_DEADLINE_S * 1000)  # Bo never touches Refresh
    assert time.monotonic() - started < PHONE_DEADLINE_S
    assert "The wall · 1 idea" in bo.inner_text("body")
    phones.close()
