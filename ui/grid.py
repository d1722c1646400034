"""Grid editing shared by the Programme pages: an editable table, Save that validates every row first and writes all
or nothing, and each problem shown on its row and column.

The grid's rows are numbered from 1 (the "Row" column) and problems name those numbers. While edits are pending the
grid's data must not change (Streamlit would drop the edits), so the page passes the same stored rows on every run
until a save succeeds; then the editor is reset to the new stored rows.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import streamlit as st

from data import records
from data.export import formula_safe
from data.formats import (
    COUNT,
    DATE,
    DATETIME,
    FORMATS,
    METRIC,
    MONTH,
    NUMBER,
    PLAN_DATE,
    PLAN_MONTH,
    REPORTED_METRIC,
    SHARE,
    FileFormat,
)
from data.programme import metric_options, reading_metric_options, unit_names
from data.store import StoreError
from metrics.registry import get as metric_definition
from ui.filters import md

MONTH_RULES = (MONTH, PLAN_MONTH)
DATE_RULES = (DATE, PLAN_DATE)
# Column labels a programme lead reads; problems name the same labels. Columns not listed read as their name.
LABELS = {
    "unit": "Unit", "function": "Function", "parent": "Parent unit", "month": "Month", "headcount": "Headcount",
    "leavers": "Leavers", "date": "Date", "course": "Course", "completed": "Completed", "planned_coverage":
    "Planned coverage", "name": "Name", "owner": "Owner", "start": "Start", "end": "End", "status": "Status",
    "metric": "Metric", "expected_effect": "Expected effect", "expected_lag_months": "Expected lag (months)",
    "ticket_id": "Ticket", "opened_at": "Opened", "promised_by": "Promised by", "closed_at": "Closed",
    "value": "Value", "by": "Due month",
}
ROW_LABEL = "Row"
ROW_PX = 35  # the height of a grid row
VISIBLE_ROWS = 15  # rows a grid shows before it scrolls
PROBLEM_LABEL = "Problem"
# Problems drawn in full on the page; the rest are in the download. A workbook with a systematic slip (a date format)
# has one problem per row: a hundred are enough to see the pattern and the fix.
PROBLEMS_SHOWN = 100
_ERROR_STYLE = "background-color: #fde2e1; color: #7a1712; font-weight: 600"
_ONE_OF = "one of "


@dataclass(frozen=True)
class GridProblem:
    """One problem of a save, located as the grid shows it."""

    row: int | None  # the grid's Row number; None for a problem of the whole save
    column: str  # the column's label ('' for none)
    reason: str
    where: str = ""  # the row as a person finds it: "3", or "new row 2" for a row added at the bottom


def row_name(row: int | None, stored_rows: int) -> str:
    """A grid row as a person finds it: stored rows by their Row number; rows added at the bottom have no number
    in the grid yet, so they are counted from the first added one."""
    if row is None:
        return ""
    return str(row) if row <= stored_rows else f"new row {row - stored_rows}"


def label(column: str) -> str:
    return LABELS.get(column, column.replace("_", " ").capitalize())


def metric_label(key: str) -> str:
    return metric_definition(key).label


def _choices(rule) -> list[str] | None:
    """The allowed words of a choice() rule (its message reads 'one of a, b, c')."""
    if rule.expects.startswith(_ONE_OF):
        return rule.expects[len(_ONE_OF):].split(", ")
    return None


def column_config(store, fmt: FileFormat) -> dict:
    """A column of the right kind for each of the format's columns: pickers for dates, lists for units, metrics and
    fixed words, whole numbers for counts. Months are typed as YYYY-MM, as in the import files."""
    config = {"_index": st.column_config.NumberColumn(ROW_LABEL, disabled=True, width=60,
                                                      help="Row number; problems name it")}
    for column in fmt.columns:
        rule, name = column.rule, label(column.name)
        hint = "Key: together with the other key columns it identifies the record. " if column.key else ""
        hint += "May be left empty. " if column.optional and not column.whole_org else ""
        hint += "Empty = the whole organisation. " if column.whole_org else ""
        if rule.names_unit:
            config[column.name] = st.column_config.SelectboxColumn(name, options=unit_names(store), help=hint)
        elif rule is METRIC:
            config[column.name] = st.column_config.SelectboxColumn(name, options=metric_options(store), help=hint,
                                                                   format_func=metric_label)
        elif rule is REPORTED_METRIC:
            config[column.name] = st.column_config.SelectboxColumn(
                name, options=reading_metric_options(store), format_func=metric_label,
                help=hint + "Built-in metrics are computed by the tracker and take no readings, except an NPS your "
                            "survey vendor reports for months without responses; register a new metric on the "
                            "Metric registry page.")
        elif (words := _choices(rule)) is not None:
            config[column.name] = st.column_config.SelectboxColumn(name, options=words, help=hint)
        elif rule is COUNT:
            config[column.name] = st.column_config.NumberColumn(name, min_value=0, step=1, format="%d", help=hint)
        elif rule is SHARE:
            config[column.name] = st.column_config.NumberColumn(
                name, step=0.01, format="%.2f", help=hint + "A share from 0 to 1, e.g. 0.75 for 75%.")
        elif rule is NUMBER:
            config[column.name] = st.column_config.NumberColumn(name, help=hint)
        elif rule in DATE_RULES:
            config[column.name] = st.column_config.DateColumn(name, format="YYYY-MM-DD", help=hint)
        elif rule is DATETIME:
            config[column.name] = st.column_config.DatetimeColumn(name, format="YYYY-MM-DD HH:mm", help=hint)
        elif rule in MONTH_RULES:
            config[column.name] = st.column_config.TextColumn(name, help=hint + "A month: YYYY-MM.")
        else:
            config[column.name] = st.column_config.TextColumn(name, help=hint)
    return config


# -- between the stored rows and the grid ----------------------------------------------------------------------------
def _for_editor(fmt: FileFormat, stored: pd.DataFrame) -> pd.DataFrame:
    """Stored rows as the grid shows them: months as YYYY-MM text, a whole-organisation unit as an empty cell,
    counts as whole numbers that may be empty in a new row; rows numbered from 1."""
    shown = stored[[c.name for c in fmt.columns if c.name in stored.columns]].copy()
    for column in fmt.columns:
        if column.name not in shown:
            continue
        values = shown[column.name]
        if column.rule in MONTH_RULES:
            shown[column.name] = pd.to_datetime(values).dt.strftime("%Y-%m").astype(object)
            shown.loc[values.isna(), column.name] = None
        elif column.rule is COUNT:
            shown[column.name] = values.astype("Int64")
        if column.whole_org:
            shown[column.name] = shown[column.name].replace("", None)
    shown.index = pd.RangeIndex(1, len(shown) + 1)
    return shown


def _plain(value):
    """A cell as a plain Python value: None when empty, dates as date, date-times as datetime, text stripped."""
    if value is None or (not isinstance(value, str | list) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str):
        return value.strip() or None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _for_store(fmt: FileFormat, edited: pd.DataFrame) -> pd.DataFrame:
    """The grid's rows as save_rows takes them: plain values, dates as dates, an empty whole-organisation unit ''."""
    rows = pd.DataFrame({c: [_plain(v) for v in edited[c]] for c in edited.columns}, dtype=object)
    for column in fmt.columns:
        if column.name not in rows:
            continue
        if column.rule in DATE_RULES:
            rows[column.name] = [v.date() if isinstance(v, datetime) else v for v in rows[column.name]]
        if column.whole_org:
            rows[column.name] = [v or "" for v in rows[column.name]]
    return rows.reset_index(drop=True)


