"""Any export mapped once: which of its columns fills which of a tracker table's, and which of its values mean what.

A mapping turns a foreign file (a service desk's ticket export, a survey tool's responses, an HR job history, an LMS
completion report) into the tracker's own table as a CSV, each record on the same row number as in the export, and
hands that to the ordinary import (checks, preview, write, audit). Its own problems (a required field no column fills,
a value no mapping covers, a date not in the declared form) and the import's are reported against the export's file,
row and column. Mappings are saved by name and found again by their file's columns.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from data import formats
from data.importer import ImportPlan, Problem, _read_files, plan_import, run_import
from data.store import Store, StoreError

MAPPINGS_TABLE = "mappings"
PROMISE_TABLE = "promise_hours"
# Pseudo-fields beyond a table's columns: a ticket's state (open tickets keep no closed_at even when the tool fills a
# resolution date), and the event columns of an HR job history that become roster spells (data/history.py).
STATUS = "status"
OPEN, CLOSED = "open", "closed"
EFFECTIVE = "effective"
IN_POST, LEFT = "in post", "left"
PSEUDO_FIELDS = {
    "tickets": {STATUS: (OPEN, CLOSED)},
    "roster_history": {EFFECTIVE: None, STATUS: (IN_POST, LEFT)},
}
HISTORY_TARGET = "roster_history"  # a job history (one row per change) that becomes the roster's spells
# The tables an export can fill, with what each is for (the mapping step's choice).
TARGETS = {
    "tickets": "tickets from a service desk",
    "survey": "survey responses (0-10 recommendation score)",
    "roster": "staff roster, one row per person and spell in a unit",
    HISTORY_TARGET: "staff roster from an HR job history (one row per hire, move or leaving)",
    "training_people": "training completions by person (an LMS report)",
    "training": "training completions counted per unit",
    "headcount": "headcount and leavers per unit and month",
    "ideas": "ideas",
    "voice": "praise, complaints and assessments",
}
_DATE_KINDS = {formats.DATE: "date", formats.PLAN_DATE: "date", formats.DATETIME: "datetime",
               formats.MONTH: "month", formats.PLAN_MONTH: "month"}
SIGNATURE_DIGITS = 16
# Score labels a survey tool may export instead of the number; a label that starts with its score ("10 - Extremely
# likely") reads as that score without a value mapping, so next month's file needs none for a label not seen yet.
SCORE_WORDS = {"extremely likely": "10", "not at all likely": "0", "not likely at all": "0"}
_LEADING_SCORE = re.compile(r"\s*(\d{1,2})\b")
_SPACES = re.compile(r"\s+")
_ISO_CELL = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d+)?)?")  # how the workbook reader writes dates


@dataclass
class Field:
    """How one tracker field is filled: from a source column (its dates read in `date_format`, its values translated
    by `values`), or with one `constant` for every row."""

    source: str = ""
    constant: str = ""
    date_format: str = ""  # a strptime format of the source's dates; '' = already YYYY-MM-DD (or a date-time)
    values: dict[str, str] = field(default_factory=dict)  # source text -> tracker text


@dataclass
class ExportMapping:
    name: str
    target: str
    fields: dict[str, Field] = field(default_factory=dict)
    extra_header_rows: int = 0  # rows under the header that hold no records (Qualtrics: question text, import ids)
    # tickets: promised_by = opened_at + the hours promise_hours gives the priority in this source column (its
    # values mapped to the promise table's priorities by `promise_values`).
    promise_from: str = ""
    promise_values: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @staticmethod
    def from_json(text: str | dict) -> ExportMapping:
        raw = json.loads(text) if isinstance(text, str) else text
        fields = {name: Field(**spec) for name, spec in raw.pop("fields", {}).items()}
        return ExportMapping(fields=fields, **raw)


@dataclass
class Export:
    """A foreign file as read: its name, header row and records. rows[0] is the header; rows[i] is spreadsheet row
    i + 1 + title_rows, the title rows being a report's title lines above the header (Workday writes one)."""

    name: str
    rows: list[list[str]]
    title_rows: int = 0
    other_sheets: list[str] = field(default_factory=list)  # a workbook's sheets after the one read (said, not read)
    title_lines: list[list[str]] = field(default_factory=list, repr=False)  # the rows above the header
    # Read from a workbook, whose date cells arrive as ISO dates whatever form the mapping declares for text dates
    # (the same report saved as CSV one month and as Excel the next keeps its mapping).
    workbook: bool = False

    @property
    def header(self) -> list[str]:
        return self.rows[0] if self.rows else []

    @property
    def header_row(self) -> int:
        """The header's row number as a spreadsheet shows it."""
        return 1 + self.title_rows

    def first_record_row(self, skip: int) -> int:
        """The spreadsheet row of the first record, under the header and `skip` extra header rows."""
        return self.header_row + 1 + skip

    def title(self) -> str:
        """What the title rows say, for the mapping step's note."""
        lines = (" ".join(cell.strip() for cell in row if cell.strip()) for row in self.title_lines)
        return " / ".join(line for line in lines if line)

    def column(self, name: str, skip: int = 0) -> list[str]:
        """The column's cells of every record row (after the header and `skip` extra header rows)."""
        index = self.header.index(name)
        return [row[index] if index < len(row) else "" for row in self.rows[1 + skip:]]


