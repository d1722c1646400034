"""XmR (process behaviour) charts: centre, natural process limits, moving ranges and the rules of two rule sets.

A chart is split into segments, one per process period: every marked process change (an initiative's start, or a
change a lead marks by hand) begins a new segment whose limits come from its own points. Within a segment the limits
come from all its points, or from the points in the baseline period when one is given (the limits are then locked and
carried forward). Rules are evaluated within a segment: a run or a window never spans a process change.

Rule sets (design.md, "Statistics"): `wheeler` (Wheeler, xmrit) and `nhs` (Making Data Count as NHSRplotthedots
implements it: moving ranges at or above 3.267 MR-bar screened out of MR-bar, runs and trends of 7, 2 of 3 beyond
2 sigma).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

WHEELER, NHS = "wheeler", "nhs"
RULE_SETS = {WHEELER: ("outside", "run8", "3of4"), NHS: ("outside", "run7", "trend7", "2of3")}
DEFAULT_RULES = WHEELER
RULE_SET_NAMES = {WHEELER: "Wheeler (xmrit)", NHS: "NHS Making Data Count (NHSRplotthedots)"}
RULES = RULE_SETS[WHEELER]
# How each rule reads on a chart, in a table and on a card's help.
RULE_LABELS = {"outside": "outside the limits", "run8": "8 in a row on one side", "3of4": "3 of 4 near a limit",
               "run7": "7 in a row on one side", "trend7": "7 rising or falling in a row",
               "2of3": "2 of 3 beyond 2 sigma"}
COLUMNS = ["month", "value", "centre", "lower", "upper", "moving_range", "mr_centre", "mr_upper", "signal", "segment",
           "signal_side"]

# Wheeler's scaling factors for moving ranges of two points: 2.66 = 3 / d2 (d2 = 1.128) turns the average moving range
# into three sigma; 3.268 = D4 is the upper limit of the moving ranges themselves.
LIMIT_FACTOR = 2.66
RANGE_FACTOR = 3.268
# "Nearer a limit than the centre": beyond half way from the centre to the (unclamped) limit, centre +/- 1.33 MR-bar.
ZONE_FACTOR = LIMIT_FACTOR / 2
RUN_LENGTH = {WHEELER: 8, NHS: 7}
WINDOW, WINDOW_HITS = 4, 3
# NHSRplotthedots: a moving range at or above 3.267 MR-bar is an outlier's jump and is left out of MR-bar (once).
SCREEN_FACTOR = 3.267
TREND_LENGTH = 7
# Two sigma is two thirds of the way from the centre to a limit: centre +/- 2/3 x 2.66 MR-bar.
TWO_SIGMA_FACTOR = 2 * LIMIT_FACTOR / 3
TWO_OF_THREE = 3
# Figures like 0.1 + 0.2 carry binary noise; a point that equals a limit or the centre up to this relative tolerance is
# taken as exactly on it, so noise in the last bits cannot make or break a signal.
_TOLERANCE = 1e-9


def _month(value) -> str:
    text = str(value)
    if len(text) == 7 and text[4] == "-":
        return text
    return pd.Period(value, "M").strftime("%Y-%m")


def _beyond(x: np.ndarray, reference: np.ndarray | float, side: int) -> np.ndarray:
    """Points strictly beyond the reference on one side (+1 above, -1 below), equality within the tolerance excluded;
    always False where the reference is undefined."""
    reference = np.broadcast_to(np.asarray(reference, dtype=float), x.shape)
    scale = np.maximum(1.0, np.maximum(np.abs(x), np.abs(reference)))
    with np.errstate(invalid="ignore"):
        return side * (x - reference) > _TOLERANCE * scale


def _segments(months: list[str], change_points: Sequence[str]) -> np.ndarray:
    """0, 1, ... per month: how many change points are at or before it, renumbered so that no segment is empty."""
    changes = sorted({_month(c) for c in change_points if c not in (None, "")})
    raw = np.array([sum(c <= m for c in changes) for m in months], dtype=int)
    return np.unique(raw, return_inverse=True)[1].astype(int)


def _basis(months: list[str], baseline: tuple[str, str] | None) -> np.ndarray:
    """The points the limits are computed from: the baseline's, when it holds at least two (an MR-bar needs two)."""
    everything = np.ones(len(months), dtype=bool)
    if baseline is None:
        return everything
    first, last = _month(baseline[0]), _month(baseline[1])
    inside = np.array([first <= m <= last for m in months], dtype=bool)
    return inside if inside.sum() >= 2 else everything


# Each rule gives, per point, the side of the pattern it belongs to: +1 (above the centre, or a rising trend), -1, or 0
# where the point is in no such pattern. The side, not the point's own position, tells better from worse: the fourth
# point of a 3-of-4 window may sit on the other side of the centre.
def _runs(side: np.ndarray, length: int) -> np.ndarray:
    """The side of every point in a run of `length` or more consecutive points on the same side; a point on the
    centre (0) belongs to no run and ends the one before it."""
    marked = np.zeros(len(side), dtype=int)
    for start, stop in _stretches(side, length):
        marked[start:stop] = side[start]
    return marked


