"""Process behaviour (XmR) charts: is a metric's latest movement a signal, or the process's ordinary variation?"""
from datetime import datetime

import pandas as pd
import streamlit as st

from metrics import calc, changes, registry, verdicts
from metrics.summary import card_summary
from metrics.xmr import RULE_LABELS, rules_sentence, xmr
from ui.access import allows, require
from ui.cards import ASSURANCE_BADGES, VARIATION_BADGES, limits_note
from ui.changes import changes_panel
from ui.executive import ORG_TARGET_NOTE, scope_targets, spine_months, stop_without_data
from ui.figures import xmr_chart
from ui.filters import PageState, cli_scope, filter_bar, freshness, md, month_label, share_link
from ui.page import header
from ui.session import get_store

PAGE = "process"

_, role = require("executive")
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
    # Another metric has its own process periods: the baseline starts from its defaults again.
    for name in ("baseline", "lock"):
        st.session_state.pop(f"{PAGE}_{name}", None)
    st.session_state[f"{PAGE}_metric_changed"] = True


metric_col, lock_col, base_col = st.columns([2, 1, 3], vertical_alignment="bottom")
with metric_col:
    key = st.selectbox("Metric", keys, format_func=labels.get, on_change=_reset_limits,
                       key=state.key("metric", lambda v: v in keys, "ideas_implemented"
                                     if "ideas_implemented" in keys else keys[0]))
state.remember("metric", key)
defn = registry.get(key, store)
# After a change of metric the URL still holds the old metric's choices: use the new metric's defaults.
fresh = st.session_state.pop(f"{PAGE}_metric_changed", False)
from_link = [] if fresh else None
# Every process change of this metric in this scope: initiatives' starts and changes marked by hand (design.md).
marked = changes.process_changes(store, key, **filters.scope)
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
change_months = sorted(set(marked["month"]))
frame = xmr(values, floor=defn.floor, ceiling=defn.ceiling, baseline=tuple(baseline) if baseline else None,
            change_points=change_months, rules=rules)
if frame.empty:
    st.info(f"**{defn.label}** has no figures for {md(filters.scope_label)} in {filters.period_label}.")
    st.caption(freshness(store, datetime.now()))
    st.stop()

targets, inherited = scope_targets(store, filters)
summary = card_summary(pd.DataFrame({"month": frame["month"], "metric": key, "value": frame["value"]}), targets,
                       key, defn, rules=rules, changes=change_months)
latest_segment = frame[frame["segment"] == frame["segment"].max()]
variation = verdicts.variation(latest_segment, defn.direction)
assurance = verdicts.assurance(latest_segment, summary.target if summary.target_by else None, defn.direction)
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
                + (f" ({ORG_TARGET_NOTE})" if summary.target_by and key in inherited else "")
                + (f". {limits_note(summary)}" if limits_note(summary) else ""))

st.plotly_chart(xmr_chart(frame, defn, tuple(baseline) if baseline else None, marked, rules),
                width="stretch", key=f"{PAGE}_chart")
segments = frame["segment"].nunique()
st.caption(f"{segments} process period{'s' if segments != 1 else ''} in this view, each with its own limits.")
signals = frame[frame["signal"] != ""]
st.markdown(f"**{rules_sentence(rules)}** :gray[(the organisation's rule set, chosen on the Settings page)]")
st.caption("Centre = mean; limits = centre ± 2.66 × mean moving range (not beyond what the metric can take); the "
           "moving-range chart's upper limit is 3.268 × its mean. The limits restart at every process change.")
with st.expander(f"Signals ({len(signals)} months) and the numbers behind the chart"):
    command = ["python -m metrics xmr --metric", key, "--rules", rules, *cli_scope(filters)]
    command += [part for month in change_months for part in ("--change", month)]
    command += ["--baseline", f"{baseline[0]}:{baseline[1]}"] if baseline else []
    whole = filters.start == months[0] and filters.end == months[-1]
    st.caption("The command line prints these same figures:" if whole else
               "Over the whole history (this view shows a shorter period), the command line gives:")
    st.code(" ".join(command), language="bash", wrap_lines=True)
    st.dataframe(frame.assign(signal=frame["signal"].map(
        lambda s: ", ".join(RULE_LABELS[r] for r in s.split(";") if r))), hide_index=True, width="stretch",
        key=f"{PAGE}_table")
st.header("Process changes")
changes_panel(store, key, defn.label, marked, period, filters.unit, allows(role, "lead"))
st.caption(freshness(store, datetime.now()))
