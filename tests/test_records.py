"""Grid saves through data.records on real DuckDB files: the import's rules per row, all or nothing, audited deletes."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from data import records
from data.schema import TABLES
from data.store import StoreError


def frame(table: str, *rows: dict) -> pd.DataFrame:
    """Rows of a table as a grid hands them over: every column of the table, missing cells empty."""
    columns = list(TABLES[table].columns)
    return pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)


UNITS = frame("units", {"unit": "North", "function": "frontline"}, {"unit": "IT", "function": "internal"},
              {"unit": "Service desk", "function": "internal", "parent": "IT"})


@pytest.fixture
def units(store):
    assert records.save_rows(store, "units", UNITS).ok
    return store


def located(problems) -> set[tuple]:
    return {(p.file, p.row, p.column) for p in problems}


def reason(problems, row, column) -> str:
    return next(p.reason for p in problems if p.row == row and p.column == column)


def audit_rows(store, table=None) -> int:
    where = "table_name = ?" if table else "TRUE"
    return store.scalar(f"SELECT count(*) FROM audit WHERE {where}", [table] if table else [])


# -- each rule, as the importer applies it, located as the grid shows it -------------------------------------------
RULES = {
    "a count that is negative": (
        "headcount", [{"month": "2024-01", "unit": "North", "headcount": -1, "leavers": 0}], 1, "headcount",
        "whole number"),
    "a count that is not whole": (
        "headcount", [{"month": "2024-01", "unit": "North", "headcount": 40.5, "leavers": 0}], 1, "headcount",
        "whole number"),
    "a required cell left empty": (
        "headcount", [{"month": "2024-01", "unit": "North", "headcount": None, "leavers": 0}], 1, "headcount",
        "the cell is empty"),
    "a month that does not exist": (
        "headcount", [{"month": "2024-13", "unit": "North", "headcount": 4, "leavers": 0}], 1, "month", "calendar"),
    "a date in the wrong form": (
        "training", [{"date": "15/01/2024", "unit": "North", "course": "c", "completed": 3}], 1, "date",
        "YYYY-MM-DD"),
    "a date typed with a slipped year": (
        "training", [{"date": dt.date(1924, 1, 15), "unit": "North", "course": "c", "completed": 3}], 1, "date",
        "before 1990"),
    "a unit that does not exist": (
        "headcount", [{"month": "2024-01", "unit": "Nort", "headcount": 4, "leavers": 0}], 1, "unit",
        'did you mean "North"'),
    "a choice not among the allowed words": (
        "voice", [{"item_id": "V1", "date": "2024-01-02", "kind": "compliment"}], 1, "kind",
        "praise, complaint, assessment"),
    "a share given as per cent": (
        "plan", [{"month": "2024-06", "course": "c", "planned_coverage": 75}], 1, "planned_coverage",
        "share from 0 to 1"),
    "a score above 10": (
        "survey", [{"response_id": "S1", "date": "2024-01-31", "score": 11}], 1, "score", "0 to 10"),
    "a reading under a built-in metric's key": (
        "readings", [{"month": "2024-01", "metric": "tickets_within_promise", "value": 0.3}], 1, "metric",
        "computed by the tracker from the tickets sheet"),
    "a target for a metric nobody knows": (
        "targets", [{"metric": "satisfactoin", "by": "2024-12", "value": 8}], 1, "metric", "neither built in"),
    "an implemented idea without implemented_on": (
        "ideas", [{"idea_id": "I1", "title": "t", "status": "implemented"}], 1, "implemented_on", "required when"),
    "implemented_on on an idea still in review": (
        "ideas", [{"idea_id": "I1", "title": "t", "status": "review", "implemented_on": "2024-02-01"}], 1,
        "implemented_on", "must be empty unless"),
    "an idea implemented before it was submitted": (
        "ideas", [{"idea_id": "I1", "title": "t", "status": "implemented", "submitted_on": "2024-02-01",
                   "implemented_on": "2024-01-01"}], 1, "implemented_on", "must not be before submitted_on"),
    "a ticket promised before it was opened": (
        "tickets", [{"ticket_id": "T1", "opened_at": pd.Timestamp("2024-01-10 09:00"),
                     "promised_by": pd.Timestamp("2024-01-09")}], 1, "promised_by", "must not be before opened_at"),
    "a ticket closed before it was opened": (
        "tickets", [{"ticket_id": "T1", "opened_at": "2024-01-10 09:00", "promised_by": "2024-01-11",
                     "closed_at": "2024-01-10 08:00"}], 1, "closed_at", "must not be before opened_at"),
    "an initiative that ends before it starts": (
        "initiatives", [{"name": "N", "status": "active", "start": "2024-05-01", "end": "2024-04-01"}], 1, "end",
        "must not be before start"),
    "a key repeated within the rows": (
        "headcount", [{"month": "2024-01", "unit": "North", "headcount": 4, "leavers": 0},
                      {"month": dt.date(2024, 1, 1), "unit": "North", "headcount": 5, "leavers": 0}], 2,
        "month, unit", "repeats the key of row 1"),
    "a unit that would be its own parent": (
        "units", [{"unit": "North", "function": "frontline", "parent": "North"}], 1, "parent", "its own parent"),
    "a custom metric with a built-in key": (
        "metric_registry", [{"key": "nps", "label": "x", "kind": "lagging", "unit": "points", "direction": "up",
                             "aggregation": "mean"}], 1, "key", "built-in"),
}


@pytest.mark.parametrize("table, rows, row, column, words", RULES.values(), ids=RULES.keys())
def test_each_rule_is_located_and_nothing_is_saved(units, table, rows, row, column, words):
    before = units.counts()
    grid = frame(table, *rows)
    problems = records.validate_rows(units, table, grid)
    assert (table, row, column) in located(problems)
    assert words in reason(problems, row, column)
    result = records.save_rows(units, table, grid)
    assert not result.ok and result.summary.changed == 0
    assert units.counts() == before


def test_every_problem_is_reported_at_once_with_the_grid_row(units):
    grid = frame("headcount",
                 {"month": "2024-01", "unit": "North", "headcount": 40, "leavers": 1},
                 {"month": "2024-13", "unit": "North", "headcount": 40, "leavers": 1},
                 {"month": "2024-02", "unit": "Nowhere", "headcount": -3, "leavers": 1})
    assert located(records.validate_rows(units, "headcount", grid)) == {
        ("headcount", 2, "month"), ("headcount", 3, "unit"), ("headcount", 3, "headcount")}


def test_a_good_row_beside_a_bad_one_is_not_saved_either(units):
    grid = frame("headcount", {"month": "2024-01", "unit": "North", "headcount": 40, "leavers": 1},
                 {"month": "2024-02", "unit": "North", "headcount": "many", "leavers": 1})
    result = records.save_rows(units, "headcount", grid)
    assert [(p.row, p.column) for p in result.problems] == [(2, "headcount")]
    assert units.counts()["headcount"] == 0


def test_a_bad_deleted_key_stops_the_whole_save(units):
    result = records.save_rows(units, "headcount", frame("headcount", {"month": "2024-01", "unit": "North",
                                                                       "headcount": 4, "leavers": 0}),
                               deleted=[{"month": "January", "unit": "North"}])
    assert [(p.row, p.column) for p in result.problems] == [(None, "month")]
    assert units.counts()["headcount"] == 0


def test_unknown_and_missing_columns_name_no_row(units):
    grid = frame("headcount", {"month": "2024-01", "unit": "North", "headcount": 4, "leavers": 0})
    grid = grid.drop(columns=["leavers"]).assign(colour="red")
    assert located(records.validate_rows(units, "headcount", grid)) == {("headcount", None, "leavers"),
                                                                         ("headcount", None, "colour")}


def test_values_and_texts_are_read_alike_and_stored_typed(units):
    grid = frame("tickets",
                 {"ticket_id": "T1", "unit": "IT", "opened_at": pd.Timestamp("2024-01-10 09:00"),
                  "promised_by": dt.date(2024, 1, 10), "closed_at": pd.NaT},
                 {"ticket_id": "T2", "unit": "", "opened_at": "2024-01-12 10:15", "promised_by": "2024-01-15",
                  "closed_at": "2024-01-15 12:00"})
    result = records.save_rows(units, "tickets", grid)
    assert result.ok, result.problems
    assert units.rows("SELECT ticket_id, unit, opened_at, promised_by, closed_at FROM tickets ORDER BY 1") == [
        ("T1", "IT", dt.datetime(2024, 1, 10, 9), dt.datetime(2024, 1, 10), None),
        ("T2", None, dt.datetime(2024, 1, 12, 10, 15), dt.datetime(2024, 1, 15), dt.datetime(2024, 1, 15, 12))]


def test_a_whole_organisation_unit_is_stored_as_empty_text(units):
    assert records.save_rows(units, "readings", frame("readings", {"month": "2024-01", "metric": "satisfaction",
                                                                   "value": 7.5, "unit": None})).ok
    assert units.rows("SELECT unit FROM readings") == [("",)]


def test_saving_the_stored_rows_again_changes_nothing(units):
    version = units.data_version()
    result = records.save_rows(units, "units", units.table("units"))
    assert result.ok and result.summary.changed == 0
    assert result.summary.counts["units"]["unchanged"] == 3
    assert units.data_version() == version


def test_a_save_is_one_audited_transaction(units):
    grid = frame("headcount", {"month": "2024-01", "unit": "North", "headcount": 40, "leavers": 1},
                 {"month": "2024-01", "unit": "IT", "headcount": 10, "leavers": 0})
    assert records.save_rows(units, "headcount", grid).ok
    edited = grid.assign(headcount=[41, 10])
    result = records.save_rows(units, "headcount", edited.iloc[[0]],
                               deleted=[{"month": dt.date(2024, 1, 1), "unit": "IT"}])
    assert result.ok
    assert result.summary.counts["headcount"] == {"new": 0, "updated": 1, "unchanged": 0, "deleted": 1}
    log = units.audit_log(3)
    assert list(log["action"]) == ["edit", "edit", "edit"]
    summary = json.loads(log["after"][0])
    assert summary["counts"]["headcount"]["deleted"] == 1 and "headcount" in summary["detail"]
    assert {(r["table_name"], r["after"] is None) for _, r in log.iloc[1:].iterrows()} == {
        ("headcount", True), ("headcount", False)}
    assert units.rows("SELECT unit, headcount FROM headcount") == [("North", 41)]


def test_a_key_deleted_and_given_again_is_kept_as_edited(units):
    row = {"month": "2024-01", "unit": "North", "headcount": 40, "leavers": 1}
    assert records.save_rows(units, "headcount", frame("headcount", row)).ok
    result = records.save_rows(units, "headcount", frame("headcount", {**row, "headcount": 42}),
                               deleted=[{"month": "2024-01", "unit": "North"}])
    assert result.summary.counts["headcount"]["deleted"] == 0
    assert units.rows("SELECT headcount FROM headcount") == [(42,)]


def test_kept_columns_left_out_of_the_rows_keep_their_values(units):
    idea = {"idea_id": "I1", "title": "t", "status": "review", "feedback": "Thanks, we are looking at it"}
    assert records.save_rows(units, "ideas", frame("ideas", idea)).ok
    narrow = pd.DataFrame([{"idea_id": "I1", "title": "t2", "unit": None, "submitted_on": None, "status": "review",
                            "implemented_on": None}])  # the file's columns, none of those kept beside them
    assert records.save_rows(units, "ideas", narrow).ok
    assert units.rows("SELECT title, feedback FROM ideas") == [("t2", "Thanks, we are looking at it")]


def test_delete_records_is_audited_with_the_record_before(units):
    assert records.save_rows(units, "voice", frame("voice", {"item_id": "V1", "date": "2024-01-02",
                                                             "kind": "praise", "text": "Lovely"})).ok
    summary = records.delete_records(units, "voice", [{"item_id": "V1"}])
    assert summary.counts["voice"]["deleted"] == 1
    assert units.counts()["voice"] == 0
    before, after = units.rows("SELECT before, after FROM audit WHERE table_name = 'voice' ORDER BY id DESC")[0]
    assert after is None and json.loads(before)["text"] == "Lovely"


def test_a_key_with_quotes_is_bound_not_pasted(units):
    name = "O'Brien'); DELETE FROM units; --"
    assert records.save_rows(units, "ideas", frame("ideas", {"idea_id": name, "title": "t",
                                                             "status": "submitted"})).ok
    assert records.delete_records(units, "ideas", [{"idea_id": name}]).counts["ideas"]["deleted"] == 1
    assert units.counts()["units"] == 3


def test_a_unit_still_named_by_records_cannot_be_removed(units):
    assert records.save_rows(units, "headcount", frame("headcount", {"month": "2024-01", "unit": "North",
                                                                     "headcount": 4, "leavers": 0})).ok
    with pytest.raises(StoreError, match='"North": 1 headcount record still name it'):
        records.delete_records(units, "units", [{"unit": "North"}])
    with pytest.raises(StoreError, match="units \\(as parent\\)"):
        records.delete_records(units, "units", [{"unit": "IT"}])
    assert units.counts()["units"] == 3
    assert audit_rows(units, "units") == 3  # the three additions; the refused removals left nothing


def test_a_unit_and_its_children_go_together(units):
    summary = records.delete_records(units, "units", [{"unit": "IT"}, {"unit": "Service desk"}])
    assert summary.counts["units"]["deleted"] == 2
    assert [r[0] for r in units.rows("SELECT unit FROM units")] == ["North"]


def test_the_last_reading_of_a_targeted_metric_cannot_go(units):
    assert records.save_rows(units, "readings", frame("readings", {"month": "2024-01", "metric": "satisfaction",
                                                                   "value": 7})).ok
    assert records.save_rows(units, "targets", frame("targets", {"metric": "satisfaction", "by": "2024-12",
                                                                 "value": 8})).ok
    result = records.save_rows(units, "readings", None, deleted=[{"month": "2024-01", "metric": "satisfaction"}])
    assert [(p.column, "satisfaction" in p.reason) for p in result.problems] == [("metric", True)]
    assert units.counts()["readings"] == 1


def test_a_metric_registered_may_be_targeted_before_its_first_reading(units):
    custom = {"key": "first_call_resolution", "label": "First-call resolution", "kind": "leading",
              "unit": "share", "direction": "up", "aggregation": "mean"}
    assert records.save_metric(units, custom, is_new=True).ok
    assert records.save_rows(units, "targets", frame("targets", {"metric": "first_call_resolution",
                                                                 "by": "2024-12", "value": 0.8})).ok


def test_metric_problems_are_all_reported_once_each(units):
    bad = {"key": "Bad Key", "label": "", "kind": "sideways", "unit": "furlongs", "direction": "up",
           "aggregation": "median"}
    problems = records.metric_problems(units, bad, is_new=True)
    assert sorted(p.column for p in problems) == ["aggregation", "key", "kind", "label", "unit"]


def test_a_new_metric_may_not_take_a_registered_key(units):
    custom = {"key": "csat", "label": "CSAT", "kind": "lagging", "unit": "value", "direction": "up",
              "aggregation": "mean"}
    assert records.save_metric(units, custom, is_new=True).ok
    problems = records.metric_problems(units, {**custom, "label": "Other"}, is_new=True)
    assert [(p.column, "registered already" in p.reason) for p in problems] == [("key", True)]
    assert records.save_metric(units, {**custom, "label": "Customer satisfaction"}, is_new=False).ok
    assert units.rows('SELECT label FROM metric_registry') == [("Customer satisfaction",)]


def test_a_registered_metric_charts_with_its_definition(units):
    from metrics import registry

    assert records.save_rows(units, "readings", frame("readings", {"month": "2024-01", "metric": "fcr",
                                                                   "value": 0.7})).ok
    assert registry.get("fcr", units).kind == "lagging"  # unregistered: a lagging value
    assert records.save_metric(units, {"key": "fcr", "label": "First-call resolution", "kind": "leading",
                                       "unit": "share", "direction": "up", "aggregation": "mean"}, True).ok
    defn = next(d for d in registry.all_metrics(units) if d.key == "fcr")
    assert (defn.kind, defn.format, defn.custom, defn.aggregation) == ("leading", "percent", True, "mean")
    assert registry.format_value(defn, 0.7) == "70%"
    assert registry.get("fcr", units) == defn


def test_a_reader_cannot_save(units, tmp_path):
    from data.store import Store, WriteNotAllowed

    reader = Store(units.path, actor="board", role="executive")
    with pytest.raises(WriteNotAllowed):
        records.save_rows(reader, "units", frame("units", {"unit": "South", "function": "frontline"}))
    assert units.counts()["units"] == 3


def test_a_table_that_is_not_edited_here_is_refused(units):
    with pytest.raises(ValueError, match="not a table"):
        records.validate_rows(units, "audit", pd.DataFrame({"x": [1]}))


def test_blank_rows_of_a_grid_are_skipped(units):
    grid = pd.concat([frame("units", {"unit": "South", "function": "frontline"}), frame("units", {})],
                     ignore_index=True)
    assert records.save_rows(units, "units", grid).summary.counts["units"]["new"] == 1
