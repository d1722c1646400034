"""Filters and page state kept in the URL: a copied link reopens exactly the same view.

Every widget of a page is seeded, on the page's first run in a session, from the URL's query parameters (when valid),
else from the filters this session last used on another page, else from a default; after the widgets, the page writes
its whole state back to the URL with `publish()`. Widget keys are namespaced per page ("overview_unit"); the URL uses
plain names ("unit") so that a link reads well.
"""
from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from metrics import calc
from metrics.months import current_month, last_complete_month
from metrics.months import label as month_label
from metrics.text import md

FUNCTION_LABELS = {"": "All functions", "frontline": "Front line", "internal": "Back office",
                   "leadership": "Leadership"}
# Parameters the whole session shares: a unit chosen on the overview is still chosen on the lead-lag page.
SHARED_PARAMS = ("from", "to", "function", "unit")
_SHARED_STATE = "url_state_shared"
WHOLE_ORGANISATION = "Whole organisation"
TO_DATE = "to date"  # how metrics.months.label marks the running month
# Re-exported: pages and tests reach the month helpers and the one escaping helper through the filters.
__all__ = ["FUNCTION_LABELS", "Filters", "PageState", "TO_DATE", "cli_scope", "current_month", "filter_bar",
           "freshness", "last_complete_month", "md", "month_label", "share_link"]


# A label names this many chosen units; beyond them it counts the rest ("A, B, C and 7 more units").
NAMED_UNITS = 3


def _names(units: Sequence[str]) -> str:
    if len(units) <= NAMED_UNITS:
        return ", ".join(units[:-1]) + f" and {units[-1]}" if len(units) > 1 else units[0]
    return f"{', '.join(units[:NAMED_UNITS])} and {len(units) - NAMED_UNITS} more units"


@dataclass(frozen=True)
class Filters:
    """What every page is filtered by: a period of months (inclusive), some units (taken together), a function."""

    start: str | None  # 'YYYY-MM'
    end: str | None
    units: tuple[str, ...] | str | None  # a single name is one unit; normalised to a sorted tuple (empty: none)
    function: str | None

    def __post_init__(self):
        units = (self.units,) if isinstance(self.units, str) else tuple(self.units or ())
        object.__setattr__(self, "units", tuple(sorted(dict.fromkeys(u for u in units if u))))

    @property
    def unit(self) -> str | None:
        """The unit when exactly one is chosen."""
        return self.units[0] if len(self.units) == 1 else None

    @property
    def scope(self) -> dict:
        """Keyword arguments for metrics: units (their function is implied) or a function, or neither."""
        if self.units:
            return {"unit": self.unit or tuple(self.units), "function": None}
        return {"unit": None, "function": self.function}

    @property
    def scope_label(self) -> str:
        if self.units:
            return _names(self.units)
        return FUNCTION_LABELS[self.function] if self.function else WHOLE_ORGANISATION

    @property
    def scope_phrase(self) -> str:
        """The scope inside a sentence: 'the whole organisation', 'the back office', or the units' names."""
        if self.units:
            return _names(self.units)
        return f"the {FUNCTION_LABELS[self.function].lower()}" if self.function else "the whole organisation"

    @property
    def period_label(self) -> str:
        if not self.start:
            return "no data yet"
        if self.start == self.end:
            return month_label(self.start)
        return f"{month_label(self.start)} to {month_label(self.end)}"

    def within(self, frame: pd.DataFrame, column: str = "month") -> pd.DataFrame:
        """The rows of `frame` whose 'YYYY-MM' column falls in the period."""
        if not self.start:
            return frame
        return frame[(frame[column] >= self.start) & (frame[column] <= self.end)]

    def within_series(self, series: pd.Series) -> pd.Series:
        """The values of a series indexed by 'YYYY-MM' that fall in the period."""
        if not self.start:
            return series
        return series[(series.index >= self.start) & (series.index <= self.end)]


