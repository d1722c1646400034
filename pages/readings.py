"""Readings & targets: monthly values of lagging and custom metrics computed elsewhere (satisfaction, revenue,
ratings...) and the targets every metric should meet by a due month."""
import streamlit as st

from data.programme import reading_metric_options
from ui.access import require
from ui.grid import edit_table, metric_label
from ui.programme import page_head
from ui.session import get_store

require("lead")
store = get_store()
page_head(store, "Readings & targets", "Values by month for metrics measured outside the tracker, and the targets "
          "the executive cards compare against.")


readings_tab, targets_tab = st.tabs(["Readings", "Targets"])
with readings_tab:
    st.caption("One value per metric and month (YYYY-MM); an empty unit is the whole organisation. Built-in metrics "
               "(ideas, coverage, churn, praise to complaints, tickets) are computed by the tracker and take no "
               "readings. NPS is computed from survey responses (0-10 scores); where your survey vendor reports a "
               "monthly NPS instead, enter it here as nps: it stands in for months without responses and is marked "
               "as reported. A metric not listed is registered on the Metric registry page first.")
    readings = store.table("readings").sort_values(["metric", "month"], ascending=[True, False])
    metric = st.selectbox("Metric", ["", *reading_metric_options(store)], key="readings_metric",
                          format_func=lambda k: metric_label(k) if k else "All metrics")
    if metric:
        readings = readings[readings["metric"] == metric]
    edit_table(store, "readings", readings, f"readings_grid:{metric}")
with targets_tab:
    st.caption("The value a metric should reach by the due month (YYYY-MM); shares as 0 to 1 (0.9 for 90%). Any "
               "metric the tracker knows may have a target, per unit or for the whole organisation (unit empty).")
    edit_table(store, "targets", store.table("targets"), "targets_grid")
