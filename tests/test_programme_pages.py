"""The Programme pages under real Streamlit (AppTest) on real DuckDB files: each page on an empty database, one month
of data and the demo; each page's save path driven through its widgets, and what is stored afterwards."""
import getpass
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data.demo import load_demo
from data.store import Store, close_all
from tests.conftest import shown_tables

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
APP_TIMEOUT_S = 60
PAGES = {"units": "Units & people", "training": "Training", "ideas": "Ideas pipeline", "initiatives": "Initiatives",
         "voice": "Customer voice", "tickets": "Internal tickets", "readings": "Readings & targets"}
TODAY = date.today()
MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)  # the last complete month
DAY = MONTH + timedelta(days=9)
EARLIER = (MONTH - timedelta(days=1)).strftime("%Y-%m")


def put(store, table: str, **columns) -> None:
    with store.transaction("test") as tx:
        tx.upsert(table, pd.DataFrame(columns))


def one_month(store) -> None:
    put(store, "units", unit=["Cabin", "IT"], function=["frontline", "internal"], parent=[None, None])
    put(store, "headcount", month=[MONTH, MONTH], unit=["Cabin", "IT"], headcount=[40, 10], leavers=[1, 0])
    put(store, "training", date=[DAY], unit=["Cabin"], course=["service-excellence"], completed=[12])
    put(store, "plan", month=[MONTH], course=["service-excellence"], unit=[""], planned_coverage=[0.2])
    put(store, "ideas", idea_id=["I-1", "I-2"], title=["Greet by name", "Reset passwords"], unit=["Cabin", "IT"],
        submitted_on=[DAY, DAY], status=["review", "submitted"], implemented_on=[None, None],
        source=["workshop", None], submitter=["Ann", None])
    put(store, "voice", item_id=["c1", "p1", "a1"], date=[DAY] * 3, unit=["Cabin", "Cabin", None],
        kind=["complaint", "praise", "assessment"],
        text=["Rude at the gate", "Lovely crew", "Last month the delays were explained well."],
        channel=["app"] * 3)
    put(store, "tickets", ticket_id=["T-1"], unit=["IT"], opened_at=[datetime.combine(DAY, datetime.min.time())],
        promised_by=[datetime.combine(DAY + timedelta(days=1), datetime.min.time())],
        closed_at=[datetime.combine(DAY, datetime.min.time()) + timedelta(hours=5)])
    put(store, "readings", month=[MONTH], metric=["satisfaction"], unit=[""], value=[71.5])
    put(store, "targets", metric=["nps"], by=[MONTH], unit=[""], value=[40.0])
    put(store, "initiatives", name=["Idea lab"], owner=["Claire"], start=[MONTH], end=[None], status=["active"],
        unit=[None], metric=["ideas_implemented"])


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "tracker.duckdb"
    monkeypatch.setenv("TRACKER_DB", str(path))
    return path


@pytest.fixture
def month_db(db):
    one_month(Store(db))
    close_all()
    return db


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    load_demo(Store(path))
    close_all()
    return path


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S).run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == PAGES[page]
    return at


def stored(db, table: str) -> pd.DataFrame:
    frame = Store(db).table(table)
    close_all()
    return frame


def edit(at: AppTest, key: str, edited=None, added=None, deleted=None) -> AppTest:
    """Seed a grid's edits as the browser would send them, then press its Save."""
    at.session_state[key] = {"edited_rows": edited or {}, "added_rows": added or [], "deleted_rows": deleted or []}
    at.run()
    at.button(key=f"{key}_save").click().run()
    assert not at.exception, at.exception
    return at


def problems_shown(at: AppTest) -> list[tuple]:
    """(Row, Column, Problem) of the problems table a failed save shows."""
    table = next(t for t in shown_tables(at) if "Problem" in t.columns and "Row" in t.columns)
    return [tuple(r) for r in table[["Row", "Column", "Problem"]].itertuples(index=False)]


# -- every page in three states --------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_each_page_opens_on_an_empty_database(db, page):
    Store(db)
    close_all()
    open_page(page)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_opens_with_one_month_of_data(month_db, page):
    open_page(page)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_opens_on_the_demo(demo_file, tmp_path, monkeypatch, page):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, path)
    monkeypatch.setenv("TRACKER_DB", str(path))
    at = open_page(page)
    assert any("Demo programme" in m.value for m in at.markdown)  # the demo badge beside the title


