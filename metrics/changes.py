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
        return {unit}
    if function:
        units = store.table("units")
        return set(units.loc[units["function"] == function, "unit"])
    return None


def _in_scope(frame: pd.DataFrame, units: set[str] | None) -> pd.DataFrame:
    frame = frame.assign(unit=frame["unit"].fillna("").astype(str))
    org_wide = frame["unit"] == ""
    return frame if units is None else frame[org_wide | frame["unit"].isin(units)]


def _initiative_starts(store, key: str, units: set[str] | None) -> pd.DataFrame:
    table = _in_scope(store.table("initiatives"), units)
    table = table[(table["metric"] == key) & table["status"].isin(CHANGING_STATUSES) & table["start"].notna()]
    return pd.DataFrame({"month": [pd.Timestamp(d).strftime("%Y-%m") for d in table["start"]],
                         "reason": [f"{name} starts (initiative)" for name in table["name"]],
                         "source": INITIATIVE, "unit": table["unit"].tolist()}, columns=COLUMNS)


def _marked(store, key: str, units: set[str] | None) -> pd.DataFrame:
    table = _in_scope(store.table("process_changes"), units)
    table = table[table["metric"] == key]
    return pd.DataFrame({"month": [pd.Timestamp(d).strftime("%Y-%m") for d in table["month"]],
                         "reason": table["reason"].tolist(), "source": MARKED, "unit": table["unit"].tolist()},
                        columns=COLUMNS)


def _compute(store, key: str, unit: str | None, function: str | None) -> pd.DataFrame:
    units = _scope_units(store, unit, function)
    frame = pd.concat([_initiative_starts(store, key, units), _marked(store, key, units)], ignore_index=True)
    return frame.sort_values(["month", "source", "reason"], kind="stable", ignore_index=True)


def process_changes(store, key: str, unit: str | None = None, function: str | None = None) -> pd.DataFrame:
    """month ('YYYY-MM'), reason, source ('initiative' or 'marked') and unit ('' for the whole organisation) of every
    process change of the metric that concerns the scope, in time order; cached by data version."""
    unit, function = unit or None, (None if unit else function) or None
    return calc._cached(store, ("process_changes", key, unit, function), lambda: _compute(store, key, unit, function))


def change_months(store, key: str, unit: str | None = None, function: str | None = None) -> list[str]:
    """The distinct months a new process starts in, for xmr(change_points=...)."""
    return sorted(set(process_changes(store, key, unit, function)["month"]))
