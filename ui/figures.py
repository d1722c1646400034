"""Plotly figure builders shared by the pages; they take tidy frames and metric definitions, never a Store."""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from metrics.xmr import DEFAULT_RULES, RULE_LABELS, RULE_SETS

# Colour-blind-safe pair (Okabe-Ito blue and vermillion); each series also differs in mark (bar vs line+marker).
LEAD_COLOUR = "#0072B2"
LAG_COLOUR = "#D55E00"
CHART_HEIGHT = 300
SPARK_HEIGHT = 34
NEUTRAL_COLOUR = "#4a5a6a"
# Interaction on a 56-pixel trend only gets in the way; the big chart and the pages behind the cards are for reading.
SPARK_CONFIG = {"staticPlot": True, "displayModeBar": False}


def _month_axis(months: pd.Series) -> pd.Series:
    return pd.to_datetime(months + "-01")


# Room above the highest and below the lowest value, so no mark sits on the plot's edge.
AXIS_PAD = 0.06


def _zero_aligned_ranges(left, right) -> tuple[list[float], list[float]] | None:
    """Ranges for two y axes that put both zero lines at the same height: with independent scales a lagging metric
    that dips below zero would otherwise look positive against the bars' zero line. None when not needed or not
    possible (an empty series, a flat one, or one entirely below zero)."""
    bounds = []
    for values in (left, right):
        known = pd.Series(values, dtype=float).dropna()
        if known.empty:
            return None
        low, high = min(0.0, known.min()), max(0.0, known.max())
        if high <= 0 or high == low:
            return None
        bounds.append((low, high))
    below = max(-low / (high - low) for low, high in bounds)  # the share of the axis under zero, as the larger needs
    if below == 0:
        return None
    ranges = []
    for low, high in bounds:
        top = max(high, -low * (1 - below) / below)
        ranges.append([-below * top / (1 - below) * (1 + AXIS_PAD), top * (1 + AXIS_PAD)])
    return ranges[0], ranges[1]


def _align_zeros(fig: go.Figure, left, right, **where) -> None:
    if ranges := _zero_aligned_ranges(left, right):
        fig.update_yaxes(range=ranges[0], secondary_y=False, **where)
        fig.update_yaxes(range=ranges[1], secondary_y=True, **where)


