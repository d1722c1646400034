"""The importer on real files and real DuckDB databases: valid imports, idempotent re-imports, every problem located."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from data.export import EXTRA_TABLES, export_tables
from data.formats import FORMATS
from data.importer import format_preview, format_problems, load_path, plan_import, run_import
from data.schema import TABLES, WORKSHOP_TABLES
from data.store import Store, close_all

# A small but complete programme: every table, a unit whose parent comes later, optional units left out or empty.
VALID = {
    "units.csv": "unit,function,parent\n"
                 "North,frontline,Org\n"
                 "IT,internal,Org\n"
                 "Service desk,internal,IT\n"
                 "Org,leadership,\n",
    "headcount.csv": "month,unit,headcount,leavers\n"
                     "2024-01,North,40,1\n"
                     "2024-01,IT,10,0\n"
                     "2024-02,North,42,2\n"
                     "2024-02,IT,10,1\n",
    "training.csv": "date,unit,course,completed\n"
                    "2024-01-15,North,service-excellence,12\n"
                    "2024-02-10,IT,service-excellence,5\n",
    "plan.csv": "month,course,planned_coverage\n"
                "2024-01,service-excellence,0.25\n"
                "2024-02,service-excellence,0.5\n",
    "ideas.csv": "idea_id,title,unit,submitted_on,status,implemented_on\n"
                 "I-1,Call back within a day,North,2024-01-03,implemented,2024-01-20\n"
                 "I-2,Shared ticket board,IT,2024-01-05,review,\n",
    "voice.csv": "item_id,date,unit,kind,text,channel\n"
                 'V-1,2024-01-08,North,praise,"Quick, friendly help",email\n'
                 "V-2,2024-01-09,,complaint,-Waited too long,phone\n",
    "tickets.csv": "ticket_id,unit,opened_at,promised_by,closed_at\n"
                   "T-1,IT,2024-01-10 09:00,2024-01-11,2024-01-11 16:30\n"
                   "T-2,Service desk,2024-01-12T10:15,2024-01-15 12:00,\n",
    "survey.csv": "response_id,date,unit,score\n"
                  "S-1,2024-01-31,,9\n"
                  "S-2,2024-01-31,North,6\n",
    "readings.csv": "month,metric,value,unit\n"
                    "2024-01,satisfaction,7.5,\n"
                    "2024-01,satisfaction,7.9,North\n",
    "targets.csv": "metric,by,value,unit\n"
                   "nps,2024-12,30,\n",
    "initiatives.csv": "name,owner,start,end,status,unit,metric\n"
                       "Service course rollout,Ana,2024-01-01,2024-06-30,active,,training_coverage\n",
}
VALID_COUNTS = {"units": 4, "headcount": 4, "training": 2, "plan": 2, "ideas": 2, "voice": 2, "tickets": 2,
                "survey": 2, "readings": 2, "targets": 1, "initiatives": 1}
EMPTY_COUNTS = dict.fromkeys(TABLES, 0)


@pytest.fixture
def store(tmp_path):
    yield Store(tmp_path / "t.duckdb", actor="test")
    close_all()


def write_folder(folder, files):
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


def valid_bytes():
    return {name: text.encode() for name, text in VALID.items()}


def edited(name, old, new):
    """VALID with one text replaced in one file."""
    assert old in VALID[name], f"{old!r} is not in {name}"
    return {**VALID, name: VALID[name].replace(old, new)}


def state(store):
    return store.counts(), store.data_version(), store.scalar("SELECT count(*) FROM audit")


def located(plan):
    """Each problem's reasons by (file, row, column); one cell can break more than one rule."""
    found = {}
    for p in plan.problems:
        found[(p.file, p.row, p.column)] = f"{found.get((p.file, p.row, p.column), '')}{p.reason}\n"
    return found


def test_formats_match_the_stored_tables():
    for stem, fmt in FORMATS.items():
        assert set(fmt.names) == set(TABLES[stem].columns)
        assert set(fmt.key) == set(TABLES[stem].key)