def _trends(x: np.ndarray) -> np.ndarray:
    """+1 (-1) for every point of TREND_LENGTH or more consecutive points each above (below) the one before; two
    equal neighbours end a trend."""
    steps = np.zeros(max(len(x) - 1, 0), dtype=int)
    for way in (1, -1):
        steps[_beyond(x[1:], x[:-1], way)] = way
    marked = np.zeros(len(x), dtype=int)
    # A run of TREND_LENGTH - 1 steps the same way is a trend of TREND_LENGTH points.
    for start, stop in _stretches(steps, TREND_LENGTH - 1):
        marked[start:stop + 1] = steps[start]
    return marked


def _stretches(codes: np.ndarray, length: int) -> list[tuple[int, int]]:
    """(start, stop) of every stretch of at least `length` equal non-zero codes, stop exclusive."""
    found, start = [], 0
    for i in range(1, len(codes) + 1):
        if i == len(codes) or codes[i] != codes[start]:
            if codes[start] != 0 and i - start >= length:
                found.append((start, i))
            start = i
    return found


def _sided(above: np.ndarray, below: np.ndarray, side: np.ndarray) -> np.ndarray:
    """+1 / -1 for points in patterns above / below; a point in both takes its own side of the centre."""
    return np.where(above & below, side, np.where(above, 1, np.where(below, -1, 0)))


def _three_of_four(x: np.ndarray, side: np.ndarray, centre: float, mr_bar: float) -> np.ndarray:
    """Every point of any WINDOW consecutive points with at least WINDOW_HITS beyond centre +/- ZONE_FACTOR x MR-bar
    on one side: all four are marked, as xmrit does, so the latest point of a window that qualifies gets its
    verdict."""
    windows = {1: np.zeros(len(x), dtype=bool), -1: np.zeros(len(x), dtype=bool)}
    if len(x) >= WINDOW and not np.isnan(mr_bar):
        for way, marked in windows.items():
            near = _beyond(x, centre + way * ZONE_FACTOR * mr_bar, way)
            for start in range(len(x) - WINDOW + 1):
                if near[start:start + WINDOW].sum() >= WINDOW_HITS:
                    marked[start:start + WINDOW] = True
    return _sided(windows[1], windows[-1], side)


def _two_of_three(x: np.ndarray, side: np.ndarray, outside: np.ndarray, centre: float, mr_bar: float) -> np.ndarray:
    """NHSRplotthedots' rule: in any 3 consecutive points all on one side of the centre, at least 2 beyond 2 sigma on
    that side but inside the limits; those points (not the third) are marked."""
    marked = np.zeros(len(x), dtype=int)
    if len(x) < TWO_OF_THREE or np.isnan(mr_bar):
        return marked
    close = ~outside & (_beyond(x, centre + TWO_SIGMA_FACTOR * mr_bar, 1)
                        | _beyond(x, centre - TWO_SIGMA_FACTOR * mr_bar, -1))
    for start in range(len(x) - TWO_OF_THREE + 1):
        window = slice(start, start + TWO_OF_THREE)
        if abs(side[window].sum()) == TWO_OF_THREE and close[window].sum() >= 2:
            marked[window] = np.where(close[window], side[window], marked[window])
    return marked


def _mr_bar(ranges: np.ndarray, rules: str) -> float:
    """The mean moving range; under the NHS rules, ranges at or above SCREEN_FACTOR x that mean are left out first."""
    if not len(ranges):
        return np.nan
    mr_bar = float(ranges.mean())
    if rules == NHS:
        kept = ranges[ranges < SCREEN_FACTOR * mr_bar]
        mr_bar = float(kept.mean()) if len(kept) else mr_bar
    return mr_bar


def _limits(centre: float, mr_bar: float, floor: float | None, ceiling: float | None) -> tuple[float, float]:
    lower = centre - LIMIT_FACTOR * mr_bar
    upper = centre + LIMIT_FACTOR * mr_bar
    if floor is not None and not np.isnan(lower):
        lower = max(lower, float(floor))
    if ceiling is not None and not np.isnan(upper):
        upper = min(upper, float(ceiling))
    return lower, upper


def _rule_hits(x: np.ndarray, centre: float, mr_bar: float, lower: float, upper: float,
               rules: str) -> dict[str, np.ndarray]:
    """The side of the pattern each point belongs to, per rule of the set (see _runs)."""
    side = np.where(_beyond(x, centre, 1), 1, np.where(_beyond(x, centre, -1), -1, 0))
    outside = np.where(_beyond(x, upper, 1), 1, np.where(_beyond(x, lower, -1), -1, 0))
    hits = {"outside": outside, f"run{RUN_LENGTH[rules]}": _runs(side, RUN_LENGTH[rules])}
    if rules == NHS:
        hits["trend7"] = _trends(x)
        hits["2of3"] = _two_of_three(x, side, outside != 0, centre, mr_bar)
    else:
        hits["3of4"] = _three_of_four(x, side, centre, mr_bar)
    return hits