def lead_lag_chart(wide: pd.DataFrame, lead, lag) -> go.Figure:
    """A leading indicator (bars) and a lagging metric (line) on one time axis, each on its own scale."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    x = _month_axis(wide["month"])
    fig.add_trace(go.Bar(x=x, y=wide[lead.key], name=lead.label, marker_color=LEAD_COLOUR, opacity=0.75,
                         hovertemplate="%{x|%b %Y}: %{y}<extra>" + lead.label + "</extra>"), secondary_y=False)
    fig.add_trace(go.Scatter(x=x, y=wide[lag.key], name=lag.label, mode="lines+markers", connectgaps=True,
                             line={"color": LAG_COLOUR, "width": 3}, marker={"size": 6},
                             hovertemplate="%{x|%b %Y}: %{y}<extra>" + lag.label + "</extra>"), secondary_y=True)
    fig.update_yaxes(title_text=lead.axis_title, secondary_y=False, rangemode="tozero")
    # Each axis picks its own round ticks; synchronised ticks would give the second one values like 34.7.
    fig.update_yaxes(title_text=lag.axis_title, secondary_y=True, showgrid=False, tickmode="auto", nticks=6)
    _align_zeros(fig, wide[lead.key], wide[lag.key])
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


# -- executive views -------------------------------------------------------------------------------------------------
# Okabe-Ito colours, safe for the common colour-vision deficiencies; every series also differs in dash or mark.
PLAN_COLOUR = "#6b6b6b"
SIGNAL_COLOUR = "#D55E00"
LIMIT_COLOUR = "#CC79A7"
BASELINE_FILL = "rgba(0, 114, 178, 0.08)"
INITIATIVE_FILL = "rgba(0, 158, 115, 0.10)"
INITIATIVE_COLOUR = "#007a5a"
# Light to dark blue: more coverage reads darker in any colour vision and in greyscale.
COVERAGE_SCALE = [[0.0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"], [1.0, "#08306b"]]
HEATMAP_ROW_PX = 24
# Beyond this many months a cell of the heat map (3/5 of a laptop screen) is too narrow for its per cent; the hover
# still gives it.
HEATMAP_TEXT_MONTHS = 18
BACK_OFFICE = "internal"
BACK_OFFICE_MARK = " (back office)"
# The rule names of design.md with a legend text and a distinct marker each (open symbols, so overlapping ones show).
# A process change's reason beside its line: short enough not to cross the next change, in up to three rows.
CHANGE_REASON_CHARS = 40
CHANGE_LABEL_STEP, CHANGE_LABEL_ROWS = 0.09, 3
# One open symbol per rule, so that a point in several patterns shows each, and colour is never the only carrier.
RULE_MARKERS = {
    "outside": ("diamond-open", 17),
    "run8": ("square-open", 13), "run7": ("square-open", 13),
    "3of4": ("circle-open", 10), "2of3": ("circle-open", 10),
    "trend7": ("triangle-up-open", 12),
}
COMPACT_MARGIN = {"l": 10, "r": 10, "t": 30, "b": 10}


def _month_dates(months) -> pd.Series:
    return pd.to_datetime(pd.Series(list(months), dtype=str) + "-01")


def plain(text: str) -> str:
    """User text (unit and initiative names) for plotly, which reads a few HTML tags in labels: escaped, so that it
    shows as typed and never as markup."""
    return html.escape(str(text), quote=False)


def unit_label(unit: str, function: str) -> str:
    return unit + (BACK_OFFICE_MARK if function == BACK_OFFICE else "")


def behind_table(behind: pd.DataFrame) -> pd.DataFrame:
    """Units behind plan as a reader sees them: whole per cents and percentage points, the back office marked."""
    return pd.DataFrame({
        "Unit": [unit_label(u, f) for u, f in zip(behind["unit"], behind["function"], strict=True)],
        "Coverage": [f"{v:.0%}" for v in behind["coverage"]],
        "Plan": [f"{v:.0%}" for v in behind["planned"]],
        "Behind by": [f"{v * 100:.0f} pp" for v in behind["gap"]],
    })


def reach_table(reach: pd.DataFrame) -> pd.DataFrame:
    """metrics.outlook.coverage_outlook as a reader sees it: each unit, its coverage, the plan's target and date, the
    month its own pace reaches the target with the 80% interval, and whether that is by the plan's date."""
    from metrics.months import label

    def when(row) -> str:
        if row.coverage >= row.target:
            return "Reached"
        return label(row.reach) if row.reach else "Not within five years"

    def interval(row) -> str:
        if row.coverage >= row.target or not row.reach:
            return ""
        latest = label(row.latest) if row.latest else "beyond five years"
        return label(row.earliest) if row.earliest == row.latest else f"{label(row.earliest)} to {latest}"

    rows = list(reach.itertuples(index=False))
    return pd.DataFrame({
        "Unit": [unit_label(r.unit, r.function) for r in rows],
        "Coverage": [f"{r.coverage:.0%}" for r in rows],
        "Plan": [f"{r.target:.0%} by {label(r.by)}" for r in rows],
        "Reaches it": [when(r) for r in rows],
        "80% interval": [interval(r) for r in rows],
        "By the plan's date": ["Yes" if r.on_time else "No" for r in rows],
    }, columns=["Unit", "Coverage", "Plan", "Reaches it", "80% interval", "By the plan's date"])


def coverage_heatmap(frame: pd.DataFrame, units: list[str]) -> go.Figure:
    """Coverage of each unit (rows, in the order given, top first) by month (columns); the back office is marked in
    the row label, every cell carries its per cent as text and in the hover, so colour is never the only carrier."""
    rows = frame[frame["unit"].isin(units)]
    grid = rows.pivot(index="unit", columns="month", values="coverage").reindex(units)
    functions = rows.drop_duplicates("unit").set_index("unit")["function"]
    labels = [plain(unit_label(u, functions.get(u, ""))) for u in units]
    months = list(grid.columns)
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(), x=_month_dates(months), y=labels, zmin=0, zmax=1, colorscale=COVERAGE_SCALE,
        xgap=1, ygap=1, texttemplate="%{z:.0%}" if len(months) <= HEATMAP_TEXT_MONTHS else None, textfont={"size": 10},
        colorbar={"title": {"text": "Coverage"}, "tickformat": ".0%", "thickness": 12, "len": 0.9},
        hovertemplate="%{y}<br>%{x|%b %Y}: %{z:.0%} covered<extra></extra>", hoverongaps=False))
    fig.update_yaxes(autorange="reversed", tickfont={"size": 12})
    fig.update_xaxes(dtick="M3", tickformat="%b %Y")
    fig.update_layout(height=max(180, HEATMAP_ROW_PX * len(units) + 60), margin={**COMPACT_MARGIN, "t": 10})
    return fig


