"""Process-behaviour verdicts (NHS "Making Data Count" style) and the KPI card summary that carries them."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics import verdicts
from metrics.summary import PROVISIONAL_POINTS, card_summary
from metrics.xmr import xmr
from tests.test_xmr import BASELINE, BASELINE_VALUES, monthly_series


def chart(values, **kwargs) -> pd.DataFrame:
    return xmr(monthly_series(values), **kwargs)


# -- variation -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("values, up, down", [
    (BASELINE_VALUES + [10, 16], "improving", "deteriorating"),  # latest point above the upper limit 15.32
    (BASELINE_VALUES + [10, 4], "deteriorating", "improving"),  # latest point below the lower limit 4.68
    (BASELINE_VALUES + [9.5] * 8, "deteriorating", "improving"),  # latest point ends a run of 8 below the centre
    (BASELINE_VALUES + [13, 9, 13, 13], "improving", "deteriorating"),  # latest point in a 3 of 4 above
    (BASELINE_VALUES + [16, 10], "no signal", "no signal"),  # a signal, but not on the latest point
    # The latest point closes a 3-of-4 window above: marked with it, and judged by the window's side, not its own
    (BASELINE_VALUES + [13, 13, 13, 9], "improving", "deteriorating"),
    (BASELINE_VALUES + [13, 13, 9, 9, 9], "no signal", "no signal"),  # the window 13, 13, 9, 9 holds only two
    (BASELINE_VALUES + [10.5] * 7, "no signal", "no signal"),  # 7 above after the baseline's last 9
])
def test_variation_reads_the_latest_point_and_the_better_direction(values, up, down):
    frame = chart(values, baseline=BASELINE)
    assert verdicts.variation(frame, "up") == up
    assert verdicts.variation(frame, "down") == down


def test_variation_of_nothing_is_no_signal_and_direction_is_checked():
    assert verdicts.variation(xmr(pd.Series(dtype=float)), "up") == "no signal"
    with pytest.raises(ValueError, match="direction"):
        verdicts.variation(chart([1, 2, 3]), "sideways")


# -- assurance -----------------------------------------------------------------------------------------------------
# BASELINE_VALUES alone: centre 10, limits 4.68 and 15.32.
@pytest.mark.parametrize("target, up, down", [
    (4, "consistently met", "consistently missed"),  # below the lower limit: every point is above it
    (16, "consistently missed", "consistently met"),  # above the upper limit: every point is below it
    (10, "hit and miss", "hit and miss"),
    (4.68, "hit and miss", "hit and miss"),  # exactly on a limit: within the natural variation
    (15.32, "hit and miss", "hit and miss"),
])
def test_assurance_compares_the_target_with_the_process_limits(target, up, down):
    frame = chart(BASELINE_VALUES)
    assert (frame["lower"].iloc[-1], frame["upper"].iloc[-1]) == pytest.approx((4.68, 15.32))
    assert verdicts.assurance(frame, target, "up") == up
    assert verdicts.assurance(frame, target, "down") == down


def test_assurance_uses_the_latest_process_period():
    frame = chart([10, 12, 10, 12, 20, 22, 20, 22], change_points=["2024-05"])  # limits 21 +/- 5.32 at the end
    assert verdicts.assurance(frame, 14, "up") == "consistently met"
    assert verdicts.assurance(chart([10, 12, 10, 12, 20, 22, 20, 22]), 14, "up") == "hit and miss"


def test_no_assurance_without_a_target_or_limits():
    frame = chart(BASELINE_VALUES)
    assert verdicts.assurance(frame, None, "up") is None
    assert verdicts.assurance(frame, math.nan, "up") is None
    assert verdicts.assurance(chart([5.0]), 1, "up") is None  # one point: no moving range, no limits
    assert verdicts.assurance(xmr(pd.Series(dtype=float)), 1, "up") is None


# -- the card summary ----------------------------------------------------------------------------------------------
def long_frame(key: str, values: list[float], start: str = "2023-01") -> pd.DataFrame:
    series = monthly_series(values, start)
    return pd.DataFrame({"month": series.index, "metric": key, "value": series.to_numpy()})


TARGET_COLUMNS = ["metric", "by", "value"]


# NPS: a year at about 0 then, after a step change in 2024-01, a year at about 30 with 30.5 last.
STEP_VALUES = [0, 2, -1, 1, 0, 2, -1, 1, 0, 2, -1, 1, 30, 32, 29, 31, 30, 32, 29, 31, 30, 32, 29, 30.5]


def test_card_summary_gives_the_year_ago_value_and_both_verdicts():
    monthly = long_frame("nps", STEP_VALUES)
    targets = pd.DataFrame([["nps", "2025-06", 20.0]], columns=TARGET_COLUMNS)
    card = card_summary(monthly, targets, "nps")
    assert (card.month, card.value, card.previous, card.year_ago) == ("2024-12", 30.5, 29, 1)
    assert card.delta == pytest.approx(1.5) and card.delta_year == pytest.approx(29.5)
    # One process over the two years: the last year stands above the centre 15.6 (a run of 12), and the limits,
    # 15.6 +/- 2.66 x 74.5 / 23 = 7.0 to 24.2, hold the target of 20.
    assert card.variation == "improving" and card.assurance == "hit and miss"
    assert (card.segment_start, card.segment_points, card.provisional) == (None, 24, False)
    assert (card.target, card.target_by) == (20.0, "2025-06")


def test_a_card_after_a_step_change_reads_the_new_segment():
    monthly = long_frame("nps", STEP_VALUES)
    targets = pd.DataFrame([["nps", "2025-06", 20.0]], columns=TARGET_COLUMNS)
    card = card_summary(monthly, targets, "nps", changes=["2024-01"])
    # The new process alone: centre 365.5 / 12 = 30.46, MR-bar 22.5 / 11 = 2.05, limits 25.0 to 35.9. The target of
    # 20 lies below them: met every month as the process runs now; 30.5 is ordinary variation of this process.
    assert card.assurance == "consistently met" and card.variation == "no signal"
    assert (card.segment_start, card.segment_points, card.provisional) == ("2024-01", 12, False)
    assert PROVISIONAL_POINTS == 12
    later = card_summary(monthly, targets, "nps", changes=["2023-06", "2024-07"])  # two changes, 6 points since
    assert (later.segment_start, later.segment_points, later.provisional) == ("2024-07", 6, True)


def test_card_summary_for_a_down_metric_and_without_a_target():
    values = [0.10, 0.11, 0.10, 0.11, 0.10, 0.11, 0.10, 0.11, 0.15]  # churn jumps: outside, on the worse side
    card = card_summary(long_frame("churn_annualised", values), pd.DataFrame(columns=TARGET_COLUMNS),
                        "churn_annualised")
    assert card.variation == "deteriorating"
    assert card.assurance is None
    assert math.isnan(card.year_ago) and math.isnan(card.delta_year)  # only 9 months of data


def test_card_summary_of_a_metric_without_values():
    monthly = long_frame("nps", [math.nan, math.nan])
    card = card_summary(monthly, pd.DataFrame(columns=TARGET_COLUMNS), "nps")
    assert card.month is None and card.variation == "no signal" and card.assurance is None
