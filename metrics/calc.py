"""Monthly metric figures computed in DuckDB over the unit x month summaries (one parameterised query per scope, one
pass for all units), cached by the figures' data version with one computation per key however many viewers ask."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from data.schema import TABLES, WORKSHOP_TABLES
from metrics.registry import BUILTIN, BUILTIN_KEYS, READINGS_SQL, REPORTABLE_KEYS, SQL_DIR, all_metrics
from metrics.xmr import DEFAULT_RULES, RULE_SETS

MONTHLY_COLUMNS = ["month", "metric", "value"]
BY_UNIT_COLUMNS = ["unit", "month", "metric", "value"]
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
_key_locks: dict[tuple, threading.Lock] = {}


class FilterError(ValueError):
    """Filters that cannot be applied; the message says why."""


class UnknownFilter(FilterError):
    """A unit, function, course or metric that the data does not know; the message names the known ones."""


class UnknownMetric(UnknownFilter):
    """A metric key that is neither built in nor among the readings."""


def _sql(name: str, folder: Path = SQL_DIR) -> str:
    return (folder / f"{name}.sql").read_text(encoding="utf-8").strip()


def compose_monthly_sql(folder: Path = SQL_DIR, grouped: bool = True) -> str:
    """One query for all metrics, so the spine and shared CTEs are planned once. The CTE names and literals pasted
    here are registry keys (validated snake_case constants), never user text; scope and course stay parameters.

    `folder` holds the definitions: metrics/sql reads the summaries and gives a group column (grp) for the one pass
    over all units; metrics/sql/events reads the event tables (grouped=False): the reference the summaries equal."""
    ctes = [_sql("base", folder), _sql("unit_coverage", folder)]
    selects = []
    group = "grp, " if grouped else ""
    for position, defn in enumerate(BUILTIN):
        ctes.append(f"metric_{defn.key} AS (\n{_sql(defn.sql, folder)}\n)")
        selects.append(f"SELECT {group}month, '{defn.key}' AS metric, {position} AS position, "
                       f"CAST(value AS DOUBLE) AS value FROM metric_{defn.key}")
    ctes.append(f"readings_long AS (\n{_sql(READINGS_SQL, folder)}\n)")
    selects.append(f"SELECT {group}month, metric, {len(BUILTIN)} AS position, CAST(value AS DOUBLE) AS value "
                   "FROM readings_long")
    union = "\nUNION ALL ".join(selects)
    with_list = ",\n".join(ctes)
    return (f"WITH {with_list}\n"
            f"SELECT {group}strftime(month, '%Y-%m') AS month, metric, value FROM (\n{union}\n) "
            f"ORDER BY {group}month, position, metric")


_MONTHLY_SQL = compose_monthly_sql()


def _copy(value):
    # Callers get a copy of a frame so that changing it cannot change what the next caller sees; strings, numbers
    # and tuples cannot be changed.
    return value.copy() if isinstance(value, pd.DataFrame | pd.Series) else value


def figure_tables() -> list[str]:
    """The tables the figures read: every table but the live workshops' (their writes must not throw away the
    executive caches), and settings (the all-staff course). A table added later counts unless it is a workshop's."""
    return sorted([t for t in TABLES if t not in WORKSHOP_TABLES] + ["settings"])


def figures_version(store) -> int:
    """The data version the figures' caches are keyed by: it moves with every write to a table they read."""
    return store.data_version(figure_tables())


def _key_lock(full_key: tuple) -> threading.Lock:
    with _cache_lock:
        return _key_locks.setdefault(full_key, threading.Lock())


def _cached(store, key: tuple, compute: Callable[[], Any]):
    """compute() once per (database, figures' data version, key); every write to a table the figures read moves the
    version, so no stale figure is served. Viewers who miss together wait for one computation (a lock per key)
    instead of each repeating it."""
    full_key = (str(store.path), figures_version(store), *key)
    with _cache_lock:
        hit = _cache.get(full_key)
        if hit is not None:
            _cache.move_to_end(full_key)
            return _copy(hit)
    with _key_lock(full_key):
        with _cache_lock:
            hit = _cache.get(full_key)
        if hit is None:
            hit = compute()
            with _cache_lock:
                _cache[full_key] = hit
                while len(_cache) > _CACHE_ENTRIES:
                    _cache.popitem(last=False)
        with _cache_lock:
            _key_locks.pop(full_key, None)
    return _copy(hit)


