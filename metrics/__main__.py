"""Command line for analysts and automation: `python -m metrics monthly [--unit U] [--course C] [--db PATH]`."""
from __future__ import annotations

import argparse
import csv
import math
import os
import sys
from pathlib import Path

import duckdb

from data.store import Store, StoreError, default_db_path
from metrics.calc import MONTHLY_COLUMNS, UnknownFilter, monthly

# Ten decimal places are exact enough for any spreadsheet and hide binary noise such as 0.30000000000000004.
CSV_DECIMALS = 10


def csv_number(value: float) -> str:
    """A value as the CSV writes it: empty when undefined, whole numbers without '.0', others to 10 places."""
    if value is None or math.isnan(value):
        return ""
    rounded = round(float(value), CSV_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    if rounded.is_integer():
        return str(int(rounded))
    return f"{rounded:.{CSV_DECIMALS}f}".rstrip("0")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m metrics", description="Service Culture Tracker metrics as CSV.")
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("monthly", help="every built-in and readings metric per month: month,metric,value")
    cmd.add_argument("--unit", help="an organisational unit (default: the whole organisation)")
    cmd.add_argument("--course", help="course for training coverage (default: the all-staff course in settings)")
    cmd.add_argument("--db", type=Path, help="database file (default: TRACKER_DB or data/tracker.duckdb)")
    return parser


def _open_store(path: Path) -> Store:
    # The Store would create a missing file; a typo in --db must not leave an empty database behind.
    if not path.is_file():
        raise StoreError(f"No database at {path}. Create one with: python -m data init --db {path}")
    return Store(path, actor="cli", role="viewer")


def _write_monthly(frame, out) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MONTHLY_COLUMNS)
    for month, metric, value in frame.itertuples(index=False, name=None):
        writer.writerow([month, metric, csv_number(value)])


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        store = _open_store(args.db or default_db_path())
        frame = monthly(store, unit=args.unit, course=args.course)
    except (StoreError, UnknownFilter, duckdb.Error, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        _write_monthly(frame, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (head, a closed pipe) stopped early; say nothing more and let Python not complain at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
