"""Customer voice: praise, complaints handled in four steps (thank, gather information, apologise, commit to a fix) and
resolved, and the open monthly assessments customers write, kept as text to be read."""
from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from data.programme import (
    COMPLAINT_STEPS,
    STEP_COLUMNS,
    STEP_LABELS,
    VOICE_KINDS,
    ProgrammeError,
    action_review,
    add_voice_item,
    assessment_months,
    assessments,
    complaint_counts,
    complaints,
    outcome_counts,
    praise,
    record_complaint_steps,
    unit_names,
)
from ui.access import require
from ui.programme import month_name, page_head, text
from ui.session import get_store

# How many complaints the handling list offers and how many assessments one view shows; search narrows both.
COMPLAINTS_LISTED = 300
ASSESSMENTS_SHOWN = 60
SNIPPET = 70
KIND_LABELS = {"praise": "Praise", "complaint": "Complaint", "assessment": "Open assessment"}

require("lead")
store = get_store()
page_head(store, "Customer voice", "A complaint is information: each is thanked, looked into, apologised for and "
          "answered with a fix. Open assessments are customers' own words about the last month and the next.")

if message := st.session_state.pop("voice_flash", None):
    st.success(message, icon=":material/check_circle:")

counts = complaint_counts(store)
complaints_tab, assessments_tab, praise_tab, add_tab = st.tabs(
    [f"Complaints ({counts['open']} open)", "Open assessments", "Praise", "Add an item"])


def _snippet(value) -> str:
    value = "" if value is None or pd.isna(value) else str(value)
    return value if len(value) <= SNIPPET else value[:SNIPPET - 1] + "…"


def _checklist(item: pd.Series) -> None:
    """The four steps and the resolution of one complaint, each a tick with its date; saved in one write."""
    received = item["date"].date()
    with st.form(f"voice_steps_{item['item_id']}", border=False):
        chosen = {}
        for step, column in STEP_COLUMNS.items():
            done = pd.notna(item[column])
            tick, day = st.columns([3, 2], vertical_alignment="center")
            ticked = tick.checkbox(STEP_LABELS[step], value=done, key=f"voice_tick_{step}:{item['item_id']}")
            on = day.date_input(f"{STEP_LABELS[step]} on", value=item[column].date() if done else date.today(),
                                min_value=min(received, item[column].date()) if done else received,
                                max_value=date.today(), key=f"voice_on_{step}:{item['item_id']}",
                                label_visibility="collapsed", format="YYYY-MM-DD")
            chosen[step] = on if ticked else None
        if st.form_submit_button("Save handling", type="primary", icon=":material/save:",
                                 key="voice_steps_submit"):
            before = {s: (item[c].date() if pd.notna(item[c]) else None) for s, c in STEP_COLUMNS.items()}
            changes = {s: d for s, d in chosen.items() if d != before[s]}
            if not changes:
                st.info("Nothing changed.")
                return
            try:
                record_complaint_steps(store, item["item_id"], changes)
            except ProgrammeError as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                st.session_state["voice_flash"] = f"Handling of {item['item_id']} saved."
                st.rerun()


def _pick_from_table(items: list[str]) -> None:
    rows = st.session_state["voice_complaints_table"].selection.rows
    if rows and rows[0] < len(items):
        st.session_state["voice_pick"] = items[rows[0]]


