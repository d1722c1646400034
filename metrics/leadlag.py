"""Lead-lag analysis: does a lagging metric follow a leading indicator, and after how many months?

Both series are differenced month on month first (trends shared by any two growing series would otherwise correlate at
every lag), then Pearson's r is taken between the lead's change in month t and the lag's change in month t + k, for
k = 0..max_lag. Each metric's better direction orients r (design.md, "Statistics"): oriented r = r when both are better
up (or both better down), -r otherwise, so falling churn before rising NPS is evidence for the programme, not against.

Scanning 13 lags and naming the best gives 13 chances to find one by luck: on 300 pairs of unrelated random walks an
uncorrected 1.96 / sqrt(n) bar claimed a relationship for 97. So a claim needs the oriented r to clear the bar corrected
for the lags scanned (two-sided Bonferroni, z(1 - 0.05 / (2 (max_lag + 1))) / sqrt(n)); the table and chart still show
the pointwise band 1.96 / sqrt(n), labelled as such. A strong r the unwanted way is reported as such, never as success.
The wording reports association and timing only, never cause.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

from metrics import calc
from metrics.registry import MetricDef, all_metrics, get

COLUMNS = ["lag_months", "r", "n", "threshold"]
# Beyond the command line's columns: the oriented r and the corrected bar a claim must clear.
TABLE_COLUMNS = [*COLUMNS, "oriented_r", "bar"]
Z_95 = 1.96
CLAIM_ALPHA = 0.05  # the share of unrelated pairs that may earn a claim, whatever the number of lags scanned
FOLLOWS, OPPOSITE = "follows", "opposite"
# Below three pairs a correlation says nothing (a line through two points always fits): r is left undefined.
MIN_PAIRS = 3
# The headline scans every leading x lagging pair at every lag and names the strongest. With hundreds of correlations
# some clear 1.96 / sqrt(n) by chance: simulated on 30 months of unrelated noise or random walks, the strongest of
# 6 x 5 pairs x 13 lags cleared it in 62-76% of runs. So the headline also asks its pick to clear a family-wise bar,
# the same 5% shared by every correlation scanned (Bonferroni; z = 3.83 for 390 correlations), which unrelated series
# cleared in under 3% of runs. The per-pair table and its best lag keep the design's 1.96 / sqrt(n).
FAMILY_ALPHA = 0.05
NO_HEADLINE = "No lagging metric follows a leading indicator clearly yet."
MAX_LAG = 12  # lags tried, in months: a year, as the design asks


def _monthly_changes(series: pd.Series, grid: pd.PeriodIndex) -> np.ndarray:
    values = pd.Series(series, dtype=float).dropna()
    values.index = pd.PeriodIndex([pd.Period(str(m), "M") for m in values.index], freq="M")
    # Changes are between calendar neighbours: a missing month leaves its own change and the next one undefined.
    return values.reindex(grid).diff().to_numpy(dtype=float)


def _grid(*series: pd.Series) -> pd.PeriodIndex:
    months = [pd.Period(str(m), "M") for s in series for m in pd.Series(s, dtype=float).dropna().index]
    if not months:
        return pd.PeriodIndex([], freq="M")
    return pd.period_range(min(months), max(months), freq="M")


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < MIN_PAIRS:
        return math.nan
    dx, dy = x - x.mean(), y - y.mean()
    denominator = math.sqrt(float(dx @ dx) * float(dy @ dy))
    if denominator == 0:
        return math.nan  # one series does not change: no correlation is defined
    return max(-1.0, min(1.0, float(dx @ dy) / denominator))


def claim_z(max_lag: int) -> float:
    """z of the two-sided Bonferroni bar over the max_lag + 1 lags scanned: 2.8905 for 13 lags."""
    return NormalDist().inv_cdf(1 - CLAIM_ALPHA / (2 * (max_lag + 1)))


def _table(d_lead: np.ndarray, d_lag: np.ndarray, max_lag: int, orientation: int = 1) -> pd.DataFrame:
    """The r-by-lag table of two arrays of month-on-month changes on the same calendar grid."""
    lags = np.arange(max_lag + 1, dtype=np.int64)
    r = np.full(len(lags), np.nan)
    n = np.zeros(len(lags), dtype=np.int64)
    for k in lags:
        x, y = d_lead[: max(len(d_lead) - k, 0)], d_lag[k:]
        both = ~np.isnan(x) & ~np.isnan(y)
        n[k] = both.sum()
        r[k] = _pearson(x[both], y[both])
    with np.errstate(divide="ignore"):
        root_n = np.where(n > 0, np.sqrt(np.maximum(n, 1)), np.nan)
    return pd.DataFrame({"lag_months": lags, "r": r, "n": n, "threshold": Z_95 / root_n, "oriented_r": orientation * r,
                         "bar": claim_z(max_lag) / root_n})


def _check_max_lag(max_lag) -> int:
    if isinstance(max_lag, bool) or not isinstance(max_lag, int | np.integer) or max_lag < 0:
        raise ValueError(f"max_lag must be a whole number of months, 0 or more (got {max_lag!r}).")
    return int(max_lag)


def orientation(lead_def: MetricDef | str, lag_def: MetricDef | str) -> int:
    """+1 when lead and lag are better the same way (both up, or both down), -1 otherwise."""
    return 1 if _definition(lead_def).direction == _definition(lag_def).direction else -1


def cross_correlation(lead: pd.Series, lag: pd.Series, max_lag: int = MAX_LAG, orientation: int = 1) -> pd.DataFrame:
    """r between the lead's month-on-month change at t and the lag's at t + k, k = 0..max_lag.

    Series are indexed by month 'YYYY-MM'; empty months are left out. Columns: lag_months, r (NaN when undefined:
    fewer than 3 pairs, or a series that never changes), n (month pairs used), threshold (the pointwise band
    1.96 / sqrt(n); NaN for n 0), oriented_r (orientation x r) and bar (the corrected bar a claim must clear,
    claim_z(max_lag) / sqrt(n)).
    """
    max_lag = _check_max_lag(max_lag)
    grid = _grid(lead, lag)
    return _table(_monthly_changes(lead, grid), _monthly_changes(lag, grid), max_lag, orientation)


def _strongest(table: pd.DataFrame, sign: int) -> tuple[int, float, int] | None:
    """(k, r, n) of the lag whose oriented r lies furthest beyond the corrected bar on the sign's side (the shortest lag
    on a tie); None if none does."""
    clear = table[sign * table["oriented_r"] > table["bar"]]
    if clear.empty:
        return None
    best = clear.assign(_strength=sign * clear["oriented_r"]).sort_values(
        ["_strength", "lag_months"], ascending=[False, True], kind="stable").iloc[0]
    return int(best["lag_months"]), float(best["r"]), int(best["n"])


def best_lag(table: pd.DataFrame) -> tuple[int, float, int] | None:
    """(k, r, n) of the lag with the largest oriented r above the corrected bar: the evidence a "has followed" claim
    rests on (r as computed, so a lead better down shows its negative r). None if no lag clears it, or if a stronger
    relationship the unwanted way does: a weaker follow beside it is its echo at a neighbouring lag (a lead whose
    changes alternate), not evidence, and every page, the board pack and the command line must say the same."""
    follows, opposite = _strongest(table, 1), _strongest(table, -1)
    if follows is not None and opposite is not None and abs(opposite[1]) > abs(follows[1]):
        return None
    return follows


def opposite_lag(table: pd.DataFrame) -> tuple[int, float, int] | None:
    """(k, r, n) of the strongest relationship the unwanted way (oriented r below minus the bar), or None."""
    return _strongest(table, -1)


def _definition(metric: MetricDef | str) -> MetricDef:
    return metric if isinstance(metric, MetricDef) else get(metric)


def _in_sentence(label: str) -> str:
    # "Ideas put into practice" reads "ideas put into practice" mid-sentence; "NPS" or "IT happiness" keep capitals.
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


# How a movement the better (or worse) way reads: the lag "rising" when the lead "falls".
_PARTICIPLE = {"up": "rising", "down": "falling"}
_VERB = {"up": "rises", "down": "falls"}
_OTHER = {"up": "down", "down": "up"}


def _timing(k: int) -> str:
    return "in the same month" if k == 0 else f"by about {k} {'month' if k == 1 else 'months'}"


def describe(lead_def: MetricDef | str, lag_def: MetricDef | str, best: tuple[int, float, int] | None,
             opposite: tuple[int, float, int] | None = None) -> str:
    """One sentence on timing and strength, never cause: 'X has followed Y by about k months (r = 0.62 over 30
    months)'; when the two are better opposite ways, how they moved ('..., rising when it falls'); a strong
    relationship the unwanted way (`opposite`, when no lag clears the bar the wanted way) as such; else 'X does not
    clearly follow Y.'"""
    lead, lag = _definition(lead_def), _definition(lag_def)
    follows = _in_sentence(lead.label)
    if best is not None:
        k, r, n = best
        how = ("" if lead.direction == lag.direction
               else f", {_PARTICIPLE[lag.direction]} when it {_VERB[lead.direction]}")
        verb = f"has moved together with {follows}" if k == 0 else f"has followed {follows}"
        return f"{lag.label} {verb} {_timing(k)}{how} (r = {r:.2f} over {n} months)"
    if opposite is not None:
        k, r, n = opposite
        when = "in the same month" if k == 0 else f"about {k} {'month' if k == 1 else 'months'} later"
        return (f"{lag.label} has moved the unwanted way after {follows}: {when}, "
                f"{_PARTICIPLE[_OTHER[lag.direction]]} when it {_VERB[lead.direction]} (r = {opposite[1]:.2f} over "
                f"{n} months). Not evidence that the programme works.")
    return f"{lag.label} does not clearly follow {follows}."


