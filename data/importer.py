"""Import the programme workbook (a folder of CSVs or one XLSX): check every cell, preview, write all or nothing."""
from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from data import bulk, roster
from data.export import EXTRA_TABLES as EXPORT_ONLY_TABLES
from data.export import FORMULA_PREFIXES
from data.formats import FORMATS, RESERVED_METRIC_KEYS, Column, FileFormat, Unfit
from data.store import Store

CSV_SUFFIX = ".csv"
XLSX_SUFFIX = ".xlsx"
MAX_SHOWN = 40  # characters of a cell quoted back in a message
SAVE_AS_UTF8 = 'the file must be saved as UTF-8 (in Excel: Save As, "CSV UTF-8")'
# Decoding with surrogateescape turns each byte that is not UTF-8 into one of these, so the bad cell can be found.
_BAD_BYTE = re.compile("[\udc80-\udcff]")
_SURROGATE_BASE = 0xDC00
_SEPARATORS = (";", "\t")  # what a spreadsheet set to another locale puts between columns instead of commas
_DATE_ONLY_LENGTH = len("YYYY-MM-DD")
_TABLE_LIST = ", ".join(FORMATS)
# A workbook's sheet with these names explains the others (the template's "notes"); it is not a table.
NOTE_SHEETS = ("notes", "readme", "read me")
DEMO_REFUSAL = ("this database holds the demo programme; remove it first (the Data page, or "
                "`python -m data clear-demo`), then import")
# Told how far a long import has got: (fraction done 0-1, what it is doing).
Progress = Callable[[float, str], None]


@dataclass
class Problem:
    """One reason the import cannot run, located as a spreadsheet shows it (header = row 1)."""

    file: str
    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


@dataclass
class ImportPlan:
    """What an import would do: every problem, and for each file that passed its checks the rows and their effect."""

    problems: list[Problem] = field(default_factory=list)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # table -> rows converted to the stored types
    staged: dict = field(default_factory=dict)  # table -> data.bulk.Staged: a large CSV checked and held by DuckDB
    preview: dict[str, dict[str, int]] = field(default_factory=dict)  # table -> new / updated / unchanged
    written: dict[str, dict[str, int]] = field(default_factory=dict)  # what run_import wrote; empty if nothing


@dataclass
class _Sheet:
    """One table's cells as read from a file, all text; rows[i] is spreadsheet row i + 1."""

    source: str  # how problems name it: "headcount.csv" or "programme.xlsx, sheet headcount"
    stem: str
    rows: list[list[str]]
    # Rows edited in a grid rather than read from a file: rows[0] holds the column names but is no row the user
    # sees, so records are numbered from 1 as the grid shows them and problems with the columns name no row.
    grid: bool = False

    @property
    def header_row(self) -> int | None:
        return None if self.grid else 1


@dataclass
class _Table:
    """One file's records checked cell by cell."""

    sheet: _Sheet
    fmt: FileFormat
    row_numbers: list[int] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)  # column -> cell text per record
    values: dict[str, list] = field(default_factory=dict)  # column -> stored value per record (None if it failed)
    failed: set[tuple[str, int]] = field(default_factory=set)  # (column, record index) that broke its rule
    problems: list[Problem] = field(default_factory=list)

    def problem(self, index: int | None, column: str, reason: str) -> None:
        row = self.sheet.header_row if index is None else self.row_numbers[index]
        self.problems.append(Problem(self.sheet.source, row, column, reason))

    def usable(self, column: str, index: int) -> bool:
        """The cell is there and passed its own rule, so checks across cells can use its value."""
        return column in self.values and (column, index) not in self.failed


# -- reading files -------------------------------------------------------------------------------------------------
def load_path(path: str | Path) -> dict[str, bytes]:
    """The files to import from a folder of CSV files, one .csv file or one .xlsx workbook, by name."""
    path = Path(path)
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir())
                if p.is_file() and p.suffix.lower() == CSV_SUFFIX and not p.name.startswith(".")
                and p.stem not in EXPORT_ONLY_TABLES}
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file or folder")
    return {path.name: path.read_bytes()}