with complaints_tab:
    with st.container(horizontal=True, vertical_alignment="bottom"):
        state = st.segmented_control("Complaints", ["open", "handled"], default="open", key="voice_state",
                                     format_func={"open": f"Open ({counts['open']})",
                                                  "handled": f"Resolved ({counts['handled']})"}.get)
        search = st.text_input("Search complaints", key="voice_complaint_search", placeholder="Words in the text...")
    listed = complaints(store, state or None, search).head(COMPLAINTS_LISTED)
    if listed.empty:
        st.caption("No complaints here.")
    else:
        st.caption("Select a complaint (the box left of its row, or the list below) to record its handling.")
        st.dataframe(listed[["item_id", "date", "unit", "channel", "text", "steps_done", "resolved_on"]],
                     hide_index=True, width="stretch", height=250, placeholder="", key="voice_complaints_table",
                     on_select=partial(_pick_from_table, listed["item_id"].tolist()), selection_mode="single-row",
                     column_config={
                         "item_id": "Item", "date": st.column_config.DateColumn("Received", format="YYYY-MM-DD"),
                         "unit": "Unit", "channel": "Channel",
                         "text": st.column_config.TextColumn("Complaint", width="large"),
                         "steps_done": st.column_config.ProgressColumn(
                             "Steps done", min_value=0, max_value=len(COMPLAINT_STEPS), format="%d of 4"),
                         "resolved_on": st.column_config.DateColumn("Resolved", format="YYYY-MM-DD")})
        options = listed["item_id"].tolist()
        snippets = dict(zip(listed["item_id"], listed["text"], strict=True))
        if st.session_state.get("voice_pick") not in options:
            st.session_state.pop("voice_pick", None)
        picked = st.selectbox("Complaint", options, key="voice_pick",
                              format_func=lambda i: f"{i} · {_snippet(snippets.get(i))}")
        if picked:
            item = listed[listed["item_id"] == picked].iloc[0]
            said, handling = st.columns(2, gap="large")
            with said:
                st.markdown("**What the customer said**")
                st.markdown(f"> {text(item['text'])}")
                st.caption(f"Received {item['date']:%d %b %Y} · {text(item['unit'])} · {text(item['channel'])}")
            with handling:
                st.markdown("**Handling**")
                _checklist(item)

with assessments_tab:
    with st.container(horizontal=True, vertical_alignment="bottom"):
        query = st.text_input("Search the assessments", key="voice_assessment_search",
                              placeholder="Any words, e.g. delay, lounge, Paris")
        month = st.selectbox("Month", ["", *assessment_months(store)], key="voice_assessment_month",
                             format_func=lambda m: month_name(m) if m else "All months")
    found = assessments(store, query, month or None)
    st.caption(f"{len(found)} assessment{'s' if len(found) != 1 else ''}"
               + (f"; the latest {ASSESSMENTS_SHOWN} are shown" if len(found) > ASSESSMENTS_SHOWN else ""))
    for period, group in found.head(ASSESSMENTS_SHOWN).groupby("month", sort=False):
        st.markdown(f"**{month_name(period)}**")
        # At each assessment, what customers asked for the month before and what became of it (Desired actions).
        asked = action_review(store, (pd.Period(period, "M") - 1).strftime("%Y-%m"))
        if not asked.empty:
            st.caption(f"Asked at the assessment before: {len(asked)} actions; " + ", ".join(
                f"{n} {outcome}" for outcome, n in outcome_counts(asked).items() if n) + " (Desired actions page).")
        for item in group.itertuples():
            with st.container(border=True):
                st.markdown(text(item.text))
                st.caption(" · ".join([f"{item.date:%d %b %Y}", *(text(v) for v in (item.channel, item.unit)
                                                                  if isinstance(v, str) and v.strip())]))

with praise_tab:
    latest = praise(store)
    if latest.empty:
        st.caption("No praise recorded yet.")
    else:
        st.caption(f"The latest {len(latest)} pieces of praise.")
        st.dataframe(latest, hide_index=True, width="stretch", height=420, placeholder="", column_config={
            "item_id": "Item", "date": st.column_config.DateColumn("Received", format="YYYY-MM-DD"),
            "unit": "Unit", "channel": "Channel", "text": st.column_config.TextColumn("Praise", width="large")})

with add_tab, st.form("voice_add", clear_on_submit=True, border=False):
    left, middle, right = st.columns(3)
    kind = left.radio("Kind", VOICE_KINDS, format_func=KIND_LABELS.get, key="voice_add_kind", horizontal=True)
    on = middle.date_input("Received on", value=date.today(), max_value=date.today(), key="voice_add_on",
                           format="YYYY-MM-DD")
    channel = right.text_input("Channel", key="voice_add_channel", placeholder="email, app, survey, phone...")
    unit = st.selectbox("Unit concerned", ["", *unit_names(store)], key="voice_add_unit",
                        format_func=lambda u: u or "Not a particular unit")
    words = st.text_area("What the customer said", key="voice_add_text", max_chars=5000)
    if st.form_submit_button("Add", type="primary", icon=":material/add:", key="voice_add_submit"):
        try:
            new_id = add_voice_item(store, kind, on, words, unit=unit or None, channel=channel)
        except ProgrammeError as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            st.session_state["voice_flash"] = f"{KIND_LABELS[kind]} {new_id} added."
            st.rerun()
