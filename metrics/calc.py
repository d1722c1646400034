"""Monthly metric figures computed in DuckDB (one parameterised query per filter), cached by data version."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import pandas as pd

from metrics.registry import BUILTIN, BUILTIN_KEYS, READINGS_SQL, SQL_DIR

# The course coverage is measured on when no course is asked for and the settings name none (the migration's default).
DEFAULT_COURSE = "service-excellence"
MONTHLY_COLUMNS = ["month", "metric", "value"]
TARGET_COLUMNS = ["metric", "by", "value"]

# A dashboard asks for the organisation, each unit and a few courses per data version; the bound keeps a long-running
# server's memory flat as versions go by (old versions are never asked for again and fall off the end).
_CACHE_ENTRIES = 256
# Enough names in an "unknown unit" message to spot a typo; a full list of hundreds would bury the message.
_MAX_NAMED = 12

_cache: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_cache_lock = threading.Lock()


class UnknownFilter(ValueError):
    """A unit or course that the data does not know; the message names the known ones."""


def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").strip()


def _compose_monthly_sql() -> str:
    # One query for all metrics so the spine and shared CTEs are planned once. The CTE names and literals pasted here
    # are registry keys (validated snake_case constants), never user text; unit and course stay parameters.
    ctes = [_sql("base")]
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


def _cached(store, key: tuple, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """compute() once per (database, data version, key); every write bumps the version, so no stale figure is served."""
    full_key = (str(store.path), store.data_version(), *key)
    with _cache_lock:
        hit = _cache.get(full_key)
        if hit is not None:
            _cache.move_to_end(full_key)
            return hit.copy()
    frame = compute()
    with _cache_lock:
        _cache[full_key] = frame
        while len(_cache) > _CACHE_ENTRIES:
            _cache.popitem(last=False)
    # Callers get a copy so that changing a returned frame cannot change what the next caller sees.
    return frame.copy()


def default_course(store) -> str:
    return store.setting("all_staff_course") or DEFAULT_COURSE


def known_units(store) -> list[str]:
    return [r[0] for r in store.rows("SELECT unit FROM units ORDER BY unit")]


def known_courses(store) -> list[str]:
    """Courses with training or a plan, plus the all-staff course (valid before anyone has completed it)."""
    names = {r[0] for r in store.rows("SELECT course FROM training UNION SELECT course FROM plan")}
    return sorted(names | {default_course(store)})


def _unknown(what: str, value: str, known: list[str]) -> UnknownFilter:
    if not known:
        return UnknownFilter(f"Unknown {what} '{value}': no {what}s are recorded yet.")
    shown = ", ".join(known[:_MAX_NAMED])
    more = f" and {len(known) - _MAX_NAMED} more" if len(known) > _MAX_NAMED else ""
    return UnknownFilter(f"Unknown {what} '{value}'. Known {what}s: {shown}{more}.")


def _check_unit(store, unit: str | None) -> None:
    if unit is not None and unit not in (units := known_units(store)):
        raise _unknown("unit", unit, units)


def _check_course(store, course: str) -> None:
    if course not in (courses := known_courses(store)):
        raise _unknown("course", course, courses)


def _compute_monthly(store, unit: str | None, course: str) -> pd.DataFrame:
    _check_unit(store, unit)
    _check_course(store, course)
    frame = store.query(_MONTHLY_SQL, {"unit": unit, "course": course, "builtin_keys": sorted(BUILTIN_KEYS)})
    frame["value"] = frame["value"].astype(float)
    return frame[MONTHLY_COLUMNS]


def monthly(store, unit: str | None = None, course: str | None = None) -> pd.DataFrame:
    """Every built-in and readings metric for every spine month, long form: month ('YYYY-MM'), metric, value.

    unit None (or '') is the whole organisation; course None is the all-staff course from settings. value is NaN where a
    figure is undefined (no headcount, no complaints, no ticket closed...). The months are the organisation's spine
    whatever the unit, so units' series line up month for month. Raises UnknownFilter for an unknown unit or course.
    """
    unit = unit or None
    course = course or default_course(store)
    return _cached(store, ("monthly", unit, course), lambda: _compute_monthly(store, unit, course))


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
