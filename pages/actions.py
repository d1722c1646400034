"""Desired actions: what key customers asked for at each monthly assessment, tracked to done, not done or declined, and
at the next month's assessment what was asked and what was delivered (the Nokia Siemens Networks practice)."""
import pandas as pd
import streamlit as st

from data.programme import action_months, action_review, desired_actions, outcome_counts
from metrics.calc import monthly
from ui.access import require
from ui.grid import edit_table
from ui.programme import month_name, page_head, share_chart, text
from ui.session import get_store

ON_TIME_KEY = "desired_actions_on_time"

require("lead")
store = get_store()
page_head(store, "Desired actions", "At their monthly open assessment key customers say how the last month went and "
          "which service actions they want next. Each action is tracked to done, not done or declined; the share "
          "delivered on time is a leading indicator.")

months = action_months(store)
month = st.selectbox("Assessment of", months or [None], key="actions_month", format_func=month_name,
                     help="The month whose assessment you are preparing: what was asked the month before, and what "
                          "came of it; below, what was asked in this month.")
previous = (pd.Period(month, "M") - 1).strftime("%Y-%m") if month else None

review_col, chart_col = st.columns([3, 2], gap="large")
with review_col:
    st.header(f"Asked in {month_name(previous)}: what was delivered" if previous else "What was delivered")
    review = action_review(store, previous) if previous else pd.DataFrame()
    if review.empty:
        st.caption("No actions were asked for at the month before's assessment.")
    else:
        counts = outcome_counts(review)
        st.markdown(f"**{len(review)} asked** · " + " · ".join(f"{n} {outcome}" for outcome, n in counts.items()))
        for customer, group in review.groupby("customer", sort=True):
            lines = [f"- {text(a.action)} :gray[({a.outcome}; due {a.due:%d %b %Y}"
                     + (f", done {a.done_on:%d %b %Y}" if pd.notna(a.done_on) else "") + ")]"
                     for a in group.itertuples()]
            st.markdown(f"**{text(customer)}**  \n" + "\n".join(lines))
with chart_col:
    st.header("Delivered on time, by month due")
    figures = monthly(store)
    on_time = figures[figures["metric"] == ON_TIME_KEY].dropna(subset=["value"])
    if on_time.empty:
        st.info("No desired action has fallen due yet.", icon=":material/info:")
    else:
        st.plotly_chart(share_chart(on_time, "Delivered on time"), key="actions_share_chart",
                        config={"displayModeBar": False})

st.header(f"Asked in {month_name(month)}" if month else "Desired actions")
st.caption("One row per action a customer asked for: status not done, done (with the day) or declined (tell the "
           "customer why). An action added here may be of any month.")
edit_table(store, "desired_actions", desired_actions(store, month), f"actions_grid:{month}")
