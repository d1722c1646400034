"""The outlook: linear pace and distributed-lag projections, their 80% intervals checked by simulation, the status
rule, and the outlook of hand-built programmes through the API and the command line."""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.store import Store, close_all
from metrics import leadlag, months, outlook
from tests import programmes

REPO = Path(__file__).resolve().parent.parent
SIMULATIONS = 2000
# 2000 runs put the standard error of a coverage share near 0.009; three of them either side of 80% is the bar.
COVERAGE_TOLERANCE = 0.03
MONTHS_30 = [p.strftime("%Y-%m") for p in pd.period_range("2023-07", periods=30, freq="M")]


@pytest.mark.parametrize("df, table", [(3, 1.6377), (5, 1.4759), (10, 1.3722), (28, 1.3125), (1000, 1.2824)])
def test_the_t_quantile_matches_the_tables(df, table):
    assert outlook.t_quantile(0.9, df) == pytest.approx(table, abs=0.001)


def test_a_straight_line_is_projected_exactly_and_reached_in_its_month():
    series = pd.Series([0.10, 0.15, 0.20, 0.25, 0.30, 0.35], index=MONTHS_30[:6])  # 5 points a month
    line = outlook.linear_pace(series, 0, 1)
    centre, low, high = line.at(months.shift(MONTHS_30[5], 4))
    assert (centre, low, high) == pytest.approx((0.55, 0.55, 0.55))
    # 0.35 in month 6, then 0.40, 0.45 ... 0.90 eleven months later.
    assert outlook.reach(line, 0.9) == outlook.Reach(*[months.shift(MONTHS_30[5], 11)] * 3)


def test_the_pace_uses_only_the_last_six_months_and_needs_five_figures():
    early_jump = pd.Series([0.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], index=MONTHS_30[:7])
    assert outlook.linear_pace(early_jump).slope == pytest.approx(0.0)  # the jump before the six months is left out
    assert outlook.linear_pace(pd.Series([0.1, 0.2, np.nan, 0.3, 0.4], index=MONTHS_30[:5])) is None


def test_a_flat_pace_never_reaches_a_higher_target():
    line = outlook.linear_pace(pd.Series([0.2] * 6, index=MONTHS_30[:6]), 0, 1)
    assert outlook.reach(line, 0.9) == outlook.Reach(None, None, None)


@pytest.mark.parametrize("target, low, high, direction, expected", [
    (40, 41, 50, "up", "on track"), (40, 40, 50, "up", "on track"), (40, 35, 45, "up", "at risk"),
    (40, 30, 39.9, "up", "off track"), (0.05, 0.03, 0.05, "down", "on track"), (0.05, 0.04, 0.06, "down", "at risk"),
    (0.05, 0.051, 0.07, "down", "off track"), (40, math.nan, math.nan, "up", ""),
])
def test_the_status_reads_the_whole_interval(target, low, high, direction, expected):
    assert outlook.status(target, low, high, direction) == expected


def test_the_linear_pace_interval_holds_eighty_percent_of_future_values():
    # The model: coverage rises 2 points a month with noise of 3 points; six months fitted, six months ahead.
    rng = np.random.default_rng(16)
    hits = 0
    index = MONTHS_30[:12]
    for _ in range(SIMULATIONS):
        values = 0.3 + 0.02 * np.arange(12) + rng.normal(0, 0.03, 12)
        line = outlook.linear_pace(pd.Series(values[:6], index=index[:6]))
        _centre, low, high = line.at(index[11])
        hits += low <= values[11] <= high
    assert abs(hits / SIMULATIONS - outlook.INTERVAL) < COVERAGE_TOLERANCE, hits / SIMULATIONS


LAG_SEEN = 30
LAG_MONTHS = [p.strftime("%Y-%m") for p in pd.period_range("2023-01", periods=LAG_SEEN + 6, freq="M")]


def _lag_run(rng, horizon: int) -> bool:
    """One simulated pair: the lag's change = 0.2 + 0.5 x the lead's change 3 months earlier + noise (sd 1); 30 months
    seen, the value `horizon` months later inside the projection's 80% interval or not."""
    total = LAG_SEEN + horizon
    d_lead = rng.normal(0, 2, total)
    d_lag = np.zeros(total)
    d_lag[3:] = 0.2 + 0.5 * d_lead[:-3] + rng.normal(0, 1, total - 3)
    lead, lag = np.cumsum(d_lead), 10 + np.cumsum(d_lag)
    seen = LAG_MONTHS[:LAG_SEEN]
    seen_lead, seen_lag = pd.Series(lead[:LAG_SEEN], index=seen), pd.Series(lag[:LAG_SEEN], index=seen)
    model = outlook.fit_lag_model(seen_lead, seen_lag, 3)
    path = outlook.project_lag(model, seen_lead, seen_lag, LAG_MONTHS[total - 1])
    return bool(path["low"].iloc[-1] <= lag[-1] <= path["high"].iloc[-1])


@pytest.mark.parametrize("horizon", [3, 6])
def test_the_lead_lag_interval_holds_eighty_percent_of_future_values(horizon):
    # Three months ahead every lead change needed is already seen; six months ahead three are the lead's mean change.
    rng = np.random.default_rng(1600 + horizon)
    share = sum(_lag_run(rng, horizon) for _ in range(SIMULATIONS)) / SIMULATIONS
    assert abs(share - outlook.INTERVAL) < COVERAGE_TOLERANCE, share