def plan_chart(frame: pd.DataFrame) -> go.Figure:
    """The plan S-curve (dashed grey) against actual coverage (solid blue with markers), both as per cent."""
    x = _month_dates(frame["month"])
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=frame["planned"], name="Plan", mode="lines", connectgaps=True,
                             line={"color": PLAN_COLOUR, "width": 2, "dash": "dash"},
                             hovertemplate="%{x|%b %Y}: %{y:.0%}<extra>Plan</extra>"))
    fig.add_trace(go.Scatter(x=x, y=frame["actual"], name="Actual", mode="lines+markers",
                             line={"color": LEAD_COLOUR, "width": 3}, marker={"size": 5},
                             hovertemplate="%{x|%b %Y}: %{y:.0%}<extra>Actual</extra>"))
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02], title_text="Share of headcount trained")
    fig.update_layout(height=CHART_HEIGHT, margin=COMPACT_MARGIN, hovermode="x unified",
                      legend={"orientation": "h", "y": 1.12, "x": 0})
    return fig


INITIATIVE_ROW_PX = 26
INITIATIVE_NAME_CHARS = 34
# More rows than this cannot be read under a chart (a large organisation runs hundreds of initiatives): the first
# ones, in the order given, are drawn and the chart's caller says how many were left out.
MAX_INITIATIVES = 10


