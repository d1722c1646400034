"""Which units lag: course coverage per unit and month, the plan S-curve against actual coverage, units behind plan.

Coverage is the contract of design.md: per unit min(cumulative completed to the month end, month-end headcount) /
headcount, or where the unit's month comes from the roster and the course's completions name people, the people of the
month-end headcount who have completed it; a group of units sums the numerators over the total headcount. Plans: the row
with unit '' is the organisation's plan, and a unit's own rows override it for that unit. A plan may be given for some
months only (say quarterly): a month then reads the latest planned figure at or before it, never one from the future.

The planned figure of a group of units (the organisation, a function) weighs each unit's own plan by its headcount; with
no unit plans that is exactly the organisation's plan. Months after the last headcount (a plan reaching into the
future) weigh by each unit's latest headcount. All SQL runs in DuckDB with parameters, cached by data version.
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from metrics.calc import _cached, _check_course, check_units, default_course, scope_of
from metrics.registry import SQL_DIR

BY_UNIT_COLUMNS = ["month", "unit", "function", "coverage"]
PLAN_COLUMNS = ["month", "planned", "actual"]
BEHIND_COLUMNS = ["unit", "function", "coverage", "planned", "gap"]
DEFAULT_BEHIND = 5

# Coverage per unit and month as the metric reads it (counts from the summaries, or people from the roster):
# sql/unit_coverage.sql. Building blocks (a list of CTEs) shared by the three queries. Parameters: $course, $units (a
# list; NULL = every unit), $function (NULL = every function).
_UNIT_COVERAGE = (SQL_DIR / "unit_coverage.sql").read_text(encoding="utf-8").strip()
_BASE = f"""
scope AS (
    SELECT unit, "function" FROM units
    WHERE ($units IS NULL OR list_contains($units, unit)) AND ($function IS NULL OR "function" = $function)
),
scope_units AS (SELECT unit FROM scope),
unit_headcount AS (
    SELECT "month" AS month, unit, headcount, leavers, source FROM staff_months WHERE unit IN (SELECT unit FROM scope)
),
{_UNIT_COVERAGE},
plan_rows AS (
    SELECT "month" AS month, unit, planned_coverage AS planned FROM plan
    WHERE course = $course AND (unit = '' OR unit IN (SELECT unit FROM scope))
),
org_plan AS (SELECT month, planned FROM plan_rows WHERE unit = ''),
unit_plan AS (SELECT month, unit, planned FROM plan_rows WHERE unit <> ''),
months AS (SELECT month FROM unit_coverage UNION SELECT month FROM plan_rows),
grid AS (SELECT m.month, s.unit FROM months m CROSS JOIN scope s),
weighted AS (
    -- A unit's weight in a month is its latest headcount at or before that month.
    SELECT g.month, g.unit, w.headcount AS weight
    FROM grid g ASOF LEFT JOIN unit_coverage w ON g.unit = w.unit AND g.month >= w.month
),
with_unit_plan AS (
    SELECT x.month, x.unit, x.weight, p.planned AS unit_planned
    FROM weighted x ASOF LEFT JOIN unit_plan p ON x.unit = p.unit AND x.month >= p.month
),
effective_plan AS (
    SELECT x.month, x.unit, x.weight, coalesce(x.unit_planned, o.planned) AS planned
    FROM with_unit_plan x ASOF LEFT JOIN org_plan o ON x.month >= o.month
)
"""

_BY_UNIT_SQL = f"""
WITH {_BASE}
SELECT strftime(c.month, '%Y-%m') AS month, c.unit, s."function" AS "function",
       CAST(c.covered AS DOUBLE) / nullif(c.headcount, 0) AS coverage
FROM unit_coverage c JOIN scope s USING (unit)
ORDER BY c.unit, c.month
"""

_PLAN_SQL = f"""
WITH {_BASE},
planned AS (
    SELECT month,
           coalesce(sum(weight * planned) FILTER (WHERE planned IS NOT NULL AND weight > 0)
                    / nullif(sum(weight) FILTER (WHERE planned IS NOT NULL AND weight > 0), 0),
                    -- no unit has a headcount yet: every unit counts the same
                    avg(planned)) AS planned
    FROM effective_plan
    GROUP BY month
),
actual AS (
    SELECT month, CAST(sum(covered) AS DOUBLE) / nullif(sum(headcount), 0) AS actual
    FROM unit_coverage
    GROUP BY month
)
SELECT strftime(m.month, '%Y-%m') AS month, p.planned, a.actual
FROM months m LEFT JOIN planned p USING (month) LEFT JOIN actual a USING (month)
ORDER BY m.month
"""

# Only the month asked for: the plan each unit reads then is its own latest planned figure at or before the month, else
# the organisation's (as effective_plan, without drawing the plan of every unit in every month first).
_BEHIND_SQL = f"""
WITH {_BASE},
latest AS (SELECT coalesce(CAST($month AS DATE), max(month)) AS month FROM unit_coverage),
unit_plan_then AS (
    SELECT p.unit, arg_max(p.planned, p.month) AS planned FROM unit_plan p, latest l WHERE p.month <= l.month
    GROUP BY p.unit
),
org_plan_then AS (SELECT arg_max(o.planned, o.month) AS planned FROM org_plan o, latest l WHERE o.month <= l.month),
effective AS (
    SELECT s.unit, coalesce(u.planned, (SELECT planned FROM org_plan_then)) AS planned
    FROM scope s LEFT JOIN unit_plan_then u USING (unit)
)
SELECT c.unit, s."function" AS "function", CAST(c.covered AS DOUBLE) / c.headcount AS coverage, e.planned,
       e.planned - CAST(c.covered AS DOUBLE) / c.headcount AS gap
