"""Time to first page on a cold start: a new server on a database file that does not exist yet (demo created)."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server

RUNS = 3


def one_run() -> tuple[float, float]:
    """(seconds from launch to a healthy server, seconds from launch to the Overview's cards and chart)."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with streamlit_server(Path(tmp) / "cold.duckdb") as url:
            healthy = time.perf_counter() - start
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(url, timeout=120_000)
                page.wait_for_selector('[data-testid="stMetric"]', timeout=120_000)
                page.wait_for_selector(".js-plotly-plot", timeout=120_000)
                ready = time.perf_counter() - start
                browser.close()
    return healthy, ready


def main() -> None:
    for run in range(1, RUNS + 1):
        healthy, ready = one_run()
        print(f"run {run}: server healthy after {healthy:.1f} s, Overview with cards and chart after {ready:.1f} s")


if __name__ == "__main__":
    main()
