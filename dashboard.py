"""Entry point: page config, who the user is, navigation grouped by persona."""
import streamlit as st

from ui.access import allows, current_user, deny_access
from ui.style import compact_layout

st.set_page_config(page_title="Service Culture Tracker", page_icon="ui/favicon.png", layout="wide")

compact_layout()
_, role = current_user()
if not allows(role, "executive"):
    deny_access()

sections = {"Executive": [st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True)]}
if allows(role, "lead"):
    sections["Programme"] = [st.Page("pages/data.py", title="Data", icon=":material/database:")]
# Navigation on top leaves the full width to the cards: an executive's laptop shows all of them in one row.
st.navigation(sections, position="top").run()