MAX_TITLE_ROWS = 5  # a report's title lines above its header (name, date run, filters) that are looked for
SCAN_ROWS = 20


def _filled(row: list[str]) -> int:
    return sum(bool(cell.strip()) for cell in row)


def title_rows(rows: list[list[str]]) -> int:
    """How many rows above the header hold a report's title rather than column names: the header is the first row
    that names at least two columns and at least half as many as the widest of the first rows."""
    widest = max((_filled(r) for r in rows[:SCAN_ROWS]), default=0)
    for index, row in enumerate(rows[:MAX_TITLE_ROWS + 1]):
        if _filled(row) >= max(2, math.ceil(widest / 2)):
            return index
    return 0


def set_aside(export: Export) -> list[str]:
    """What of the file is not read as columns or records, said rather than dropped in silence."""
    notes = []
    if export.title_rows:
        rows = "Row 1" if export.title_rows == 1 else f"Rows 1-{export.title_rows}"
        said = f" ({export.title()})" if export.title() else ""
        notes.append(f"{rows}{said} above the column names {'is' if export.title_rows == 1 else 'are'} the "
                     f"report's title, not records; the column names are in row {export.header_row}.")
    if export.other_sheets:
        notes.append(f"Only the first sheet is read; the workbook's other sheets ({', '.join(export.other_sheets)}) "
                     "are not imported: upload each on its own.")
    return notes


def read_export(name: str, data: bytes) -> tuple[Export | None, list[Problem]]:
    """The first sheet of a CSV or XLSX file, read by the importer's own reader (encoding, separators, limits), with
    any title rows above its header set aside; a workbook's other sheets are named, not read."""
    sheets, problems = _read_files({name: data})
    sheets = [s for s in sheets if any(any(row) for row in s.rows)]
    if problems or not sheets:
        return None, problems or [Problem(name, None, "", "holds no rows")]
    first = sheets[0]
    above = title_rows(first.rows)
    return Export(name if len(sheets) == 1 else first.source, first.rows[above:], above,
                  [s.stem for s in sheets[1:]], first.rows[:above], Path(name).suffix.lower() == ".xlsx"), []


def signature(header: list[str]) -> str:
    """The same columns in any order give the same signature; how a saved mapping is found for the next file."""
    names = sorted({_SPACES.sub(" ", h.strip().lower()) for h in header if h.strip()})
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()[:SIGNATURE_DIGITS]


