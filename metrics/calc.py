"""Monthly metric figures computed in DuckDB (one parameterised query per filter), cached by data version."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pandas as pd

from metrics.registry import BUILTIN, BUILTIN_KEYS, READINGS_SQL, REPORTABLE_KEYS, SQL_DIR, all_metrics
from metrics.xmr import DEFAULT_RULES, RULE_SETS

MONTHLY_COLUMNS = ["month", "metric", "value"]
TARGET_COLUMNS = ["metric", "by", "value"]
# The functions a unit belongs to (the units table's CHECK constraint); a function filter aggregates their units.
FUNCTIONS = ("frontline", "internal", "leadership")

# A dashboard asks for the organisation, each unit and a few courses per data version; the bound keeps a long-running
# server's memory flat as versions go by (old versions are never asked for again and fall off the end). It must hold
# every unit of a large organisation (benchmarks/scale.py: 450 units), or a pass over the units evicts its own figures
# and never runs warm; a unit's 30-month frame is about 50 KB, so the bound is about 50 MB.
_CACHE_ENTRIES = 1024
# Enough names in an "unknown unit" message to spot a typo; a full list of hundreds would bury the message.
_MAX_NAMED = 12

_cache: OrderedDict[tuple, Any] = OrderedDict()
_cache_lock = threading.Lock()


class FilterError(ValueError):
    """Filters that cannot be applied; the message says why."""


class UnknownFilter(FilterError):
    """A unit, function, course or metric that the data does not know; the message names the known ones."""


class UnknownMetric(UnknownFilter):
    """A metric key that is neither built in nor among the readings."""


def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").strip()


def _compose_monthly_sql() -> str:
    # One query for all metrics so the spine and shared CTEs are planned once. The CTE names and literals pasted here
    # are registry keys (validated snake_case constants), never user text; unit and course stay parameters.
    ctes = [_sql("base"), _sql("unit_coverage")]
    selects = []
    for position, defn in enumerate(BUILTIN):
        ctes.append(f"metric_{defn.key} AS (\n{_sql(defn.sql)}\n)")
        selects.append(f"SELECT month, '{defn.key}' AS metric, {position} AS position, CAST(value AS DOUBLE) AS value "
                       f"FROM metric_{defn.key}")
    ctes.append(f"readings_long AS (\n{_sql(READINGS_SQL)}\n)")
    selects.append(f"SELECT month, metric, {len(BUILTIN)} AS position, CAST(value AS DOUBLE) AS value "
                   "FROM readings_long")
    union = "\nUNION ALL ".join(selects)
    with_list = ",\n".join(ctes)
    return (f"WITH {with_list}\n"
            f"SELECT strftime(month, '%Y-%m') AS month, metric, value FROM (\n{union}\n) "
            "ORDER BY month, position, metric")


_MONTHLY_SQL = _compose_monthly_sql()


def _copy(value):
    # Callers get a copy of a frame so that changing it cannot change what the next caller sees; strings, numbers
    # and tuples cannot be changed.
    return value.copy() if isinstance(value, pd.DataFrame | pd.Series) else value


def _cached(store, key: tuple, compute: Callable[[], Any]):
    """compute() once per (database, data version, key); every write bumps the version, so no stale figure is served."""
    full_key = (str(store.path), store.data_version(), *key)
    with _cache_lock:
        hit = _cache.get(full_key)
        if hit is not None:
            _cache.move_to_end(full_key)
            return _copy(hit)
    value = compute()
    with _cache_lock:
        _cache[full_key] = value
        while len(_cache) > _CACHE_ENTRIES:
            _cache.popitem(last=False)
    return _copy(value)


def clear_cache() -> None:
    """Forget every cached figure (benchmarks measure cold runs with this; the data version makes it unnecessary
    for correctness)."""
    with _cache_lock:
        _cache.clear()


def chosen_course(store) -> str | None:
    """The all-staff course a lead chose on the Settings page (or with `python -m data setting`), if any."""
    return store.setting("all_staff_course") or None


def rule_set(store) -> str:
    """The organisation's XmR rule set ('wheeler' or 'nhs'), chosen on the Settings page; 'wheeler' until then (or
    for a value this version does not know)."""
    chosen = store.setting("rule_set") or DEFAULT_RULES
    return chosen if chosen in RULE_SETS else DEFAULT_RULES


def course_completions(store) -> dict[str, int]:
    """Completions recorded per course, most first: what the Settings page offers and the default follows."""
    return _cached(store, ("course_completions",), lambda: dict(store.rows(
        "SELECT course, CAST(sum(n) AS BIGINT) FROM (SELECT course, completed AS n FROM training "
        "UNION ALL SELECT course, 1 FROM training_people) GROUP BY course ORDER BY 2 DESC, course")))


def default_course(store) -> str:
    """The all-staff course: the one a lead chose, else the course the programme trains most people in, else the
    first course of the plan; '' while the programme has neither training nor a plan (coverage is then empty)."""
    if chosen := chosen_course(store):
        return chosen
    if completions := course_completions(store):
        return next(iter(completions))
    planned = store.scalar("SELECT min(course) FROM plan")
    return planned or ""


def known_units(store) -> list[str]:
    return [r[0] for r in store.rows("SELECT unit FROM units ORDER BY unit")]


def known_courses(store) -> list[str]:
    """Courses with training or a plan, plus a chosen all-staff course (valid before anyone has completed it)."""
    names = {r[0] for r in store.rows("SELECT course FROM training UNION SELECT course FROM training_people "
                                      "UNION SELECT course FROM plan")}
    return sorted(names | ({chosen} if (chosen := chosen_course(store)) else set()))


def _unknown(what: str, value: str, known: list[str], limit: int = _MAX_NAMED) -> UnknownFilter:
    kind = UnknownMetric if what == "metric" else UnknownFilter
    if not known:
        return kind(f"Unknown {what} '{value}': no {what}s are recorded yet.")
    shown = ", ".join(known[:limit])
    more = f" and {len(known) - limit} more" if len(known) > limit else ""
    return kind(f"Unknown {what} '{value}'. Known {what}s: {shown}{more}.")


def _check_unit(store, unit: str | None) -> None:
    if unit is not None and unit not in (units := known_units(store)):
        raise _unknown("unit", unit, units)


def _check_course(store, course: str) -> None:
    if course and course not in (courses := known_courses(store)):
        raise _unknown("course", course, courses)


def _check_scope(unit: str | None, function: str | None) -> None:
    if unit is not None and function is not None:
        raise FilterError(f"Choose a unit or a function, not both (unit '{unit}', function '{function}').")
    if function is not None and function not in FUNCTIONS:
        raise _unknown("function", function, list(FUNCTIONS))


def _compute_monthly(store, unit: str | None, course: str, function: str | None) -> pd.DataFrame:
    _check_unit(store, unit)
    _check_course(store, course)
    aggregation = {d.key: d.aggregation for d in all_metrics(store)}
    frame = store.query(_MONTHLY_SQL, {"unit": unit, "function": function, "course": course,
                                       "builtin_keys": sorted(BUILTIN_KEYS),
                                       "sum_keys": sorted(k for k, a in aggregation.items() if a == "sum"),
                                       "none_keys": sorted(k for k, a in aggregation.items() if a == "none")})
    frame["value"] = frame["value"].astype(float)
    return frame[MONTHLY_COLUMNS]


def monthly(store, unit: str | None = None, course: str | None = None, function: str | None = None) -> pd.DataFrame:
    """Every built-in and readings metric for every spine month, long form: month ('YYYY-MM'), metric, value.

    unit None (or '') is the whole organisation; course None is the all-staff course from settings. value is NaN where a
    figure is undefined (no headcount, no complaints, no ticket closed...). The months are the organisation's spine
    whatever the unit, so units' series line up month for month. Raises UnknownFilter for an unknown unit or course.

    function ('frontline', 'internal' or 'leadership') computes every built-in over that function's units, the way
    the whole organisation's figures are computed over all units (numerators and denominators summed, NPS over their
    responses). Readings are given per unit or for the organisation, so under a function filter their keys are
    listed with empty values. A unit and a function together raise FilterError; an unknown function UnknownFilter.
    """
    unit = unit or None
    function = function or None
    _check_scope(unit, function)
    course = course or default_course(store)
    return _cached(store, ("monthly", unit, course, function),
                   lambda: _compute_monthly(store, unit, course, function))


def known_metrics(store) -> list[str]:
    """Every metric key the store can give a series for: the built-ins, then the readings present."""
    return [d.key for d in all_metrics(store)]


def check_metric(store, key: str) -> None:
    """Raise UnknownMetric, naming the known keys, for a key that is neither built in nor among the readings."""
    if key not in (keys := known_metrics(store)):
        raise _unknown("metric", key, keys, limit=len(keys))


def series(store, key: str, unit: str | None = None, course: str | None = None,
           function: str | None = None) -> pd.Series:
    """One metric's monthly values (float, NaN where undefined) indexed by month 'YYYY-MM', from monthly()."""
    check_metric(store, key)
    frame = monthly(store, unit=unit, course=course, function=function)
    rows = frame[frame["metric"] == key]
    values = pd.Series(rows["value"].to_numpy(dtype=float), index=pd.Index(rows["month"], name="month"), name=key)
    return values.sort_index()