def test_a_valid_folder_imports_every_table(store, tmp_path):
    plan = run_import(store, load_path(write_folder(tmp_path / "in", VALID)))
    assert plan.problems == []
    assert store.counts() == {**EMPTY_COUNTS, **VALID_COUNTS}
    assert plan.preview == {t: {"new": n, "updated": 0, "unchanged": 0} for t, n in VALID_COUNTS.items()}
    assert store.data_version() == 1
    assert store.scalar("SELECT parent FROM units WHERE unit = 'North'") == "Org"
    assert store.rows("SELECT month, unit FROM plan ORDER BY month")[0] == (dt.date(2024, 1, 1), "")
    assert store.rows("SELECT unit FROM survey ORDER BY response_id") == [("",), ("North",)]
    assert store.scalar("SELECT unit FROM voice WHERE item_id = 'V-2'") is None
    assert store.scalar("SELECT text FROM voice WHERE item_id = 'V-1'") == "Quick, friendly help"
    assert store.rows("SELECT opened_at, promised_by, closed_at FROM tickets ORDER BY ticket_id") == [
        (dt.datetime(2024, 1, 10, 9), dt.datetime(2024, 1, 11), dt.datetime(2024, 1, 11, 16, 30)),
        (dt.datetime(2024, 1, 12, 10, 15), dt.datetime(2024, 1, 15, 12), None)]
    assert store.scalar('SELECT "by" FROM targets') == dt.date(2024, 12, 1)


def test_reimporting_the_same_folder_changes_nothing(store, tmp_path):
    files = load_path(write_folder(tmp_path / "in", VALID))
    run_import(store, files)
    before = state(store)
    plan = run_import(store, files)
    assert plan.problems == []
    assert all(c["new"] == 0 and c["updated"] == 0 for c in plan.preview.values())
    assert sum(c["unchanged"] for c in plan.preview.values()) == sum(VALID_COUNTS.values())
    assert state(store) == before


def test_changing_one_value_updates_exactly_that_record(store, tmp_path):
    run_import(store, valid_bytes())
    version, last_audit = store.data_version(), store.scalar("SELECT max(id) FROM audit")
    files = {k: v.encode() for k, v in edited("headcount.csv", "2024-02,IT,10,1", "2024-02,IT,11,1").items()}
    plan = run_import(store, files)
    assert plan.preview["headcount"] == {"new": 0, "updated": 1, "unchanged": 3}
    assert sum(c["updated"] + c["new"] for c in plan.preview.values()) == 1
    assert plan.written["headcount"]["updated"] == 1
    assert store.scalar("SELECT headcount FROM headcount WHERE unit = 'IT' AND month = DATE '2024-02-01'") == 11
    assert store.data_version() == version + 1
    changed = store.rows("SELECT table_name, record_key FROM audit WHERE id > ? AND table_name IS NOT NULL",
                         [last_audit])
    assert changed == [("headcount", '{"month":"2024-02-01","unit":"IT"}')]


def test_an_export_reimports_unchanged(store, tmp_path):
    run_import(store, valid_bytes())
    export_tables(store, tmp_path / "out")
    # As load_path reads an export folder: the tables an export carries beside the programme's records are skipped.
    exported = {f"{t}.csv": (tmp_path / "out" / f"{t}.csv").read_bytes() for t in TABLES
                if t not in WORKSHOP_TABLES and t not in EXTRA_TABLES}
    assert b"'-Waited" in exported["voice.csv"]  # the export's formula guard, which the import takes off again
    plan = plan_import(store, exported)
    assert plan.problems == []
    assert all(c["new"] == 0 and c["updated"] == 0 for c in plan.preview.values())


def test_dry_run_previews_and_writes_nothing(store):
    plan = run_import(store, valid_bytes(), dry_run=True)
    assert plan.problems == []
    assert plan.preview["units"] == {"new": 4, "updated": 0, "unchanged": 0}
    assert plan.frames["headcount"]["month"].tolist()[0] == dt.date(2024, 1, 1)
    assert plan.written == {}
    assert state(store) == (EMPTY_COUNTS, 0, 0)


def test_units_stored_earlier_are_known_to_a_later_import(store):
    run_import(store, {"units.csv": VALID["units.csv"].encode()})
    plan = run_import(store, {"headcount.csv": VALID["headcount.csv"].encode()})
    assert plan.problems == []
    assert store.counts()["headcount"] == 4


def test_a_utf8_bom_and_capitalised_choices_are_accepted(store):
    units = "\ufeffUnit,Function,Parent\nNorth,Frontline,\n".encode()
    plan = run_import(store, {"units.csv": units})
    assert plan.problems == []
    assert store.rows("SELECT unit, function FROM units") == [("North", "frontline")]


LATIN1_HEADCOUNT = "month,unit,headcount,leavers\n2024-01,North,40,1\n2024-01,Zürich,5,0\n".encode("latin-1")

