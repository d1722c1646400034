"""XmR charts: a published worked example computed by hand, the detection rules' edge cases, clamping, baseline
locking, process changes, and the `python -m metrics xmr` command."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from data.store import close_all
from metrics.xmr import COLUMNS, RULE_SETS, RULES, xmr
from tests.test_metrics import build_store, run_cli


def months(n: int, start: str = "2024-01") -> list[str]:
    return [p.strftime("%Y-%m") for p in pd.period_range(start, periods=n, freq="M")]


def monthly_series(values: list[float], start: str = "2024-01") -> pd.Series:
    return pd.Series(values, index=months(len(values), start), dtype=float)


def signals(frame: pd.DataFrame) -> list[str]:
    return list(frame["signal"])


# -- a published worked example --------------------------------------------------------------------------------------
# D. C. Montgomery, "Introduction to Statistical Quality Control" (Wiley), the individuals and moving range chart of the
# viscosity of aircraft primer paint: 15 batches, one measurement each. The book gives x-bar = 33.52, MR-bar = 0.48,
# limits 34.80 and 32.24 (3 / d2 = 3 / 1.128, i.e. Wheeler's 2.66) and a moving-range upper limit of 1.57
# (D4 = 3.267); the process is in control. The same data are reproduced in the IMSL JMSL Chart Programmer's Guide XmR
# example, which cites Montgomery p. 251.
VISCOSITY = [33.75, 33.05, 34.00, 33.81, 33.46, 34.02, 33.68, 33.27, 33.49, 33.20, 33.62, 33.00, 33.54, 33.12, 33.84]


def test_golden_case_montgomery_aircraft_primer_paint_viscosity():
    chart = xmr(monthly_series(VISCOSITY))
    # By hand: the 15 values add up to 502.85; the 14 moving ranges are
    # 0.70 0.95 0.19 0.35 0.56 0.34 0.41 0.22 0.29 0.42 0.62 0.54 0.42 0.72, adding up to 6.73.
    centre = 502.85 / 15  # 33.5233...
    mr_bar = 6.73 / 14  # 0.480714...
    assert list(chart.columns) == COLUMNS
    assert chart["centre"].tolist() == pytest.approx([centre] * 15)
    assert chart["mr_centre"].tolist() == pytest.approx([mr_bar] * 15)
    assert chart["upper"].tolist() == pytest.approx([centre + 2.66 * mr_bar] * 15)  # 34.8020...
    assert chart["lower"].tolist() == pytest.approx([centre - 2.66 * mr_bar] * 15)  # 32.2446...
    assert chart["mr_upper"].tolist() == pytest.approx([3.268 * mr_bar] * 15)  # 1.5710...
    assert math.isnan(chart["moving_range"].iloc[0])
    assert chart["moving_range"].iloc[1:].tolist() == pytest.approx(
        [0.70, 0.95, 0.19, 0.35, 0.56, 0.34, 0.41, 0.22, 0.29, 0.42, 0.62, 0.54, 0.42, 0.72])
    # The book's figures, to the two places it prints.
    first = chart.iloc[0]
    assert [round(first[c], 2) for c in ("centre", "mr_centre", "upper", "lower", "mr_upper")] == [
        33.52, 0.48, 34.80, 32.24, 1.57]
    assert signals(chart) == [""] * 15  # in control, as the book concludes
    assert chart["segment"].tolist() == [0] * 15


def test_months_with_no_value_are_left_out_and_the_rest_sorted():
    series = pd.Series([3.0, math.nan, 1.0, 2.0], index=["2024-04", "2024-02", "2024-01", "2024-03"])
    chart = xmr(series)
    assert chart["month"].tolist() == ["2024-01", "2024-03", "2024-04"]
    assert chart["moving_range"].tolist()[1:] == [1.0, 1.0]  # neighbours among the months with a value
    assert xmr(pd.Series(dtype=float)).columns.tolist() == COLUMNS
    assert RULES == ("outside", "run8", "3of4")
    assert RULE_SETS == {"wheeler": ("outside", "run8", "3of4"), "nhs": ("outside", "run7", "trend7", "2of3")}


# -- run of 8 ------------------------------------------------------------------------------------------------------
def test_exactly_eight_in_a_row_on_one_side_is_a_run():
    # 8 above then 8 below a centre of 0. MR-bar = (14 x 1 + 3) / 15 = 1.1333: limits +/- 3.01, the 3-of-4 zone
    # +/- 1.507 (only the 2s pass it, never 3 of any 4 points), so the run is the only signal.
    values = [1, 2, 1, 2, 1, 2, 1, 2, -1, -2, -1, -2, -1, -2, -1, -2]
    chart = xmr(monthly_series(values))
    assert chart["centre"].iloc[0] == pytest.approx(0)
    assert chart["mr_centre"].iloc[0] == pytest.approx(17 / 15)
    assert signals(chart) == ["run8"] * 16


def test_seven_in_a_row_is_not_a_run():
    values = [1, 2, 1, 2, 1, 2, 1, -1, -2, -1, -2, -1, -2, -1]  # 7 above, 7 below a centre of 0
    chart = xmr(monthly_series(values))
    assert chart["centre"].iloc[0] == pytest.approx(0)
    assert signals(chart) == [""] * 14


# Baseline 11, 9, 11, 9: centre exactly 10, MR-bar exactly 2, limits 10 +/- 5.32, the 3-of-4 zone 10 +/- 2.66.
BASELINE_VALUES = [11, 9, 11, 9]
BASELINE = ("2024-01", "2024-04")


def test_a_point_on_the_centre_breaks_a_run():
    on_centre = xmr(monthly_series(BASELINE_VALUES + [10.5] * 4 + [10] + [10.5] * 4), baseline=BASELINE)
    assert on_centre["centre"].iloc[0] == 10
    assert signals(on_centre) == [""] * 13  # 4 above, one on the centre, 4 above: no run of 8
    off_centre = xmr(monthly_series(BASELINE_VALUES + [10.5] * 4 + [10.1] + [10.5] * 4), baseline=BASELINE)
    assert signals(off_centre) == [""] * 4 + ["run8"] * 9  # 9 above in a row


# -- outside the limits --------------------------------------------------------------------------------------------
def test_a_point_exactly_on_a_limit_is_not_outside():
    chart = xmr(monthly_series(BASELINE_VALUES + [10 + 2.66 * 2, 10 - 2.66 * 2, 15.33, 4.67]), baseline=BASELINE)
    assert chart["upper"].iloc[0] == pytest.approx(15.32) and chart["lower"].iloc[0] == pytest.approx(4.68)
    # 15.32 and 4.68 sit on the limits; 15.33 and 4.67 are beyond them. The on-limit points are nearer the limit
    # than the centre, but only 2 of each 4: no 3-of-4 either.
    assert signals(chart) == ["", "", "", "", "", "", "outside", "outside"]


def test_floor_clamps_the_lower_limit_and_a_point_on_it_is_not_outside():
    counts = [0, 0, 3, 0, 0, 4, 0, 1]  # mean 8 / 8 = 1; moving ranges 0 3 3 0 4 4 1, MR-bar 15 / 7
    chart = xmr(monthly_series(counts), floor=0)
    assert 1 - 2.66 * 15 / 7 < 0  # the unclamped lower limit would be below any possible count
    assert chart["lower"].tolist() == [0.0] * 8
    assert chart["upper"].iloc[0] == pytest.approx(1 + 2.66 * 15 / 7)
    assert "outside" not in ";".join(signals(chart))
    unclamped = xmr(monthly_series(counts))
    assert unclamped["lower"].iloc[0] == pytest.approx(1 - 2.66 * 15 / 7)


def test_ceiling_clamps_the_upper_limit():
    shares = [0.95, 1.0, 0.9, 1.0, 0.95]  # mean 0.96, MR-bar (0.05 + 0.1 + 0.1 + 0.05) / 4 = 0.075
    chart = xmr(monthly_series(shares), floor=0, ceiling=1)
    assert chart["upper"].iloc[0] == 1.0  # 0.96 + 2.66 x 0.075 = 1.1595, clamped
    assert chart["lower"].iloc[0] == pytest.approx(0.96 - 2.66 * 0.075)
    assert signals(chart) == [""] * 5  # 1.0 is on the clamped limit, not outside


# -- 3 of 4 ------------------------------------------------------------------------------------------------------
def test_three_of_four_near_a_limit_with_the_fourth_on_the_other_side():
    chart = xmr(monthly_series(BASELINE_VALUES + [13, 13, 9, 13]), baseline=BASELINE)
    # 13 is beyond 12.66 (nearer the upper limit 15.32 than the centre) yet inside the limits; 9 is below the centre,
    # and is marked too: as in xmrit, every point of a window that qualifies belongs to the pattern.
    assert signals(chart) == ["", "", "", "", "3of4", "3of4", "3of4", "3of4"]
    assert chart["signal_side"].tolist() == [0, 0, 0, 0, 1, 1, 1, 1]  # the pattern lies above, 9 included


def test_two_of_four_near_a_limit_is_not_a_signal():
    chart = xmr(monthly_series(BASELINE_VALUES + [13, 9, 13, 9]), baseline=BASELINE)
    assert signals(chart) == [""] * 8


def test_three_of_four_below_and_rule_names_in_order():
    # 7, 7, 7 are beyond 7.34 (nearer the lower limit); 4 is outside it; 7 is also the 8th of a run below the centre.
    values = BASELINE_VALUES + [9.5, 9.5, 9.5, 9.5, 7, 7, 7, 4]
    chart = xmr(monthly_series(values), baseline=BASELINE)
    assert signals(chart)[-4:] == ["run8;3of4", "run8;3of4", "run8;3of4", "outside;run8;3of4"]
    # The last 9.5 opens the window 9.5, 7, 7, 7: three of its four are near the lower limit, so it is marked too.
    assert signals(chart)[4:8] == ["run8"] * 3 + ["run8;3of4"]
    assert chart["signal_side"].tolist()[4:] == [-1] * 8


# -- baseline and process changes ----------------------------------------------------------------------------------
def test_baseline_locks_the_limits_and_carries_them_forward():
    chart = xmr(monthly_series(BASELINE_VALUES + [20, 30, 10]), baseline=BASELINE)
    assert chart["centre"].tolist() == [10.0] * 7
    assert chart["mr_centre"].tolist() == [2.0] * 7
    assert chart["upper"].tolist() == pytest.approx([10 + 2.66 * 2] * 7)
    assert chart["moving_range"].tolist()[4:] == [11.0, 10.0, 20.0]  # still charted after the baseline
    assert signals(chart)[4:] == ["outside", "outside", ""]
    free = xmr(monthly_series(BASELINE_VALUES + [20, 30, 10]))
    assert free["centre"].iloc[0] == pytest.approx(100 / 7)  # without a baseline every point counts


def test_a_baseline_that_ends_before_it_starts_is_an_error():
    with pytest.raises(ValueError, match="Baseline starts after it ends"):
        xmr(monthly_series([1, 2, 3]), baseline=("2024-03", "2024-01"))


def test_a_change_point_starts_a_segment_with_its_own_limits():
    values = [10, 12, 10, 12, 10, 12, 20, 22, 20, 22]  # the process moved up in 2024-07
    chart = xmr(monthly_series(values), change_points=["2024-07"])
    assert chart["segment"].tolist() == [0] * 6 + [1] * 4
    assert chart["centre"].tolist() == [11.0] * 6 + [21.0] * 4
    assert chart["mr_centre"].tolist() == [2.0] * 10
    assert math.isnan(chart["moving_range"].iloc[6])  # the jump across the change belongs to neither process
    assert signals(chart) == [""] * 10
    # One process over both periods: centre 15, MR-bar 24 / 9; the later points are all beyond 15 + 1.33 x 24 / 9,
    # and the window 12, 20, 22, 20 marks the 12 as well.
    assert signals(xmr(monthly_series(values))) == [""] * 5 + ["3of4"] * 5


def test_runs_and_windows_do_not_span_a_change_point():
    values = BASELINE_VALUES + [10.5] * 4 + [10.5] * 4
    assert signals(xmr(monthly_series(values), baseline=BASELINE))[4:] == ["run8"] * 8
    split = xmr(monthly_series(values), baseline=BASELINE, change_points=["2024-09"])
    assert signals(split)[4:] == [""] * 8  # 4 + 4 above, and the new segment's centre is 10.5 anyway
    assert split["segment"].tolist() == [0] * 8 + [1] * 4


def test_change_points_outside_the_data_leave_no_empty_segment():
    chart = xmr(monthly_series([1, 2, 3, 4]), change_points=["2020-01", "2024-03", "2030-01"])
    assert chart["segment"].tolist() == [0, 0, 1, 1]


# -- command line --------------------------------------------------------------------------------------------------
def test_cli_prints_the_chart_of_a_metric(tmp_path):
    db = tmp_path / "tracker.duckdb"
    build_store(db, readings=[{"month": m, "metric": "viscosity", "value": v}
                              for m, v in zip(months(15), VISCOSITY, strict=True)])
    close_all()
    result = run_cli("xmr", "--metric", "viscosity", "--db", str(db))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "month,value,centre,lower,upper,signal"
    # centre 502.85 / 15, limits centre +/- 2.66 x 6.73 / 14, to the ten places the CSV writes
    assert lines[1] == "2024-01,33.75,33.5233333333,32.2446333333,34.8020333333,"
    assert lines[15] == "2025-03,33.84,33.5233333333,32.2446333333,34.8020333333,"
    assert len(lines) == 16

    baseline = run_cli("xmr", "--metric", "viscosity", "--baseline", "2024-01:2024-04", "--db", str(db))
    assert baseline.returncode == 0, baseline.stderr
    # centre (33.75 + 33.05 + 34.00 + 33.81) / 4 = 33.6525, MR-bar (0.70 + 0.95 + 0.19) / 3 = 0.61333...
    assert baseline.stdout.splitlines()[5] == "2024-05,33.46,33.6525,32.0210333333,35.2839666667,"

    unknown = run_cli("xmr", "--metric", "viscositee", "--db", str(db))
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert "Unknown metric 'viscositee'. Known metrics: ideas_implemented," in unknown.stderr
    assert "viscosity." in unknown.stderr and "Traceback" not in unknown.stderr
