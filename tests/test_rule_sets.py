"""The two rule sets of the XmR chart (Wheeler / xmrit and NHS / NHSRplotthedots): each rule fires on a series built
for it and not on its near miss, NHS screening reproduces NHSRplotthedots' published limits, and any number of process
changes give as many segments, each with its own limits."""
from __future__ import annotations

import pandas as pd
import pytest

from metrics import verdicts
from metrics.xmr import xmr
from tests.test_xmr import BASELINE, BASELINE_VALUES, monthly_series


def signals(values, rules, **kwargs) -> list[str]:
    return list(xmr(monthly_series(values), rules=rules, baseline=BASELINE, **kwargs)["signal"])


# Every series below starts with BASELINE_VALUES (11, 9, 11, 9) and locks the limits to them: centre 10, MR-bar 2,
# limits 10 +/- 5.32, Wheeler's 3-of-4 zone 10 +/- 2.66, NHS's 2 sigma 10 +/- 3.5467. No moving range of the baseline
# reaches 3.267 x 2, so NHS screening leaves MR-bar at 2.

# -- runs: 6, 7 and 8 in a row above the centre ------------------------------------------------------------------------
@pytest.mark.parametrize("length, wheeler, nhs", [(6, "", ""), (7, "", "run7"), (8, "run8", "run7")])
def test_a_run_is_seven_in_a_row_for_nhs_and_eight_for_wheeler(length, wheeler, nhs):
    values = BASELINE_VALUES + [10.5] * length
    assert signals(values, "wheeler") == [""] * 4 + [wheeler] * length
    assert signals(values, "nhs") == [""] * 4 + [nhs] * length


def test_a_point_on_the_centre_breaks_an_nhs_run():
    assert signals(BASELINE_VALUES + [10.5] * 3 + [10] + [10.5] * 3, "nhs") == [""] * 11
    assert signals(BASELINE_VALUES + [10.5] * 3 + [10.1] + [10.5] * 3, "nhs") == [""] * 4 + ["run7"] * 7


# -- trends: 6 and 7 points each higher (or lower) than the one before -------------------------------------------------
RISING_7 = [9.2, 9.4, 9.6, 9.8, 10.2, 10.4]  # with the baseline's last 9: seven points, each above the one before


def test_seven_rising_points_are_an_nhs_trend_and_six_are_not():
    assert signals(BASELINE_VALUES + RISING_7, "nhs") == ["", "", ""] + ["trend7"] * 7
    assert signals(BASELINE_VALUES + RISING_7[:-1], "nhs") == [""] * 9  # six points rising
    assert signals(BASELINE_VALUES + RISING_7, "wheeler") == [""] * 10  # Wheeler has no trend rule
    flat_step = RISING_7[:3] + [RISING_7[2]] + RISING_7[3:]  # two equal neighbours end the trend
    assert signals(BASELINE_VALUES + flat_step, "nhs") == [""] * 11


def test_a_trend_is_judged_by_its_direction():
    rising = xmr(monthly_series(BASELINE_VALUES + RISING_7), rules="nhs", baseline=BASELINE)
    assert rising["signal_side"].tolist()[-1] == 1
    assert verdicts.variation(rising, "up") == "improving" and verdicts.variation(rising, "down") == "deteriorating"
    falling = xmr(monthly_series([9, 11, 9, 11] + [20 - v for v in RISING_7]), rules="nhs", baseline=BASELINE)
    assert falling["signal"].tolist()[-7:] == ["trend7"] * 7 and falling["signal_side"].tolist()[-1] == -1
    assert verdicts.variation(falling, "down") == "improving"


# -- 2 of 3 beyond 2 sigma ---------------------------------------------------------------------------------------------
def test_two_of_three_beyond_two_sigma_on_one_side():
    # 14 is beyond 13.55 (2 sigma) and inside 15.32; 10.5 is above the centre: all three on one side.
    assert signals(BASELINE_VALUES + [14, 10.5, 14], "nhs") == [""] * 4 + ["2of3", "", "2of3"]
    # Near miss: 13 is inside 2 sigma.
    assert signals(BASELINE_VALUES + [13, 10.5, 13], "nhs") == [""] * 7
    # The middle point below the centre: not all three on one side (NHSRplotthedots' own test of this).
    assert signals(BASELINE_VALUES + [14, 9.5, 14], "nhs") == [""] * 7
    # A point outside the limits is not "near" them: one near point and one outside make no 2 of 3.
    assert signals(BASELINE_VALUES + [14, 16, 10.5], "nhs") == [""] * 5 + ["outside", ""]
    # Wheeler asks 3 of 4 beyond 12.66: two 14s are not enough.
    assert signals(BASELINE_VALUES + [14, 10.5, 14], "wheeler") == [""] * 7


