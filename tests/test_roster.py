"""Headcount, leavers, churn and people-based coverage from a hand-built staff roster; the roster's import checks."""
from __future__ import annotations

import pandas as pd
import pytest

from data import roster as roster_data
from data.export import export_tables
from data.importer import run_import
from data.settings import change_setting
from data.store import StoreError
from metrics import calc, coverage
from ui.executive import BASIS_COUNTS, BASIS_PEOPLE, coverage_basis_text
from ui.filters import Filters

UNITS = "unit,function,parent\nSales,frontline,\nIT,internal,\nFinance,internal,\n"
# P1 joined Sales in December and trained months before being hired. P2 joined Sales, trained in January, moved to
# IT in mid-February (and trained a second time in March: counted once). P3 joined Sales in January, trained, and
# left on 31 January: in January's month-end headcount and a January leaver. P4 joined IT on 3 January and left on
# the 20th (a leaver in the month of hire), trained in February while away and was re-hired on 4 March. P5 was in IT
# from November, left on 10 March and trained after leaving (never counted). P6 joined Sales in December, untrained.
ROSTER = """person_id,unit,start,end,end_reason
P1,Sales,2023-12-01,,
P2,Sales,2024-01-10,2024-02-14,moved
P2,IT,2024-02-15,,
P3,Sales,2024-01-05,2024-01-31,left
P4,IT,2024-01-03,2024-01-20,left
P4,IT,2024-03-04,,
P5,IT,2023-11-01,2024-03-10,left
P6,Sales,2023-12-01,,
"""
TRAINING = """date,person_id,course
2023-06-01,P1,service
2024-01-20,P2,service
2024-03-01,P2,service
2024-01-25,P3,service
2024-02-10,P4,service
2024-03-20,P5,service
"""
# Finance's people are typed as monthly headcount (no roster), its training as counts of another course.
HEADCOUNT = "month,unit,headcount,leavers\n2024-01,Finance,10,0\n2024-02,Finance,10,1\n2024-03,Finance,9,0\n"


def files(**extra: str) -> dict[str, bytes]:
    given = {"units.csv": UNITS, "roster.csv": ROSTER, "training.csv": TRAINING} | extra
    return {name: text.encode() for name, text in given.items()}


@pytest.fixture
def people(store):
    plan = run_import(store, files())
    assert plan.problems == []
    return store


def staff(store, unit: str) -> dict[str, tuple[int, int]]:
    rows = store.rows("SELECT strftime(month, '%Y-%m'), headcount, leavers FROM staff_months WHERE unit = ? "
                      "AND month <= DATE '2024-04-01' ORDER BY month", [unit])
    return {m: (h, left) for m, h, left in rows}


def figure(store, metric: str, month: str, **scope) -> float:
    frame = calc.monthly(store, course="service", **scope)
    return float(frame[(frame["metric"] == metric) & (frame["month"] == month)]["value"].iloc[0])


def test_headcount_and_leavers_come_from_the_spells(people):
    assert people.scalar("SELECT count(*) FROM headcount") == 0
    # (month-end headcount, leavers): a move is no leaver; a spell ending on the month's last day is still there.
    assert staff(people, "Sales") == {"2023-12": (2, 0), "2024-01": (4, 1), "2024-02": (2, 0), "2024-03": (2, 0),
                                      "2024-04": (2, 0)}
    assert staff(people, "IT") == {"2023-11": (1, 0), "2023-12": (1, 0), "2024-01": (1, 1), "2024-02": (2, 0),
                                   "2024-03": (2, 1), "2024-04": (2, 0)}


def test_open_spells_run_to_the_month_of_the_last_roster_import(people):
    as_of = pd.Timestamp(people.setting(roster_data.AS_OF_SETTING)).strftime("%Y-%m")
    assert people.scalar("SELECT strftime(max(month), '%Y-%m') FROM staff_months") == as_of
    assert staff(people, "Sales")["2024-04"] == (2, 0)


def test_churn_is_annualised_over_roster_leavers(people):
    # Organisation: headcount Nov 1, Dec 3, Jan 5, Feb 4, Mar 4; leavers Jan 2 (P3, P4), Mar 1 (P5). The first
    # headcount month is November, so March has n = 5: 3 leavers / mean 3.4 x 12 / 5.
    assert figure(people, "churn_annualised", "2024-03") == pytest.approx(3 / 3.4 * 12 / 5)
    assert figure(people, "churn_annualised", "2024-01") == pytest.approx(2 / 3 * 12 / 3)
    # IT alone in March: n = 5 (from November), leavers 1 (Jan) + 1 (Mar), headcount 1, 1, 1, 2, 2.
    assert figure(people, "churn_annualised", "2024-03", unit="IT") == pytest.approx(2 / 1.4 * 12 / 5)


