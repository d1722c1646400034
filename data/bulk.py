"""Large CSV files imported at DuckDB speed: staged by DuckDB's CSV reader (every cell as text), checked in SQL with the
import's own rules and messages, written with set-based upserts, audited as one entry per file with a Parquet
before-image beside the database (reverting it puts every record back).

A file takes this path only when the outcome cannot differ from the cell-by-cell importer (data/importer.py): any
doubt (bytes that are not UTF-8, blank lines inside the data, a problem in the header row, a row wider than the header,
whitespace DuckDB would trim differently) sends it back there. Rules are applied to each distinct text once, by the
same Python parse as the importer, except for dates and times of many distinct values, which SQL reads when they have
the exact shape the rule accepts (the rest still go to Python). Only SQL of ours runs here: column names come from
the formats, values are bound or registered as data.
"""
from __future__ import annotations

import csv
import difflib
import io
import json
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl.utils import get_column_letter

from data import summaries
from data.export import FORMULA_PREFIXES
from data.formats import DATE, DATETIME, FORMATS, MONTH, TEXT, Column, FileFormat
from data.schema import TABLES, quote

# Files with at least this many lines take the bulk path; smaller ones are quicker cell by cell.
BULK_LINES = 20_000
# A column with more distinct texts than this has its dates read by SQL (each distinct text is parsed in Python).
PYTHON_DISTINCT = 50_000
# Python's str.strip() takes every character str.isspace() knows; SQL must trim exactly the same ones.
_SPACE = "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x3001)) if c.isspace())
_EDGE = f"^[{_SPACE}]|[{_SPACE}]$"
_TRIM = f"^[{_SPACE}]+|[{_SPACE}]+$"
_FORMULA = ", ".join(f"chr({ord(c)})" for c in FORMULA_PREFIXES)
# Shapes the date rules accept (data/formats.py), for reading dates in SQL.
_SQL_SHAPES = {"date": r"^\d{4}-\d{2}-\d{2}$",
               "datetime": r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?$",
               "month": r"^(\d{4})-(\d{2})(-01)?$"}
# Only rules of things that happened (no later than this month); plans and targets are few and go to Python.
_SQL_RULES = {id(DATE): "date", id(DATETIME): "datetime", id(MONTH): "month"}
AUDIT_FOLDER_SUFFIX = "-audit"  # the before-images live in <database>-audit/ beside the database file
BULK_KEY = "bulk"  # record_key of a file's audit entry: {"bulk": "<file name>"}


class NotForBulk(Exception):
    """This file must go cell by cell (the reason is for the log, not the user)."""


@dataclass
class Staged:
    """A checked file in a temporary table of the cursor that staged it: one row per record, typed as stored."""

    source: str
    stem: str
    table: str  # the temporary table's name
    columns: list[str]  # the format's columns present (and whole-organisation units filled with '')
    rows: int
    problems: list = field(default_factory=list)  # data.importer.Problem


# The event tables, where millions of rows arrive; the units, plans and targets they refer to are read first, cell by
# cell, so the units a large file names are known when it is checked.
BULK_TABLES = frozenset(summaries.SOURCES)


def wants_bulk(name: str, data: bytes) -> bool:
    return (name.lower().endswith(".csv") and Path(name).stem.lower() in BULK_TABLES
            and data.count(b"\n") >= BULK_LINES)


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotForBulk("not UTF-8") from None
    if "\n\n" in text.rstrip("\r\n").replace("\r\n", "\n"):
        raise NotForBulk("blank lines inside the data")
    if text.count("\r") != text.count("\r\n"):
        raise NotForBulk("lines ended by a lone carriage return")
    return text


def _strip(column: str) -> str:
    """SQL for a raw cell stripped as str.strip() does ('' if absent); the regex replaces only where it has work."""
    cell = f"coalesce({column}, '')"
    return (f"CASE WHEN regexp_matches({cell}, '{_EDGE}') THEN regexp_replace({cell}, '{_TRIM}', '', 'g') "
            f"ELSE {cell} END")


def _unformula(cell: str) -> str:
    """SQL for a stripped cell with an export's apostrophe before a formula character taken off (as the importer)."""
    return f"CASE WHEN {cell}[1] = chr(39) AND {cell}[2] IN ({_FORMULA}) THEN {cell}[2:] ELSE {cell} END"