def test_three_of_four_marks_all_four_and_its_near_miss_marks_none():
    assert signals(BASELINE_VALUES + [13, 9, 13, 13], "wheeler") == [""] * 4 + ["3of4"] * 4
    assert signals(BASELINE_VALUES + [13, 9, 12.6, 13], "wheeler") == [""] * 8  # 12.6 is inside the zone


def test_unknown_rule_set_is_an_error():
    with pytest.raises(ValueError, match="Unknown rule set 'westgard': choose wheeler or nhs"):
        xmr(monthly_series([1, 2, 3]), rules="westgard")


# -- NHS screening: NHSRplotthedots' published example -----------------------------------------------------------------
# tests/testthat/test-ptd_spc_standard.R: set.seed(123); y = rnorm(20), then y[15] = 10. The snapshot of that test
# (_snaps/ptd_spc_standard.md) publishes the limits: mean 0.1416238, lpl -3.01138, upl 3.294627 for rnorm(20); with
# y[15] = 10 and screen_outliers = TRUE mean 0.6694159, lpl -2.383666, upl 3.722497, and without screening lpl
# -4.596625, upl 5.935457. The values are R's rnorm(20) after set.seed(123), to the 8 places R prints.
RNORM_123 = [-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621, -1.26506123,
             -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113, 1.78691314,
             0.49785048, -1.96661716, 0.70135590, -0.47279141]


def limits(values, rules) -> tuple[float, float, float]:
    row = xmr(monthly_series(values), rules=rules).iloc[0]
    return row["centre"], row["lower"], row["upper"]


def test_nhs_screening_reproduces_nhsrplotthedots_published_limits():
    assert limits(RNORM_123, "nhs") == pytest.approx((0.1416238, -3.01138, 3.294627), abs=5e-7)
    outlier = RNORM_123[:14] + [10] + RNORM_123[15:]
    assert limits(outlier, "nhs") == pytest.approx((0.6694159, -2.383666, 3.722497), abs=5e-7)
    # Wheeler does not screen: its limits are NHSRplotthedots' with screen_outliers = FALSE.
    assert limits(outlier, "wheeler") == pytest.approx((0.6694159, -4.596625, 5.935457), abs=5e-7)


def test_screening_leaves_out_ranges_at_or_above_3_267_mr_bar():
    # Moving ranges 1, 1, 1, 1, 8: MR-bar 12 / 5 = 2.4, and 8 >= 3.267 x 2.4 = 7.84 is left out: MR-bar 1.
    chart = xmr(monthly_series([0, 1, 0, 1, 0, 8]), rules="nhs")
    assert chart["mr_centre"].iloc[0] == pytest.approx(1.0)
    assert chart["upper"].iloc[0] == pytest.approx(10 / 6 + 2.66)
    assert chart["signal"].iloc[-1] == "outside"
    assert xmr(monthly_series([0, 1, 0, 1, 0, 8]))["mr_centre"].iloc[0] == pytest.approx(2.4)


# -- any number of process changes -------------------------------------------------------------------------------------
def test_three_process_changes_give_four_segments_with_their_own_limits():
    values = [10, 12] * 3 + [20, 24] * 3 + [5, 6] * 3 + [30, 31] * 3
    for rules in ("wheeler", "nhs"):
        chart = xmr(monthly_series(values), change_points=["2024-07", "2025-01", "2025-07"], rules=rules)
        assert chart["segment"].tolist() == [0] * 6 + [1] * 6 + [2] * 6 + [3] * 6
        per_segment = chart.groupby("segment").agg(centre=("centre", "first"), mr=("mr_centre", "first"),
                                                   upper=("upper", "first"))
        assert per_segment["centre"].tolist() == [11, 22, 5.5, 30.5]
        assert per_segment["mr"].tolist() == [2, 4, 1, 1]
        assert per_segment["upper"].tolist() == pytest.approx([11 + 5.32, 22 + 10.64, 5.5 + 2.66, 30.5 + 2.66])
        assert set(chart["signal"]) == {""}


