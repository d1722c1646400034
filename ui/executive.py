"""What the executive overview shows, gathered once per (database, data version, filters) and served from cache.

The figures themselves come from metrics (calc, summary, leadlag, coverage); this module only picks which ones the
overview needs for a filter, so that the page, the board pack and the tests read exactly the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import streamlit as st

from metrics import calc, changes, coverage, leadlag, narrative, outlook, registry
from metrics.registry import MetricDef
from metrics.summary import CardSummary, card_summary
from metrics.xmr import DEFAULT_RULES
from ui.cards import BASIS_COUNTS, BASIS_PEOPLE
from ui.filters import Filters, freshness, last_complete_month

# The headline pair of domain.md, charted on the overview: ideas put into practice now, NPS months later.
PAIR_LEAD, PAIR_LAG = "ideas_implemented", "nps"
COVERAGE_KEY = "training_coverage"  # the card that reads the all-staff course
# Beside the plan chart, with the lead-lag chart below, the second screen of a 1440x900 laptop holds 16 rows; beyond
# them the units with the lowest coverage are shown (a function or unit filter shows the others).
MAX_HEATMAP_UNITS = 16
BEHIND_LIST = 5
FUNCTION_ORDER = {"frontline": 0, "internal": 1, "leadership": 2}
ORG_TARGET_NOTE = "organisation target"


@dataclass
class Card:
    defn: MetricDef
    summary: CardSummary
    target_note: str = ""  # says whose target a card shows when it is not the filtered scope's own
    notice: str = ""  # replaces a figure that would mislead (coverage of a course nobody has completed)
    reported: bool = False  # the card's month shows a reported reading standing in for a computed built-in (NPS)
    basis: str = ""  # how the figure is counted where that differs by source (coverage: people or completions)

    @property
    def items(self) -> tuple:
        """(defn, summary, target_note, notice, reported, basis): what ui.cards draws a card from."""
        return self.defn, self.summary, self.target_note, self.notice, self.reported, self.basis


@dataclass
class OverviewData:
    filters: Filters
    months: list[str]
    leading: list[Card]
    lagging: list[Card]
    headline: str
    coverage: pd.DataFrame  # month, unit, function, coverage (the period's months)
    heatmap_units: list[str]  # rows of the heatmap, top first
    units_total: int
    plan: pd.DataFrame  # month, planned, actual
    behind: pd.DataFrame  # unit, function, coverage, planned, gap
    pair: pd.DataFrame  # month, PAIR_LEAD, PAIR_LAG
    course: str  # the course the coverage views read (the heat map, the plan, the units behind)
    course_notice: str  # why coverage has no figure (see course_notice), or ''
    rules: str = DEFAULT_RULES  # the XmR rule set the cards' verdicts apply
    computed_at: datetime = field(default_factory=datetime.now)
    # One line per target: (metrics.outlook.Projection, its metrics.narrative.Sentence), as of the period's end.
    outlook: list = field(default_factory=list)
    # Each unit against the end of the training plan at its own pace (metrics.outlook.coverage_outlook).
    unit_reach: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=outlook.UNIT_COLUMNS))
    all_staff_course: str = ""  # the course the coverage card reads, whatever course the other views show

    @property
    def cards(self) -> list[Card]:
        return self.leading + self.lagging

    @property
    def course_title(self) -> str:
        """How the coverage views name their course: 'the all-staff course (x)' or 'the course x'."""
        if self.course and self.course == self.all_staff_course:
            return f"the all-staff course ({self.course})"
        return f"the course {self.course}" if self.course else "the all-staff course (none yet)"


NO_DATA = ("No programme data yet: import the programme's workbook on the **Import** page, or load the demo "
           "programme on the **Data** page.")


def stop_without_data(store, message: str = NO_DATA) -> None:
    """Every executive page's empty state: what to do next, how fresh the data is, and nothing more."""
    st.warning(message)
    st.caption(freshness(store))
    st.stop()