def _same(a, b) -> bool:
    a, b = _plain(a), _plain(b)
    if isinstance(a, datetime | date) or isinstance(b, datetime | date):
        return pd.Timestamp(a) == pd.Timestamp(b) if a is not None and b is not None else a is b
    return a == b


def _deleted_keys(fmt: FileFormat, stored: pd.DataFrame, shown: pd.DataFrame, edited: pd.DataFrame,
                  state: Mapping) -> list[dict]:
    """The stored records the edits remove: deleted rows, and the old key of a row whose key was changed."""
    positions = set(state.get("deleted_rows") or [])
    for position, changes in (state.get("edited_rows") or {}).items():
        row = shown.index[int(position)]
        if row in edited.index and any(k in changes and not _same(shown.at[row, k], edited.at[row, k])
                                       for k in fmt.key):
            positions.add(int(position))
    return [{k: _plain(stored.iloc[p][k]) for k in fmt.key} for p in sorted(positions) if p < len(stored)]


def _touched_rows(shown: pd.DataFrame, edited: pd.DataFrame, state: Mapping) -> list[int]:
    """Grid rows (their Row numbers) that were changed or added and are still there: the rows a save writes. Rows
    nobody touched are not written again, so a save never puts back values someone else has changed since."""
    changed = {shown.index[int(p)] for p in (state.get("edited_rows") or {})}
    # An added row left empty is skipped, as a blank line of a file is.
    added = {r for r in edited.index if r > len(shown) and any(_plain(v) is not None for v in edited.loc[r])}
    return sorted(r for r in changed | added if r in edited.index)