def _show(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"


def _printable(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _csv_cell(text: str) -> str:
    # Exports prefix a cell a spreadsheet would run as a formula with an apostrophe; a spreadsheet hides it, so do we.
    text = text.strip()
    return text[1:] if text[:1] == "'" and text[1:2] and text[1] in FORMULA_PREFIXES else text


def _bad_byte(source: str, rows: list[list[str]]) -> Problem | None:
    """Where the first byte that is not UTF-8 sits, so the user can find the cell that was saved wrongly."""
    for number, row in enumerate(rows, start=1):
        for index, cell in enumerate(row):
            if match := _BAD_BYTE.search(cell):
                header = rows[0]
                column = _printable(header[index]) if number > 1 and index < len(header) else ""
                byte = ord(match[0]) - _SURROGATE_BASE
                return Problem(source, number, column, f'has a byte that is not UTF-8 (0x{byte:02X} in '
                                                       f'"{_show(_printable(cell))}"): {SAVE_AS_UTF8}')
    return None


def _separator(text: str) -> str:
    """Comma, or what a spreadsheet set to a European locale writes instead (';'), read off the header row."""
    header = text.split("\n", 1)[0]
    if "," in header:
        return ","
    return next((sep for sep in _SEPARATORS if sep in header), ",")


def _read_csv(name: str, data: bytes) -> tuple[list[_Sheet], list[Problem]]:
    try:
        text, clean = data.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        text, clean = data.decode("utf-8-sig", errors="surrogateescape"), False
    rows: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text)):
            rows.append([_csv_cell(cell) for cell in record])
    except csv.Error as exc:
        return [], [Problem(name, len(rows) + 1, "", f"cannot be read as CSV: {exc}")]
    problems = []
    if not clean and (bad := _bad_byte(name, rows)):
        problems.append(bad)
        # Carry on with the bad bytes shown as "�", so the rest of the file is still checked and messages print.
        rows = [[_printable(cell) for cell in row] for row in rows]
    return [_Sheet(name, Path(name).stem, rows)], problems


def _xlsx_cell(value) -> str:
    """A cell as the text the CSV rules expect: dates ISO, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(name: str, data: bytes) -> tuple[list[_Sheet], list[Problem]]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zip, XML and key errors alike for a file that is not a workbook
        return [], [Problem(name, None, "", "cannot be read as an Excel workbook; save it from Excel as .xlsx")]
    try:
        sheets = [_Sheet(f"{name}, sheet {ws.title}", ws.title,
                         [[_xlsx_cell(v) for v in row] for row in ws.iter_rows(values_only=True)])
                  for ws in book.worksheets]
    finally:
        book.close()
    return sheets, []


def _read_files(files: Mapping[str, bytes], progress: Progress | None = None) -> tuple[list[_Sheet], list[Problem]]:
    sheets: list[_Sheet] = []
    problems: list[Problem] = []
    for done, (name, data) in enumerate(files.items()):
        if progress:
            progress(done / len(files), f"Reading {name}")
        suffix = Path(name).suffix.lower()
        if suffix == CSV_SUFFIX:
            found, trouble = _read_csv(name, data)
        elif suffix == XLSX_SUFFIX:
            found, trouble = _read_xlsx(name, data)
        else:
            found, trouble = [], [Problem(name, None, "", "is neither a .csv file nor an .xlsx workbook")]
        sheets += found
        problems += trouble
    return sheets, problems


def _is_blank(row: list[str]) -> bool:
    return not any(row)


def _pick_sheets(sheets: list[_Sheet]) -> tuple[dict[str, _Sheet], list[Problem]]:
    """Each table's sheet by file stem or sheet name; unknown names and a table given twice are problems."""
    chosen: dict[str, _Sheet] = {}
    problems = []
    for sheet in sheets:
        stem = roster.table_of(sheet.stem.strip().lower(), sheet.rows[0] if sheet.rows else [])
        empty = all(_is_blank(row) for row in sheet.rows)
        if stem in NOTE_SHEETS and stem not in FORMATS:
            continue  # the template's explanations (or a user's own README sheet) carry no records
        if stem not in FORMATS:
            # A workbook's untouched default sheet (Sheet1) carries nothing, so it is no reason to refuse the import.
            if not empty:
                problems.append(Problem(sheet.source, None, "", f"is not one of the import tables ({_TABLE_LIST}); "
                                        "name each file or sheet after its table (another system's export: "
                                        "upload it on its own on the Import page to match its columns once, or "
                                        "import it with --mapping)"))
        elif stem in chosen:
            problems.append(Problem(sheet.source, None, "", f"gives the table {stem} a second time (it is also in "
                                                            f"{chosen[stem].source}); give each table once"))
        elif empty:
            problems.append(Problem(sheet.source, None, "", "is empty; the first row must be the header naming "
                                                            f"the columns ({', '.join(FORMATS[stem].names)})"))
        else:
            chosen[stem] = sheet
    return chosen, problems


