"""Process behaviour (XmR) charts: is a metric's latest movement a signal, or the process's ordinary variation?"""
from datetime import datetime

import pandas as pd
import streamlit as st

from metrics import calc, registry, verdicts
from metrics.summary import card_summary
from metrics.xmr import RULE_LABELS, rules_sentence, xmr
from ui.access import require
from ui.cards import ASSURANCE_BADGES, VARIATION_BADGES
from ui.executive import ORG_TARGET_NOTE, initiatives_in_scope, scope_targets, spine_months, stop_without_data
from ui.figures import xmr_chart
from ui.filters import PageState, cli_scope, filter_bar, freshness, md, month_label, share_link
from ui.page import header
from ui.session import get_store

PAGE = "process"
NO_CHANGE = ""
NO_CHANGE_IN_URL = "none"  # the choice "no process change" must survive a link, where an empty value would not

require("executive")
store = get_store()
state = PageState(PAGE)
actions = header(store, "Process behaviour")

months = spine_months(store)
if not months:
    stop_without_data(store)

filters = filter_bar(store, state, months)
metrics = registry.all_metrics(store)
labels = {d.key: d.label for d in metrics}
keys = list(labels)
period = [m for m in months if filters.start <= m <= filters.end]


def _reset_limits() -> None:
    # Another metric has its own initiatives: the process change and the baseline start from its defaults again.
    for name in ("change", "baseline", "lock"):
        st.session_state.pop(f"{PAGE}_{name}", None)
    st.session_state[f"{PAGE}_metric_changed"] = True


metric_col, change_col, lock_col, base_col = st.columns([2, 2, 1, 2], vertical_alignment="bottom")
with metric_col:
    key = st.selectbox("Metric", keys, format_func=labels.get, on_change=_reset_limits,
                       key=state.key("metric", lambda v: v in keys, "ideas_implemented"
                                     if "ideas_implemented" in keys else keys[0]))
state.remember("metric", key)
defn = registry.get(key)
# After a change of metric the URL still holds the old metric's choices: use the new metric's defaults.
fresh = st.session_state.pop(f"{PAGE}_metric_changed", False)
from_link = [] if fresh else None

linked = initiatives_in_scope(store, filters, (key,))
starts = {}
for item in linked.sort_values("start").itertuples():
    if not pd.isna(item.start):
        starts.setdefault(pd.Timestamp(item.start).strftime("%Y-%m"), []).append(item.label)
# The default process change: the latest start, within the period, of an initiative meant to move this metric.
change_default = max((m for m in starts if m in period[1:]), default=NO_CHANGE)
with change_col:
    options = [NO_CHANGE, *period[1:]]
    change = st.selectbox(
        "Recalculate limits from (process change)", options,
        format_func=lambda m: "No process change" if m == NO_CHANGE else month_label(m) + (
            f": {', '.join(starts[m])} starts" if m in starts else ""),
        key=state.key("change", lambda v: v in options, change_default, candidates=from_link,
                      parse=lambda text: NO_CHANGE if text == NO_CHANGE_IN_URL else text),
        help="Limits are recalculated from this month on, from its own points: the process after a change is a "
             "new process. The default is the start of an initiative linked to this metric.")
state.remember("change", change or NO_CHANGE_IN_URL)
with lock_col:
    lock = st.toggle("Lock limits", key=state.key("lock", lambda v: isinstance(v, bool), False,
                                                  parse=lambda t: t == "1", candidates=from_link),
                     help="Compute the limits from a baseline period only and carry them forward.")
state.remember("lock", "1" if lock else "")
baseline = None
with base_col:
    if lock and len(period) > 1:
        default = (period[0], period[min(len(period) - 1, 11)])
        base_key, value = state.range_value(
            "baseline", lambda v: isinstance(v, tuple | list) and len(v) == 2 and v[0] in period
            and v[1] in period and v[0] < v[1], default,
            candidates=from_link if from_link is not None else [(state.from_url("base_from"),
                                                                 state.from_url("base_to"))])
        baseline = st.select_slider("Baseline period", options=period, value=value, format_func=month_label,
                                    key=base_key)
        state.remember("base_from", baseline[0])
        state.remember("base_to", baseline[1])
    else:
        st.caption("Limits from all the points of each process period.")
state.publish()
with actions:
    share_link(state)

values = filters.within_series(calc.series(store, key, **filters.scope))
rules = calc.rule_set(store)
frame = xmr(values, floor=defn.floor, ceiling=defn.ceiling, baseline=tuple(baseline) if baseline else None,
            change_points=[change] if change else [], rules=rules)
if frame.empty:
    st.info(f"**{defn.label}** has no figures for {md(filters.scope_label)} in {filters.period_label}.")
    st.caption(freshness(store, datetime.now()))
    st.stop()

targets, inherited = scope_targets(store, filters)
summary = card_summary(pd.DataFrame({"month": frame["month"], "metric": key, "value": frame["value"]}), targets,
                       key, defn, rules=rules)
variation = verdicts.variation(frame, defn.direction)
assurance = verdicts.assurance(frame, summary.target if summary.target_by else None, defn.direction)
with st.container(horizontal=True, vertical_alignment="center"):
    words, icon, colour, why = VARIATION_BADGES[variation]
    up, down = ":material/trending_up:", ":material/trending_down:"
    st.badge(f"Latest month: {words.lower()}", icon=icon.format(better=up if defn.direction == "up" else down,
                                                               worse=down if defn.direction == "up" else up),
             color=colour, help=why)
    if assurance:
        words, icon, colour, why = ASSURANCE_BADGES[assurance]
        st.badge(words, icon=icon, color=colour, help=why)
    last = frame.iloc[-1]
    fmt = lambda v: registry.format_value(defn, v)  # noqa: E731
    st.markdown(f"**{defn.label}** for {md(filters.scope_phrase)}: centre {fmt(last['centre'])}, "
                f"natural process limits {fmt(last['lower'])} to {fmt(last['upper'])}"
                + (f"; target {fmt(summary.target)} by {month_label(summary.target_by)}" if summary.target_by else "")
                + (f" ({ORG_TARGET_NOTE})" if summary.target_by and key in inherited else ""))

st.plotly_chart(xmr_chart(frame, defn, tuple(baseline) if baseline else None, change or None, rules),
                width="stretch", key=f"{PAGE}_chart")
signals = frame[frame["signal"] != ""]
st.markdown(f"**{rules_sentence(rules)}** :gray[(the organisation's rule set, chosen on the Settings page)]")
st.caption("Centre = mean; limits = centre ± 2.66 × mean moving range (not beyond what the metric can take); the "
           "moving-range chart's upper limit is 3.268 × its mean. The limits restart at every process change.")
with st.expander(f"Signals ({len(signals)} months) and the numbers behind the chart"):
    command = ["python -m metrics xmr --metric", key, "--rules", rules, *cli_scope(filters)]
    command += ["--change", change] if change else []
    command += ["--baseline", f"{baseline[0]}:{baseline[1]}"] if baseline else []
    whole = filters.start == months[0] and filters.end == months[-1]
    st.caption("The command line prints these same figures:" if whole else
               "Over the whole history (this view shows a shorter period), the command line gives:")
    st.code(" ".join(command), language="bash", wrap_lines=True)
    st.dataframe(frame.assign(signal=frame["signal"].map(
        lambda s: ", ".join(RULE_LABELS[r] for r in s.split(";") if r))), hide_index=True, width="stretch",
        key=f"{PAGE}_table")
st.caption(freshness(store, datetime.now()))