def _raw(cursor: duckdb.DuckDBPyConnection, path: Path, sep: str, width: int, name: str) -> None:
    columns = {f"c{i}": "VARCHAR" for i in range(width + 1)}  # one spare column catches a value beyond the header
    try:
        cursor.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM read_csv(?, header = false, skip = 1, "
            "all_varchar = true, delim = ?, quote = '\"', escape = '\"', columns = ?, null_padding = true, "
            "strict_mode = true, auto_detect = false, parallel = false)", [str(path), sep, columns])
    except duckdb.Error as exc:
        raise NotForBulk(f"DuckDB cannot read it as the importer does: {exc}") from None


def stage(cursor: duckdb.DuckDBPyConnection, name: str, data: bytes, known_units: set[str],
          known_metrics: set[str]) -> Staged:
    """Stage and check one CSV file; raises NotForBulk when it must go cell by cell."""
    from data import importer

    text = _text(data)
    stem = Path(name).stem.lower()
    fmt = FORMATS[stem]
    header_line = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=importer._separator(text)))
    header = [importer._csv_cell(c) for c in header_line]
    table = importer._Table(importer._Sheet(name, Path(name).stem, [header]), fmt)
    positions = importer._header(table)
    if positions is None or table.problems:
        raise NotForBulk("the header row has problems")
    raw, typed = f"bulk_raw_{stem}", f"bulk_{stem}"
    with tempfile.NamedTemporaryFile(suffix=".csv", mode="w", encoding="utf-8", newline="") as copy:
        copy.write(text)
        copy.flush()
        _raw(cursor, Path(copy.name), importer._separator(text), len(header), raw)
    checker = _Checker(cursor, name, fmt, header, positions, raw, typed)
    try:
        problems = checker.check(known_units, known_metrics)
    finally:
        cursor.execute(f"DROP TABLE IF EXISTS {raw}")
    return Staged(name, stem, typed, checker.present, checker.records, problems)


