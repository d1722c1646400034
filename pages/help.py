"""How to read these charts: the rule set in use with a picture of each signal, what assurance means, why lead-lag
uses monthly changes, and why following is not cause. Plain words."""
import streamlit as st

from metrics.calc import rule_set
from metrics.xmr import RULE_SET_NAMES, rules_sentence
from ui.access import require
from ui.help import examples
from ui.page import header
from ui.session import get_store

require("executive")
store = get_store()
header(store, "How to read these charts")
rules = rule_set(store)

st.header("Process behaviour: signal or ordinary variation?")
st.markdown(
    "Every figure wobbles from month to month. A process-behaviour (XmR) chart draws a **centre** (the average) and "
    "**natural process limits** (the centre plus or minus 2.66 times the average month-to-month change): as long as a "
    "process stays the same, nearly every month falls between them. A **signal** is a pattern that ordinary wobble "
    "would rarely make: something changed. When the programme changes the process (an initiative starts, or a lead "
    "marks a change on the chart), the limits start again from the new months: a new process gets limits of its own. "
    "Limits from fewer than 12 months are **provisional**.")
st.markdown(f"**This organisation uses the {RULE_SET_NAMES[rules]} rules** (a lead changes them on the Settings "
            f"page). {rules_sentence(rules)}")
for position, (_rule, meaning, figure) in enumerate(examples(rules)):
    with st.container(border=True):
        st.markdown(f"**{meaning}**")
        st.plotly_chart(figure, width="stretch", key=f"help_example_{position}", config={"displayModeBar": False})

st.header("Assurance: will the target be met?")
st.markdown(
    "- **Meets target** (consistently): the target lies beyond the limits on the worse side; as the process runs "
    "now, every month should meet it.\n"
    "- **Misses target** (consistently): the target lies beyond the limits on the better side; without a change to "
    "the process, no month will reach it, even if one month happens to.\n"
    "- **Hit and miss**: the target lies between the limits; some months will meet it and some will not, by "
    "chance alone.\n\n"
    "A card can say \"met this month\" and \"misses target\" at once: the first is one month, the second the "
    "process. The card then says so in words.")

st.header("Leading and lagging: has one followed the other?")
st.markdown(
    "The tracker compares **month-on-month changes**, not the levels: two things that both grow over two years "
    "would otherwise look related at every lag. It takes the leading indicator's change in one month and the "
    "lagging metric's change some months later, for every lag from 0 to 12 months, and measures how closely they "
    "move together (Pearson's r, from -1 to +1). Each metric's better direction counts: staff churn is better down, "
    "so churn falling before NPS rises is the programme working.\n\n"
    "Trying 13 lags gives 13 chances to find a pattern by luck. So the tracker claims \"has followed\" only when r "
    "clears a bar corrected for all the lags tried: of pairs of unrelated figures, at most 5 in 100 earn the claim. "
    "The grey band on the chart is what a single lag alone would need. A strong r the wrong way is said as such.\n\n"
    "**Following is not cause.** Two figures can move together because something else moved both (a new route, the "
    "season, a price change). The tracker reports timing and strength; whether the programme did it is a judgement "
    "for people who know what else happened.")