def _short(text: str, limit: int = INITIATIVE_NAME_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


PROJECTION_FILL = "rgba(213, 94, 0, 0.15)"


def _projection_traces(fig: go.Figure, lag: pd.Series, projection: pd.DataFrame, lag_def) -> None:
    """The lagging metric's projection after its last month: the 80% interval as a shaded band and the projected
    path as a dashed line starting from the last value, on the lag's axis."""
    known = lag.dropna()
    x = _month_dates(projection["month"])
    # One closed shape (high going out, low coming back): fills between two traces pair up unreliably on subplots.
    fig.add_trace(go.Scatter(x=pd.concat([x, x[::-1]], ignore_index=True),
                             y=[*projection["high"], *projection["low"][::-1]], mode="lines", fill="toself",
                             fillcolor=PROJECTION_FILL, line={"width": 0}, name="80% interval", hoverinfo="skip"),
                  row=1, col=1, secondary_y=True)
    path_x = pd.concat([_month_dates(pd.Series([known.index[-1]])), x], ignore_index=True)
    path_y = [float(known.iloc[-1]), *projection["projected"]]
    fig.add_trace(go.Scatter(x=path_x, y=path_y, mode="lines", name=f"{lag_def.label}, projected",
                             line={"color": LAG_COLOUR, "width": 2, "dash": "dash"},
                             hovertemplate="%{x|%b %Y}: %{y}<extra>projected</extra>"), row=1, col=1, secondary_y=True)


def aligned_chart(lead: pd.Series, lag: pd.Series, shift: int, lead_def, lag_def,
                  initiatives: pd.DataFrame | None = None, projection: pd.DataFrame | None = None) -> go.Figure:
    """The lagging metric (line) and the leading one moved `shift` months later (bars), each on its own axis, so a lag
    of k months lines the lead's movement up with the lag's. Below, on the same time axis, one bar per initiative from
    its start to its end (or to the chart's end while it runs); dotted lines carry their starts up into the chart.
    With a projection (metrics.outlook.pair_projection: month, projected, low, high) the lag carries on after its last
    month as a dashed line inside its shaded 80% interval."""
    months = sorted(set(lead.index) | set(lag.index))
    first, last = (months[0], months[-1]) if months else (None, None)
    rows = _initiative_rows(initiatives, first, last) if initiatives is not None and first else []
    shown = sorted(rows[:MAX_INITIATIVES], key=lambda row: row[1])  # the first ones given, in time order
    rows = 2 if shown else 1
    timeline_px = INITIATIVE_ROW_PX * len(shown) + 30
    height = 360 + (timeline_px if shown else 0)
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.04,
                        row_heights=[360 / height, timeline_px / height] if shown else None,
                        specs=[[{"secondary_y": True}]] + ([[{}]] if shown else []))
    moved = pd.Series(lead.to_numpy(), index=[(pd.Period(m, "M") + shift).strftime("%Y-%m") for m in lead.index])
    lead_name = lead_def.label + (f" ({shift} month{'s' if shift != 1 else ''} later)" if shift else "")
    fig.add_trace(go.Bar(x=_month_dates(moved.index), y=moved.to_numpy(), name=lead_name, marker_color=LEAD_COLOUR,
                         opacity=0.7, customdata=_month_dates(lead.index),
                         hovertemplate="%{customdata|%b %Y}: %{y}<extra>" + lead_def.label + "</extra>"),
                  row=1, col=1, secondary_y=False)
    fig.add_trace(go.Scatter(x=_month_dates(lag.index), y=lag.to_numpy(), name=lag_def.label, mode="lines+markers",
                             connectgaps=True, line={"color": LAG_COLOUR, "width": 3}, marker={"size": 6},
                             hovertemplate="%{x|%b %Y}: %{y}<extra>" + lag_def.label + "</extra>"),
                  row=1, col=1, secondary_y=True)
    fig.update_yaxes(title_text=lead_def.axis_title, secondary_y=False, row=1, col=1,
                     tickformat=".0%" if lead_def.unit == "share" else None)
    # Each axis picks its own round ticks; synchronised ticks would give the second one values like 34.7.
    fig.update_yaxes(title_text=lag_def.axis_title, secondary_y=True, row=1, col=1, showgrid=False, tickmode="auto",
                     nticks=6, tickformat=".0%" if lag_def.unit == "share" else None)
    drawn = lag.to_numpy()
    if projection is not None and not projection.empty and not lag.dropna().empty:
        _projection_traces(fig, lag, projection, lag_def)
        drawn = np.concatenate([drawn, projection["low"].to_numpy(), projection["high"].to_numpy()])
    _align_zeros(fig, moved.to_numpy(), drawn, row=1, col=1)
    for i, (_short_label, start, end, full) in enumerate(shown):
        fig.add_trace(go.Scatter(x=[start, end], y=[i, i], mode="lines",
                                 line={"color": INITIATIVE_COLOUR, "width": 9},
                                 showlegend=False, name=full,
                                 hovertemplate=f"{full}<br>{start:%b %Y} to {end:%b %Y}<extra></extra>"),
                      row=2, col=1)
    if shown:
        # One layout update for all the start lines: add_vline per line re-validates the layout each time.
        fig.update_layout(shapes=[{"type": "line", "xref": "x", "yref": "y domain", "x0": start, "x1": start,
                                   "y0": 0, "y1": 1, "line": {"color": INITIATIVE_COLOUR, "width": 1, "dash": "dot"}}
                                  for _label, start, _end, _full in shown])
        fig.update_yaxes(row=2, col=1, tickvals=list(range(len(shown))), ticktext=[s[0] for s in shown],
                         autorange="reversed", showgrid=False, zeroline=False, tickfont={"size": 11},
                         range=[len(shown) - 0.5, -0.5])
    fig.update_layout(height=height, margin=COMPACT_MARGIN, bargap=0.25, hovermode="x unified",
                      legend={"orientation": "h", "y": 1.02 + 40 / height, "x": 0})
    return fig


def initiatives_shown(initiatives: pd.DataFrame, first: str, last: str) -> tuple[int, int]:
    """(drawn, overlapping the period): how many initiative rows aligned_chart draws of those it could."""
    total = len(_initiative_rows(initiatives, first, last))
    return min(total, MAX_INITIATIVES), total


def _initiative_rows(initiatives: pd.DataFrame, first: str, last: str) -> list[tuple]:
    """(short label, start, end, full label) of the initiatives overlapping first..last, clipped to it, in the order
    given."""
    lo, hi = pd.Timestamp(f"{first}-01"), pd.Timestamp(f"{last}-01") + pd.offsets.MonthEnd(0)
    rows = []
    for item in initiatives.itertuples():
        if pd.isna(item.start):
            continue
        start = pd.Timestamp(item.start)
        end = pd.Timestamp(item.end) if not pd.isna(item.end) else hi
        if start > hi or end < lo:
            continue
        label = str(getattr(item, "label", item.name))
        rows.append((plain(_short(label)), max(start, lo), min(end, hi), plain(label)))
    return rows


