"""Coverage of any course: the overview's heat map, plan and units behind, the board pack and the Training page read
the course the URL names, while the coverage card keeps to the all-staff course (a programme with two courses)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data.store import Store, close_all
from ui.boardpack import build_board_pack
from ui.executive import compute_overview
from ui.filters import Filters, md

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
APP_TIMEOUT_S = 120
ALL_STAFF, OTHER = "welcome-aboard", "complaint-recovery"  # the most completions make the first the all-staff course


@pytest.fixture
def two_courses(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "courses.duckdb"
    monkeypatch.setenv("TRACKER_DB", str(path))
    store = Store(path)
    with store.transaction("test") as tx:
        tx.upsert("units", pd.DataFrame({"unit": ["Harbour", "Payroll"], "function": ["frontline", "internal"],
                                         "parent": [None, None]}))
        tx.upsert("headcount", pd.DataFrame({"month": ["2026-10-01"] * 2, "unit": ["Harbour", "Payroll"],
                                             "headcount": [40, 10], "leavers": [0, 0]}))
        # welcome-aboard: 30 of 40 and 8 of 10 (76% in all); complaint-recovery: 4 of 40 in Harbour, none in Payroll.
        tx.upsert("training", pd.DataFrame({"date": ["2026-10-05", "2026-10-06", "2026-10-07"],
                                            "unit": ["Harbour", "Payroll", "Harbour"],
                                            "course": [ALL_STAFF, ALL_STAFF, OTHER], "completed": [30, 8, 4]}))
        tx.upsert("plan", pd.DataFrame({"month": ["2026-10-01"] * 2, "course": [ALL_STAFF, OTHER], "unit": ["", ""],
                                        "planned_coverage": [0.5, 0.5]}))
    close_all()
    return path


def _open(page: str | None, params: dict[str, str]) -> AppTest:
    """The page opened by a link carrying `params` (the overview is the first page a link opens on)."""
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S)
    if page:
        at.run().switch_page(page)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def test_the_overview_opens_on_the_course_its_link_names_and_keeps_the_card_on_the_all_staff_course(two_courses):
    at = _open(None, {"course": OTHER})
    assert not at.exception
    assert at.selectbox(key="overview_course").value == OTHER
    assert any(f"Coverage of {md('the course ' + OTHER)}" in m.value for m in at.markdown)
    assert next(m for m in at.metric if m.label == "Training coverage").value == "76%"  # the all-staff course
    behind = at.dataframe[0].value  # complaint-recovery's plan of 50%: Payroll 50 pp behind, Harbour 40 pp
    assert list(behind["Unit"].str.split(" ").str[0]) == ["Payroll", "Harbour"]
    assert at.query_params["course"] == OTHER


def test_choosing_the_all_staff_course_again_drops_it_from_the_link(two_courses):
    at = _open(None, {"course": OTHER})
    at.selectbox(key="overview_course").select(ALL_STAFF).run()
    assert not at.exception
    assert "course" not in at.query_params
    assert any(f"Coverage of {md(f'the all-staff course ({ALL_STAFF})')}" in m.value for m in at.markdown)
    assert any("Every unit is at or ahead of its plan" in m.value for m in at.markdown)  # 75% and 80% against 50%


def test_a_course_nobody_has_completed_says_so_without_sending_the_reader_to_settings(two_courses):
    with Store(two_courses).transaction("test") as tx:
        tx.upsert("plan", pd.DataFrame({"month": ["2026-10-01"], "course": ["new-starter"], "unit": [""],
                                        "planned_coverage": [0.2]}))
    close_all()
    at = _open(None, {"course": "new-starter"})
    assert not at.exception
    [notice] = [w.value for w in at.warning]
    assert "No completions of the course new" in notice and "Settings" not in notice


def test_the_board_pack_names_the_chosen_course(two_courses):
    data = compute_overview(Store(two_courses), Filters("2026-10", "2026-10", None, None), OTHER)
    html = build_board_pack(data, "Board pack", "today").html.decode("utf-8")
    assert f"Coverage of the course {OTHER} by unit and month" in html
    assert data.behind["unit"].tolist() == ["Payroll", "Harbour"]
    assert data.behind["gap"].round(2).tolist() == [0.5, 0.4]


def test_the_training_page_opens_on_the_course_and_unit_its_link_names(two_courses, monkeypatch):
    at = _open("pages/training.py", {"course": OTHER, "unit": "Harbour"})
    assert not at.exception
    assert at.selectbox(key="training_course").value == OTHER
    assert at.selectbox(key="training_unit").value == "Harbour"
    at.selectbox(key="training_course").select(ALL_STAFF).run()
    assert at.query_params["course"] == ALL_STAFF and at.query_params["unit"] == "Harbour"