def is_cached(store, key: tuple) -> bool:
    """Whether compute() for `key` has a figure at the current version (a view can then be cut from it)."""
    with _cache_lock:
        return (str(store.path), figures_version(store), *key) in _cache


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
        "SELECT course, CAST(sum(n) AS BIGINT) FROM (SELECT course, completed AS n FROM training_month "
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
    return _cached(store, ("known_units",), lambda: [r[0] for r in store.rows("SELECT unit FROM units ORDER BY unit")])


def known_courses(store) -> list[str]:
    """Courses with training or a plan, plus a chosen all-staff course (valid before anyone has completed it)."""
    names = {r[0] for r in store.rows("SELECT DISTINCT course FROM training_month "
                                      "UNION SELECT course FROM training_people UNION SELECT course FROM plan")}
    return sorted(names | ({chosen} if (chosen := chosen_course(store)) else set()))


def _unknown(what: str, value: str, known: list[str], limit: int = _MAX_NAMED) -> UnknownFilter:
    kind = UnknownMetric if what == "metric" else UnknownFilter
    if not known:
        return kind(f"Unknown {what} '{value}': no {what}s are recorded yet.")
    shown = ", ".join(known[:limit])
    more = f" and {len(known) - limit} more" if len(known) > limit else ""
    return kind(f"Unknown {what} '{value}'. Known {what}s: {shown}{more}.")


@dataclass(frozen=True)
class Scope:
    """Whose figures: some units (taken together), or a function's units, or neither (the whole organisation)."""

    units: tuple[str, ...] | None = None
    function: str | None = None

    @property
    def own(self) -> str | None:
        """The unit whose own readings (and reported NPS) the scope reads: '' for the organisation, the unit for one
        unit; None for a function or several units, which combine their units' readings instead."""
        if self.function:
            return None
        if self.units is None:
            return ""
        return self.units[0] if len(self.units) == 1 else None

    @property
    def unit(self) -> str | None:
        """The one unit of a one-unit scope, else None."""
        return self.units[0] if self.units and len(self.units) == 1 else None

    def params(self) -> dict:
        return {"units": list(self.units) if self.units else None, "function": self.function, "own": self.own}


def scope_of(unit: str | Sequence[str] | None = None, function: str | None = None) -> Scope:
    """The scope a unit (a name, or several names) or a function asks for; raises FilterError for both together
    and UnknownFilter for a function that is not one of FUNCTIONS."""
    if isinstance(unit, str):
        units = (unit,) if unit else None
    else:
        units = tuple(sorted(dict.fromkeys(u for u in unit or () if u))) or None
    function = function or None
    if units is not None and function is not None:
        raise FilterError(f"Choose a unit or a function, not both (unit '{', '.join(units)}', "
                          f"function '{function}').")
    if function is not None and function not in FUNCTIONS:
        raise _unknown("function", function, list(FUNCTIONS))
    return Scope(units, function)


def check_units(store, scope: Scope) -> None:
    """Raise UnknownFilter naming the first unit of the scope the data does not know."""
    if scope.units is None:
        return
    known = known_units(store)
    names = set(known)
    if missing := [u for u in scope.units if u not in names]:
        raise _unknown("unit", missing[0], known)


def _check_unit(store, unit: str | None) -> None:
    check_units(store, scope_of(unit))


def _check_course(store, course: str) -> None:
    if course and course not in (courses := known_courses(store)):
        raise _unknown("course", course, courses)


def _check_scope(unit, function: str | None) -> None:
    scope_of(unit, function)


def _query_params(store, scope: Scope, course: str, by_unit: bool) -> dict:
    aggregation = {d.key: d.aggregation for d in all_metrics(store)}
    return {**scope.params(), "course": course, "by_unit": by_unit, "builtin_keys": sorted(BUILTIN_KEYS),
            "sum_keys": sorted(k for k, a in aggregation.items() if a == "sum"),
            "none_keys": sorted(k for k, a in aggregation.items() if a == "none")}


def _compute_monthly(store, scope: Scope, course: str) -> pd.DataFrame:
    check_units(store, scope)
    _check_course(store, course)
    frame = store.query(_MONTHLY_SQL, _query_params(store, scope, course, by_unit=False))
    frame["value"] = frame["value"].astype(float)
    return frame[MONTHLY_COLUMNS]