def spine_months(store) -> list[str]:
    """The months the organisation has data for (the period filter's choices)."""
    return sorted(calc.monthly(store)["month"].unique().tolist())


def scope_targets(store, filters: Filters) -> tuple[pd.DataFrame, set[str]]:
    """The scope's own targets, and the organisation's for metrics the scope has none for (named as such)."""
    org = calc.targets(store)
    if not filters.units and not filters.function:
        return org, set()
    own = calc.targets(store, filters.unit) if filters.unit else org.iloc[0:0]
    inherited = org[~org["metric"].isin(own["metric"])]
    return pd.concat([own, inherited], ignore_index=True), set(inherited["metric"])


def course_notice(store, course: str, all_staff: bool = True) -> str:
    """Why coverage of `course` has no figure to show, or '' when it has: a course with no completion recorded would
    otherwise read as 0% everywhere (the course a lead named may be spelled otherwise in the training sheet)."""
    if not course:
        return "No training recorded yet: coverage appears once the training sheet is imported."
    if calc.course_completions(store).get(course):
        return ""
    fix = " Choose the all-staff course on the Settings page." if all_staff else ""
    return f"No completions of the course {course} are recorded.{fix}"


def coverage_basis_text(store, filters: Filters, month: str | None) -> str:
    """Which coverage the card shows: people from the roster, completion counts, or both in different units."""
    if not (course := calc.default_course(store)):
        return ""
    basis = coverage.coverage_basis(store, month, course, **filters.scope)
    people, counts = basis.get(coverage.PEOPLE, 0), basis.get(coverage.COUNTS, 0)
    if people and counts:
        return (f"People trained in {people} unit{'s' if people != 1 else ''} (roster); completions counted against "
                f"headcount in {counts}")
    return BASIS_PEOPLE if people else BASIS_COUNTS if counts else ""


def _cards(store, filters: Filters) -> tuple[list[Card], list[Card]]:
    """The cards as at the period's last month; cached per data version, so another period start (or a return to
    a scope seen before) reuses them instead of recomputing every card's process-behaviour verdicts."""
    leading, lagging = calc._cached(store, ("cards", filters.units, filters.function, filters.end),
                                    lambda: _compute_cards(store, filters))
    return list(leading), list(lagging)


def _compute_cards(store, filters: Filters) -> tuple[tuple[Card, ...], tuple[Card, ...]]:
    monthly = calc.monthly(store, **filters.scope)
    if filters.end:
        monthly = monthly[monthly["month"] <= filters.end]  # cards read as at the period's last month
    targets, inherited = scope_targets(store, filters)
    notices = {COVERAGE_KEY: course_notice(store, calc.default_course(store))}
    rules = calc.rule_set(store)
    leading, lagging = [], []
    for defn in registry.all_metrics(store):
        summary = card_summary(monthly, targets, defn.key, defn, rules=rules,
                               changes=changes.change_months(store, defn.key, **filters.scope))
        note = ORG_TARGET_NOTE if defn.key in inherited and summary.target_by else ""
        reported = summary.month in calc.reported_months(store, defn.key, **filters.scope)
        basis = coverage_basis_text(store, filters, summary.month) if defn.key == COVERAGE_KEY else ""
        card = Card(defn, summary, note, notices.get(defn.key, ""), reported, basis)
        (leading if defn.kind == "leading" else lagging).append(card)
    return tuple(leading), tuple(lagging)


def _heatmap_units(frame: pd.DataFrame, end: str | None) -> list[str]:
    units = frame.drop_duplicates("unit")[["unit", "function"]]
    if len(units) <= MAX_HEATMAP_UNITS:
        order = units.assign(rank=units["function"].map(FUNCTION_ORDER)).sort_values(["rank", "unit"])
        return order["unit"].tolist()
    latest = frame[frame["month"] == (end or frame["month"].max())].sort_values(["coverage", "unit"])
    return latest["unit"].head(MAX_HEATMAP_UNITS).tolist()


