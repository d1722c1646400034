"""The staff roster and completions by person at import: ids hashed where wanted, and the checks across them."""
from __future__ import annotations

import bisect
import hashlib
import secrets
from collections import defaultdict
from datetime import date
from typing import Protocol

from data.store import PERSON_ID_SALT, Store, StoreError, Transaction

BY_PERSON_STEM = "training_people"
COUNTS_STEM = "training"
HASH_SETTING = "hash_person_ids"
SALT_SETTING = PERSON_ID_SALT  # a secret setting: audited and exported without its value
AS_OF_SETTING = "roster_as_of"
HASH_ON = "on"
# 16 hex digits (64 bits): no two people of even a very large organisation share one, and an id stays readable.
HASH_DIGITS = 16
HASH_PREFIX = "h-"
SALT_BYTES = 16
PERSON_TABLES = ("roster", "training_people")


class _Table(Protocol):  # the importer's checked table (data/importer.py), as far as these checks read it
    values: dict[str, list]
    texts: dict[str, list[str]]
    row_numbers: list[int]

    def problem(self, index: int | None, column: str, reason: str) -> None: ...

    def usable(self, column: str, index: int) -> bool: ...


# -- which form a training file is -----------------------------------------------------------------------------------
def table_of(stem: str, header: list[str]) -> str:
    """A file called training whose header has person_id holds completions by person (design.md), not counts."""
    if stem == COUNTS_STEM and "person_id" in (cell.strip().lower() for cell in header):
        return BY_PERSON_STEM
    return stem


# -- hashing ids -----------------------------------------------------------------------------------------------------
def hashing(store: Store) -> bool:
    return store.setting(HASH_SETTING, "") == HASH_ON


def hash_id(salt: str, person_id: str) -> str:
    """The stored id of a person when hashing is on: the same for every import, not reversible without the salt."""
    digest = hashlib.sha256(f"{salt}\0{person_id}".encode()).hexdigest()
    return HASH_PREFIX + digest[:HASH_DIGITS]


def check_hash_setting(store: Store, value: str) -> str:
    """The setting's value as stored; refuses a change while ids are stored, which would split a person in two."""
    value = HASH_ON if value.lower() in (HASH_ON, "1", "yes", "true") else ""
    if value != store.setting(HASH_SETTING, "") and any(
            store.scalar(f"SELECT count(*) FROM {table}") for table in PERSON_TABLES):
        raise StoreError("Person ids are already stored as they were imported; hashing can only be switched while "
                         "the roster and completions by person are empty (stored ids and new ones would no longer "
                         "match).")
    return value


def ensure_salt(tx: Transaction) -> None:
    if not tx.rows("SELECT value FROM settings WHERE key = ?", [SALT_SETTING]):
        tx.set_setting(SALT_SETTING, secrets.token_hex(SALT_BYTES), secret=True)


def _hash_columns(tables: dict[str, _Table], salt: str) -> None:
    from data.formats import FORMATS  # formats reads the metric registry; imported late to keep this module light

    for stem, table in tables.items():
        for column in FORMATS[stem].columns:
            if column.rule.names_person and column.name in table.values:
                table.values[column.name] = [hash_id(salt, v) if v else v for v in table.values[column.name]]


# -- checks across the roster, headcount and training -----------------------------------------------------------------
def _rows(table: _Table, *columns: str):
    """(index, values...) of the records whose cells in these columns all passed their own rules."""
    for index in range(len(table.row_numbers)):
        if all(table.usable(c, index) for c in columns):
            yield index, *(table.values[c][index] for c in columns)


def _check_end_reason(roster: _Table) -> None:
    for index, end, reason in _rows(roster, "end", "end_reason"):
        if end and not reason:
            roster.problem(index, "end_reason", "is required when end is set: moved (to another unit) or left "
                                                "(the organisation)")
        elif reason and not end:
            roster.problem(index, "end_reason", f'must be empty while the person is in the unit (end is empty, '
                                                f'end_reason is "{reason}")')


def _spells(store: Store, roster: _Table | None) -> dict[tuple, tuple]:
    """Every spell after this import, keyed (person, unit, start) -> (end, row index in the file or None)."""
    spells = {(p, u, s): (e, None) for p, u, s, e in store.rows(
        'SELECT person_id, unit, start, "end" FROM roster')}
    if roster is not None:
        for index, person, unit, start, end in _rows(roster, "person_id", "unit", "start", "end"):
            spells[(person, unit, start)] = (end, index)
    return spells


def _check_overlaps(roster: _Table, spells: dict[tuple, tuple]) -> None:
    """A person is in one unit at a time: a spell starts after the person's previous one ended."""
    by_person = defaultdict(list)
    for (person, unit, start), (end, index) in spells.items():
        by_person[person].append((start, end or date.max, unit, index))
    for person_spells in by_person.values():
        person_spells.sort(key=lambda s: s[:2])
        reach = person_spells[0]  # of the spells so far, the one that ends last
        for spell in person_spells[1:]:
            if spell[0] <= reach[1] and not (spell[3] is None and reach[3] is None):
                own, other = (spell, reach) if spell[3] is not None else (reach, spell)
                _overlap_problem(roster, own[3], other)
            if spell[1] > reach[1]:
                reach = spell