def test_a_frame_of_an_unsorted_change_list_is_the_same():
    values = monthly_series(list(range(12)))
    one = xmr(values, change_points=["2024-09", "2024-04"])
    other = xmr(values, change_points=["2024-04", "2024-09", "2024-04"])
    pd.testing.assert_frame_equal(one, other)
    assert one["segment"].tolist() == [0] * 3 + [1] * 5 + [2] * 4


# -- the organisation's setting and the command line -------------------------------------------------------------------
def test_rule_set_is_an_audited_setting_and_the_cli_follows_it_unless_told(tmp_path):
    from data.settings import change_setting
    from data.store import StoreError, close_all
    from metrics.calc import rule_set
    from tests.test_metrics import build_store, run_cli
    from tests.test_xmr import months

    db = tmp_path / "tracker.duckdb"
    outlier = RNORM_123[:14] + [10] + RNORM_123[15:]
    store = build_store(db, readings=[{"month": m, "metric": "waiting", "value": v}
                                      for m, v in zip(months(20), outlier, strict=True)])
    assert rule_set(store) == "wheeler"
    with pytest.raises(StoreError, match="'westgard' is not a rule_set; choose wheeler or nhs"):
        change_setting(store, "rule_set", "westgard")
    assert change_setting(store, "rule_set", "nhs") and rule_set(store) == "nhs"
    audit = store.query("SELECT before, after FROM audit WHERE table_name = 'settings'")
    assert audit["after"].tolist() == ['{"value": "nhs"}']
    close_all()

    def upper_limit(*extra):
        result = run_cli("xmr", "--metric", "waiting", "--db", str(db), *extra)
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()[1].split(",")[4]

    assert upper_limit() == "3.7224973162"  # the setting: NHS screening
    assert upper_limit("--rules", "wheeler") == "5.9354569004"
    wrong = run_cli("xmr", "--metric", "waiting", "--rules", "westgard", "--db", str(db))
    assert wrong.returncode == 2 and "invalid choice: 'westgard'" in wrong.stderr


def test_a_lead_chooses_the_nhs_rules_on_the_settings_page_and_the_process_chart_names_them(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from data.store import Store, close_all
    from tests.test_exec_pages import APP_TIMEOUT_S, DASHBOARD

    db = tmp_path / "tracker.duckdb"
    monkeypatch.setenv("TRACKER_DB", str(db))
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S).run()  # the demo programme
    at.switch_page("pages/settings.py").run()
    radio = next(r for r in at.radio if "process-behaviour chart" in r.label)
    assert radio.value == "wheeler"
    radio.set_value("nhs")
    next(b for b in at.button if b.label == "Save rules").click().run()
    assert any("NHS Making Data Count" in s.value for s in at.success)
    close_all()
    assert Store(db).setting("rule_set") == "nhs"
    close_all()
    at.switch_page("pages/process.py").run()
    assert not at.exception
    named = " ".join(m.value for m in at.markdown)
    assert "Rules: NHS Making Data Count (NHSRplotthedots): outside the limits, 7 in a row on one side" in named
    command = next(c.value for c in at.code if c.value.startswith("python -m metrics xmr"))
    assert "--rules nhs" in command


@pytest.mark.parametrize("rules", ["wheeler", "nhs"])
def test_each_help_picture_shows_the_signal_it_names(rules):
    from metrics.xmr import RULE_SETS
    from ui.help import EXAMPLES

    for rule in RULE_SETS[rules]:
        months = [p.strftime("%Y-%m") for p in pd.period_range("2025-01", periods=len(EXAMPLES[rule]), freq="M")]
        chart = xmr(pd.Series(EXAMPLES[rule], index=months), rules=rules, baseline=(months[0], months[9]))
        fired = {r for s in chart["signal"] for r in s.split(";") if r}
        assert rule in fired, (rule, rules, fired)


def test_the_help_page_names_the_rule_set_in_use(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.test_exec_pages import APP_TIMEOUT_S, DASHBOARD

    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.duckdb"))
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S).run()
    at.switch_page("pages/help.py").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "This organisation uses the Wheeler (xmrit) rules" in text
    assert "Eight months in a row on one side" in text and "Following is not cause." in text
    assert len(at.get("plotly_chart")) == 3