def pair_sentence(table: pd.DataFrame, lead_def: MetricDef | str, lag_def: MetricDef | str) -> str:
    """describe() of a cross_correlation table oriented for this pair: the page, the board pack and the command line
    say the same."""
    return describe(lead_def, lag_def, best_lag(table), opposite_lag(table))


def _period_key(period) -> tuple[str | None, str | None] | None:
    if period is None:
        return None
    first, last = period
    as_month = lambda m: None if m in (None, "") else pd.Period(str(m), "M").strftime("%Y-%m")  # noqa: E731
    return as_month(first), as_month(last)


def _in_period(months: pd.Index, period: tuple[str | None, str | None] | None) -> list[bool]:
    first, last = period or (None, None)
    return [(first is None or m >= first) and (last is None or m <= last) for m in months]


def _within(series: pd.Series, period: tuple[str | None, str | None] | None) -> pd.Series:
    return series if period is None else series[_in_period(series.index, period)]


def leadlag_table(store, lead_key: str, lag_key: str, unit: str | Sequence[str] | None = None,
                  function: str | None = None, max_lag: int = MAX_LAG,
                  period: Sequence[str | None] | None = None) -> pd.DataFrame:
    """cross_correlation of two metrics from the store, oriented by their registered directions, org-wide or for
    some units or a function, optionally within a period (first, last) of months. Raises calc.UnknownMetric for a key
    the store does not know."""
    lead = calc.series(store, lead_key, unit=unit, function=function)
    lag = calc.series(store, lag_key, unit=unit, function=function)
    window = _period_key(period)
    sign = orientation(get(lead_key, store), get(lag_key, store))
    return cross_correlation(_within(lead, window), _within(lag, window), max_lag=max_lag, orientation=sign)


