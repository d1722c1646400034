"""The programme workbook's import formats as data: each file's columns, the rule every cell follows, and the key."""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from metrics.registry import AGGREGATIONS, BUILTIN, BUILTIN_KEYS, REPORTABLE_KEYS
from metrics.registry import UNITS as MEASURE_UNITS

# Where a customer's desired action stands: done (with the day), not done (yet, or at all), or declined (with the
# customer told why).
ACTION_STATUSES = ("not done", "done", "declined")
# DuckDB INTEGER is 32-bit; nine digits always fit, so a count never fails at write time after passing here.
MAX_COUNT_DIGITS = 9
MAX_SCORE = 10
# Metric keys the tracker computes; a reading under one of these names would shadow the real figure.
RESERVED_METRIC_KEYS = BUILTIN_KEYS
# No service programme this tracker keeps predates 1990; an earlier year is a typing slip (1924 for 2024).
EARLIEST_YEAR = 1990
# Plans and targets look ahead, but not by decades: a later year is a slip too (2062 for 2026).
PLANNING_HORIZON_YEARS = 20
# Metric keys are how readings, targets and initiatives meet the registry: lower-case words joined by underscores.
_METRIC_KEY = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*", re.ASCII)

# A month; a first-of-month date is accepted too, so exported tables (months stored as dates) re-import as they are.
_MONTH = re.compile(r"(\d{4})-(\d{2})(?:-01)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?", re.ASCII)
_COUNT = re.compile(rf"\d{{1,{MAX_COUNT_DIGITS}}}", re.ASCII)
# Plain decimal notation only: float() alone would also take "nan", "inf" and "1_000".
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


class Unfit(ValueError):
    """A cell that does not fit its rule, with a reason of its own instead of the rule's generic 'must be ...'."""


@dataclass(frozen=True)
class Rule:
    """How one kind of cell is read: what it must look like (for messages) and how its text becomes the stored value."""

    expects: str  # completes "must be ..."
    parse: Callable[[str], object]  # raises ValueError (or Unfit with its own reason) when the text does not fit
    names_unit: bool = False  # the value must be a unit stored or imported in the same run
    names_metric: bool = False  # the value must be a built-in metric or a reading stored or imported in the same run
    names_person: bool = False  # a person id: hashed on import where the organisation wants it (data/roster.py)


def _text(text: str) -> str:
    return text