class _Checker:
    """The importer's checks of one file, in SQL over its staged cells; problems in the importer's order."""

    def __init__(self, cursor, source: str, fmt: FileFormat, header: list[str], positions: dict[str, int],
                 raw: str, typed: str):
        self.cursor, self.source, self.fmt, self.header = cursor, source, fmt, header
        self.positions, self.raw, self.typed = positions, raw, typed
        self.present = [c.name for c in fmt.columns if c.name in positions or c.whole_org]
        self.records = 0
        self.found: list[tuple] = []  # (row, phase, position, Problem)

    def problem(self, row: int, phase: int, position: int, column: str, reason: str) -> None:
        from data.importer import Problem
        self.found.append((row, phase, position, Problem(self.source, row, column, reason)))

    def check(self, known_units: set[str], known_metrics: set[str]) -> list:
        self._cells()
        self._stray()
        for position, column in enumerate(self.fmt.columns):
            if column.name in self.positions:
                self._rule(position, column)
        self._types()
        self._names(known_units, "names_unit", 2, self._unit_reason)
        self._names(known_metrics, "names_metric", 3, self._metric_reason)
        self._order()
        self._filled()
        self._duplicates()
        self.found.sort(key=lambda f: f[:3])
        return [f[3] for f in self.found]

    # -- cells ----------------------------------------------------------------------------------------------------
    def _cells(self) -> None:
        width = len(self.header) + 1
        stripped = ", ".join(f"{_strip(f'c{i}')} AS c{i}" for i in range(width))
        cells = ", ".join(f"{_unformula(f'c{i}')} AS c{i}" for i in range(width))
        blank = " AND ".join(f"c{i} = ''" for i in range(width))
        # rowid is the order DuckDB read the records in; row 1 is the header, as a spreadsheet numbers them.
        self.cursor.execute(f"CREATE OR REPLACE TEMP TABLE {self.typed}_cells AS SELECT * FROM "
                            f"(SELECT row, {cells} FROM (SELECT rowid + 2 AS row, {stripped} FROM {self.raw})) "
                            f"WHERE NOT ({blank})")
        self.records = self.cursor.execute(f"SELECT count(*) FROM {self.typed}_cells").fetchone()[0]

    def _stray(self) -> None:
        unnamed = [i for i in range(len(self.header) + 1) if i >= len(self.header) or not self.header[i]]
        if not unnamed:
            return
        first = "least(" + ", ".join(f"CASE WHEN c{i} <> '' THEN {i} END" for i in unnamed) + ")" \
            if len(unnamed) > 1 else f"CASE WHEN c{unnamed[0]} <> '' THEN {unnamed[0]} END"
        from data.importer import STRAY_REASON
        for row, index in self.cursor.execute(f"SELECT row, {first} AS i FROM {self.typed}_cells "
                                              f"WHERE {first} IS NOT NULL ORDER BY row").fetchall():
            self.problem(row, 0, 0, f"({get_column_letter(index + 1)})", STRAY_REASON)

    def _cell(self, column: Column) -> str:
        return f"c{self.positions[column.name]}"

    def _rule(self, position: int, column: Column) -> None:
        """Each distinct text once through the rule's own parse (SQL reads well-formed dates of a column with very
        many); the outcome lands in <typed>_<column>: text -> value as ISO text, or the reason it fails."""
        from data.importer import cell_reason, empty_reason

        cell, rule = self._cell(column), column.rule
        values = f"{self.typed}_v{position}"
        if rule is TEXT or rule.parse.__name__ == "_text":
            self.cursor.execute(f"CREATE OR REPLACE TEMP TABLE {values} AS SELECT DISTINCT {cell} AS text, "
                                f"{cell} AS value, CAST(NULL AS VARCHAR) AS reason FROM {self.typed}_cells")
        else:
            distinct = self.cursor.execute(f"SELECT count(DISTINCT {cell}) FROM {self.typed}_cells").fetchone()[0]
            shape = _SQL_RULES.get(id(rule)) if distinct > PYTHON_DISTINCT else None
            in_sql = self._sql_ok(cell, shape)
            texts = [r[0] for r in self.cursor.execute(
                f"SELECT DISTINCT {cell} FROM {self.typed}_cells WHERE {cell} <> '' AND NOT coalesce({in_sql}, FALSE)"
            ).fetchall()]
            parsed = []
            for text in texts:
                try:
                    parsed.append((text, _iso(rule.parse(text)), None))
                except ValueError as exc:
                    parsed.append((text, None, cell_reason(rule, text, exc)))
            frame = pd.DataFrame(parsed, columns=["text", "value", "reason"], dtype=object)
            self.cursor.register("bulk_parsed", frame)
            try:
                self.cursor.execute(
                    f"CREATE OR REPLACE TEMP TABLE {values} AS "
                    f"SELECT CAST(text AS VARCHAR) AS text, CAST(value AS VARCHAR) AS value, "
                    f"CAST(reason AS VARCHAR) AS reason FROM bulk_parsed "
                    f"UNION ALL {self._sql_dates(cell, shape, in_sql)}")
            finally:
                self.cursor.unregister("bulk_parsed")
        if not column.optional:
            for (row,) in self.cursor.execute(f"SELECT row FROM {self.typed}_cells WHERE {cell} = '' "
                                              "ORDER BY row").fetchall():
                self.problem(row, 1, position, column.name, empty_reason(rule))
        for row, reason in self.cursor.execute(
                f"SELECT c.row, v.reason FROM {self.typed}_cells c JOIN {values} v ON v.text = c.{cell} "
                "WHERE v.reason IS NOT NULL ORDER BY c.row").fetchall():
            self.problem(row, 1, position, column.name, reason)

    @staticmethod
    def _cast(cell: str, shape: str) -> str:
        return {"date": f"try_cast({cell} AS DATE)", "datetime": f"try_cast({cell} AS TIMESTAMP)",
                "month": f"try_cast(substr({cell}, 1, 7) || '-01' AS DATE)"}[shape]

    def _sql_ok(self, cell: str, shape: str | None) -> str:
        """SQL true for a cell SQL reads exactly as the rule would: the rule's shape, a real calendar day, and within
        the years the rule allows (no earlier than EARLIEST_YEAR, no later than the end of this month)."""
        if shape is None:
            return "FALSE"
        from data.formats import EARLIEST_YEAR
        cast = self._cast(cell, shape)
        return (f"(regexp_matches({cell}, '{_SQL_SHAPES[shape]}') AND {cast} IS NOT NULL "
                f"AND year({cast}) >= {EARLIEST_YEAR} AND CAST({cast} AS DATE) <= last_day(current_date))")

    def _sql_dates(self, cell: str, shape: str | None, in_sql: str) -> str:
        """The well-formed dates of a column with very many, read in SQL; the others went to Python (rule.parse),
        which says why a cell fails."""
        if shape is None:
            return "SELECT NULL, NULL, NULL WHERE FALSE"
        return (f"SELECT DISTINCT {cell}, CAST({self._cast(cell, shape)} AS VARCHAR), NULL FROM {self.typed}_cells "
                f"WHERE coalesce({in_sql}, FALSE)")

    def _types(self) -> None:
        """The staged records typed as stored; a cell that broke its rule is NULL with its text kept (t_<column>)."""
        spec = TABLES[self.fmt.stem]
        parts = ["c.row"]
        joins = []
        for position, column in enumerate(self.fmt.columns):
            if column.name not in self.present:
                continue
            name = quote(column.name)
            if column.name not in self.positions:  # a whole-organisation unit left out: ''
                parts += [f"'' AS {name}", f"'' AS t_{column.name}", f"FALSE AS bad_{column.name}"]
                continue
            cell = self._cell(column)
            empty = "''" if column.whole_org else "NULL"
            sql_type = spec.columns[column.name]
            parts += [f"CASE WHEN c.{cell} = '' THEN {empty} ELSE CAST(v{position}.value AS {sql_type}) END AS {name}",
                      f"c.{cell} AS t_{column.name}",
                      f"(v{position}.reason IS NOT NULL OR (c.{cell} = '' AND {not column.optional})) "
                      f"AS bad_{column.name}"]
            joins.append(f"LEFT JOIN {self.typed}_v{position} v{position} ON v{position}.text = c.{cell}")
        self.cursor.execute(f"CREATE OR REPLACE TEMP TABLE {self.typed} AS SELECT {', '.join(parts)} "
                            f"FROM {self.typed}_cells c {' '.join(joins)}")
        for position, _ in enumerate(self.fmt.columns):
            self.cursor.execute(f"DROP TABLE IF EXISTS {self.typed}_v{position}")
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.typed}_cells")

    # -- across cells ---------------------------------------------------------------------------------------------
    def _names(self, known: set[str], flag: str, phase: int, reason) -> None:
        names = [c for c in self.fmt.columns if getattr(c.rule, flag) and c.name in self.positions]
        if not names:
            return
        self.cursor.register("bulk_known", pd.DataFrame({"name": sorted(known)}, dtype=object))
        try:
            for column in names:
                position = self.fmt.columns.index(column)
                rows = self.cursor.execute(
                    f"SELECT row, {quote(column.name)} FROM {self.typed} WHERE {quote(column.name)} <> '' "
                    f"AND NOT bad_{column.name} AND {quote(column.name)} NOT IN "
                    "(SELECT CAST(name AS VARCHAR) FROM bulk_known) ORDER BY row").fetchall()
                hints: dict[str, str] = {}
                for row, value in rows:
                    if value not in hints:
                        hints[value] = reason(value, known)
                    self.problem(row, phase, position, column.name, hints[value])
        finally:
            self.cursor.unregister("bulk_known")

    @staticmethod
    def _unit_reason(unit: str, known: set[str]) -> str:
        from data.importer import _unit_hint, unit_reason
        return unit_reason(unit, _unit_hint(unit, known))

    @staticmethod
    def _metric_reason(metric: str, known: set[str]) -> str:
        from data.importer import _show
        close = difflib.get_close_matches(metric, known, n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        return (f'names the metric "{_show(metric)}", which is neither built in nor a reading stored or in this '
                f"import's readings{hint}")

    def _usable(self, *columns: str) -> str:
        return " AND ".join(f"NOT bad_{c}" for c in columns)

    def _order(self) -> None:
        from data.importer import _DATE_ONLY_LENGTH, order_reason
        for number, (later, earlier) in enumerate(self.fmt.not_before):
            if not (later in self.present and earlier in self.present):
                continue
            a, b = quote(later), quote(earlier)
            both_times = f"length(t_{later}) > {_DATE_ONLY_LENGTH} AND length(t_{earlier}) > {_DATE_ONLY_LENGTH}"
            rows = self.cursor.execute(
                f"SELECT row, t_{later}, t_{earlier} FROM {self.typed} WHERE {self._usable(later, earlier)} "
                f"AND {a} IS NOT NULL AND {b} IS NOT NULL AND CASE WHEN {both_times} THEN {a} < {b} "
                f"ELSE CAST({a} AS DATE) < CAST({b} AS DATE) END ORDER BY row").fetchall()
            for row, ta, tb in rows:
                self.problem(row, 4, number, later, order_reason(earlier, ta, tb))

    def _filled(self) -> None:
        from data.importer import filled_reason
        for number, (column, other, wanted) in enumerate(self.fmt.filled_iff):
            if not (column in self.present and other in self.present):
                continue
            rows = self.cursor.execute(
                f"SELECT row, {quote(other)}, t_{column} <> '' FROM {self.typed} WHERE {self._usable(column, other)} "
                f"AND (({quote(other)} = ? AND t_{column} = '') OR ({quote(other)} IS DISTINCT FROM ? "
                f"AND t_{column} <> '')) ORDER BY row", [wanted, wanted]).fetchall()
            for row, value, filled in rows:
                self.problem(row, 5, number, column, filled_reason(other, wanted, value, filled))

    def _duplicates(self) -> None:
        from data.importer import duplicate_reason
        key = list(self.fmt.key)
        quoted = ", ".join(quote(k) for k in key)
        texts = ", ".join(f"t_{k}" for k in key)
        rows = self.cursor.execute(
            f"SELECT row, first_row, {texts} FROM (SELECT row, {texts}, min(row) OVER (PARTITION BY {quoted}) "
            f"AS first_row FROM {self.typed} WHERE {self._usable(*key)}) WHERE row > first_row ORDER BY row"
        ).fetchall()
        for row, first, *shown in rows:
            self.problem(row, 6, 0, ", ".join(key), duplicate_reason(first, dict(zip(key, shown, strict=True))))


def _iso(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def drop(cursor: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {staged.table}")


# -- writing --------------------------------------------------------------------------------------------------------
def audit_folder(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.stem}{AUDIT_FOLDER_SUFFIX}"


def _diff(cursor, staged: Staged) -> tuple[str, str]:
    """A temporary table of the staged records merged with the stored ones (columns the file leaves out keep their
    stored values), flagged new or changed; returns its name and the comparison that marks a changed record."""
    spec = TABLES[staged.stem]
    merged = ", ".join(f"s.{quote(c)} AS {quote(c)}" if c in staged.columns else f"o.{quote(c)} AS {quote(c)}"
                       for c in spec.columns)
    name = f"{staged.table}_diff"
    same = " AND ".join(f"o.{quote(c)} IS NOT DISTINCT FROM s.{quote(c)}" for c in staged.columns)
    cursor.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {merged}, o.{spec.quoted_key[0]} IS NULL AS is_new, "
                   f"o.{spec.quoted_key[0]} IS NOT NULL AND NOT ({same}) AS is_changed "
                   f"FROM {staged.table} s LEFT JOIN {spec.quoted_name} o ON {spec.key_match('o', 's')}")
    return name, same


def preview(cursor, staged: Staged) -> dict[str, int]:
    """What writing the staged file would do: new, updated and unchanged records."""
    name, _ = _diff(cursor, staged)
    try:
        counts = preview_counts(cursor, name)
    finally:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    return {k: counts[k] for k in ("new", "updated", "unchanged")}


def write(tx, db_path: Path, staged: Staged) -> dict[str, int]:
    """Upsert the staged file in the caller's transaction, auditing it as one entry: counts, and a before-image (the
    stored versions of the updated records, the keys of the new ones) in Parquet beside the database."""
    spec = TABLES[staged.stem]
    tx._check_table(staged.stem)
    cursor = tx.cursor
    name, _ = _diff(cursor, staged)
    try:
        counts = preview_counts(cursor, name)
        image = _before_image(cursor, db_path, spec, name)
        columns = spec.column_list
        summaries.touch(cursor, spec.name, f"(SELECT * FROM {name} WHERE is_new OR is_changed)")
        summaries.touch(cursor, spec.name, f"(SELECT o.* FROM {spec.quoted_name} o JOIN {name} d "
                                           f"ON {spec.key_match('o', 'd')} WHERE d.is_changed)")
        cursor.execute(f"INSERT OR REPLACE INTO {spec.quoted_name} ({columns}) SELECT {columns} FROM {name} "
                       "WHERE is_new OR is_changed")
        _audit(tx, spec.name, staged.source, image, counts)
    finally:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    for kind in ("new", "updated", "unchanged"):
        tx.summary.add(spec.name, kind, counts[kind])
    return counts


def preview_counts(cursor, name: str) -> dict[str, int]:
    new, changed, total = cursor.execute(
        f"SELECT count(*) FILTER (is_new), count(*) FILTER (is_changed), count(*) FROM {name}").fetchone()
    return {"new": new, "updated": changed, "unchanged": total - new - changed, "deleted": 0}


def _path_sql(path: Path) -> str:
    # COPY takes no parameter for its file; the path is ours (the database's folder), its quotes doubled all the same.
    return "'" + str(path).replace("'", "''") + "'"


def _before_image(cursor, db_path: Path, spec, name: str) -> dict[str, str]:
    folder = audit_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}-{spec.name}"
    before, added = folder / f"{stamp}-before.parquet", folder / f"{stamp}-added.parquet"
    cursor.execute(f"COPY (SELECT o.* FROM {spec.quoted_name} o JOIN {name} d ON {spec.key_match('o', 'd')} "
                   f"WHERE d.is_changed) TO {_path_sql(before)} (FORMAT parquet)")
    cursor.execute(f"COPY (SELECT {spec.key_list} FROM {name} WHERE is_new) TO {_path_sql(added)} (FORMAT parquet)")
    return {"before": before.name, "added": added.name}


def _audit(tx, table: str, source: str, image: dict[str, str], counts: dict[str, int]) -> None:
    tx.cursor.execute(
        "INSERT INTO audit (actor, action, table_name, record_key, before, after) VALUES (?, ?, ?, ?, ?, ?)",
        [tx.actor, tx.action, table, json.dumps({BULK_KEY: source}), json.dumps({"image": image}),
         json.dumps({"counts": {k: counts.get(k, 0) for k in ("new", "updated", "unchanged", "deleted")}})])


def revert(tx, db_path: Path, table: str, before: dict, source: str) -> dict[str, int]:
    """Undo a file's import: delete the records it added, put back the stored versions of those it updated; the
    revert is itself one audited entry with a before-image (so it can be reverted in turn)."""
    spec = TABLES[table]
    folder = audit_folder(db_path)
    added, previous = folder / before["image"]["added"], folder / before["image"]["before"]
    if not (added.is_file() and previous.is_file()):
        from data.store import StoreError
        raise StoreError(f"The before-image of this import ({folder}) is missing, so it cannot be reverted.")
    cursor = tx.cursor
    cursor.execute("CREATE OR REPLACE TEMP TABLE bulk_revert AS SELECT * FROM read_parquet(?)", [str(previous)])
    staged = Staged(source, table, "bulk_revert", list(spec.columns), 0)
    counts = write(tx, db_path, staged)
    cursor.execute("DROP TABLE IF EXISTS bulk_revert")
    cursor.execute("CREATE OR REPLACE TEMP TABLE bulk_doomed AS SELECT * FROM read_parquet(?)", [str(added)])
    match = f"EXISTS (SELECT 1 FROM bulk_doomed d WHERE {spec.key_match('t', 'd')})"
    image = _deleted_image(cursor, db_path, spec, match)
    summaries.touch(cursor, table, f"(SELECT * FROM {spec.quoted_name} t WHERE {match})")
    deleted = cursor.execute(f"DELETE FROM {spec.quoted_name} t WHERE {match}").fetchone()[0]
    cursor.execute("DROP TABLE IF EXISTS bulk_doomed")
    _audit(tx, table, f"{source} (records it added, deleted)", image, {"deleted": deleted})
    tx.summary.add(table, "deleted", deleted)
    return {**counts, "deleted": deleted}


def _deleted_image(cursor, db_path: Path, spec, match: str) -> dict[str, str]:
    folder = audit_folder(db_path)
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}-{spec.name}"
    before, added = folder / f"{stamp}-before.parquet", folder / f"{stamp}-added.parquet"
    # Re-adding deleted records is an upsert of their before-image, with nothing added to delete.
    cursor.execute(f"COPY (SELECT * FROM {spec.quoted_name} t WHERE {match}) TO {_path_sql(before)} (FORMAT parquet)")
    cursor.execute(f"COPY (SELECT {spec.key_list} FROM {spec.quoted_name} WHERE FALSE) TO {_path_sql(added)} "
                   "(FORMAT parquet)")
    return {"before": before.name, "added": added.name}
