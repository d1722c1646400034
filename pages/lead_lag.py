"""Leading vs lagging: does a lagging metric follow a leading indicator, and after how many months?"""
from datetime import datetime

import streamlit as st

from metrics import calc, leadlag, outlook, registry
from ui.access import require
from ui.executive import initiatives_in_scope, spine_months, stop_without_data
from ui.figures import aligned_chart, correlation_chart, initiatives_shown
from ui.filters import PageState, cli_scope, filter_bar, freshness, md, share_link
from ui.page import header
from ui.session import get_store

MAX_LAG = 12
PAGE = "leadlag"

require("executive")
store = get_store()
state = PageState(PAGE)
actions = header(store, "Leading vs lagging")

months = spine_months(store)
metrics = registry.all_metrics(store)
leads = [d for d in metrics if d.kind == "leading"]
lags = [d for d in metrics if d.kind == "lagging"]
if not months or not leads or not lags:
    stop_without_data(store, "Nothing to compare yet: this page needs monthly figures of a leading indicator and "
                             "of a lagging metric. Import the programme's workbook on the **Import** page, or load "
                             "the demo programme on the **Data** page.")

filters = filter_bar(store, state, months)


def _reset_shift() -> None:
    # A new pair has its own best lag: the slider starts there again.
    st.session_state.pop(f"{PAGE}_shift", None)
    st.session_state[f"{PAGE}_pair_changed"] = True


labels = {d.key: d.label for d in metrics}
lead_col, lag_col, shift_col = st.columns([2, 2, 3], vertical_alignment="bottom")
with lead_col:
    keys = [d.key for d in leads]
    default = "ideas_implemented" if "ideas_implemented" in keys else keys[0]
    lead_key = st.selectbox("Leading indicator", keys, format_func=labels.get, on_change=_reset_shift,
                            key=state.key("lead", lambda v: v in keys, default))
with lag_col:
    keys = [d.key for d in lags]
    default = "nps" if "nps" in keys else keys[0]
    lag_key = st.selectbox("Lagging metric", keys, format_func=labels.get, on_change=_reset_shift,
                           key=state.key("lag", lambda v: v in keys, default))
lead_def, lag_def = registry.get(lead_key), registry.get(lag_key)
state.remember("lead", lead_key)
state.remember("lag", lag_key)

period = (filters.start, filters.end)
table = leadlag.leadlag_table(store, lead_key, lag_key, max_lag=MAX_LAG, period=period, **filters.scope)
best = leadlag.best_lag(table)
band = outlook.pair_projection(store, lead_key, lag_key, table, through=filters.end, **filters.scope)
with shift_col:
    # After a change of pair the URL still holds the old pair's shift: start from the new pair's best lag instead.
    from_link = [] if st.session_state.pop(f"{PAGE}_pair_changed", False) else None
    shift = st.slider("Move the leading series later by (months)", 0, MAX_LAG,
                      key=state.key("shift", lambda v: isinstance(v, int) and 0 <= v <= MAX_LAG,
                                    best[0] if best else 0, parse=int, candidates=from_link),
                      help="Shifts the leading indicator to the right so that its movements line up with the "
                           "lagging metric's months later. The best lag is where the bars below reach furthest past "
                           "the dotted bar for a claim, the way the two metrics' better directions expect.")
state.remember("shift", shift)
state.publish()
with actions:
    share_link(state)

sentence = leadlag.pair_sentence(table, lead_def, lag_def)
st.markdown(f":material/insights: **{sentence}** :gray[({md(filters.scope_label)}, {filters.period_label})]")
same_way = lead_def.direction == lag_def.direction
expected = "positive" if same_way else "negative"
st.caption("r is Pearson's correlation between the leading indicator's month-on-month change and the lagging metric's "
           f"change k months later. {md(lead_def.label)} is better {lead_def.direction} and {md(lag_def.label)} "
           f"better {lag_def.direction}, so following shows as a {expected} r. The grey band (±1.96/√n) is what one "
           f"lag alone would need; scanning {len(table)} lags gives that many chances of a fluke, so a claim needs "
           "r beyond the dotted bar, corrected for them (at most 5 in 100 unrelated pairs clear it). Following is "
           "association in time, not proof of cause.")

lead_series = filters.within_series(calc.series(store, lead_key, **filters.scope))
lag_series = filters.within_series(calc.series(store, lag_key, **filters.scope))
st.markdown(f"**{lag_def.label}** and **{lead_def.label}**"
            + (f" moved {shift} month{'s' if shift != 1 else ''} later" if shift else "")
            + f"; below, the initiatives of {md(filters.scope_phrase)}")
initiatives = initiatives_in_scope(store, filters, prefer=(lead_key, lag_key))
fig = aligned_chart(lead_series, lag_series, shift, lead_def, lag_def, initiatives, projection=band)
st.plotly_chart(fig, width="stretch", key=f"{PAGE}_aligned")
st.caption(outlook.pair_projection_note(lead_def, lag_def, table, band,
                                        outlook.scan_tests(store, through=filters.end, **filters.scope)))
drawn, total = initiatives_shown(initiatives, filters.start, filters.end)
if drawn < total:
    st.caption(f"{drawn} of {total} initiatives in the period are shown: first those meant to move these two "
               "metrics, then the organisation-wide ones. Choose a unit to see its own.")
corr_col, numbers_col = st.columns([3, 2])
with corr_col:
    st.markdown("**Correlation by lag** (orange: the best lag; outlined: the lag the chart above shows)")
    st.plotly_chart(correlation_chart(table, best, shift), width="stretch", key=f"{PAGE}_correlation")
with numbers_col:
    st.markdown("**The numbers**")
    command = " ".join(["python -m metrics leadlag --lead", lead_key, "--lag", lag_key, *cli_scope(filters)])
    whole = filters.start == months[0] and filters.end == months[-1]
    st.caption("The command line prints these same figures:" if whole else
               "Over the whole history (this view shows a shorter period), the command line gives:")
    st.code(command, language="bash", wrap_lines=True)
    st.dataframe(table, hide_index=True, width="stretch", height=300, key=f"{PAGE}_table", column_config={
        "lag_months": st.column_config.NumberColumn("Lag (months)"),
        "r": st.column_config.NumberColumn("r", format="%.3f"),
        "n": st.column_config.NumberColumn("Month pairs"),
        "threshold": st.column_config.NumberColumn("Pointwise band (±)", format="%.3f"),
        "oriented_r": None,
        "bar": st.column_config.NumberColumn("Bar for a claim (±)", format="%.3f"),
    })
st.caption(freshness(store, datetime.now()))
