"""Issue 14's benchmark: the tracker at a large organisation's scale against naive peers, each figure alternated with
its peer in the same run (medians). Never part of the test suite.

    python -m benchmarks.run [--scale small|large] [--db PATH] [--repeat N] [--browser]

small generates a tenth of the organisation (benchmarks/generate.py) and imports 100,000 voice rows; large the whole
organisation and 1,000,000 rows. The pandas peer runs in a process of its own (fed Parquet copies of the event tables,
since DuckDB lets one process open the file), so this process's peak memory is the app's alone. Ends with one line:
benchmark: scale=... overview_cold_ms=... (see issue 14).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from benchmarks import peers
from benchmarks.generate import generate
from data.store import Store, close_all

SCALES = {"small": 0.1, "large": 1.0}
IMPORT_ROWS = {"small": 100_000, "large": 1_000_000}
REPEAT = {"small": 3, "large": 5}
CACHE_DIR = Path(__file__).resolve().parent / ".data"
FILTERED_UNITS = 10
FILTERED_MONTHS = 12
VIEWERS = 8
IMPORT_UNITS = 200
KIB = 1024


def _ms(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


def _reset_peak() -> None:
    """Start this process's peak memory afresh: a spawned process inherits its parent's peak (kept across exec)."""
    Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    """Peak resident memory since the last _reset_peak (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / KIB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB


# -- the pandas peer, in a process of its own ---------------------------------------------------------------------
def _pandas_worker(folder: str, course: str, units: list[str], months: list[str], conn) -> None:
    tables = {name: pd.read_parquet(Path(folder) / f"{name}.parquet") for name in peers.EVENT_TABLES}
    conn.send(("ready", peers.pandas_overview(tables, course), _filtered_pandas(tables, course, units, months)))
    while (job := conn.recv()) != "stop":
        if job == "overview":
            conn.send(_ms(lambda: peers.pandas_overview(tables, course)))
        else:
            conn.send(_ms(lambda: _filtered_pandas(tables, course, units, months)))


def _filtered_pandas(tables, course, units, months) -> pd.DataFrame:
    frames = []
    for unit in units:
        own = {name: (frame[frame["unit"] == unit] if name != "units" else frame) for name, frame in tables.items()}
        monthly = peers.org_monthly(own, course)
        frames.append(monthly[monthly["month"].isin(months)].assign(unit=unit))
    return pd.concat(frames, ignore_index=True)


class PandasPeer:
    """The pandas peer's process: one timed run per request, so its timings alternate with ours."""

    def __init__(self, store: Store, course: str, units: list[str], months: list[str]):
        self.folder = tempfile.TemporaryDirectory()
        for name in peers.EVENT_TABLES:
            peers.to_parquet(store, name, Path(self.folder.name) / f"{name}.parquet")
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_pandas_worker, args=(self.folder.name, course, units, months, child))
        self.proc.start()
        _, self.overview, self.filtered = self.conn.recv()

    def time(self, job: str) -> float:
        self.conn.send(job)
        return self.conn.recv()

    def close(self) -> None:
        self.conn.send("stop")
        self.proc.join()
        self.folder.cleanup()