# -- what a target needs ---------------------------------------------------------------------------------------------
def score_from_label(text: str) -> str | None:
    """The 0-10 score a survey label stands for ('10 - Extremely likely' -> '10'), or None."""
    if text.lower() in SCORE_WORDS:
        return SCORE_WORDS[text.lower()]
    match = _LEADING_SCORE.match(text)
    return match[1] if match and int(match[1]) <= formats.MAX_SCORE else None


def _format_of(target: str) -> formats.FileFormat:
    return formats.FORMATS["roster" if target == HISTORY_TARGET else target]


def target_fields(target: str) -> list[formats.Column]:
    """The fields a mapping may fill for a target: the table's columns (a job history's own instead of start, end and
    end_reason) and the pseudo-fields, as Columns (required unless optional)."""
    columns = [c for c in _format_of(target).columns if not c.kept]
    if target == HISTORY_TARGET:
        columns = [c for c in columns if c.name in ("person_id", "unit")]
        columns += [formats.Column(EFFECTIVE, formats.DATE), formats.Column(STATUS, formats.choice(IN_POST, LEFT)),
                    formats.Column("end_reason", formats.choice("moved", "left"), optional=True)]
    elif STATUS in PSEUDO_FIELDS.get(target, {}):
        columns.append(formats.Column(STATUS, formats.choice(*PSEUDO_FIELDS[target][STATUS]), optional=True))
    return columns


def choices_of(column: formats.Column) -> tuple[str, ...] | None:
    """The words a choice field allows ('one of a, b, c'), or None for a field of free values."""
    prefix = "one of "
    if column.rule.expects.startswith(prefix):
        return tuple(column.rule.expects[len(prefix):].split(", "))
    return None


def date_kind(column: formats.Column) -> str | None:
    return _DATE_KINDS.get(column.rule)


def computed(mapping: ExportMapping, name: str) -> bool:
    return mapping.target == "tickets" and name == "promised_by" and bool(mapping.promise_from)


# -- applying a mapping ----------------------------------------------------------------------------------------------
@dataclass
class Applied:
    """The tracker's table made from an export: the CSV the import reads and the mapping's own problems."""

    table: str
    files: dict[str, bytes]
    problems: list[Problem]
    columns: dict[str, str]  # tracker column -> the source column that fills it (for problem messages)
    records: int = 0
    left_out: list[str] = field(default_factory=list)  # the export's columns no field reads (said, never silent)


def _reformat(text: str, form: str, kind: str) -> str:
    """A source date in `form` as the import reads it; ValueError when it is not in that form."""
    moment = datetime.strptime(text, form)
    if kind == "datetime":
        return moment.isoformat(sep=" ")
    if kind == "month":
        return moment.strftime("%Y-%m")
    return moment.date().isoformat()


def _iso_date(text: str, kind: str) -> str:
    # A date-time where a date is wanted (a survey's RecordedDate): the day is what the tracker keeps.
    return text[:len("YYYY-MM-DD")] if kind == "date" and len(text) > len("YYYY-MM-DD") else text


class _Cells:
    """Translates one field's cells, recording a problem for each cell it cannot translate."""

    def __init__(self, export: Export, mapping: ExportMapping, column: formats.Column, problems: list[Problem]):
        self.spec = mapping.fields.get(column.name, Field())
        self.column, self.export, self.problems = column, export, problems
        self.kind = date_kind(column)
        self.allowed = choices_of(column)

    def problem(self, row: int, reason: str) -> None:
        self.problems.append(Problem(self.export.name, row, f"{self.spec.source} ({self.column.name})", reason))

    def translate(self, text: str, row: int) -> str:
        text = text.strip()
        if not text:
            return ""
        mapped = self.spec.values.get(text, text)
        if self.allowed is not None:
            if mapped.lower() in self.allowed:
                return mapped.lower()
            self.problem(row, f'has the value "{text}", which the mapping does not translate to one of '
                              f"{', '.join(self.allowed)}; map it in the mapping step")
            return ""
        if mapped != text:  # a value mapping: a unit's name, a score from its label
            return mapped
        if self.column.name == "score":
            return score_from_label(text) or text
        if self.kind and self.spec.date_format:
            try:
                return _reformat(text, self.spec.date_format, self.kind)
            except ValueError:
                if self.export.workbook and _ISO_CELL.fullmatch(text):  # a date cell of the workbook
                    return text[:len("YYYY-MM")] if self.kind == "month" else _iso_date(text, self.kind)
                self.problem(row, f'"{text}" is not a date in the mapping\'s form {self.spec.date_format}')
                return ""
        return _iso_date(text, self.kind) if self.kind else text


