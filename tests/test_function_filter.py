"""The function filter of calc.monthly: every built-in over the units of one function, aggregated like the whole
organisation; readings are not function-specific. Expectations worked out by hand."""
from __future__ import annotations

import math

import pytest

from data.store import close_all
from metrics import calc
from tests.test_metrics import build_store, headcount, idea, run_cli, series, survey, ticket, training, voice

UNITS = [{"unit": "Cabin", "function": "frontline"}, {"unit": "Gates", "function": "frontline"},
         {"unit": "IT", "function": "internal"}, {"unit": "Board", "function": "leadership"}]
ROWS = dict(
    units=UNITS,
    headcount=[headcount("2024-01", "Cabin", 30, 3), headcount("2024-01", "Gates", 10, 1),
               headcount("2024-01", "IT", 20, 0), headcount("2024-01", "Board", 5, 0)],
    ideas=[idea("i1", "Cabin", "2024-01-05"), idea("i2", "Cabin", "2024-01-06"), idea("i3", "Gates", "2024-01-07"),
           idea("i4", "IT", "2024-01-08"), idea("i5", None, "2024-01-09")],
    training=[training("2024-01-10", "Cabin", 40), training("2024-01-10", "Gates", 5),
              training("2024-01-10", "IT", 10)],
    voice=[voice("v1", "2024-01-03", "praise", "Cabin"), voice("v2", "2024-01-04", "praise", "Gates"),
           voice("v3", "2024-01-05", "complaint", "Gates"), voice("v4", "2024-01-06", "complaint", "IT")],
    tickets=[ticket("t1", "2024-01-10", "2024-01-09", "IT"), ticket("t2", "2024-01-10", "2024-01-12", "IT"),
             ticket("t3", "2024-01-10", "2024-01-10", "Cabin")],
    survey=[survey("s1", "2024-01-02", 10, "Cabin"), survey("s2", "2024-01-02", 3, "Gates"),
            survey("s3", "2024-01-02", 9, "Gates"), survey("s4", "2024-01-02", 0, "IT"), survey("s5", "2024-01-02", 9)],
    readings=[{"month": "2024-01", "metric": "satisfaction", "value": 4.2}],
)


def january(frame) -> dict[str, float]:
    return {metric: values["2024-01"] for metric in frame["metric"].unique()
            for values in [series(frame, metric)]}


def test_frontline_aggregates_its_units_like_the_organisation(tmp_path):
    store = build_store(tmp_path / "t.duckdb", **ROWS)
    front = january(calc.monthly(store, function="frontline"))
    assert front["ideas_implemented"] == 3  # i1, i2 (Cabin), i3 (Gates); i5 has no unit and belongs to no function
    assert front["ideas_per_100_staff"] == pytest.approx(3 / 40 * 100)
    assert front["training_coverage"] == pytest.approx((30 + 5) / 40)  # Cabin capped at its 30
    assert front["churn_annualised"] == pytest.approx(4 / 40 * 12)
    assert front["praise_complaint_ratio"] == pytest.approx(2 / 1)  # v1, v2 over v3
    assert front["tickets_within_promise"] == 1.0  # t3
    assert front["nps"] == pytest.approx(100 * (2 - 1) / 3, abs=0.05)  # s1, s3 promoters, s2 detractor: 33.3
    assert math.isnan(front["satisfaction"])  # readings are not given per function
    internal = january(calc.monthly(store, function="internal"))
    assert internal["ideas_implemented"] == 1 and internal["training_coverage"] == pytest.approx(10 / 20)
    assert internal["tickets_within_promise"] == pytest.approx(1 / 2) and internal["nps"] == -100.0
    assert internal["praise_complaint_ratio"] == 0.0
    org = january(calc.monthly(store))
    assert org["ideas_implemented"] == 5 and org["satisfaction"] == 4.2  # the unfiltered figures are unchanged
    assert org["nps"] == pytest.approx(100 * (3 - 2) / 5)
    leadership = january(calc.monthly(store, function="leadership"))
    assert leadership["ideas_implemented"] == 0 and math.isnan(leadership["nps"])
    assert calc.monthly(store, function="frontline")["month"].tolist() == calc.monthly(store)["month"].tolist()


def test_a_unit_and_a_function_together_or_an_unknown_function_are_errors(tmp_path):
    store = build_store(tmp_path / "t.duckdb", **ROWS)
    with pytest.raises(calc.FilterError, match="a unit or a function, not both"):
        calc.monthly(store, unit="Cabin", function="frontline")
    with pytest.raises(calc.UnknownFilter, match=r"Unknown function 'sales'\. Known functions: frontline, internal"):
        calc.monthly(store, function="sales")


def test_cli_monthly_by_function(tmp_path):
    db = tmp_path / "t.duckdb"
    build_store(db, **ROWS)
    close_all()
    result = run_cli("monthly", "--function", "internal", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:4] == ["2024-01,ideas_implemented,1", "2024-01,ideas_per_100_staff,5",
                                               "2024-01,training_coverage,0.5"]
