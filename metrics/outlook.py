"""The outlook: where each target is heading at the current pace, with an 80% interval, and whether it is on track.

Three projections, each stated with the model behind it (README, "Outlook"):
- linear pace, for training coverage and the other leading indicators: an ordinary least-squares line through the
  last PACE_MONTHS monthly values, extrapolated to the target's month, with the line's 80% prediction interval;
- lead-lag, for a lagging metric whose lead-lag evidence clears the corrected bar (metrics.leadlag.best_lag, and the
  family-wise bar over the leading indicators scanned): a distributed-lag regression on the monthly changes,
  change of lag(t) = a + b x change of lead(t - k), k the evidence's lag. The next k months use the lead's changes
  already seen; months beyond use its mean change over PACE_MONTHS, their spread added to the interval;
- none: a lagging metric without such evidence gets no projection and says why.
A target is on track when the whole 80% interval at its month meets it, off track when none of it does, at risk
otherwise; a target whose month has passed is judged on the figure of that month.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from metrics import calc, coverage, leadlag, months
from metrics.registry import MetricDef, all_metrics, get

INTERVAL = 0.80  # the share of future values an interval is built to hold (checked by simulation in the tests)
PACE_MONTHS = 6  # the recent months whose pace is extrapolated: half a year, long enough to average a month's noise
# A line through n points leaves n - 2 degrees of freedom for its noise; below 3 the interval means little.
MIN_FIT_POINTS = 5
# A figure within this of the target has reached it: 0.35 + 11 x 0.05 is 0.8999999999999999 in binary.
_TOLERANCE = 1e-9
REACH_HORIZON = 60  # months searched for the month a target is reached: five years, beyond any programme's plan
ON_TRACK, AT_RISK, OFF_TRACK = "on track", "at risk", "off track"
STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK)
COLUMNS = ["metric", "by", "target", "projected", "low", "high", "status"]
LINEAR, LEAD_LAG, OBSERVED = "linear pace", "lead-lag", "observed"
COVERAGE_KEY = "training_coverage"
PLAN_SOURCE, TARGET_SOURCE = "plan", "target"
NO_EVIDENCE = "no leading indicator clears the lead-lag significance bar for it yet"
# The only evidence that clears the bars runs the unwanted way: said as such, never a projection towards the target.
UNWANTED = "its only lead-lag evidence runs the unwanted way (after {lead}), which is no basis for a projection"
TOO_FEW = "fewer than {n} recent monthly figures to fit a pace"
NO_FIGURE = "no figure for {month}"


def t_quantile(p: float, df: int) -> float:
    """Student's t quantile by the Cornish-Fisher expansion around the normal one (Abramowitz and Stegun 26.7.5):
    within 0.001 of the tables from 3 degrees of freedom up, which is all a fit here is allowed."""
    z = NormalDist().inv_cdf(p)
    v = float(df)
    return (z + (z ** 3 + z) / (4 * v) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * v ** 2)
            + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * v ** 3)
            + (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / (92160 * v ** 4))


def _t(df: int) -> float:
    return t_quantile(0.5 + INTERVAL / 2, df)


def _clamp(value: float, floor: float | None, ceiling: float | None) -> float:
    if floor is not None:
        value = max(value, float(floor))
    if ceiling is not None:
        value = min(value, float(ceiling))
    return value


# -- linear pace ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    """value = intercept + slope x month ordinal, fitted to n points; at() gives a value and its prediction interval."""

    intercept: float
    slope: float  # per month
    sigma: float  # residual standard deviation
    n: int
    x_mean: float
    sxx: float
    last: str  # the last month fitted
    floor: float | None = None
    ceiling: float | None = None

    def at(self, month: str) -> tuple[float, float, float]:
        x = months.ordinal(month)
        centre = self.intercept + self.slope * x
        spread = _t(self.n - 2) * self.sigma * math.sqrt(1 + 1 / self.n + (x - self.x_mean) ** 2 / self.sxx)
        return tuple(_clamp(v, self.floor, self.ceiling) for v in (centre, centre - spread, centre + spread))


def linear_pace(series: pd.Series, floor: float | None = None, ceiling: float | None = None,
                pace_months: int = PACE_MONTHS) -> Line | None:
    """The least-squares line through the last `pace_months` values of a monthly series (NaN months left out);
    None with fewer than MIN_FIT_POINTS values among them."""
    values = pd.Series(series, dtype=float).dropna().sort_index()
    if values.empty:
        return None
    last = values.index[-1]
    first = months.shift(last, -(pace_months - 1))
    recent = values[values.index >= first]
    if len(recent) < MIN_FIT_POINTS:
        return None
    x = np.array([months.ordinal(m) for m in recent.index], dtype=float)
    y = recent.to_numpy(dtype=float)
    x_mean, sxx = x.mean(), float(((x - x.mean()) ** 2).sum())
    slope = float(((x - x_mean) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * x_mean)
    residuals = y - (intercept + slope * x)
    sigma = math.sqrt(float(residuals @ residuals) / (len(y) - 2))
    return Line(intercept, slope, sigma, len(y), float(x_mean), sxx, last, floor, ceiling)


@dataclass(frozen=True)
class Reach:
    """When a line reaches a target: the central month and the 80% interval's earliest and latest (None: not within
    REACH_HORIZON months)."""

    month: str | None
    earliest: str | None
    latest: str | None


def reach(line: Line, target: float, direction: str = "up", horizon: int = REACH_HORIZON) -> Reach:
    """The first months after the line's last at which its centre, its optimistic and its pessimistic bound meet the
    target (for 'down', fall to it)."""
    sign = 1 if direction == "up" else -1
    found: list[str | None] = [None, None, None]  # centre, optimistic, pessimistic
    for step in range(1, horizon + 1):
        month = months.shift(line.last, step)
        centre, low, high = line.at(month)
        optimistic, pessimistic = (high, low) if sign > 0 else (low, high)
        for i, value in enumerate((centre, optimistic, pessimistic)):
            if found[i] is None and sign * (value - target) >= -_TOLERANCE:
                found[i] = month
        if found[2] is not None:
            break
    return Reach(*found)


# -- lead-lag: distributed-lag regression on the monthly changes -------------------------------------------------------
@dataclass(frozen=True)
class Evidence:
    """The lead-lag evidence a projection rests on: lag follows lead by k months (r over n month pairs)."""

    lead: MetricDef
    lag: MetricDef
    k: int
    r: float
    n: int
    opposite: bool = False  # the relationship runs the unwanted way: reported as such, never projected

    @property
    def sentence(self) -> str:
        best = (self.k, self.r, self.n)
        return leadlag.describe(self.lead, self.lag, None, best) if self.opposite else \
            leadlag.describe(self.lead, self.lag, best)


@dataclass(frozen=True)
class LagModel:
    """change of lag(t) = a + b x change of lead(t - k) + noise of sd sigma, fitted to n month pairs."""

    k: int
    a: float
    b: float
    cov: np.ndarray  # covariance of (a, b)
    sigma: float
    n: int


def _on_grid(series: pd.Series, first: int, size: int) -> np.ndarray:
    values = pd.Series(series, dtype=float).dropna()
    grid = np.full(size, np.nan)
    grid[[months.ordinal(m) - first for m in values.index]] = values.to_numpy()
    return grid


def _changes(lead: pd.Series, lag: pd.Series) -> tuple[int, np.ndarray, np.ndarray]:
    """(first month's ordinal, changes of the lead, changes of the lag): month-on-month changes on one calendar grid
    from the first to the last month either has a value, as the lead-lag table takes them (a missing month leaves its
    own change and the next one undefined)."""
    known = [months.ordinal(m) for s in (lead, lag) for m in pd.Series(s, dtype=float).dropna().index]
    if not known:
        return 0, np.array([]), np.array([])
    first, size = min(known), max(known) - min(known) + 1
    d_lead, d_lag = (np.diff(_on_grid(s, first, size), prepend=np.nan) for s in (lead, lag))
    return first, d_lead, d_lag


def fit_lag_model(lead: pd.Series, lag: pd.Series, k: int) -> LagModel | None:
    """Least squares of the lag's change at t on the lead's change at t - k; None with fewer than MIN_FIT_POINTS
    pairs or a lead that never changes."""
    _first, d_lead, d_lag = _changes(lead, lag)
    x, y = d_lead[: max(len(d_lead) - k, 0)], d_lag[k:]
    both = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[both], y[both]
    if len(x) < MIN_FIT_POINTS or np.ptp(x) == 0:
        return None
    design = np.column_stack([np.ones(len(x)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residuals = y - design @ coef
    sigma2 = float(residuals @ residuals) / (len(x) - 2)
    cov = sigma2 * np.linalg.inv(design.T @ design)
    return LagModel(k, float(coef[0]), float(coef[1]), cov, math.sqrt(sigma2), len(x))


PATH_COLUMNS = ["month", "projected", "low", "high"]


def project_lag(model: LagModel, lead: pd.Series, lag: pd.Series, until: str, floor: float | None = None,
                ceiling: float | None = None, pace_months: int = PACE_MONTHS) -> pd.DataFrame:
    """The lagging metric month by month after its last value up to `until`: projected, low, high (80%).

    Month T + h adds a + b x the lead's change at T + h - k: the change seen when the lead has it, else the lead's mean
    change over its last `pace_months` changes. The interval adds up the noise of the regression (sigma^2 a month),
    the uncertainty of a and b, and for the months that use the lead's mean change its spread (b^2 x variance a
    month) and the uncertainty of that mean (b^2 x months^2 x variance / changes averaged)."""
    first, d_lead, _d_lag = _changes(lead, lag)
    lag_values = pd.Series(lag, dtype=float).dropna().sort_index()
    last = lag_values.index[-1]
    seen = {first + i: v for i, v in enumerate(d_lead) if not np.isnan(v)}
    recent = np.array(list(seen.values())[-pace_months:], dtype=float)
    mean, spread = (float(recent.mean()), float(recent.var(ddof=1))) if len(recent) > 1 else (0.0, 0.0)
    level = float(lag_values.iloc[-1])
    known_sum, unknown, rows = 0.0, 0, []
    for h in range(1, months.ordinal(until) - months.ordinal(last) + 1):
        source = months.ordinal(last) + h - model.k
        if source in seen:
            known_sum += seen[source]
        else:
            unknown += 1
        lead_sum = known_sum + unknown * mean
        c = np.array([h, lead_sum])
        lead_variance = unknown * spread + unknown ** 2 * spread / max(len(recent), 1)
        variance = h * model.sigma ** 2 + float(c @ model.cov @ c) + model.b ** 2 * lead_variance
        centre = level + h * model.a + model.b * lead_sum
        half = _t(model.n - 2) * math.sqrt(variance)
        rows.append((months.shift(last, h), *(_clamp(v, floor, ceiling) for v in (centre, centre - half,
                                                                                    centre + half))))
    return pd.DataFrame(rows, columns=PATH_COLUMNS)


def scan_tests(store, unit: str | None = None, function: str | None = None, through: str | None = None) -> int:
    """How many correlations a claim about a lagging metric is chosen from: every leading indicator with figures in
    the scope, at every lag (the family leadlag.family_threshold corrects for)."""
    wide = _wide(store, unit, function, through)
    return sum(d.kind == "leading" and d.key in wide for d in all_metrics(store)) * (leadlag.MAX_LAG + 1)


def claims(table: pd.DataFrame, tests: int) -> tuple[tuple[int, float, int] | None, tuple[int, float, int] | None]:
    """(follows, opposite) of a pair's oriented cross-correlation table: its best lag and its strongest lag the
    unwanted way (leadlag.best_lag, leadlag.opposite_lag), each kept only when it also clears the family-wise bar of
    `tests` correlations (best_lag already drops a follow that is the echo of a stronger relationship the unwanted
    way)."""
    def clears(pick):
        return pick is not None and abs(pick[1]) > leadlag.family_threshold(tests, pick[2])

    follows, opposite = (pick if clears(pick) else None
                         for pick in (leadlag.best_lag(table), leadlag.opposite_lag(table)))
    return follows, opposite


def pair_projection(store, lead_key: str, lag_key: str, table: pd.DataFrame, unit: str | None = None,
                    function: str | None = None, through: str | None = None) -> pd.DataFrame | None:
    """The Leading vs lagging page's dashed band: the lagging metric over the next k months, k the pair's best lag,
    where that lag is evidence as the targets' projections need it (claims: the pair's bar, the family-wise bar over
    every leading indicator, not an echo of a relationship the unwanted way); None otherwise, or when k is 0 (nothing
    to project)."""
    follows, _opposite = claims(table, scan_tests(store, unit, function, through))
    if follows is None or follows[0] == 0:
        return None
    lead, lag = (_as_of(calc.series(store, key, unit=unit, function=function), through) for key in (lead_key, lag_key))
    model = fit_lag_model(lead, lag, follows[0])
    if model is None or lag.dropna().empty:
        return None
    defn = get(lag_key, store)
    last = lag.dropna().index.max()
    return project_lag(model, lead, lag, months.shift(last, follows[0]), defn.floor, defn.ceiling)


def pair_projection_note(lead_def: MetricDef, lag_def: MetricDef, table: pd.DataFrame, band: pd.DataFrame | None,
                         tests: int) -> str:
    """Why the Leading vs lagging chart draws its dashed band, or why it draws none (`tests`: scan_tests)."""
    lag, lead = lag_def.label, leadlag._in_sentence(lead_def.label)
    if band is not None:
        return (f"Dashed: where {lag} is heading over the next {len(band)} months given the changes of {lead} already "
                "seen (a distributed-lag regression on the monthly changes), with its 80% interval shaded. A "
                "projection from a correlation in time, not a forecast of cause.")
    best = leadlag.best_lag(table)
    follows, opposite = claims(table, tests)
    if opposite is not None and follows is None:
        return (f"No projection is drawn: {lag} has moved the unwanted way after {lead} (about {opposite[0]} "
                f"month{'s' if opposite[0] != 1 else ''} later, r = {opposite[1]:.2f}), which is no basis for a "
                "projection towards its target.")
    if best is None:
        return (f"No projection is drawn: no lag clears the significance bar, so the evidence does not say that {lag} "
                f"follows {lead}.")
    if follows is None:
        return (f"No projection is drawn: the best lag clears the bar for this pair, but not the stricter bar a "
                f"projection needs, for choosing among {tests} correlations (every leading indicator at every lag).")
    if follows[0] == 0:
        return (f"No projection is drawn: {lag} moves in the same month as {lead}, so {lead} says nothing about the "
                "months ahead.")
    return "No projection is drawn: too few month pairs to fit one."


# -- which lead, if any, a lagging metric follows ----------------------------------------------------------------------
def _as_of(series: pd.Series, month: str | None) -> pd.Series:
    return series if month is None else series[series.index <= month]


def _wide(store, unit: str | None, function: str | None, through: str | None) -> pd.DataFrame:
    frame = calc.monthly(store, unit=unit, function=function)
    if through is not None:
        frame = frame[frame["month"] <= through]
    return frame.pivot(index="month", columns="metric", values="value")


def _strongest(found: Evidence | None, candidate: Evidence) -> Evidence:
    # A tie (ideas and ideas per 100 staff of a steady headcount) goes to the lead listed first in the registry.
    return candidate if found is None or abs(candidate.r) > abs(found.r) + _TOLERANCE else found


def _scan(store, lag_key: str, unit: str | None, function: str | None,
          through: str | None) -> tuple[Evidence | None, Evidence | None]:
    """(follows, opposite): the strongest relationship each way over every leading indicator, each pair's as claims
    keeps it (metrics.leadlag's bar for the pair and the family-wise bar over every leading indicator scanned:
    scanning eight leads at thirteen lags must not make a chance correlation a claim)."""
    wide = _wide(store, unit, function, through)
    lag_def = get(lag_key, store)
    leads = [d for d in all_metrics(store) if d.kind == "leading" and d.key in wide]
    if lag_key not in wide or not leads:
        return None, None
    tests = len(leads) * (leadlag.MAX_LAG + 1)
    follows = opposite = None
    for lead in leads:
        table = leadlag.cross_correlation(wide[lead.key], wide[lag_key], max_lag=leadlag.MAX_LAG,
                                          orientation=leadlag.orientation(lead, lag_def))
        for pick, against in zip(claims(table, tests), (False, True), strict=True):
            if pick is None:
                continue
            claim = Evidence(lead, lag_def, *pick, opposite=against)
            if against:
                opposite = _strongest(opposite, claim)
            else:
                follows = _strongest(follows, claim)
    return follows, opposite


def _cached_scan(store, lag_key, unit, function, through) -> tuple[Evidence | None, Evidence | None]:
    unit, function = unit or None, function or None
    return calc._cached(store, ("evidence", lag_key, unit, function, through),
                        lambda: _scan(store, lag_key, unit, function, through))


def evidence(store, lag_key: str, unit: str | None = None, function: str | None = None,
             through: str | None = None) -> Evidence | None:
    """The leading indicator the lagging metric follows most strongly, where the evidence clears the bars (_scan);
    the only evidence a projection rests on. None otherwise. Cached by data version."""
    return _cached_scan(store, lag_key, unit, function, through)[0]


def counter_evidence(store, lag_key: str, unit: str | None = None, function: str | None = None,
                     through: str | None = None) -> Evidence | None:
    """The strongest relationship the unwanted way (a lagging metric worsening after its lead improves) that clears
    the same bars, or None: said as such in the narrative, never as success."""
    return _cached_scan(store, lag_key, unit, function, through)[1]


# -- targets --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Projection:
    """One target's outlook: the projected value at its month with the 80% interval, and the status they give."""

    metric: str
    by: str
    target: float
    projected: float = math.nan
    low: float = math.nan
    high: float = math.nan
    status: str = ""  # one of STATUSES, or '' when no projection is justified
    method: str = ""  # LINEAR, LEAD_LAG, OBSERVED, or '' with a reason
    reason: str = ""  # why there is no projection
    source: str = TARGET_SOURCE  # TARGET_SOURCE (the targets sheet) or PLAN_SOURCE (the training plan's end)
    evidence: Evidence | None = None
    reach: Reach | None = None  # linear pace only: when the target is reached
    last: str | None = None  # the latest month the projection starts from

    @property
    def row(self) -> list:
        return [self.metric, self.by, self.target, self.projected, self.low, self.high, self.status]


