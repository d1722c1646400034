"""The naive peers the tracker is timed against: pandas over the event tables held in memory, and plain DuckDB SQL
over the event tables (metrics/sql/events, the definitions themselves). Their results must equal ours before timing."""
from __future__ import annotations

import numpy as np
import pandas as pd

from metrics import calc
from metrics.reference import event_monthly

# Readings metrics the generated organisation carries (benchmarks/generate.py); the peer reads them as given.
CHURN_WINDOW = 12
NPS_TENTHS = 2000  # 2 x 1000: NPS in tenths of a point, rounded half away from zero with integers (metrics/sql/nps.sql)
EVENT_TABLES = ("units", "headcount", "training", "ideas", "voice", "tickets", "survey", "readings", "desired_actions")


def load_tables(store) -> dict[str, pd.DataFrame]:
    """The event tables as pandas holds them in memory (what the pandas peer computes from)."""
    return {name: store.table(name) for name in EVENT_TABLES}


def to_parquet(store, table: str, path) -> None:
    """A table's rows as Parquet for the pandas peer's process, written by DuckDB (the app never holds them)."""
    store.rows(f"COPY (SELECT * FROM {table}) TO '{path}' (FORMAT parquet)")  # noqa: S608 - ours


def _month(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M")


def _spine(t: dict[str, pd.DataFrame]) -> pd.PeriodIndex:
    months = pd.concat([_month(t["headcount"]["month"]), _month(t["training"]["date"]),
                        _month(t["ideas"]["submitted_on"].dropna()), _month(t["ideas"]["implemented_on"].dropna()),
                        _month(t["voice"]["date"]), _month(t["tickets"]["opened_at"]),
                        _month(t["tickets"]["closed_at"].dropna()), _month(t["survey"]["date"]),
                        _month(t["readings"]["month"]), _month(t["desired_actions"]["month"])])
    return pd.period_range(months.min(), months.max(), freq="M")


def _churn(head: pd.DataFrame) -> pd.Series:
    totals = head.groupby("m")[["headcount", "leavers"]].sum().sort_index()
    first = totals.index.min()
    values = {}
    for month in totals.index:
        n = min(CHURN_WINDOW, (month - first).n + 1)
        window = totals[(totals.index <= month) & (totals.index > month - n)]
        mean = window["headcount"].mean()
        values[month] = window["leavers"].sum() / mean * 12 / n if mean else np.nan
    return pd.Series(values, dtype=float)


def _coverage_by_unit(t: dict[str, pd.DataFrame], head: pd.DataFrame, course: str) -> pd.DataFrame:
    training = t["training"][t["training"]["course"] == course]
    done = training.assign(m=_month(training["date"])).groupby(["unit", "m"])["completed"].sum().rename("completed")
    grid = head.set_index(["unit", "m"])[["headcount"]].join(done, how="outer").sort_index()
    grid["cumulative"] = grid["completed"].fillna(0).groupby(level="unit").cumsum()
    grid = grid.dropna(subset=["headcount"])
    grid["covered"] = np.minimum(grid["cumulative"], grid["headcount"])
    return grid.reset_index()


def _nps(survey: pd.DataFrame, reported: pd.Series) -> pd.Series:
    by_month = survey.assign(m=_month(survey["date"])).groupby("m")["score"]
    responses = by_month.size()
    net = by_month.apply(lambda s: int((s >= 9).sum() - (s <= 6).sum()))
    tenths = np.sign(net) * ((NPS_TENTHS * net.abs() + responses) // (2 * responses))
    return (tenths / 10.0).combine_first(reported)


def _on_time(actions: pd.DataFrame) -> pd.Series:
    done = (actions["status"] == "done") & (pd.to_datetime(actions["done_on"]) <= pd.to_datetime(actions["due"]))
    return done.groupby(_month(actions["due"])).mean().astype(float)


def org_monthly(t: dict[str, pd.DataFrame], course: str) -> pd.DataFrame:
    """Every built-in metric and the organisation's readings by month, as calc.monthly(store) gives them."""
    spine = _spine(t)
    head = t["headcount"].assign(m=_month(t["headcount"]["month"]))
    totals = head.groupby("m")[["headcount", "leavers"]].sum()
    ideas = t["ideas"][(t["ideas"]["status"] == "implemented") & t["ideas"]["implemented_on"].notna()]
    implemented = ideas.groupby(_month(ideas["implemented_on"])).size().reindex(spine, fill_value=0)
    coverage = _coverage_by_unit(t, head, course).groupby("m")[["covered", "headcount"]].sum()
    voice = t["voice"].assign(m=_month(t["voice"]["date"]))
    kinds = voice.groupby(["m", "kind"]).size().unstack(fill_value=0)
    closed = t["tickets"].dropna(subset=["closed_at"])
    within = (closed["closed_at"].dt.normalize() <= closed["promised_by"].dt.normalize())
    tickets = within.groupby(_month(closed["closed_at"])).mean()
    readings = t["readings"][t["readings"]["unit"] == ""].assign(m=lambda r: _month(r["month"]))
    reported = readings[readings["metric"] == "nps"].set_index("m")["value"]
    hc = totals["headcount"].replace(0, np.nan)
    series = {
        "ideas_implemented": implemented.astype(float),
        "ideas_per_100_staff": 100 * implemented / hc,
        "training_coverage": coverage["covered"] / coverage["headcount"].replace(0, np.nan),
        "churn_annualised": _churn(head),
        "praise_complaint_ratio": kinds.get("praise", 0) / kinds.get("complaint", pd.Series(dtype=float)).replace(
            0, np.nan),
        "tickets_within_promise": tickets,
        "nps": _nps(t["survey"], reported),
        "desired_actions_on_time": _on_time(t["desired_actions"]),
    }
    for key in sorted(set(readings["metric"]) - set(series)):
        series[key] = readings[readings["metric"] == key].set_index("m")["value"]
    frames = [pd.DataFrame({"month": spine.strftime("%Y-%m"), "metric": key,
                            "value": s.reindex(spine).to_numpy(dtype=float)}) for key, s in series.items()]
    return pd.concat(frames, ignore_index=True)


def pandas_overview(t: dict[str, pd.DataFrame], course: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The overview's figures the pandas way: every metric org-wide, and every unit's coverage by month."""
    head = t["headcount"].assign(m=_month(t["headcount"]["month"]))
    by_unit = _coverage_by_unit(t, head, course)
    by_unit = by_unit.assign(month=by_unit["m"].dt.strftime("%Y-%m"),
                             coverage=by_unit["covered"] / by_unit["headcount"].replace(0, np.nan))
    return org_monthly(t, course), by_unit[["month", "unit", "coverage"]].sort_values(["unit", "month"])


def duckdb_overview(store, course: str) -> pd.DataFrame:
    """The naive DuckDB peer: the event-level definitions, every event date truncated, every row scanned."""
    return event_monthly(store, course=course)


def duckdb_scope(store, units: list[str], course: str) -> pd.DataFrame:
    return event_monthly(store, unit=units, course=course)


def same_as_ours(store, ours: pd.DataFrame, theirs: pd.DataFrame, what: str) -> None:
    """Refuse to time a peer whose figures differ from ours (tolerance: one part in 10^9 for pandas' sums)."""
    merged = ours.merge(theirs, on=["month", "metric"], how="outer", suffixes=("", "_peer"))
    a, b = merged["value"].to_numpy(dtype=float), merged["value_peer"].to_numpy(dtype=float)
    equal = (np.isnan(a) & np.isnan(b)) | np.isclose(a, b, rtol=1e-9, atol=1e-12)
    if not equal.all():
        raise SystemExit(f"{what} differs from the tracker's figures:\n{merged[~equal].head(10)}")


def check_coverage(store, ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    a = ours[["month", "unit", "coverage"]].sort_values(["unit", "month"]).reset_index(drop=True)
    b = theirs.reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, check_dtype=False)


def check_all(store, tables: dict[str, pd.DataFrame], course: str) -> None:
    """Both peers' overview figures equal the tracker's, or the benchmark stops before timing anything."""
    from metrics import coverage

    ours = calc.monthly(store, course=course)
    org, by_unit = pandas_overview(tables, course)
    same_as_ours(store, ours, org, "the pandas peer")
    same_as_ours(store, ours, duckdb_overview(store, course), "the DuckDB peer")
    check_coverage(store, coverage.coverage_by_unit(store, course), by_unit)