def correlation_chart(table: pd.DataFrame, best: tuple[int, float, int] | None, shift: int) -> go.Figure:
    """r by lag as bars with the pointwise band (+/- 1.96/sqrt(n), what one lag alone would need) shaded between
    dashed steps, and the corrected bar a claim needs (the lags scanned taken into account) as dotted steps; the best
    lag is orange and labelled in words, the lag the slider shows is outlined in black."""
    k = table["lag_months"]
    best_k = best[0] if best else None
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=k, y=table["threshold"], mode="lines", line={"shape": "hvh", "width": 0},
                             showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=k, y=-table["threshold"], mode="lines", fill="tonexty", fillcolor="rgba(0,0,0,0.07)",
                             line={"shape": "hvh", "width": 0}, name="Pointwise band (one lag alone, ±1.96/√n)",
                             hoverinfo="skip"))
    fig.add_trace(go.Bar(x=k, y=table["r"], name="r of the monthly changes",
                         customdata=table[["n", "threshold", "bar"]],
                         marker={"color": [SIGNAL_COLOUR if b == best_k else LEAD_COLOUR for b in k],
                                 "line": {"color": "#000", "width": [2.5 if b == shift else 0 for b in k]}},
                         hovertemplate="lag %{x} months: r = %{y:.2f} (n = %{customdata[0]}, pointwise band "
                                       "±%{customdata[1]:.2f}, bar for a claim ±%{customdata[2]:.2f})"
                                       "<extra></extra>"))
    for sign in (1, -1):
        fig.add_trace(go.Scatter(x=k, y=sign * table["threshold"], mode="lines", showlegend=False, hoverinfo="skip",
                                 line={"shape": "hvh", "color": PLAN_COLOUR, "dash": "dash", "width": 1}))
        fig.add_trace(go.Scatter(x=k, y=sign * table["bar"], mode="lines", showlegend=sign == 1, hoverinfo="skip",
                                 name=f"Bar for a claim (corrected for {len(table)} lags)", legendgroup="bar",
                                 line={"shape": "hvh", "color": "#1f1f1f", "dash": "dot", "width": 1.5}))
    if best:
        fig.add_annotation(x=best[0], y=best[1], text=f"best lag: {best[0]}", showarrow=False,
                           yanchor="bottom" if best[1] >= 0 else "top", font={"size": 12, "color": "#1f1f1f"})
    fig.update_xaxes(title_text="Lag (months the lagging metric follows later)", dtick=1)
    fig.update_yaxes(title_text="r", range=[-1.1, 1.1], zeroline=True)
    fig.update_layout(height=320, margin=COMPACT_MARGIN, bargap=0.3, legend={"orientation": "h", "y": 1.22, "x": 0})
    return fig


def _steps(frame: pd.DataFrame, column: str) -> tuple[list, list]:
    """A per-segment constant as a line that breaks between segments (None ends one segment's line)."""
    xs, ys = [], []
    for _, part in frame.groupby("segment", sort=True):
        xs += list(_month_dates(part["month"])) + [None]
        ys += list(part[column]) + [None]
    return xs, ys


def _change_marks(fig: go.Figure, frame: pd.DataFrame, changes: pd.DataFrame | None) -> None:
    """A dotted line at every process change inside the chart, and its reason (user text, escaped) beside it; the
    reasons step down the chart so that close changes do not write over each other."""
    if changes is None or changes.empty or frame.empty:
        return
    shown = changes[(changes["month"] > frame["month"].min()) & (changes["month"] <= frame["month"].max())]
    for i, (month, reasons) in enumerate(shown.groupby("month", sort=True)["reason"]):
        x = pd.Timestamp(f"{month}-01")
        fig.add_vline(x=x, line={"color": INITIATIVE_COLOUR, "width": 2, "dash": "dot"}, row="all", col=1)
        text = plain(_short("; ".join(reasons), CHANGE_REASON_CHARS))
        fig.add_annotation(x=x, y=0.99 - CHANGE_LABEL_STEP * (i % CHANGE_LABEL_ROWS), yref="y domain", yanchor="top",
                           xanchor="left", text=f" {text}", showarrow=False, bgcolor="rgba(255,255,255,0.85)",
                           hovertext=plain("; ".join(reasons)), font={"size": 11, "color": INITIATIVE_COLOUR})


