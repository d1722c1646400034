"""A board narrative edited in a real browser: the edit is saved, the page passes the accessibility scan, and the
board pack built on the Overview opens with the edited sentence."""
import pytest
from playwright.sync_api import sync_playwright

from data.store import Store, close_all
from tests import programmes
from tests.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    serious_accessibility_violations,
    streamlit_server,
    wait_until_idle,
)

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1440, "height": 900}
PERIOD = "from=2024-01&to=2025-12"
EDIT = "Edited in the browser: the service desk keeps its promises."
LOAD_TIMEOUT_MS = 90_000
# The grid draws on a canvas: its first row sits one header row (35 px) below the grid's top edge.
ROW_PX = 35


def _edit_first_sentence(page, text: str) -> None:
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + ROW_PX + ROW_PX / 2)  # the first row's section
    page.keyboard.press("ArrowRight")  # its sentence
    page.keyboard.press("Enter")
    page.locator("textarea").first.fill(text)
    page.keyboard.press("Enter")
    wait_until_idle(page)


def test_an_edited_sentence_reaches_the_board_pack(tmp_path):
    db = tmp_path / "narrative.duckdb"
    programmes.process_change(Store(db, actor="test"))
    close_all()  # the server opens the file itself
    with streamlit_server(db) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=LAPTOP, accept_downloads=True)
        page.goto(url, timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=LOAD_TIMEOUT_MS)
        wait_until_idle(page)
        page.goto(f"{url}/narrative?{PERIOD}", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector('[data-testid="stDataFrame"]', timeout=LOAD_TIMEOUT_MS)
        wait_until_idle(page)
        assert page.get_by_text("nobody has edited it yet").is_visible()
        _edit_first_sentence(page, EDIT)
        page.get_by_role("button", name="Save the edited narrative").click()
        page.wait_for_selector("text=is saved as you edited it", timeout=LOAD_TIMEOUT_MS)
        wait_until_idle(page)
        assert page.get_by_text(EDIT).first.is_visible()
        assert serious_accessibility_violations(page) == []

        page.goto(f"{url}/?{PERIOD}", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector('[data-testid="stMetric"]', timeout=LOAD_TIMEOUT_MS)
        wait_until_idle(page)
        page.get_by_role("button", name="Board pack").click()
        page.get_by_role("button", name="Build board pack").click()
        download_button = page.get_by_role("button", name="Board pack (HTML)")
        download_button.wait_for(timeout=LOAD_TIMEOUT_MS)
        with page.expect_download() as download:
            download_button.click()
        pack = download.value.path().read_text(encoding="utf-8")
        browser.close()
    assert EDIT in pack
    assert pack.index(EDIT) < pack.index("<h2>Leading indicators</h2>")  # the narrative opens the pack
