"""Card summaries: each metric's latest value, change on the month and on the year before, target, recent trend and
process-behaviour verdicts."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from metrics import verdicts
from metrics.registry import MetricDef, get
from metrics.xmr import DEFAULT_RULES, xmr

# A small trend covers the last year: long enough to see a direction, short enough to read on a card.
TREND_MONTHS = 12
# Both verdicts read the latest process segment (since the last process change), the limits the metric's chart draws:
# limits over a history the programme has since changed describe a process that no longer exists. Limits from fewer
# points than this are provisional (design.md): a card says so.
PROVISIONAL_POINTS = 12


@dataclass(frozen=True)
class CardSummary:
    key: str
    month: str | None          # 'YYYY-MM' of the latest value, None when the metric has no value yet
    value: float
    previous: float            # the calendar month before `month`; NaN when absent
    target: float
    target_by: str | None
    trend: list[float]
    year_ago: float = math.nan  # the same calendar month a year before `month`; NaN when absent
    variation: str = verdicts.NO_SIGNAL  # verdicts.variation of the latest segment's chart
    # verdicts.assurance of `target` against the latest segment's limits; None without a target
    assurance: str | None = None
    segment_start: str | None = None  # the month the latest segment starts (a process change), None for the history
    segment_points: int = 0  # values in the latest segment, the points its limits come from

    @property
    def provisional(self) -> bool:
        """The latest segment's limits rest on fewer than PROVISIONAL_POINTS values."""
        return 0 < self.segment_points < PROVISIONAL_POINTS

    @property
    def delta(self) -> float:
        return self.value - self.previous

    @property
    def delta_year(self) -> float:
        return self.value - self.year_ago


def _previous_month(month: str, months: int = 1) -> str:
    return (pd.Period(month, "M") - months).strftime("%Y-%m")


def _target_for(targets: pd.DataFrame, key: str, month: str | None) -> tuple[float, str | None]:
    """The next target due at or after the latest month; once all are past, the last one."""
    rows = targets[targets["metric"] == key].sort_values("by")
    if rows.empty:
        return math.nan, None
    due = rows[rows["by"] >= month] if month else rows
    row = due.iloc[0] if not due.empty else rows.iloc[-1]
    return float(row["value"]), row["by"]


def card_summary(monthly: pd.DataFrame, targets: pd.DataFrame, key: str, defn: MetricDef | None = None,
                 rules: str = DEFAULT_RULES, changes: Sequence[str] = ()) -> CardSummary:
    """`monthly` is the long frame of metrics.calc.monthly; `targets` of metrics.calc.targets; `defn` the metric's
    definition (looked up by key when not given) for its better direction and its floor and ceiling; `rules` the rule
    set and `changes` the process change months (metrics.changes) its chart uses."""
    defn = defn or get(key)
    series = monthly[monthly["metric"] == key].set_index("month")["value"].sort_index()
    known = series.dropna()
    month = known.index[-1] if not known.empty else None
    value = float(known.iloc[-1]) if month else math.nan
    previous = float(series.get(_previous_month(month), math.nan)) if month else math.nan
    year_ago = float(series.get(_previous_month(month, 12), math.nan)) if month else math.nan
    trend = [float(v) for v in known.iloc[-TREND_MONTHS:]]
    target, target_by = _target_for(targets, key, month)
    chart = xmr(known, floor=defn.floor, ceiling=defn.ceiling, rules=rules, change_points=changes)
    latest = chart[chart["segment"] == chart["segment"].max()] if not chart.empty else chart
    started = latest["month"].iloc[0] if not latest.empty and latest["segment"].iloc[0] > 0 else None
    return CardSummary(key, month, value, previous, target, target_by, trend, year_ago,
                       verdicts.variation(latest, defn.direction), verdicts.assurance(latest, target, defn.direction),
                       started, len(latest))
