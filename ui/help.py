"""'How to read these charts': a picture of each signal of the organisation's rule set, drawn by the tracker's own XmR
calculation on small made-up series, so the pictures can never disagree with the charts."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics.registry import MetricDef
from metrics.xmr import RULE_LABELS, RULE_SETS, xmr
from ui.figures import xmr_chart

# Ten months of ordinary variation around 10 (centre 10, mean moving range 2), then the pattern each rule looks for.
_ORDINARY = [11, 9, 11, 9, 10.5, 9.5, 11, 9, 10.5, 9.5]
EXAMPLES = {
    "outside": _ORDINARY + [10, 17, 10],
    "run8": _ORDINARY + [10.6] * 8,
    "run7": _ORDINARY + [10.6] * 7,
    "3of4": _ORDINARY + [13, 9.5, 13, 13],
    "2of3": _ORDINARY + [14, 10.5, 14],
    "trend7": _ORDINARY[:-1] + [8, 8.5, 9, 9.5, 10.2, 10.8, 11.4],
}
WHAT_IT_MEANS = {
    "outside": "One month beyond the natural process limits: too far from the centre to be ordinary variation.",
    "run8": "Eight months in a row on one side of the centre: the process has shifted, even if no point is extreme.",
    "run7": "Seven months in a row on one side of the centre: the process has shifted, even if no point is extreme.",
    "3of4": "Three of four months nearer a limit than the centre: a shift; all four months are marked.",
    "2of3": "Two of three months beyond two sigma (two thirds of the way to a limit), all three on one side.",
    "trend7": "Seven months each higher (or each lower) than the one before: a steady drift.",
}
_EXAMPLE = MetricDef(key="example", label="Example", kind="leading", unit="value", direction="up", format="number",
                     description="An example series.", measure="example units")
EXAMPLE_HEIGHT = 260


def example_figure(rule: str, rules: str) -> go.Figure:
    """The chart of the rule's example series under the rule set, without the moving-range panel's clutter."""
    values = EXAMPLES[rule]
    months = [p.strftime("%Y-%m") for p in pd.period_range("2025-01", periods=len(values), freq="M")]
    frame = xmr(pd.Series(values, index=months, dtype=float), rules=rules, baseline=(months[0], months[9]))
    fig = xmr_chart(frame, _EXAMPLE, rules=rules)
    fig.update_layout(height=EXAMPLE_HEIGHT, showlegend=False, title={"text": RULE_LABELS[rule], "x": 0})
    return fig


def examples(rules: str) -> list[tuple[str, str, go.Figure]]:
    """(rule, what it means, its picture) for every rule of the set, in the set's order."""
    return [(rule, WHAT_IT_MEANS[rule], example_figure(rule, rules)) for rule in RULE_SETS[rules]]