# -- checking one file ---------------------------------------------------------------------------------------------
def _header(table: _Table) -> dict[str, int] | None:
    """Where each known column is (by position), or None when the first row is not a header at all."""
    fmt, source = table.fmt, table.sheet.source
    header = [cell.lower() for cell in table.sheet.rows[0]]
    if not set(header) & set(fmt.names):
        what = "must have" if table.sheet.grid else "must be the header row naming"
        table.problems.append(Problem(source, table.sheet.header_row, "",
                                      f"{what} the columns ({', '.join(fmt.names)}) but has none of them"))
        return None
    positions: dict[str, int] = {}
    for index, (name, raw) in enumerate(zip(header, table.sheet.rows[0], strict=True)):
        if not name:
            continue  # a column without a name is only a problem where it holds values (see _records)
        if name not in fmt.names:
            table.problem(None, raw, f"is not a column of {fmt.stem}; its columns are {', '.join(fmt.names)}")
        elif name in positions:
            table.problem(None, raw, f"appears twice in the header (columns {get_column_letter(positions[name] + 1)}"
                                     f" and {get_column_letter(index + 1)})")
        else:
            positions[name] = index
    for column in fmt.columns:
        if column.name not in positions and not (column.whole_org or column.kept):
            where = "the rows given do" if table.sheet.grid else "the header row does"
            table.problem(None, column.name, f"is a required column but {where} not have it")
    return positions


def _records(table: _Table, positions: dict[str, int]) -> None:
    """Collect each non-blank record's cells by column; a value under no column name is a problem."""
    header = table.sheet.rows[0]
    table.texts = {name: [] for name in positions}
    for number, row in enumerate(table.sheet.rows[1:], start=(table.sheet.header_row or 0) + 1):
        if _is_blank(row):
            continue  # blank rows (a spreadsheet's trailing ones too) carry nothing
        table.row_numbers.append(number)
        for name, index in positions.items():
            table.texts[name].append(row[index] if index < len(row) else "")
        stray = next((i for i, cell in enumerate(row) if cell and (i >= len(header) or not header[i])), None)
        if stray is not None:
            table.problem(len(table.row_numbers) - 1, f"({get_column_letter(stray + 1)})", STRAY_REASON)


def cell_reason(rule, text: str, error: ValueError) -> str:
    """Why a cell's text does not fit its rule, as every problem list says it."""
    return str(error) if isinstance(error, Unfit) else f'must be {rule.expects} (got "{_show(text)}")'


def empty_reason(rule) -> str:
    return f"must be {rule.expects} (the cell is empty)"


def _check_cells(table: _Table, column: Column) -> None:
    texts = table.texts.get(column.name)
    if texts is None:  # left out: a whole-organisation unit (or a missing column, reported already)
        if column.whole_org:
            table.values[column.name] = [column.empty_value] * len(table.row_numbers)
            table.texts[column.name] = [""] * len(table.row_numbers)
        return
    rule = column.rule
    parsed: dict[str, object] = {}
    for text in set(texts) - {""}:  # each distinct text once: months, units and statuses repeat a lot
        try:
            parsed[text] = rule.parse(text)
        except ValueError as exc:
            parsed[text] = exc
    values = []
    for index, text in enumerate(texts):
        if not text:
            if not column.optional:
                table.problem(index, column.name, empty_reason(rule))
                table.failed.add((column.name, index))
            values.append(column.empty_value)
            continue
        value = parsed[text]
        if isinstance(value, ValueError):
            table.problem(index, column.name, cell_reason(rule, text, value))
            table.failed.add((column.name, index))
            value = None
        values.append(value)
    table.values[column.name] = values