# (files, (file, row, column) of the expected problem, words its reason must contain)
ERROR_CASES = {
    "not utf-8": ({**VALID, "headcount.csv": LATIN1_HEADCOUNT}, ("headcount.csv", 3, "unit"),
                  "saved as UTF-8"),
    "empty file": ({**VALID, "survey.csv": ""}, ("survey.csv", None, ""), "is empty"),
    "no header row": (edited("headcount.csv", "month,unit,headcount,leavers\n", ""), ("headcount.csv", 1, ""),
                      "must be the header row"),
    "unknown column": (edited("headcount.csv", "leavers\n", "leavers,notes\n"), ("headcount.csv", 1, "notes"),
                       "is not a column of headcount"),
    "missing column": ({**VALID, "headcount.csv": "month,unit,headcount\n2024-01,North,40\n"},
                       ("headcount.csv", 1, "leavers"), "required column"),
    "unknown file": ({**VALID, "budget.csv": "a,b\n1,2\n"}, ("budget.csv", None, ""), "not one of the import tables"),
    "unknown unit": (edited("headcount.csv", "2024-01,IT,", "2024-01,Nrth,"), ("headcount.csv", 3, "unit"),
                     'names the unit "Nrth"'),
    "unknown parent": (edited("units.csv", "IT,internal,Org", "IT,internal,Head office"), ("units.csv", 3, "parent"),
                       'names the unit "Head office"'),
    "own parent": (edited("units.csv", "IT,internal,Org", "IT,internal,IT"), ("units.csv", 3, "parent"),
                   "cannot be its own parent"),
    "parent loop": (edited("units.csv", "Org,leadership,", "Org,leadership,North"), ("units.csv", 5, "parent"),
                    "loop (Org -> North -> Org)"),
    "bad function": (edited("units.csv", "North,frontline", "North,backoffice"), ("units.csv", 2, "function"),
                     'one of frontline, internal, leadership (got "backoffice")'),
    "bad date": (edited("training.csv", "2024-01-15", "2024-02-30"), ("training.csv", 2, "date"),
                 'must be a date YYYY-MM-DD that exists on the calendar (got "2024-02-30")'),
    "bad month": (edited("headcount.csv", "2024-02,North", "2024-13,North"), ("headcount.csv", 4, "month"),
                  "must be a month YYYY-MM"),
    "bad date-time": (edited("tickets.csv", "2024-01-10 09:00", "yesterday"), ("tickets.csv", 2, "opened_at"),
                      "date-time"),
    "negative count": (edited("headcount.csv", "2024-02,IT,10,1", "2024-02,IT,10,-3"),
                       ("headcount.csv", 5, "leavers"), 'must be a whole number >= 0 (got "-3")'),
    "empty required cell": (edited("headcount.csv", "2024-01,IT,10,", "2024-01,IT,,"),
                            ("headcount.csv", 3, "headcount"), "(the cell is empty)"),
    "coverage above 1": (edited("plan.csv", "0.5", "1.5"), ("plan.csv", 3, "planned_coverage"),
                         "share from 0 to 1"),
    "coverage as per cent": (edited("plan.csv", "0.5", "50%"), ("plan.csv", 3, "planned_coverage"),
                             "0.75 for 75%"),
    "score 11": (edited("survey.csv", "North,6", "North,11"), ("survey.csv", 3, "score"),
                 "whole number from 0 to 10"),
    "unknown status": (edited("ideas.csv", "review", "done"), ("ideas.csv", 3, "status"),
                       "one of submitted, review, approved, implemented, rejected"),
    "duplicate key": (edited("headcount.csv", "2024-02,IT,", "2024-01,North,"), ("headcount.csv", 5, "month, unit"),
                      "repeats the key of row 2"),
    "implemented without date": (edited("ideas.csv", "implemented,2024-01-20", "implemented,"),
                                 ("ideas.csv", 2, "implemented_on"), "required when status is implemented"),
    "date without implemented": (edited("ideas.csv", "review,", "review,2024-01-20"),
                                 ("ideas.csv", 3, "implemented_on"), "must be empty unless status is implemented"),
    "promise before opening": (edited("tickets.csv", "2024-01-15 12:00", "2024-01-11"),
                               ("tickets.csv", 3, "promised_by"), "must not be before opened_at"),
    "closed before opening": (edited("tickets.csv", "2024-01-11 16:30", "2024-01-10 08:59"),
                              ("tickets.csv", 2, "closed_at"), "must not be before opened_at"),
    "reading of a built-in metric": (edited("readings.csv", "7.9,North", "7.9,North\n2024-01,ideas_implemented,31,"),
                                     ("readings.csv", 4, "metric"),
                                     '"ideas_implemented" is computed by the tracker from the ideas sheet'),
    "built-in metric in capitals": (edited("readings.csv", "7.9,North", "7.9,North\n2024-01,Churn_Annualised,1,"),
                                    ("readings.csv", 4, "metric"), "a monthly nps reported by a survey vendor"),
    "metric key not snake_case": (edited("readings.csv", "7.9,North", "7.9,North\n2024-01,Guest Score,8,"),
                                  ("readings.csv", 4, "metric"), "lower-case words joined by underscores"),
    "target for an unknown metric": (edited("targets.csv", "nps,", "npss,"), ("targets.csv", 2, "metric"),
                                     'names the metric "npss"'),
    "year typed wrongly": (edited("ideas.csv", "2024-01-05,review", "2062-01-05,review"),
                           ("ideas.csv", 3, "submitted_on"), '"2062-01-05" is after'),
    "year before any programme": (edited("headcount.csv", "2024-02,IT,", "1924-02,IT,"),
                                  ("headcount.csv", 5, "month"), "is before 1990"),
    "value under no column": (edited("voice.csv", "Waited too long", "Waited, too long"), ("voice.csv", 3, "(G)"),
                              "must be in double quotes"),
}


