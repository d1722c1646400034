"""Data for programme leads: what the tracker holds, and removing or loading the demo programme."""
import pandas as pd
import streamlit as st

from data.demo import DEMO_LABEL, clear_demo, load_demo
from ui.access import require
from ui.flash import flash
from ui.page import header
from ui.session import get_store

require("lead")
store = get_store()
header(store, "Programme data")

changed = store.last_changed()
st.caption(f"Database `{store.path.name}` · data version {store.data_version()} · "
           + (f"last changed {changed:%d %b %Y %H:%M}" if changed else "never changed"))

left, right = st.columns([1, 2], gap="large")
with left:
    counts = pd.DataFrame(store.counts().items(), columns=["Table", "Records"])
    # Tall enough for every table without an inner scroll bar (35 px a row, as Streamlit draws them).
    st.dataframe(counts, hide_index=True, width="stretch", height=35 * (len(counts) + 1) + 3)
with right:
    if store.is_demo():
        st.header("Demo programme")
        st.write(f"This database holds the **{store.setting('demo_label', DEMO_LABEL)}**. Remove it before you "
                 "import your own programme; the removal is recorded in the audit log.")
        confirm = st.checkbox("I understand every record in this database will be removed",
                              key="data_confirm_clear")
        if st.button("Remove demo programme", type="primary", disabled=not confirm, key="data_clear_demo"):
            summary = clear_demo(store)
            flash(f"Demo programme removed: {summary.changed:,} records deleted, recorded in the audit log. The "
                  "database is empty and ready for your programme.")
            st.rerun()
    elif store.is_empty():
        st.header("Start")
        st.write("The database is empty. Import your programme's workbook, or load the demo programme to explore "
                 "the tracker.")
        st.page_link("pages/import.py", label="Import a workbook", icon=":material/upload:")
        if st.button("Load demo programme", key="data_load_demo"):
            summary = load_demo(store)
            flash(f"Demo programme loaded: {summary.changed:,} records.")
            st.rerun()
    st.header("Changes")
    st.write("Every change is recorded with who made it and when; see it, revert it or restore a deleted record "
             "on the History page.")
    st.page_link("pages/history.py", label="History", icon=":material/history:")
