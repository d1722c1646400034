"""Units & people: the organisation's units (function, parent) and each unit's monthly headcount and leavers."""
import streamlit as st

from data.programme import unit_names
from ui.access import require
from ui.grid import edit_table
from ui.programme import page_head
from ui.session import get_store

require("lead")
store = get_store()
page_head(store, "Units & people", "Every unit of the organisation, front line and back office alike, with its monthly "
          "headcount and leavers. Coverage and churn are measured on these numbers.")

units_tab, people_tab = st.tabs(["Units", "Headcount and leavers"])
with units_tab:
    st.caption("Function: **frontline** (faces customers), **internal** (back office: IT, logistics, software, "
               "finance...) or **leadership**. Parent: the unit it belongs to, if any.")
    units = store.table("units")
    if units.empty:
        st.info("No units yet. Add one per row below (start with the top of the organisation), or import the "
                "programme workbook on the Import page.", icon=":material/info:")
    edit_table(store, "units", units, "units_grid")
with people_tab:
    names = unit_names(store)
    if not names:
        st.info("Add units first (the Units tab): headcount is entered per unit.", icon=":material/info:")
    unit = st.selectbox("Unit", ["All units", *names], key="units_headcount_unit")
    headcount = store.table("headcount").sort_values(["month", "unit"], ascending=[False, True])
    if unit != "All units":
        headcount = headcount[headcount["unit"] == unit]
    st.caption("Headcount at the month end; leavers during the month. Month as YYYY-MM.")
    edit_table(store, "headcount", headcount, f"units_headcount_grid:{unit}")