def _overlap_problem(roster: _Table, index: int, other: tuple) -> None:
    start, end, unit, _index = other
    until = "open" if end == date.max else f"to {end.isoformat()}"
    roster.problem(index, "start", f'overlaps the same person\'s spell in "{unit}" (from {start.isoformat()}, '
                                   f"{until}); a person is in one unit at a time, and end is the last day in a unit")


def _as_of(store: Store) -> date:
    stored = store.setting(AS_OF_SETTING)
    today = date.today()
    return max(date.fromisoformat(stored), today) if stored else today


STORED = -1  # the row index of a stored spell in _roster_months (sortable beside a file's row indexes)


def _roster_months(spells: dict[tuple, tuple], as_of: date) -> dict[str, list[tuple[date, date, int]]]:
    """Per unit, its spells as (first month, last month, row index or STORED) sorted by first month."""
    months = defaultdict(list)
    last_open = as_of.replace(day=1)
    for (_person, unit, start), (end, index) in spells.items():
        months[unit].append((start.replace(day=1), end.replace(day=1) if end else last_open,
                             STORED if index is None else index))
    for unit_spells in months.values():
        unit_spells.sort()
    return months


def _spell_in(unit_spells: list, month: date) -> tuple | None:
    """A spell of the unit that overlaps the month, or None."""
    position = bisect.bisect_right(unit_spells, (month, date.max, STORED))
    return next((s for s in unit_spells[:position] if s[1] >= month), None)


def _check_headcount_conflicts(store: Store, tables: dict[str, _Table], spells: dict[tuple, tuple]) -> None:
    """A unit's month is counted from the roster or typed in headcount, never both."""
    by_unit = _roster_months(spells, _as_of(store))
    headcount = tables.get("headcount")
    typed = {(m, u): None for m, u in store.rows("SELECT month, unit FROM headcount")}
    if headcount is not None:
        for index, month, unit in _rows(headcount, "month", "unit"):
            typed[(month, unit)] = index
            if (spell := _spell_in(by_unit.get(unit, []), month)) is not None:
                where = "in the stored roster" if spell[2] == STORED else "in this import's roster"
                headcount.problem(index, "month, unit", f'gives a headcount for "{unit}" in {month:%Y-%m}, which '
                                                        f"has roster spells {where}; give the unit's months either "
                                                        "in headcount or in the roster, not both")
    roster = tables.get("roster")
    if roster is None:
        return
    stored_typed = sorted((u, m) for (m, u), index in typed.items() if index is None)
    for index, unit, start, end in _rows(roster, "unit", "start", "end"):
        first, last = (unit, start.replace(day=1)), (unit, (end or _as_of(store)).replace(day=1))
        position = bisect.bisect_left(stored_typed, first)
        if position < len(stored_typed) and stored_typed[position] <= last:
            month = stored_typed[position][1]
            roster.problem(index, "unit, start", f'puts a person in "{unit}" in {month:%Y-%m}, which has a stored '
                                                 "headcount row; give the unit's months either in headcount or in "
                                                 "the roster, not both")


def _check_people_known(tables: dict[str, _Table], spells: dict[tuple, tuple]) -> None:
    completions = tables.get(BY_PERSON_STEM)
    if completions is None:
        return
    people = {person for person, _unit, _start in spells}
    for index, person in _rows(completions, "person_id"):
        if person not in people:
            shown = completions.texts["person_id"][index]
            completions.problem(index, "person_id", f'"{shown}" is in no spell of the roster (stored or in this '
                                                    "import); import the roster with this person first")


def _check_course_forms(store: Store, tables: dict[str, _Table]) -> None:
    """A course is counted one way: by completions per unit, or by person; both would count its people twice."""
    forms = {COUNTS_STEM: "as counts per unit (the training sheet)", BY_PERSON_STEM: "by person (training_people)"}
    for stem, other in ((COUNTS_STEM, BY_PERSON_STEM), (BY_PERSON_STEM, COUNTS_STEM)):
        table = tables.get(stem)
        if table is None:
            continue
        elsewhere = {r[0] for r in store.rows(f"SELECT DISTINCT course FROM {other}")}
        if other in tables:
            elsewhere |= {course for _i, course in _rows(tables[other], "course")}
        for index, course in _rows(table, "course"):
            if course in elsewhere:
                table.problem(index, "course", f'"{course}" is recorded {forms[other]}; give each course\'s '
                                               f"completions one way, not also {forms[stem]}")


def cross_checks(tables: dict[str, _Table], store: Store) -> None:
    """Hash person ids where the organisation wants it, then every check across the roster, headcount and
    completions by person (design.md): run by the importer after each file's own checks."""
    if hashing(store) and any(t in tables for t in PERSON_TABLES):
        _hash_columns(tables, store.setting(SALT_SETTING, ""))
    roster = tables.get("roster")
    if roster is not None:
        _check_end_reason(roster)
    if not ({"roster", "headcount", BY_PERSON_STEM, COUNTS_STEM} & set(tables)):
        return
    spells = _spells(store, roster)
    if roster is not None:
        _check_overlaps(roster, spells)
    if spells:
        _check_headcount_conflicts(store, tables, spells)
    _check_people_known(tables, spells)
    _check_course_forms(store, tables)


def after_write(tx: Transaction, tables: set[str]) -> None:
    """An import with a roster says who is there today: open spells count up to this month from now on."""
    if "roster" in tables:
        tx.set_setting(AS_OF_SETTING, date.today().isoformat())
