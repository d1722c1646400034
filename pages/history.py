"""History: every change with who and when, a record's whole story, reverting a change, restoring deleted records."""
import streamlit as st

from data import history
from data.records import EDITABLE
from data.store import StoreError
from ui.access import require
from ui.filters import md
from ui.page import header
from ui.session import get_store

ALL_TABLES, EVERYONE = "All tables", "Everyone"
SHOWN_CHANGES = 200
ROW_PX, MAX_TABLE_PX = 35, 320  # a dataframe row's height; a long list scrolls within this
STALE = "history_stale"  # the refusal of the last revert, offering to overwrite the later change
DONE = "history_done"  # what the last revert or restore did, shown once after the rerun
CHANGE_COLUMNS = ["id", "when", "who", "action", "table", "record", "change"]
# A widget's value can only be set before it is drawn: after a revert or restore, the next run clears the choice.
PICK, NEXT_PICK = "history_pick", "history_next_pick"
RESTORE, NEXT_RESTORE = "history_restore_pick", "history_next_restore"

require("lead")
store = get_store()
header(store, "History")
st.caption("Every change to the programme's records, with who made it and when. Pick a change to see the record's "
           "whole history and to revert it; deleted records can be restored. A revert or a restore is itself a "
           "change, recorded here like any other.")

for widget, pending in ((PICK, NEXT_PICK), (RESTORE, NEXT_RESTORE)):
    if pending in st.session_state:
        st.session_state[widget] = st.session_state.pop(pending)
if done := st.session_state.pop(DONE, None):
    st.success(md(done), icon=":material/check_circle:")

with st.container(horizontal=True):
    table = st.selectbox("Table", [ALL_TABLES, *history.changed_tables(store)], key="history_table")
    who = st.selectbox("Changed by", [EVERYONE, *history.actors(store)], key="history_who")
changes = history.recent_changes(store, SHOWN_CHANGES, table=None if table == ALL_TABLES else table,
                                 actor=None if who == EVERYONE else who)

st.header("Recent changes")
if changes.empty:
    st.info("No changes to records yet." if table == ALL_TABLES and who == EVERYONE
            else "No changes match these filters.", icon=":material/info:")
else:
    st.caption(f"The latest {len(changes)} changes, newest first." if len(changes) == SHOWN_CHANGES
               else f"{len(changes)} change{'s' if len(changes) != 1 else ''}, newest first.")
    st.dataframe(changes[CHANGE_COLUMNS], hide_index=True, width="stretch", key="history_changes",
                 height=min(MAX_TABLE_PX, ROW_PX * (len(changes) + 1) + 3),
                 column_config={"id": st.column_config.NumberColumn("#", format="%d", width="small"),
                                "when": st.column_config.DatetimeColumn("when", format="D MMM YYYY, HH:mm"),
                                "change": st.column_config.TextColumn("change", width="large")})

    by_id = {int(r.id): r for r in changes.itertuples()}
    picked = st.selectbox(
        "Change to look at or revert", list(by_id), index=None, key=PICK,
        placeholder="Choose a change",
        format_func=lambda i: f"#{i} · {by_id[i].table} {by_id[i].record} · {by_id[i].change[:60]} "
                              f"({by_id[i].who}, {by_id[i].when:%d %b %Y %H:%M})")
    if picked is not None:
        change = by_id[picked]
        st.markdown(f"**History of {md(change.table)} {md(change.record)}**")
        story = history.record_history(store, change.table, change.key)
        st.dataframe(story[["id", "when", "who", "action", "change"]], hide_index=True, width="stretch",
                     key="history_story",
                     column_config={"id": st.column_config.NumberColumn("#", format="%d", width="small"),
                                    "when": st.column_config.DatetimeColumn("when", format="D MMM YYYY, HH:mm"),
                                    "change": st.column_config.TextColumn("change", width="large")})
        if change.before is None:
            undo = "deletes the record again (the change added it)"
        elif change.after is None:
            undo = "puts the deleted record back as it was"
        else:
            undo = f"sets back {history.describe_change(change.after, change.before)}"
        st.write(f"Reverting change #{picked} {md(undo)}.")
        confirm = st.checkbox(f"Revert change #{picked}", key=f"history_confirm_{picked}")
        stale = st.session_state.get(STALE)
        if stale and stale[0] == picked:
            st.warning(md(stale[1]), icon=":material/warning:")
            force = st.checkbox("Overwrite the later change as well", key=f"history_force_{picked}")
        else:
            force = False
        if st.button("Revert", type="primary", disabled=not confirm, key="history_revert", icon=":material/undo:"):
            try:
                summary = history.revert(store, picked, force=force)
            except StoreError as exc:
                st.session_state[STALE] = (picked, str(exc))
                st.rerun()
            st.session_state.pop(STALE, None)
            st.session_state[DONE] = (f"Reverted change #{picked} ({change.table} {change.record})."
                                      if summary.changed else f"{change.table} {change.record} was already as it "
                                                              f"was before change #{picked}; nothing changed.")
            st.session_state[NEXT_PICK] = None
            st.rerun()

st.header("Deleted records")
deleted_table = st.selectbox("Table of the deleted records", EDITABLE, key="history_deleted_table")
deleted = history.deleted_records(store, deleted_table)
if deleted.empty:
    st.caption(f"No deleted {deleted_table} records.")
else:
    shown = deleted.drop(columns=["key"]).rename(columns={"audit_id": "change"})
    st.dataframe(shown, hide_index=True, width="stretch", key="history_deleted",
                 column_config={"change": st.column_config.NumberColumn("#", format="%d", width="small"),
                                "deleted_at": st.column_config.DatetimeColumn("deleted", format="D MMM YYYY, HH:mm")})
    records = {int(r.audit_id): r for r in deleted.itertuples()}
    gone = st.selectbox("Record to restore", list(records), index=None, key=RESTORE,
                        placeholder="Choose a deleted record",
                        format_func=lambda i: f"{records[i].record} (deleted by {records[i].deleted_by}, "
                                              f"{records[i].deleted_at:%d %b %Y %H:%M})")
    if gone is not None:
        record = records[gone]
        if st.button(f"Restore {record.record}", type="primary", key="history_restore", icon=":material/restore:"):
            try:
                history.restore_deleted(store, deleted_table, record.key)
            except StoreError as exc:
                st.error(md(str(exc)), icon=":material/error:")
            else:
                st.session_state[DONE] = f"Restored {deleted_table} {record.record}."
                st.session_state[NEXT_RESTORE] = None
                st.rerun()
