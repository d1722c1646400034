"""The unit x month summaries (migration 007): which event rows feed them and how a write keeps them exact.

A write records the (unit, month) pairs its changed rows fall in, before and after the change, in a temporary table;
just before it commits, only those pairs are recomputed from the event tables, and the month spine is redrawn. The
SQL here is ours (table and column names are constants below, never user text); there are no parameters to bind.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from data.schema import TABLES, quote

TOUCHED = "summary_touched"  # temporary table of the write: (source, unit, month) pairs to recompute
UNIT_MONTH = "unit_month"
TRAINING_MONTH = "training_month"
SPINE = "month_spine"
# Tables whose changes redraw the month spine besides the summarised ones: read as they are, small enough not to need
# a summary (readings; desired actions, migration 005).
SPINE_TABLES = ("readings", "desired_actions")


@dataclass(frozen=True)
class Facet:
    """The summary columns that one date column of an event table gives, each an aggregate over the rows whose date
    falls in the unit-month."""

    date: str
    columns: dict[str, str]


@dataclass(frozen=True)
class Source:
    """An event table summarised into `target` (unit_month, or training_month by course)."""

    table: str
    facets: tuple[Facet, ...]
    target: str = UNIT_MONTH
    nullable: tuple[str, ...] = ()  # columns that stay NULL (not 0) for a unit-month without rows: headcount

    @property
    def columns(self) -> list[str]:
        return [c for f in self.facets for c in f.columns]


_COUNT = "count(*)"
# Dates are compared, not times: closing at any hour of the promised day counts as within the promise.
_WITHIN = "count(*) FILTER (WHERE CAST(closed_at AS DATE) <= CAST(promised_by AS DATE))"
SOURCES: dict[str, Source] = {s.table: s for s in (
    Source("headcount", (Facet("month", {"headcount": "sum(headcount)", "leavers": "sum(leavers)"}),),
           nullable=("headcount", "leavers")),
    Source("ideas", (Facet("submitted_on", {"ideas_submitted": _COUNT}),
                     Facet("implemented_on", {"ideas_implemented": "count(*) FILTER (WHERE status = 'implemented')",
                                              "ideas_dated": _COUNT}))),
    Source("voice", (Facet("date", {"praise": "count(*) FILTER (WHERE kind = 'praise')",
                                    "complaints": "count(*) FILTER (WHERE kind = 'complaint')",
                                    "assessments": "count(*) FILTER (WHERE kind = 'assessment')"}),)),
    Source("tickets", (Facet("opened_at", {"tickets_opened": _COUNT}),
                       Facet("closed_at", {"tickets_closed": _COUNT, "tickets_within": _WITHIN}))),
    Source("survey", (Facet("date", {"responses": _COUNT, "promoters": "count(*) FILTER (WHERE score >= 9)",
                                     "passives": "count(*) FILTER (WHERE score BETWEEN 7 AND 8)",
                                     "detractors": "count(*) FILTER (WHERE score <= 6)"}),)),
    Source("training", (Facet("date", {"completed": "sum(completed)"}),), target=TRAINING_MONTH),
)}
UNIT_MONTH_COUNTS = [c for s in SOURCES.values() if s.target == UNIT_MONTH for c in s.columns if c not in s.nullable]
# The tables a change to which the summaries or the spine must follow.
SUMMARISED = frozenset(SOURCES) | frozenset(SPINE_TABLES)


def _month(column: str) -> str:
    return f"CAST(date_trunc('month', {quote(column)}) AS DATE)"


def _group(source: Source) -> str:
    return "coalesce(unit, ''), course" if source.target == TRAINING_MONTH else "coalesce(unit, '')"


def touch(cursor: duckdb.DuckDBPyConnection, table: str, rows_sql: str, params: list | None = None) -> None:
    """Record the unit-months that the rows of `rows_sql` (a FROM clause over rows shaped like `table`) fall in."""
    source = SOURCES.get(table)
    if source is None:
        return
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {TOUCHED} (source VARCHAR, unit VARCHAR, month DATE)")
    parts = [f"SELECT coalesce(unit, '') AS unit, {_month(f.date)} AS month FROM {rows_sql} "
             f"WHERE {quote(f.date)} IS NOT NULL" for f in source.facets]
    cursor.execute(f"INSERT INTO {TOUCHED} SELECT DISTINCT '{table}', unit, month FROM ("
                   + " UNION ALL ".join(parts) + ")", (params or []) * len(parts))


def touch_all(cursor: duckdb.DuckDBPyConnection) -> None:
    """Every unit-month of every event table: the summaries are rebuilt from scratch (migration, bulk loads)."""
    for table in SOURCES:
        touch(cursor, table, TABLES[table].quoted_name)


def _touched(cursor: duckdb.DuckDBPyConnection) -> set[str]:
    exists = cursor.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?",
                            [TOUCHED]).fetchone()[0]
    if not exists:
        return set()
    return {r[0] for r in cursor.execute(f"SELECT DISTINCT source FROM {TOUCHED}").fetchall()}


def _keys(source: Source) -> str:
    return f"(SELECT DISTINCT unit, month FROM {TOUCHED} WHERE source = '{source.table}')"


def _aggregate(source: Source) -> str:
    """The summary rows of the touched unit-months, from the event rows whose dates fall in them."""
    group = _group(source)
    extra = ", course" if source.target == TRAINING_MONTH else ""
    parts = []
    for facet in source.facets:
        month = _month(facet.date)
        values = ", ".join(f"{facet.columns[c]} AS {c}" if c in facet.columns else f"NULL AS {c}"
                           for c in source.columns)
        parts.append(
            f"SELECT coalesce(unit, '') AS unit{extra}, {month} AS month, {values} "
            f"FROM {TABLES[source.table].quoted_name} t "
            # The date range lets DuckDB skip row groups outside it before the exact pairs are matched.
            f"WHERE {quote(facet.date)} >= (SELECT min(month) FROM {_keys(source)}) "
            f"AND {quote(facet.date)} < (SELECT max(month) + INTERVAL 1 MONTH FROM {_keys(source)}) "
            f"AND EXISTS (SELECT 1 FROM {TOUCHED} k WHERE k.source = '{source.table}' "
            f"AND k.unit = coalesce(t.unit, '') AND k.month = {month}) "
            f"GROUP BY {group}, {month}")
    if len(parts) == 1:
        return parts[0]
    sums = ", ".join(f"sum({c}) AS {c}" for c in source.columns)
    return f"SELECT unit{extra}, month, {sums} FROM (" + " UNION ALL ".join(parts) + f") GROUP BY unit{extra}, month"


def _refresh_unit_month(cursor: duckdb.DuckDBPyConnection, source: Source) -> None:
    values = ", ".join(f"a.{c}" if c in source.nullable else f"coalesce(a.{c}, 0)" for c in source.columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in source.columns)
    cursor.execute(f"INSERT INTO {UNIT_MONTH} (unit, month, {', '.join(source.columns)}) "
                   f"SELECT k.unit, k.month, {values} FROM {_keys(source)} k "
                   f"LEFT JOIN ({_aggregate(source)}) a USING (unit, month) "
                   f"ON CONFLICT (unit, month) DO UPDATE SET {updates}")
    empty = " AND ".join(f"{c} = 0" for c in UNIT_MONTH_COUNTS)
    cursor.execute(f"DELETE FROM {UNIT_MONTH} u WHERE headcount IS NULL AND leavers IS NULL AND {empty} "
                   f"AND EXISTS (SELECT 1 FROM {_keys(source)} k WHERE k.unit = u.unit AND k.month = u.month)")


def _refresh_training(cursor: duckdb.DuckDBPyConnection, source: Source) -> None:
    cursor.execute(f"DELETE FROM {TRAINING_MONTH} u "
                   f"WHERE EXISTS (SELECT 1 FROM {_keys(source)} k WHERE k.unit = u.unit AND k.month = u.month)")
    cursor.execute(f"INSERT INTO {TRAINING_MONTH} (unit, course, month, completed) "
                   f"SELECT unit, course, month, completed FROM ({_aggregate(source)})")


def redraw_spine(cursor: duckdb.DuckDBPyConnection) -> None:
    """Every month from the earliest to the latest with any event or reading. Plan and targets are left out on
    purpose: they reach into the future, and a month with nothing recorded yet has no results to show."""
    cursor.execute(f"DELETE FROM {SPINE}")
    cursor.execute(
        f"INSERT INTO {SPINE} SELECT CAST(s.g AS DATE) FROM "
        f"(SELECT min(m) AS first_month, max(m) AS last_month FROM (SELECT month AS m FROM {UNIT_MONTH} "
        f" UNION ALL SELECT month FROM {TRAINING_MONTH} UNION ALL SELECT month FROM readings"
        # Desired actions: the months they were asked for and were done in (not due in: that reaches past the data).
        " UNION ALL SELECT month FROM desired_actions"
        " UNION ALL SELECT CAST(date_trunc('month', done_on) AS DATE) FROM desired_actions)) AS b, "
        "generate_series(b.first_month, b.last_month, INTERVAL 1 MONTH) AS s(g) ORDER BY 1")


def refresh(cursor: duckdb.DuckDBPyConnection, changed: set[str]) -> None:
    """Recompute the touched unit-months of the summaries, and the spine when any summarised table changed."""
    for table in _touched(cursor):
        source = SOURCES[table]
        if source.target == TRAINING_MONTH:
            _refresh_training(cursor, source)
        else:
            _refresh_unit_month(cursor, source)
    cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
    if changed & SUMMARISED:
        redraw_spine(cursor)


def rebuild(cursor: duckdb.DuckDBPyConnection) -> None:
    """Fill the summaries from the event tables as they stand (inside the caller's transaction)."""
    cursor.execute(f"DELETE FROM {UNIT_MONTH}")
    cursor.execute(f"DELETE FROM {TRAINING_MONTH}")
    touch_all(cursor)
    refresh(cursor, set(SUMMARISED))
