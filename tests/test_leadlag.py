"""Lead-lag analysis: r by lag on month-on-month changes, its threshold, the best lag, the wording, the headline over a
real store (the demo programme) and the `python -m metrics leadlag` command."""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from data.demo import clear_demo, load_demo
from data.store import close_all
from metrics import leadlag
from metrics.calc import UnknownMetric
from metrics.leadlag import NO_HEADLINE, best_lag, cross_correlation, describe, family_threshold
from tests.test_metrics import build_store, idea, run_cli
from tests.test_xmr import monthly_series, months

CAUSAL = re.compile(r"\b(because|caus\w*|driv\w*|due to|effect\w*|impact\w*|leads? to|result\w*|thanks to|"
                    r"produc\w*|improv\w* by)\b", re.IGNORECASE)

# The tiny case: changes of the lead 1, 2, -1, 3 and of the lag 2, 1, -2, 4.
TINY_LEAD = [0, 1, 3, 2, 5]
TINY_LAG = [0, 2, 3, 1, 5]
# k = 0, n = 4: both changes have mean 5 / 4; deviations (-0.25, 0.75, -2.25, 1.75) and (0.75, -0.25, -3.25, 2.75);
# sum of products -0.1875 - 0.1875 + 7.3125 + 4.8125 = 11.75, sums of squares 8.75 and 18.75.
TINY_R0 = 11.75 / math.sqrt(8.75 * 18.75)  # 0.91735
# k = 1, n = 3: lead changes 1, 2, -1 (mean 2/3) against lag changes 1, -2, 4 (mean 1): deviations (1/3, 4/3, -5/3)
# and (0, -3, 3); sum of products -4 - 5 = -9, sums of squares 42 / 9 and 18.
TINY_R1 = -9 / math.sqrt(42 / 9 * 18)  # -0.9820


def test_r_by_lag_computed_by_hand_for_a_tiny_case():
    table = cross_correlation(monthly_series(TINY_LEAD), monthly_series(TINY_LAG), max_lag=3)
    assert list(table.columns) == ["lag_months", "r", "n", "threshold", "oriented_r", "bar"]
    assert table["lag_months"].tolist() == [0, 1, 2, 3]
    assert table["n"].tolist() == [4, 3, 2, 1]
    assert table["r"].iloc[0] == pytest.approx(TINY_R0)
    assert table["r"].iloc[1] == pytest.approx(TINY_R1)
    assert table["r"].iloc[2:].isna().all()  # fewer than 3 pairs: undefined
    assert table["threshold"].tolist() == pytest.approx([1.96 / math.sqrt(n) for n in (4, 3, 2, 1)])
    # The corrected bar for 4 lags: z(1 - 0.05 / 8) = 2.4977 over sqrt(n).
    assert table["bar"].tolist() == pytest.approx([2.4977 / math.sqrt(n) for n in (4, 3, 2, 1)], abs=1e-4)
    assert table["oriented_r"].tolist() == pytest.approx(table["r"].tolist(), nan_ok=True)
    assert best_lag(table) is None  # 0.917 does not clear 1.96 / 2 = 0.98, let alone 1.25


def test_a_known_lag_of_three_months_is_found():
    rng = np.random.default_rng(7)
    lead = np.cumsum(rng.normal(0, 1, 36))
    lag = np.full(36, np.nan)
    lag[3:] = 40 + 2.5 * lead[:-3]  # the lag repeats the lead's movements three months later
    table = cross_correlation(monthly_series(list(lead)), monthly_series(list(lag)))
    k, r, n = best_lag(table)
    assert (k, n) == (3, 32)  # lead changes in months 2..33 against lag changes in months 5..36
    assert r == pytest.approx(1.0)
    assert table.loc[table["lag_months"] != 3, "r"].abs().max() < 0.5


def test_a_missing_month_leaves_its_change_and_the_next_undefined():
    lead = monthly_series([1, 2, 4, 7, 11, 16])
    lag = monthly_series([1, 2, math.nan, 7, 11, 16])
    table = cross_correlation(lead, lag, max_lag=0)
    assert table["n"].tolist() == [3]  # changes into months 2, 5 and 6; those into 3 and 4 touch the gap


def table_of(r: list[float], n: list[int], orientation: int = 1) -> pd.DataFrame:
    bar = leadlag.claim_z(len(r) - 1)
    return pd.DataFrame({"lag_months": range(len(r)), "r": r, "n": n, "threshold": [1.96 / math.sqrt(k) for k in n],
                         "oriented_r": [orientation * v for v in r], "bar": [bar / math.sqrt(k) for k in n]})


