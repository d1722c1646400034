"""Drafting the board narrative and the outlook on the demo, against a naive peer in the same run.

    python -m benchmarks.bench_narrative [--repeat 5]

Cold = the cache emptied first (the first reader after a data change); warm = served from the cache. The naive peer
drafts the same sentences (checked) with the lead-lag evidence found the way one would write it first: for every
question (the headline's claim, the counter-claim, each target's projection) a fresh scan, each leading indicator's
table read pair by pair through leadlag.leadlag_table, instead of one scan per lagging metric over the month's wide
frame, cached. Each figure is the median of --repeat runs, for the organisation and each function.
"""
from __future__ import annotations

import argparse
import tempfile
from contextlib import contextmanager
from pathlib import Path

from benchmarks.bench_metrics import timed
from data.demo import load_demo
from data.store import Store, close_all
from metrics import calc, leadlag, narrative, outlook
from metrics.registry import all_metrics, get

SCOPES = ({}, {"function": "frontline"}, {"function": "internal"}, {"function": "leadership"})


def naive_scan(store, lag_key, unit, function, through):
    """outlook._scan's answer, found pair by pair and never kept."""
    lag_def = get(lag_key, store)
    leads = [d for d in all_metrics(store) if d.kind == "leading"]
    tables = {}
    for lead in leads:
        table = leadlag.leadlag_table(store, lead.key, lag_key, unit=unit, function=function, period=(None, through))
        if table["n"].max() > 0:
            tables[lead.key] = (lead, table)
    if not tables or calc.series(store, lag_key, unit=unit, function=function).dropna().empty:
        return None, None
    tests = len(tables) * (leadlag.MAX_LAG + 1)
    follows = opposite = None
    for lead, table in tables.values():
        for pick, against in zip(outlook.claims(table, tests), (False, True), strict=True):
            if pick is not None:
                claim = outlook.Evidence(lead, lag_def, *pick, opposite=against)
                if against:
                    opposite = outlook._strongest(opposite, claim)
                else:
                    follows = outlook._strongest(follows, claim)
    return follows, opposite


@contextmanager
def naive_evidence():
    kept = outlook._cached_scan
    outlook._cached_scan = lambda store, lag_key, unit, function, through: naive_scan(
        store, lag_key, unit or None, function or None, through)
    try:
        yield
    finally:
        outlook._cached_scan = kept


def draft_all(store: Store, month: str) -> list[list[str]]:
    return [[s.text for s in narrative.draft(store, month, **scope)] for scope in SCOPES]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="runs per figure; the median is reported (default 5)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "demo.duckdb", actor="benchmark")
        load_demo(store)
        month = calc.monthly(store)["month"].max()
        ours = draft_all(store, month)
        with naive_evidence():
            calc.clear_cache()
            assert draft_all(store, month) == ours, "the naive peer must draft the same sentences"
        cold = timed(lambda: draft_all(store, month), args.repeat, calc.clear_cache)
        warm = timed(lambda: draft_all(store, month), args.repeat)
        with naive_evidence():
            naive = timed(lambda: draft_all(store, month), args.repeat, calc.clear_cache)
        sentences = sum(map(len, ours))
        print(f"demo, {month}: {len(SCOPES)} narratives, {sentences} sentences")
        for how, seconds in (("ours cold", cold), ("ours warm", warm), ("naive peer cold", naive)):
            print(f"{how:<16} | {seconds * 1000:10.1f} ms", flush=True)
        print(f"ratio naive / ours cold: {naive / cold:.1f} x; ours cold / warm: {cold / warm:.1f} x")
        close_all()


if __name__ == "__main__":
    main()