def _compute_by_unit(store, course: str, scope: Scope) -> pd.DataFrame:
    check_units(store, scope)
    _check_course(store, course)
    frame = store.query(_MONTHLY_SQL, _query_params(store, scope, course, by_unit=True))
    frame["value"] = frame["value"].astype(float)
    return frame.rename(columns={"grp": "unit"})[BY_UNIT_COLUMNS]


def monthly_by_unit(store, course: str | None = None, units: Sequence[str] | None = None,
                    function: str | None = None) -> pd.DataFrame:
    """Every unit's monthly figures in one pass over the summaries: unit, month, metric, value (long form), each unit
    computed as monthly(unit=...) computes it. units (or a function) limits the pass to those units. Cached per data
    version; a single unit's view is cut from the pass over all units once it is cached."""
    course = course or default_course(store)
    scope = scope_of(list(units or ()), function)
    key = ("monthly_by_unit", course) if scope == Scope() else ("monthly_by_unit", course, scope)
    return _cached(store, key, lambda: _compute_by_unit(store, course, scope))


def _cut_unit(store, unit: str, course: str) -> pd.DataFrame:
    frame = monthly_by_unit(store, course)
    return frame[frame["unit"] == unit][MONTHLY_COLUMNS].reset_index(drop=True)


def monthly(store, unit: str | Sequence[str] | None = None, course: str | None = None,
            function: str | None = None) -> pd.DataFrame:
    """Every built-in and readings metric for every spine month, long form: month ('YYYY-MM'), metric, value.

    unit None (or '') is the whole organisation; a list of units takes them together (numerators and denominators
    summed, NPS over their responses, readings combined as registered); course None is the all-staff course from
    settings. value is NaN where a figure is undefined (no headcount, no complaints, no ticket closed...). The months
    are the organisation's spine whatever the scope, so series line up month for month. Raises UnknownFilter for an
    unknown unit or course.

    function ('frontline', 'internal' or 'leadership') computes every built-in over that function's units, the way
    the whole organisation's figures are computed over all units, and combines its units' readings as registered.
    A unit and a function together raise FilterError; an unknown function UnknownFilter.
    """
    scope = scope_of(unit, function)
    course = course or default_course(store)
    if scope.unit is not None:
        # Cut from the pass over all units when the warm-up (or another viewer) has made it; else one small query.
        check_units(store, scope)
        if is_cached(store, ("monthly_by_unit", course)):
            return _cut_unit(store, scope.unit, course)
    return _cached(store, ("monthly", scope, course), lambda: _compute_monthly(store, scope, course))


def known_metrics(store) -> list[str]:
    """Every metric key the store can give a series for: the built-ins, then the readings present."""
    return [d.key for d in all_metrics(store)]


def check_metric(store, key: str) -> None:
    """Raise UnknownMetric, naming the known keys, for a key that is neither built in nor among the readings."""
    if key not in (keys := known_metrics(store)):
        raise _unknown("metric", key, keys, limit=len(keys))


def series(store, key: str, unit: str | Sequence[str] | None = None, course: str | None = None,
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


def targets(store, unit: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Targets of the whole organisation (unit None) or of one unit: metric, by ('YYYY-MM'), value. Several units
    have no targets of their own (an empty frame): the organisation's apply."""
    scope = scope_of(unit)
    if scope.units is not None and scope.unit is None:
        check_units(store, scope)
        return pd.DataFrame({c: pd.Series(dtype=float if c == "value" else object) for c in TARGET_COLUMNS})
    return _cached(store, ("targets", scope.unit), lambda: _compute_targets(store, scope.unit))


def reported_months(store, key: str, unit: str | Sequence[str] | None = None,
                    function: str | None = None) -> list[str]:
    """The months ('YYYY-MM') whose figure of a reportable built-in (NPS) is a reported reading standing in for
    missing responses, in the scope asked for; [] for every other metric. Cards and the board pack say so."""
    scope = scope_of(unit, function)
    if key not in REPORTABLE_KEYS or scope.own is None:
        return []
    return _cached(store, ("reported", key, scope), lambda: [r[0] for r in store.rows(
        "SELECT strftime(month, '%Y-%m') FROM readings r WHERE metric = $key AND unit = $own "
        "AND NOT EXISTS (SELECT 1 FROM unit_month s WHERE s.month = r.month AND s.responses > 0 "
        "  AND ($units IS NULL OR list_contains($units, s.unit))) ORDER BY 1",
        {"key": key, "own": scope.own, "units": scope.params()["units"]})])