def test_best_lag_takes_the_largest_oriented_r_that_clears_the_corrected_bar():
    # The bar for 4 lags: 2.4977 / sqrt(n): 0.456, 0.464, 1.117 and 0.472.
    table = table_of([0.5, 0.7, 0.75, 0.7], [30, 29, 5, 28])
    # Lag 2 has the largest r but, over 5 pairs, not above 1.117; of the rest, lags 1 and 3 tie: the shorter wins.
    assert best_lag(table) == (1, 0.7, 29)
    negative = table_of([-0.9, 0.1, math.nan, 0.2], [30, 29, 5, 28])
    assert best_lag(negative) is None  # a negative r between two metrics better up is not following...
    assert leadlag.opposite_lag(negative) == (0, -0.9, 30)  # ...it is a relationship the unwanted way
    # Better opposite ways (churn down, NPS up): the same negative r is the evidence, and r is reported as it is.
    assert best_lag(table_of([-0.9, 0.1, math.nan, 0.2], [30, 29, 5, 28], orientation=-1)) == (0, -0.9, 30)


def test_falling_churn_followed_by_rising_nps_is_named_as_leading():
    rng = np.random.default_rng(11)
    churn = 0.2 + np.cumsum(rng.normal(-0.003, 0.01, 30))  # falling, with month-to-month noise
    nps = np.full(30, np.nan)
    nps[3:] = 20 - 300 * (churn[:-3] - 0.2)  # NPS rises three months after churn falls
    sign = leadlag.orientation("churn_annualised", "nps")
    assert sign == -1
    table = cross_correlation(monthly_series(list(churn)), monthly_series(list(nps)), orientation=sign)
    k, r, n = best_lag(table)
    assert (k, n) == (3, 26) and r == pytest.approx(-1.0)
    assert leadlag.pair_sentence(table, "churn_annualised", "nps") == (
        "Net promoter score has followed staff churn (annualised) by about 3 months, rising when it falls "
        "(r = -1.00 over 26 months)")
    # Without the orientation (the tracker before), the same series could never lead.
    assert best_lag(cross_correlation(monthly_series(list(churn)), monthly_series(list(nps)))) is None


def test_a_relationship_the_unwanted_way_is_reported_as_such_never_as_success():
    lead = monthly_series(IDEAS)
    lag = monthly_series([math.nan, math.nan] + [60 - 0.5 * c for c in IDEAS[:-2]])  # NPS falls 2 months after ideas
    table = cross_correlation(lead, lag, orientation=leadlag.orientation("ideas_implemented", "nps"))
    assert best_lag(table) is None
    sentence = leadlag.pair_sentence(table, "ideas_implemented", "nps")
    assert sentence == ("Net promoter score has moved the unwanted way after ideas put into practice: about 2 months "
                        "later, falling when it rises (r = -1.00 over 25 months). Not evidence that the programme "
                        "works.")
    assert "followed" not in sentence and not CAUSAL.search(sentence)


# Unrelated pairs: two independent random walks of 30 months each, 300 pairs, a fixed seed.
FALSE_CLAIM_PAIRS, FALSE_CLAIM_MONTHS, FALSE_CLAIM_SEED = 300, 30, 2024


def test_at_most_five_per_cent_of_unrelated_pairs_earn_a_claim():
    rng = np.random.default_rng(FALSE_CLAIM_SEED)
    follows = opposite = pointwise = 0
    for _ in range(FALSE_CLAIM_PAIRS):
        lead, lag = (monthly_series(list(np.cumsum(rng.normal(size=FALSE_CLAIM_MONTHS)))) for _ in range(2))
        table = cross_correlation(lead, lag)
        follows += best_lag(table) is not None
        opposite += leadlag.opposite_lag(table) is not None
        pointwise += bool((table["r"] > table["threshold"]).any())
    # The figures for this seed: 5 of 300 (1.7%) "has followed" claims, 7 (2.3%) the unwanted way, 12 (4.0%) of any
    # kind; the uncorrected best lag of the tracker before (r above 1.96 / sqrt(n) at any lag) claimed 88 (29%).
    assert (follows, opposite, pointwise) == (5, 7, 88)
    assert (follows + opposite) / FALSE_CLAIM_PAIRS <= 0.05


