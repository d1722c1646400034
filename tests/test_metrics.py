"""Golden cases for the built-in metrics (expectations worked out by hand), the month spine, the cache and the CLI."""
from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from data.schema import TABLES
from data.store import Store, close_all
from metrics import calc
from metrics.__main__ import csv_number

REPO = Path(__file__).resolve().parent.parent
# Tables whose unit is an optional key: '' stands for the whole organisation (the column is NOT NULL).
ORG_UNIT_TABLES = {"plan", "survey", "readings", "targets"}
MONTH_COLUMNS = {"month", "by"}


def _row(table: str, row: dict) -> dict:
    """A full record from a few fields: months may be 'YYYY-MM', missing fields are empty."""
    full = {}
    for column in TABLES[table].columns:
        value = row.get(column, "" if column == "unit" and table in ORG_UNIT_TABLES else None)
        if column in MONTH_COLUMNS and isinstance(value, str) and len(value) == len("YYYY-MM"):
            value += "-01"
        full[column] = value
    return full


def build_store(path: Path, **tables: list[dict]) -> Store:
    """A real tracker file holding the given rows; every unit they name exists (function frontline) unless listed."""
    store = Store(path, actor="test")
    named = {r["unit"] for rows in tables.values() for r in rows if r.get("unit")}
    listed = {r["unit"] for r in tables.get("units", [])}
    units = tables.get("units", []) + [{"unit": u, "function": "frontline"} for u in sorted(named - listed)]
    with store.transaction("test") as tx:
        tx.upsert("units", pd.DataFrame([_row("units", r) for r in units], columns=list(TABLES["units"].columns)))
        for table, rows in tables.items():
            if table != "units":
                tx.upsert(table, pd.DataFrame([_row(table, r) for r in rows], columns=list(TABLES[table].columns)))
    return store


@pytest.fixture
def make_store(tmp_path):
    def make(**tables):
        return build_store(tmp_path / "tracker.duckdb", **tables)
    yield make
    close_all()


def series(frame: pd.DataFrame, metric: str) -> dict[str, float]:
    rows = frame[frame["metric"] == metric]
    return dict(zip(rows["month"], rows["value"], strict=True))


def is_empty(value: float) -> bool:
    return math.isnan(value)


def headcount(month: str, unit: str, count: int, leavers: int = 0) -> dict:
    return {"month": month, "unit": unit, "headcount": count, "leavers": leavers}


def idea(idea_id: str, unit: str | None, implemented_on: str | None, status: str = "implemented") -> dict:
    return {"idea_id": idea_id, "title": f"Idea {idea_id}", "unit": unit, "status": status,
            "submitted_on": "2024-01-02", "implemented_on": implemented_on}


def voice(item_id: str, date: str, kind: str, unit: str | None = None) -> dict:
    return {"item_id": item_id, "date": date, "kind": kind, "unit": unit, "text": "...", "channel": "email"}


def ticket(ticket_id: str, promised_by: str, closed_at: str | None, unit: str | None = None) -> dict:
    return {"ticket_id": ticket_id, "unit": unit, "opened_at": "2024-01-02 08:00", "promised_by": promised_by,
            "closed_at": closed_at}


def survey(response_id: str, date: str, score: int, unit: str = "") -> dict:
    return {"response_id": response_id, "date": date, "unit": unit, "score": score}


def training(date: str, unit: str, completed: int, course: str = "service-excellence") -> dict:
    return {"date": date, "unit": unit, "course": course, "completed": completed}


# -- the month spine -----------------------------------------------------------------------------------------------
def test_empty_database_gives_an_empty_frame(make_store):
    frame = calc.monthly(make_store())
    assert list(frame.columns) == ["month", "metric", "value"]
    assert frame.empty


def test_spine_spans_event_months_only_and_lists_every_metric_each_month(make_store):
    store = make_store(
        survey=[survey("r1", "2024-02-10", 9)],
        tickets=[ticket("t1", "2024-04-01", "2024-04-03")],  # opened 2024-01-02: the earliest event
        plan=[{"month": "2025-06", "course": "service-excellence", "planned_coverage": 0.9}],
        targets=[{"metric": "nps", "by": "2026-01", "value": 40}],
        readings=[{"month": "2024-03", "metric": "satisfaction", "value": 4.1}],
    )
    frame = calc.monthly(store)
    assert sorted(set(frame["month"])) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert list(frame[frame["month"] == "2024-01"]["metric"]) == [
        "ideas_implemented", "ideas_per_100_staff", "training_coverage", "churn_annualised",
        "praise_complaint_ratio", "tickets_within_promise", "desired_actions_on_time", "nps", "satisfaction"]
    assert len(frame) == 4 * 9
    assert frame["value"].dtype == float


