"""Board narrative: the month's story drafted from the figures, edited before it goes out, and exported."""
import streamlit as st

from ui import narrative
from ui.access import require
from ui.executive import spine_months, stop_without_data
from ui.filters import PageState, filter_bar, freshness, md, month_label, share_link
from ui.page import header
from ui.session import get_store

require("executive")
store = get_store()
state = PageState("narrative")
actions = header(store, "Board narrative")

months = spine_months(store)
if not months:
    stop_without_data(store)

filters = filter_bar(store, state, months)
state.publish()
current = narrative.story(store, filters)
with actions:
    share_link(state)
    narrative.downloads(current)

st.header(f"{md(current.scope_phrase[:1].upper() + current.scope_phrase[1:])} in {month_label(current.month)}")
st.caption("The last month of the period. Every sentence states its figures and links to the view that shows them; "
           "nothing here claims a cause, and a movement is only called one when the process-behaviour rules show a "
           "signal.")
narrative.show(current)
st.header("Edit before it goes out")
st.caption("Change a sentence, delete rows, or add one at the bottom; then save. The board pack on the Overview opens "
           "with the narrative as saved here. A sentence whose figures change after the edit is marked stale.")
narrative.editor(store, current)
st.caption(freshness(store))