def _missing_fields(export: Export, mapping: ExportMapping) -> list[Problem]:
    problems = []
    header = set(export.header)

    def problem(column: str, reason: str) -> None:
        problems.append(Problem(export.name, export.header_row, column, reason))

    for column in target_fields(mapping.target):
        spec = mapping.fields.get(column.name)
        if spec and spec.source and spec.source not in header:
            problem(spec.source, f"is mapped to {column.name} but the file has no such column")
        elif not (spec and (spec.source or spec.constant)) and not computed(mapping, column.name) \
                and not (column.optional or column.whole_org):
            problem(column.name, f"is required by {mapping.target} but no column of the file is mapped to it")
    if mapping.promise_from and mapping.promise_from not in header:
        problem(mapping.promise_from, "holds the priority for promised_by but the file has no such column")
    return problems


def _field_cells(export: Export, mapping: ExportMapping, problems: list[Problem]) -> dict[str, list[str]]:
    """Every mapped field's translated cells, one per record row."""
    skip, count = mapping.extra_header_rows, max(len(export.rows) - 1 - mapping.extra_header_rows, 0)
    first_row = export.first_record_row(skip)
    cells = {}
    for column in target_fields(mapping.target):
        spec = mapping.fields.get(column.name)
        if spec is None or not (spec.source or spec.constant):
            continue
        if not spec.source:
            cells[column.name] = [spec.constant] * count
            continue
        translate = _Cells(export, mapping, column, problems).translate
        cells[column.name] = [translate(text, first_row + i) for i, text in enumerate(export.column(spec.source,
                                                                                                        skip))]
    return cells


def _unnamed(export: Export, skip: int) -> list[str]:
    """Columns without a name in the header that hold values: no field can read them, and the lead is told."""
    width = max((len(row) for row in export.rows), default=0)
    named = export.header + [""] * (width - len(export.header))
    return [f"the unnamed column {i + 1}" for i in range(width) if not named[i].strip()
            and any(i < len(row) and row[i].strip() for row in export.rows[1 + skip:])]


def _blank_rows(export: Export, skip: int) -> list[bool]:
    return [not any(cell.strip() for cell in row) for row in export.rows[1 + skip:]]


