"""Card summaries: each metric's latest value, change on the month before, target and recent trend."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

# A small trend covers the last year: long enough to see a direction, short enough to read on a card.
TREND_MONTHS = 12


@dataclass(frozen=True)
class CardSummary:
    key: str
    month: str | None          # 'YYYY-MM' of the latest value, None when the metric has no value yet
    value: float
    previous: float            # the calendar month before `month`; NaN when absent
    target: float
    target_by: str | None
    trend: list[float]

    @property
    def delta(self) -> float:
        return self.value - self.previous


def _previous_month(month: str) -> str:
    return (pd.Period(month, "M") - 1).strftime("%Y-%m")


def _target_for(targets: pd.DataFrame, key: str, month: str | None) -> tuple[float, str | None]:
    """The next target due at or after the latest month; once all are past, the last one."""
    rows = targets[targets["metric"] == key].sort_values("by")
    if rows.empty:
        return math.nan, None
    due = rows[rows["by"] >= month] if month else rows
    row = due.iloc[0] if not due.empty else rows.iloc[-1]
    return float(row["value"]), row["by"]


def card_summary(monthly: pd.DataFrame, targets: pd.DataFrame, key: str) -> CardSummary:
    """`monthly` is the long frame of metrics.calc.monthly; `targets` of metrics.calc.targets."""
    series = monthly[monthly["metric"] == key].set_index("month")["value"].sort_index()
    known = series.dropna()
    month = known.index[-1] if not known.empty else None
    value = float(known.iloc[-1]) if month else math.nan
    previous = float(series.get(_previous_month(month), math.nan)) if month else math.nan
    trend = [float(v) for v in known.iloc[-TREND_MONTHS:]]
    target, target_by = _target_for(targets, key, month)
    return CardSummary(key, month, value, previous, target, target_by, trend)
