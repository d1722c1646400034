"""Command line for analysts and automation, CSV on stdout (design.md, "Command line"):

    python -m metrics monthly [--unit U | --function F] [--course C] [--db PATH]
    python -m metrics leadlag --lead KEY --lag KEY [--max-lag 12] [--unit U | --function F] [--db PATH]
    python -m metrics xmr --metric KEY [--rules wheeler|nhs] [--baseline YYYY-MM:YYYY-MM]
                          [--change YYYY-MM ... | --no-changes] [--unit U | --function F]
    python -m metrics outlook [--unit U | --function F] [--month YYYY-MM] [--db PATH]
    python -m metrics narrative --month YYYY-MM [--unit U | --function F] [--db PATH]   (Markdown, not CSV)
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import sys
from pathlib import Path

import duckdb
import pandas as pd

from data.store import Store, StoreError, default_db_path
from metrics import calc, changes, leadlag, narrative, outlook
from metrics.calc import MONTHLY_COLUMNS, FilterError, monthly
from metrics.registry import get
from metrics.xmr import RULE_SETS, xmr

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


XMR_COLUMNS = ["month", "value", "centre", "lower", "upper", "signal"]


def _month(text: str) -> str:
    try:
        return pd.Period(text, "M").strftime("%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a month YYYY-MM") from None


def _baseline(text: str) -> tuple[str, str]:
    first, sep, last = text.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"'{text}' is not a period FIRST:LAST, e.g. 2024-01:2024-12")
    return _month(first), _month(last)


def _common(cmd: argparse.ArgumentParser) -> None:
    scope = cmd.add_mutually_exclusive_group()
    scope.add_argument("--unit", action="append",
                       help="an organisational unit (default: the whole organisation); repeat it for several units "
                            "taken together")
    scope.add_argument("--function", choices=calc.FUNCTIONS, help="the units of one function, taken together")
    cmd.add_argument("--course", help="course for training coverage (default: the all-staff course in settings)")
    cmd.add_argument("--db", type=Path, help="database file (default: TRACKER_DB or data/tracker.duckdb)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m metrics", description="Service Culture Tracker metrics as CSV.")
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("monthly", help="every built-in and readings metric per month: month,metric,value")
    _common(cmd)
    cmd = commands.add_parser("leadlag", help="r between month-on-month changes of a leading and a lagging metric, "
                                              "by lag: lag_months,r,n,threshold (the pointwise band 1.96/sqrt(n)) "
                                              "and a last line best,<lag>,<r>: the lag whose r, oriented by the "
                                              "metrics' better directions, clears the bar corrected for the lags "
                                              "scanned (empty when none does)")
    cmd.add_argument("--lead", required=True, help="key of the leading metric")
    cmd.add_argument("--lag", required=True, help="key of the lagging metric")
    cmd.add_argument("--max-lag", type=int, default=12, help="longest lag in months (default 12)")
    _common(cmd)
    cmd = commands.add_parser("xmr", help="XmR chart of one metric: month,value,centre,lower,upper,signal")
    cmd.add_argument("--metric", required=True, help="metric key")
    cmd.add_argument("--rules", choices=tuple(RULE_SETS),
                     help="detection rules (default: the organisation's rule set in settings, else wheeler)")
    cmd.add_argument("--baseline", type=_baseline, help="lock the limits to a period FIRST:LAST (YYYY-MM:YYYY-MM)")
    changes_given = cmd.add_mutually_exclusive_group()
    changes_given.add_argument("--change", type=_month, action="append", default=[],
                               help="a process change month: limits are recalculated from it (repeatable; default: "
                                    "the metric's stored changes, initiatives' starts and those marked on its chart)")
    changes_given.add_argument("--no-changes", action="store_true",
                               help="one process over the whole history, whatever changes are stored")
    _common(cmd)
    cmd = commands.add_parser("outlook", help="every target projected to its month with an 80%% interval: "
                                              "metric,by,target,projected,low,high,status (on track, at risk, off "
                                              "track, or empty when no projection is justified)")
    cmd.add_argument("--month", type=_month, help="project from the figures up to this month (default: all)")
    _common(cmd)
    cmd = commands.add_parser("narrative", help="the month's draft narrative as Markdown, each sentence followed by "
                                                "the link of the view that shows its figures")
    cmd.add_argument("--month", type=_month, required=True, help="the month the narrative is about (YYYY-MM)")
    _common(cmd)
    return parser


def _open_store(path: Path) -> Store:
    # The Store would create a missing file; a typo in --db must not leave an empty database behind.
    if not path.is_file():
        raise StoreError(f"No database at {path}. Create one with: python -m data init --db {path}")
    return Store(path, actor="cli", role="viewer")


def _monthly_rows(store: Store, args) -> list[list[str]]:
    frame = monthly(store, unit=args.unit, course=args.course, function=args.function)
    return [MONTHLY_COLUMNS] + [[month, metric, csv_number(value)]
                                for month, metric, value in frame.itertuples(index=False, name=None)]


def _series(store: Store, key: str, args) -> pd.Series:
    return calc.series(store, key, unit=args.unit, course=args.course, function=args.function)


def _leadlag_rows(store: Store, args) -> list[list[str]]:
    if args.max_lag < 0:
        raise ValueError(f"--max-lag must be 0 or more (got {args.max_lag}).")
    sign = leadlag.orientation(get(args.lead, store), get(args.lag, store))
    table = leadlag.cross_correlation(_series(store, args.lead, args), _series(store, args.lag, args),
                                      max_lag=args.max_lag, orientation=sign)
    # threshold is the pointwise band; the best line needs the corrected bar and the metrics' directions.
    rows = [leadlag.COLUMNS] + [[str(k), csv_number(r), str(n), csv_number(threshold)]
                                for k, r, n, threshold in table[leadlag.COLUMNS].itertuples(index=False, name=None)]
    best = leadlag.best_lag(table)
    rows.append(["best", str(best[0]), csv_number(best[1])] if best else ["best", "", ""])
    return rows


def _xmr_rows(store: Store, args) -> list[list[str]]:
    defn = get(args.metric, store)  # a custom metric registered in the store brings its own floor and ceiling
    series = _series(store, args.metric, args)
    stored = [] if args.no_changes else changes.change_months(store, args.metric, args.unit, args.function)
    chart = xmr(series, floor=defn.floor, ceiling=defn.ceiling, baseline=args.baseline,
                change_points=args.change or stored, rules=args.rules or calc.rule_set(store))
    return [XMR_COLUMNS] + [[month, *(csv_number(v) for v in (value, centre, lower, upper)), signal]
                            for month, value, centre, lower, upper, signal
                            in chart[XMR_COLUMNS].itertuples(index=False, name=None)]


def _outlook_rows(store: Store, args) -> list[list[str]]:
    rows = outlook.outlook(store, unit=args.unit, function=args.function, through=args.month)
    return [outlook.COLUMNS] + [[p.metric, p.by, csv_number(p.target), *(csv_number(v) for v in (p.projected, p.low,
                                                                                                 p.high)), p.status]
                                for p in rows]


# Where the narrative's links point: the address people open the dashboard by (as the workshop links use it).
DEFAULT_BASE_URL = "http://localhost:8501"


def _narrative_text(store: Store, args) -> str:
    sentences = narrative.draft(store, args.month, unit=args.unit, function=args.function)
    scope = args.unit or narrative.SCOPE_PHRASES.get(args.function, "the whole organisation")
    base = os.environ.get("TRACKER_PUBLIC_URL", "").strip() or DEFAULT_BASE_URL
    return narrative.to_markdown(sentences, narrative.title(args.month, scope), base)


COMMANDS = {"monthly": _monthly_rows, "leadlag": _leadlag_rows, "xmr": _xmr_rows, "outlook": _outlook_rows}
TEXT_COMMANDS = {"narrative": _narrative_text}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # One --unit is that unit; several are taken together (a tuple: figures are cached by scope).
    if getattr(args, "unit", None):
        args.unit = args.unit[0] if len(args.unit) == 1 else tuple(args.unit)
    try:
        store = _open_store(args.db or default_db_path())
        if args.command in TEXT_COMMANDS:
            text = TEXT_COMMANDS[args.command](store, args)
        else:
            rows = COMMANDS[args.command](store, args)
    except (StoreError, FilterError, ValueError, duckdb.Error, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        if args.command in TEXT_COMMANDS:
            sys.stdout.write(text)
        else:
            csv.writer(sys.stdout, lineterminator="\n").writerows(rows)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (head, a closed pipe) stopped early; say nothing more and let Python not complain at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