def _end_of_this_month() -> date:
    today = date.today()
    return (date(today.year + today.month // 12, today.month % 12 + 1, 1)) - timedelta(days=1)


def _within_years(day: date, text: str, latest: date) -> None:
    """Refuse a year that is surely a typing slip, before it stretches every month-by-month chart to it."""
    if day.year < EARLIEST_YEAR:
        raise Unfit(f'"{text}" is before {EARLIEST_YEAR}; check the year')
    if day > latest:
        raise Unfit(f'"{text}" is after {latest.isoformat()}; check the year')


def _real_day(build: Callable[[], date], text: str, form: str) -> date:
    try:
        return build()
    except ValueError:  # 2024-02-30, 2024-13: the right shape, but no such day or month
        raise Unfit(f'must be {form} that exists on the calendar (got "{text}")') from None


def _parse_month(text: str) -> date:
    match = _MONTH.fullmatch(text)
    if not match:
        raise ValueError(text)
    return _real_day(lambda: date(int(match[1]), int(match[2]), 1), text, "a month YYYY-MM")


def _parse_date(text: str) -> date:
    if not _DATE.fullmatch(text):
        raise ValueError(text)
    return _real_day(lambda: date.fromisoformat(text), text, "a date YYYY-MM-DD")


def _parse_datetime(text: str) -> datetime:
    if not _DATETIME.fullmatch(text):
        raise ValueError(text)
    return _real_day(lambda: datetime.fromisoformat(text), text, "a date YYYY-MM-DD or a date-time")


def _happened(parse: Callable[[str], date]) -> Callable[[str], date]:
    """A record of something that happened: no later than the end of this month."""
    def checked(text: str) -> date:
        value = parse(text)
        _within_years(_day(value), text, _end_of_this_month())
        return value
    return checked


def _planned(parse: Callable[[str], date]) -> Callable[[str], date]:
    """A plan, target or initiative date: it may lie ahead, within the planning horizon."""
    def checked(text: str) -> date:
        value = parse(text)
        today = date.today()
        _within_years(_day(value), text, today.replace(year=today.year + PLANNING_HORIZON_YEARS, day=1))
        return value
    return checked


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _count(text: str) -> int:
    if not _COUNT.fullmatch(text):
        raise ValueError(text)
    return int(text)


def _number(text: str) -> float:
    if not _NUMBER.fullmatch(text) or not math.isfinite(value := float(text)):
        raise ValueError(text)
    return value


def _share(text: str) -> float:
    value = _number(text.rstrip("%"))
    if text.endswith("%") or not 0 <= value <= 1:
        raise Unfit(f'must be a share from 0 to 1, e.g. 0.75 for 75% (got "{text}")')
    return value


def _positive(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise Unfit(f'must be a number of hours above 0 (got "{text}")')
    return value


def _score(text: str) -> int:
    value = _count(text)
    if value > MAX_SCORE:
        raise ValueError(text)
    return value


def _metric_key(text: str) -> str:
    if not _METRIC_KEY.fullmatch(text):
        raise Unfit(f'"{text}" is not a metric key: use lower-case words joined by underscores, '
                    "e.g. customer_satisfaction")
    return text


def _reading_metric(text: str) -> str:
    # Compared without capitals: "NPS" beside the computed "nps" would be two figures users read as one.
    if text.lower() in RESERVED_METRIC_KEYS:
        raise Unfit(f'"{text}" is a built-in metric the tracker computes itself; a registered metric needs a name '
                    "of its own")
    return _metric_key(text)


def _reported_metric(text: str) -> str:
    """A readings row's metric: any metric the tracker does not compute, or a reportable built-in (NPS from a
    survey vendor) standing in for months without responses."""
    builtin = next((d for d in BUILTIN if d.key == text.lower()), None)
    if builtin is None:
        return _metric_key(text)
    if builtin.reportable:
        return builtin.key
    raise Unfit(f'"{text}" is computed by the tracker from {builtin.computed_from}: import those records instead. '
                "Readings are for metrics the tracker does not compute (satisfaction, revenue, rating...) and for "
                f"a monthly {', '.join(sorted(REPORTABLE_KEYS))} reported by a survey vendor")


def choice(*allowed: str) -> Rule:
    """One of a fixed set of words; capitals are forgiven (spreadsheets capitalise), the stored word is lower-case."""
    def parse(text: str) -> str:
        if text.lower() not in allowed:
            raise ValueError(text)
        return text.lower()
    return Rule(f"one of {', '.join(allowed)}", parse)


TEXT = Rule("text", _text)
UNIT = Rule("the name of a unit", _text, names_unit=True)
MONTH = Rule("a month YYYY-MM", _happened(_parse_month))
DATE = Rule("a date YYYY-MM-DD", _happened(_parse_date))
DATETIME = Rule("a date YYYY-MM-DD or a date-time YYYY-MM-DD HH:MM[:SS]", _happened(_parse_datetime))
PLAN_MONTH = Rule("a month YYYY-MM", _planned(_parse_month))
PLAN_DATE = Rule("a date YYYY-MM-DD", _planned(_parse_date))
COUNT = Rule("a whole number >= 0", _count)
SHARE = Rule("a share from 0 to 1", _share)
NUMBER = Rule("a number", _number)
SCORE = Rule(f"a whole number from 0 to {MAX_SCORE}", _score)
HOURS = Rule("a number of hours above 0", _positive)
# A person is named by an id from the HR system, never by name (data/roster.py may hash it on import).
PERSON = Rule("a person id", _text, names_person=True)
METRIC = Rule("a metric key", _metric_key, names_metric=True)
READING_METRIC = Rule("a metric key that is not built in", _reading_metric)
REPORTED_METRIC = Rule("a metric key that the tracker does not compute (nps may be reported)", _reported_metric)


@dataclass(frozen=True)
class Column:
    name: str
    rule: Rule
    key: bool = False
    optional: bool = False  # the cell may be empty (stored as NULL)
    # A unit where empty means the whole organisation: the column may be left out, and empty is stored as ''
    # (most are key columns, which cannot hold NULL). Any other column must be present, or re-importing a file
    # without it would overwrite what is stored there with nothing.
    whole_org: bool = False
    # Kept by the tracker beside the file format (feedback, complaint handling...): an export carries it so the
    # export re-imports; a file may leave it out, and then the stored values stay as they are.
    kept: bool = False

    @property
    def empty_value(self) -> str | None:
        return "" if self.whole_org else None


@dataclass(frozen=True)
class FileFormat:
    stem: str
    columns: tuple[Column, ...]
    # (later, earlier): when both cells are filled, the later one may not be before the earlier one.
    not_before: tuple[tuple[str, str], ...] = ()
    # (column, other, value): the column is filled exactly when the other column holds that value.
    filled_iff: tuple[tuple[str, str, str], ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.key)


def key(name: str, rule: Rule) -> Column:
    return Column(name, rule, key=True)


def col(name: str, rule: Rule, optional: bool = False) -> Column:
    return Column(name, rule, optional=optional)


def kept(name: str, rule: Rule) -> Column:
    return Column(name, rule, optional=True, kept=True)


def org_unit(is_key: bool = True) -> Column:
    return Column("unit", UNIT, key=is_key, optional=True, whole_org=True)


def _formats(*formats: FileFormat) -> dict[str, FileFormat]:
    return {f.stem: f for f in formats}


# In dependency order: units first, since every other file names units.
FORMATS: dict[str, FileFormat] = _formats(
    FileFormat("units", (key("unit", TEXT), col("function", choice("frontline", "internal", "leadership")),
                         col("parent", UNIT, optional=True))),
    FileFormat("headcount", (key("month", MONTH), key("unit", UNIT), col("headcount", COUNT), col("leavers", COUNT))),
    FileFormat("roster", (key("person_id", PERSON), key("unit", UNIT), key("start", DATE),
                          col("end", DATE, optional=True), col("end_reason", choice("moved", "left"), optional=True)),
               not_before=(("end", "start"),)),
    FileFormat("training", (key("date", DATE), key("unit", UNIT), key("course", TEXT), col("completed", COUNT))),
    # Completions that name people (an LMS report): a file or sheet called training with a person_id column is this.
    FileFormat("training_people", (key("date", DATE), key("person_id", PERSON), key("course", TEXT))),
    FileFormat("plan", (key("month", PLAN_MONTH), key("course", TEXT), col("planned_coverage", SHARE),
                        org_unit())),
    FileFormat("ideas", (key("idea_id", TEXT), col("title", TEXT), col("unit", UNIT, optional=True),
                         col("submitted_on", DATE, optional=True),
                         col("status", choice("submitted", "review", "approved", "implemented", "rejected")),
                         col("implemented_on", DATE, optional=True),
                         kept("source", TEXT), kept("source_ref", TEXT), kept("submitter", TEXT),
                         kept("feedback", TEXT), kept("status_changed_on", DATE)),
               not_before=(("implemented_on", "submitted_on"),),
               filled_iff=(("implemented_on", "status", "implemented"),)),
    FileFormat("voice", (key("item_id", TEXT), col("date", DATE), col("unit", UNIT, optional=True),
                         col("kind", choice("praise", "complaint", "assessment")), col("text", TEXT, optional=True),
                         col("channel", TEXT, optional=True),
                         kept("thanked_on", DATE), kept("info_gathered_on", DATE), kept("apologised_on", DATE),
                         kept("help_committed_on", DATE), kept("resolved_on", DATE))),
    FileFormat("desired_actions", (key("action_id", TEXT), col("month", MONTH), col("customer", TEXT),
                                   col("unit", UNIT, optional=True), col("action", TEXT), col("due", PLAN_DATE),
                                   col("status", choice(*ACTION_STATUSES)), col("done_on", DATE, optional=True)),
               not_before=(("due", "month"), ("done_on", "month")),
               filled_iff=(("done_on", "status", "done"),)),
    FileFormat("tickets", (key("ticket_id", TEXT), col("unit", UNIT, optional=True), col("opened_at", DATETIME),
                           col("promised_by", DATETIME), col("closed_at", DATETIME, optional=True)),
               not_before=(("promised_by", "opened_at"), ("closed_at", "opened_at"))),
    # The hours a service desk promises per ticket priority; a mapped ticket export computes promised_by from them.
    FileFormat("promise_hours", (key("priority", TEXT), col("hours", HOURS))),
    FileFormat("survey", (key("response_id", TEXT), col("date", DATE), org_unit(is_key=False),
                          col("score", SCORE))),
    FileFormat("metric_registry", (key("key", READING_METRIC), col("label", TEXT),
                                   col("kind", choice("leading", "lagging")), col("unit", choice(*MEASURE_UNITS)),
                                   col("direction", choice("up", "down")),
                                   col("aggregation", choice(*AGGREGATIONS)), col("description", TEXT, optional=True),
                                   col("measure", TEXT, optional=True))),
    FileFormat("readings", (key("month", MONTH), key("metric", REPORTED_METRIC), col("value", NUMBER),
                            org_unit())),
    FileFormat("targets", (key("metric", METRIC), key("by", PLAN_MONTH), col("value", NUMBER),
                           org_unit())),
    FileFormat("process_changes", (key("metric", METRIC), key("month", MONTH), org_unit(), col("reason", TEXT))),
    FileFormat("initiatives", (key("name", TEXT), col("owner", TEXT, optional=True),
                               col("start", PLAN_DATE, optional=True), col("end", PLAN_DATE, optional=True),
                               col("status", choice("planned", "active", "done", "dropped")),
                               col("unit", UNIT, optional=True), col("metric", METRIC, optional=True),
                               kept("expected_effect", TEXT), kept("expected_lag_months", COUNT)),
               not_before=(("end", "start"),)),
)