# -- grids: save, validate, delete -----------------------------------------------------------------------------------
def test_units_grid_saves_an_edit_and_a_new_unit(month_db):
    at = open_page("units")
    edit(at, "units_grid", edited={1: {"parent": "Cabin"}}, added=[{"unit": "Finance", "function": "internal"}])
    assert at.success[0].value.startswith("Saved")
    units = stored(month_db, "units").set_index("unit")
    assert units.loc["IT", "parent"] == "Cabin" and units.loc["IT", "function"] == "internal"
    assert units.loc["Finance", "function"] == "internal" and units.loc["Finance", "parent"] is None
    audit = Store(month_db).query("SELECT actor, action FROM audit WHERE table_name = 'units' ORDER BY id DESC")
    assert set(audit["action"][:2]) == {"edit"} and audit["actor"][0] == getpass.getuser()


def test_a_validation_error_names_row_and_column_and_nothing_is_written(month_db):
    before = stored(month_db, "headcount")
    version = Store(month_db).data_version()
    close_all()
    at = open_page("units")
    key = next(e.key for e in at.data_editor if e.key.startswith("units_headcount_grid"))
    # Row 1 changes validly, row 2 gets a month in words, and a new row has a month that does not exist and no
    # leavers: nothing may be saved, and each problem names its row and column.
    edit(at, key, edited={0: {"headcount": 41}, 1: {"month": "Jan 2026"}},
         added=[{"month": "2026-13", "unit": "Cabin", "headcount": 5}])
    assert "nothing was saved" in at.error[0].value
    shown = problems_shown(at)
    assert ("2", "Month", 'must be a month YYYY-MM (got "Jan 2026")') in shown
    assert ("new row 1", "Month", 'must be a month YYYY-MM that exists on the calendar (got "2026-13")') in shown
    assert any(row == "new row 1" and column == "Leavers" and "empty" in reason for row, column, reason in shown)
    assert len(shown) == 3
    marked = next(d.value for d in at.dataframe if "Problem" in d.value.columns and "Row" not in d.value.columns)
    assert list(marked.index) == ["2", "new row 1"]  # the faulty rows, as entered
    pd.testing.assert_frame_equal(stored(month_db, "headcount"), before)
    assert Store(month_db).data_version() == version
    # The edits are still in the grid: correcting the faulty row saves both rows at once.
    at.session_state[key] = {"edited_rows": {0: {"headcount": 41}},
                             "added_rows": [{"month": EARLIER, "unit": "IT", "headcount": 5, "leavers": 0}],
                             "deleted_rows": []}
    at.run()
    at.button(key=f"{key}_save").click().run()
    assert at.success[0].value == "Saved: headcount: 1 new, 1 updated."
    headcount = stored(month_db, "headcount").set_index(["unit", "month"])["headcount"]
    assert headcount[("IT", pd.Timestamp(EARLIER))] == 5 and headcount[("Cabin", pd.Timestamp(MONTH))] == 41


def test_a_new_row_repeating_a_stored_key_is_refused(month_db):
    at = open_page("units")
    edit(at, "units_grid", added=[{"unit": "Cabin", "function": "leadership"}])
    assert problems_shown(at)[0][:2] == ("new row 1", "Unit")
    assert "repeats the key of row 1;" in problems_shown(at)[0][2]
    assert stored(month_db, "units").set_index("unit").loc["Cabin", "function"] == "frontline"


def test_deleting_a_unit_that_records_name_is_refused_and_an_unused_one_is_deleted(month_db):
    put(Store(month_db), "units", unit=["Spare"], function=["internal"], parent=[None])
    close_all()
    at = open_page("units")  # rows: Cabin, IT, Spare
    edit(at, "units_grid", deleted=[0])
    assert any("Cabin" in reason and "still name it" in reason for _, _, reason in problems_shown(at))
    assert len(stored(month_db, "units")) == 3
    at.button(key="units_grid_discard").click().run()
    edit(at, "units_grid", deleted=[2])
    assert list(stored(month_db, "units")["unit"]) == ["Cabin", "IT"]


def test_changing_a_key_replaces_the_record(month_db):
    at = open_page("readings")
    key = next(e.key for e in at.data_editor if e.key.startswith("readings_grid"))
    edit(at, key, edited={0: {"value": 72.0, "month": (MONTH - timedelta(days=1)).strftime("%Y-%m")}})
    readings = stored(month_db, "readings")
    assert len(readings) == 1 and readings["month"][0].date() == (MONTH - timedelta(days=1)).replace(day=1)
    assert readings["value"][0] == 72.0


def test_pending_edits_survive_a_write_by_someone_else(month_db):
    at = open_page("units")
    at.session_state["units_grid"] = {"edited_rows": {}, "added_rows": [{"unit": "Finance", "function": "internal"}],
                                      "deleted_rows": []}
    at.run()
    put(Store(month_db), "units", unit=["Lounges"], function=["frontline"], parent=[None])  # another lead's save
    close_all()
    at.run()
    assert "Lounges" not in list(at.data_editor(key="units_grid").value["unit"])  # the grid keeps its rows...
    at.button(key="units_grid_save").click().run()
    assert "Lounges" in list(at.data_editor(key="units_grid").value["unit"])  # ...until the save
    assert set(stored(month_db, "units")["unit"]) == {"Cabin", "IT", "Lounges", "Finance"}