# -- ideas -------------------------------------------------------------------------------------------------------
def test_ideas_implemented_counts_the_implementation_month_and_zero_elsewhere(make_store):
    store = make_store(ideas=[
        idea("i1", "Ops", "2024-01-15"), idea("i2", "IT", "2024-01-31"), idea("i3", None, "2024-01-01"),
        idea("i4", "Ops", "2024-03-01"), idea("i5", "Ops", None, status="approved"),
    ])
    org = series(calc.monthly(store), "ideas_implemented")
    assert org == {"2024-01": 3, "2024-02": 0, "2024-03": 1}  # i1, i2, i3 | none | i4; i5 is not implemented
    ops = series(calc.monthly(store, unit="Ops"), "ideas_implemented")
    assert ops == {"2024-01": 1, "2024-02": 0, "2024-03": 1}


def test_ideas_per_100_staff(make_store):
    store = make_store(
        headcount=[headcount("2024-01", "Ops", 30), headcount("2024-01", "IT", 10),
                   headcount("2024-02", "Ops", 0)],
        ideas=[idea("i1", "Ops", "2024-01-05"), idea("i2", "Ops", "2024-01-06"), idea("i3", "IT", "2024-01-07"),
               idea("i4", "Ops", "2024-03-02")],
    )
    org = series(calc.monthly(store), "ideas_per_100_staff")
    assert org["2024-01"] == pytest.approx(3 / 40 * 100)  # 3 ideas / (30 + 10) staff x 100 = 7.5
    assert is_empty(org["2024-02"])  # headcount 0
    assert is_empty(org["2024-03"])  # no headcount row
    ops = series(calc.monthly(store, unit="Ops"), "ideas_per_100_staff")
    assert ops["2024-01"] == pytest.approx(2 / 30 * 100)  # i1, i2 of 30 Ops staff
    assert series(calc.monthly(store, unit="IT"), "ideas_per_100_staff")["2024-01"] == pytest.approx(1 / 10 * 100)


# -- training coverage ---------------------------------------------------------------------------------------------
COVERAGE_ROWS = dict(
    headcount=[headcount("2024-01", "Ops", 10), headcount("2024-01", "IT", 20), headcount("2024-01", "Empty", 0),
               headcount("2024-02", "Ops", 10), headcount("2024-02", "IT", 20), headcount("2024-02", "Empty", 0)],
    training=[training("2024-01-31", "Ops", 6),  # the last day of January counts in January
              training("2024-02-01", "Ops", 8),  # Ops now 14 trained of 10: capped at 10
              training("2024-02-15", "IT", 5),
              training("2024-03-01", "IT", 15),  # after February's month end: not yet counted in February
              training("2024-01-10", "Ops", 2, course="leadership")],
)


def test_training_coverage_caps_each_unit_at_its_headcount(make_store):
    store = make_store(**COVERAGE_ROWS)
    org = series(calc.monthly(store), "training_coverage")
    assert org["2024-01"] == pytest.approx(6 / 30)  # (Ops 6 + IT 0 + Empty 0) / (10 + 20 + 0)
    assert org["2024-02"] == pytest.approx(15 / 30)  # (min(14, 10) + 5 + 0) / 30, not 19 / 30
    assert is_empty(org["2024-03"])  # no headcount in March
    ops = series(calc.monthly(store, unit="Ops"), "training_coverage")
    assert ops["2024-01"] == pytest.approx(6 / 10)
    assert ops["2024-02"] == pytest.approx(10 / 10)  # min(14, 10) / 10
    assert series(calc.monthly(store, unit="IT"), "training_coverage")["2024-02"] == pytest.approx(5 / 20)


def test_training_coverage_of_a_unit_with_zero_headcount_is_empty(make_store):
    store = make_store(**COVERAGE_ROWS)
    empty = series(calc.monthly(store, unit="Empty"), "training_coverage")
    assert is_empty(empty["2024-01"]) and is_empty(empty["2024-02"])