def test_coverage_counts_people_each_once_and_drops_leavers(people):
    cells = {(r.unit, r.month): r.coverage for r in coverage.coverage_by_unit(people, "service").itertuples()}
    assert cells[("Sales", "2023-12")] == pytest.approx(1 / 2)  # P1, trained before hire
    assert cells[("Sales", "2024-01")] == pytest.approx(3 / 4)  # P1, P2, P3; not P6
    assert cells[("Sales", "2024-02")] == pytest.approx(1 / 2)  # P2 moved, P3 left
    assert cells[("IT", "2024-01")] == 0  # P5 trained only after leaving
    assert cells[("IT", "2024-02")] == pytest.approx(1 / 2)  # P2 carries the January completion to IT
    assert cells[("IT", "2024-03")] == pytest.approx(2 / 2)  # P2 once (trained twice), re-hired P4 trained while away
    assert figure(people, "training_coverage", "2024-01") == pytest.approx(3 / 5)
    assert figure(people, "training_coverage", "2024-03") == pytest.approx(3 / 4)
    assert figure(people, "training_coverage", "2024-03", function="internal") == pytest.approx(1.0)


def test_the_card_says_which_coverage_it_shows(people):
    change_setting(people, "all_staff_course", "service")
    assert coverage_basis_text(people, Filters(None, None, None, None), "2024-03") == BASIS_PEOPLE
    run_import(people, {"headcount.csv": HEADCOUNT.encode(),
                        "training.csv": b"date,unit,course,completed\n2024-02-01,Finance,service,4\n"})
    # The course is recorded by person: Finance's counts for it are refused, so Finance counts nothing of it.
    assert people.scalar("SELECT count(*) FROM training") == 0
    run_import(people, {"headcount.csv": HEADCOUNT.encode()})
    mixed = coverage_basis_text(people, Filters(None, None, None, None), "2024-03")
    assert mixed == "People trained in 2 units (roster); completions counted against headcount in 1"
    assert coverage_basis_text(people, Filters(None, None, "Finance", None), "2024-03") == BASIS_COUNTS
    # Finance's 9 people count with none trained: (1 + 2 + 0) / (2 + 2 + 9).
    assert figure(people, "training_coverage", "2024-03") == pytest.approx(3 / 13)


def test_export_writes_the_derived_headcount(people, tmp_path):
    export_tables(people, tmp_path / "out")
    derived = pd.read_csv(tmp_path / "out" / "staff_months.csv")
    jan = derived[(derived["month"] == "2024-01-01") & (derived["unit"] == "Sales")].iloc[0]
    assert (jan["headcount"], jan["leavers"], jan["source"]) == (4, 1, "roster")


def reasons(plan) -> list[tuple[str, int | None, str, str]]:
    return [(p.file, p.row, p.column, p.reason) for p in plan.problems]


def test_a_month_in_both_the_roster_and_headcount_is_refused_naming_both(people):
    plan = run_import(people, {"headcount.csv": b"month,unit,headcount,leavers\n2024-02,Sales,3,0\n"})
    [(file, row, column, reason)] = reasons(plan)
    assert (file, row, column) == ("headcount.csv", 2, "month, unit")
    assert "Sales" in reason and "2024-02" in reason and "roster" in reason
    run_import(people, {"headcount.csv": HEADCOUNT.encode()})
    plan = run_import(people, {"roster.csv": b"person_id,unit,start,end,end_reason\nP9,Finance,2024-03-01,,\n"})
    [(file, row, column, reason)] = reasons(plan)
    assert (file, row, column) == ("roster.csv", 2, "unit, start")
    assert "2024-03" in reason and "headcount" in reason
    assert people.scalar("SELECT count(*) FROM roster WHERE person_id = 'P9'") == 0


def test_roster_rows_that_cannot_be_true_are_problems(store):
    bad = ("person_id,unit,start,end,end_reason\n"
           "A,Sales,2024-01-01,2024-03-31,\n"           # row 2: an end without a reason
           "B,Sales,2024-01-01,,left\n"                  # row 3: a reason without an end
           "C,Sales,2024-01-01,2024-05-31,moved\n"
           "C,IT,2024-05-31,,\n"                         # row 5: starts on C's last day in Sales
           "D,Sales,2024-04-01,2024-03-01,left\n")       # row 6: ends before it starts
    plan = run_import(store, files(**{"roster.csv": bad, "training.csv": "date,person_id,course\n"
                                                                         "2024-02-01,Z,service\n"}))
    found = {(p.file, p.row, p.column) for p in plan.problems}
    assert found == {("roster.csv", 2, "end_reason"), ("roster.csv", 3, "end_reason"), ("roster.csv", 5, "start"),
                     ("roster.csv", 6, "end"), ("training.csv", 2, "person_id")}
    assert store.scalar("SELECT count(*) FROM units") == 0  # all or nothing


