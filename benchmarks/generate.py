"""A large organisation written straight into a tracker database: 50,000 staff, 200 units, 60 months, ~12M event rows.

    python -m benchmarks.generate DB [--scale 0.1] [--seed 14]

Rows are made by DuckDB from a counter and a seeded hash (the same seed gives the same database whatever the number of
threads), inserted in the tracker's own schema one table per audited transaction, then the summaries are filled.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from data import summaries
from data.store import Store

# The organisation of issue 14 at scale 1.
STAFF = 50_000
UNITS = 200
BACK_OFFICE_UNITS = 64
LEADERSHIP_UNITS = 16
MONTHS = 60
ROWS = {"ideas": 1_000_000, "voice": 5_000_000, "survey": 2_000_000, "tickets": 2_000_000, "training": 150_000}
COURSES = ("service-excellence", "leadership-workshop", "train-the-trainer")
ALL_STAFF_COURSE = COURSES[0]
DEFAULT_SEED = 14
# Shares of the generated records, chosen so every metric has something to show.
IMPLEMENTED = 0.2        # of ideas
NO_UNIT = 0.05           # of ideas, voice and tickets: records of the whole organisation
OPEN_TICKETS = 0.05
MONTHLY_LEAVERS = 0.01   # of headcount
FRONT_LINE_UNITS = UNITS - BACK_OFFICE_UNITS - LEADERSHIP_UNITS
KEY_CUSTOMERS = 20
ACTIONS_PER_CUSTOMER = 3  # asked at each monthly assessment


@dataclass(frozen=True)
class Shape:
    """How big the generated organisation is: issue 14's at scale 1, a tenth at 0.1 (units and months stay)."""

    scale: float
    end: date  # the month after the last generated one

    @property
    def start(self) -> date:
        months = self.end.year * 12 + self.end.month - 1 - MONTHS
        return date(months // 12, months % 12 + 1, 1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def rows(self, table: str) -> int:
        return max(1, round(ROWS[table] * self.scale))

    @property
    def unit_size(self) -> int:
        return max(1, round(STAFF * self.scale / UNITS))


def _unit_name(index_sql: str) -> str:
    """SQL naming unit number i (0-based): back office first, then leadership, then the front line."""
    return (f"CASE WHEN {index_sql} < {BACK_OFFICE_UNITS} THEN 'Back office ' "
            f"WHEN {index_sql} < {BACK_OFFICE_UNITS + LEADERSHIP_UNITS} THEN 'Leadership ' ELSE 'Front line ' END "
            f"|| lpad(CAST({index_sql} + 1 AS VARCHAR), 3, '0')")


def _r(salt: int) -> str:
    """SQL for a uniform number in [0, 1) from the row counter i, the seed and a salt of its own."""
    return f"(hash(i, $seed, {salt}) % 1000000) / 1000000.0"


def _unit_of(salt: int, none_share: float) -> str:
    unit = _unit_name(f"CAST(hash(i, $seed, {salt + 1}) % {UNITS} AS INTEGER)")
    return f"CASE WHEN {_r(salt)} < {none_share} THEN NULL ELSE {unit} END"


def _day(salt: int) -> str:
    return f"CAST($start AS DATE) + CAST(hash(i, $seed, {salt}) % $days AS INTEGER)"


_STATUS = "['submitted', 'review', 'approved', 'rejected'][CAST(hash(i, $seed, 7) % 4 AS INTEGER) + 1]"

# One INSERT per table, over range(n) as i. Parameters: $seed, $start, $end, $days, $n, $size.
_INSERTS = {
    "units": f"""INSERT INTO units SELECT {_unit_name('i')},
        CASE WHEN i < {BACK_OFFICE_UNITS} THEN 'internal' WHEN i < {BACK_OFFICE_UNITS + LEADERSHIP_UNITS}
             THEN 'leadership' ELSE 'frontline' END, NULL FROM range({UNITS}) t(i)""",
    "headcount": f"""INSERT INTO headcount
        SELECT m, {_unit_name('u')}, h, CAST(round(h * {MONTHLY_LEAVERS} * 2 * {_r(3)}) AS INTEGER)
        FROM (SELECT CAST($start + INTERVAL (i // {UNITS}) MONTH AS DATE) AS m, CAST(i % {UNITS} AS INTEGER) AS u,
                     CAST($size * (0.6 + 0.8 * (hash(i % {UNITS}, $seed, 1) % 1000) / 1000.0)
                          * (1 + 0.002 * (i // {UNITS})) AS INTEGER) AS h, i
              FROM range({UNITS} * {MONTHS}) t(i))""",
    "training": f"""INSERT INTO training SELECT
        CAST($start AS DATE) + CAST((i // {UNITS * len(COURSES)}) * ($days // ($n // {UNITS * len(COURSES)} + 1))
                                    AS INTEGER),
        {_unit_name(f'CAST(i % {UNITS} AS INTEGER)')},
        [{", ".join(repr(c) for c in COURSES)}][CAST((i // {UNITS}) % {len(COURSES)} AS INTEGER) + 1],
        CAST(hash(i, $seed, 4) % ($size * 3 // ($n // {UNITS * len(COURSES)} + 1) + 1) AS INTEGER)
        FROM range($n) t(i)""",
    "ideas": f"""INSERT INTO ideas (idea_id, title, unit, submitted_on, status, implemented_on)
        SELECT 'I' || lpad(CAST(i AS VARCHAR), 7, '0'), 'Idea ' || i, {_unit_of(5, NO_UNIT)}, d,
               CASE WHEN impl THEN 'implemented' ELSE {_STATUS} END, CASE WHEN impl THEN done END
        FROM (SELECT *, {_r(10)} < {IMPLEMENTED} AND done < CAST($end AS DATE) AS impl
              FROM (SELECT i, {_day(9)} AS d, {_day(9)} + CAST(hash(i, $seed, 8) % 90 AS INTEGER) AS done
                    FROM range($n) t(i)))""",
    "voice": f"""INSERT INTO voice (item_id, "date", unit, kind, text, channel)
        SELECT 'V' || lpad(CAST(i AS VARCHAR), 8, '0'), {_day(11)}, {_unit_of(12, NO_UNIT)},
               CASE WHEN {_r(14)} < 0.5 THEN 'praise' WHEN {_r(14)} < 0.8 THEN 'complaint' ELSE 'assessment' END,
               'Item ' || i, ['email', 'phone', 'web'][CAST(hash(i, $seed, 15) % 3 AS INTEGER) + 1]
        FROM range($n) t(i)""",
    "tickets": f"""INSERT INTO tickets SELECT 'T' || lpad(CAST(i AS VARCHAR), 8, '0'), {_unit_of(16, NO_UNIT)}, o,
               o + INTERVAL (1 + hash(i, $seed, 18) % 5) DAY,
               CASE WHEN {_r(19)} >= {OPEN_TICKETS} THEN least(o + INTERVAL (hash(i, $seed, 20) % 8000) MINUTE,
                                                             CAST($end AS TIMESTAMP) - INTERVAL 1 SECOND) END
        FROM (SELECT i, CAST({_day(21)} AS TIMESTAMP) + INTERVAL (hash(i, $seed, 22) % 600) MINUTE AS o
              FROM range($n) t(i))""",
    "survey": f"""INSERT INTO survey SELECT 'S' || lpad(CAST(i AS VARCHAR), 8, '0'), {_day(23)},
               coalesce({_unit_of(24, NO_UNIT)}, ''),
               CAST(least(10, hash(i, $seed, 26) % 11 + hash(i, $seed, 27) % 3) AS INTEGER)
        FROM range($n) t(i)""",
    "plan": f"""INSERT INTO plan SELECT CAST($start + INTERVAL (i) MONTH AS DATE), '{ALL_STAFF_COURSE}', '',
               round(0.95 / (1 + exp(-(i - {MONTHS} / 3) / 4.0)), 3) FROM range({MONTHS}) t(i)""",
    "readings": f"""INSERT INTO readings SELECT CAST($start + INTERVAL (i) MONTH AS DATE), 'satisfaction', '',
               round(6.5 + 2 * i / {MONTHS} + {_r(28)}, 2) FROM range({MONTHS}) t(i)""",
    "targets": """INSERT INTO targets VALUES ('nps', CAST($end AS DATE), '', 30),
               ('satisfaction', CAST($end AS DATE), '', 8.5), ('training_coverage', CAST($end AS DATE), '', 0.9)""",
    # Key customers' desired actions (issue 13): asked at each month's assessment but the last, due mid next month,
    # each taken on by a front-line unit; 70% done on time, 15% late, 10% not done, 5% declined. Customers do not
    # grow with the organisation's size, so neither do their actions.
    "desired_actions": f"""INSERT INTO desired_actions (action_id, month, customer, unit, action, due, status, done_on)
        SELECT 'A' || lpad(CAST(i AS VARCHAR), 6, '0'), m,
               'Key customer ' || lpad(CAST(i // {ACTIONS_PER_CUSTOMER} % {KEY_CUSTOMERS} + 1 AS VARCHAR), 2, '0'),
               {_unit_name(f"{UNITS - FRONT_LINE_UNITS} + CAST(hash(i, $seed, 29) % {FRONT_LINE_UNITS} AS INTEGER)")},
               'Action ' || i, due,
               CASE WHEN r < 0.85 THEN 'done' WHEN r < 0.95 THEN 'not done' ELSE 'declined' END,
               CASE WHEN r < 0.7 THEN due - CAST(hash(i, $seed, 31) % 10 AS INTEGER)
                    WHEN r < 0.85 THEN least(due + CAST(1 + hash(i, $seed, 32) % 20 AS INTEGER),
                                             CAST($end AS DATE) - 1) END
        FROM (SELECT i, m, CAST(m + INTERVAL 1 MONTH + INTERVAL 14 DAY AS DATE) AS due, {_r(30)} AS r
              FROM (SELECT i, CAST($start + INTERVAL (i // {KEY_CUSTOMERS * ACTIONS_PER_CUSTOMER}) MONTH AS DATE) AS m
                    FROM range({KEY_CUSTOMERS * ACTIONS_PER_CUSTOMER * (MONTHS - 1)}) t(i)))""",
}
_SIZED = frozenset(ROWS)


def generate(path: Path, scale: float = 1.0, seed: int = DEFAULT_SEED, end: date | None = None,
             echo=print) -> dict[str, int]:
    """Write the organisation into a new tracker database at `path`; returns the rows per table."""
    if path.exists():
        raise SystemExit(f"{path} exists; give a new file")
    shape = Shape(scale, end or date.today().replace(day=1))
    store = Store(path, actor="benchmark")
    counts = {}
    for table, sql in _INSERTS.items():
        began = time.perf_counter()
        n = shape.rows(table) if table in _SIZED else 0
        params = {"seed": seed, "start": shape.start, "end": shape.end, "days": shape.days, "n": n,
                  "size": shape.unit_size}
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        with store.transaction("generate", f"benchmark organisation, {table}, scale {scale}") as tx:
            tx.execute(sql, used)
            tx.mark_changed(table)
        counts[table] = store.scalar(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own table names
        echo(f"{table:<10} {counts[table]:>10,} rows in {time.perf_counter() - began:6.1f} s")
    began = time.perf_counter()
    with store.transaction("generate", "summaries") as tx:
        tx.set_setting("all_staff_course", ALL_STAFF_COURSE)
        summaries.rebuild(tx.cursor)
        tx.mark_changed(*summaries.SUMMARISED)
    echo(f"summaries  {store.scalar('SELECT count(*) FROM unit_month'):>10,} unit-months in "
         f"{time.perf_counter() - began:6.1f} s")
    store.rows("CHECKPOINT")
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db", type=Path)
    ap.add_argument("--scale", type=float, default=1.0, help="1 = issue 14's organisation, 0.1 a tenth")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args()
    began = time.perf_counter()
    counts = generate(args.db, args.scale, args.seed)
    print(f"{sum(counts.values()):,} rows in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
