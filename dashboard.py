"""Entry point: page config, who the user is, navigation grouped by persona."""
import streamlit as st

from ui.access import allows, current_user, deny_access
from ui.kiosk import workshop_route

# A participant's link and the presenter view go first: no account, no navigation, nothing else of the tracker.
if (workshop_page := workshop_route()) is not None:
    workshop_page.run()
    st.stop()

st.set_page_config(page_title="Service Culture Tracker", page_icon="ui/favicon.png", layout="wide")

_, role = current_user()
if not allows(role, "executive"):
    deny_access()

sections = {"Executive": [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/lead_lag.py", title="Leading vs lagging", icon=":material/timeline:"),
    st.Page("pages/process.py", title="Process behaviour", icon=":material/monitoring:"),
    st.Page("pages/narrative.py", title="Board narrative", icon=":material/article:"),
    st.Page("pages/help.py", title="How to read these charts", icon=":material/help:"),
]}
if allows(role, "lead"):
    sections["Programme"] = [
        st.Page("pages/units.py", title="Units & people", icon=":material/groups:"),
        st.Page("pages/training.py", title="Training", icon=":material/school:"),
        st.Page("pages/ideas.py", title="Ideas pipeline", icon=":material/lightbulb:"),
        st.Page("pages/initiatives.py", title="Initiatives", icon=":material/rocket_launch:"),
        st.Page("pages/voice.py", title="Customer voice", icon=":material/forum:"),
        st.Page("pages/actions.py", title="Desired actions", icon=":material/checklist:"),
        st.Page("pages/tickets.py", title="Internal tickets", icon=":material/confirmation_number:"),
        st.Page("pages/readings.py", title="Readings & targets", icon=":material/query_stats:"),
        st.Page("pages/metric_registry.py", title="Metric registry", icon=":material/tune:"),
        st.Page("pages/import.py", title="Import", icon=":material/upload:"),
        st.Page("pages/history.py", title="History", icon=":material/history:"),
        st.Page("pages/data.py", title="Data", icon=":material/database:"),
        st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
    ]
if allows(role, "facilitator"):
    sections["Workshop"] = [st.Page("pages/workshops.py", title="Workshops", icon=":material/co_present:")]
# Navigation on top leaves the full width to the cards: an executive's laptop shows all of them in one row.
st.navigation(sections, position="top").run()