def test_a_course_is_counted_one_way(people):
    plan = run_import(people, {"training.csv": b"date,unit,course,completed\n2024-02-01,Sales,service,3\n"})
    [(file, row, column, reason)] = reasons(plan)
    assert (file, row, column) == ("training.csv", 2, "course")
    assert "by person" in reason


def test_hashed_ids_match_across_imports_and_keep_no_raw_id(store):
    change_setting(store, roster_data.HASH_SETTING, "on")
    assert run_import(store, files()).problems == []
    stored = {r[0] for r in store.rows("SELECT person_id FROM roster UNION SELECT person_id FROM training_people")}
    assert len(stored) == 6 and not stored & {"P1", "P2", "P3", "P4", "P5", "P6"}
    assert all(s.startswith(roster_data.HASH_PREFIX) for s in stored)
    again = run_import(store, files())  # the same people hash to the same ids: nothing new
    assert again.written["roster"]["new"] == 0 and again.written["training_people"]["new"] == 0
    assert figure(store, "training_coverage", "2024-01") == pytest.approx(3 / 5)
    with pytest.raises(StoreError, match="hashing can only be switched"):
        change_setting(store, roster_data.HASH_SETTING, "")


def test_the_hashing_salt_is_in_no_audit_row_and_no_export(store, tmp_path):
    change_setting(store, roster_data.HASH_SETTING, "on")
    salt = store.setting(roster_data.SALT_SETTING)
    assert len(salt) == 2 * roster_data.SALT_BYTES
    assert run_import(store, files()).problems == []
    assert store.scalar("SELECT count(*) FROM audit WHERE CAST(\"after\" AS VARCHAR) LIKE ?", [f"%{salt}%"]) == 0
    assert store.scalar("SELECT count(*) FROM audit WHERE record_key LIKE '%person_id_salt%'") == 1  # said, not shown
    export_tables(store, tmp_path / "out")
    for written in (tmp_path / "out").glob("*.csv"):
        assert salt not in written.read_text(encoding="utf-8"), written.name
    settings = pd.read_csv(tmp_path / "out" / "settings.csv")
    assert roster_data.HASH_SETTING in set(settings["key"]) and roster_data.SALT_SETTING not in set(settings["key"])


def test_completions_by_person_need_the_roster(store):
    run_import(store, {"units.csv": UNITS.encode()})
    plan = run_import(store, {"training.csv": TRAINING.encode()})
    assert len(plan.problems) == 6
    assert all(p.column == "person_id" and "roster" in p.reason for p in plan.problems)
    assert store.scalar("SELECT count(*) FROM training_people") == 0


def test_a_lead_switches_hashing_on_the_settings_page_and_is_told_when_it_is_too_late(tmp_path, monkeypatch):
    from data.store import Store, close_all
    from tests.test_first_use import dashboard

    db = tmp_path / "tracker.duckdb"
    monkeypatch.setenv("TRACKER_DB", str(db))
    run_import(Store(db), {"units.csv": UNITS.encode()})
    close_all()
    at = dashboard("pages/settings.py")
    at.checkbox[0].check()
    next(b for b in at.button if b.label == "Save person ids").click().run()
    assert any("stored hashed" in s.value for s in at.success)
    close_all()
    assert Store(db).setting(roster_data.HASH_SETTING) == roster_data.HASH_ON
    assert len(Store(db).setting(roster_data.SALT_SETTING)) == 2 * roster_data.SALT_BYTES
    run_import(Store(db), files())
    close_all()
    at.checkbox[0].uncheck()
    next(b for b in at.button if b.label == "Save person ids").click().run()
    assert "hashing can only be switched" in at.error[0].value


def test_the_overview_coverage_card_shows_people_and_says_so(people):
    from ui.cards import card_texts
    from ui.executive import compute_overview

    change_setting(people, "all_staff_course", "service")
    data = compute_overview(people, Filters(None, "2024-03", None, None))
    card = next(c for c in data.leading if c.defn.key == "training_coverage")
    texts = card_texts(*card.items)
    assert (texts["value"], texts["basis"]) == ("75%", BASIS_PEOPLE)
