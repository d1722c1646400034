"""The History and Metric registry pages under AppTest, saving to a real DuckDB file."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data import history, records
from data.store import Store, close_all
from tests.test_records import frame

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
APP_TIMEOUT_S = 60
IDEA = {"idea_id": "I-1", "title": "Call back within a day", "unit": "North", "status": "review"}


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "tracker.duckdb"
    monkeypatch.setenv("TRACKER_DB", str(path))
    store = Store(path, actor="ana")
    assert records.save_rows(store, "units", frame("units", {"unit": "North", "function": "frontline"})).ok
    assert records.save_rows(store, "ideas", frame("ideas", IDEA)).ok
    assert records.save_rows(Store(path, actor="ben"), "ideas", frame(
        "ideas", {**IDEA, "status": "implemented", "implemented_on": "2024-02-01"})).ok
    close_all()
    return path


def page(name: str) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S).run()
    at.switch_page(f"pages/{name}.py").run()
    assert not at.exception
    return at


def plain(text: str) -> str:
    """Markdown as read: user text on the page is escaped (I\\-1 shows as I-1)."""
    return text.replace("\\", "")


def status(db) -> str | None:
    rows = Store(db).rows("SELECT status FROM ideas")
    return rows[0][0] if rows else None


def latest_change(db) -> int:
    return int(history.recent_changes(Store(db), 1)["id"][0])


def test_history_lists_changes_and_reverts_one_after_confirmation(db):
    change = latest_change(db)
    at = page("history")
    assert at.selectbox(key="history_who").options == ["Everyone", "ana", "ben"]
    at.selectbox(key="history_pick").select(change).run()
    assert any("sets back status: implemented → review" in plain(m.value) for m in at.markdown)
    assert at.button(key="history_revert").disabled
    at.checkbox(key=f"history_confirm_{change}").check().run()
    at.button(key="history_revert").click().run()
    assert not at.exception
    assert f"Reverted change #{change}" in plain(at.success[0].value)
    assert status(db) == "review"
    assert Store(db).audit_log(1)["action"][0] == "revert"


def test_a_stale_revert_is_refused_and_can_be_forced(db):
    first = int(history.record_history(Store(db), "ideas", {"idea_id": "I-1"})["id"][0])
    close_all()
    at = page("history")
    at.selectbox(key="history_pick").select(first).run()
    at.checkbox(key=f"history_confirm_{first}").check().run()
    at.button(key="history_revert").click().run()
    assert "has changed since" in at.warning[0].value
    assert status(db) == "implemented"
    at.checkbox(key=f"history_force_{first}").check().run()
    at.button(key="history_revert").click().run()
    assert not at.exception
    assert status(db) is None  # the addition reverted: the idea is gone


def test_a_filter_narrows_the_changes(db):
    at = page("history")
    at.selectbox(key="history_who").select("ben").run()
    assert list(at.dataframe[0].value["who"]) == ["ben"]


def test_a_deleted_record_is_restored_from_the_page(db):
    records.delete_records(Store(db, actor="ana"), "ideas", [{"idea_id": "I-1"}])
    close_all()
    at = page("history")
    at.selectbox(key="history_deleted_table").select("ideas").run()
    pick = at.selectbox(key="history_restore_pick")
    assert len(pick.options) == 1 and pick.options[0].startswith("I-1 (deleted by ana")
    pick.select_index(0).run()
    at.button(key="history_restore").click().run()
    assert not at.exception
    assert "Restored ideas I-1" in plain(at.success[0].value)
    assert status(db) == "implemented"


REGISTER = {"key": "first_call_resolution", "label": "First-call resolution"}


def fill(at: AppTest, **values) -> AppTest:
    for name, value in values.items():
        at.text_input(key=f"metric_registry_{name}_new").input(value)
    return at


def test_the_registry_form_reports_every_problem_at_once_and_saves_nothing(db):
    at = fill(page("metric_registry"), key="Bad Key", label="")
    at.get("form_submit_button")[0].click().run()
    assert not at.exception
    message = plain(at.error[0].value)
    assert "2 problems" in message and "**key**" in message and "**label**" in message
    assert Store(db).counts()["metric_registry"] == 0


def test_the_registry_form_registers_a_metric_that_then_charts_as_registered(db):
    at = fill(page("metric_registry"), **REGISTER)
    at.radio(key="metric_registry_kind_new").set_value("leading")
    at.selectbox(key="metric_registry_unit_new").set_value("share")
    at.get("form_submit_button")[0].click().run()
    assert not at.exception
    assert "Registered first_call_resolution" in plain(at.success[0].value)
    assert Store(db).rows("SELECT kind, unit, aggregation FROM metric_registry") == [("leading", "share", "mean")]
    listing = at.dataframe[0].value
    assert listing.loc[listing["key"] == "first_call_resolution", "source"].item() == "custom (no readings yet)"
    assert at.selectbox(key="metric_registry_pick").value == "first_call_resolution"  # now open for editing


def test_a_custom_metric_is_edited_and_removed(db):
    store = Store(db, actor="ana")
    assert records.save_metric(store, {**REGISTER, "kind": "leading", "unit": "share", "direction": "up",
                                       "aggregation": "mean"}, True).ok
    close_all()
    at = page("metric_registry")
    at.selectbox(key="metric_registry_pick").select("first_call_resolution").run()
    at.text_input(key="metric_registry_label_first_call_resolution").input("FCR")
    at.get("form_submit_button")[0].click().run()
    assert Store(db).rows("SELECT label FROM metric_registry") == [("FCR",)]
    at.checkbox(key="metric_registry_confirm_remove").check().run()
    at.button(key="metric_registry_remove").click().run()
    assert not at.exception
    assert Store(db).counts()["metric_registry"] == 0
