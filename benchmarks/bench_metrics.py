"""Cold and warm metric calculations on the demo and on the large organisation, against naive peers in the same run.

    python -m benchmarks.bench_metrics [--regions 30] [--repeat 5]

Cold = the cache emptied first (what the first viewer after a data change waits for); warm = served from the cache (a
rerun or a filter already seen). The peers are what one would write without the SQL layer:
- org figures: a straightforward pandas computation of just two metrics (ideas put into practice and NPS by month)
  from the tables read through the Store, against calc.monthly computing all of them;
- per unit: the same two metrics in a Python loop over units, against calc.monthly per unit (all metrics);
- headline: Series.shift + Series.corr per pair and lag over the same monthly frame, against leadlag.headline.
Each figure is the median of --repeat runs.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from benchmarks.scale import load_large_org
from data.demo import load_demo
from data.store import Store, close_all
from metrics import calc, leadlag
from metrics.registry import all_metrics


def timed(fn: Callable[[], object], repeat: int, before: Callable[[], None] | None = None) -> float:
    """Median seconds of fn() over `repeat` runs, calling before() (untimed) ahead of each."""
    times = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# -- naive peers -----------------------------------------------------------------------------------------------------
def _naive_tables(store: Store) -> tuple[pd.DataFrame, pd.DataFrame]:
    ideas = store.table("ideas")
    ideas = ideas[(ideas["status"] == "implemented") & ideas["implemented_on"].notna()].copy()
    ideas["month"] = pd.to_datetime(ideas["implemented_on"]).dt.strftime("%Y-%m")
    survey = store.table("survey")
    survey["month"] = pd.to_datetime(survey["date"]).dt.strftime("%Y-%m")
    return ideas, survey


def _naive_two_metrics(ideas: pd.DataFrame, survey: pd.DataFrame) -> pd.DataFrame:
    implemented = ideas.groupby("month").size().rename("ideas_implemented")
    grouped = survey.groupby("month")["score"]
    nps = (100 * (grouped.apply(lambda s: (s >= 9).mean()) - grouped.apply(lambda s: (s <= 6).mean()))).round(1)
    return pd.concat([implemented, nps.rename("nps")], axis=1)


def naive_org(store: Store) -> pd.DataFrame:
    return _naive_two_metrics(*_naive_tables(store))


def naive_per_unit(store: Store, units: list[str]) -> dict[str, pd.DataFrame]:
    ideas, survey = _naive_tables(store)
    return {unit: _naive_two_metrics(ideas[ideas["unit"] == unit], survey[survey["unit"] == unit]) for unit in units}


def naive_headline(store: Store) -> tuple | None:
    wide = calc.monthly(store).pivot(index="month", columns="metric", values="value")
    defs = all_metrics(store)
    best = None
    for lead in (d for d in defs if d.kind == "leading"):
        for lag in (d for d in defs if d.kind == "lagging"):
            d_lead, d_lag = wide[lead.key].diff(), wide[lag.key].diff()
            for k in range(13):
                r = d_lead.corr(d_lag.shift(-k))
                if pd.notna(r) and (best is None or r > best[0]):
                    best = (r, lead.key, lag.key, k)
    return best


# -- the run ---------------------------------------------------------------------------------------------------------
def bench(name: str, store: Store, repeat: int) -> list[tuple[str, str, float]]:
    units = calc.known_units(store)
    rows: list[tuple[str, str, float]] = []

    def add(what: str, how: str, seconds: float) -> None:
        rows.append((what, how, seconds))
        print(f"{name:>12} | {what:<34} | {how:<26} | {seconds * 1000:10.1f} ms", flush=True)

    add("org monthly (all metrics)", "calc.monthly cold", timed(lambda: calc.monthly(store), repeat, calc.clear_cache))
    add("org monthly (all metrics)", "calc.monthly warm", timed(lambda: calc.monthly(store), repeat))
    add("org monthly (2 metrics)", "naive pandas", timed(lambda: naive_org(store), repeat))
    add("function monthly (frontline)", "calc.monthly cold",
        timed(lambda: calc.monthly(store, function="frontline"), repeat, calc.clear_cache))
    per_unit_repeat = max(1, repeat // 2)
    add(f"every unit ({len(units)}) monthly", "calc.monthly cold",
        timed(lambda: [calc.monthly(store, unit=u) for u in units], per_unit_repeat, calc.clear_cache))
    add(f"every unit ({len(units)}) monthly", "calc.monthly warm",
        timed(lambda: [calc.monthly(store, unit=u) for u in units], per_unit_repeat))
    add(f"every unit ({len(units)}) 2 metrics", "naive pandas loop",
        timed(lambda: naive_per_unit(store, units), per_unit_repeat))
    add("headline", "leadlag.headline cold", timed(lambda: leadlag.headline(store), repeat, calc.clear_cache))
    add("headline", "leadlag.headline warm", timed(lambda: leadlag.headline(store), repeat))
    calc.monthly(store)  # the naive headline gets its monthly frame from the cache: only the correlations are timed
    add("headline (correlations only)", "naive pandas corr loop", timed(lambda: naive_headline(store), repeat))
    return rows


def ratios(name: str, rows: list[tuple[str, str, float]]) -> None:
    t = {(what.split(" (")[0] if what.startswith("every unit") else what, how): s for what, how, s in rows}
    every = next(what for what, _, _ in rows if what.startswith("every unit")).split(" (")[0]
    pairs = [
        ("org: naive 2 metrics / calc cold (all)", t[("org monthly (2 metrics)", "naive pandas")],
         t[("org monthly (all metrics)", "calc.monthly cold")]),
        ("org: calc cold / warm", t[("org monthly (all metrics)", "calc.monthly cold")],
         t[("org monthly (all metrics)", "calc.monthly warm")]),
        ("units: naive loop 2 metrics / calc cold (all)", t[(every, "naive pandas loop")],
         t[(every, "calc.monthly cold")]),
        ("units: calc cold / warm", t[(every, "calc.monthly cold")], t[(every, "calc.monthly warm")]),
        ("headline: cold / warm", t[("headline", "leadlag.headline cold")], t[("headline", "leadlag.headline warm")]),
    ]
    for label, a, b in pairs:
        print(f"{name:>12} | ratio {label:<48} | {a / b:8.1f} x", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--regions", type=int, default=30, help="regions of the large organisation (default 30)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per figure; the median is reported (default 5)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo = Store(Path(tmp) / "demo.duckdb", actor="benchmark")
        load_demo(demo)
        ratios("demo", bench("demo", demo, args.repeat))
        large = Store(Path(tmp) / "large.duckdb", actor="benchmark")
        start = time.perf_counter()
        counts = load_large_org(large, args.regions)
        print(f"large organisation: {args.regions} regions, {sum(counts.values()):,} records loaded in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        ratios("large org", bench("large org", large, args.repeat))
        close_all()


if __name__ == "__main__":
    main()
