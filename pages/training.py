"""Training: sessions held (date, unit, course, people who completed it) and the rollout plan, the S-curve of planned
coverage by course (optionally per unit), with coverage so far against the plan beside them."""
import streamlit as st

from data.programme import courses, plan_rows, training_sessions, unit_names
from metrics.calc import default_course
from metrics.coverage import plan_vs_actual, units_behind_plan
from ui.access import require
from ui.figures import plan_chart
from ui.filters import PageState
from ui.grid import edit_table
from ui.programme import page_head
from ui.session import get_store

require("lead")
store = get_store()
page_head(store, "Training", "Who has completed which course, and the plan to reach everyone. Coverage is the share "
          "of a unit's current headcount that has completed the course.")

# Course and unit in the URL, as on the executive pages: a link to one course's rollout opens on it.
state = PageState("training")
names, units = courses(store), ["", *unit_names(store)]
all_staff = default_course(store)
with st.container(horizontal=True):
    course = st.selectbox("Course", names, placeholder="No course recorded yet",
                          key=state.key("course", lambda c: c in names, all_staff if all_staff in names else None),
                          format_func=lambda c: f"{c} (all-staff)" if c == all_staff else c,
                          help="A new course appears here once a session or a plan row names it.")
    unit = st.selectbox("Coverage of", units, key=state.key("unit", lambda u: u in units, ""),
                        format_func=lambda u: u or "Whole organisation",
                        help="The chart for one unit uses that unit's own plan rows where it has them.")
state.remember("course", course)
state.remember("unit", unit)
state.publish()
chart, behind = st.columns([3, 2], gap="large")
with chart:
    st.header("Coverage against plan")
    progress = plan_vs_actual(store, course, unit=unit or None)
    if progress.empty:
        st.info("No headcount or plan for this course yet: coverage appears once units have a headcount.",
                icon=":material/info:")
    else:
        st.plotly_chart(plan_chart(progress), key="training_plan_chart", config={"displayModeBar": False})
with behind:
    st.header("Units behind plan")
    lagging = units_behind_plan(store, course=course, n=8)  # across the organisation, whatever the chart shows
    if lagging.empty:
        st.caption("No unit is behind its plan in the latest month (or there is no plan yet).")
    else:
        shown = lagging[["unit", "function", "coverage", "planned"]].assign(
            coverage=lagging["coverage"] * 100, planned=lagging["planned"] * 100)  # per cent on screen
        st.dataframe(shown, hide_index=True, width="stretch",
                     column_config={"unit": "Unit", "function": "Function",
                                    "coverage": st.column_config.NumberColumn("Coverage", format="%.0f%%"),
                                    "planned": st.column_config.NumberColumn("Planned", format="%.0f%%")})

sessions_tab, plan_tab = st.tabs(["Sessions", "Rollout plan"])
with sessions_tab:
    st.caption(f"Sessions of **{course}**, latest first: completed = people of that unit who completed the course on "
               "that day. A session of another course can be added here too.")
    edit_table(store, "training", training_sessions(store, course), f"training_sessions_grid:{course}")
with plan_tab:
    st.caption("Planned coverage (0 to 1) by month: an empty unit is the whole organisation's plan; a unit's own rows "
               "override it for that unit. A plan may give some months only (say quarterly).")
    edit_table(store, "plan", plan_rows(store, course), f"training_plan_grid:{course}")
