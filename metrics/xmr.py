"""XmR (process behaviour) charts: centre, natural process limits, moving ranges and the three detection rules.

A chart is split into segments, one per process period: a marked process change (an initiative's start) begins a new
segment whose limits come from its own points. Within a segment the limits come from all its points, or from the
points in the baseline period when one is given (the limits are then locked and carried forward). Rules are evaluated
within a segment: a run or a window never spans a process change.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

RULES = ("outside", "run8", "3of4")
COLUMNS = ["month", "value", "centre", "lower", "upper", "moving_range", "mr_centre", "mr_upper", "signal", "segment"]

# Wheeler's scaling factors for moving ranges of two points: 2.66 = 3 / d2 (d2 = 1.128) turns the average moving range
# into three sigma; 3.268 = D4 is the upper limit of the moving ranges themselves.
LIMIT_FACTOR = 2.66
RANGE_FACTOR = 3.268
# "Nearer a limit than the centre": beyond half way from the centre to the (unclamped) limit, centre +/- 1.33 MR-bar.
ZONE_FACTOR = LIMIT_FACTOR / 2
RUN_LENGTH = 8
WINDOW, WINDOW_HITS = 4, 3
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


def _runs(side: np.ndarray) -> np.ndarray:
    """Every point of a run of RUN_LENGTH or more consecutive points on the same side; a point on the centre (0)
    belongs to no run and ends the one before it."""
    flagged = np.zeros(len(side), dtype=bool)
    start = 0
    for i in range(1, len(side) + 1):
        if i == len(side) or side[i] != side[start]:
            if side[start] != 0 and i - start >= RUN_LENGTH:
                flagged[start:i] = True
            start = i
    return flagged


def _three_of_four(x: np.ndarray, centre: float, mr_bar: float) -> np.ndarray:
    """In any WINDOW consecutive points with at least WINDOW_HITS beyond centre +/- ZONE_FACTOR x MR-bar on one side,
    the points beyond it on that side."""
    flagged = np.zeros(len(x), dtype=bool)
    if len(x) < WINDOW or np.isnan(mr_bar):
        return flagged
    for side in (1, -1):
        near = _beyond(x, centre + side * ZONE_FACTOR * mr_bar, side)
        for start in range(len(x) - WINDOW + 1):
            window = near[start:start + WINDOW]
            if window.sum() >= WINDOW_HITS:
                flagged[start:start + WINDOW] |= window
    return flagged


def _segment_chart(x: np.ndarray, basis: np.ndarray, floor: float | None,
                   ceiling: float | None) -> dict[str, np.ndarray | float]:
    n = len(x)
    moving_range = np.full(n, np.nan)
    moving_range[1:] = np.abs(np.diff(x))
    centre = float(x[basis].mean())
    # The baseline is a run of consecutive months, so its moving ranges are those between its own points.
    basis_ranges = np.abs(np.diff(x[basis]))
    mr_bar = float(basis_ranges.mean()) if len(basis_ranges) else np.nan
    lower = centre - LIMIT_FACTOR * mr_bar
    upper = centre + LIMIT_FACTOR * mr_bar
    if floor is not None and not np.isnan(lower):
        lower = max(lower, float(floor))
    if ceiling is not None and not np.isnan(upper):
        upper = min(upper, float(ceiling))
    side = np.where(_beyond(x, centre, 1), 1, np.where(_beyond(x, centre, -1), -1, 0))
    rules = {
        "outside": _beyond(x, upper, 1) | _beyond(x, lower, -1),
        "run8": _runs(side),
        "3of4": _three_of_four(x, centre, mr_bar),
    }
    signal = [";".join(rule for rule in RULES if rules[rule][i]) for i in range(n)]
    return {"centre": centre, "lower": lower, "upper": upper, "moving_range": moving_range, "mr_centre": mr_bar,
            "mr_upper": RANGE_FACTOR * mr_bar, "signal": signal}


def xmr(values: pd.Series, *, floor: float | None = None, ceiling: float | None = None,
        baseline: tuple[str, str] | None = None, change_points: Sequence[str] = ()) -> pd.DataFrame:
    """An XmR chart of a monthly series (float values indexed by month 'YYYY-MM'; empty months are left out).

    One row per month with a value: month, value, centre, lower, upper (natural process limits, clamped to floor and
    ceiling), moving_range (|x_t - x_(t-1)| within the segment, empty at its first point), mr_centre (MR-bar),
    mr_upper (3.268 MR-bar), signal ('' or the rules whose pattern includes the point, in RULES order, joined by ';')
    and segment (0, 1, ... one per process period, starting at each change point month).

    baseline = (first, last) months computes each segment's limits from its points in that period (when it has at
    least two there) and carries them forward over the rest of the segment; otherwise from all of the segment's points.
    """
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
        chart = _segment_chart(x[where], _basis(seg_months, baseline), floor, ceiling)
        parts.append(pd.DataFrame({"month": seg_months, "value": x[where], **chart, "segment": number}))
    frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    # Only the columns whose type differs are converted, with dtype objects: a conversion by type name parses the
    # name for every column, which cost most of an XmR chart's time (eight cards draw sixteen of them).
    wrong = {c: _dtype(c) for c in COLUMNS if frame[c].dtype != _dtype(c)}
    return (frame.astype(wrong) if wrong else frame)[COLUMNS]


_DTYPES = {"month": np.dtype(object), "signal": np.dtype(object), "segment": np.dtype(np.int64)}


def _dtype(column: str) -> np.dtype:
    return _DTYPES.get(column, np.dtype(np.float64))
