"""Records edited on the programme pages: checked by the import's own rules, saved in one audited transaction.

The entity pages (units, training, ideas, voice, tickets, readings, targets, initiatives, metric registry) hand their
grid's rows here as a DataFrame of the table's columns; cells may be typed values (dates, numbers) or the texts a file
would hold. Every problem is reported at once, located as the grid shows it, and nothing is written unless there are
none: a save is all or nothing.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from data.formats import FORMATS, RESERVED_METRIC_KEYS
from data.importer import Problem, cell_text, check_frames
from data.schema import TABLES, quote
from data.store import Store, StoreError, Transaction, WriteSummary

# The tables a programme lead edits: those the import formats describe.
EDITABLE = tuple(FORMATS)
WHOLE_ORG = "whole organisation"  # how an empty optional unit reads on screen


@dataclass
class SaveResult:
    """What a save did: the problems that stopped it (nothing written), or what it changed."""

    problems: list[Problem] = field(default_factory=list)
    summary: WriteSummary = field(default_factory=WriteSummary)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Refused(Exception):
    """Raised inside a write to roll it back when a check on its outcome fails."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _format(table: str):
    if table not in FORMATS:
        raise ValueError(f"{table!r} is not a table programme leads edit; the tables are {', '.join(EDITABLE)}")
    return FORMATS[table]


def checked_rows(store: Store, table: str,
                 frame: pd.DataFrame | None) -> tuple[list[Problem], pd.DataFrame | None]:
    """The rows' problems, and the rows converted to the stored types (None when there are none to save)."""
    _format(table)
    if frame is None or len(frame) == 0:
        return [], None
    problems, frames = check_frames(store, {table: frame})
    return problems, frames.get(table)


def validate_rows(store: Store, table: str, frame: pd.DataFrame) -> list[Problem]:
    """Every problem in these rows, by the import's rules (types, choices, ranges, units and metrics that exist, keys
    repeated within the rows, implemented_on exactly when implemented, ticket times in order...).

    Each Problem names the table as its file and the row as the grid shows it (the first row is 1); a problem with
    the columns themselves (one missing, one unknown) names no row. Blank rows are skipped, as in a file."""
    return checked_rows(store, table, frame)[0]


def normalise_key(table: str, key: Mapping) -> tuple[dict, list[Problem]]:
    """A record's key as stored (months as first-of-month dates, an empty whole-organisation unit as ''), from
    values or texts; problems for a key column missing or not fitting its rule."""
    fmt = _format(table)
    normal: dict = {}
    problems = []
    for column in fmt.columns:
        if not column.key:
            continue
        if column.name not in key and not column.whole_org:
            problems.append(Problem(table, None, column.name, f"is part of the key of {table} but is not given"))
            continue
        text = cell_text(key.get(column.name))
        if not text:
            if column.whole_org:
                normal[column.name] = ""
            else:
                problems.append(Problem(table, None, column.name, f"must be {column.rule.expects} (it is empty)"))
            continue
        try:
            normal[column.name] = column.rule.parse(text)
        except ValueError as exc:
            problems.append(Problem(table, None, column.name, f'does not fit its rule ({exc}); got "{text}"'))
    return normal, problems


def _normalise_keys(table: str, keys: Iterable[Mapping]) -> tuple[list[dict], list[Problem]]:
    normal, problems, seen = [], [], set()
    for key in keys:
        one, trouble = normalise_key(table, key)
        problems += trouble
        if not trouble and (marker := tuple(one.items())) not in seen:
            seen.add(marker)
            normal.append(one)
    return normal, problems


def _without_kept(keys: list[dict], frame: pd.DataFrame | None) -> list[dict]:
    """A key deleted and given again in the same save is an edit of that record, not a deletion."""
    if frame is None or not keys:
        return keys
    given = {tuple(record) for record in frame[list(keys[0])].itertuples(index=False, name=None)}
    return [k for k in keys if tuple(k.values()) not in given]


