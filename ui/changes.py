"""The process changes panel of the Process behaviour page: every change the chart's limits restart at, with its
reason, and for programme leads a form to mark one by hand and a button to remove each marked one (both audited)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from data import records
from data.store import StoreError
from metrics.changes import MARKED
from ui.filters import md, month_label
from ui.flash import flash

TABLE = "process_changes"
SOURCE_WORDS = {"initiative": "an initiative's start (Initiatives page)", MARKED: "marked by hand"}
WHOLE_ORGANISATION = "the whole organisation"


def _scope_words(unit: str) -> str:
    return unit or WHOLE_ORGANISATION


def _mark(store, key: str, month: str, unit: str | None, reason: str) -> None:
    row = pd.DataFrame([{"metric": key, "month": month, "unit": unit or "", "reason": reason}])
    result = records.save_rows(store, TABLE, row)
    if result.ok:
        flash(f"Process change marked in {month_label(month)} for {_scope_words(unit or '')}: {reason.strip()}. The "
              "limits restart there on this chart, the cards and the board pack.")
    else:
        st.session_state["process_change_problems"] = [p.reason for p in result.problems]


def _remove(store, key: str, month: str, unit: str) -> None:
    try:
        records.delete_records(store, TABLE, [{"metric": key, "month": month, "unit": unit}])
        flash(f"Process change of {month_label(month)} ({_scope_words(unit)}) removed. It can be restored on the "
              "History page.")
    except StoreError as exc:
        st.session_state["process_change_problems"] = [str(exc)]


def changes_panel(store, key: str, label: str, changes: pd.DataFrame, months: list[str], unit: str | None,
                  can_mark: bool) -> None:
    """The changes of this metric in this scope, oldest first; a lead marks a new one (month and reason) for the
    scope's unit or the whole organisation, or removes one marked by hand."""
    for problem in st.session_state.pop("process_change_problems", []):
        st.error(f"Nothing was saved: the reason {md(problem)}" if "empty" in problem else md(problem),
                 icon=":material/error:")
    if changes.empty:
        st.caption(f"No process change is recorded for {md(label)} here: the limits come from the whole period.")
    for i, change in enumerate(changes.itertuples()):
        text_col, button_col = st.columns([6, 1], vertical_alignment="center")
        text_col.markdown(f"**{month_label(change.month)}** · {md(change.reason)} :gray[({SOURCE_WORDS[change.source]}"
                          f", {md(_scope_words(change.unit))})]")
        if can_mark and change.source == MARKED:
            button_col.button("Remove", key=f"process_change_remove_{i}", icon=":material/delete:", type="tertiary",
                              on_click=_remove, args=(store, key, change.month, change.unit),
                              help="Remove this change: the limits no longer restart here (audited; restore it on "
                                   "the History page).")
    if not can_mark or len(months) < 2:
        return
    with st.form("process_change_form", clear_on_submit=True, border=True):
        st.markdown(f"**Mark a process change** for {md(label)} ({md(_scope_words(unit or ''))})")
        month_col, reason_col = st.columns([1, 3])
        month = month_col.selectbox("First month of the new process", months[1:], index=len(months) - 2,
                                    format_func=month_label, key="process_change_month")
        reason = reason_col.text_input("What changed", key="process_change_reason",
                                       placeholder="e.g. New complaint-handling process in every unit")
        if st.form_submit_button("Mark process change", icon=":material/flag:"):
            _mark(store, key, month, unit, reason)
            st.rerun()
