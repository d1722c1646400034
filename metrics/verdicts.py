"""Process-behaviour verdicts for a KPI card, in the style of the NHS "Making Data Count" icons.

variation: is the latest point part of a signal (special cause), and on the better or the worse side?
assurance: will the process, as it behaves now, meet the target every time, miss it every time, or sometimes each?
"""
from __future__ import annotations

import math

import pandas as pd

IMPROVING, DETERIORATING, NO_SIGNAL = "improving", "deteriorating", "no signal"
VARIATIONS = (IMPROVING, DETERIORATING, NO_SIGNAL)
MET, MISSED, HIT_AND_MISS = "consistently met", "consistently missed", "hit and miss"
ASSURANCES = (MET, MISSED, HIT_AND_MISS)


def _better_sign(direction: str) -> int:
    if direction not in ("up", "down"):
        raise ValueError(f"direction {direction!r} is not 'up' or 'down'")
    return 1 if direction == "up" else -1


def variation(frame: pd.DataFrame, direction: str) -> str:
    """'improving', 'deteriorating' or 'no signal' from the latest point of an xmr() frame.

    The latest point carries a signal when any rule of the chart's rule set marks it (xmr marks every point of a
    pattern). The side of that pattern (xmr's signal_side: above or below the centre, a rising or falling trend) tells
    whether the signal is on the better side (above, or rising, when up is better) or the worse; not the point's own
    position, since the last point of a 3-of-4 window may lie on the other side of the centre.
    """
    sign = _better_sign(direction)
    if frame.empty:
        return NO_SIGNAL
    latest = frame.iloc[-1]
    side = int(latest["signal_side"]) if latest["signal"] else 0
    if side == 0:
        return NO_SIGNAL
    return IMPROVING if side * sign > 0 else DETERIORATING


def assurance(frame: pd.DataFrame, target: float | None, direction: str) -> str | None:
    """Whether the current process (the latest segment's limits) can be relied on to meet the target.

    'consistently met' when the target lies beyond the natural process limits on the worse side (every point is
    expected to meet it), 'consistently missed' when beyond them on the better side, 'hit and miss' when the target is
    within the limits (a target exactly on a limit is within). None without a target or without limits (fewer than two
    points).
    """
    sign = _better_sign(direction)
    if target is None or pd.isna(target) or frame.empty:
        return None
    target = float(target)
    latest = frame.iloc[-1]
    lower, upper = float(latest["lower"]), float(latest["upper"])
    if math.isnan(lower) or math.isnan(upper):
        return None
    worse_limit, better_limit = (lower, upper) if sign > 0 else (upper, lower)
    if (worse_limit - target) * sign > 0:
        return MET
    if (target - better_limit) * sign > 0:
        return MISSED
    return HIT_AND_MISS
