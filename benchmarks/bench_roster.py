"""Headcount, leavers, churn and people-based coverage derived from a large staff roster, against a naive peer.

    python -m benchmarks.bench_roster [--people 20000] [--units 60] [--repeat 3]

A seeded roster of --people people over five years in --units units (hires, moves to another unit, leavers, re-hires)
and their completions of one course (some before hire, some after leaving, some twice), imported through the ordinary
import. Then every figure the roster feeds is computed two ways and compared value for value:
- ours: calc.monthly for the organisation (coverage and annualised churn among all metrics) and coverage_by_unit for
  every unit, from the database's roster view (SQL), cache emptied first;
- naive peer: pandas over the spells in a Python loop over month ends, the way one would write it from design.md's
  definitions (in the headcount at the month end, a completion on or before it, each person once).
Each time is the median of --repeat runs; the ratio is peer / ours.
"""
from __future__ import annotations

import argparse
import calendar
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from data.importer import run_import
from data.roster import AS_OF_SETTING
from data.store import Store, close_all
from metrics import calc, coverage

SEED = 15
FIRST, LAST = date(2021, 1, 1), date(2025, 12, 31)
COURSE = "service"


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def roster_files(people: int, units: int) -> dict[str, bytes]:
    """units, roster and training (by person) CSVs of a seeded organisation."""
    rng = random.Random(SEED)
    names = [f"Unit {i:03d}" for i in range(units)]
    spells, completions = ["person_id,unit,start,end,end_reason"], ["date,person_id,course"]
    for p in range(people):
        person = f"E{p:06d}"
        start, unit = _day(rng, FIRST, LAST), rng.choice(names)
        hired = start
        while start <= LAST:
            end = start + timedelta(days=int(rng.expovariate(1 / 700)))
            if end > LAST:
                spells.append(f"{person},{unit},{start},,")
                break
            if rng.random() < 0.45:  # a move: the next unit from the next day
                spells.append(f"{person},{unit},{start},{end},moved")
                start, unit = end + timedelta(days=1), rng.choice([n for n in names if n != unit])
                continue
            spells.append(f"{person},{unit},{start},{end},left")
            if rng.random() < 0.2:  # a re-hire after a while
                start, unit = end + timedelta(days=rng.randrange(30, 300)), rng.choice(names)
                continue
            break
        for _ in range(rng.choices((0, 1, 2), (2, 6, 2))[0]):  # before hire, during, after leaving; some twice
            done = min(hired + timedelta(days=rng.randrange(-120, 900)), LAST)
            completions.append(f"{done},{person},{COURSE}")
    completions = [completions[0], *sorted(set(completions[1:]))]
    units_csv = ["unit,function,parent", *(f"{n},{'internal' if i % 3 else 'frontline'}," for i, n in
                                          enumerate(names))]
    return {"units.csv": "\n".join(units_csv).encode(), "roster.csv": "\n".join(spells).encode(),
            "training.csv": "\n".join(completions).encode()}


# -- the naive peer ----------------------------------------------------------------------------------------------------
def _month_end(month: pd.Timestamp) -> pd.Timestamp:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def naive(store: Store) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per unit and month: headcount, leavers, covered; per month: coverage and annualised churn of the org)."""
    spells = store.table("roster")
    for column in ("start", "end"):
        spells[column] = pd.to_datetime(spells[column])
    done = store.table("training_people")
    done = done[done["course"] == COURSE].groupby("person_id")["date"].min()
    spells["done"] = pd.to_datetime(spells["person_id"].map(done))
    as_of = pd.Timestamp(store.setting(AS_OF_SETTING)).replace(day=1)
    rows = []
    for month in pd.date_range(spells["start"].min().replace(day=1), as_of, freq="MS"):
        end = _month_end(month)
        there = (spells["start"] <= end) & (spells["end"].isna() | (spells["end"] >= end))
        left = (spells["end_reason"] == "left") & (spells["end"] >= month) & (spells["end"] <= end)
        covered = there & (spells["done"] <= end)
        frame = pd.DataFrame({"unit": spells["unit"], "headcount": there, "leavers": left, "covered": covered})
        counted = frame.groupby("unit")[["headcount", "leavers", "covered"]].sum()
        touched = spells[(spells["start"] <= end) & (spells["end"].isna() | (spells["end"] >= month))]["unit"]
        counted = counted[counted.index.isin(touched)].reset_index()
        counted["month"] = month.strftime("%Y-%m")
        rows.append(counted)
    units = pd.concat(rows, ignore_index=True)
    org = units.groupby("month")[["headcount", "leavers", "covered"]].sum().reset_index()
    org["coverage"] = org["covered"] / org["headcount"]
    n = pd.Series(range(1, len(org) + 1)).clip(upper=12)
    org["churn"] = [org["leavers"].iloc[i + 1 - k:i + 1].sum() / org["headcount"].iloc[i + 1 - k:i + 1].mean()
                    * 12 / k for i, k in enumerate(n)]
    return units, org


# -- ours --------------------------------------------------------------------------------------------------------------
def ours(store: Store) -> tuple[pd.DataFrame, pd.DataFrame]:
    by_unit = coverage.coverage_by_unit(store, COURSE)
    frame = calc.monthly(store, course=COURSE)
    org = frame[frame["metric"].isin(["training_coverage", "churn_annualised"])].pivot(
        index="month", columns="metric", values="value").reset_index()
    return by_unit, org


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        calc.clear_cache()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def agree(store: Store) -> int:
    """Compare every figure both ways; returns how many were compared (raises on the first difference)."""
    units, org = naive(store)
    by_unit, org_ours = ours(store)
    mine = by_unit.set_index(["month", "unit"])["coverage"]
    theirs = (units.set_index(["month", "unit"])["covered"] / units.set_index(["month", "unit"])["headcount"])
    joined = pd.concat([mine.rename("ours"), theirs.rename("peer")], axis=1, join="outer")
    assert joined["ours"].notna().eq(joined["peer"].notna()).all(), "unit-months differ"
    assert ((joined["ours"] - joined["peer"]).abs().fillna(0) < 1e-12).all(), "unit coverage differs"
    both = org_ours.merge(org, on="month")
    assert len(both) == len(org), "months differ"
    assert ((both["training_coverage"] - both["coverage"]).abs() < 1e-12).all(), "org coverage differs"
    assert ((both["churn_annualised"] - both["churn"]).abs() < 1e-12).all(), "churn differs"
    return len(joined) + 2 * len(both)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=20_000)
    ap.add_argument("--units", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = roster_files(args.people, args.units)
    spells = files["roster.csv"].count(b"\n")
    completions = files["training.csv"].count(b"\n")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "roster.duckdb", actor="benchmark")
        start = time.perf_counter()
        plan = run_import(store, files)
        seconds = time.perf_counter() - start
        assert plan.problems == [], plan.problems[:5]
        print(f"import: {args.people:,} people, {spells:,} spells, {completions:,} completions in {seconds:.1f} s "
              f"({(spells + completions) / seconds:,.0f} rows/s)", flush=True)
        print(f"figures compared, ours = peer: {agree(store):,}", flush=True)
        mine = timed(lambda: ours(store), args.repeat)
        peer = timed(lambda: naive(store), args.repeat)
        print(f"ours (SQL: org monthly, all metrics, + coverage of every unit), cold: {mine * 1000:,.0f} ms")
        print(f"naive peer (pandas loop over month ends, 2 org figures + unit coverage): {peer * 1000:,.0f} ms")
        print(f"ratio peer / ours: {peer / mine:.1f} x")
        close_all()


if __name__ == "__main__":
    main()