def _repeated_keys(fmt: FileFormat, edited: pd.DataFrame, touched: list[int], stored_rows: int) -> list[GridProblem]:
    """A changed or added row whose key is the key of another row of the grid: each record may appear only once."""
    keys = _for_store(fmt, edited[list(fmt.key)])
    rows_by_key: dict[tuple, list[int]] = {}
    for row, values in zip(edited.index, keys.itertuples(index=False), strict=True):
        if row > stored_rows and row not in touched:
            continue  # an empty added row
        rows_by_key.setdefault(tuple(str(v) for v in values), []).append(int(row))
    columns = ", ".join(label(k) for k in fmt.key)
    problems = []
    for row, values in zip(edited.index, keys.itertuples(index=False), strict=True):
        same = rows_by_key[tuple(str(v) for v in values)]
        if row in touched and len(same) > 1:
            other = next(r for r in same if r != row)
            problems.append(GridProblem(int(row), columns, f"repeats the key of row {row_name(other, stored_rows)}; "
                                                           "each record may appear only once (change that row "
                                                           "instead)", row_name(int(row), stored_rows)))
    return problems


def pending(state: Mapping | None) -> tuple[int, int, int]:
    """(changed, added, deleted) rows an editor's state holds."""
    state = state or {}
    return (len(state.get("edited_rows") or {}), len(state.get("added_rows") or []),
            len(state.get("deleted_rows") or []))


def _summary_text(summary) -> str:
    counts = getattr(summary, "counts", summary) or {}
    parts = []
    for table, c in counts.items():
        bits = [f"{c[k]} {k}" for k in ("new", "updated", "deleted") if c.get(k)]
        if bits:
            parts.append(f"{table}: {', '.join(bits)}")
    return "; ".join(parts) or "nothing changed"


# -- the editor ------------------------------------------------------------------------------------------------------
def _grid_problems(problems: Sequence, rows: list[int], stored_rows: int) -> list[GridProblem]:
    """save_rows' problems (row = 1-based position in the rows it was given) located on the grid's Row numbers."""
    located = []
    for p in problems:
        row = rows[p.row - 1] if p.row is not None and 1 <= p.row <= len(rows) else None
        columns = [label(c.strip()) for c in (p.column or "").split(",") if c.strip()]
        located.append(GridProblem(row, ", ".join(columns), p.reason, row_name(row, stored_rows)))
    return located


def _discard(key: str) -> None:
    for name in (key, f"{key}_problems", f"{key}_rows"):
        st.session_state.pop(name, None)