# -- what must still hold when a write commits ---------------------------------------------------------------------
def _references(rule_flag: str) -> list[tuple[str, str]]:
    """(table, column) of every column whose values must name a unit ('names_unit') or a metric ('names_metric')."""
    return [(fmt.stem, c.name) for fmt in FORMATS.values() for c in fmt.columns if getattr(c.rule, rule_flag)]


def _count_words(counts: list[tuple[str, int]]) -> str:
    return ", ".join(f"{n} {table} record{'s' if n != 1 else ''}" for table, n in counts)


def _dangling_units(tx: Transaction, table: str) -> list[Problem]:
    named: dict[str, list[tuple[str, int]]] = {}
    for other, column in _references("names_unit"):
        spec, col = TABLES[other], quote(column)
        for unit, n in tx.rows(f"SELECT {col}, count(*) FROM {spec.quoted_name} WHERE {col} IS NOT NULL "
                               f"AND {col} <> '' AND {col} NOT IN (SELECT unit FROM units) GROUP BY {col} "
                               f"ORDER BY {col}"):
            named.setdefault(unit, []).append((other if column != "parent" else "units (as parent)", n))
    return [Problem(table, None, "unit", f'cannot remove the unit "{unit}": {_count_words(counts)} still name it; '
                                         "move or delete those first") for unit, counts in named.items()]


def _dangling_metrics(tx: Transaction, table: str) -> list[Problem]:
    builtin = sorted(RESERVED_METRIC_KEYS)
    named: dict[str, list[tuple[str, int]]] = {}
    for other, column in _references("names_metric"):
        spec, col = TABLES[other], quote(column)
        for metric, n in tx.rows(
                f"SELECT {col}, count(*) FROM {spec.quoted_name} WHERE {col} IS NOT NULL "
                f"AND NOT list_contains(?, {col}) AND {col} NOT IN (SELECT metric FROM readings) "
                f"AND {col} NOT IN (SELECT \"key\" FROM metric_registry) GROUP BY {col} ORDER BY {col}", [builtin]):
            named.setdefault(metric, []).append((other, n))
    column = "key" if table == "metric_registry" else "metric"
    return [Problem(table, None, column, f'cannot remove the last of the metric "{metric}": '
                                         f"{_count_words(counts)} still name it; change or delete those first")
            for metric, counts in named.items()]


def _outcome_problems(tx: Transaction, table: str, deleted_any: bool) -> list[Problem]:
    """Checks that only the written outcome can answer: a removed unit or metric that other records still name."""
    if not deleted_any:
        return []
    if table == "units":
        return _dangling_units(tx, table)
    if table in ("readings", "metric_registry"):
        return _dangling_metrics(tx, table)
    return []


def write(store: Store, table: str, frame: pd.DataFrame | None, keys: list[dict], action: str, detail: str,
           precheck: Callable[[Transaction], None] | None = None) -> SaveResult:
    """One transaction: delete the keys, upsert the rows, check the outcome; roll back on any problem."""
    try:
        with store.transaction(action, detail) as tx:
            if precheck:
                precheck(tx)
            deleted = tx.delete_keys(table, keys) if keys else 0
            if frame is not None and not frame.empty:
                tx.upsert(table, frame)
            if problems := _outcome_problems(tx, table, deleted > 0):
                raise _Refused(problems)
        return SaveResult([], tx.summary)
    except _Refused as refused:
        return SaveResult(refused.problems, WriteSummary())


def _detail(table: str, frame: pd.DataFrame | None, keys: list[dict]) -> str:
    parts = [f"{len(frame)} row{'s' if len(frame) != 1 else ''} saved"] if frame is not None else []
    if keys:
        parts.append(f"{len(keys)} deleted")
    return f"{table}: {', '.join(parts) or 'nothing'}"


