"""Plotly figure builders shared by the pages; they take tidy frames and metric definitions, never a Store."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# Colour-blind-safe pair (Okabe-Ito blue and vermillion); each series also differs in mark (bar vs line+marker).
LEAD_COLOUR = "#0072B2"
LAG_COLOUR = "#D55E00"
CHART_HEIGHT = 300
SPARK_HEIGHT = 56
NEUTRAL_COLOUR = "#4a5a6a"
# Interaction on a 56-pixel trend only gets in the way; the big chart and the pages behind the cards are for reading.
SPARK_CONFIG = {"staticPlot": True, "displayModeBar": False}


def _month_axis(months: pd.Series) -> pd.Series:
    return pd.to_datetime(months + "-01")


def lead_lag_chart(wide: pd.DataFrame, lead, lag) -> go.Figure:
    """A leading indicator (bars) and a lagging metric (line) on one time axis, each on its own scale."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    x = _month_axis(wide["month"])
    fig.add_trace(go.Bar(x=x, y=wide[lead.key], name=lead.label, marker_color=LEAD_COLOUR, opacity=0.75,
                         hovertemplate="%{x|%b %Y}: %{y}<extra>" + lead.label + "</extra>"), secondary_y=False)
    fig.add_trace(go.Scatter(x=x, y=wide[lag.key], name=lag.label, mode="lines+markers", connectgaps=True,
                             line={"color": LAG_COLOUR, "width": 3}, marker={"size": 6},
                             hovertemplate="%{x|%b %Y}: %{y}<extra>" + lag.label + "</extra>"), secondary_y=True)
    fig.update_yaxes(title_text=lead.label, secondary_y=False, rangemode="tozero")
    # Each axis picks its own round ticks; synchronised ticks would give the second one values like 34.7.
    fig.update_yaxes(title_text=lag.label, secondary_y=True, showgrid=False, tickmode="auto", nticks=6)
    fig.update_layout(height=CHART_HEIGHT, margin={"l": 10, "r": 10, "t": 30, "b": 10}, bargap=0.25,
                      legend={"orientation": "h", "y": 1.12, "x": 0}, hovermode="x unified")
    return fig


def sparkline(values: list[float], bars: bool = False) -> go.Figure:
    """A card's small trend: shape only, no axes; counts as bars, rates as a line ending in a dot."""
    x = list(range(len(values)))
    if bars:
        trace = go.Bar(x=x, y=values, marker_color=NEUTRAL_COLOUR)
    else:
        trace = go.Scatter(x=x, y=values, mode="lines+markers", line={"color": NEUTRAL_COLOUR, "width": 2},
                           marker={"size": [0] * (len(values) - 1) + [6], "color": NEUTRAL_COLOUR})
    fig = go.Figure(trace)
    fig.update_layout(height=SPARK_HEIGHT, margin={"l": 4, "r": 6, "t": 6, "b": 4}, showlegend=False,
                      xaxis={"visible": False}, yaxis={"visible": False}, bargap=0.3)
    return fig
