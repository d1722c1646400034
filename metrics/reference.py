"""The metrics' event-level definitions (metrics/sql/events): what the summary path must equal, and the naive peer."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from metrics.calc import (
    MONTHLY_COLUMNS,
    _check_course,
    _query_params,
    check_units,
    compose_monthly_sql,
    default_course,
    scope_of,
)
from metrics.registry import SQL_DIR

EVENTS_DIR = SQL_DIR / "events"
_EVENTS_SQL = compose_monthly_sql(EVENTS_DIR, grouped=False)


def event_monthly(store, unit: str | Sequence[str] | None = None, course: str | None = None,
                  function: str | None = None) -> pd.DataFrame:
    """calc.monthly computed straight from the event tables (every date truncated, every row scanned), uncached."""
    scope = scope_of(unit, function)
    course = course or default_course(store)
    check_units(store, scope)
    _check_course(store, course)
    params = _query_params(store, scope, course, by_unit=False)
    del params["by_unit"]  # the event-level definitions compute one scope at a time
    frame = store.query(_EVENTS_SQL, params)
    frame["value"] = frame["value"].astype(float)
    return frame[MONTHLY_COLUMNS]
