"""Desired actions (the Nokia Siemens Networks practice): imported, tracked to done, not done or declined, reviewed at
the next month's assessment, and the share delivered on time as a leading indicator; real files, real pages."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.importer import run_import
from data.store import Store, close_all
from metrics import calc
from metrics.registry import get

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
APP_TIMEOUT_S = 120
HEADER = "action_id,month,customer,unit,action,due,status,done_on"
# Asked at the January assessment, due by the end of February: one on time, one late, one declined, one not done.
JANUARY = [
    "A-1,2025-01,Northwind,IT,Name one contact for our orders,2025-02-28,done,2025-02-20",
    "A-2,2025-01,Northwind,IT,Weekly status of open tickets,2025-02-28,done,2025-03-04",
    "A-3,2025-01,Contoso,Finance,Invoices in our currency,2025-02-28,declined,",
    "A-4,2025-01,Contoso,,Quarterly service review,2025-02-28,not done,",
    "A-5,2025-02,Contoso,IT,Faster password resets,2025-03-31,not done,",
]


def workbook(rows: list[str]) -> dict[str, bytes]:
    return {"units.csv": b"unit,function,parent\nIT,internal,\nFinance,internal,\n",
            "desired_actions.csv": ("\n".join([HEADER, *rows]) + "\n").encode()}


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "tracker.duckdb"
    plan = run_import(Store(path), workbook(JANUARY))
    assert not plan.problems, plan.problems
    close_all()
    monkeypatch.setenv("TRACKER_DB", str(path))
    return path


def test_the_share_delivered_on_time_is_a_leading_indicator(db):
    store = Store(db)
    defn = get("desired_actions_on_time")
    assert (defn.kind, defn.direction, defn.unit) == ("leading", "up", "share")
    values = calc.series(store, "desired_actions_on_time")
    assert values["2025-02"] == pytest.approx(1 / 4)  # of the four due in February, one was done by its due day
    it_only = calc.series(store, "desired_actions_on_time", unit="IT")
    assert it_only["2025-02"] == pytest.approx(1 / 2) and it_only["2025-03"] == 0  # A-5 is due and not done


def test_bad_rows_name_file_row_column_and_reason_and_write_nothing(db):
    store = Store(db)
    plan = run_import(store, {"desired_actions.csv": ("\n".join([
        HEADER, "A-9,2025-03,Contoso,IT,Anything,2025-04-30,finished,",
        "A-10,2025-03,Contoso,IT,Anything,2025-04-30,done,"]) + "\n").encode()})
    found = {(p.file, p.row, p.column) for p in plan.problems}
    assert ("desired_actions.csv", 2, "status") in found  # "finished" is not a status
    assert ("desired_actions.csv", 3, "done_on") in found  # done needs the day it was done
    assert len(store.table("desired_actions")) == 5


def test_the_next_assessment_shows_what_was_asked_and_what_was_delivered(db):
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S).run()
    at.switch_page("pages/actions.py").run()
    assert not at.exception
    at.selectbox(key="actions_month").set_value("2025-02").run()
    assert any(h.value == "Asked in Jan 2025: what was delivered" for h in at.header)
    summary = " ".join(m.value for m in at.markdown)
    assert "4 asked** · 1 done on time · 1 done late · 1 not done · 1 declined" in summary
    assert "Quarterly service review" in summary and "(not done; due 28 Feb 2025)" in summary
    # Track A-4 to done on time in the grid: the review and the indicator follow.
    at.selectbox(key="actions_month").set_value("2025-01").run()
    key = next(e.key for e in at.data_editor if e.key.startswith("actions_grid"))
    rows = at.data_editor(key=key).value
    row = list(rows["action_id"]).index("A-4")  # the editor's rows are addressed by position
    at.session_state[key] = {"edited_rows": {row: {"status": "done", "done_on": "2025-02-27"}}, "added_rows": [],
                             "deleted_rows": []}
    at.run()
    at.button(key=f"{key}_save").click().run()
    assert not at.exception
    at.selectbox(key="actions_month").set_value("2025-02").run()
    summary = " ".join(m.value for m in at.markdown)
    assert "4 asked** · 2 done on time · 1 done late · 0 not done · 1 declined" in summary
    close_all()
    assert calc.series(Store(db), "desired_actions_on_time")["2025-02"] == pytest.approx(2 / 4)
