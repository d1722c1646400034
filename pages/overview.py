"""Overview for executives: every built-in metric now, and a leading indicator charted against a lagging one."""
import streamlit as st

from metrics import calc, registry
from metrics.summary import card_summary
from ui.access import require
from ui.cards import kpi_card, month_label
from ui.figures import lead_lag_chart
from ui.session import get_store

# The headline pair of domain.md: ideas put into practice now, NPS months later.
HEADLINE_LEAD, HEADLINE_LAG = "ideas_implemented", "nps"

require("executive")
store = get_store()
st.title("Programme overview")
if store.is_demo():
    st.info(f"**{store.setting('demo_label', 'Demo programme')}.** These figures are made up to show how the "
            "tracker works. Remove them on the **Data** page before entering your own programme.",
            icon=":material/science:")

monthly = calc.monthly(store)
targets = calc.targets(store)
builtins = list(registry.BUILTIN)
if monthly["value"].notna().sum() == 0:
    st.warning("No programme data yet. Import a workbook with `python -m data import PATH` "
               "(see the README), or load the demo programme on the **Data** page.")
    st.stop()

latest = monthly.dropna(subset=["value"])["month"].max()
changed = store.last_changed()
st.caption(f"Latest month with data: **{month_label(latest)}** · data last changed {changed:%d %b %Y %H:%M}")

for column, defn in zip(st.columns(len(builtins)), builtins, strict=True):
    with column:
        kpi_card(defn, card_summary(monthly, targets, defn.key))

lead, lag = registry.get(HEADLINE_LEAD), registry.get(HEADLINE_LAG)
st.header(f"{lead.label} and {lag.label}, month by month")
wide = monthly.pivot(index="month", columns="metric", values="value").reset_index()
st.plotly_chart(lead_lag_chart(wide, lead, lag), width="stretch", key="overview_lead_lag")
st.caption("Leading indicators move first; lagging metrics are expected to follow months later. "
           "A shared trend is not proof that one causes the other.")
