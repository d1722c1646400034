"""The programme workbook template: one sheet per import table with its header and an example row, and a notes sheet.

The example rows fit together (the ideas, tickets and readings name the example unit) and pass every import check,
so a programme lead can import the template as it is to see where each record lands, then replace the rows.
"""
from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from data.formats import FORMATS, Column, FileFormat
from data.importer import NOTE_SHEETS

NOTES_SHEET = NOTE_SHEETS[0]
MIN_WIDTH, MAX_WIDTH, NOTES_WIDTH = 10, 40, 90
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")

# One example record per table; dates as real dates (a spreadsheet shows them as dates, the import reads them back
# as ISO), months as text, since a month is no day.
EXAMPLE_UNIT = "Customer service"
EXAMPLES: dict[str, dict[str, object]] = {
    "units": {"unit": EXAMPLE_UNIT, "function": "frontline", "parent": ""},
    "headcount": {"month": "2025-01", "unit": EXAMPLE_UNIT, "headcount": 42, "leavers": 1},
    # Ended before the example headcount month: a unit's month comes from the roster or from headcount, never both.
    "roster": {"person_id": "E1001", "unit": EXAMPLE_UNIT, "start": date(2024, 3, 1), "end": date(2024, 11, 30),
               "end_reason": "left"},
    "training_people": {"date": date(2024, 6, 14), "person_id": "E1001", "course": "leadership-workshop"},
    "promise_hours": {"priority": "high", "hours": 8},
    "training": {"date": date(2025, 1, 15), "unit": EXAMPLE_UNIT, "course": "service-excellence", "completed": 12},
    "plan": {"month": "2025-06", "course": "service-excellence", "planned_coverage": 0.5, "unit": ""},
    "ideas": {"idea_id": "IDEA-001", "title": "Call customers back within one working day", "unit": EXAMPLE_UNIT,
              "submitted_on": date(2025, 1, 6), "status": "implemented", "implemented_on": date(2025, 1, 27)},
    "voice": {"item_id": "VOICE-001", "date": date(2025, 1, 9), "unit": EXAMPLE_UNIT, "kind": "praise",
              "text": "The agent solved my problem on the first call", "channel": "email"},
    "tickets": {"ticket_id": "TICKET-001", "unit": EXAMPLE_UNIT, "opened_at": datetime(2025, 1, 13, 9, 30),
                "promised_by": date(2025, 1, 14), "closed_at": datetime(2025, 1, 14, 11, 0)},
    "survey": {"response_id": "SURVEY-001", "date": date(2025, 1, 31), "unit": EXAMPLE_UNIT, "score": 9},
    "metric_registry": {"key": "first_call_resolution", "label": "First-call resolution", "kind": "leading",
                        "unit": "share", "direction": "up", "aggregation": "mean",
                        "description": "Share of contacts solved on the first call", "measure": "% of contacts"},
    "readings": {"month": "2025-01", "metric": "satisfaction", "value": 7.8, "unit": ""},
    "targets": {"metric": "nps", "by": "2025-12", "value": 30, "unit": ""},
    "process_changes": {"metric": "tickets_within_promise", "month": "2025-03", "unit": "",
                        "reason": "Every ticket now gets a promised time and progress updates"},
    "desired_actions": {"action_id": "ACTION-001", "month": "2025-01", "customer": "Key account: Northwind",
                        "unit": EXAMPLE_UNIT, "action": "Name one contact for all our open orders",
                        "due": date(2025, 2, 28), "status": "done", "done_on": date(2025, 2, 20)},
    "initiatives": {"name": "Service course for all staff", "owner": "Programme office", "start": date(2025, 1, 1),
                    "end": date(2025, 6, 30), "status": "active", "unit": "", "metric": "training_coverage"},
}