def _compute_targets(store, unit: str | None) -> pd.DataFrame:
    _check_unit(store, unit)
    frame = store.query(
        "SELECT metric, strftime(\"by\", '%Y-%m') AS \"by\", value FROM targets "
        "WHERE unit = coalesce($unit, '') ORDER BY metric, \"by\"",
        {"unit": unit},
    )
    frame["value"] = frame["value"].astype(float)
    return frame[TARGET_COLUMNS]


def targets(store, unit: str | None = None) -> pd.DataFrame:
    """Targets of the whole organisation (unit None) or of one unit: metric, by ('YYYY-MM'), value."""
    unit = unit or None
    return _cached(store, ("targets", unit), lambda: _compute_targets(store, unit))


def reported_months(store, key: str, unit: str | None = None, function: str | None = None) -> list[str]:
    """The months ('YYYY-MM') whose figure of a reportable built-in (NPS) is a reported reading standing in for
    missing responses, in the scope asked for; [] for every other metric. Cards and the board pack say so."""
    if key not in REPORTABLE_KEYS or function:
        return []
    unit = unit or None
    return _cached(store, ("reported", key, unit), lambda: [r[0] for r in store.rows(
        "SELECT strftime(month, '%Y-%m') FROM readings r WHERE metric = $key AND unit = coalesce($unit, '') "
        "AND NOT EXISTS (SELECT 1 FROM survey s WHERE date_trunc('month', s.date) = r.month "
        "  AND ($unit IS NULL OR s.unit = $unit)) ORDER BY 1", {"key": key, "unit": unit})])
