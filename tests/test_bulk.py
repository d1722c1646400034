"""Large CSV files checked and written by DuckDB (data/bulk.py): the same problems, word for word and in the same order,
as the cell-by-cell importer; the same records stored; one audit entry per file, reverted from its before-image."""
import json
from datetime import date

import pandas as pd
import pytest

from data import bulk, history
from data.importer import run_import
from data.store import Store
from tests.test_summaries import _rebuilt, _summary_tables

UNITS = "unit,function,parent\nCabin,frontline,\nGates,frontline,\nIT,internal,\n"
# Every kind of cell the voice, tickets and ideas rules refuse or forgive, with rows between them that pass.
VOICE = ("\ufeffitem_id,date,unit,kind,text,channel\n"
         "v1,2024-01-03,Cabin,praise,Lovely crew,app\n"
         "v2,2024-02-30,Cabin,praise,No such day,app\n"          # not on the calendar
         "v3,1924-01-03,Gates,Complaint,Typo year,email\n"        # before 1990; capitals forgiven
         "v4,2024-01-05,Cabn,complaint,Misspelt unit,email\n"     # unknown unit, with a hint
         "v5,,Cabin,praise,No date,app\n"                         # empty required date
         "v6,2024-01-07,Cabin,thanks,Wrong kind,app\n"            # not a kind
         "v1,2024-01-08,Cabin,praise,Repeated id,app\n"           # duplicate key of row 2
         '  v7 ,2024-01-09,\u00a0IT\u00a0,"assessment","Quoted, with comma",web\n'  # spaces and a quoted comma
         "v8,2024-01-10,IT,praise,'=SUM(A1),web\n"               # an export's formula apostrophe
         "v9,2024-01-11,IT,praise,Stray,web,extra\n"              # a value under no column name
         ",,,,,\n"                                                # blank row: skipped, still numbered
         "v10,2099-01-01,IT,praise,Future,web\n"                  # after the end of this month
         "v11,2024-01-12,,praise,Whole organisation,\n")
TICKETS = ("ticket_id,unit,opened_at,promised_by,closed_at\n"
           "t1,IT,2024-01-02 09:00,2024-01-05,2024-01-04 17:30\n"
           "t2,IT,2024-01-02 09:00,2024-01-01,2024-01-03\n"       # promised before opened
           "t3,IT,2024-01-10T08:00:00,2024-01-12 08:00,2024-01-10 07:00\n"  # closed an hour before opening
           "t4,IT,2024-13-01,2024-01-12,\n"                        # no 13th month
           "t5,IT,2024-01-10 25:00,2024-01-12,\n")                 # the right shape, no such hour
IDEAS = ("idea_id,title,unit,submitted_on,status,implemented_on\n"
         "i1,Water,Cabin,2024-01-02,implemented,2024-02-01\n"
         "i2,Seats,Cabin,2024-01-02,implemented,\n"               # implemented_on required
         "i3,Music,Gates,2024-01-02,review,2024-02-01\n"          # must be empty unless implemented
         "i4,Kiosk,Gates,2024-03-02,implemented,2024-02-01\n")    # implemented before submitted


def _files(**extra: str) -> dict[str, bytes]:
    return {"units.csv": UNITS.encode(), **{f"{k}.csv": v.encode() for k, v in extra.items()}}


def _import(tmp_path, name: str, files: dict[str, bytes], monkeypatch, bulk_lines: int, dry_run=False):
    monkeypatch.setattr(bulk, "BULK_LINES", bulk_lines)
    store = Store(tmp_path / f"{name}.duckdb", actor="lead@example.org")
    return store, run_import(store, files, dry_run=dry_run)


@pytest.mark.parametrize("table, text", [("voice", VOICE), ("tickets", TICKETS), ("ideas", IDEAS)])
def test_duckdb_finds_the_same_problems_as_the_cell_by_cell_importer(tmp_path, monkeypatch, table, text):
    files = _files(**{table: text})
    _, cell_by_cell = _import(tmp_path, "cells", files, monkeypatch, bulk_lines=10**9)
    _, by_duckdb = _import(tmp_path, "duckdb", files, monkeypatch, bulk_lines=1)
    assert table in by_duckdb.staged  # the file really took the DuckDB path
    assert len(cell_by_cell.problems) >= 3
    assert [str(p) for p in by_duckdb.problems] == [str(p) for p in cell_by_cell.problems]