def _shown_cell(value) -> str:
    """A cell of the marked rows as the grid shows it: whole numbers without decimals, dates without midnight."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if value.time() == datetime.min.time() else "%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def show_problems(problems: list[GridProblem], edited: pd.DataFrame, key: str) -> None:
    """Every problem as a row of a table, then the rows they are on with the faulty cells marked."""
    st.error(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found: nothing was saved. Correct the "
             "cells named below and save again. Row is the grid's Row column; rows added at the bottom are "
             "counted as new row 1, 2...", icon=":material/error:")
    problem_table(pd.DataFrame([{ROW_LABEL: p.where, "Column": p.column, PROBLEM_LABEL: p.reason} for p in problems]),
                  key=f"{key}_problems")
    rows = sorted({p.row for p in problems if p.row is not None and p.row in edited.index})
    if not rows:
        return
    marked = edited.loc[rows].rename(columns=label)
    marked.insert(0, PROBLEM_LABEL, ["; ".join(p.reason for p in problems if p.row == r) for r in rows])
    marked.index = [next(p.where for p in problems if p.row == r) for r in rows]
    bad = {(p.where, c) for p in problems if p.row is not None for c in p.column.split(", ")}

    def mark(col: pd.Series) -> list[str]:
        return [_ERROR_STYLE if (r, col.name) in bad or col.name == PROBLEM_LABEL else "" for r in col.index]

    styled = marked.style.format(_shown_cell, na_rep="").apply(mark, axis=0)
    st.caption("The rows with problems as they are now in the grid, faulty cells marked:")
    st.dataframe(styled, width="stretch", placeholder="")


def save(store, table: str, stored: pd.DataFrame, edited: pd.DataFrame, state: Mapping):
    """Validate and write a grid's edits: (problems located on the grid, summary of what changed or None).

    Only rows changed or added are written, with the deleted rows (and the old key of a row whose key changed)
    removed in the same transaction; nothing is written while any problem remains."""
    fmt = FORMATS[table]
    stored = stored.reset_index(drop=True)
    shown = _for_editor(fmt, stored)
    touched = _touched_rows(shown, edited, state)
    deleted = _deleted_keys(fmt, stored, shown, edited, state)
    rows = _for_store(fmt, edited.loc[touched])
    # Every problem at once: keys repeated across the grid, then the import rules on the rows to write.
    problems = _repeated_keys(fmt, edited, touched, len(shown)) + _grid_problems(
        records.validate_rows(store, table, rows), touched, len(shown))
    if problems:
        return sorted(problems, key=lambda p: p.row or 0), None
    result = records.save_rows(store, table, rows, deleted=deleted)
    problems = _grid_problems(result.problems, touched, len(shown))
    return problems, None if problems else result.summary


def edit_table(store, table: str, stored: pd.DataFrame, key: str, *, column_config_overrides: dict | None = None,
               max_rows: int = VISIBLE_ROWS, save_label: str = "Save changes") -> None:
    """An editable grid of `stored` rows of `table`, with Save (validate every changed row, write all or nothing) and
    Discard. While edits are pending the grid keeps the rows it started from, so another user's save cannot wipe
    them; after a save it shows the stored rows afresh."""
    fmt = FORMATS[table]
    state = st.session_state.get(key) or {}
    if any(pending(state)) and f"{key}_rows" in st.session_state:
        stored, config = st.session_state[f"{key}_rows"]  # as the edits began: a changed grid would drop them
    else:
        stored = stored.reset_index(drop=True)
        config = column_config(store, fmt) | (column_config_overrides or {})
        st.session_state[f"{key}_rows"] = (stored, config)
    if message := st.session_state.pop(f"{key}_saved", None):
        st.success(message, icon=":material/check_circle:")
    # Tall enough for every row (up to max_rows, then it scrolls) and the empty row that adds one.
    height = ROW_PX * (min(len(stored), max_rows) + 2) + 3
    edited = st.data_editor(_for_editor(fmt, stored), key=key, num_rows="dynamic", column_config=config,
                            hide_index=False, height=height, width="stretch", placeholder="")
    changed, added, deleted = pending(st.session_state.get(key))
    dirty = bool(changed or added or deleted)
    with st.container(horizontal=True, vertical_alignment="center"):
        clicked = st.button(save_label, type="primary", key=f"{key}_save", icon=":material/save:", disabled=not dirty)
        st.button("Discard changes", key=f"{key}_discard", on_click=_discard, args=(key,), disabled=not dirty)
        st.caption(f"Not saved yet: {changed} changed, {added} added, {deleted} deleted row(s)." if dirty else
                   "Edit a cell, add a row at the bottom, or select rows and delete them; then save.")
    if clicked:
        try:
            problems, summary = save(store, table, stored, edited, st.session_state.get(key) or {})
        except StoreError as exc:
            st.error(str(exc), icon=":material/error:")
            return
        if problems:
            st.session_state[f"{key}_problems"] = problems
        else:
            _discard(key)
            st.session_state[f"{key}_saved"] = f"Saved: {_summary_text(summary)}."
            st.rerun()
    if problems := st.session_state.get(f"{key}_problems"):
        show_problems(problems, edited, key)


def problem_table(problems: pd.DataFrame, key: str) -> None:
    """Problems where every reason reads in full on a laptop: a static table whose rows wrap (a grid's cell cuts a
    long reason off, and with it the suggested fix), the first PROBLEMS_SHOWN of them, and all as a CSV."""
    shown = problems.head(PROBLEMS_SHOWN).astype(object).where(problems.head(PROBLEMS_SHOWN).notna(), "")
    # st.table reads Markdown: every cell is user text (a file's name, a value quoted in a reason), so escaped.
    st.table(shown.map(lambda cell: md(cell) if isinstance(cell, str) else cell), hide_index=True)
    if len(problems) > PROBLEMS_SHOWN:
        st.caption(f"The first {PROBLEMS_SHOWN} of {len(problems):,} problems; the download holds every one.")
    st.download_button("Download the problem list (CSV)", formula_safe(problems).to_csv(index=False),
                       file_name="problems.csv", mime="text/csv", icon=":material/download:", key=f"{key}_csv")


def problem_report(problems: list, fix: str, ok: str, key: str) -> None:
    """An import's verdict: how many problems with what to do about them and the table of each, or that there are
    none. `fix` and `ok` are our sentences; they may quote user text already escaped."""
    if problems:
        n = len(problems)
        st.error(f"{n} problem{'s' if n != 1 else ''} to fix: {fix}", icon=":material/error:")
        problem_table(records.problems_frame(problems), key=key)
    else:
        st.success(ok, icon=":material/check_circle:")