class PageState:
    """One page's widgets bound to the URL. Call `key()` before each widget, `publish()` after the last."""

    def __init__(self, page: str):
        self.page = page
        self.values: dict[str, Any] = {}

    @staticmethod
    def from_url(param: str, parse: Callable[[str], Any] = str) -> Any:
        """The URL's value of `param`, parsed; None when absent or not parseable."""
        if param not in st.query_params:
            return None
        try:
            return parse(st.query_params[param])
        except (TypeError, ValueError):
            return None

    @staticmethod
    def from_url_all(param: str) -> list[str]:
        """Every value the URL gives `param` (a repeated parameter, ?unit=A&unit=B)."""
        return st.query_params.get_all(param) if param in st.query_params else []

    @staticmethod
    def shared(param: str) -> Any:
        """The value another page of this session last used for a shared filter."""
        return st.session_state.get(_SHARED_STATE, {}).get(param)

    def seed(self, param: str, valid: Callable[[Any], bool], default: Any, parse: Callable[[str], Any] = str,
             candidates: Sequence[Any] | None = None) -> Any:
        """The value a widget starts from: the URL's (when valid), else the session's shared filter, else `default`
        (candidates overrides where to look; the first valid one wins)."""
        if candidates is None:
            candidates = [self.from_url(param, parse)]
            if param in SHARED_PARAMS:
                candidates.append(self.shared(param))
        return next((c for c in candidates if c is not None and valid(c)), default)

    def key(self, param: str, valid: Callable[[Any], bool], default: Any, parse: Callable[[str], Any] = str,
            candidates: Sequence[Any] | None = None) -> str:
        """The widget key for `param`, its value seeded on the page's first run through st.session_state (see
        seed()). Not for range sliders: Streamlit takes a slider for a range only when its `value` is a pair, so
        those get `range_value()`."""
        key = f"{self.page}_{param}"
        if key not in st.session_state or not valid(st.session_state[key]):
            st.session_state[key] = self.seed(param, valid, default, parse, candidates)
        return key

    def range_value(self, param: str, valid: Callable[[Any], bool], default: tuple,
                    candidates: Sequence[Any]) -> tuple[str, tuple]:
        """(widget key, value=) for a range slider: the seed goes in as its `value` (the widget's key is its
        identity, so a later, different seed does not reset what the reader chose)."""
        key = f"{self.page}_{param}"
        if key in st.session_state and not valid(st.session_state[key]):
            del st.session_state[key]
        return key, tuple(self.seed(param, valid, default, candidates=candidates))

    def remember(self, param: str, value: Any) -> None:
        """Record a value the URL should carry; None and '' are left out of it."""
        self.values[param] = value

    def url_params(self) -> dict[str, str | list[str]]:
        """The URL's parameters: a value, or a list for a parameter repeated in the URL (several units)."""
        return {param: [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
                for param, value in self.values.items() if value not in (None, "", (), [])}

    def publish(self) -> None:
        """Write the page's whole state to the URL and share the filters with the session's other pages."""
        params = self.url_params()
        shown = {p: (st.query_params.get_all(p) if isinstance(params.get(p), list) else st.query_params[p])
                 for p in st.query_params}
        if shown != params:
            st.query_params.from_dict(params)
        shared = st.session_state.setdefault(_SHARED_STATE, {})
        # Only what this page filters by: a page with a unit but no period leaves the session's period alone.
        for param in SHARED_PARAMS:
            if param in self.values:
                shared[param] = self.values[param]

    def link(self) -> str:
        """The full address of this view: the page's URL (st.context.url, without a query) and its state."""
        base = (st.context.url or "").split("?")[0]
        query = urlencode(self.url_params(), doseq=True)
        return f"{base}?{query}" if query else base


def filter_bar(store, state: PageState, months: Sequence[str], compact: bool = False) -> Filters:
    """Period, function and unit in one row; the function narrows the units offered. compact hides the labels (screen
    readers still read them) where every pixel of height counts: the choices name themselves."""
    label_visibility = "collapsed" if compact else "visible"
    months = list(months)
    period_col, function_col, unit_col = st.columns([3, 1.3, 1.7], vertical_alignment="bottom")
    start = end = None
    with period_col:
        if len(months) > 1:
            key, value = state.range_value(
                "period", lambda v: isinstance(v, tuple | list) and len(v) == 2 and v[0] in months
                and v[1] in months and v[0] <= v[1], (months[0], last_complete_month(months)),
                candidates=[(state.from_url("from"), state.from_url("to")), (state.shared("from"), state.shared("to"))])
            start, end = st.select_slider("Period", options=months, value=value, format_func=month_label, key=key,
                                          label_visibility=label_visibility)
        elif months:
            start = end = months[0]
            st.caption(f"Period: {month_label(start)} (the only month with data)")
    state.remember("from", start)
    state.remember("to", end)

    with function_col:
        options = list(FUNCTION_LABELS)
        key = state.key("function", lambda v: v in options, "")
        function = st.selectbox("Function", options, format_func=FUNCTION_LABELS.get, key=key,
                                label_visibility=label_visibility)
    state.remember("function", function)

    with unit_col:
        units = _units_of(store, function)
        offered = set(units)
        key = state.key("unit", lambda v: isinstance(v, list | tuple) and set(v) <= offered, [],
                        candidates=[url_units(state.from_url_all("unit"), offered), state.shared("unit")])
        chosen = st.multiselect("Units", units, key=key, label_visibility=label_visibility,
                                placeholder=FUNCTION_LABELS[function] if function else WHOLE_ORGANISATION,
                                help="Several units are taken together (their figures summed, as the organisation's "
                                     "are); none is the whole organisation or the function chosen.")
    state.remember("unit", list(chosen))
    return Filters(start, end, tuple(chosen), function or None)


def url_units(values: Sequence[str], known: set[str]) -> list[str] | None:
    """The units a URL names: ?unit=A&unit=B, or a comma list ?unit=A,B (a name that itself holds a comma is taken
    whole); None when it names none of the known units."""
    units: list[str] = []
    for value in values:
        parts = [value] if value in known else [p.strip() for p in value.split(",")]
        units += [p for p in parts if p in known and p not in units]
    return units or None


def _units_of(store, function: str | None) -> list[str]:
    if not function:
        return calc.known_units(store)
    units = store.table("units")
    return sorted(units.loc[units["function"] == function, "unit"])


def cli_scope(filters: Filters) -> list[str]:
    """The command line's options for the filtered scope, quoted for a shell (a unit's name may hold anything)."""
    if filters.units:
        return [part for unit in filters.units for part in ("--unit", shlex.quote(unit))]
    return ["--function", filters.function] if filters.function else []


def share_link(state: PageState) -> None:
    """A 'Share' popover holding this view's full address, with the copy button st.code gives."""
    with st.popover("Share", icon=":material/link:", help="A link that opens this page with the same filters"):
        st.caption("Copy this link: it opens this view with the same period, unit and choices.")
        st.code(state.link(), language=None, wrap_lines=True)


def freshness(store, computed_at: datetime | None = None) -> str:
    """'Data last changed … · computed …': every page says how fresh its figures are."""
    changed = store.last_changed()
    changed_text = f"Data last changed {changed:%d %b %Y %H:%M}" if changed else "No data entered yet"
    computed = computed_at or datetime.now()
    return f"{changed_text} · figures computed {computed:%d %b %Y %H:%M:%S}"
