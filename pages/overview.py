"""Overview for executives: is the programme on track? Cards, the lead-lag headline, which units lag, a board pack."""
import streamlit as st

from data.programme import courses
from metrics.calc import default_course
from metrics.registry import get
from ui import narrative
from ui.access import require
from ui.boardpack import build_board_pack
from ui.cards import behind_card, card_row
from ui.executive import overview_data, spine_months, stop_without_data
from ui.figures import behind_table, coverage_heatmap, lead_lag_chart, plan_chart
from ui.filters import PageState, filter_bar, freshness, md, month_label, share_link
from ui.page import header
from ui.session import get_store

# Six cards to a row at least; up to eight narrower ones, so that every built-in leading indicator (seven) keeps to
# one row and the lagging row and the units behind plan stay on the first laptop screen.
CARDS_PER_ROW, MAX_CARDS_PER_ROW = 6, 8
PACK_STATE = "overview_board_pack"

require("executive")
store = get_store()
state = PageState("overview")

actions = header(store, "Programme overview")

months = spine_months(store)
if not months:
    stop_without_data(store)

filters = filter_bar(store, state, months, compact=True)
# The coverage views' course, in the URL like every filter: read here, its picker drawn with the views it changes.
course_names, all_staff = courses(store), default_course(store)
course_key = state.key("course", lambda c: c in course_names, all_staff if all_staff in course_names else None)
course = st.session_state[course_key]
state.remember("course", None if course == all_staff else course)  # the all-staff course needs no parameter
state.publish()
data = overview_data(store, filters, course)

with actions:
    share_link(state)
with actions, st.popover("Board pack", icon=":material/download:", help="The overview as a file for a board"):
    st.caption(f"{md(filters.scope_label)}, {filters.period_label}: the month's narrative (as edited on the Board "
               "narrative page), then the cards and charts below, as one HTML file that opens without a server, and "
               "every figure as CSV.")
    pack_key = (store.data_version(), filters)
    if st.button("Build board pack", key="overview_build_pack", icon=":material/build:"):
        with st.status("Building the board pack…", expanded=True) as status:
            bar = st.progress(0.0, text="Starting")
            story = narrative.story(store, filters)
            pack = build_board_pack(data, "Service culture programme: board pack", freshness(store, data.computed_at),
                                    progress=lambda fraction, text: bar.progress(fraction, text=text),
                                    narrative=story.shown if story else None, base=narrative.app_root())
            status.update(label="Board pack ready", state="complete", expanded=False)
        st.session_state[PACK_STATE] = (pack_key, pack)
    built = st.session_state.get(PACK_STATE)
    if built and built[0] == pack_key:
        pack = built[1]
        st.download_button("Board pack (HTML)", pack.html, f"{pack.file_stem}.html", "text/html",
                           key="overview_pack_html", icon=":material/description:", on_click="ignore")
        st.download_button("Figures (CSV, zip)", pack.csv_zip, f"{pack.file_stem}-figures.zip", "application/zip",
                           key="overview_pack_csv", icon=":material/table:", on_click="ignore")

st.markdown(f":material/insights: **{data.headline}** "
            ":gray[(lead-lag of the monthly changes; following is not proof of cause)]")
with st.container(gap="xsmall"):
    label_col, fresh_col = st.columns([2, 3], vertical_alignment="bottom")
    label_col.markdown(f"**Leading indicators** in {month_label(filters.end)}: what the programme moves now")
    fresh_col.caption(freshness(store, data.computed_at), text_alignment="right")
    per_row = min(MAX_CARDS_PER_ROW, max(CARDS_PER_ROW, len(data.leading)))
    card_row([c.items for c in data.leading], per_row, "lead", filters.end)
    # The first lagging row always keeps its last slot for the units furthest behind: they belong on the first screen
    # whatever the number of lagging metrics.
    lagging = [c.items for c in data.lagging]
    st.markdown("**Lagging metrics against target**: results expected to follow" if lagging else
                "**Lagging metrics**: none recorded yet (NPS comes from survey responses, others from readings)")
    # A row no wider than it needs (five lagging cards and the units behind take six), so its cards read unwrapped.
    lag_row = max(CARDS_PER_ROW, min(per_row, len(lagging) + 1))
    free = card_row(lagging[:lag_row - 1], lag_row, "lag", filters.end) or st.columns(lag_row)
    with free[-1]:
        behind_card(data.behind, filters.end, notice=data.course_notice, course_title=data.course_title)
    if lagging[lag_row - 1:]:
        card_row(lagging[lag_row - 1:], lag_row, "lag", filters.end)

title_col, course_col = st.columns([3, 1], vertical_alignment="bottom")
title_col.header("Which units lag")
if course_names:
    # No label above it (the heading row keeps its height): each choice names itself, screen readers read "Course".
    course_col.selectbox("Course", course_names, key=course_key, label_visibility="collapsed",
                         format_func=lambda c: f"Course: {c}" + (" (all-staff)" if c == all_staff else ""),
                         help="The course the heat map, the plan and the units behind read. The coverage card "
                              "always reads the all-staff course (chosen on the Settings page).")
heat_col, plan_col = st.columns([3, 2], gap="medium")
with heat_col:
    st.markdown(f"**Coverage of {md(data.course_title)}** by unit and month; back-office units are marked")
    if data.course_notice:
        st.warning(md(data.course_notice), icon=":material/school:")
    elif data.heatmap_units:
        st.plotly_chart(coverage_heatmap(data.coverage, data.heatmap_units), width="stretch", key="overview_heatmap")
        if data.units_total > len(data.heatmap_units):
            st.caption(f"The {len(data.heatmap_units)} of {data.units_total} units with the lowest coverage in "
                       f"{month_label(filters.end)}; choose a function or a unit to see others.")
    else:
        st.write("No headcount recorded for this selection yet.")
with plan_col:
    st.markdown("**Plan S-curve against actual coverage**")
    if data.plan["planned"].notna().any() or data.plan["actual"].notna().any():
        st.plotly_chart(plan_chart(data.plan), width="stretch", key="overview_plan")
    else:
        st.write("No plan or coverage recorded for this selection yet.")
    st.markdown(f"**Furthest behind plan** in {month_label(filters.end)}")
    if data.course_notice:
        st.write("Not known until the course's completions are recorded.")
    elif data.behind.empty:
        st.write("Every unit is at or ahead of its plan (or no plan is set).")
    else:
        st.dataframe(behind_table(data.behind), hide_index=True, width="stretch", key="overview_behind")

lead, lag = get(data.pair.columns[1]), get(data.pair.columns[2])
st.header(f"{md(lead.label)} and {md(lag.label)}, month by month")
st.plotly_chart(lead_lag_chart(data.pair, lead, lag), width="stretch", key="overview_lead_lag")
st.caption("Leading indicators move first; lagging metrics are expected to follow months later. "
           "A shared trend is not proof that one causes the other. Any pair, with its lag: the **Leading vs "
           "lagging** page.")

# After the lead-lag chart: the first two laptop screens hold the cards, the units behind and that chart.
st.header("Outlook against targets")
st.caption("Each target projected to its month with an 80% interval: coverage and leading indicators at the pace of "
           "their last 6 months, a lagging metric from the leading indicator it follows, where the lead-lag evidence "
           "clears the significance bar. On track: the whole interval meets the target; off track: none of it does.")
narrative.outlook_lines(data.outlook)
narrative.unit_reach(data.unit_reach, data.all_staff_course)