# -- the figures ----------------------------------------------------------------------------------------------------
class Tracker:
    """What the app does for each figure, cold (empty caches) or warm."""

    def __init__(self, store: Store):
        from metrics import calc
        from ui.filters import Filters, last_complete_month

        self.store, self.calc = store, calc
        self.months = sorted(calc.monthly(store)["month"].unique())
        self.end = last_complete_month(self.months)
        self.default = Filters(self.months[0], self.end, None, None)
        self.changed = Filters(self.months[FILTERED_MONTHS], self.end, None, None)
        self.units = calc.known_units(store)[-FILTERED_UNITS:]  # front-line units: the generator lists them last
        self.period = self.months[-FILTERED_MONTHS - 1:-1]
        self.course = calc.default_course(store)

    def overview(self, filters=None):
        from ui.executive import compute_overview
        return compute_overview(self.store, filters or self.default)

    def cold(self, action: Callable[[], object]) -> float:
        self.calc.clear_cache()
        return _ms(action)

    def filtered(self) -> pd.DataFrame:
        frame = self.calc.monthly_by_unit(self.store, self.course, units=self.units)
        return frame[frame["month"].isin(self.period)]

    def per_unit(self) -> pd.DataFrame:
        return self.calc.monthly_by_unit(self.store, self.course)

    def viewers(self) -> float:
        """The slowest of VIEWERS viewers opening the filtered view at the same moment on empty caches."""
        self.calc.clear_cache()
        start, times = threading.Barrier(VIEWERS), []

        def view():
            start.wait()
            times.append(_ms(self.filtered))
        threads = [threading.Thread(target=view) for _ in range(VIEWERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return max(times)

    def check_filtered(self, pandas_filtered: pd.DataFrame) -> None:
        ours = self.filtered()
        for unit in self.units:
            mine = ours[ours["unit"] == unit].drop(columns="unit")
            events = peers.event_monthly(self.store, unit=unit, course=self.course)
            peers.same_as_ours(self.store, mine, events[events["month"].isin(self.period)], f"DuckDB peer, {unit}")
            peers.same_as_ours(self.store, mine, pandas_filtered[pandas_filtered["unit"] == unit].drop(columns="unit"),
                               f"pandas peer, {unit}")


def _page_ms(db: Path, repeat: int) -> float:
    """The Overview's script run through AppTest, warm (after a first run filled the caches)."""
    from streamlit.testing.v1 import AppTest

    os.environ["TRACKER_DB"] = str(db)
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=600)
    at.run()
    if at.exception:
        raise SystemExit(f"the Overview failed: {at.exception[0].message}")
    return statistics.median(_ms(at.run) for _ in range(repeat))


# -- import ---------------------------------------------------------------------------------------------------------
def _import_worker(folder: str, conn) -> None:
    from data.importer import load_path, run_import

    store = Store(Path(folder) / "import.duckdb", actor="benchmark")
    files = load_path(Path(folder) / "files")
    _reset_peak()
    began = time.perf_counter()
    plan = run_import(store, files)
    seconds = time.perf_counter() - began
    conn.send((seconds, _peak_mb(), [str(p) for p in plan.problems[:3]]))


def measure_import(rows: int) -> tuple[float, float]:
    """rows/s and peak MB of a fresh process importing units.csv and a `rows`-row voice.csv with every check."""
    from benchmarks.bench_import import units_csv, voice_csv

    with tempfile.TemporaryDirectory() as folder:
        files = Path(folder) / "files"
        files.mkdir()
        (files / "units.csv").write_bytes(units_csv(IMPORT_UNITS))
        (files / "voice.csv").write_bytes(voice_csv(rows, IMPORT_UNITS))
        ctx = mp.get_context("spawn")
        conn, child = ctx.Pipe()
        proc = ctx.Process(target=_import_worker, args=(folder, child))
        proc.start()
        seconds, peak, problems = conn.recv()
        proc.join()
    if problems:
        raise SystemExit(f"the import benchmark's files were refused: {problems}")
    return rows / seconds, peak


# -- the run --------------------------------------------------------------------------------------------------------
def _database(scale: str, db: Path | None) -> Path:
    path = db or CACHE_DIR / f"{scale}.duckdb"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {path} (scale {SCALES[scale]})")
        generate(path, SCALES[scale])
        close_all()
    return path


def run(scale: str, db: Path | None, repeat: int, browser: bool) -> str:
    path = _database(scale, db)
    store = Store(path, actor="benchmark")
    app = Tracker(store)
    pandas_peer = PandasPeer(store, app.course, app.units, app.period)
    try:
        ours = app.calc.monthly(store, course=app.course)
        peers.same_as_ours(store, ours, pandas_peer.overview[0], "the pandas peer")
        peers.same_as_ours(store, ours, peers.duckdb_overview(store, app.course), "the DuckDB peer")
        from metrics import coverage
        peers.check_coverage(store, coverage.coverage_by_unit(store, app.course), pandas_peer.overview[1])
        app.check_filtered(pandas_peer.filtered)
        _reset_peak()  # the app's own memory from here: the checks above held the peers' figures too
        rows = {k: [] for k in ("cold", "warm", "filtered", "per_unit", "viewers", "pandas", "duckdb",
                                "pandas_filtered", "duckdb_filtered")}
        for _ in range(repeat):
            rows["cold"].append(app.cold(app.overview))
            rows["warm"].append(_ms(lambda: app.overview(app.changed)))
            rows["pandas"].append(pandas_peer.time("overview"))
            rows["duckdb"].append(_ms(lambda: peers.duckdb_overview(store, app.course)))
            rows["filtered"].append(app.cold(app.filtered))
            rows["pandas_filtered"].append(pandas_peer.time("filtered"))
            rows["duckdb_filtered"].append(_ms(lambda: [peers.event_monthly(store, unit=u, course=app.course)
                                                        for u in app.units]))
            rows["per_unit"].append(app.cold(app.per_unit))
            rows["viewers"].append(app.viewers())
    finally:
        pandas_peer.close()
    med = {k: statistics.median(v) for k, v in rows.items()}
    page = _page_ms(path, repeat)
    rss = _peak_mb()
    import_rate, import_rss = measure_import(IMPORT_ROWS[scale])
    ratio = _browser_ratio(path) if browser else None
    _table(med, page, rss, import_rate, import_rss, ratio)
    return (f"benchmark: scale={scale} overview_cold_ms={med['cold']:.0f} overview_warm_ms={med['warm']:.1f} "
            f"filtered_ms={med['filtered']:.1f} per_unit_ms={med['per_unit']:.0f} peer_ms={med['pandas']:.0f} "
            f"speedup={med['pandas'] / med['cold']:.1f} viewers8_ms={med['viewers']:.0f} page_ms={page:.0f} "
            f"rss_mb={rss:.0f} import_rows_per_s={import_rate:.0f} import_rss_mb={import_rss:.0f}")


def _table(med: dict, page: float, rss: float, import_rate: float, import_rss: float, ratio) -> None:
    lines = [
        ("Overview cold, org-wide", f"{med['cold']:.0f} ms",
         f"pandas {med['pandas']:.0f} ms; naive DuckDB {med['duckdb']:.0f} ms"),
        ("Overview warm after a filter change", f"{med['warm']:.1f} ms", "-"),
        (f"{FILTERED_UNITS} units x {FILTERED_MONTHS} months, cold", f"{med['filtered']:.1f} ms",
         f"pandas {med['pandas_filtered']:.0f} ms; naive DuckDB {med['duckdb_filtered']:.0f} ms"),
        ("monthly series for every unit, cold", f"{med['per_unit']:.0f} ms", "-"),
        (f"{VIEWERS} viewers of the filtered view at once, cold (slowest)", f"{med['viewers']:.0f} ms", "-"),
        ("Overview AppTest script run, warm", f"{page:.0f} ms", "-"),
        ("peak memory of the app process", f"{rss:.0f} MB", "-"),
        ("import of the voice CSV with every check", f"{import_rate:,.0f} rows/s, peak {import_rss:.0f} MB", "-"),
    ]
    if ratio is not None:
        lines.append(("Overview in the browser, navigation to first chart", f"{ratio[0]:.0f} ms ({ratio[2]:.2f}x)",
                      f"bare Streamlit page {ratio[1]:.0f} ms"))
    width = max(len(a) for a, _, _ in lines)
    print(f"{'figure':<{width}}  {'tracker':<28}  peer in the same run")
    for a, b, c in lines:
        print(f"{a:<{width}}  {b:<28}  {c}")


_BARE_PAGE = '''import plotly.graph_objects as go
import streamlit as st
st.title("Bare page")
st.plotly_chart(go.Figure(go.Scatter(x=list(range(60)), y=list(range(60)))))
'''


def _browser_ratio(db: Path, rounds: int = 3) -> tuple[float, float, float]:
    """Navigation to the first plotly chart: the Overview on `db` against a bare Streamlit page with one chart,
    alternated `rounds` times (medians)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server

    close_all()  # the server process opens the database
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as play:
        bare = Path(folder) / "bare.py"
        bare.write_text(_BARE_PAGE, encoding="utf-8")
        browser = play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ours, theirs = [], []
        with streamlit_server(db) as url, streamlit_server(db, script=str(bare)) as bare_url:
            for _ in range(rounds):
                for target, times in ((url, ours), (bare_url, theirs)):
                    page = browser.new_page()
                    began = time.perf_counter()
                    page.goto(target, timeout=120_000)
                    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
                    times.append((time.perf_counter() - began) * 1000)
                    page.close()
        browser.close()
    a, b = statistics.median(ours), statistics.median(theirs)
    return a, b, a / b


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", choices=SCALES, default="small")
    ap.add_argument("--db", type=Path, help="a database benchmarks/generate.py wrote (default: generated and kept "
                                            "in benchmarks/.data)")
    ap.add_argument("--repeat", type=int, help="timed rounds per figure (medians)")
    ap.add_argument("--browser", action="store_true", help="also time the Overview in chromium against a bare page")
    args = ap.parse_args()
    # The workers' processes find their functions by module name, which __main__ is not (AppTest even replaces it).
    from benchmarks import run as module
    print(module.run(args.scale, args.db, args.repeat or REPEAT[args.scale], args.browser))


if __name__ == "__main__":
    main()