def save_rows(store: Store, table: str, frame: pd.DataFrame | None,
              deleted: Iterable[Mapping] = ()) -> SaveResult:
    """Check the rows; if any problem, write nothing and return them all. Otherwise upsert the rows (new records
    added, changed ones updated, identical ones left alone) and delete the given keys, in ONE audited transaction
    (action "edit"). A key both deleted and given in the rows is kept, as edited."""
    problems, rows = checked_rows(store, table, frame)
    keys, key_problems = _normalise_keys(table, deleted)
    problems += key_problems
    if problems:
        return SaveResult(problems, WriteSummary())
    keys = _without_kept(keys, rows)
    if rows is None and not keys:
        return SaveResult([], WriteSummary())
    return write(store, table, rows, keys, "edit", _detail(table, rows, keys))


def delete_records(store: Store, table: str, keys: Iterable[Mapping]) -> WriteSummary:
    """Delete these records (each key a dict of the key columns) in one audited transaction; they can be restored
    from the History page. Raises StoreError, writing nothing, when a key does not fit or other records still
    name a unit or metric being removed."""
    keys, problems = _normalise_keys(table, keys)
    if not problems and keys:
        result = write(store, table, None, keys, "edit", _detail(table, None, keys))
        problems, summary = result.problems, result.summary
    else:
        summary = WriteSummary()
    if problems:
        raise StoreError("Nothing was deleted: " + "; ".join(str(p) for p in problems))
    return summary


def record_label(table: str, key: Mapping) -> str:
    """A record's key as a person reads it: 'I-12', '2024-03 · North', 'nps · 2025-12 · whole organisation'."""
    fmt = FORMATS.get(table)
    parts = []
    for name, value in key.items():
        column = next((c for c in fmt.columns if c.name == name), None) if fmt else None
        text = cell_text(value)
        if column is not None and column.whole_org and not text:
            text = WHOLE_ORG
        elif column is not None and "month" in column.rule.expects and len(text) >= len("YYYY-MM"):
            text = text[:len("YYYY-MM")]
        parts.append(text)
    return " · ".join(parts)


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table for the screen: file (or table), row, column, reason."""
    return pd.DataFrame([{"file": p.file, "row": p.row, "column": p.column, "reason": p.reason} for p in problems],
                        columns=["file", "row", "column", "reason"]).astype({"row": "Int64"})


# -- custom metrics ------------------------------------------------------------------------------------------------
METRIC_TABLE = "metric_registry"


def metric_problems(store: Store, row: Mapping, is_new: bool) -> list[Problem]:
    """Every problem with one custom metric definition at once: the import's rules for metric_registry rows, then
    the metric registry's own validation (each field reported once), and a new key that is taken."""
    from metrics import registry  # the registry's rules; data/formats already depends on metrics.registry

    columns = list(TABLES[METRIC_TABLE].columns)
    given = {c: row.get(c) for c in columns}
    problems = [Problem(METRIC_TABLE, None, p.column, p.reason.replace("the cell is empty", "it is empty"))
                for p in validate_rows(store, METRIC_TABLE, pd.DataFrame([given], columns=columns))]
    reported = {p.column for p in problems}
    for message in registry.validate([registry.custom_definition(given)]):
        reason = message.split(": ", 1)[-1]
        field_name = reason.split(" ", 1)[0]
        if field_name not in reported:
            problems.append(Problem(METRIC_TABLE, None, field_name, reason))
            reported.add(field_name)
    key = cell_text(given.get("key"))
    if is_new and key and "key" not in reported and store.scalar(
            'SELECT count(*) FROM metric_registry WHERE "key" = ?', [key]):
        problems.append(Problem(METRIC_TABLE, None, "key", f'"{key}" is registered already; choose it in the list to '
                                                          "edit it, or give the new metric another key"))
    return problems


def save_metric(store: Store, row: Mapping, is_new: bool) -> SaveResult:
    """Register (is_new) or update one custom metric through save_rows, after metric_problems finds none."""
    if problems := metric_problems(store, row, is_new):
        return SaveResult(problems, WriteSummary())
    columns = list(TABLES[METRIC_TABLE].columns)
    return save_rows(store, METRIC_TABLE, pd.DataFrame([{c: row.get(c) for c in columns}], columns=columns))
