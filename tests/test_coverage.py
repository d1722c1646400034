"""Which units lag: coverage per unit, the plan against actual coverage and units behind plan, worked out by hand."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics import calc, coverage
from tests.test_metrics import build_store, headcount, training


def plan(month: str, planned: float, unit: str = "", course: str = "service-excellence") -> dict:
    return {"month": month, "course": course, "unit": unit, "planned_coverage": planned}


# Ops (front line) 10 people, IT and Fin (back office) 20 and 10, Empty (leadership) nobody, January to March.
# Training of the all-staff course: Ops 6 in January and 8 in February (14 of 10: capped at 10); IT 5 in February
# and 15 in March; Fin none. Plan: the organisation 20% in January, 80% in March, 90% in April (no February row:
# February reads January's figure); Ops's own plan is 70% from January, IT's 10% from February.
ROWS = dict(
    units=[{"unit": "Ops", "function": "frontline"}, {"unit": "IT", "function": "internal"},
           {"unit": "Fin", "function": "internal"}, {"unit": "Empty", "function": "leadership"}],
    headcount=[headcount(m, u, n) for m in ("2024-01", "2024-02", "2024-03")
               for u, n in (("Ops", 10), ("IT", 20), ("Fin", 10), ("Empty", 0))],
    training=[training("2024-01-31", "Ops", 6), training("2024-02-01", "Ops", 8),
              training("2024-02-15", "IT", 5), training("2024-03-01", "IT", 15),
              training("2024-01-10", "Ops", 2, course="leadership")],
    plan=[plan("2024-01", 0.2), plan("2024-03", 0.8), plan("2024-04", 0.9),
          plan("2024-01", 0.7, unit="Ops"), plan("2024-02", 0.1, unit="IT")],
)


@pytest.fixture
def store(tmp_path):
    return build_store(tmp_path / "tracker.duckdb", **ROWS)


def by_unit(frame: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(r.unit, r.month): r.coverage for r in frame.itertuples()}


def test_coverage_by_unit_caps_each_unit_at_its_headcount(store):
    frame = coverage.coverage_by_unit(store)
    assert list(frame.columns) == ["month", "unit", "function", "coverage"]
    cells = by_unit(frame)
    assert cells[("Ops", "2024-01")] == pytest.approx(0.6)
    assert cells[("Ops", "2024-02")] == pytest.approx(1.0)  # min(14, 10) / 10
    assert cells[("IT", "2024-01")] == 0
    assert cells[("IT", "2024-02")] == pytest.approx(5 / 20)
    assert cells[("IT", "2024-03")] == pytest.approx(20 / 20)
    assert cells[("Fin", "2024-03")] == 0
    assert math.isnan(cells[("Empty", "2024-03")])  # nobody to cover
    assert len(frame) == 4 * 3
    assert dict(zip(frame["unit"], frame["function"], strict=True))["Fin"] == "internal"


def test_coverage_by_unit_follows_the_course_and_the_function(store):
    leadership = by_unit(coverage.coverage_by_unit(store, course="leadership"))
    assert leadership[("Ops", "2024-01")] == pytest.approx(0.2)
    assert leadership[("IT", "2024-01")] == 0
    internal = coverage.coverage_by_unit(store, function="internal")
    assert set(internal["unit"]) == {"IT", "Fin"}


def test_plan_vs_actual_weighs_each_units_own_plan_by_headcount(store):
    frame = coverage.plan_vs_actual(store).set_index("month")
    assert list(frame.index) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    # planned: (Ops 10 x own plan + IT 20 x its plan or the org's + Fin 10 x the org's) / 40; Empty weighs nothing.
    assert frame.loc["2024-01", "planned"] == pytest.approx((10 * 0.7 + 20 * 0.2 + 10 * 0.2) / 40)
    assert frame.loc["2024-02", "planned"] == pytest.approx((10 * 0.7 + 20 * 0.1 + 10 * 0.2) / 40)
    assert frame.loc["2024-03", "planned"] == pytest.approx((10 * 0.7 + 20 * 0.1 + 10 * 0.8) / 40)
    # April has a plan but no headcount yet: weighed by March's headcount, and no actual figure.
    assert frame.loc["2024-04", "planned"] == pytest.approx((10 * 0.7 + 20 * 0.1 + 10 * 0.9) / 40)
    assert frame.loc["2024-01", "actual"] == pytest.approx(6 / 40)
    assert frame.loc["2024-02", "actual"] == pytest.approx((10 + 5) / 40)
    assert frame.loc["2024-03", "actual"] == pytest.approx((10 + 20) / 40)
    assert math.isnan(frame.loc["2024-04", "actual"])


def test_plan_vs_actual_actual_is_the_training_coverage_metric(store):
    actual = coverage.plan_vs_actual(store).dropna(subset=["actual"]).set_index("month")["actual"]
    metric = calc.monthly(store)
    metric = metric[metric["metric"] == "training_coverage"].dropna().set_index("month")["value"]
    pd.testing.assert_series_equal(actual, metric, check_names=False)


def test_without_unit_plans_the_planned_figure_is_the_organisations_plan(tmp_path):
    rows = {**ROWS, "plan": [plan("2024-01", 0.2), plan("2024-02", 0.5), plan("2024-03", 0.8)]}
    store = build_store(tmp_path / "org-plan.duckdb", **rows)
    planned = coverage.plan_vs_actual(store).set_index("month")["planned"]
    assert planned.to_dict() == pytest.approx({"2024-01": 0.2, "2024-02": 0.5, "2024-03": 0.8})


def test_plan_vs_actual_of_a_function_and_of_a_unit(store):
    internal = coverage.plan_vs_actual(store, function="internal").set_index("month")
    assert internal.loc["2024-03", "planned"] == pytest.approx((20 * 0.1 + 10 * 0.8) / 30)
    assert internal.loc["2024-03", "actual"] == pytest.approx(20 / 30)
    it = coverage.plan_vs_actual(store, unit="IT").set_index("month")
    # IT's own plan starts in February; January falls back on the organisation's plan.
    assert it["planned"].to_dict() == pytest.approx({"2024-01": 0.2, "2024-02": 0.1, "2024-03": 0.1, "2024-04": 0.1})
    assert it.loc["2024-02", "actual"] == pytest.approx(0.25)


def test_plan_vs_actual_of_a_course_without_a_plan_has_no_planned_figure(store):
    frame = coverage.plan_vs_actual(store, course="leadership")
    assert frame["planned"].isna().all()
    assert frame.set_index("month").loc["2024-01", "actual"] == pytest.approx(2 / 40)


def test_units_behind_plan_largest_gap_first(store):
    latest = coverage.units_behind_plan(store)  # March: Ops and IT are ahead, Fin 0% against 80%
    assert list(latest.columns) == ["unit", "function", "coverage", "planned", "gap"]
    assert latest["unit"].tolist() == ["Fin"]
    assert latest["gap"].iloc[0] == pytest.approx(0.8)
    january = coverage.units_behind_plan(store, month="2024-01")
    # IT 0% and Fin 0% against 20% (a tie, named in order), Ops 60% against its own 70%; Empty has nobody.
    assert january["unit"].tolist() == ["Fin", "IT", "Ops"]
    assert january["gap"].tolist() == pytest.approx([0.2, 0.2, 0.1])
    assert january.set_index("unit").loc["Ops", "planned"] == pytest.approx(0.7)
    assert coverage.units_behind_plan(store, month="2024-01", n=2)["unit"].tolist() == ["Fin", "IT"]
    assert coverage.units_behind_plan(store, month="2024-01", function="frontline")["unit"].tolist() == ["Ops"]


def test_units_behind_plan_of_a_month_without_headcount_is_empty(store):
    assert coverage.units_behind_plan(store, month="2024-04").empty


def test_an_empty_database_gives_empty_frames(tmp_path):
    store = build_store(tmp_path / "empty.duckdb")
    assert coverage.coverage_by_unit(store).empty
    assert coverage.plan_vs_actual(store).empty
    assert coverage.units_behind_plan(store).empty


def test_unknown_filters_are_errors(store):
    with pytest.raises(calc.UnknownFilter, match="Known units"):
        coverage.coverage_by_unit(store, unit="Nowhere")
    with pytest.raises(calc.UnknownFilter, match="Known courses"):
        coverage.plan_vs_actual(store, course="juggling")
    with pytest.raises(calc.UnknownFilter, match="frontline"):
        coverage.units_behind_plan(store, function="marketing")
    with pytest.raises(calc.FilterError, match="not both"):
        coverage.plan_vs_actual(store, unit="IT", function="internal")


def test_a_write_refreshes_the_figures(store):
    assert coverage.units_behind_plan(store)["unit"].tolist() == ["Fin"]
    with store.transaction("test") as tx:
        tx.upsert("training", pd.DataFrame([{"date": "2024-03-05", "unit": "Fin", "course": "service-excellence",
                                             "completed": 10}]))
    assert coverage.units_behind_plan(store).empty
