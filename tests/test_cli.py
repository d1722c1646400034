"""The `python -m data` command line, run as a real subprocess against real database files."""
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from data.export import formula_safe
from data.store import MIGRATIONS_DIR, Store, close_all

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data", "--db", str(db), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_init_creates_an_empty_migrated_database(tmp_path):
    db = tmp_path / "new.duckdb"
    result = run_cli("init", db=db)
    assert result.returncode == 0, result.stderr
    store = Store(db)
    assert store.migrations() == sorted(f.name for f in MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.sql"))
    assert store.is_empty()  # the command line never adds demo data unless asked


def test_reopening_an_existing_database_applies_no_migration_twice(tmp_path):
    db = tmp_path / "t.duckdb"
    Store(db)
    close_all()
    assert Store(db).migrate() == []


def test_demo_then_clear_demo(tmp_path):
    db = tmp_path / "t.duckdb"
    assert run_cli("demo", db=db).returncode == 0
    counts = Store(db).counts()
    assert counts["units"] >= 12 and counts["survey"] > 1000
    close_all()
    result = run_cli("clear-demo", db=db)
    assert result.returncode == 0, result.stderr
    store = Store(db)
    assert store.is_empty() and not store.is_demo()


def test_a_second_process_meets_the_lock_with_a_clear_message(tmp_path):
    db = tmp_path / "t.duckdb"
    holder = Store(db)  # this test process plays the running dashboard
    result = run_cli("init", db=db)
    assert result.returncode == 1
    assert "in use by process" in result.stderr and "Nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert holder.is_empty()


@pytest.mark.parametrize("cell, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("Great crew", "Great crew"),
])
def test_export_neutralises_formula_cells(cell, expected):
    assert formula_safe(pd.DataFrame({"text": [cell]}))["text"][0] == expected


def test_export_keeps_negative_numbers_numeric():
    assert formula_safe(pd.DataFrame({"value": [-5.5]}))["value"][0] == -5.5


def test_export_writes_every_table_as_csv_and_parquet(tmp_path):
    db = tmp_path / "t.duckdb"
    store = Store(db)
    with store.transaction("test") as tx:
        tx.upsert("units", pd.DataFrame({"unit": ["Cabin"], "function": ["frontline"], "parent": [None]}))
        tx.upsert("voice", pd.DataFrame({"item_id": ["v1"], "date": ["2026-01-05"], "unit": ["Cabin"],
                                         "kind": ["complaint"], "text": ["=cmd|' /C calc'!A0"], "channel": ["app"]}))
    close_all()
    out = tmp_path / "export"
    result = run_cli("export", str(out), db=db)
    assert result.returncode == 0, result.stderr
    assert {p.stem for p in out.glob("*.csv")} >= {"units", "headcount", "voice", "targets", "audit"}
    assert pd.read_csv(out / "voice.csv")["text"][0] == "'=cmd|' /C calc'!A0"
    assert pd.read_parquet(out / "voice.parquet")["text"][0] == "=cmd|' /C calc'!A0"  # Parquet keeps the truth


def test_backup_and_restore_round_trip(tmp_path):
    db, backup = tmp_path / "t.duckdb", tmp_path / "backups" / "b.duckdb"
    store = Store(db)
    with store.transaction("test") as tx:
        tx.upsert("units", pd.DataFrame({"unit": ["Cabin"], "function": ["frontline"], "parent": [None]}))
    close_all()
    assert run_cli("backup", str(backup), db=db).returncode == 0
    store = Store(db)
    with store.transaction("test") as tx:
        tx.upsert("units", pd.DataFrame({"unit": ["IT"], "function": ["internal"], "parent": [None]}))
    version_before = store.data_version()
    close_all()
    result = run_cli("restore", str(backup), db=db)
    assert result.returncode == 0, result.stderr
    store = Store(db)
    assert store.table("units")["unit"].tolist() == ["Cabin"]
    assert store.data_version() > version_before  # cached figures of the replaced data are never reused
    assert store.audit_log(1)["action"][0] == "restore"
    kept = list(tmp_path.glob("t.duckdb.before-restore-*"))
    assert len(kept) == 1
    close_all()
    assert run_cli("restore", str(backup), db=db).returncode == 0
    assert len(list(tmp_path.glob("t.duckdb.before-restore-*"))) == 2  # the first kept copy survives


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    db, bogus = tmp_path / "t.duckdb", tmp_path / "bogus.duckdb"
    bogus.write_text("not a database")
    Store(db)
    close_all()
    result = run_cli("restore", str(bogus), db=db)
    assert result.returncode == 1 and "not a tracker backup" in result.stderr
    assert Store(db).migrations()[0] == "001_initial.sql"


@pytest.mark.parametrize("command", [["export", "out"], ["backup", "b.duckdb"], ["clear-demo"], ["setting"],
                                     ["import", "nowhere", "--dry-run"]])
def test_commands_that_read_never_create_a_database(tmp_path, command):
    db = tmp_path / "mistyped.duckdb"
    result = run_cli(*command, db=db)
    assert result.returncode == 1 and "no such database" in result.stderr
    assert not db.exists()


def test_the_all_staff_course_can_be_set(tmp_path):
    db = tmp_path / "t.duckdb"
    assert run_cli("init", db=db).returncode == 0
    assert run_cli("setting", "all_staff_course", "service-basics", db=db).returncode == 0
    assert run_cli("setting", "all_staff_course", db=db).stdout.strip() == "service-basics"
    refused = run_cli("setting", "data_version", "0", db=db)
    assert refused.returncode == 1 and "not a setting you can change" in refused.stderr
    assert Store(db).audit_log(1)["action"][0] == "setting"