def status(target: float, low: float, high: float, direction: str) -> str:
    """on track when the whole interval meets the target, off track when none of it does, at risk otherwise."""
    if any(math.isnan(v) for v in (target, low, high)):
        return ""
    worst, best = (low, high) if direction == "up" else (-high, -low)
    goal = target if direction == "up" else -target
    if worst >= goal:
        return ON_TRACK
    if best < goal:
        return OFF_TRACK
    return AT_RISK


def scope_targets(store, unit: str | None = None, function: str | None = None) -> tuple[pd.DataFrame, set[str]]:
    """The scope's own targets, and the organisation's for metrics the scope has none for (named as inherited)."""
    org = calc.targets(store)
    if not unit and not function:
        return org, set()
    own = calc.targets(store, unit) if unit else org.iloc[0:0]
    inherited = org[~org["metric"].isin(own["metric"])]
    return pd.concat([own, inherited], ignore_index=True), set(inherited["metric"])


def _observed(defn: MetricDef, series: pd.Series, by: str, target: float, source: str) -> Projection:
    value = float(series.get(by, math.nan))
    if math.isnan(value):
        return Projection(defn.key, by, target, reason=NO_FIGURE.format(month=months.label(by)), source=source)
    return Projection(defn.key, by, target, value, value, value, status(target, value, value, defn.direction),
                      OBSERVED, source=source, last=by)