@pytest.mark.parametrize("files, where, words", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_each_problem_is_located_and_nothing_is_written(store, files, where, words):
    plan = run_import(store, {k: v if isinstance(v, bytes) else v.encode() for k, v in files.items()})
    problems = located(plan)
    assert where in problems, format_problems(plan.problems)
    assert words in problems[where]
    assert state(store) == (EMPTY_COUNTS, 0, 0)


def test_every_problem_is_reported_at_once(store):
    files = edited("headcount.csv", "2024-02,IT,10,1", "2024-02,IT,10,-3")
    files["survey.csv"] = files["survey.csv"].replace("North,6", "North,11")
    files["units.csv"] = files["units.csv"].replace("IT,internal,Org", "IT,internal,IT")
    plan = run_import(store, {k: v.encode() for k, v in files.items()})
    assert set(located(plan)) == {("headcount.csv", 5, "leavers"), ("survey.csv", 3, "score"),
                                  ("units.csv", 3, "parent")}
    assert state(store) == (EMPTY_COUNTS, 0, 0)


def test_problem_messages_read_as_file_row_column_reason(store):
    files = {k: v.encode() for k, v in edited("headcount.csv", "2024-02,IT,10,1", "2024-02,IT,10,-3").items()}
    assert format_problems(run_import(store, files).problems) == (
        'headcount.csv, row 5, column leavers: must be a whole number >= 0 (got "-3")')


def xlsx_bytes(sheets):
    book = openpyxl.Workbook()  # its default empty "Sheet" stays: an untouched sheet is no reason to refuse
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
        ws.append([])  # a trailing empty row, as spreadsheets leave them
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


XLSX_SHEETS = {
    "units": [["unit", "function", "parent"], ["North", "frontline", None]],
    "headcount": [["month", "unit", "headcount", "leavers"], [dt.datetime(2024, 1, 1), "North", 40, 1.0]],
    "training": [["date", "unit", "course", "completed"], [dt.date(2024, 1, 15), "North", "service-excellence", 12.0]],
    "tickets": [["ticket_id", "unit", "opened_at", "promised_by", "closed_at"],
                ["T-1", "North", dt.datetime(2024, 1, 10, 9, 30), dt.datetime(2024, 1, 11), None]],
    "plan": [["month", "course", "planned_coverage", "unit"], ["2024-01", "service-excellence", 0.25, None]],
}


def test_an_xlsx_workbook_imports_with_date_and_number_cells(store, tmp_path):
    path = tmp_path / "programme.xlsx"
    path.write_bytes(xlsx_bytes(XLSX_SHEETS))
    plan = run_import(store, load_path(path))
    assert plan.problems == []
    assert store.rows("SELECT month, headcount, leavers FROM headcount") == [(dt.date(2024, 1, 1), 40, 1)]
    assert store.rows("SELECT date, completed FROM training") == [(dt.date(2024, 1, 15), 12)]
    assert store.rows("SELECT opened_at, promised_by FROM tickets") == [
        (dt.datetime(2024, 1, 10, 9, 30), dt.datetime(2024, 1, 11))]
    assert store.rows("SELECT unit, planned_coverage FROM plan") == [("", 0.25)]


def test_xlsx_problems_name_the_sheet_and_its_row(store):
    sheets = {**XLSX_SHEETS, "headcount": [XLSX_SHEETS["headcount"][0], [dt.datetime(2024, 1, 1), "North", 40, 1],
                                           [dt.datetime(2024, 1, 15), "North", -2, 0]],
              "Budget": [["remember to update"]],
              "Notes": [["the template's notes sheet explains the others; it is not a table"]]}
    plan = run_import(store, {"programme.xlsx": xlsx_bytes(sheets)})
    assert set(located(plan)) == {("programme.xlsx, sheet headcount", 3, "month"),
                                  ("programme.xlsx, sheet headcount", 3, "headcount"),
                                  ("programme.xlsx, sheet Budget", None, "")}
    assert 'got "2024-01-15"' in located(plan)[("programme.xlsx, sheet headcount", 3, "month")]
    assert state(store) == (EMPTY_COUNTS, 0, 0)


def test_a_file_that_is_not_a_workbook_is_a_problem(store):
    plan = plan_import(store, {"programme.xlsx": b"not a zip"})
    assert located(plan) == {("programme.xlsx", None, ""): "cannot be read as an Excel workbook; save it from Excel "
                                                          "as .xlsx\n"}


def test_load_path_reads_only_the_csv_files_of_a_folder(tmp_path):
    folder = write_folder(tmp_path / "in", {"units.csv": VALID["units.csv"], "README.md": "notes"})
    assert list(load_path(folder)) == ["units.csv"]
    assert list(load_path(folder / "units.csv")) == ["units.csv"]
    with pytest.raises(FileNotFoundError):
        load_path(tmp_path / "missing")


def test_an_empty_folder_is_a_problem(store, tmp_path):
    plan = run_import(store, load_path(write_folder(tmp_path / "in", {})))
    assert [p.reason.split(":")[0] for p in plan.problems] == ["nothing to import"]


def test_format_preview_lists_each_table(store):
    text = format_preview(plan_import(store, valid_bytes()))
    assert text.splitlines()[0].split() == ["table", "new", "updated", "unchanged"]
    assert text.splitlines()[1].split() == ["units", "4", "0", "0"]


def test_frames_hold_the_stored_types(store):
    frames = plan_import(store, valid_bytes()).frames
    assert set(frames["plan"].columns) == set(TABLES["plan"].columns)
    assert frames["plan"]["unit"].tolist() == ["", ""]
    assert pd.api.types.is_integer_dtype(frames["headcount"]["leavers"])


def test_a_target_may_name_a_reading_imported_in_the_same_run(store):
    files = edited("targets.csv", "nps,2024-12,30,", "satisfaction,2030-12,8.5,")
    assert run_import(store, {k: v.encode() for k, v in files.items()}).problems == []


def test_a_semicolon_separated_csv_from_a_european_excel_imports(store):
    files = valid_bytes()
    files["units.csv"] = "\ufeffunit;function;parent\r\nNorth;frontline;Org\r\nIT;internal;Org\r\n" \
                         "Service desk;internal;IT\r\nOrg;leadership;\r\n".encode()
    plan = run_import(store, files)
    assert plan.problems == []
    assert store.table("units")["unit"].tolist() == ["IT", "North", "Org", "Service desk"]


def test_an_import_into_the_demo_is_refused_so_removing_the_demo_cannot_take_it_along(store):
    from data.demo import load_demo

    load_demo(store, dt.date(2025, 6, 1))
    counts, version = store.counts(), store.data_version()
    plan = run_import(store, valid_bytes())
    assert "holds the demo programme" in format_problems(plan.problems)
    assert store.counts() == counts and store.data_version() == version


def test_reimporting_a_file_keeps_what_the_tracker_stores_beside_it(store):
    run_import(store, valid_bytes())
    with store.transaction("decision") as tx:
        tx.upsert("ideas", pd.DataFrame({"idea_id": ["I-2"], "feedback": ["Trial starts in March"]}))
    changed_title = {k: v.encode() for k, v in edited("ideas.csv", "Shared ticket board", "Shared board").items()}
    plan = run_import(store, changed_title)
    assert plan.preview["ideas"] == {"new": 0, "updated": 1, "unchanged": 1}
    assert store.rows("SELECT title, feedback FROM ideas WHERE idea_id = 'I-2'") == [
        ("Shared board", "Trial starts in March")]


def test_an_export_with_the_kept_columns_reimports_them(store, tmp_path):
    run_import(store, valid_bytes())
    with store.transaction("handling") as tx:
        tx.upsert("voice", pd.DataFrame({"item_id": ["V-2"], "thanked_on": [dt.date(2024, 1, 10)]}))
    export_tables(store, tmp_path / "out")
    fresh = Store(tmp_path / "fresh.duckdb")
    assert run_import(fresh, load_path(tmp_path / "out")).problems == []
    assert fresh.scalar("SELECT thanked_on FROM voice WHERE item_id = 'V-2'") == dt.date(2024, 1, 10)
