"""The process changes of a metric in a scope: the starts of the initiatives meant to move it and the changes a lead
marked by hand on its chart. Charts, cards, the board pack and the command line all recalculate limits from these."""
from __future__ import annotations

import pandas as pd

from metrics import calc

COLUMNS = ["month", "reason", "source", "unit"]
INITIATIVE, MARKED = "initiative", "marked"
# A planned or dropped initiative changed nothing in the process; active and done ones did, from their start.
CHANGING_STATUSES = ("active", "done")


def _scope_units(store, unit: str | None, function: str | None) -> set[str] | None:
    """The units whose changes concern the scope (None: every unit, for the whole organisation), as the initiatives
    drawn under the lead-lag chart: a change in any unit changes the process of the figures it adds to."""
    if unit:
        return {unit} if isinstance(unit, str) else set(unit)
    if function:
        units = store.table("units")
        return set(units.loc[units["function"] == function, "unit"])
    return None


def _in_scope(frame: pd.DataFrame, units: set[str] | None) -> pd.DataFrame:
    frame = frame.assign(unit=frame["unit"].fillna("").astype(str))
    org_wide = frame["unit"] == ""
    return frame if units is None else frame[org_wide | frame["unit"].isin(units)]


def _compute_all(store, unit: str | None, function: str | None) -> pd.DataFrame:
    """The process changes of every metric in the scope (COLUMNS and metric), read once for all of them: an overview
    asks for nine metrics' changes, and reading and filtering the tables for each was half of its time."""
    units = _scope_units(store, unit, function)
    started = _in_scope(store.table("initiatives"), units)
    started = started[started["status"].isin(CHANGING_STATUSES) & started["start"].notna()]
    marked = _in_scope(store.table("process_changes"), units)
    frame = pd.concat([
        pd.DataFrame({"month": [pd.Timestamp(d).strftime("%Y-%m") for d in started["start"]],
                      "reason": [f"{name} starts (initiative)" for name in started["name"]],
                      "source": INITIATIVE, "unit": started["unit"].tolist(), "metric": started["metric"].tolist()},
                     columns=[*COLUMNS, "metric"]),
        pd.DataFrame({"month": [pd.Timestamp(d).strftime("%Y-%m") for d in marked["month"]],
                      "reason": marked["reason"].tolist(), "source": MARKED, "unit": marked["unit"].tolist(),
                      "metric": marked["metric"].tolist()}, columns=[*COLUMNS, "metric"]),
    ], ignore_index=True)
    return frame.sort_values(["month", "source", "reason"], kind="stable", ignore_index=True)


def process_changes(store, key: str, unit: str | None = None, function: str | None = None) -> pd.DataFrame:
    """month ('YYYY-MM'), reason, source ('initiative' or 'marked') and unit ('' for the whole organisation) of every
    process change of the metric that concerns the scope, in time order; cached by data version."""
    scope = calc.scope_of(unit, None if unit else function)
    units, function = scope.units, scope.function

    def compute() -> pd.DataFrame:
        every = calc._cached(store, ("process_changes", units, function), lambda: _compute_all(store, units, function))
        return every[every["metric"] == key][COLUMNS].reset_index(drop=True)

    return calc._cached(store, ("process_changes", key, units, function), compute)


def change_months(store, key: str, unit: str | None = None, function: str | None = None) -> list[str]:
    """The distinct months a new process starts in, for xmr(change_points=...)."""
    return sorted(set(process_changes(store, key, unit, function)["month"]))