CONVENTIONS = [
    "How to fill in this workbook",
    "Each sheet is one table; its first row names the columns (order free, names exactly as given). Replace the "
    "example row with your records, one record per row. Sheets you do not need may be deleted or left with only "
    "their header.",
    "Dates are YYYY-MM-DD (e.g. 2025-01-15) or spreadsheet dates; months are YYYY-MM (e.g. 2025-01). Date-times "
    "(tickets) are YYYY-MM-DD HH:MM.",
    "Shares are fractions from 0 to 1 (0.75 for 75%), not per cent.",
    "A unit is an organisational unit named exactly as in the units sheet (or already stored). Where a unit is "
    "optional, leave it empty for the whole organisation.",
    "Key columns identify a record: a key already stored updates that record, so importing the same rows again "
    "changes nothing. A key may appear only once per import.",
    "The import is all or nothing: every problem is listed by sheet, row and column, and nothing is written until "
    "there are none.",
    "This notes sheet is ignored by the import.",
]
NOTES_HEADER = ["sheet", "column", "required", "key", "what it holds"]


def _required(column: Column) -> str:
    if column.whole_org:
        return "optional: empty = whole organisation"
    if column.kept:
        return "optional column (may be added)"
    return "optional" if column.optional else "required"


def _rule_note(fmt: FileFormat, column: Column) -> str:
    notes = [f"must be {column.rule.expects}"]
    for later, earlier in fmt.not_before:
        if column.name == later:
            notes.append(f"not before {earlier}")
    for filled, other, value in fmt.filled_iff:
        if column.name == filled:
            notes.append(f"filled exactly when {other} is {value}")
    if column.rule.names_unit:
        notes.append("a unit in the units sheet or already stored")
    if column.rule.names_metric:
        notes.append("a built-in metric key, a registered metric or one with readings")
    if column.rule.names_person:
        notes.append("the HR system's id, never a name; in training_people, a person in the roster")
    if fmt.stem == "roster" and column.name == "end_reason":
        notes.append("required exactly when end is set: moved (to another unit) or left (the organisation)")
    return "; ".join(notes)


def template_columns(fmt: FileFormat) -> list[str]:
    """The columns a template sheet carries: the file's own, not those the tracker keeps beside it."""
    return [c.name for c in fmt.columns if not c.kept]


def _cell_width(value) -> int:
    if isinstance(value, datetime):
        return len("YYYY-MM-DD HH:MM")
    if isinstance(value, date):
        return len("YYYY-MM-DD")
    return len(str(value))


def _table_sheet(book: openpyxl.Workbook, fmt: FileFormat) -> None:
    sheet = book.create_sheet(fmt.stem)
    names = template_columns(fmt)
    example = EXAMPLES[fmt.stem]
    sheet.append(names)
    sheet.append([example.get(name, "") for name in names])
    for index, name in enumerate(names, start=1):
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True)
        header.fill = HEADER_FILL
        cell = sheet.cell(row=2, column=index)
        if isinstance(cell.value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"
        width = max(len(name), _cell_width(example.get(name, ""))) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"


def _notes_sheet(book: openpyxl.Workbook) -> None:
    sheet = book.create_sheet(NOTES_SHEET)
    sheet.append([CONVENTIONS[0]])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    for line in CONVENTIONS[1:]:
        sheet.append([line])
        sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.append([])
    sheet.append(NOTES_HEADER)
    header_row = sheet.max_row
    for index in range(1, len(NOTES_HEADER) + 1):
        sheet.cell(row=header_row, column=index).font = Font(bold=True)
        sheet.cell(row=header_row, column=index).fill = HEADER_FILL
    for fmt in FORMATS.values():
        for column in fmt.columns:
            sheet.append([fmt.stem, column.name, _required(column), "key" if column.key else "",
                          _rule_note(fmt, column)])
    widths = [18, 22, 34, 6, NOTES_WIDTH]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def template_xlsx() -> bytes:
    """The programme workbook template as .xlsx bytes: one sheet per import table, then the notes sheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for fmt in FORMATS.values():
        _table_sheet(book, fmt)
    _notes_sheet(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