def _plan_months(plan: pd.DataFrame, filters: Filters, last_month: str | None) -> pd.DataFrame:
    """The period's months, and the plan's months beyond the data when the period runs to the latest whole month (or
    beyond, into the running one)."""
    shown = filters.within(plan)
    if filters.end and last_month and filters.end >= last_month:
        shown = pd.concat([shown, plan[plan["month"] > filters.end]], ignore_index=True)
    return shown.reset_index(drop=True)


def _pair(store, filters: Filters) -> pd.DataFrame:
    monthly = filters.within(calc.monthly(store, **filters.scope))
    wide = monthly.pivot(index="month", columns="metric", values="value")
    return wide.reindex(columns=[PAIR_LEAD, PAIR_LAG]).reset_index()


def compute_overview(store, filters: Filters, course: str | None = None) -> OverviewData:
    """The overview of `filters`; its coverage views read `course` (by default the all-staff course, which the
    coverage card always reads: it is the programme's indicator)."""
    months = spine_months(store)
    leading, lagging = _cards(store, filters)
    headline = leadlag.headline(store, **filters.scope, period=(filters.start, filters.end))
    all_staff = calc.default_course(store)
    course = course or all_staff
    by_unit = filters.within(coverage.coverage_by_unit(store, course, **filters.scope))
    units = _heatmap_units(by_unit, filters.end)
    plan = _plan_months(coverage.plan_vs_actual(store, course, **filters.scope), filters,
                        last_complete_month(months))
    behind = coverage.units_behind_plan(store, filters.end, course, BEHIND_LIST, **filters.scope)
    lines = narrative.target_lines(store, filters.end, **filters.scope) if filters.end else []
    reach = (outlook.coverage_outlook(store, through=filters.end, **filters.scope) if filters.end
             else pd.DataFrame(columns=outlook.UNIT_COLUMNS))
    notice = course_notice(store, course, all_staff=course == all_staff)
    return OverviewData(filters, months, leading, lagging, headline, by_unit, units, by_unit["unit"].nunique(), plan,
                        behind, _pair(store, filters), course, notice, calc.rule_set(store), outlook=lines,
                        unit_reach=reach, all_staff_course=all_staff)


@st.cache_data(max_entries=128, show_spinner=False)
def _cached_overview(path: str, version: int, filters: tuple, course: str | None, _store) -> OverviewData:
    return compute_overview(_store, Filters(*filters), course)


def overview_data(store, filters: Filters, course: str | None = None) -> OverviewData:
    """compute_overview, served from Streamlit's cache for a data version, filter and course already seen."""
    key = (filters.start, filters.end, filters.units, filters.function)
    # The all-staff course named or left out is one view: the warm-up (which names none) serves the page (which does).
    course = course or calc.default_course(store) or None
    return _cached_overview(str(store.path), calc.figures_version(store), key, course, store)


def initiatives_in_scope(store, filters: Filters, metrics: tuple[str, ...] = (),
                         prefer: tuple[str, ...] = ()) -> pd.DataFrame:
    """Initiatives that concern the filtered scope: organisation-wide ones and those of its units; with metrics given,
    only those meant to move one of them. Those meant to move a metric in `prefer` come first, then the
    organisation-wide ones, then by start. Columns as stored, plus `label` (name, and status unless active or done)."""
    table = store.table("initiatives")
    if filters.units:
        units = set(filters.units)
    elif filters.function:
        units = set(store.table("units").query("function == @filters.function")["unit"])
    else:
        units = None
    org_wide = table["unit"].isna() | (table["unit"] == "")
    if units is not None:
        table = table[org_wide | table["unit"].isin(units)]
    if metrics:
        table = table[table["metric"].isin(metrics)]
    rank = (~table["metric"].isin(prefer)).astype(int) * 2 + (~org_wide.reindex(table.index)).astype(int)
    table = table.assign(_rank=rank).sort_values(["_rank", "start", "name"], kind="stable").drop(columns="_rank")
    labels = [name if status in ("active", "done") else f"{name} ({status})"
              for name, status in zip(table["name"], table["status"], strict=True)]
    return table.assign(label=labels).reset_index(drop=True)
