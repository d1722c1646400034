"""The metric registry: built-in definitions, validation reporting every problem, display formats, reading defaults."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from data.store import Store
from metrics import registry
from metrics.registry import BUILTIN, BUILTIN_KEYS, format_delta, format_value, get, validate

GOOD = dict(key="first_contact_resolution", label="First contact resolution", kind="leading", unit="share",
            direction="up", format="percent", description="Share of contacts resolved at the first contact.")


def test_the_eight_builtins_are_valid_and_as_designed():
    assert validate(BUILTIN) == []
    assert BUILTIN_KEYS == {"ideas_implemented", "ideas_per_100_staff", "training_coverage", "churn_annualised",
                            "praise_complaint_ratio", "tickets_within_promise", "desired_actions_on_time", "nps"}
    assert [d.key for d in BUILTIN if d.kind == "lagging"] == ["nps"]
    assert [d.key for d in BUILTIN if d.direction == "down"] == ["churn_annualised"]
    assert {d.key: d.unit for d in BUILTIN} == {
        "ideas_implemented": "count", "ideas_per_100_staff": "per_100", "training_coverage": "share",
        "churn_annualised": "share", "praise_complaint_ratio": "ratio", "tickets_within_promise": "share",
        "desired_actions_on_time": "share", "nps": "points"}


def test_validate_reports_every_problem_at_once():
    defs = [
        GOOD,
        dict(GOOD),  # duplicate key
        dict(GOOD, key="Bad Key", kind="sideways", unit="furlongs", direction="left", label=" ", format="roman"),
        {k: v for k, v in GOOD.items() if k != "description"} | {"key": "no_description", "colour": "red"},
        dict(GOOD, key="custom_sql", sql="does_not_exist", decimals=-1),
    ]
    problems = validate(defs)
    expected = [
        "metric 2 (first_contact_resolution): duplicate key 'first_contact_resolution'",
        "metric 3 (Bad Key): key 'Bad Key' is not snake_case",
        "metric 3 (Bad Key): label is empty",
        "metric 3 (Bad Key): kind 'sideways' is not one of leading, lagging",
        "metric 3 (Bad Key): unit 'furlongs' is not one of",
        "metric 3 (Bad Key): direction 'left' is not one of up, down",
        "metric 3 (Bad Key): format 'roman' is not one of",
        "metric 4 (no_description): missing field 'description'",
        "metric 4 (no_description): unknown field 'colour'",
        "metric 5 (custom_sql): decimals -1 is not a whole number",
        "metric 5 (custom_sql): sql 'does_not_exist' names no file",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), start
    assert len(problems) == len(expected)


def test_from_dicts_raises_with_every_problem_in_the_message():
    with pytest.raises(ValueError) as caught:
        registry.from_dicts([dict(GOOD, kind="x"), dict(GOOD, key="other", direction="x")])
    assert "kind 'x'" in str(caught.value) and "direction 'x'" in str(caught.value)
    assert registry.from_dicts([GOOD])[0].label == "First contact resolution"


@pytest.mark.parametrize("key, value, text", [
    ("ideas_implemented", 1234.0, "1,234"),
    ("ideas_implemented", 0, "0"),
    ("ideas_per_100_staff", 7.5, "7.5"),
    ("training_coverage", 0.62, "62%"),
    ("churn_annualised", 0.048, "4.8%"),
    ("tickets_within_promise", 1.0, "100%"),
    ("praise_complaint_ratio", 3.2, "3.2 : 1"),
    ("nps", 12.3, "+12.3"),
    ("nps", -4, "-4.0"),
    ("nps", 0.0, "0.0"),  # no sign on zero
    ("nps", -0.04, "0.0"),  # nor on what rounds to zero
    ("nps", math.nan, "—"),
    ("nps", None, "—"),
    ("nps", pd.NA, "—"),
])
def test_format_value(key, value, text):
    assert format_value(get(key), value) == text


def test_format_delta_is_signed_and_shares_move_in_percentage_points():
    assert format_delta(get("training_coverage"), 0.05) == "+5 pp"
    assert format_delta(get("churn_annualised"), -0.012) == "-1.2 pp"
    assert format_delta(get("nps"), -2.5) == "-2.5"
    assert format_delta(get("ideas_implemented"), 3) == "+3"
    assert format_delta(get("nps"), math.nan) == "—"


def test_reading_metrics_get_a_default_or_a_known_definition():
    custom = get("customer_effort")
    assert (custom.label, custom.kind, custom.unit, custom.direction) == ("Customer effort", "lagging", "value", "up")
    assert format_value(custom, 3.14159) == "3.1"
    happiness = get("happiness")
    assert (happiness.unit, format_value(happiness, 82)) == ("points", "+82")
    assert format_value(get("revenue"), 1250000.44) == "1,250,000.4"
    assert validate([custom, *registry.KNOWN_READINGS.values()]) == []


def test_all_metrics_lists_builtins_then_readings_present(tmp_path):
    store = Store(tmp_path / "tracker.duckdb", actor="test")
    rows = pd.DataFrame([
        {"month": "2024-01-01", "metric": "satisfaction", "unit": "", "value": 4.1},
        {"month": "2024-01-01", "metric": "bookings", "unit": "", "value": 10.0},
        {"month": "2024-01-01", "metric": "nps", "unit": "", "value": 50.0},  # a built-in key: never shadowed
    ])
    with store.transaction("test") as tx:
        tx.upsert("readings", rows)
    keys = [d.key for d in registry.all_metrics(store)]
    assert keys == [d.key for d in BUILTIN] + ["bookings", "satisfaction"]
    assert registry.all_metrics(store)[-1].label == "Customer satisfaction"


def test_floor_and_ceiling_are_data_and_validated():
    bounds = {d.key: (d.floor, d.ceiling) for d in BUILTIN}
    assert bounds == {"ideas_implemented": (0, None), "ideas_per_100_staff": (0, None), "training_coverage": (0, 1),
                      "churn_annualised": (0, None), "praise_complaint_ratio": (0, None),
                      "tickets_within_promise": (0, 1), "desired_actions_on_time": (0, 1), "nps": (-100, 100)}
    assert (get("customer_effort").floor, get("customer_effort").ceiling) == (None, None)  # nothing known
    assert (get("share_of_wallet").floor, get("share_of_wallet").ceiling) == (0, 1)
    problems = validate([dict(GOOD, floor="low"), dict(GOOD, key="upside_down", floor=1, ceiling=0),
                         dict(GOOD, key="fine", floor=0, ceiling=1)])
    assert problems == ["metric 1 (first_contact_resolution): floor 'low' is not a number",
                        "metric 2 (upside_down): floor 1 is not below ceiling 0"]