def _check_file(sheet: _Sheet, fmt: FileFormat) -> _Table:
    table = _Table(sheet, fmt)
    positions = _header(table)
    if positions is not None:
        _records(table, positions)
        for column in table.fmt.columns:
            _check_cells(table, column)
    return table


# -- checks across cells, files and the database -------------------------------------------------------------------
def _unit_hint(unit: str, known: set[str]) -> str:
    close = difflib.get_close_matches(unit, known, n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


STRAY_REASON = ("has a value under no column name (in a CSV file, a value containing a comma must be in double "
                "quotes)")


def unit_reason(unit: str, hint: str, grid: bool = False) -> str:
    where = "not a stored unit" if grid else "neither stored nor in this import's units"
    return f'names the unit "{_show(unit)}", which is {where}{hint}'


def order_reason(earlier: str, later_text: str, earlier_text: str) -> str:
    return f"must not be before {earlier} ({later_text} is before {earlier_text})"


def filled_reason(other: str, wanted: str, value, filled: bool) -> str | None:
    """Why a cell that must be filled exactly when `other` is `wanted` breaks that rule, or None when it keeps it."""
    if value == wanted and not filled:
        return f"is required when {other} is {wanted} (the cell is empty)"
    if value != wanted and filled:
        return f'must be empty unless {other} is {wanted} ({other} is "{value}")'
    return None


def duplicate_reason(first_row: int, texts: Mapping[str, str], grid: bool = False) -> str:
    shown = ", ".join(f'{c} "{_show(t)}"' for c, t in texts.items())
    scope = "in one save" if grid else "in an import"
    return f"repeats the key of row {first_row} ({shown}); each record may appear only once {scope}"


def _check_unit_names(table: _Table, known: set[str]) -> None:
    hints: dict[str, str] = {}  # one misspelt unit tends to fill a whole column
    for column in table.fmt.columns:
        if not column.rule.names_unit or column.name not in table.values:
            continue
        for index, unit in enumerate(table.values[column.name]):
            if unit and unit not in known:
                if unit not in hints:
                    hints[unit] = _unit_hint(unit, known)
                table.problem(index, column.name, unit_reason(unit, hints[unit], table.sheet.grid))


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _is_before(later: date, later_text: str, earlier: date, earlier_text: str) -> bool:
    # A date without a time means "some time that day", so then only whole days are compared.
    if len(later_text) > _DATE_ONLY_LENGTH and len(earlier_text) > _DATE_ONLY_LENGTH:
        return later < earlier
    return _day(later) < _day(earlier)


def _check_order(table: _Table) -> None:
    for later, earlier in table.fmt.not_before:
        for index in range(len(table.row_numbers)):
            if not (table.usable(later, index) and table.usable(earlier, index)):
                continue
            a, b = table.values[later][index], table.values[earlier][index]
            ta, tb = table.texts[later][index], table.texts[earlier][index]
            if a is not None and b is not None and _is_before(a, ta, b, tb):
                table.problem(index, later, order_reason(earlier, ta, tb))


def _check_filled_iff(table: _Table) -> None:
    for column, other, wanted in table.fmt.filled_iff:
        for index in range(len(table.row_numbers)):
            if not (table.usable(column, index) and table.usable(other, index)):
                continue
            filled, value = bool(table.texts[column][index]), table.values[other][index]
            if (reason := filled_reason(other, wanted, value, filled)) is not None:
                table.problem(index, column, reason)


def _check_duplicates(table: _Table) -> None:
    key = table.fmt.key
    seen: dict[tuple, int] = {}
    for index, number in enumerate(table.row_numbers):
        if not all(table.usable(c, index) for c in key):
            continue
        record_key = tuple(table.values[c][index] for c in key)
        if record_key in seen:
            texts = {c: table.texts[c][index] for c in key}
            table.problem(index, ", ".join(key), duplicate_reason(seen[record_key], texts, table.sheet.grid))
        else:
            seen[record_key] = number


def _loop_through(unit: str, parents: dict[str, str | None]) -> list[str] | None:
    """The chain of parents from a unit back to itself, or None when it ends at the top."""
    chain, seen = [unit], {unit}
    parent = parents.get(unit)
    while parent:
        chain.append(parent)
        if parent == unit:
            return chain
        if parent in seen:
            return None  # a loop above this unit: reported on the units that form it
        seen.add(parent)
        parent = parents.get(parent)
    return None


def _check_unit_tree(table: _Table, stored_parents: dict[str, str | None]) -> None:
    """A unit may not be its own parent, directly or through others (stored or imported)."""
    if not ("unit" in table.values and "parent" in table.values):
        return
    parents = dict(stored_parents)
    parents.update((u, p) for u, p in zip(table.values["unit"], table.values["parent"], strict=True) if u)
    for index, (unit, parent) in enumerate(zip(table.values["unit"], table.values["parent"], strict=True)):
        if not (unit and parent):
            continue
        if unit == parent:
            table.problem(index, "parent", "a unit cannot be its own parent")
        elif chain := _loop_through(unit, parents):
            table.problem(index, "parent", f"would make the units a loop ({' -> '.join(chain)})")


def _check_metric_names(table: _Table, known: set[str]) -> None:
    for column in table.fmt.columns:
        if not column.rule.names_metric or column.name not in table.values:
            continue
        for index, metric in enumerate(table.values[column.name]):
            if metric and metric not in known:
                close = difflib.get_close_matches(metric, known, n=1)
                hint = f' (did you mean "{close[0]}"?)' if close else ""
                where = ("a registered metric nor one with readings" if table.sheet.grid
                         else "a reading stored or in this import's readings")
                table.problem(index, column.name, f'names the metric "{_show(metric)}", which is neither built in '
                                                  f"nor {where}{hint}")


def _cross_checks(tables: dict[str, _Table], store: Store) -> None:
    stored_parents = dict(store.rows("SELECT unit, parent FROM units"))
    known = set(stored_parents)
    if "units" in tables:
        known.update(u for u in tables["units"].values.get("unit", []) if u)
    metrics = set(RESERVED_METRIC_KEYS) | {r[0] for r in store.rows(
        "SELECT metric FROM readings UNION SELECT key FROM metric_registry")}
    for stem, column in (("readings", "metric"), ("metric_registry", "key")):
        if stem in tables:
            metrics.update(m for m in tables[stem].values.get(column, []) if m)
    for table in tables.values():
        _check_unit_names(table, known)
        _check_metric_names(table, metrics)
        _check_order(table)
        _check_filled_iff(table)
        _check_duplicates(table)
    if "units" in tables:
        _check_unit_tree(tables["units"], stored_parents)
    roster.cross_checks(tables, store)


# -- checking tables, from files or from a grid ---------------------------------------------------------------------
def check_sheets(store: Store, sheets: Mapping[str, _Sheet],
                 progress: Progress | None = None) -> tuple[list[Problem], dict[str, pd.DataFrame]]:
    """Every problem of these tables' cells, across them and against the database, and the rows of each table
    that passed every check, converted to the stored types (in dependency order, units first)."""
    tables = {}
    for done, (stem, sheet) in enumerate(sheets.items()):
        if progress:
            progress(done / max(len(sheets), 1), f"Checking {sheet.source}")
        tables[stem] = _check_file(sheet, FORMATS[stem])
    _cross_checks(tables, store)
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for stem in FORMATS:  # dependency order, units first
        table = tables.get(stem)
        if table is None:
            continue
        table.problems.sort(key=lambda p: p.row or 0)
        problems += table.problems
        if not table.problems:
            # Only the given columns: what the tracker keeps beside them (feedback, complaint handling) stays.
            names = [name for name in table.fmt.names if name in table.values]
            frames[stem] = pd.DataFrame({c: table.values[c] for c in names}, columns=names)
    return problems, frames


def cell_text(value) -> str:
    """A value from a grid or a workbook as the text the import rules read: dates ISO, whole numbers without '.0'."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float) and value != value:  # NaN: an empty number cell
        return ""
    if value is pd.NA:
        return ""
    return _xlsx_cell(value)


def grid_sheet(table: str, frame: pd.DataFrame) -> _Sheet:
    """A table's rows as edited in a grid (values or texts), checked like a file of that table."""
    header = [str(c) for c in frame.columns]
    rows = [[cell_text(v) for v in record] for record in frame.itertuples(index=False, name=None)]
    return _Sheet(table, table, [header, *rows], grid=True)


def check_frames(store: Store, frames: Mapping[str, pd.DataFrame]) -> tuple[list[Problem], dict[str, pd.DataFrame]]:
    """check_sheets for rows edited in a grid: problems name the table and the row as the grid shows it (from 1)."""
    unknown = [t for t in frames if t not in FORMATS]
    if unknown:
        raise ValueError(f"not tables of the tracker: {', '.join(unknown)}")
    return check_sheets(store, {t: grid_sheet(t, f) for t, f in frames.items()})


# -- the plan: frames, preview, write ------------------------------------------------------------------------------
def plan_import(store: Store, files: Mapping[str, bytes], progress: Progress | None = None) -> ImportPlan:
    """Check every file and compare with the database, writing nothing. Frames and preview cover the files that
    passed every check; the import as a whole may run only when there are no problems at all.

    `progress`, if given, is told how far the work has got (reading, checking, comparing), for a progress bar."""
    plan = _plan(store, files, progress, preview=True)
    drop_staged(store, plan)
    return plan


def _plan(store: Store, files: Mapping[str, bytes], progress: Progress | None, preview: bool) -> ImportPlan:
    plan = ImportPlan()
    if store.is_demo():
        # Removing the demo removes every record; a programme imported beside it would go with it.
        plan.problems.append(Problem("", None, "", DEMO_REFUSAL))
        return plan
    if not files:
        plan.problems.append(Problem("", None, "", f"nothing to import: give a folder of CSV files named after the "
                                                   f"tables ({_TABLE_LIST}) or one .xlsx workbook"))
        return plan
    candidates = {name: data for name, data in files.items() if bulk.wants_bulk(name, data)}
    rest = {name: data for name, data in files.items() if name not in candidates}
    sheets, plan.problems = _read_files(rest, _scaled(progress, 0.0, 0.2))
    chosen, _ = _pick_sheets(sheets)
    for name, data in candidates.items():
        stem = Path(name).stem.lower()
        if progress:
            progress(0.2, f"Reading and checking {name} with DuckDB")
        if stem not in chosen and stem not in plan.staged:
            try:
                plan.staged[stem] = bulk.stage(store._cursor(), name, data, _known_units(store, chosen),
                                               _known_metrics(store, chosen))
                continue
            except bulk.NotForBulk:
                pass  # cell by cell, exactly as a small file
        found, trouble = _read_csv(name, data)
        sheets += found
        plan.problems += trouble
    chosen, picked_problems = _pick_sheets(sheets)
    plan.problems += picked_problems
    problems, plan.frames = check_sheets(store, chosen, _scaled(progress, 0.3, 0.8))
    plan.problems += _in_table_order(problems, chosen, plan.staged)
    if preview or plan.problems:
        if progress:
            progress(0.8, "Comparing with the stored records")
        plan.preview = store.preview_upsert(plan.frames)
        plan.preview.update({stem: bulk.preview(store._cursor(), staged) for stem, staged in plan.staged.items()
                             if not staged.problems})
        plan.preview = {t: plan.preview[t] for t in FORMATS if t in plan.preview}
    if progress:
        progress(1.0, "Checked")
    return plan


def _known_units(store: Store, chosen: Mapping[str, _Sheet]) -> set[str]:
    """Units stored or named in this import's units file, as the cell-by-cell checks know them."""
    known = {r[0] for r in store.rows("SELECT unit FROM units")}
    if "units" in chosen:
        rows = chosen["units"].rows
        header = [c.lower() for c in rows[0]]
        if "unit" in header:
            at = header.index("unit")
            known.update(row[at] for row in rows[1:] if at < len(row) and row[at])
    return known


def _known_metrics(store: Store, chosen: Mapping[str, _Sheet]) -> set[str]:
    known = set(RESERVED_METRIC_KEYS) | {r[0] for r in store.rows(
        "SELECT metric FROM readings UNION SELECT key FROM metric_registry")}
    for stem, column in (("readings", "metric"), ("metric_registry", "key")):
        if stem in chosen:
            rows = chosen[stem].rows
            header = [c.lower() for c in rows[0]]
            if column in header:
                at = header.index(column)
                known.update(row[at] for row in rows[1:] if at < len(row) and row[at])
    return known


def _in_table_order(problems: list[Problem], chosen: Mapping[str, _Sheet], staged: Mapping) -> list[Problem]:
    """The problems of files checked cell by cell and of files checked by DuckDB, table by table (units first)."""
    by_source: dict[str, list[Problem]] = {}
    for problem in problems:
        by_source.setdefault(problem.file, []).append(problem)
    ordered = []
    for stem in FORMATS:
        if stem in staged:
            ordered += staged[stem].problems
        elif stem in chosen:
            ordered += by_source.pop(chosen[stem].source, [])
    return ordered + [p for rest in by_source.values() for p in rest]


def drop_staged(store: Store, plan: ImportPlan) -> None:
    """Release the temporary tables of the files DuckDB staged (after the write, or after a preview)."""
    for staged in plan.staged.values():
        bulk.drop(store._cursor(), staged)


def _scaled(progress: Progress | None, start: float, end: float) -> Progress | None:
    """A part of the work reporting 0-1 of itself as start-end of the whole."""
    if progress is None:
        return None
    return lambda fraction, text: progress(start + (end - start) * fraction, text)


def run_import(store: Store, files: Mapping[str, bytes], dry_run: bool = False,
               progress: Progress | None = None) -> ImportPlan:
    """Check, then write every table in one transaction (units first), or nothing if there is any problem."""
    # A run that writes needs no separate preview: the write itself decides what is new, updated or unchanged.
    plan = _plan(store, files, _scaled(progress, 0.0, 0.7), preview=dry_run)
    try:
        if plan.problems or dry_run:
            return plan
        _write(store, plan, files, progress)
    finally:
        drop_staged(store, plan)
    if progress:
        progress(1.0, "Written")
    return plan


def _write(store: Store, plan: ImportPlan, files: Mapping[str, bytes], progress: Progress | None) -> None:
    with store.transaction("import", ", ".join(files)) as tx:
        for done, table in enumerate(t for t in FORMATS if t in plan.frames or t in plan.staged):  # units first
            if progress:
                progress(0.7 + 0.3 * done / (len(plan.frames) + len(plan.staged)), f"Writing {table}")
            if table in plan.staged:
                counts = bulk.write(tx, store.path, plan.staged[table])
            else:
                counts = tx.upsert(table, plan.frames[table])
            plan.preview[table] = {k: v for k, v in counts.items() if k != "deleted"}
        roster.after_write(tx, set(plan.frames) | set(plan.staged))
        # The tables of the files; a setting the import keeps beside them (the roster's date) is no record of theirs.
        plan.written = {table: dict(counts) for table, counts in tx.summary.counts.items() if table in FORMATS}


# -- for the command line ------------------------------------------------------------------------------------------
def format_problems(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


def format_preview(plan: ImportPlan) -> str:
    if not plan.preview:
        return "Nothing to import."
    width = max(len("table"), *(len(t) for t in plan.preview))
    lines = [f"{'table':<{width}}  {'new':>7}  {'updated':>7}  {'unchanged':>9}"]
    lines += [f"{table:<{width}}  {c['new']:>7}  {c['updated']:>7}  {c['unchanged']:>9}"
              for table, c in plan.preview.items()]
    return "\n".join(lines)