def test_training_coverage_follows_the_course_argument_and_the_default_course_setting(make_store):
    store = make_store(**COVERAGE_ROWS)
    leadership = series(calc.monthly(store, course="leadership"), "training_coverage")
    assert leadership["2024-01"] == pytest.approx(2 / 30)  # Ops 2 of the organisation's 30
    ops_leadership = series(calc.monthly(store, unit="Ops", course="leadership"), "training_coverage")
    assert ops_leadership["2024-01"] == pytest.approx(2 / 10)
    named = series(calc.monthly(store, course="service-excellence"), "training_coverage")
    assert named["2024-01"] == pytest.approx(6 / 30)
    assert series(calc.monthly(store), "training_coverage")["2024-01"] == pytest.approx(6 / 30)  # the default course
    with store.transaction("settings") as tx:
        tx.set_setting("all_staff_course", "leadership")
    assert series(calc.monthly(store), "training_coverage")["2024-01"] == pytest.approx(2 / 30)


# -- churn -------------------------------------------------------------------------------------------------------
def test_churn_window_grows_over_the_first_months(make_store):
    store = make_store(headcount=[headcount("2024-01", "Ops", 100, 1), headcount("2024-02", "Ops", 120, 2),
                                  headcount("2024-03", "Ops", 80, 3)])
    churn = series(calc.monthly(store), "churn_annualised")
    assert churn["2024-01"] == pytest.approx(1 / 100 * 12)  # n = 1: 1 leaver / 100 x 12 / 1 = 0.12
    assert churn["2024-02"] == pytest.approx(3 / 110 * 6)  # n = 2: (1 + 2) / mean(100, 120) x 12 / 2
    assert churn["2024-03"] == pytest.approx(6 / 100 * 4)  # n = 3: (1 + 2 + 3) / mean(100, 120, 80) x 12 / 3 = 0.24


def test_churn_rolls_a_twelve_month_window(make_store):
    months = [f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13)][:14]
    # Month i (1 to 14) has i leavers out of a steady 100 staff.
    store = make_store(headcount=[headcount(m, "Ops", 100, i) for i, m in enumerate(months, start=1)])
    churn = series(calc.monthly(store), "churn_annualised")
    assert churn["2023-12"] == pytest.approx(78 / 100)  # n = 12: 1 + ... + 12 = 78 leavers x 12 / 12
    assert churn["2024-01"] == pytest.approx(90 / 100)  # months 2..13: 78 - 1 + 13 = 90
    assert churn["2024-02"] == pytest.approx(102 / 100)  # months 3..14: 90 - 2 + 14 = 102


def test_churn_org_sums_units_and_each_unit_starts_at_its_own_first_month(make_store):
    store = make_store(
        headcount=[headcount("2024-01", "A", 100, 2), headcount("2024-02", "A", 100, 0),
                   headcount("2024-02", "B", 50, 3)],
        survey=[survey("r1", "2024-03-05", 9)],
    )
    org = series(calc.monthly(store), "churn_annualised")
    assert org["2024-01"] == pytest.approx(2 / 100 * 12)  # n = 1: 0.24
    assert org["2024-02"] == pytest.approx(5 / 125 * 6)  # n = 2: (2 + 0 + 3) / mean(100, 150) x 12 / 2 = 0.24
    assert is_empty(org["2024-03"])  # no headcount reported for March
    b = series(calc.monthly(store, unit="B"), "churn_annualised")
    assert is_empty(b["2024-01"])  # before B's first headcount month
    assert b["2024-02"] == pytest.approx(3 / 50 * 12)  # B's own n = 1: 0.72


# -- praise and complaints ---------------------------------------------------------------------------------------
def test_praise_complaint_ratio(make_store):
    store = make_store(voice=[
        voice("v1", "2024-01-03", "praise", "Ops"), voice("v2", "2024-01-04", "praise"),
        voice("v3", "2024-01-31", "praise", "IT"), voice("v4", "2024-01-05", "complaint", "Ops"),
        voice("v5", "2024-01-06", "complaint", "IT"), voice("v6", "2024-01-07", "assessment", "Ops"),
        voice("v7", "2024-02-01", "praise", "Ops"), voice("v8", "2024-02-02", "praise", "Ops"),
        voice("v9", "2024-03-09", "complaint", "Ops"),
    ])
    org = series(calc.monthly(store), "praise_complaint_ratio")
    assert org["2024-01"] == pytest.approx(3 / 2)  # v1-v3 praise, v4-v5 complaints; the assessment counts for neither
    assert is_empty(org["2024-02"])  # praise but no complaints
    assert org["2024-03"] == 0  # a complaint and no praise
    ops = series(calc.monthly(store, unit="Ops"), "praise_complaint_ratio")
    assert ops["2024-01"] == pytest.approx(1 / 1)  # v1 / v4


