"""Ideas pipeline: every idea on a board by status, filtered by unit, source and text; a decision moves an idea on
with its date and a feedback message to the submitter; new ideas are added with a form."""
from datetime import date

import pandas as pd
import streamlit as st

from data.programme import (
    IDEA_SOURCES,
    IDEA_STATUSES,
    STUCK_IN_REVIEW_DAYS,
    ProgrammeError,
    add_idea,
    decide_idea,
    idea_sources,
    ideas,
    stuck_in_review,
    unit_names,
)
from ui.access import require
from ui.programme import SOURCE_LABELS, STATUS_ICONS, STATUS_LABELS, idea_card, page_head, source_line, text
from ui.session import get_store

# Cards per status column; the filters narrow a long column (the demo has hundreds of implemented ideas).
CARDS_PER_COLUMN = 12
ALL = ""
# The decision a lead most often makes next on an idea in each status (the form offers it first).
NEXT_STATUS = {"submitted": "review", "review": "approved", "approved": "implemented"}

require("lead")
store = get_store()
page_head(store, "Ideas pipeline", "Service ideas from workshops, units and people, from submission to practice. "
          "Every decision carries a message back to the person who submitted the idea.")


def _pick(idea_id: str) -> None:
    st.session_state["ideas_selected"] = idea_id


def _close() -> None:
    st.session_state.pop("ideas_selected", None)


if message := st.session_state.pop("ideas_flash", None):
    st.success(message, icon=":material/check_circle:")

units = unit_names(store)
with st.container(horizontal=True, vertical_alignment="bottom"):
    unit = st.selectbox("Unit", [ALL, *units], key="ideas_unit", format_func=lambda u: u or "All units")
    source = st.selectbox("Source", [ALL, *idea_sources(store)], key="ideas_source",
                          format_func=lambda s: SOURCE_LABELS.get(s, s) if s else "All sources")
    search = st.text_input("Search", key="ideas_search", placeholder="Words in the title, submitter, feedback...")
board = ideas(store, unit=unit or None, source=source or None, search=search)

stuck = stuck_in_review(store)
if stuck:
    st.warning(f"{stuck} idea{'s have' if stuck != 1 else ' has'} been in review for more than {STUCK_IN_REVIEW_DAYS} "
               "days (since the last decision, or since submission): their submitters are still waiting for an "
               "answer. They are marked in red below.", icon=":material/hourglass_bottom:")
else:
    st.caption(f"No idea has been in review for more than {STUCK_IN_REVIEW_DAYS} days.")

# -- the decision on one idea ----------------------------------------------------------------------------------------
selected = st.session_state.get("ideas_selected")
everything = ideas(store) if selected else None
if selected and selected in set(everything["idea_id"]):
    idea = everything[everything["idea_id"] == selected].iloc[0]
    with st.container(border=True):
        head, close = st.columns([6, 1], vertical_alignment="center")
        head.markdown(f"**{text(idea.idea_id)}: {text(idea.title)}**")
        close.button("Close", key="ideas_close", on_click=_close, icon=":material/close:")
        submitted_on = f"submitted {idea.submitted_on:%d %b %Y}" if pd.notna(idea.submitted_on) else "no date"
        st.caption(f"{STATUS_LABELS[idea.status]} · {text(idea.unit)} · {submitted_on} · {source_line(idea)}")
        if isinstance(idea.feedback, str) and idea.feedback:
            st.caption(f"Last feedback: {text(idea.feedback)}")
        with st.form(f"ideas_decide_{selected}", border=False):
            left, right = st.columns(2)
            status = left.selectbox("New status", IDEA_STATUSES,
                                    index=IDEA_STATUSES.index(NEXT_STATUS.get(idea.status, idea.status)),
                                    format_func=STATUS_LABELS.get, key=f"ideas_decide_status:{selected}")
            on = right.date_input("Decided on", value=date.today(), max_value=date.today(), format="YYYY-MM-DD",
                                  key=f"ideas_decide_on:{selected}",
                                  help="The day of the decision; for implemented, the day it was put into practice.")
            feedback = st.text_area("Feedback to the submitter", key=f"ideas_decide_feedback:{selected}",
                                    max_chars=2000, placeholder="What was decided and why; what happens next.")
            if st.form_submit_button("Record decision", type="primary", icon=":material/gavel:",
                                     key="ideas_decide_submit"):
                try:
                    decide_idea(store, selected, status, on, feedback)
                except ProgrammeError as exc:
                    st.error(str(exc), icon=":material/error:")
                else:
                    st.session_state["ideas_flash"] = f"{selected} is now {STATUS_LABELS[status].lower()}."
                    _close()
                    st.rerun()
elif selected:
    _close()

# -- the board -------------------------------------------------------------------------------------------------------
columns = st.columns(len(IDEA_STATUSES), gap="small")
for column, status in zip(columns, IDEA_STATUSES, strict=True):
    in_status = board[board["status"] == status]
    with column:
        st.markdown(f"**{STATUS_ICONS[status]} {STATUS_LABELS[status]} · {len(in_status)}**")
        if in_status.empty:
            st.caption("No ideas.")
        for idea in in_status.head(CARDS_PER_COLUMN).itertuples():
            idea_card(idea, _pick, "ideas_pick", STUCK_IN_REVIEW_DAYS)
        if len(in_status) > CARDS_PER_COLUMN:
            st.caption(f"{len(in_status) - CARDS_PER_COLUMN} more, not shown: narrow with the filters above.")

# -- a new idea ------------------------------------------------------------------------------------------------------
with st.expander("Add an idea", icon=":material/add:"):
    with st.form("ideas_add", clear_on_submit=True, border=False):
        title = st.text_input("Idea", key="ideas_add_title", max_chars=300)
        left, middle, right = st.columns(3)
        new_unit = left.selectbox("Unit", [ALL, *units], key="ideas_add_unit",
                                  format_func=lambda u: u or "Whole organisation")
        new_source = middle.selectbox("Source", IDEA_SOURCES, key="ideas_add_source", format_func=SOURCE_LABELS.get)
        submitted = right.date_input("Submitted on", value=date.today(), max_value=date.today(), format="YYYY-MM-DD",
                                     key="ideas_add_on")
        left, right = st.columns(2)
        source_ref = left.text_input("Which workshop, unit or person", key="ideas_add_ref", max_chars=200)
        submitter = right.text_input("Submitted by", key="ideas_add_submitter", max_chars=200)
        if st.form_submit_button("Add idea", icon=":material/add:", key="ideas_add_submit"):
            try:
                new_id = add_idea(store, title, unit=new_unit or None, submitted_on=submitted, source=new_source,
                                  source_ref=source_ref, submitter=submitter)
            except ProgrammeError as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                st.session_state["ideas_flash"] = f"Idea {new_id} added as submitted."
                st.rerun()
