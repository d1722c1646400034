"""The workbook template: download it, fill it in, import it, and the records appear."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl

from data.formats import FORMATS
from data.importer import plan_import, run_import
from data.template import NOTES_SHEET, template_columns, template_xlsx


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_one_sheet_per_table_with_a_bold_header_and_an_example_then_notes():
    book = workbook(template_xlsx())
    assert book.sheetnames == [*FORMATS, NOTES_SHEET]
    for stem, fmt in FORMATS.items():
        sheet = book[stem]
        header = [c.value for c in sheet[1]]
        assert header == template_columns(fmt)
        assert all(c.font.bold for c in sheet[1])
        assert sheet.max_row == 2  # the header and one example
        assert all(sheet.column_dimensions[c.column_letter].width >= len(str(c.value)) for c in sheet[1])


def test_the_notes_explain_every_column():
    notes = workbook(template_xlsx())[NOTES_SHEET]
    described = {(row[0], row[1]) for row in notes.iter_rows(values_only=True) if row[0] in FORMATS}
    assert described == {(stem, c.name) for stem, fmt in FORMATS.items() for c in fmt.columns}
    text = " ".join(str(v) for row in notes.iter_rows(values_only=True) for v in row if v)
    for convention in ("YYYY-MM-DD", "YYYY-MM", "whole organisation", "all or nothing"):
        assert convention in text


def test_the_template_as_downloaded_imports_cleanly(store):
    plan = plan_import(store, {"template.xlsx": template_xlsx()})
    assert plan.problems == []
    assert {t: c["new"] for t, c in plan.preview.items()} == dict.fromkeys(FORMATS, 1)


def test_a_filled_in_template_imports_and_its_records_appear(store):
    book = workbook(template_xlsx())
    book["units"].append(["Cabin crew", "frontline", ""])
    book["units"].append(["IT", "internal", ""])
    book["headcount"].append(["2025-02", "Cabin crew", 120, 3])
    book["headcount"].append([dt.datetime(2025, 2, 1), "IT", 15, 0])  # a month Excel turned into a date
    book["ideas"].append(["IDEA-002", "Shared ticket board", "IT", dt.date(2025, 2, 3), "Review", None])
    book["voice"].append(["VOICE-002", dt.date(2025, 2, 4), "", "complaint", "Waited an hour", "phone"])
    out = io.BytesIO()
    book.save(out)

    plan = run_import(store, {"programme.xlsx": out.getvalue()})
    assert plan.problems == []
    assert store.counts()["units"] == 3 and store.counts()["headcount"] == 3
    assert store.rows("SELECT status FROM ideas WHERE idea_id = 'IDEA-002'") == [("review",)]
    assert store.rows("SELECT unit, kind FROM voice WHERE item_id = 'VOICE-002'") == [(None, "complaint")]
    assert store.rows("SELECT headcount FROM headcount WHERE unit = 'IT'") == [(15,)]


def test_a_defect_in_a_filled_in_template_is_located_by_sheet_row_and_column(store):
    book = workbook(template_xlsx())
    book["headcount"].append(["2025-02", "Cabin crew", 120, 3])  # a unit not in the units sheet
    out = io.BytesIO()
    book.save(out)
    plan = run_import(store, {"programme.xlsx": out.getvalue()})
    assert [(p.file, p.row, p.column) for p in plan.problems] == [("programme.xlsx, sheet headcount", 3, "unit")]
    assert store.is_empty()
