"""Every page of the tracker opens in a real browser on a mid-size organisation (a tenth of issue 14's: 200 units,
60 months, about 1.2M event rows written by benchmarks/generate.py) and draws no chart of a million points: every
chart is of months (or units x months), whatever the number of records behind it."""
from __future__ import annotations

import pytest

from benchmarks.generate import ROWS, UNITS, generate
from data.store import Store, close_all
from tests.browser import serious_accessibility_violations, streamlit_server, wait_until_idle
from ui.cards import NO_FIGURE

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1440, "height": 900}
SCALE = 0.1
# Every page of the navigation by its address ('' is the Overview); the participant's and the presenter's pages need
# a workshop and have their own tests.
PAGES = ("", "lead_lag", "process", "help", "units", "training", "ideas", "initiatives", "voice", "actions", "tickets",
         "readings", "metric_registry", "import", "history", "data", "settings", "workshops")
# The pages that must draw a chart of the figures behind 1.2M records.
CHARTED = ("", "lead_lag", "process", "tickets")
# A page that waits longer than this for its script has failed, however slow the machine (a guard, not a measure).
PAGE_GUARD_MS = 180_000
# The largest chart a page may draw: the coverage heat map, every unit by every month (200 x 60 = 12,000 cells).
MOST_POINTS = UNITS * 60

# Points a page's plotly charts draw, chart by chart, as plotly.js holds them after decoding (_fullData): cells of a
# heat map, else points of every trace.
_CHART_POINTS = """() => {
    const size = v => !v ? 0 : Array.isArray(v) ? v.reduce((n, row) => n + (row && row.length !== undefined
        && typeof row !== 'string' ? row.length : 1), 0) : v.length !== undefined ? v.length : 0;
    return [...document.querySelectorAll('.js-plotly-plot')].map(chart => (chart._fullData || chart.data || [])
        .reduce((n, t) => n + (t.type === 'heatmap' ? size(t.z) : Math.max(size(t.x), size(t.y))), 0));
}"""
_HEATMAP_ROWS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(c => (c._fullData || []))
    .filter(t => t.type === 'heatmap').map(t => t.z.length)"""


@pytest.fixture(scope="module")
def mid_size_url(tmp_path_factory):
    db = tmp_path_factory.mktemp("mid") / "tracker.duckdb"
    counts = generate(db, SCALE, echo=lambda _line: None)
    assert counts["voice"] == ROWS["voice"] * SCALE and counts["units"] == UNITS
    assert Store(db).scalar("SELECT count(*) FROM ideas") == ROWS["ideas"] * SCALE
    assert counts["desired_actions"] > 0  # key customers' actions: the eighth leading card has a figure too
    close_all()  # the server process opens the database
    with streamlit_server(db) as url:
        yield url


def test_every_page_opens_on_a_mid_size_organisation_with_charts_of_months_not_records(browser, mid_size_url):
    page = browser.new_page(viewport=LAPTOP)
    drawn = {}
    for path in PAGES:
        page.goto(f"{mid_size_url}/{path}", timeout=PAGE_GUARD_MS)
        page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=PAGE_GUARD_MS)
        wait_until_idle(page, timeout_ms=PAGE_GUARD_MS)
        if path in CHARTED:  # plotly draws after the script has finished: wait for it, not just for the script
            page.wait_for_selector(".js-plotly-plot", timeout=PAGE_GUARD_MS)
        body = page.inner_text("body")
        assert "Page not found" not in body, path
        assert page.locator('[data-testid="stException"]').count() == 0, (path, body[:2000])
        assert page.locator("h1").count() >= 1, path  # the page's own title, so its script ran to the end
        points = page.evaluate(_CHART_POINTS)
        assert all(0 < n <= MOST_POINTS for n in points), (path, points)
        drawn[path or "overview"] = points
        assert serious_accessibility_violations(page) == [], path or "overview"
    page.close()
    # The executive pages and the lead pages with a chart drew it (the figures of 1.2M records).
    assert len(drawn["overview"]) >= 3 and all(drawn[path] for path in CHARTED if path)


def test_the_overview_of_a_mid_size_organisation_shows_every_card_with_a_figure(browser, mid_size_url):
    page = browser.new_page(viewport=LAPTOP)
    page.goto(mid_size_url, timeout=PAGE_GUARD_MS)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=PAGE_GUARD_MS)
    wait_until_idle(page, timeout_ms=PAGE_GUARD_MS)
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert len(values) >= 8 and all(v.strip() not in ("", NO_FIGURE) for v in values), values
    # The coverage heat map shows units by month: at most every unit, never one row per record.
    heat = page.evaluate(_HEATMAP_ROWS)
    assert heat and 0 < max(heat) <= UNITS
    page.close()
