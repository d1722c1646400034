"""The mapping step's first guess: which column is which (by name and by content) and which value means what."""
from __future__ import annotations

import difflib
import re
from datetime import datetime

from data import formats
from data.mapping import (
    HISTORY_TARGET,
    TARGETS,
    Export,
    ExportMapping,
    Field,
    choices_of,
    date_kind,
    score_from_label,
    target_fields,
)
from data.store import Store

# What exports call each tracker field (lower case, spaces): a service desk, a survey tool, an HR system, an LMS.
SYNONYMS = {
    "ticket_id": ["number", "key", "issue key", "ticket id", "ticket", "incident", "case number", "id"],
    "unit": ["assignment group", "group", "department", "team", "unit", "organisation", "organization",
             "supervisory organization", "business unit", "org unit", "division"],
    "opened_at": ["opened", "created", "created at", "opened at", "submitted", "reported", "open date"],
    "promised_by": ["sla due", "due", "due date", "promised", "promised by", "resolve by", "target date"],
    "closed_at": ["resolved", "closed", "resolution date", "solved", "closed at", "resolved at"],
    "status": ["state", "status", "employment status", "ticket status", "event", "business process"],
    "response_id": ["responseid", "response id", "respondent id", "response", "id"],
    "date": ["recordeddate", "recorded date", "end date", "date", "time completed", "completion date",
             "completed on", "date completed", "submitted at"],
    "score": ["nps", "likelihood to recommend", "recommend", "how likely", "score", "rating", "q1"],
    "person_id": ["employee id", "employee #", "employee number", "worker id", "person id", "user id",
                  "id number", "idnumber", "staff id", "employee_id"],
    "start": ["hire date", "start date", "start", "joined"],
    "end": ["termination date", "end date", "end", "leaving date"],
    "end_reason": ["termination type", "termination reason", "end reason", "reason"],
    "effective": ["effective date", "date", "effective", "event date"],
    "course": ["course", "course name", "course full name", "course title", "learning item", "training",
               "training title"],
    "month": ["month", "period"],
    "headcount": ["headcount", "staff", "fte", "employees"],
    "leavers": ["leavers", "terminations", "exits"],
    "completed": ["completed", "completions", "trained", "count"],
}
# Words exports use for the tracker's choices; a field takes the first of its own choices a word names.
VALUE_WORDS = {
    "closed": ["resolved", "closed", "solved", "done", "complete", "completed", "cancelled", "canceled"],
    "open": ["new", "open", "in progress", "on hold", "pending", "waiting", "reopened", "assigned", "active",
             "work in progress", "awaiting info"],
    "in post": ["active", "hire", "hired", "rehire", "re-hire", "full-time", "full time", "part-time", "part time",
                "contractor", "employed", "transfer", "change job", "promotion", "leave of absence", "in post"],
    "left": ["terminated", "termination", "terminate", "inactive", "left", "leaver", "resigned", "retired",
             "voluntary", "involuntary", "resignation", "retirement", "dismissal", "end of contract"],
    "moved": ["transfer", "moved", "move", "internal move", "change job"],
    "praise": ["compliment", "praise", "kudos", "positive"],
    "complaint": ["complaint", "negative", "grievance"],
    "assessment": ["assessment", "feedback", "comment", "suggestion"],
    "implemented": ["implemented", "done", "live", "in practice"],
    "rejected": ["rejected", "declined", "won't do"],
    "approved": ["approved", "accepted"],
    "review": ["review", "in review", "under review", "evaluating"],
    "submitted": ["submitted", "new", "proposed"],
}
# strptime forms exports write dates in, tried in this order (ISO first; day-first before month-first, and a value
# past the 12th decides between them).
DATE_FORMATS = [
    "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z", "%d/%m/%Y", "%m/%d/%Y",
    "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%A, %d %B %Y, %I:%M %p", "%d %B %Y", "%d %b %Y",
    "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%Y/%m/%d", "%Y-%m",
]
SAMPLE = 200  # cells looked at per column: enough to tell dates from numbers, quick on a large export
MAX_EXTRA_HEADER_ROWS = 3
NAME_WEIGHT = 2.0  # a column named like the field outweighs one whose content merely fits
# Below this a field stays unmapped for the lead to choose: content alone (any date column fits a date field) is not
# enough, except unit names the tracker has seen before (UNIT_EVIDENCE), which no other column holds.
MIN_SCORE = 1.2
UNIT_EVIDENCE = 1.5
CLOSE_NAME, FUZZY_WEIGHT = 0.75, 0.6  # a header this close to a field's name (difflib ratio) half-names it
CLOSE_UNIT = 0.6  # difflib ratio for suggesting a stored unit for an export's unit name
_WORD = re.compile(r"[^a-z0-9#]+")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def _norm(text: str) -> str:
    return _WORD.sub(" ", text.lower()).strip()


def _sample(values: list[str]) -> list[str]:
    return [v.strip() for v in values if v.strip()][:SAMPLE]


def date_form(values: list[str]) -> str | None:
    """The first form that reads every sampled value ('' for plain ISO the import reads itself), or None."""
    sample = _sample(values)
    if not sample:
        return None
    for form in DATE_FORMATS:
        if all(_reads(v, form) for v in sample):
            return "" if form in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m") else form
    return None


def _reads(text: str, form: str) -> bool:
    try:
        datetime.strptime(text, form)
    except ValueError:
        return False
    return True