# -- tickets -----------------------------------------------------------------------------------------------------
def test_tickets_within_promise_compares_dates_and_ignores_open_tickets(make_store):
    store = make_store(tickets=[
        ticket("t1", "2024-01-10 09:00", "2024-01-10 17:30", "IT"),  # later hour of the promised day: within
        ticket("t2", "2024-01-10 09:00", "2024-01-11 08:00", "IT"),  # a day late: not within
        ticket("t3", "2024-01-20", "2024-01-05 12:00", "Ops"),  # early: within
        ticket("t4", "2024-01-05", None, "IT"),  # still open: not counted
        ticket("t5", "2024-01-31", "2024-02-01 00:01", "IT"),  # closed (late) in February
        {**ticket("t6", "2024-03-30", None), "opened_at": "2024-03-01 09:00"},  # open in March
    ])
    org = series(calc.monthly(store), "tickets_within_promise")
    assert org["2024-01"] == pytest.approx(2 / 3)  # t1 and t3 of t1, t2, t3
    assert org["2024-02"] == 0  # t5 of t5
    assert is_empty(org["2024-03"])  # nothing closed
    it = series(calc.monthly(store, unit="IT"), "tickets_within_promise")
    assert it["2024-01"] == pytest.approx(1 / 2)  # t1 of t1, t2


# -- NPS ---------------------------------------------------------------------------------------------------------
def test_nps_percent_promoters_minus_detractors_rounded_half_away_from_zero(make_store):
    passives = [survey(f"p{m}-{i}", f"2024-{m:02d}-15", 7) for m in (3, 4) for i in range(15)]
    store = make_store(survey=[
        survey("a", "2024-01-02", 10), survey("b", "2024-01-03", 5), survey("c", "2024-01-04", 8),
        survey("d", "2024-02-02", 9), survey("e", "2024-02-03", 10), survey("f", "2024-02-04", 7),
        survey("g", "2024-03-02", 9), survey("h", "2024-04-02", 6), *passives,
    ])
    nps = series(calc.monthly(store), "nps")
    assert nps["2024-01"] == 0.0  # 1 promoter, 1 detractor, 1 passive: 33.3 - 33.3
    assert nps["2024-02"] == 66.7  # 2 of 3 promoters: 66.666... rounded to 0.1
    assert nps["2024-03"] == 6.3  # 1 promoter of 16: 6.25, half away from zero (not 6.2)
    assert nps["2024-04"] == -6.3  # 1 detractor of 16: -6.25


def test_nps_per_unit_uses_the_units_responses_and_org_uses_all(make_store):
    store = make_store(survey=[survey("a", "2024-01-02", 10, "Ops"), survey("b", "2024-01-03", 0, "IT"),
                               survey("c", "2024-01-04", 9), survey("d", "2024-01-05", 3, "Ops")])
    assert series(calc.monthly(store), "nps")["2024-01"] == 0.0  # 2 promoters, 2 detractors of 4
    assert series(calc.monthly(store, unit="Ops"), "nps")["2024-01"] == 0.0  # a and d
    assert series(calc.monthly(store, unit="IT"), "nps")["2024-01"] == -100.0  # b only


# -- readings ------------------------------------------------------------------------------------------------------
def test_readings_give_the_value_for_the_organisation_or_the_unit(make_store):
    store = make_store(readings=[
        {"month": "2024-01", "metric": "satisfaction", "value": 4.2},
        {"month": "2024-03", "metric": "satisfaction", "value": 4.5},
        {"month": "2024-01", "metric": "satisfaction", "unit": "Ops", "value": 3.9},
        {"month": "2024-02", "metric": "rating", "unit": "Ops", "value": 4.0},
    ])
    org = calc.monthly(store)
    satisfaction = series(org, "satisfaction")
    assert satisfaction["2024-01"] == 4.2 and satisfaction["2024-03"] == 4.5
    assert is_empty(satisfaction["2024-02"])  # no reading that month
    assert all(is_empty(v) for v in series(org, "rating").values())  # only Ops reports a rating
    ops = calc.monthly(store, unit="Ops")
    assert series(ops, "satisfaction")["2024-01"] == 3.9
    assert series(ops, "rating")["2024-02"] == 4.0


# -- filters, cache, targets ---------------------------------------------------------------------------------------
def test_a_write_invalidates_the_cached_figures(make_store):
    store = make_store(ideas=[idea("i1", "Ops", "2024-01-15")])
    assert series(calc.monthly(store), "ideas_implemented") == {"2024-01": 1}
    calc.monthly(store)["value"] = 99  # a caller changing its copy must not change the cache
    assert series(calc.monthly(store), "ideas_implemented") == {"2024-01": 1}
    with store.transaction("add idea") as tx:
        tx.upsert("ideas", pd.DataFrame([_row("ideas", idea("i2", "Ops", "2024-01-20"))]))
    assert series(calc.monthly(store), "ideas_implemented") == {"2024-01": 2}


