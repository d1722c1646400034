"""An HR job history (one row per hire, move or leaving, as Workday or BambooHR report it) as the roster's spells."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from data.importer import Problem
from data.mapping import EFFECTIVE, IN_POST, LEFT, STATUS, Export, ExportMapping

ROSTER_COLUMNS = ["person_id", "unit", "start", "end", "end_reason"]
MOVED = "moved"


def _events(cells: dict[str, list[str]], blank: list[bool]) -> dict[str, list[int]]:
    """Each person's usable rows (person and date given), in date order (the file's order on the same day)."""
    by_person = defaultdict(list)
    for i, person in enumerate(cells["person_id"]):
        if not blank[i] and person and cells[EFFECTIVE][i]:
            by_person[person].append(i)
    for rows in by_person.values():
        rows.sort(key=lambda i: (cells[EFFECTIVE][i], i))
    return by_person


def _day_before(iso: str) -> str:
    return (date.fromisoformat(iso) - timedelta(days=1)).isoformat()


def _walk(person: str, rows: list[int], cells: dict[str, list[str]], records: list, problem) -> None:
    """Spells of one person: a row in post in another unit than the open spell's ends it the day before (a move);
    a leaving row ends it on its own date (the last day); a row in post with no open spell starts one (a re-hire)."""
    current: int | None = None  # the row that started the open spell
    for i in rows:
        day, unit, status = cells[EFFECTIVE][i], cells["unit"][i], cells[STATUS][i]
        if status == LEFT:
            if current is None:
                problem(i, STATUS, "marks a leaving, but the file has no earlier row putting this person in post; "
                                   "the job history must hold each person's hire too")
                continue
            reason = (cells["end_reason"][i] if "end_reason" in cells else "") or LEFT
            records[current][3:] = [day, reason]
            current = None
        elif status == IN_POST:
            if current is not None and cells["unit"][current] == unit:
                continue  # a new title or manager in the same unit: the spell goes on
            if current is not None:
                records[current][3:] = [_day_before(day), MOVED]
            records[i] = [person, unit, day, "", ""]
            current = i


def spells_from_history(export: Export, mapping: ExportMapping, cells: dict[str, list[str]], blank: list[bool],
                        problems: list[Problem]) -> tuple[list[str], list[list[str] | None]]:
    """The roster's columns and one record per spell, placed on the export row that started it (other rows blank)."""
    first_row = export.first_record_row(mapping.extra_header_rows)
    sources = {name: spec.source for name, spec in mapping.fields.items()}

    def problem(i: int, column: str, reason: str) -> None:
        problems.append(Problem(export.name, first_row + i, f"{sources.get(column, '')} ({column})", reason))

    records: list[list[str] | None] = [None] * len(blank)
    for person, rows in _events(cells, blank).items():
        _walk(person, rows, cells, records, problem)
    for i, is_blank in enumerate(blank):
        if not is_blank and records[i] is None and not (cells["person_id"][i] and cells[EFFECTIVE][i]):
            problem(i, "person_id" if not cells["person_id"][i] else EFFECTIVE,
                    "is empty, so the row cannot be placed in anyone's history")
    return ROSTER_COLUMNS, records