def xmr_chart(frame: pd.DataFrame, defn, baseline: tuple[str, str] | None = None,
              changes: pd.DataFrame | None = None, rules: str = DEFAULT_RULES) -> go.Figure:
    """The X chart (values, centre, natural process limits; rule-breaking points marked with a distinct symbol per
    rule) above the moving-range chart (ranges, their mean and upper limit)."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.08)
    x = _month_dates(frame["month"])
    fmt = ".0%" if defn.unit == "share" else ".2f"
    fig.add_trace(go.Scatter(x=x, y=frame["value"], name=defn.label, mode="lines+markers",
                             line={"color": LEAD_COLOUR, "width": 2}, marker={"size": 6},
                             hovertemplate=f"%{{x|%b %Y}}: %{{y:{fmt}}}<extra></extra>"), row=1, col=1)
    for column, name, style in (("centre", "Centre (mean)", {"color": "#333", "width": 1.5}),
                                ("upper", "Natural process limits", {"color": LIMIT_COLOUR, "width": 1.5,
                                                                      "dash": "dash"}),
                                ("lower", "Lower limit", {"color": LIMIT_COLOUR, "width": 1.5, "dash": "dash"})):
        xs, ys = _steps(frame, column)
        fig.add_trace(go.Scatter(x=xs, y=ys, name=name, mode="lines", line=style, showlegend=column != "lower",
                                 legendgroup="limits" if column != "centre" else None,
                                 hovertemplate=f"{name}: %{{y:{fmt}}}<extra></extra>"), row=1, col=1)
    for rule in RULE_SETS[rules]:
        symbol, size = RULE_MARKERS[rule]
        label = RULE_LABELS[rule][:1].upper() + RULE_LABELS[rule][1:]
        hit = frame[frame["signal"].str.split(";").apply(lambda rules, r=rule: r in rules)]
        fig.add_trace(go.Scatter(x=_month_dates(hit["month"]), y=hit["value"], mode="markers", name=label,
                                 marker={"symbol": symbol, "size": size, "color": SIGNAL_COLOUR,
                                         "line": {"width": 2.5, "color": SIGNAL_COLOUR}},
                                 hovertemplate=f"%{{x|%b %Y}}: {label}<extra></extra>", visible=True), row=1, col=1)
    fig.add_trace(go.Bar(x=x, y=frame["moving_range"], name="Moving range", marker_color=NEUTRAL_COLOUR, opacity=0.6,
                         hovertemplate=f"%{{x|%b %Y}}: %{{y:{fmt}}}<extra>moving range</extra>", showlegend=False),
                  row=2, col=1)
    for column, name, style in (("mr_centre", "Mean moving range", {"color": "#333", "width": 1.5}),
                                ("mr_upper", "Upper range limit", {"color": LIMIT_COLOUR, "width": 1.5,
                                                                    "dash": "dash"})):
        xs, ys = _steps(frame, column)
        fig.add_trace(go.Scatter(x=xs, y=ys, name=name, mode="lines", line=style, showlegend=False,
                                 hovertemplate=f"{name}: %{{y:{fmt}}}<extra></extra>"), row=2, col=1)
    if baseline:
        end = pd.Timestamp(f"{baseline[1]}-01") + pd.offsets.MonthEnd(0)
        fig.add_vrect(x0=pd.Timestamp(f"{baseline[0]}-01"), x1=end, fillcolor=BASELINE_FILL, line_width=0,
                      layer="below", row=1, col=1,
                      annotation_text="baseline", annotation_position="top left")
    _change_marks(fig, frame, changes)
    if defn.unit == "share":
        fig.update_yaxes(tickformat=".0%", row=1, col=1)
        fig.update_yaxes(tickformat=".0%", row=2, col=1)
    fig.update_yaxes(title_text=defn.axis_title, row=1, col=1)
    fig.update_yaxes(title_text="Moving range", row=2, col=1, rangemode="tozero")
    fig.update_layout(height=560, margin=COMPACT_MARGIN, hovermode="x unified",
                      legend={"orientation": "h", "y": 1.1, "x": 0})
    return fig