def test_unknown_unit_or_course_is_an_error_naming_the_known_ones(make_store):
    store = make_store(headcount=[headcount("2024-01", "Ops", 10), headcount("2024-01", "IT", 10)],
                       training=[training("2024-01-02", "Ops", 1, course="leadership")])
    with pytest.raises(calc.UnknownFilter, match=r"Unknown unit 'Sales'\. Known units: IT, Ops\."):
        calc.monthly(store, unit="Sales")
    with pytest.raises(calc.UnknownFilter, match=r"Known courses: leadership\."):
        calc.monthly(store, course="yoga")


def test_targets_of_the_organisation_and_of_a_unit(make_store):
    store = make_store(targets=[{"metric": "nps", "by": "2025-12", "value": 40},
                                {"metric": "nps", "by": "2025-06", "value": 30},
                                {"metric": "training_coverage", "by": "2025-03", "unit": "Ops", "value": 0.9}])
    org = calc.targets(store)
    assert org.to_dict("records") == [{"metric": "nps", "by": "2025-06", "value": 30.0},
                                      {"metric": "nps", "by": "2025-12", "value": 40.0}]
    assert calc.targets(store, unit="Ops").to_dict("records") == [
        {"metric": "training_coverage", "by": "2025-03", "value": 0.9}]


# -- command line --------------------------------------------------------------------------------------------------
def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_DB"}
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("value, text", [(1.0, "1"), (0.0, "0"), (-0.0, "0"), (0.1 + 0.2, "0.3"),
                                         (2 / 3, "0.6666666667"), (-6.3, "-6.3"), (float("nan"), "")])
def test_csv_numbers(value, text):
    assert csv_number(value) == text


def test_cli_prints_the_monthly_csv(tmp_path):
    db = tmp_path / "tracker.duckdb"
    build_store(db, headcount=[headcount("2024-01", "Ops", 40, 1)], ideas=[idea("i1", "Ops", "2024-01-20")],
                voice=[voice("v1", "2024-01-03", "praise"), voice("v2", "2024-01-04", "complaint"),
                       voice("v3", "2024-01-05", "complaint")],
                survey=[survey("r1", "2024-02-01", 10)],
                readings=[{"month": "2024-02", "metric": "satisfaction", "value": 2 / 3}])
    close_all()  # DuckDB lets one process open the file: release it for the command
    result = run_cli("monthly", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "month,metric,value",
        "2024-01,ideas_implemented,1",
        "2024-01,ideas_per_100_staff,2.5",  # 1 / 40 x 100
        "2024-01,training_coverage,0",  # nobody trained of 40
        "2024-01,churn_annualised,0.3",  # 1 / 40 x 12
        "2024-01,praise_complaint_ratio,0.5",  # 1 / 2
        "2024-01,tickets_within_promise,",
        "2024-01,desired_actions_on_time,",  # no desired action due
        "2024-01,nps,",
        "2024-01,satisfaction,",
        "2024-02,ideas_implemented,0",
        "2024-02,ideas_per_100_staff,",
        "2024-02,training_coverage,",
        "2024-02,churn_annualised,",
        "2024-02,praise_complaint_ratio,",
        "2024-02,tickets_within_promise,",
        "2024-02,desired_actions_on_time,",
        "2024-02,nps,100",
        "2024-02,satisfaction,0.6666666667",
    ]
    assert result.stderr == ""


def test_cli_unknown_unit_exits_1_with_a_message(tmp_path):
    db = tmp_path / "tracker.duckdb"
    build_store(db, headcount=[headcount("2024-01", "Ops", 40)])
    close_all()
    result = run_cli("monthly", "--db", str(db), "--unit", "Sales")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Unknown unit 'Sales'. Known units: Ops." in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_missing_database_is_an_error_and_is_not_created(tmp_path):
    db = tmp_path / "nowhere.duckdb"
    result = run_cli("monthly", "--db", str(db))
    assert result.returncode == 1
    assert "python -m data init" in result.stderr and "Traceback" not in result.stderr
    assert not db.exists()


def test_cli_reports_a_locked_database(tmp_path):
    db = tmp_path / "tracker.duckdb"
    build_store(db)  # this test process keeps the file open, as a running dashboard would
    result = run_cli("monthly", "--db", str(db))
    assert result.returncode == 1
    assert "in use" in result.stderr and "Traceback" not in result.stderr