def test_training_sessions_and_plan_are_saved_from_their_grids(month_db):
    at = open_page("training")
    sessions = next(e.key for e in at.data_editor if e.key.startswith("training_sessions_grid"))
    edit(at, sessions, added=[{"date": DAY.isoformat(), "unit": "IT", "course": "service-excellence",
                               "completed": 4}])
    training = stored(month_db, "training").set_index("unit")
    assert training.loc["IT", "completed"] == 4
    plan = next(e.key for e in at.data_editor if e.key.startswith("training_plan_grid"))
    edit(at, plan, added=[{"month": MONTH.strftime("%Y-%m"), "course": "service-excellence", "unit": "IT",
                           "planned_coverage": 0.5}, {"month": MONTH.strftime("%Y-%m"), "course": "service-excellence",
                                                     "planned_coverage": 1.5}])
    assert any(column == "Planned coverage" and "0 to 1" in reason for _, column, reason in problems_shown(at))
    assert len(stored(month_db, "plan")) == 1
    edit(at, plan, added=[{"month": MONTH.strftime("%Y-%m"), "course": "service-excellence", "unit": "IT",
                           "planned_coverage": 0.5}])
    plans = stored(month_db, "plan").set_index("unit")
    assert plans.loc["IT", "planned_coverage"] == 0.5 and plans.loc["", "planned_coverage"] == 0.2


def test_initiatives_grid_saves_metric_effect_and_lag(month_db):
    at = open_page("initiatives")
    edit(at, "initiatives_grid", edited={0: {"expected_effect": "+2 ideas a month", "expected_lag_months": 3}},
         added=[{"name": "Desk promises", "status": "planned", "metric": "tickets_within_promise", "unit": "IT",
                 "start": MONTH.isoformat(), "expected_lag_months": 2}])
    rows = stored(month_db, "initiatives").set_index("name")
    assert rows.loc["Idea lab", "expected_effect"] == "+2 ideas a month"
    assert rows.loc["Idea lab", "expected_lag_months"] == 3
    assert rows.loc["Desk promises", "metric"] == "tickets_within_promise"
    assert rows.loc["Desk promises", "start"].date() == MONTH


def test_tickets_grid_adds_an_open_ticket_that_is_then_overdue(month_db):
    at = open_page("tickets")
    key = next(e.key for e in at.data_editor if e.key.startswith("tickets_grid"))
    opened = datetime.combine(DAY, datetime.min.time()) + timedelta(hours=9)
    edit(at, key, added=[{"ticket_id": "T-2", "unit": "IT", "opened_at": opened.isoformat(),
                          "promised_by": (opened + timedelta(hours=4)).isoformat()}])
    tickets = stored(month_db, "tickets").set_index("ticket_id")
    assert pd.isna(tickets.loc["T-2", "closed_at"])
    assert any(s.value.startswith("Overdue open tickets: 1") for s in at.header)


def test_readings_refuse_a_computed_built_in_metric_and_save_a_lagging_one(month_db):
    at = open_page("readings")
    key = next(e.key for e in at.data_editor if e.key.startswith("readings_grid"))
    edit(at, key, added=[{"month": MONTH.strftime("%Y-%m"), "metric": "ideas_implemented", "value": 30}])
    row, column, reason = problems_shown(at)[0]
    assert (row, column) == ("new row 1", "Metric") and "computed by the tracker from the ideas sheet" in reason
    assert len(stored(month_db, "readings")) == 1
    edit(at, key, added=[{"month": MONTH.strftime("%Y-%m"), "metric": "revenue", "value": 40.5}])
    readings = stored(month_db, "readings").set_index("metric")
    assert readings.loc["revenue", "value"] == 40.5 and readings.loc["revenue", "unit"] == ""
    edit(at, "targets_grid", added=[{"metric": "revenue", "by": "2030-12", "value": 55}])
    targets = stored(month_db, "targets").set_index("metric")
    assert targets.loc["revenue", "by"].date() == date(2030, 12, 1)