def _signal_side(hits: dict[str, np.ndarray], rules: str) -> np.ndarray:
    """One side per point: the first rule in the set's order that marks it decides (a point outside the limits, then a
    run, before a trend or a window)."""
    side = np.zeros(len(next(iter(hits.values()))), dtype=int)
    for rule in reversed(RULE_SETS[rules]):
        side = np.where(hits[rule] != 0, hits[rule], side)
    return side


def _segment_chart(x: np.ndarray, basis: np.ndarray, floor: float | None, ceiling: float | None,
                   rules: str) -> dict[str, np.ndarray | float]:
    n = len(x)
    moving_range = np.full(n, np.nan)
    moving_range[1:] = np.abs(np.diff(x))
    centre = float(x[basis].mean())
    # The baseline is a run of consecutive months, so its moving ranges are those between its own points.
    mr_bar = _mr_bar(np.abs(np.diff(x[basis])), rules)
    lower, upper = _limits(centre, mr_bar, floor, ceiling)
    hits = _rule_hits(x, centre, mr_bar, lower, upper, rules)
    signal = [";".join(rule for rule in RULE_SETS[rules] if hits[rule][i]) for i in range(n)]
    return {"centre": centre, "lower": lower, "upper": upper, "moving_range": moving_range, "mr_centre": mr_bar,
            "mr_upper": RANGE_FACTOR * mr_bar, "signal": signal, "signal_side": _signal_side(hits, rules)}


def rules_sentence(rules: str) -> str:
    """The rule set in one sentence, as every chart names it."""
    labels = ", ".join(RULE_LABELS[rule] for rule in RULE_SETS[rules])
    screening = "; moving ranges of 3.267 x MR-bar or more left out of the limits" if rules == NHS else ""
    return f"Rules: {RULE_SET_NAMES[rules]}: {labels}{screening}."


def check_rules(rules: str) -> str:
    """The rule set's name, or ValueError naming the two there are."""
    if rules not in RULE_SETS:
        raise ValueError(f"Unknown rule set {rules!r}: choose {' or '.join(RULE_SETS)}.")
    return rules


def xmr(values: pd.Series, *, floor: float | None = None, ceiling: float | None = None,
        baseline: tuple[str, str] | None = None, change_points: Sequence[str] = (),
        rules: str = DEFAULT_RULES) -> pd.DataFrame:
    """An XmR chart of a monthly series (float values indexed by month 'YYYY-MM'; empty months are left out).

    One row per month with a value: month, value, centre, lower, upper (natural process limits, clamped to floor and
    ceiling), moving_range (|x_t - x_(t-1)| within the segment, empty at its first point), mr_centre (MR-bar),
    mr_upper (3.268 MR-bar), signal ('' or the rules of the rule set whose pattern includes the point, in
    RULE_SETS[rules] order, joined by ';') and segment (0, 1, ... one per process period, starting at each change point
    month) and signal_side (+1 when the point's signal is a pattern above the centre or a rising trend, -1 below or
    falling, 0 without a signal). rules is 'wheeler' (the default) or 'nhs'.

    baseline = (first, last) months computes each segment's limits from its points in that period (when it has at
    least two there) and carries them forward over the rest of the segment; otherwise from all of the segment's points.
    """
    check_rules(rules)
    if baseline is not None and _month(baseline[0]) > _month(baseline[1]):
        raise ValueError(f"Baseline starts after it ends: {baseline[0]} to {baseline[1]}.")
    clean = pd.Series(values, dtype=float).dropna()
    clean.index = [_month(m) for m in clean.index]
    if clean.index.has_duplicates:
        repeated = sorted(set(clean.index[clean.index.duplicated()]))
        raise ValueError(f"Months appear more than once: {', '.join(repeated)}.")
    clean = clean.sort_index()
    if clean.empty:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in COLUMNS})
    months = list(clean.index)
    x = clean.to_numpy(dtype=float)
    segment = _segments(months, change_points)
    parts = []
    for number in range(segment.max() + 1):
        where = np.flatnonzero(segment == number)
        seg_months = [months[i] for i in where]
        chart = _segment_chart(x[where], _basis(seg_months, baseline), floor, ceiling, rules)
        parts.append(pd.DataFrame({"month": seg_months, "value": x[where], **chart, "segment": number}))
    frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    # Only the columns whose type differs are converted, with dtype objects: a conversion by type name parses the
    # name for every column, which cost most of an XmR chart's time (eight cards draw sixteen of them).
    wrong = {c: _dtype(c) for c in COLUMNS if frame[c].dtype != _dtype(c)}
    return (frame.astype(wrong) if wrong else frame)[COLUMNS]


_DTYPES = {"month": np.dtype(object), "signal": np.dtype(object), "segment": np.dtype(np.int64),
           "signal_side": np.dtype(np.int64)}


def _dtype(column: str) -> np.dtype:
    return _DTYPES.get(column, np.dtype(np.float64))