def test_max_lag_must_be_a_whole_number_of_months():
    with pytest.raises(ValueError, match="max_lag"):
        cross_correlation(monthly_series([1, 2, 3]), monthly_series([1, 2, 3]), max_lag=-1)
    assert len(cross_correlation(pd.Series(dtype=float), pd.Series(dtype=float))) == 13


def test_describe_states_timing_and_strength_and_never_cause():
    assert describe("ideas_implemented", "nps", (3, 0.6217, 30)) == (
        "Net promoter score has followed ideas put into practice by about 3 months (r = 0.62 over 30 months)")
    assert describe("tickets_within_promise", "happiness", (1, 0.5, 20)) == (
        "Happiness score has followed tickets closed within promise by about 1 month (r = 0.50 over 20 months)")
    assert describe("training_coverage", "satisfaction", (0, 0.45, 28)) == (
        "Customer satisfaction has moved together with training coverage in the same month (r = 0.45 over 28 months)")
    assert describe("churn_annualised", "nps", None) == (
        "Net promoter score does not clearly follow staff churn (annualised).")
    sentences = [describe(lead, lag, best) for lead in ("ideas_implemented", "churn_annualised")
                 for lag in ("nps", "revenue") for best in (None, (0, 0.5, 20), (1, 0.5, 20), (7, 0.9, 12))]
    sentences.append(NO_HEADLINE)
    assert not [s for s in sentences if CAUSAL.search(s)]


def test_family_threshold_is_the_bonferroni_bar():
    assert family_threshold(1, 25) == pytest.approx(1.96 / 5, abs=1e-4)  # one test: the ordinary bar
    assert family_threshold(13, 25) == pytest.approx(2.8905 / 5, abs=1e-4)  # z for 0.05 / 2 / 13
    assert family_threshold(390, 26) == pytest.approx(3.8299 / math.sqrt(26), abs=1e-4)


# -- over a store --------------------------------------------------------------------------------------------------
def ideas_rows(counts: list[int], start: str = "2023-01") -> list[dict]:
    rows = []
    for month, count in zip(months(len(counts), start), counts, strict=True):
        rows += [idea(f"{month}-{i}", "Ops", f"{month}-{10 + i:02d}") for i in range(count)]
    return rows


def readings_rows(metric: str, values: list[float], start: str = "2023-01") -> list[dict]:
    return [{"month": m, "metric": metric, "value": v}
            for m, v in zip(months(len(values), start), values, strict=True) if not math.isnan(v)]


IDEAS = [10, 6, 8, 5, 5, 8, 7, 8, 6, 5, 4, 8, 6, 8, 8, 6, 3, 4, 5, 7, 5, 6, 9, 9, 1, 7, 10, 5]


def test_headline_names_the_pair_that_follows(tmp_path):
    # Satisfaction repeats half of each change in ideas two months later.
    satisfaction = [math.nan, math.nan] + [50 + 0.5 * c for c in IDEAS[:-2]]
    store = build_store(tmp_path / "follow.duckdb", ideas=ideas_rows(IDEAS),
                        readings=readings_rows("satisfaction", satisfaction))
    assert leadlag.headline(store) == (
        "Customer satisfaction has followed ideas put into practice by about 2 months (r = 1.00 over 25 months)")
    table = leadlag.leadlag_table(store, "ideas_implemented", "satisfaction")
    assert best_lag(table)[:1] == (2,)
    assert leadlag.headline(store, period=("2023-01", "2023-06")) == NO_HEADLINE  # too few months to tell


def test_a_pair_that_clears_only_its_own_threshold_makes_no_headline(tmp_path):
    # Satisfaction follows ideas two months later, weakly: r = 0.47 over 25 pairs clears 1.96 / 5 = 0.39, the page's
    # bar for one pair, but not the bar for the 13 lags scanned (0.58): the headline does not claim it.
    satisfaction = [50.0, 49.0, 47.5, 46.4, 47.8, 46.6, 47.4, 47.9, 46.6, 45.4, 43.9, 45.1, 44.6, 44.0, 43.4, 43.6,
                    43.1, 41.9, 40.1, 40.0, 38.5, 38.0, 37.0, 38.1, 39.5, 41.3, 40.1, 40.1]
    store = build_store(tmp_path / "weak.duckdb", ideas=ideas_rows(IDEAS),
                        readings=readings_rows("satisfaction", satisfaction))
    table = leadlag.leadlag_table(store, "ideas_implemented", "satisfaction")
    two = table.set_index("lag_months").loc[2]
    assert two["n"] == 25 and 1.96 / 5 < two["r"] < family_threshold(13, 25)
    assert best_lag(table) is None  # not the page's claim either: the corrected bar for 13 lags is 2.89 / 5 = 0.58
    assert leadlag.pair_sentence(table, "ideas_implemented", "satisfaction") == (
        "Customer satisfaction does not clearly follow ideas put into practice.")
    assert leadlag.headline(store) == NO_HEADLINE


