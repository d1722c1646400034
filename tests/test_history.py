"""A record's history, reverting a change, restoring deleted records, on real DuckDB files."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from data import history, records
from data.store import Store, StoreError
from tests.test_records import frame

IDEA = {"idea_id": "I-1", "title": "Call back within a day", "unit": "North", "submitted_on": "2024-01-03",
        "status": "review"}


@pytest.fixture
def ana(store) -> Store:
    """A lead called ana with one unit and one idea in review."""
    ana = Store(store.path, actor="ana")
    assert records.save_rows(ana, "units", frame("units", {"unit": "North", "function": "frontline"})).ok
    assert records.save_rows(ana, "ideas", frame("ideas", IDEA)).ok
    return ana


def ben(store: Store) -> Store:
    return Store(store.path, actor="ben")


def implement(store: Store) -> None:
    assert records.save_rows(store, "ideas", frame("ideas", {**IDEA, "status": "implemented",
                                                             "implemented_on": "2024-02-01"})).ok


def idea(store: Store):
    rows = store.rows("SELECT status, implemented_on FROM ideas WHERE idea_id = 'I-1'")
    return rows[0] if rows else None


def test_a_record_history_lists_every_change_with_who_and_when(ana):
    implement(ben(ana))
    story = history.record_history(ana, "ideas", {"idea_id": "I-1"})
    assert list(story["who"]) == ["ana", "ben"]
    assert list(story["action"]) == ["edit", "edit"]
    assert story["change"][0] == "added"
    assert "status: review → implemented" in story["change"][1]
    assert story["before"][1]["status"] == "review" and story["after"][1]["status"] == "implemented"
    assert isinstance(story["when"][0], pd.Timestamp)


def test_a_key_is_found_whatever_form_it_is_given_in(ana):
    hc = {"month": "2024-01", "unit": "North", "headcount": 4, "leavers": 0}
    assert records.save_rows(ana, "headcount", frame("headcount", hc)).ok
    for month in ("2024-01", "2024-01-01", dt.date(2024, 1, 1), pd.Timestamp("2024-01-01")):
        assert len(history.record_history(ana, "headcount", {"month": month, "unit": "North"})) == 1


def test_recent_changes_filter_by_table_and_person(ana):
    implement(ben(ana))
    changes = history.recent_changes(ana, 10)
    assert list(changes["id"]) == sorted(changes["id"], reverse=True)
    assert list(changes["table"]) == ["ideas", "ideas", "units"]
    assert list(history.recent_changes(ana, 10, table="units")["record"]) == ["North"]
    assert list(history.recent_changes(ana, 10, actor="ben")["change"].str[:6]) == ["status"]
    assert history.actors(ana) == ["ana", "ben"]
    assert history.changed_tables(ana) == ["units", "ideas"]


def test_revert_puts_the_old_values_back_and_is_audited(ana):
    implement(ben(ana))
    change = int(history.recent_changes(ana, 1)["id"][0])
    summary = history.revert(ana, change)
    assert summary.counts["ideas"]["updated"] == 1
    assert idea(ana) == ("review", None)
    story = history.record_history(ana, "ideas", {"idea_id": "I-1"})
    assert list(story["action"]) == ["edit", "edit", "revert"]
    assert story["who"].iloc[-1] == "ana"
    assert "status: implemented → review" in story["change"].iloc[-1]
    summary_row = ana.audit_log(1).iloc[0]
    assert summary_row["action"] == "revert" and f"#{change}" in json.loads(summary_row["after"])["detail"]


def test_reverting_an_addition_deletes_the_record(ana):
    added = int(history.record_history(ana, "ideas", {"idea_id": "I-1"})["id"][0])
    history.revert(ana, added)
    assert idea(ana) is None
    assert history.record_history(ana, "ideas", {"idea_id": "I-1"})["change"].iloc[-1] == "deleted"


def test_reverting_a_delete_brings_the_record_back_with_everything_it_held(ana):
    assert records.save_rows(ana, "ideas", frame("ideas", {**IDEA, "feedback": "Thanks!", "source": "workshop"})).ok
    records.delete_records(ana, "ideas", [{"idea_id": "I-1"}])
    deletion = int(history.recent_changes(ana, 1)["id"][0])
    history.revert(ana, deletion)
    assert ana.rows("SELECT status, feedback, source FROM ideas") == [("review", "Thanks!", "workshop")]


def test_a_stale_revert_is_refused_naming_the_later_change(ana):
    implement(ben(ana))
    first_edit = int(history.record_history(ana, "ideas", {"idea_id": "I-1"})["id"][0])
    later = int(history.record_history(ana, "ideas", {"idea_id": "I-1"})["id"][1])
    version = ana.data_version()
    with pytest.raises(StoreError, match=f"change #{later} \\(edit by ben"):
        history.revert(ana, first_edit)
    assert idea(ana) == ("implemented", dt.date(2024, 2, 1)) and ana.data_version() == version
    history.revert(ana, first_edit, force=True)  # the addition reverted anyway: the record goes
    assert idea(ana) is None


def test_a_revert_that_would_break_the_rules_is_refused(ana):
    records.delete_records(ana, "ideas", [{"idea_id": "I-1"}])
    deletion = int(history.recent_changes(ana, 1)["id"][0])
    records.delete_records(ana, "units", [{"unit": "North"}])
    with pytest.raises(StoreError, match='unit "North"'):
        history.revert(ana, deletion)
    assert idea(ana) is None


def test_a_write_summary_or_an_unknown_change_cannot_be_reverted(ana):
    summary_id = int(ana.audit_log(1)["id"][0])
    with pytest.raises(StoreError, match="summary of a whole write"):
        history.revert(ana, summary_id)
    with pytest.raises(StoreError, match="no change #999999"):
        history.revert(ana, 999999)


def test_deleted_records_lists_what_was_deleted_and_not_back(ana):
    assert records.save_rows(ana, "ideas", frame("ideas", {**IDEA, "idea_id": "I-2"})).ok
    records.delete_records(ana, "ideas", [{"idea_id": "I-1"}, {"idea_id": "I-2"}])
    gone = history.deleted_records(ana, "ideas")
    assert sorted(gone["record"]) == ["I-1", "I-2"]
    assert set(gone["deleted_by"]) == {"ana"}
    assert list(gone.loc[gone["record"] == "I-1", "title"]) == [IDEA["title"]]
    history.restore_deleted(ana, "ideas", {"idea_id": "I-2"})
    assert list(history.deleted_records(ana, "ideas")["record"]) == ["I-1"]
    assert ana.rows("SELECT idea_id, status FROM ideas") == [("I-2", "review")]
    assert history.record_history(ana, "ideas", {"idea_id": "I-2"})["action"].iloc[-1] == "restore-deleted"


def test_restoring_a_record_that_is_not_deleted_is_refused(ana):
    with pytest.raises(StoreError, match="is not deleted"):
        history.restore_deleted(ana, "ideas", {"idea_id": "I-1"})
    with pytest.raises(StoreError, match="no history"):
        history.restore_deleted(ana, "ideas", {"idea_id": "I-404"})


def test_the_demo_removal_is_not_offered_record_by_record(store):
    from data.demo import clear_demo, load_demo

    load_demo(store)
    clear_demo(store)
    assert history.deleted_records(store, "ideas").empty


def test_a_ticket_time_survives_a_round_trip_through_the_log(ana):
    ticket = {"ticket_id": "T-1", "unit": "North", "opened_at": "2024-01-10 09:00", "promised_by": "2024-01-10",
              "closed_at": "2024-01-10 16:30"}
    assert records.save_rows(ana, "tickets", frame("tickets", ticket)).ok
    records.delete_records(ana, "tickets", [{"ticket_id": "T-1"}])
    history.restore_deleted(ana, "tickets", {"ticket_id": "T-1"})
    assert ana.rows("SELECT opened_at, promised_by, closed_at FROM tickets") == [
        (dt.datetime(2024, 1, 10, 9), dt.datetime(2024, 1, 10), dt.datetime(2024, 1, 10, 16, 30))]