FROM unit_coverage c
JOIN latest l ON c.month = l.month
JOIN scope s USING (unit)
JOIN effective e ON e.unit = c.unit
WHERE c.headcount > 0 AND e.planned IS NOT NULL
  AND e.planned - CAST(c.covered AS DOUBLE) / c.headcount >= $min_gap
ORDER BY gap DESC, c.unit
LIMIT $n
"""


_BASIS_SQL = f"""
WITH {_BASE},
latest AS (SELECT coalesce(CAST($month AS DATE), max(month)) AS month FROM unit_coverage)
SELECT basis, count(*) AS units FROM unit_coverage JOIN latest USING (month) GROUP BY basis ORDER BY basis
"""
PEOPLE, COUNTS = "people", "counts"


def _params(store, course: str | None, unit: str | Sequence[str] | None, function: str | None) -> dict:
    """The query parameters; the scope is some units or a function (or neither: the whole organisation), as in calc."""
    scope = scope_of(unit, function)
    course = course or default_course(store)
    _check_course(store, course)
    check_units(store, scope)
    return {"course": course, "units": list(scope.units) if scope.units else None, "function": scope.function}


def _key(name: str, params: dict) -> tuple:
    units = tuple(params["units"]) if params["units"] else None
    return (name, params["course"], units, params["function"])


def _month_date(month: str | None) -> str | None:
    return f"{month}-01" if month else None


def coverage_by_unit(store, course: str | None = None, *, unit: str | Sequence[str] | None = None,
                     function: str | None = None) -> pd.DataFrame:
    """Every unit's coverage in every month it has a headcount: month ('YYYY-MM'), unit, function, coverage (0-1;
    NaN for a headcount of 0). course None is the all-staff course in settings."""
    params = _params(store, course, unit, function)
    key = _key("coverage_by_unit", params)

    def compute() -> pd.DataFrame:
        frame = store.query(_BY_UNIT_SQL, params)
        frame["coverage"] = frame["coverage"].astype(float)
        return frame[BY_UNIT_COLUMNS]

    return _cached(store, key, compute)


def plan_vs_actual(store, course: str | None = None, *, unit: str | Sequence[str] | None = None,
                   function: str | None = None) -> pd.DataFrame:
    """The plan S-curve and actual coverage of the organisation (or of a unit or function) by month: month, planned,
    actual. Months are those with a headcount or a plan row; planned is NaN before the plan starts, actual NaN in
    months without a headcount (a plan reaching into the future)."""
    params = _params(store, course, unit, function)
    key = _key("plan_vs_actual", params)

    def compute() -> pd.DataFrame:
        frame = store.query(_PLAN_SQL, params)
        for column in ("planned", "actual"):
            frame[column] = frame[column].astype(float)
        return frame[PLAN_COLUMNS]

    return _cached(store, key, compute)


# Half a percentage point: a smaller gap shows as "0 pp behind" on screen, which is no news to anyone.
MIN_GAP = 0.005


def units_behind_plan(store, month: str | None = None, course: str | None = None, n: int = DEFAULT_BEHIND, *,
                      unit: str | Sequence[str] | None = None, function: str | None = None) -> pd.DataFrame:
    """The n units furthest behind their plan in `month` ('YYYY-MM'; default the latest month with a headcount):
    unit, function, coverage, planned, gap (planned - coverage, >= MIN_GAP), largest gap first. Units at or ahead
    of plan (or behind by less than MIN_GAP), without a plan for the month, or with no headcount are left out."""
    params = _params(store, course, unit, function) | {"month": _month_date(month), "n": int(n), "min_gap": MIN_GAP}
    key = (*_key("units_behind_plan", params), month, int(n))

    def compute() -> pd.DataFrame:
        frame = store.query(_BEHIND_SQL, params)
        for column in ("coverage", "planned", "gap"):
            frame[column] = frame[column].astype(float)
        return frame[BEHIND_COLUMNS]

    return _cached(store, key, compute)


def coverage_basis(store, month: str | None = None, course: str | None = None, *,
                   unit: str | Sequence[str] | None = None,
                   function: str | None = None) -> dict[str, int]:
    """How the scope's coverage is counted in `month` (default the latest with a headcount): units counted by people
    (PEOPLE: roster and completions by person) and by completions against headcount (COUNTS), e.g. {'people': 4}."""
    params = _params(store, course, unit, function) | {"month": _month_date(month)}
    key = (*_key("coverage_basis", params), month)
    return _cached(store, key, lambda: dict(store.rows(_BASIS_SQL, params)))