def _csv(columns: list[str], records: list[list[str] | None]) -> bytes:
    """The tracker's file with each record on its export row; None leaves a blank row the import skips."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(record or [])
    return out.getvalue().encode("utf-8")


def apply_mapping(store: Store, export: Export, mapping: ExportMapping) -> Applied:
    """The export as the tracker's table (a CSV whose rows keep the export's row numbers) and the mapping's problems.
    Nothing is dropped: a record whose cell cannot be translated keeps its row, with the cell empty and a problem."""
    from data.job_history import spells_from_history  # the job-history form is a module of its own

    problems = _missing_fields(export, mapping)
    table = _format_of(mapping.target).stem
    sources = {name: spec.source or f'"{spec.constant}"' for name, spec in mapping.fields.items()}
    if computed(mapping, "promised_by"):
        sources["promised_by"] = mapping.promise_from
    if mapping.target == HISTORY_TARGET and EFFECTIVE in sources:  # a spell's start and end are rows' dates
        sources.update(start=sources[EFFECTIVE], end=sources[EFFECTIVE])
    used = set(sources.values())
    left_out = [h for h in export.header if h.strip() and h not in used] + _unnamed(export, mapping.extra_header_rows)
    if problems:
        return Applied(table, {}, problems, sources, left_out=left_out)
    cells = _field_cells(export, mapping, problems)
    blank = _blank_rows(export, mapping.extra_header_rows)
    if mapping.target == HISTORY_TARGET:
        columns, records = spells_from_history(export, mapping, cells, blank, problems)
    else:
        _close_open_tickets(mapping, cells)
        if computed(mapping, "promised_by"):
            cells["promised_by"] = _promised(store, export, mapping, cells, problems)
        columns = [c.name for c in _format_of(mapping.target).columns if c.name in cells]
        records = [None if blank[i] else [cells[c][i] for c in columns] for i in range(len(blank))]
    padding: list[list[str] | None] = [None] * mapping.extra_header_rows
    data = _csv(columns, padding + records)
    return Applied(table, {f"{table}.csv": data}, problems, sources, sum(r is not None for r in records), left_out)


def _close_open_tickets(mapping: ExportMapping, cells: dict[str, list[str]]) -> None:
    """A ticket the tool still counts as open has no closing time, whatever date its resolution column holds."""
    states = cells.pop(STATUS, None)
    if states is None or "closed_at" not in cells:
        return
    cells["closed_at"] = ["" if state == OPEN else closed for state, closed in zip(states, cells["closed_at"],
                                                                                  strict=True)]


def promise_hours(store: Store) -> dict[str, float]:
    return dict(store.rows(f"SELECT priority, hours FROM {PROMISE_TABLE} ORDER BY hours"))


def _promised(store: Store, export: Export, mapping: ExportMapping, cells: dict[str, list[str]],
              problems: list[Problem]) -> list[str]:
    """promised_by = opened_at + the promise table's hours for the ticket's priority."""
    hours = promise_hours(store)
    first_row = export.first_record_row(mapping.extra_header_rows)
    column = f"{mapping.promise_from} (promised_by)"
    out = []
    for i, (priority, opened) in enumerate(zip(export.column(mapping.promise_from, mapping.extra_header_rows),
                                               cells.get("opened_at", []), strict=False)):
        priority = mapping.promise_values.get(priority.strip(), priority.strip())
        if not priority:
            out.append("")
            continue
        if priority not in hours:
            known = ", ".join(hours) or "none set yet"
            problems.append(Problem(export.name, first_row + i, column, f'priority "{priority}" has no promised '
                                                                        f"time in the promise table ({known})"))
            out.append("")
            continue
        out.append(_plus_hours(opened, hours[priority]))
    return out


def _plus_hours(opened: str, hours: float) -> str:
    try:
        start = datetime.fromisoformat(opened)
    except ValueError:
        return ""  # the opening time's own problem is reported on opened_at
    return (start + timedelta(hours=hours)).isoformat(sep=" ", timespec="seconds")


# -- the import of a mapped export -----------------------------------------------------------------------------------
def _located(problem: Problem, applied: Applied, export: Export) -> Problem:
    """An import problem of the tracker's CSV, named by the export's file, row and column (the CSV keeps the export's
    rows under its header, so only the title rows above the header shift them)."""
    if problem.file not in applied.files:
        return problem
    columns = [c.strip() for c in problem.column.split(",")] if problem.column else []
    shown = ", ".join(f"{applied.columns[c]} ({c})" if c in applied.columns else c for c in columns)
    row = problem.row + export.title_rows if problem.row is not None else None
    return Problem(export.name, row, shown, problem.reason)


def import_mapped(store: Store, export: Export, mapping: ExportMapping,
                  dry_run: bool = False) -> tuple[ImportPlan, Applied]:
    """Map, then check and preview (dry_run) or write through the ordinary import. The plan's problems are the
    mapping's and the import's, all against the export; nothing is written while there is any."""
    applied = apply_mapping(store, export, mapping)
    if not applied.files:  # the mapping cannot make the table at all (a required field unmapped)
        return ImportPlan(problems=list(applied.problems)), applied
    # With problems of its own the mapping still has the import check the rest, so every problem shows at once; a
    # cell the mapping could not translate is left empty, and the import's word on that cell is not repeated.
    plan = plan_import(store, applied.files) if dry_run or applied.problems else run_import(store, applied.files)
    seen = {(p.row, p.column) for p in applied.problems}
    located = [_located(p, applied, export) for p in plan.problems]
    plan.problems = applied.problems + [p for p in located if (p.row, p.column) not in seen]
    return plan, applied


# -- saved mappings --------------------------------------------------------------------------------------------------
def save_mapping(store: Store, mapping: ExportMapping, header: list[str]) -> None:
    """Keep the mapping under its name for the next file with these columns (one audited write)."""
    if not mapping.name.strip():
        raise StoreError("Give the mapping a name, so the next export with these columns finds it.")
    frame = pd.DataFrame([{"name": mapping.name.strip(), "target": mapping.target, "signature": signature(header),
                           "spec": mapping.to_json()}])
    with store.transaction("mapping", f"saved mapping {mapping.name}") as tx:
        tx.upsert(MAPPINGS_TABLE, frame)


def saved_mapping(store: Store, name: str) -> ExportMapping | None:
    spec = store.scalar(f"SELECT CAST(spec AS VARCHAR) FROM {MAPPINGS_TABLE} WHERE name = ?", [name])
    return ExportMapping.from_json(spec) if spec else None


def mapping_for(store: Store, header: list[str]) -> ExportMapping | None:
    """The saved mapping of a file with these columns, if any (the first by name when several were saved)."""
    spec = store.scalar(f"SELECT CAST(spec AS VARCHAR) FROM {MAPPINGS_TABLE} WHERE signature = ? ORDER BY name "
                        "LIMIT 1", [signature(header)])
    return ExportMapping.from_json(spec) if spec else None


def saved_names(store: Store) -> list[str]:
    return [r[0] for r in store.rows(f"SELECT name FROM {MAPPINGS_TABLE} ORDER BY name")]


def _positive_hours(value) -> bool:
    try:
        return math.isfinite(float(value)) and float(value) > 0
    except (TypeError, ValueError):
        return False


def set_promise_hours(store: Store, hours: dict[str, float]) -> None:
    """The promise table: how many hours a ticket of each priority may take (one audited write)."""
    bad = [p for p, h in hours.items() if not str(p).strip() or not _positive_hours(h)]
    if bad:
        raise StoreError(f"Every priority needs a name and a number of hours above 0 ({', '.join(map(str, bad))}).")
    frame = pd.DataFrame([{"priority": p.strip(), "hours": float(h)} for p, h in hours.items()])
    with store.transaction("promise hours", ", ".join(f"{p} {h:g} h" for p, h in hours.items())) as tx:
        tx.upsert(PROMISE_TABLE, frame)


def export_from_path(path: Path) -> tuple[Export | None, list[Problem]]:
    return read_export(path.name, path.read_bytes())


# -- for the Import page ---------------------------------------------------------------------------------------------
def is_tracker_file(name: str, data: bytes) -> bool:
    """A file the import reads as it is: a workbook with a sheet named after a table, or a CSV named after a table
    whose header has that table's columns; anything else goes through the mapping step."""
    from data.roster import table_of

    sheets, problems = _read_files({name: data})
    if problems:
        return True  # unreadable: the import says why
    for sheet in sheets:
        header = [cell.strip().lower() for cell in (sheet.rows[0] if sheet.rows else [])]
        stem = table_of(sheet.stem.strip().lower(), header)
        if stem in formats.FORMATS and set(header) & set(formats.FORMATS[stem].names):
            return True
    return False


def distinct_values(export: Export, source: str, skip: int) -> list[str]:
    """The different values of a column, in the order they first appear (what a value mapping translates)."""
    seen: dict[str, None] = {}
    for text in export.column(source, skip):
        if text.strip():
            seen.setdefault(text.strip(), None)
    return list(seen)