def _clean_voice() -> str:
    lines = VOICE.splitlines()
    keep = [lines[0]] + [line for line in lines[1:] if line.split(",")[0].strip() in ("v1", "v7", "v8", "v11")]
    return "\n".join(keep[:2] + keep[3:]) + "\n"  # the first v1 only


def test_duckdb_stores_exactly_what_the_cell_by_cell_importer_stores(tmp_path, monkeypatch):
    files = _files(voice=_clean_voice(), tickets="\n".join(TICKETS.splitlines()[:2]) + "\n")
    cells, plan_a = _import(tmp_path, "cells", files, monkeypatch, bulk_lines=10**9)
    duck, plan_b = _import(tmp_path, "duckdb", files, monkeypatch, bulk_lines=1)
    assert not plan_a.problems and not plan_b.problems
    assert plan_b.preview == plan_a.preview
    for table in ("voice", "tickets"):
        pd.testing.assert_frame_equal(duck.table(table), cells.table(table))
    assert duck.table("voice").set_index("item_id").loc["v8", "text"] == "=SUM(A1)"
    assert duck.table("voice").set_index("item_id").loc["v7", "unit"] == "IT"
    assert _summary_tables(duck)["unit_month"].equals(_summary_tables(cells)["unit_month"])


def _many_voice(n: int, kind: str = "praise", start: int = 0) -> str:
    rows = [f"v{i},2024-0{1 + i % 6}-1{i % 9},{('Cabin', 'Gates', 'IT')[i % 3]},{kind},Item {i},app"
            for i in range(start, start + n)]
    return "item_id,date,unit,kind,text,channel\n" + "\n".join(rows) + "\n"


def test_a_large_file_is_one_audit_entry_and_reverting_it_puts_every_record_back(tmp_path, monkeypatch):
    store, first = _import(tmp_path, "big", _files(voice=_many_voice(300)), monkeypatch, bulk_lines=100)
    assert first.preview["voice"] == {"new": 300, "updated": 0, "unchanged": 0}
    before = store.table("voice")
    # The same file with 100 records changed (complaints now) and 50 new ones.
    changed = _many_voice(100, "complaint") + "\n".join(_many_voice(250, start=100).splitlines()[1:]) + "\n"
    second = run_import(store, _files(voice=changed))
    assert second.preview["voice"] == {"new": 50, "updated": 100, "unchanged": 200}
    entries = store.query("SELECT id, record_key, before, after FROM audit WHERE table_name = 'voice' ORDER BY id")
    assert len(entries) == 2  # one per file, not one per record
    assert json.loads(entries["after"].iloc[1])["counts"] == {"new": 50, "updated": 100, "unchanged": 200, "deleted": 0}
    image = bulk.audit_folder(store.path) / json.loads(entries["before"].iloc[1])["image"]["before"]
    assert len(pd.read_parquet(image)) == 100
    assert store.scalar("SELECT count(*) FROM voice WHERE kind = 'complaint'") == 100
    history.revert(store, int(entries["id"].iloc[1]))
    pd.testing.assert_frame_equal(store.table("voice"), before)
    for table, frame in _rebuilt(store).items():
        pd.testing.assert_frame_equal(_summary_tables(store)[table], frame, obj=table)
    changes = history.recent_changes(store, limit=5, table="voice")
    assert changes["change"].iloc[0].startswith("whole file")


def test_reverting_a_file_is_refused_once_the_table_changed_since(tmp_path, monkeypatch):
    store, _ = _import(tmp_path, "big", _files(voice=_many_voice(200)), monkeypatch, bulk_lines=100)
    entry = int(store.scalar("SELECT max(id) FROM audit WHERE table_name = 'voice'"))
    from data import programme
    programme.add_voice_item(store, "praise", date(2024, 3, 1), "Later", today=date(2024, 4, 1))
    with pytest.raises(history.StoreError, match="has changed since"):
        history.revert(store, entry)
    history.revert(store, entry, force=True)
    assert store.scalar("SELECT count(*) FROM voice") == 1