def _linear(defn: MetricDef, series: pd.Series, by: str, target: float, source: str) -> Projection:
    line = linear_pace(series, defn.floor, defn.ceiling)
    if line is None:
        return Projection(defn.key, by, target, reason=TOO_FEW.format(n=MIN_FIT_POINTS), source=source)
    centre, low, high = line.at(by)
    return Projection(defn.key, by, target, centre, low, high, status(target, low, high, defn.direction), LINEAR,
                      source=source, reach=reach(line, target, defn.direction), last=line.last)


def _lagging(store, defn: MetricDef, series: pd.Series, by: str, target: float, scope: dict,
             through: str | None) -> Projection:
    found = evidence(store, defn.key, through=through, **scope)
    lead = calc.series(store, found.lead.key, **scope) if found else None
    model = fit_lag_model(_as_of(lead, through), series, found.k) if found else None
    if model is None:
        against = None if found else counter_evidence(store, defn.key, through=through, **scope)
        reason = UNWANTED.format(lead=leadlag._in_sentence(against.lead.label)) if against else NO_EVIDENCE
        return Projection(defn.key, by, target, reason=reason, evidence=against)
    path = project_lag(model, _as_of(lead, through), series, by, defn.floor, defn.ceiling)
    _month, centre, low, high = path.iloc[-1]
    return Projection(defn.key, by, target, centre, low, high, status(target, low, high, defn.direction), LEAD_LAG,
                      evidence=found, last=series.dropna().index.max())


