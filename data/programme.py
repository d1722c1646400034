"""What programme leads do beyond editing tables: decide on ideas, handle complaints, log voice items, list what needs
attention (ideas stuck in review, open complaints, overdue tickets) and the choices the entry forms offer.

Every write is one audited `store.transaction(...)`; every read returns a DataFrame or a list; all SQL is parameterised.
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from data.formats import EARLIEST_YEAR
from data.schema import TABLES
from data.store import Store
from metrics.calc import known_courses
from metrics.registry import BUILTIN_KEYS, KNOWN_READINGS, REPORTABLE_KEYS

IDEA_STATUSES = ("submitted", "review", "approved", "implemented", "rejected")
# Where an idea came from: a workshop wall, a unit's own improvement list, or one person.
IDEA_SOURCES = ("workshop", "unit", "person")
# An idea in review longer than this is "stuck": the submitter has waited a month for an answer.
STUCK_IN_REVIEW_DAYS = 30

VOICE_KINDS = ("praise", "complaint", "assessment")
# The four steps of handling a complaint (domain.md, "Love complaints"), in order, each with the column of its date.
COMPLAINT_STEPS = {
    "thanked": "thanked_on",
    "info_gathered": "info_gathered_on",
    "apologised": "apologised_on",
    "help_committed": "help_committed_on",
}
RESOLVED = "resolved"
STEP_COLUMNS = {**COMPLAINT_STEPS, RESOLVED: "resolved_on"}
STEP_LABELS = {
    "thanked": "Thanked the person",
    "info_gathered": "Gathered more information",
    "apologised": "Apologised sincerely",
    "help_committed": "Asked how to help and committed to a fix",
    RESOLVED: "Resolved",
}

_IDEA_PREFIX = "IDEA-"
_VOICE_PREFIX = "V-"


class ProgrammeError(ValueError):
    """A write that cannot be made as asked; the message says why and what to do."""


# -- helpers ---------------------------------------------------------------------------------------------------------
def _as_date(value, what: str) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ProgrammeError(f'{what} must be a date YYYY-MM-DD (got "{value}")') from None


def _check_day(day: date, what: str, today: date, earliest: date | None = None, earliest_what: str = "") -> None:
    """A date of something that has happened: not before EARLIEST_YEAR, not after today, not before `earliest`."""
    if day.year < EARLIEST_YEAR:
        raise ProgrammeError(f"{what} {day.isoformat()} is before {EARLIEST_YEAR}; check the year")
    if day > today:
        raise ProgrammeError(f"{what} {day.isoformat()} is in the future; record it on or after the day it happens")
    if earliest is not None and day < earliest:
        raise ProgrammeError(f"{what} {day.isoformat()} is before {earliest_what} ({earliest.isoformat()})")


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _check_unit(store: Store, unit: str | None) -> None:
    if unit and not store.scalar("SELECT count(*) FROM units WHERE unit = ?", [unit]):
        raise ProgrammeError(f'unit "{unit}" is not stored; add it on the Units & people page first')


def _next_id(store: Store, table: str, column: str, prefix: str, width: int) -> str:
    spec = TABLES[table]
    number = store.scalar(
        f"SELECT coalesce(max(TRY_CAST(substr({column}, ?) AS BIGINT)), 0) + 1 FROM {spec.quoted_name} "
        f"WHERE starts_with({column}, ?)",
        [len(prefix) + 1, prefix],
    )
    return f"{prefix}{int(number):0{width}d}"


def _today(today: date | None) -> date:
    return today or date.today()


# -- choices for forms and grids -------------------------------------------------------------------------------------
def unit_names(store: Store) -> list[str]:
    return [r[0] for r in store.rows("SELECT unit FROM units ORDER BY unit")]


def courses(store: Store) -> list[str]:
    """Courses with sessions or a plan, and the all-staff course from settings."""
    return known_courses(store)


def registered_metrics(store: Store) -> list[str]:
    """Custom metric keys registered on the Metric registry page."""
    return [r[0] for r in store.rows("SELECT key FROM metric_registry ORDER BY key")]


def reading_metric_options(store: Store) -> list[str]:
    """Metrics a reading may be entered for: the known lagging keys, registered ones and any already read, and a
    reportable built-in (NPS from a survey vendor); never another built-in (the tracker computes those itself)."""
    keys = set(KNOWN_READINGS) | set(registered_metrics(store)) | set(REPORTABLE_KEYS)
    keys |= {r[0] for r in store.rows("SELECT DISTINCT metric FROM readings")}
    return sorted(keys - (BUILTIN_KEYS - REPORTABLE_KEYS))


def metric_options(store: Store) -> list[str]:
    """Metrics a target or an initiative may name, as the import rules allow: built-ins, registered metrics, and
    metrics with readings (built-ins first, in the registry's order)."""
    from metrics.registry import BUILTIN

    others = set(registered_metrics(store)) | {r[0] for r in store.rows("SELECT DISTINCT metric FROM readings")}
    return [d.key for d in BUILTIN] + sorted(others - BUILTIN_KEYS)


# -- tables for the grids --------------------------------------------------------------------------------------------
def training_sessions(store: Store, course: str | None = None) -> pd.DataFrame:
    """Training sessions, of one course when given, most recent first."""
    spec = TABLES["training"]
    return store.query(f"SELECT {spec.column_list} FROM training WHERE $course IS NULL OR course = $course "
                       "ORDER BY \"date\" DESC, unit, course", {"course": course})


def plan_rows(store: Store, course: str | None = None) -> pd.DataFrame:
    spec = TABLES["plan"]
    return store.query(f"SELECT {spec.column_list} FROM plan WHERE $course IS NULL OR course = $course "
                       "ORDER BY course, unit, \"month\"", {"course": course})


def ticket_months(store: Store) -> list[str]:
    """Months ('YYYY-MM') in which tickets were opened, latest first."""
    return [r[0] for r in store.rows("SELECT DISTINCT strftime(opened_at, '%Y-%m') AS m FROM tickets ORDER BY m DESC")]


def tickets(store: Store, first_month: str | None = None, last_month: str | None = None) -> pd.DataFrame:
    """Tickets opened from first_month to last_month ('YYYY-MM', inclusive; None = open-ended), latest first."""
    spec = TABLES["tickets"]
    return store.query(
        f"SELECT {spec.column_list} FROM tickets "
        "WHERE ($first IS NULL OR strftime(opened_at, '%Y-%m') >= $first) "
        "AND ($last IS NULL OR strftime(opened_at, '%Y-%m') <= $last) ORDER BY opened_at DESC, ticket_id",
        {"first": first_month, "last": last_month})


def overdue_tickets(store: Store, now: datetime | None = None) -> pd.DataFrame:
    """Open tickets (closed_at empty) whose promised time has passed, most overdue first, with days_overdue."""
    now = now or datetime.now()
    return store.query(
        "SELECT ticket_id, unit, opened_at, promised_by, "
        "  round(date_diff('minute', promised_by, CAST($now AS TIMESTAMP)) / 1440.0, 1) AS days_overdue "
        "FROM tickets WHERE closed_at IS NULL AND promised_by < CAST($now AS TIMESTAMP) "
        "ORDER BY promised_by, ticket_id", {"now": now})


# -- ideas -----------------------------------------------------------------------------------------------------------
def ideas(store: Store, unit: str | None = None, source: str | None = None, search: str | None = None,
          today: date | None = None) -> pd.DataFrame:
    """Ideas with age_days (since submitted) and days_in_status (since the last decision, else since submitted),
    filtered by unit, source and a search text (in title, id, submitter, source reference and feedback)."""
    search = _text(search)
    return store.query(
        "SELECT idea_id, title, unit, submitted_on, status, implemented_on, source, source_ref, submitter, feedback, "
        "  status_changed_on, date_diff('day', submitted_on, CAST($today AS DATE)) AS age_days, "
        "  date_diff('day', coalesce(status_changed_on, submitted_on), CAST($today AS DATE)) AS days_in_status "
        "FROM ideas "
        "WHERE ($unit IS NULL OR unit = $unit) AND ($source IS NULL OR source = $source) "
        "AND ($search IS NULL OR contains(lower(concat_ws(' ', idea_id, title, submitter, source_ref, feedback)), "
        "     lower($search))) "
        "ORDER BY coalesce(status_changed_on, submitted_on) DESC NULLS LAST, idea_id DESC",
        {"unit": unit or None, "source": source or None, "search": search, "today": _today(today)})


def idea_sources(store: Store) -> list[str]:
    """Sources the stored ideas name, for the filter (the standard ones first)."""
    stored = {r[0] for r in store.rows("SELECT DISTINCT source FROM ideas WHERE source IS NOT NULL")}
    return [s for s in IDEA_SOURCES if s in stored] + sorted(stored - set(IDEA_SOURCES))


def stuck_in_review(store: Store, today: date | None = None, days: int = STUCK_IN_REVIEW_DAYS) -> int:
    """Ideas in review for more than `days` days: since their last status change, else since they were submitted.
    Ideas with neither date cannot be aged and are not counted."""
    return int(store.scalar(
        "SELECT count(*) FROM ideas WHERE status = 'review' "
        "AND date_diff('day', coalesce(status_changed_on, submitted_on), CAST(? AS DATE)) > ?",
        [_today(today), days]))


def decide_idea(store: Store, idea_id: str, status: str, on: date | None, feedback: str | None,
                today: date | None = None) -> None:
    """Move an idea to `status` on the day `on`, storing the feedback message to its submitter with the decision.

    Sets status_changed_on to `on`; implemented sets implemented_on to `on` too (and requires it); any other status
    clears implemented_on. `on` defaults to today except for implemented. The audit log keeps every decision's
    feedback (before and after)."""
    today = _today(today)
    if status not in IDEA_STATUSES:
        raise ProgrammeError(f'status must be one of {", ".join(IDEA_STATUSES)} (got "{status}")')
    day = _as_date(on, "the decision date")
    if day is None:
        if status == "implemented":
            raise ProgrammeError("an implemented idea needs the date it was implemented on")
        day = today
    with store.transaction("decide-idea", f"{idea_id}: {status}") as tx:
        row = tx.cursor.execute("SELECT submitted_on FROM ideas WHERE idea_id = ?", [idea_id]).fetchone()
        if row is None:
            raise ProgrammeError(f'there is no idea "{idea_id}"')
        _check_day(day, "the decision date", today, row[0], "the day the idea was submitted")
        tx.upsert("ideas", pd.DataFrame({
            "idea_id": [idea_id], "status": [status],
            "implemented_on": [day if status == "implemented" else None],
            "feedback": [_text(feedback)], "status_changed_on": [day],
        }))


def add_idea(store: Store, title: str, unit: str | None = None, submitted_on: date | None = None,
             source: str | None = None, source_ref: str | None = None, submitter: str | None = None,
             today: date | None = None) -> str:
    """Record a new idea (status submitted) and return its id (IDEA-nnnn)."""
    today = _today(today)
    title = _text(title)
    if not title:
        raise ProgrammeError("an idea needs a title")
    source = _text(source)
    if source and source not in IDEA_SOURCES:
        raise ProgrammeError(f'source must be one of {", ".join(IDEA_SOURCES)} (got "{source}")')
    day = _as_date(submitted_on, "the submission date") or today
    _check_day(day, "the submission date", today)
    unit = _text(unit)
    _check_unit(store, unit)
    with store.transaction("add-idea", title) as tx:
        idea_id = _next_id(store, "ideas", "idea_id", _IDEA_PREFIX, 4)
        tx.upsert("ideas", pd.DataFrame({
            "idea_id": [idea_id], "title": [title], "unit": [unit], "submitted_on": [day], "status": ["submitted"],
            "implemented_on": [None], "source": [source], "source_ref": [_text(source_ref)],
            "submitter": [_text(submitter)], "feedback": [None], "status_changed_on": [day],
        }))
    return idea_id


# -- customer voice --------------------------------------------------------------------------------------------------
def complaints(store: Store, state: str | None = None, search: str | None = None) -> pd.DataFrame:
    """Complaints with their handling dates and steps_done (0-4), latest first. state: 'open' (not resolved),
    'handled' (resolved) or None for all."""
    if state not in (None, "open", "handled"):
        raise ValueError(f"state must be 'open', 'handled' or None (got {state!r})")
    steps = " + ".join(f"CAST({c} IS NOT NULL AS INTEGER)" for c in COMPLAINT_STEPS.values())
    return store.query(
        f"SELECT item_id, \"date\", unit, channel, text, {', '.join(STEP_COLUMNS.values())}, {steps} AS steps_done "
        "FROM voice WHERE kind = 'complaint' "
        "AND ($state IS NULL OR ($state = 'open') = (resolved_on IS NULL)) "
        "AND ($search IS NULL OR contains(lower(concat_ws(' ', item_id, text, unit, channel)), lower($search))) "
        "ORDER BY \"date\" DESC, item_id DESC",
        {"state": state, "search": _text(search)})


def complaint_counts(store: Store) -> dict[str, int]:
    """How many complaints are open (not resolved) and handled (resolved)."""
    row = store.rows(
        "SELECT count(*) FILTER (resolved_on IS NULL), count(*) FILTER (resolved_on IS NOT NULL) "
        "FROM voice WHERE kind = 'complaint'")[0]
    return {"open": int(row[0]), "handled": int(row[1])}


def record_complaint_steps(store: Store, item_id: str, steps: dict[str, date | None],
                           today: date | None = None) -> None:
    """Set (a date) or clear (None) several handling steps of one complaint in one write. Steps are the keys of
    STEP_COLUMNS; a date may not be before the complaint was received, nor in the future."""
    today = _today(today)
    unknown = [s for s in steps if s not in STEP_COLUMNS]
    if unknown:
        raise ProgrammeError(f'unknown step "{unknown[0]}"; the steps are {", ".join(STEP_COLUMNS)}')
    days = {step: _as_date(on, STEP_LABELS[step].lower()) for step, on in steps.items()}
    with store.transaction("complaint-step", f"{item_id}: {', '.join(steps)}") as tx:
        row = tx.cursor.execute("SELECT kind, \"date\" FROM voice WHERE item_id = ?", [item_id]).fetchone()
        if row is None:
            raise ProgrammeError(f'there is no voice item "{item_id}"')
        if row[0] != "complaint":
            raise ProgrammeError(f'{item_id} is {row[0]}, not a complaint; only complaints have handling steps')
        for step, day in days.items():
            if day is not None:
                _check_day(day, f'"{STEP_LABELS[step]}"', today, row[1], "the day the complaint came in")
        tx.upsert("voice", pd.DataFrame({"item_id": [item_id], **{STEP_COLUMNS[s]: [d] for s, d in days.items()}}))


def record_complaint_step(store: Store, item_id: str, step: str, on: date | None, today: date | None = None) -> None:
    """Tick one handling step (thanked, info_gathered, apologised, help_committed, resolved) with its date, or clear it
    with on=None."""
    record_complaint_steps(store, item_id, {step: on}, today=today)


def add_voice_item(store: Store, kind: str, on: date | None, text: str | None, unit: str | None = None,
                   channel: str | None = None, today: date | None = None) -> str:
    """Log praise, a complaint or an open assessment; returns its id (V-nnnnn)."""
    today = _today(today)
    if kind not in VOICE_KINDS:
        raise ProgrammeError(f'kind must be one of {", ".join(VOICE_KINDS)} (got "{kind}")')
    text = _text(text)
    if not text:
        raise ProgrammeError(f"write what the customer said: the {kind} has no text")
    day = _as_date(on, "the date") or today
    _check_day(day, "the date", today)
    unit = _text(unit)
    _check_unit(store, unit)
    with store.transaction("add-voice", kind) as tx:
        item_id = _next_id(store, "voice", "item_id", _VOICE_PREFIX, 5)
        tx.upsert("voice", pd.DataFrame({"item_id": [item_id], "date": [day], "unit": [unit], "kind": [kind],
                                         "text": [text], "channel": [_text(channel)]}))
    return item_id


def assessment_months(store: Store) -> list[str]:
    """Months ('YYYY-MM') with open assessments, latest first."""
    return [r[0] for r in store.rows(
        "SELECT DISTINCT strftime(\"date\", '%Y-%m') AS m FROM voice WHERE kind = 'assessment' ORDER BY m DESC")]


def assessments(store: Store, search: str | None = None, month: str | None = None) -> pd.DataFrame:
    """Open assessments, latest first, with their month ('YYYY-MM'); search matches any part of the text (capitals
    ignored), the unit or the channel."""
    search = _text(search)
    return store.query(
        "SELECT strftime(\"date\", '%Y-%m') AS month, item_id, \"date\", unit, channel, text FROM voice "
        "WHERE kind = 'assessment' AND ($month IS NULL OR strftime(\"date\", '%Y-%m') = $month) "
        "AND ($search IS NULL OR contains(lower(concat_ws(' ', text, unit, channel)), lower($search))) "
        "ORDER BY \"date\" DESC, item_id DESC",
        {"search": search, "month": month or None})


def voice_by_month(store: Store) -> pd.DataFrame:
    """Counts of praise, complaints and assessments by month ('YYYY-MM')."""
    return store.query(
        "SELECT strftime(\"date\", '%Y-%m') AS month, count(*) FILTER (kind = 'praise') AS praise, "
        "count(*) FILTER (kind = 'complaint') AS complaints, count(*) FILTER (kind = 'assessment') AS assessments "
        "FROM voice GROUP BY ALL ORDER BY month")


def praise(store: Store, limit: int = 200) -> pd.DataFrame:
    """The latest praise."""
    return store.query("SELECT item_id, \"date\", unit, channel, text FROM voice WHERE kind = 'praise' "
                       "ORDER BY \"date\" DESC, item_id DESC LIMIT ?", [limit])



# -- desired actions (the Nokia Siemens Networks practice) ------------------------------------------------------------
# How an action asked for at one month's assessment turned out, as the next month's assessment reads it.
ACTION_OUTCOMES = ("done on time", "done late", "not done", "declined")


def action_months(store: Store) -> list[str]:
    """Assessment months ('YYYY-MM') with desired actions, latest first."""
    return [r[0] for r in store.rows(
        "SELECT DISTINCT strftime(month, '%Y-%m') AS m FROM desired_actions ORDER BY m DESC")]


def desired_actions(store: Store, month: str | None = None) -> pd.DataFrame:
    """The desired actions asked for in a month ('YYYY-MM'; None = every month), as stored, by customer."""
    spec = TABLES["desired_actions"]
    return store.query(
        f"SELECT {spec.column_list} FROM desired_actions "
        "WHERE $month IS NULL OR strftime(month, '%Y-%m') = $month ORDER BY month DESC, customer, action_id",
        {"month": month})


def action_review(store: Store, asked_in: str) -> pd.DataFrame:
    """What became of the actions asked for at the assessment of `asked_in` ('YYYY-MM'): customer, action, unit, due,
    done_on and outcome (one of ACTION_OUTCOMES), by customer."""
    return store.query(
        "SELECT action_id, customer, action, unit, due, done_on, "
        "  CASE WHEN status = 'done' AND done_on <= due THEN 'done on time' WHEN status = 'done' THEN 'done late' "
        "       ELSE status END AS outcome "
        "FROM desired_actions WHERE strftime(month, '%Y-%m') = $month ORDER BY customer, action_id",
        {"month": asked_in})


def outcome_counts(review: pd.DataFrame) -> dict[str, int]:
    """How many of a review's actions ended in each outcome, in ACTION_OUTCOMES order."""
    return {outcome: int((review["outcome"] == outcome).sum()) for outcome in ACTION_OUTCOMES}