def test_unknown_metric_names_the_known_ones(store):
    with pytest.raises(UnknownMetric, match=r"Unknown metric 'npss'\. Known metrics: ideas_implemented, .*, nps\."):
        leadlag.leadlag_table(store, "ideas_implemented", "npss")


def test_demo_headline_is_nps_following_ideas_by_three_months(store):
    load_demo(store)
    sentence = leadlag.headline(store)
    assert re.fullmatch(r"Net promoter score has followed ideas put into practice by about 3 months "
                        r"\(r = 0\.\d\d over 26 months\)", sentence), sentence
    assert not CAUSAL.search(sentence)
    assert leadlag.headline(store) == sentence  # served from the cache
    assert leadlag.headline(store, function="internal") == NO_HEADLINE  # NPS and readings are organisation-wide
    clear_demo(store)  # a write: the cached sentence must not be served again
    assert leadlag.headline(store) == NO_HEADLINE


# -- command line --------------------------------------------------------------------------------------------------
def test_cli_prints_r_by_lag_and_the_best_lag(tmp_path):
    db = tmp_path / "tracker.duckdb"
    build_store(db, ideas=ideas_rows(TINY_LEAD + [1, 4]), readings=readings_rows("satisfaction", TINY_LAG))
    close_all()
    result = run_cli("leadlag", "--lead", "ideas_implemented", "--lag", "satisfaction", "--max-lag", "2",
                     "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "lag_months,r,n,threshold",
        "0,0.9173460686,4,0.98",  # 11.75 / sqrt(8.75 x 18.75); 1.96 / sqrt(4)
        "1,-0.9819805061,3,1.1316065276",  # -9 / sqrt(84); 1.96 / sqrt(3)
        "2,,2,1.3859292911",  # two pairs: no r
        "best,,",
    ]
    longer = tmp_path / "longer.duckdb"
    follower = [math.nan] + [2 * c for c in IDEAS[:-1]]  # repeats twice each change in ideas a month later
    build_store(longer, ideas=ideas_rows(IDEAS), readings=readings_rows("follower", follower))
    close_all()
    result = run_cli("leadlag", "--lead", "ideas_implemented", "--lag", "follower", "--db", str(longer))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[2] == "1,1,26,0.3843876249"  # 26 pairs of changes, r = 1; 1.96 / sqrt(26), the pointwise band
    assert lines[-1] == "best,1,1"  # clears the corrected bar 2.8905 / sqrt(26) = 0.567
    result = run_cli("leadlag", "--lead", "ideas", "--lag", "nps", "--db", str(db))
    assert result.returncode == 1 and result.stdout == ""
    assert "Unknown metric 'ideas'. Known metrics:" in result.stderr and "Traceback" not in result.stderr


def test_cli_best_line_reads_the_registered_directions(tmp_path):
    # A lead registered as better down ("complaints per 100 staff"): NPS rising two months after it falls is a claim.
    db = tmp_path / "tracker.duckdb"
    complaints = [float(30 - c) for c in IDEAS]
    nps = [math.nan, math.nan] + [40 - 2 * (v - 30) for v in complaints[:-2]]
    store = build_store(db, readings=readings_rows("complaints_rate", complaints) + readings_rows("nps", nps))
    with store.transaction("test") as tx:
        tx.upsert("metric_registry", pd.DataFrame([{
            "key": "complaints_rate", "label": "Complaints per 100 staff", "kind": "leading", "unit": "value",
            "direction": "down", "aggregation": "mean", "description": None, "measure": "complaints"}]))
    close_all()
    result = run_cli("leadlag", "--lead", "complaints_rate", "--lag", "nps", "--db", str(db))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[3] == "2,-1,25,0.392"  # r = -1 over 25 pairs; the pointwise band 1.96 / 5
    assert lines[-1] == "best,2,-1"  # oriented: -(-1) = 1 clears 2.8905 / 5