def project_target(store, key: str, by: str, target: float, unit: str | None = None, function: str | None = None,
                   through: str | None = None, source: str = TARGET_SOURCE) -> Projection:
    """The outlook of one target (metric `key` at `target` by month `by`) from the figures up to `through`."""
    defn = get(key, store)
    scope = {"unit": unit, "function": function}
    series = _as_of(calc.series(store, key, **scope), through).dropna()
    if series.empty:
        return Projection(key, by, target, reason="there are no figures for it yet", source=source)
    if by <= series.index.max():
        return _observed(defn, series, by, target, source)
    if defn.kind == "leading":
        return _linear(defn, series, by, target, source)
    return _lagging(store, defn, series, by, target, scope, through)


def plan_target(store, unit: str | None = None, function: str | None = None) -> tuple[str, float] | None:
    """(month, planned coverage) at the end of the training plan of the scope, or None without a plan."""
    if not calc.default_course(store):
        return None
    plan = coverage.plan_vs_actual(store, unit=unit, function=function).dropna(subset=["planned"])
    if plan.empty:
        return None
    return plan["month"].iloc[-1], float(plan["planned"].iloc[-1])


def _compute_outlook(store, unit, function, through) -> list[Projection]:
    targets, _inherited = scope_targets(store, unit, function)
    rows = [project_target(store, metric, by, value, unit, function, through)
            for metric, by, value in targets.itertuples(index=False, name=None)]
    if (plan := plan_target(store, unit, function)) is not None:
        rows.append(project_target(store, COVERAGE_KEY, *plan, unit, function, through, source=PLAN_SOURCE))
    return rows


