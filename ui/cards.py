"""The KPI card: a metric's latest value, change on last month, target and a small trend, in one bordered box."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from metrics.registry import format_delta, format_value
from metrics.summary import CardSummary
from ui.figures import SPARK_CONFIG, sparkline


def month_label(month: str | None) -> str:
    return pd.Period(month, "M").strftime("%b %Y") if month else "no data yet"


def kpi_card(defn, summary: CardSummary) -> None:
    with st.container(border=True):
        has_delta = summary.month is not None and not math.isnan(summary.delta)
        delta = format_delta(defn, summary.delta) if has_delta else None
        # A change that rounds to nothing is shown without colour or arrow: it is no news.
        steady = delta is not None and not any(ch in "123456789" for ch in delta)
        st.metric(
            defn.card_label,
            format_value(defn, summary.value),
            delta=delta,
            # Better is up for most metrics, down for churn: Streamlit then colours the change accordingly,
            # and the arrow and sign carry the same meaning for readers who do not see colour.
            delta_color="off" if steady else ("normal" if defn.direction == "up" else "inverse"),
            delta_arrow="off" if steady else "auto",
            help=f"**{defn.label}**: {defn.description} The change is against the month before.",
        )
        # Plotly rather than st.metric's own chart: that one is an unlabelled SVG, which screen readers cannot name.
        if len(summary.trend) > 1:
            st.plotly_chart(sparkline(summary.trend, bars=defn.unit == "count"), config=SPARK_CONFIG,
                            width="stretch", key=f"card_trend_{defn.key}")
        target = (f"Target {format_value(defn, summary.target)} by {month_label(summary.target_by)}"
                  if summary.target_by else "No target set")
        st.caption(f"{month_label(summary.month)} · {target}")
