"""Data for programme leads: what the tracker holds, recent changes, and removing or loading the demo programme."""
import streamlit as st

from data.demo import DEMO_LABEL, clear_demo, load_demo
from ui.access import require
from ui.session import get_store

require("lead")
store = get_store()
st.title("Programme data")

counts = store.counts()
changed = store.last_changed()
st.caption(f"Database `{store.path.name}` · data version {store.data_version()} · "
           + (f"last changed {changed:%d %b %Y %H:%M}" if changed else "never changed"))
st.dataframe({"records": counts}, width="content")

if store.is_demo():
    st.subheader("Demo programme")
    st.write(f"This database holds the **{store.setting('demo_label', DEMO_LABEL)}**. Remove it before you import "
             "your own programme; the removal is recorded in the audit log.")
    confirm = st.checkbox("I understand every record in this database will be removed", key="data_confirm_clear")
    if st.button("Remove demo programme", type="primary", disabled=not confirm, key="data_clear_demo"):
        summary = clear_demo(store)
        st.success(f"Demo programme removed ({summary.changed} records).")
        st.rerun()
elif store.is_empty():
    st.subheader("Start")
    st.write("The database is empty. Import your programme's workbook with the command line "
             "(`python -m data import PATH`), or load the demo programme to explore the tracker.")
    if st.button("Load demo programme", key="data_load_demo"):
        load_demo(store)
        st.rerun()

st.subheader("Recent changes")
log = store.audit_log(limit=20)
if log.empty:
    st.write("Nothing has been changed yet.")
else:
    st.dataframe(log[["changed_at", "actor", "action", "table_name", "record_key"]], width="stretch",
                 hide_index=True)