def test_a_regression_recovers_the_lag_and_its_weight():
    lead = pd.Series(programmes.IDEAS, index=programmes.MONTHS, dtype=float)
    lag = pd.Series(programmes.following_nps(), index=programmes.MONTHS)
    model = outlook.fit_lag_model(lead, lag, 3)
    assert model.b == pytest.approx(0.5, abs=0.05) and model.n == 20


# -- hand-built programmes ---------------------------------------------------------------------------------------------
@pytest.fixture
def built(tmp_path):
    def build(name: str) -> Store:
        return programmes.PROGRAMMES[name](Store(tmp_path / f"{name}.duckdb", actor="test"))
    return build


def test_stalled_back_office_coverage_misses_the_plan_and_names_the_back_office(built):
    store = built("stalled_back_office")
    [plan] = outlook.outlook(store)
    # 150 front-line people gain 6 a month (4%), the back office none: 210 people, 2.857 points a month, 71.4% now.
    assert (plan.metric, plan.by, plan.target, plan.source) == ("training_coverage", "2026-06", 0.95, "plan")
    assert plan.projected == pytest.approx(0.714286 + 6 * 6 / 210, abs=1e-6) and plan.status == "off track"
    assert plan.reach.month == "2026-09"  # 0.714 + 9 x 0.0286 = 0.971 >= 0.95 in Sep 2026, 8 months would be 0.943
    units = outlook.coverage_outlook(store)
    late = units[~units["on_time"]]
    assert list(late["unit"]) == ["Finance", "IT Service Desk"] and set(late["function"]) == {"internal"}
    assert late["reach"].isna().all()  # a flat pace never gets there
    on_time = units[units["on_time"]].set_index("unit")
    assert on_time.loc["Cabin Crew", "reach"] == "2026-01"  # 92% + 4 points: 96% >= 95% in Jan 2026


def test_nps_that_follows_ideas_is_projected_from_them(built):
    store = built("nps_follows_ideas")
    [nps] = outlook.outlook(store)
    assert nps.method == "lead-lag" and nps.evidence.lead.key == "ideas_implemented" and nps.evidence.k == 3
    # Mar 2026 is three months on: every idea change it needs (Oct to Dec 2025) is already seen.
    ideas = programmes.IDEAS
    expected = programmes.following_nps()[-1] + 0.5 * (ideas[-1] - ideas[-4])
    assert nps.projected == pytest.approx(expected, abs=1.0)
    assert nps.low < nps.projected < nps.high and nps.status == "at risk"


def test_without_a_relationship_there_is_no_projection_and_it_says_why(built):
    [nps] = outlook.outlook(built("no_relationship"))
    assert nps.status == "" and math.isnan(nps.projected) and nps.reason == outlook.NO_EVIDENCE


def test_an_echo_of_a_relationship_the_unwanted_way_is_not_evidence(tmp_path):
    # NPS falls half a point three months after each idea gained; the zig-zag ideas alternate, so four months on the
    # pair's table also shows r = +0.74, above the pair's own bar: an echo, weaker than the -0.97 at three months.
    # No page, pack or command says it "has followed"; every one says what the strong relationship is.
    store = programmes.nps_against_ideas(Store(tmp_path / "against.duckdb", actor="test"))
    table = leadlag.leadlag_table(store, "ideas_implemented", "nps")
    echo = table.set_index("lag_months").loc[4]
    assert round(echo["r"], 2) == 0.74 and echo["oriented_r"] > echo["bar"]
    assert leadlag.best_lag(table) is None
    assert "has moved the unwanted way after ideas put into practice: about 3 months later" in leadlag.pair_sentence(
        table, "ideas_implemented", "nps")
    follows, opposite = outlook.claims(table, outlook.scan_tests(store))
    assert follows is None and (opposite[0], round(opposite[1], 2), opposite[2]) == (3, -0.97, 20)
    assert outlook.pair_projection(store, "ideas_implemented", "nps", table) is None
    [nps] = outlook.outlook(store)
    assert nps.status == "" and nps.reason.startswith("its only lead-lag evidence runs the unwanted way")


def test_a_target_whose_month_has_passed_is_judged_on_that_month(built):
    store = built("process_change")
    with store.transaction("test") as tx:
        tx.upsert("targets", pd.DataFrame([{"metric": "tickets_within_promise", "by": "2025-06-01", "unit": "",
                                            "value": 0.8}]))
    june = next(p for p in outlook.outlook(store) if p.by == "2025-06")
    assert (june.method, june.projected, june.status) == ("observed", 0.8, "on track")  # 16 of 20 in Jun 2025


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    close_all()  # the command line opens the file itself
    return subprocess.run([sys.executable, "-m", "metrics", *args, "--db", str(db)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


def test_the_command_line_prints_one_row_per_target(built, tmp_path):
    built("process_change")
    result = _cli("outlook", db=tmp_path / "process_change.duckdb")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "metric,by,target,projected,low,high,status"
    metric, by, target, projected, low, high, status = lines[1].split(",")
    assert (metric, by, target, status) == ("tickets_within_promise", "2026-06", "0.9", "off track")
    assert float(low) < float(projected) < float(high) < 0.9
    assert len(lines) == 2


def test_the_command_line_leaves_the_status_empty_without_evidence(built, tmp_path):
    built("no_relationship")
    result = _cli("outlook", "--unit", "Finance", db=tmp_path / "no_relationship.duckdb")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["nps,2026-03,25,,,,"]  # the organisation's target, inherited