def _name_score(field: str, header: str) -> float:
    name = _norm(header)
    words = [_norm(w) for w in SYNONYMS.get(field, [])] + [_norm(field)]
    if name in words:
        return 1.0
    if any(w and (f" {w} " in f" {name} ") for w in words if len(w) > 2):
        return 0.7
    ratio = max((difflib.SequenceMatcher(None, name, w).ratio() for w in words), default=0)
    return ratio * FUZZY_WEIGHT if ratio >= CLOSE_NAME else 0.0


def _content_score(column: formats.Column, values: list[str], units: list[str]) -> float:
    sample = _sample(values)
    if not sample:
        return 0.0
    if date_kind(column):
        return 1.0 if date_form(sample) is not None else 0.0
    if column.name == "score":
        return sum(score_from_label(v) is not None for v in sample) / len(sample)
    if column.rule.names_unit:
        lowered = {u.lower() for u in units}
        return UNIT_EVIDENCE * sum(v.lower() in lowered for v in sample) / len(sample)
    if column.rule in (formats.COUNT, formats.NUMBER):
        return sum(bool(_NUMBER.fullmatch(v)) for v in sample) / len(sample)
    if (allowed := choices_of(column)) is not None:
        return sum(_choice_of(v, allowed) is not None for v in sample) / len(sample)
    return 0.0


def _choice_of(text: str, allowed: tuple[str, ...]) -> str | None:
    word = text.strip().lower()
    if word in allowed:
        return word
    return next((choice for choice in allowed if word in VALUE_WORDS.get(choice, ())), None)


def guess_target(export: Export) -> str:
    """The tracker table whose required fields the export's column names cover best."""
    def cover(target: str) -> float:
        required = [c for c in target_fields(target) if not (c.optional or c.whole_org)]
        return sum(max((_name_score(c.name, h) for h in export.header), default=0) for c in required) / len(required)
    return max(TARGETS, key=cover)


def extra_header_rows(export: Export) -> int:
    """Rows under the header that are more header (a survey tool's question text and import ids): rows whose cell is
    text where the last record has a number or a date."""
    if len(export.rows) < MAX_EXTRA_HEADER_ROWS + 2:
        return 0
    last = export.rows[-1]
    typed = [i for i, cell in enumerate(last) if cell.strip() and (_NUMBER.fullmatch(cell.strip())
                                                                   or date_form([cell]) is not None)]
    skip = 0
    for row in export.rows[1:1 + MAX_EXTRA_HEADER_ROWS]:
        cells = [row[i].strip() if i < len(row) else "" for i in typed]
        if cells and any(cells) and not any(_NUMBER.fullmatch(c) or date_form([c]) is not None for c in cells if c):
            skip += 1
        else:
            break
    return skip


def _assign(export: Export, target: str, skip: int, units: list[str]) -> dict[str, str]:
    """Each field's best column, each column used once, best pairs first."""
    pairs = []
    for column in target_fields(target):
        for header in export.header:
            if not header.strip():
                continue
            score = NAME_WEIGHT * _name_score(column.name, header) + _content_score(
                column, export.column(header, skip), units)
            pairs.append((score, column.name, header))
    chosen: dict[str, str] = {}
    for score, name, header in sorted(pairs, key=lambda p: -p[0]):
        if score >= MIN_SCORE and name not in chosen and header not in chosen.values():
            chosen[name] = header
    return chosen


def propose_values(column: formats.Column, values: list[str], units: list[str]) -> dict[str, str]:
    """For each distinct value that is not already the tracker's own, the tracker's value it most likely means."""
    distinct = sorted({v.strip() for v in values if v.strip()})
    proposed = {}
    allowed = choices_of(column)
    by_lower = {u.lower(): u for u in units}
    for value in distinct:
        if allowed is not None:
            guess = _choice_of(value, allowed)
            if guess and guess != value:
                proposed[value] = guess
        elif column.name == "score" and not value.isdigit():
            if (guess := score_from_label(value)) is not None:
                proposed[value] = guess
        elif column.rule.names_unit and value not in units:
            close = by_lower.get(value.lower()) or next(iter(difflib.get_close_matches(value, units, 1, CLOSE_UNIT)),
                                                        None)
            if close:
                proposed[value] = close
    return proposed


def propose(store: Store, export: Export, target: str | None = None, name: str = "") -> ExportMapping:
    """A first mapping of the export onto `target` (guessed when not given) for the lead to confirm or correct."""
    target = target or guess_target(export)
    skip = extra_header_rows(export)
    units = [r[0] for r in store.rows("SELECT unit FROM units ORDER BY unit")]
    mapping = ExportMapping(name or _default_name(export), target, extra_header_rows=skip)
    columns = {c.name: c for c in target_fields(target)}
    for field_name, header in _assign(export, target, skip, units).items():
        column, values = columns[field_name], export.column(header, skip)
        form = date_form(values) if date_kind(column) else ""
        mapping.fields[field_name] = Field(header, date_format=form or "",
                                           values=propose_values(column, values, units))
    if target == "tickets" and "promised_by" not in mapping.fields:
        mapping.promise_from = next((h for h in export.header if _norm(h) in ("priority", "urgency", "severity")), "")
    return mapping


def _default_name(export: Export) -> str:
    stem = export.name.rsplit(".", 1)[0]
    return re.sub(r"[\d_-]+$", "", stem).strip(" _-") or stem


__all__ = ["HISTORY_TARGET", "propose", "guess_target", "extra_header_rows", "date_form", "propose_values"]
