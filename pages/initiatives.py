"""Initiatives: what the programme does, who owns it, when, and which metric it is meant to move by how much and when;
they appear as annotations on the executive charts."""
import streamlit as st

from ui.access import require
from ui.grid import edit_table
from ui.programme import page_head
from ui.session import get_store

require("lead")
store = get_store()
page_head(store, "Initiatives", "Each initiative with its owner and dates, the metric it is meant to move, the effect "
          "expected and after how many months. They are marked on the executive charts of that metric.")


edit_table(store, "initiatives", store.table("initiatives").sort_values(["start", "name"], na_position="last"),
           "initiatives_grid", column_config_overrides={
               "expected_effect": st.column_config.TextColumn(
                   "Expected effect", help="In words, e.g. '+10 points NPS' or 'churn below 5%'."),
               "expected_lag_months": st.column_config.NumberColumn(
                   "Expected lag (months)", min_value=0, step=1, format="%d",
                   help="Months after the start before the metric is expected to move."),
           })
st.caption("Status: planned, active, done or dropped. Start and end are dates (YYYY-MM-DD); the end may be left "
           "empty while the initiative runs.")