# -- forms: ideas and voice ------------------------------------------------------------------------------------------
def test_an_idea_is_added_and_decided_with_feedback(month_db):
    at = open_page("ideas")
    at.text_input(key="ideas_add_title").input("Water for waiting passengers")
    at.selectbox(key="ideas_add_unit").select("Cabin")
    at.selectbox(key="ideas_add_source").select("person")
    at.text_input(key="ideas_add_submitter").input("Ravi")
    at.button(key="ideas_add_submit").click().run()
    assert not at.exception and "added" in at.success[0].value
    ideas = stored(month_db, "ideas").set_index("idea_id")
    new = ideas[ideas["title"] == "Water for waiting passengers"].iloc[0]
    assert (new["status"], new["unit"], new["source"], new["submitter"]) == ("submitted", "Cabin", "person", "Ravi")

    at.button(key="ideas_pick_I-1").click().run()
    at.selectbox(key="ideas_decide_status:I-1").select("implemented")
    at.date_input(key="ideas_decide_on:I-1").set_value(DAY + timedelta(days=1))
    at.text_area(key="ideas_decide_feedback:I-1").input("In place at every gate; thank you!")
    at.button(key="ideas_decide_submit").click().run()
    assert not at.exception
    idea = stored(month_db, "ideas").set_index("idea_id").loc["I-1"]
    assert idea["status"] == "implemented" and idea["implemented_on"].date() == DAY + timedelta(days=1)
    assert idea["feedback"] == "In place at every gate; thank you!"
    assert "I-1 is now implemented" in at.success[0].value


def test_ideas_board_shows_user_text_as_text(db):
    Store(db)
    one_month(Store(db))
    put(Store(db), "ideas", idea_id=["I-9"], title=["<b>bold</b> [link](http://x.org) :red[alarm]"], unit=["IT"],
        submitted_on=[DAY], status=["submitted"], implemented_on=[None])
    close_all()
    at = open_page("ideas")
    card = next(m.value for m in at.markdown if "bold" in m.value)
    assert "<b>" not in card.replace("\\<b\\>", "") and "\\[link\\]" in card and "\\:red\\[alarm\\]" in card


def test_a_complaint_is_logged_and_its_handling_recorded(month_db):
    at = open_page("voice")
    at.radio(key="voice_add_kind").set_value("complaint")
    at.date_input(key="voice_add_on").set_value(DAY)
    at.text_input(key="voice_add_channel").input("phone")
    at.text_area(key="voice_add_text").input("Nobody called back")
    at.button(key="voice_add_submit").click().run()
    assert not at.exception and "added" in at.success[0].value
    voice = stored(month_db, "voice")
    new_id = voice[voice["text"] == "Nobody called back"]["item_id"].iloc[0]

    at.selectbox(key="voice_pick").select(new_id).run()
    at.checkbox(key=f"voice_tick_thanked:{new_id}").check()
    at.date_input(key=f"voice_on_thanked:{new_id}").set_value(DAY)
    at.checkbox(key=f"voice_tick_apologised:{new_id}").check()
    at.date_input(key=f"voice_on_apologised:{new_id}").set_value(DAY + timedelta(days=1))
    at.button(key="voice_steps_submit").click().run()
    assert not at.exception
    row = stored(month_db, "voice").set_index("item_id").loc[new_id]
    assert row["thanked_on"].date() == DAY and row["apologised_on"].date() == DAY + timedelta(days=1)
    assert pd.isna(row["info_gathered_on"]) and pd.isna(row["resolved_on"])


def test_assessments_are_searched_as_full_text(month_db):
    at = open_page("voice")
    at.text_input(key="voice_assessment_search").input("DELAYS").run()
    assert any("explained well" in m.value for m in at.markdown)
    at.text_input(key="voice_assessment_search").input("lounge").run()
    assert not any("explained well" in m.value for m in at.markdown)


# -- access ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_a_page_opened_directly_by_an_executive_shows_nothing(month_db, monkeypatch, page):
    monkeypatch.setenv("TRACKER_LEADS", "lead@example.org")
    at = AppTest.from_file(str(Path(DASHBOARD).parent / "pages" / f"{page}.py"), default_timeout=APP_TIMEOUT_S)
    at.user = {"is_logged_in": True, "email": "board@example.org"}
    at.run()
    assert "do not have access" in at.error[0].value
    assert not at.data_editor and not at.button and not at.text_input


def test_programme_pages_are_not_in_an_executives_navigation(month_db, monkeypatch):
    monkeypatch.setenv("TRACKER_LEADS", "lead@example.org")
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S)
    at.user = {"is_logged_in": True, "email": "board@example.org"}
    at.run()
    for page in PAGES:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{page}.py")


def test_training_chart_follows_the_chosen_course_and_unit(month_db):
    at = open_page("training")
    assert at.selectbox(key="training_course").value == "service-excellence"  # the all-staff course first
    at.selectbox(key="training_unit").select("Cabin").run()
    assert not at.exception and len(at.get("plotly_chart")) == 1
