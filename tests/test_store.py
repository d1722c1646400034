"""The Store's guarantees: writes are all or nothing, audited, role-checked, and the schema upgrades in place."""
import duckdb
import pandas as pd
import pytest

from data.store import Store, StoreError, WriteNotAllowed, close_all

UNIT = pd.DataFrame({"unit": ["Cabin"], "function": ["frontline"], "parent": [None]})


def test_an_executive_cannot_write_and_nothing_changes(tmp_path):
    viewer = Store(tmp_path / "t.duckdb", actor="board@example.org", role="executive")
    # An executive may edit the board's narrative (tests/test_narrative_edits.py) and nothing else.
    with pytest.raises(WriteNotAllowed, match="may not change units"):
        with viewer.transaction("edit") as tx:
            tx.upsert("units", UNIT)
    assert viewer.is_empty() and viewer.data_version() == 0


def test_a_failure_mid_write_rolls_back_everything(store):
    bad_headcount = pd.DataFrame({"month": ["2024-01-01"], "unit": ["Cabin"], "headcount": [-1], "leavers": [0]})
    with pytest.raises(duckdb.ConstraintException):
        with store.transaction("edit") as tx:
            tx.upsert("units", UNIT)
            tx.upsert("headcount", bad_headcount)  # violates headcount >= 0 after units were written
    assert store.is_empty()
    assert store.data_version() == 0 and store.audit_log().empty


def test_each_changed_record_is_audited_with_before_and_after(store):
    with store.transaction("edit") as tx:
        tx.upsert("units", UNIT)
    with store.transaction("edit") as tx:
        tx.upsert("units", UNIT.assign(function="internal"))
    rows = store.query("SELECT before, after FROM audit WHERE table_name = 'units' ORDER BY id")
    assert rows["before"].isna().tolist() == [True, False]
    assert '"internal"' in rows["after"].iloc[1] and '"frontline"' in rows["before"].iloc[1]
    assert store.data_version() == 2


def test_an_empty_file_is_started_afresh(tmp_path):
    db = tmp_path / "touched.duckdb"
    db.touch()
    assert Store(db).migrations()[0] == "001_initial.sql"


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    db = tmp_path / "t.duckdb"
    store = Store(db)
    with store.transaction("test") as tx:
        tx.execute("INSERT INTO migrations (name) VALUES ('999_from_the_future.sql')")
        tx.set_setting("all_staff_course", "x")
    close_all()
    with pytest.raises(StoreError, match="newer version"):
        Store(db)