def outlook(store, unit: str | None = None, function: str | None = None,
            through: str | None = None) -> list[Projection]:
    """Every target of the scope (its own, and the organisation's for metrics it has none for), then the training
    plan's end as a coverage target, each projected from the figures up to month `through` (default: all).
    Cached by data version."""
    unit, function = unit or None, function or None
    return calc._cached(store, ("outlook", unit, function, through),
                        lambda: _compute_outlook(store, unit, function, through))


# -- coverage by unit -------------------------------------------------------------------------------------------------
UNIT_COLUMNS = ["unit", "function", "coverage", "target", "by", "reach", "earliest", "latest", "on_time"]


def _unit_reach(store, unit: str, through: str | None) -> dict | None:
    plan = coverage.plan_vs_actual(store, unit=unit)
    planned = plan.dropna(subset=["planned"])
    actual = _as_of(plan.set_index("month")["actual"], through).dropna()
    if planned.empty or actual.empty:
        return None
    by, target = planned["month"].iloc[-1], float(planned["planned"].iloc[-1])
    current = float(actual.iloc[-1])
    if current >= target:
        return {"coverage": current, "target": target, "by": by, "reach": actual.index[-1],
                "earliest": actual.index[-1], "latest": actual.index[-1], "on_time": True}
    line = linear_pace(actual, 0.0, 1.0)
    when = reach(line, target) if line else Reach(None, None, None)
    return {"coverage": current, "target": target, "by": by, "reach": when.month, "earliest": when.earliest,
            "latest": when.latest, "on_time": when.month is not None and when.month <= by}


def coverage_outlook(store, unit: str | None = None, function: str | None = None,
                     through: str | None = None) -> pd.DataFrame:
    """Each unit of the scope against the end of its training plan at the pace of its last PACE_MONTHS months:
    unit, function, coverage (latest), target and by (the plan's end), reach (the month the pace reaches the
    target; None beyond REACH_HORIZON or when there is too little to fit), earliest and latest (its 80% interval),
    on_time (reach at or before by). Units without a plan or a headcount are left out. Cached by data version."""
    unit, function = unit or None, function or None

    def compute() -> pd.DataFrame:
        units = coverage.coverage_by_unit(store, unit=unit, function=function)[["unit", "function"]]
        rows = []
        for name, func in units.drop_duplicates("unit").itertuples(index=False, name=None):
            if (found := _unit_reach(store, name, through)) is not None:
                rows.append({"unit": name, "function": func, **found})
        frame = pd.DataFrame(rows, columns=UNIT_COLUMNS)
        return frame.sort_values(["on_time", "coverage", "unit"], kind="stable").reset_index(drop=True)

    return calc._cached(store, ("coverage_outlook", unit, function, through), compute)