def family_threshold(tests: int, n: int) -> float:
    """The oriented r a correlation of n pairs must exceed for FAMILY_ALPHA to be shared by `tests` correlations."""
    z = NormalDist().inv_cdf(1 - FAMILY_ALPHA / 2 / max(tests, 1))
    return z / math.sqrt(n)


def _compute_headline(store, unit, function, period) -> str:
    frame = calc.monthly(store, unit=unit, function=function)
    wide = frame.pivot(index="month", columns="metric", values="value")
    wide = wide[_in_period(wide.index, period)].dropna(how="all", axis=1)
    defs = all_metrics(store)
    leads = [d for d in defs if d.kind == "leading" and d.key in wide]
    lags = [d for d in defs if d.kind == "lagging" and d.key in wide]
    # The months of monthly() are a calendar spine without gaps: month-on-month changes once per metric.
    changes = {key: wide[key].diff().to_numpy(dtype=float) for key in wide.columns}
    candidates, tests = [], 0
    for lead in leads:
        for lag in lags:
            table = _table(changes[lead.key], changes[lag.key], MAX_LAG, orientation(lead, lag))
            tests += int(table["r"].notna().sum())
            best = best_lag(table)
            if best is not None:
                candidates.append((orientation(lead, lag) * best[1], lead, lag, best))
    # Strongest first; on a tie the pair listed first in the registry wins, so the sentence never flips between runs.
    for strength, lead, lag, best in sorted(candidates, key=lambda c: -c[0]):
        if strength > family_threshold(tests, best[2]):
            return describe(lead, lag, best)
    return NO_HEADLINE


def headline(store, unit: str | Sequence[str] | None = None, function: str | None = None,
             period: Sequence[str | None] | None = None) -> str:
    """The sentence of the strongest leading x lagging pair (built-ins and readings) whose best lag clears its
    threshold and the family-wise bar of the scan, or NO_HEADLINE. Org-wide, or for a unit or a function, optionally
    within a period (first, last) of months 'YYYY-MM' (either may be None). Cached by data version."""
    scope, window = calc.scope_of(unit, function), _period_key(period)
    return calc._cached(store, ("headline", scope, window),
                        lambda: _compute_headline(store, scope.unit or scope.units, scope.function, window))
