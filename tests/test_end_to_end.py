"""End to end, independently of metrics/: a hand-built programme workbook goes in through `python -m data import`,
and every figure `python -m metrics monthly` prints is checked against values worked out by hand from the contracts in
design.md ("The programme workbook: import formats", "Built-in metrics (definitions are contracts)", "Command line").

Nothing below is derived from the product's code. Each expected value is written as the arithmetic that gives it.
Conventions taken from the contract / brief:
- monthly prints CSV `month,metric,value`; integers without ".0", others rounded to 10 decimal places, empty when
  undefined (the row is still printed).
- churn: n = min(12, months since the first headcount month), counting the current month (first month n = 1).
- tickets: closing on the promised day counts as within (dates are compared, not times).
- training_coverage without --course is the all-staff course `service-excellence`.
- org-wide readings are the rows with an empty unit; per unit, that unit's own rows.
- org-wide figures sum over all units (units' own rows; no parent roll-up is assumed or queried).
"""
import csv
import datetime as dt
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction as F
from pathlib import Path

import openpyxl
import pytest

from data.store import Store, close_all

REPO = Path(__file__).resolve().parent.parent
MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
SE, IB = "service-excellence", "it-basics"

# ---------------------------------------------------------------------------------------------------------------------
# The workbook, by hand. Units: Branches (frontline), North (frontline, parent Branches), IT (internal / back office).
# ---------------------------------------------------------------------------------------------------------------------
WORKBOOK: dict[str, list[dict]] = {
    "units": [
        {"unit": "Branches", "function": "frontline", "parent": ""},
        {"unit": "North", "function": "frontline", "parent": "Branches"},
        {"unit": "IT", "function": "internal", "parent": ""},
    ],
    # headcount at month end, leavers during the month. North closes in May (headcount 0, its last 6 leave).
    #            Branches  North   IT    | org total headcount, leavers
    # 2024-01    20 / 1    8 / 0   5 / 0 | 33 / 1
    # 2024-02    22 / 0   10 / 1   5 / 1 | 37 / 2
    # 2024-03    21 / 2   10 / 0   4 / 0 | 35 / 2
    # 2024-04    20 / 1    6 / 2   5 / 0 | 31 / 3
    # 2024-05    24 / 0    0 / 6   5 / 1 | 29 / 7
    "headcount": [
        {"month": m, "unit": u, "headcount": h, "leavers": lv}
        for u, rows in {
            "Branches": [(20, 1), (22, 0), (21, 2), (20, 1), (24, 0)],
            "North": [(8, 0), (10, 1), (10, 0), (6, 2), (0, 6)],
            "IT": [(5, 0), (5, 1), (4, 0), (5, 0), (5, 1)],
        }.items()
        for m, (h, lv) in zip(MONTHS, rows, strict=True)
    ],
    # cumulative service-excellence to month end: Branches 5,11,11,16,16; North 0,4,9,9,9; IT 3,3,7,7,7
    # cumulative it-basics to month end:          Branches 0,0,10,10,10;  North 0,0,0,0,0; IT 0,2,2,4,4
    "training": [
        {"date": "2024-01-15", "unit": "Branches", "course": SE, "completed": 5},
        {"date": "2024-02-20", "unit": "Branches", "course": SE, "completed": 6},
        {"date": "2024-04-10", "unit": "Branches", "course": SE, "completed": 4},
        {"date": "2024-04-25", "unit": "Branches", "course": SE, "completed": 1},
        {"date": "2024-02-05", "unit": "North", "course": SE, "completed": 4},
        {"date": "2024-03-31", "unit": "North", "course": SE, "completed": 5},  # last day: counts to March's end
        {"date": "2024-01-22", "unit": "IT", "course": SE, "completed": 3},
        {"date": "2024-03-08", "unit": "IT", "course": SE, "completed": 4},  # IT cumulative 7 > headcount 4/5: cap
        {"date": "2024-02-14", "unit": "IT", "course": IB, "completed": 2},
        {"date": "2024-04-03", "unit": "IT", "course": IB, "completed": 2},
        {"date": "2024-03-20", "unit": "Branches", "course": IB, "completed": 10},
    ],
    "plan": [
        {"month": m, "course": SE, "planned_coverage": p, "unit": ""}
        for m, p in zip(MONTHS, [0.2, 0.4, 0.6, 0.8, 1], strict=True)
    ] + [{"month": "2024-03", "course": SE, "planned_coverage": 0.5, "unit": "IT"}],
    # implemented: Jan Branches; Feb IT + North; Apr IT; May North + Branches.  Rejected / approved ones never count.
    "ideas": [
        {"idea_id": "I1", "title": "Greet by name", "unit": "Branches", "submitted_on": "2024-01-05",
         "status": "implemented", "implemented_on": "2024-01-25"},
        {"idea_id": "I2", "title": "Status page for outages", "unit": "IT", "submitted_on": "2024-01-10",
         "status": "implemented", "implemented_on": "2024-02-03"},
        {"idea_id": "I3", "title": "Queue display", "unit": "North", "submitted_on": "2024-01-20",
         "status": "implemented", "implemented_on": "2024-02-28"},
        {"idea_id": "I4", "title": "Scripted replies", "unit": "Branches", "submitted_on": "2024-02-01",
         "status": "rejected", "implemented_on": ""},
        {"idea_id": "I5", "title": "Water dispenser", "unit": "North", "submitted_on": "2024-03-01",
         "status": "approved", "implemented_on": ""},
        {"idea_id": "I6", "title": "Hand-over notes", "unit": "North", "submitted_on": "2024-04-01",
         "status": "implemented", "implemented_on": "2024-05-15"},
        {"idea_id": "I7", "title": "Call back, don't close", "unit": "IT", "submitted_on": "2024-03-15",
         "status": "implemented", "implemented_on": "2024-04-30"},
        {"idea_id": "I8", "title": "Open on Saturdays", "unit": "Branches", "submitted_on": "2024-04-10",
         "status": "implemented", "implemented_on": "2024-05-02"},
        {"idea_id": "I9", "title": "Laptop loan pool", "unit": "IT", "submitted_on": "2024-05-03",
         "status": "submitted", "implemented_on": ""},
    ],
    # praise / complaint per month (assessments never count):
    #   Jan org 3/2, North 1/1; Feb no complaints; Mar org 0/2, North 0/1; Apr org 4/3, North 1/1; May nothing.
    "voice": [
        {"item_id": "V01", "date": "2024-01-05", "unit": "Branches", "kind": "praise", "text": "Kind, quick, clear",
         "channel": "email"},
        {"item_id": "V02", "date": "2024-01-12", "unit": "Branches", "kind": "praise", "text": "Thank you",
         "channel": "web"},
        {"item_id": "V03", "date": "2024-01-13", "unit": "North", "kind": "praise", "text": "Great help",
         "channel": "phone"},
        {"item_id": "V04", "date": "2024-01-20", "unit": "North", "kind": "complaint", "text": "Waited 40 min",
         "channel": "web"},
        {"item_id": "V05", "date": "2024-01-31", "unit": "Branches", "kind": "complaint", "text": "Rude \"answer\"",
         "channel": "letter"},
        {"item_id": "V06", "date": "2024-01-25", "unit": "Branches", "kind": "assessment", "text": "Monthly review",
         "channel": "meeting"},
        {"item_id": "V07", "date": "2024-02-03", "unit": "Branches", "kind": "praise", "text": "Lovely",
         "channel": "email"},
        {"item_id": "V08", "date": "2024-02-10", "unit": "North", "kind": "praise", "text": "Fixed it",
         "channel": "web"},
        {"item_id": "V09", "date": "2024-03-02", "unit": "North", "kind": "complaint", "text": "Closed early",
         "channel": "phone"},
        {"item_id": "V10", "date": "2024-03-15", "unit": "Branches", "kind": "complaint", "text": "Lost form",
         "channel": "email"},
        {"item_id": "V11", "date": "2024-03-20", "unit": "IT", "kind": "assessment", "text": "Desk review",
         "channel": "meeting"},
        {"item_id": "V12", "date": "2024-04-01", "unit": "Branches", "kind": "praise", "text": "Patient",
         "channel": "web"},
        {"item_id": "V13", "date": "2024-04-02", "unit": "Branches", "kind": "praise", "text": "Helpful",
         "channel": "web"},
        {"item_id": "V14", "date": "2024-04-03", "unit": "North", "kind": "praise", "text": "Warm welcome",
         "channel": "phone"},
        {"item_id": "V15", "date": "2024-04-04", "unit": "North", "kind": "complaint", "text": "No parking",
         "channel": "email"},
        {"item_id": "V16", "date": "2024-04-05", "unit": "Branches", "kind": "complaint", "text": "Wrong fee",
         "channel": "letter"},
        {"item_id": "V17", "date": "2024-04-06", "unit": "Branches", "kind": "complaint", "text": "Slow",
         "channel": "web"},
        {"item_id": "V18", "date": "2024-04-30", "unit": "Branches", "kind": "praise", "text": "Went the extra mile",
         "channel": "web"},
    ],
    # month = month of closed_at; within = date(closed_at) <= date(promised_by); open tickets are not counted.
    "tickets": [
        {"ticket_id": "T1", "unit": "IT", "opened_at": "2024-01-03T09:00:00", "promised_by": "2024-01-05T17:00:00",
         "closed_at": "2024-01-05T16:00:00"},  # Jan, within
        {"ticket_id": "T2", "unit": "IT", "opened_at": "2024-01-10T10:00:00", "promised_by": "2024-01-12",
         "closed_at": "2024-01-13T08:30:00"},  # Jan, a day late
        {"ticket_id": "T3", "unit": "IT", "opened_at": "2024-01-20", "promised_by": "2024-01-25T12:00:00",
         "closed_at": "2024-01-25T18:45:00"},  # Jan, promised day (later hour): within
        {"ticket_id": "T4", "unit": "IT", "opened_at": "2024-02-26T09:00:00", "promised_by": "2024-03-01T12:00:00",
         "closed_at": "2024-03-01T09:00:00"},  # Mar (opened Feb), within
        {"ticket_id": "T5", "unit": "IT", "opened_at": "2024-02-27", "promised_by": "2024-02-28",
         "closed_at": "2024-02-29T10:00:00"},  # Feb (leap day), late
        {"ticket_id": "T6", "unit": "IT", "opened_at": "2024-03-10T08:00:00", "promised_by": "2024-03-12T08:00:00",
         "closed_at": ""},  # still open
        {"ticket_id": "T7", "unit": "North", "opened_at": "2024-03-05", "promised_by": "2024-03-08",
         "closed_at": "2024-03-07"},  # Mar, within (a day early)
        {"ticket_id": "T8", "unit": "North", "opened_at": "2024-03-20", "promised_by": "2024-03-22",
         "closed_at": "2024-04-02T11:00:00"},  # Apr, late
        {"ticket_id": "T9", "unit": "IT", "opened_at": "2024-04-01", "promised_by": "2024-04-05",
         "closed_at": "2024-04-05"},  # Apr, on the promised day: within
    ],
    "survey": [
        # Jan: 9, 10, 10, 8, 7, 5, 8 -> 3 promoters, 1 detractor of 7.  North: 10, 8.
        {"response_id": "S01", "date": "2024-01-03", "unit": "Branches", "score": 9},
        {"response_id": "S02", "date": "2024-01-09", "unit": "Branches", "score": 10},
        {"response_id": "S03", "date": "2024-01-11", "unit": "North", "score": 10},
        {"response_id": "S04", "date": "2024-01-14", "unit": "", "score": 8},
        {"response_id": "S05", "date": "2024-01-18", "unit": "", "score": 7},
        {"response_id": "S06", "date": "2024-01-22", "unit": "Branches", "score": 5},
        {"response_id": "S07", "date": "2024-01-31", "unit": "North", "score": 8},
        # Feb: 9, 7, 3.  North: 7.
        {"response_id": "S08", "date": "2024-02-01", "unit": "", "score": 9},
        {"response_id": "S09", "date": "2024-02-15", "unit": "North", "score": 7},
        {"response_id": "S10", "date": "2024-02-29", "unit": "Branches", "score": 3},
        # Mar: none.  Apr: 2, 6, 10, 9, 0, 8 -> 2 promoters, 3 detractors of 6.  North: 2, 6.  IT: 9, 0.
        {"response_id": "S11", "date": "2024-04-02", "unit": "North", "score": 2},
        {"response_id": "S12", "date": "2024-04-08", "unit": "North", "score": 6},
        {"response_id": "S13", "date": "2024-04-09", "unit": "", "score": 10},
        {"response_id": "S14", "date": "2024-04-16", "unit": "IT", "score": 9},
        {"response_id": "S15", "date": "2024-04-17", "unit": "IT", "score": 0},
        {"response_id": "S16", "date": "2024-04-30", "unit": "Branches", "score": 8},
        # May: 10, 9.  North: 9 (customers still answer after the unit closed).
        {"response_id": "S17", "date": "2024-05-06", "unit": "Branches", "score": 10},
        {"response_id": "S18", "date": "2024-05-07", "unit": "North", "score": 9},
    ],
    "readings": [
        {"month": m, "metric": "satisfaction", "value": v, "unit": ""}
        for m, v in zip(MONTHS, [7.1, 7.3, 7.25, 7.6, 8], strict=True)
    ] + [
        {"month": "2024-01", "metric": "satisfaction", "value": 6.5, "unit": "North"},
        {"month": "2024-03", "metric": "satisfaction", "value": 7, "unit": "North"},
        {"month": "2024-02", "metric": "revenue", "value": 1200, "unit": ""},
        {"month": "2024-04", "metric": "revenue", "value": 1350.5, "unit": ""},
    ],
    "targets": [
        {"metric": "satisfaction", "by": "2024-05", "value": 8, "unit": ""},
        {"metric": "nps", "by": "2024-05", "value": 30, "unit": "North"},
    ],
}

BUILT_IN = ["ideas_implemented", "ideas_per_100_staff", "training_coverage", "churn_annualised",
            "praise_complaint_ratio", "tickets_within_promise", "nps"]
READINGS = ["satisfaction", "revenue"]
N = None  # undefined -> printed empty (or not printed)


def series(*values) -> dict:
    return dict(zip(MONTHS, values, strict=True))


# ---------------------------------------------------------------------------------------------------------------------
# Expected figures, by hand. Fractions keep the arithmetic exact; formatting follows the printing rule.
# ---------------------------------------------------------------------------------------------------------------------
ORG = {
    "ideas_implemented": series(1, 2, 0, 1, 2),
    "ideas_per_100_staff": series(
        F(1, 33) * 100,  # 1 idea / 33 staff x 100
        F(2, 37) * 100,  # I2 + I3
        F(0, 35) * 100,  # = 0
        F(1, 31) * 100,  # I7
        F(2, 29) * 100,  # I6 + I8 (North's idea counts org-wide though North has 0 staff)
    ),
    # service-excellence: sum over units of min(cumulative, headcount) / total headcount
    "training_coverage": series(
        F(5 + 0 + 3, 33),  # min(5,20) + min(0,8) + min(3,5)
        F(11 + 4 + 3, 37),  # min(11,22) + min(4,10) + min(3,5)
        F(11 + 9 + 4, 35),  # min(11,21) + min(9,10) + min(7,4) <- IT capped
        F(16 + 6 + 5, 31),  # min(16,20) + min(9,6) + min(7,5) <- North and IT capped
        F(16 + 0 + 5, 29),  # min(16,24) + min(9,0) + min(7,5)
    ),
    # sum of leavers over the last n months / mean headcount over them x 12/n
    "churn_annualised": series(
        F(1) / F(33, 1) * F(12, 1),  # n=1
        F(1 + 2) / F(33 + 37, 2) * F(12, 2),  # n=2
        F(1 + 2 + 2) / F(33 + 37 + 35, 3) * F(12, 3),  # n=3
        F(1 + 2 + 2 + 3) / F(33 + 37 + 35 + 31, 4) * F(12, 4),  # n=4
        F(1 + 2 + 2 + 3 + 7) / F(33 + 37 + 35 + 31 + 29, 5) * F(12, 5),  # n=5
    ),
    "praise_complaint_ratio": series(
        F(3, 2),  # V01, V02, V03 / V04, V05
        N,  # praise but no complaints
        F(0, 2),  # complaints but no praise -> 0
        F(4, 3),  # V12, V13, V14, V18 / V15, V16, V17
        N,  # no voice at all
    ),
    "tickets_within_promise": series(
        F(2, 3),  # T1 within, T2 late, T3 within (same day)
        F(0, 1),  # T5 late
        F(2, 2),  # T4, T7 within (T6 open)
        F(1, 2),  # T8 late, T9 within
        N,  # nothing closed
    ),
    "nps": series(
        F("28.6"),  # 3/7*100 - 1/7*100 = 28.571... -> 28.6
        F("0"),  # 1/3*100 - 1/3*100 = 0.0 -> printed 0
        N,  # no responses
        F("-16.7"),  # 2/6*100 - 3/6*100 = -16.666... -> -16.7
        F("100"),  # 2/2*100 - 0
    ),
    "satisfaction": series(F("7.1"), F("7.3"), F("7.25"), F("7.6"), F("8")),
    "revenue": series(N, F("1200"), N, F("1350.5"), N),
}

ORG_IT_BASICS = series(
    F(0 + 0 + 0, 33),  # nothing completed yet
    F(0 + 0 + 2, 37),
    F(10 + 0 + 2, 35),
    F(10 + 0 + 4, 31),  # min(4,5)
    F(10 + 0 + 4, 29),
)

NORTH = {
    "ideas_implemented": series(0, 1, 0, 0, 1),
    "ideas_per_100_staff": series(
        F(0, 8) * 100,
        F(1, 10) * 100,  # = 10
        F(0, 10) * 100,
        F(0, 6) * 100,
        N,  # 1 idea / 0 staff: undefined
    ),
    "training_coverage": series(
        F(0, 8),
        F(4, 10),
        F(9, 10),  # the 31 March session counts
        F(min(9, 6), 6),  # capped -> 1
        N,  # headcount 0
    ),
    "churn_annualised": series(
        F(0, 8) * 12,  # n=1 -> 0
        F(0 + 1) / F(8 + 10, 2) * F(12, 2),  # n=2
        F(0 + 1 + 0) / F(8 + 10 + 10, 3) * F(12, 3),  # n=3
        F(0 + 1 + 0 + 2) / F(8 + 10 + 10 + 6, 4) * F(12, 4),  # n=4
        F(0 + 1 + 0 + 2 + 6) / F(8 + 10 + 10 + 6 + 0, 5) * F(12, 5),  # n=5; a 0-headcount month is in the mean
    ),
    "praise_complaint_ratio": series(F(1, 1), N, F(0, 1), F(1, 1), N),
    "tickets_within_promise": series(N, N, F(1, 1), F(0, 1), N),  # T7 within; T8 late
    "nps": series(
        F("50"),  # 10, 8: 1/2*100 - 0
        F("0"),  # 7: 0 - 0
        N,
        F("-100"),  # 2, 6: 0 - 2/2*100
        F("100"),  # 9
    ),
    "satisfaction": series(F("6.5"), N, F("7"), N, N),
    "revenue": series(N, N, N, N, N),
}

IT = {
    "ideas_implemented": series(0, 1, 0, 1, 0),
    "ideas_per_100_staff": series(
        F(0, 5) * 100,
        F(1, 5) * 100,  # = 20
        F(0, 4) * 100,
        F(1, 5) * 100,
        F(0, 5) * 100,
    ),
    "training_coverage": series(
        F(3, 5),
        F(3, 5),
        F(min(7, 4), 4),  # capped -> 1
        F(min(7, 5), 5),  # capped -> 1
        F(min(7, 5), 5),
    ),
    "churn_annualised": series(
        F(0, 5) * 12,
        F(0 + 1) / F(5 + 5, 2) * F(12, 2),  # = 1.2
        F(0 + 1 + 0) / F(5 + 5 + 4, 3) * F(12, 3),
        F(0 + 1 + 0 + 0) / F(5 + 5 + 4 + 5, 4) * F(12, 4),
        F(0 + 1 + 0 + 0 + 1) / F(5 + 5 + 4 + 5 + 5, 5) * F(12, 5),  # = 1
    ),
    "praise_complaint_ratio": series(N, N, N, N, N),  # only an assessment
    "tickets_within_promise": series(
        F(2, 3),  # T1, T2, T3
        F(0, 1),  # T5
        F(1, 1),  # T4
        F(1, 1),  # T9
        N,
    ),
    "nps": series(N, N, N, F("0"), N),  # Apr: 9, 0 -> 50 - 50
    "satisfaction": series(N, N, N, N, N),
    "revenue": series(N, N, N, N, N),
}

IT_IT_BASICS = series(F(0, 5), F(2, 5), F(2, 4), F(4, 5), F(4, 5))
NORTH_IT_BASICS = series(F(0, 8), F(0, 10), F(0, 10), F(0, 6), N)


# ---------------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------------
def fmt(value: F | None) -> str:
    """The printing rule: empty when undefined, integers without ".0", others rounded to 10 decimal places."""
    if value is None:
        return ""
    if value.denominator == 1:
        return str(value.numerator)
    rounded = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("1e-10"))
    if rounded == rounded.to_integral_value():
        return str(int(rounded))
    return format(rounded.normalize(), "f")


def write_folder(folder: Path, workbook: dict[str, list[dict]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for stem, rows in workbook.items():
        with open(folder / f"{stem}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return folder


DATE_COLUMNS = {"date", "submitted_on", "implemented_on", "opened_at", "promised_by", "closed_at"}


def as_excel_cell(column: str, value):
    """Empty -> blank cell; dates and date-times in date columns -> real Excel dates; months stay text."""
    if value == "":
        return None
    if column in DATE_COLUMNS and isinstance(value, str):
        if "T" in value:
            return dt.datetime.fromisoformat(value)
        return dt.date.fromisoformat(value)
    return value


def write_xlsx(path: Path, workbook: dict[str, list[dict]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for stem, rows in workbook.items():
        sheet = book.create_sheet(stem)
        columns = list(rows[0])
        sheet.append(columns)
        for row in rows:
            sheet.append([as_excel_cell(c, row[c]) for c in columns])
    book.save(path)
    return path


def data_cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data", "--db", str(db), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def monthly(db: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "metrics", "monthly", "--db", str(db), *args], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def parse(output: str) -> dict[tuple[str, str], str]:
    lines = output.splitlines()
    assert lines and lines[0] == "month,metric,value", lines[:1]
    printed: dict[tuple[str, str], str] = {}
    for row in csv.reader(lines[1:]):
        assert len(row) == 3, row
        key = (row[0], row[1])
        assert key not in printed, f"printed twice: {key}"
        printed[key] = row[2]
    return printed


def check(output: str, expected: dict[str, dict[str, F | None]]) -> None:
    """Every printed value equals the hand-computed one; every defined expected value is printed."""
    printed = parse(output)
    problems = []
    for (month, metric), value in printed.items():
        if metric not in expected or month not in MONTHS:
            if value != "":
                problems.append(f"unexpected {month} {metric} = {value!r}")
    for metric, by_month in expected.items():
        for month, want in by_month.items():
            got = printed.get((month, metric))
            if got is None:
                problems.append(f"{month} {metric}: not printed, expected {fmt(want)!r}")
            elif got != fmt(want):
                problems.append(f"{month} {metric}: printed {got!r}, expected {fmt(want)!r} (= {want})")
    assert not problems, "\n".join(problems)


def summary(stdout: str) -> dict[str, tuple[int, int, int]]:
    """The import's preview table: `table new updated unchanged`, one line per file."""
    counts = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] in WORKBOOK and all(p.isdigit() for p in parts[1:]):
            counts[parts[0]] = (int(parts[1]), int(parts[2]), int(parts[3]))
    return counts


def with_training(expected: dict, coverage: dict) -> dict:
    return {**expected, "training_coverage": coverage}


def copy_db(source: Path, target: Path) -> Path:
    shutil.copy(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copy(wal, target.with_name(target.name + ".wal"))
    return target


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    """A database holding the hand-built workbook, imported from a folder of CSV files through the real CLI."""
    base = tmp_path_factory.mktemp("e2e")
    db = base / "tracker.duckdb"
    assert data_cli(db, "init").returncode == 0
    result = data_cli(db, "import", str(write_folder(base / "workbook", WORKBOOK)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert summary(result.stdout) == {stem: (len(rows), 0, 0) for stem, rows in WORKBOOK.items()}, result.stdout
    return db


# ---------------------------------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------------------------------
def test_the_formatter_follows_the_printing_rule():
    assert [fmt(x) for x in (None, F(0), F(12), F(2, 3), F(1, 2), F("28.6"), F("-16.7"), F(18, 35))] == [
        "", "0", "12", "0.6666666667", "0.5", "28.6", "-16.7", "0.5142857143"]


def test_org_wide_figures(imported):
    check(monthly(imported), ORG)


def test_org_wide_figures_for_a_second_course(imported):
    check(monthly(imported, "--course", IB), with_training(ORG, ORG_IT_BASICS))


def test_child_unit_figures(imported):
    check(monthly(imported, "--unit", "North"), NORTH)


def test_back_office_unit_figures(imported):
    check(monthly(imported, "--unit", "IT"), IT)


def test_unit_and_course_together(imported):
    check(monthly(imported, "--unit", "IT", "--course", IB), with_training(IT, IT_IT_BASICS))
    check(monthly(imported, "--unit", "North", "--course", IB), with_training(NORTH, NORTH_IT_BASICS))


def test_the_same_workbook_as_one_xlsx_gives_the_same_figures(tmp_path):
    db = tmp_path / "x.duckdb"
    assert data_cli(db, "init").returncode == 0
    result = data_cli(db, "import", str(write_xlsx(tmp_path / "programme.xlsx", WORKBOOK)))
    assert result.returncode == 0, result.stdout + result.stderr
    check(monthly(db), ORG)
    check(monthly(db, "--unit", "North"), NORTH)


def test_importing_the_same_folder_again_changes_nothing(imported, tmp_path):
    db = copy_db(imported, tmp_path / "again.duckdb")
    before = monthly(db)
    result = data_cli(db, "import", str(write_folder(tmp_path / "workbook", WORKBOOK)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert summary(result.stdout) == {stem: (0, 0, len(rows)) for stem, rows in WORKBOOK.items()}, result.stdout
    assert monthly(db) == before


def test_dry_run_on_a_fresh_database_writes_nothing(tmp_path):
    db = tmp_path / "dry.duckdb"
    assert data_cli(db, "init").returncode == 0
    result = data_cli(db, "import", str(write_folder(tmp_path / "workbook", WORKBOOK)), "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [row for row in parse(monthly(db)).values() if row != ""]
    store = Store(db)
    try:
        assert store.is_empty()
        assert not any(store.counts().get(stem) for stem in WORKBOOK), store.counts()
    finally:
        close_all()


def test_one_bad_cell_rejects_the_whole_import_and_names_it(imported, tmp_path):
    db = copy_db(imported, tmp_path / "bad.duckdb")
    before = monthly(db)
    bad = {stem: [dict(row) for row in rows] for stem, rows in WORKBOOK.items()}
    # valid changes that would show if anything were written ...
    bad["readings"][0]["value"] = 9.9
    bad["ideas"].append({"idea_id": "I10", "title": "Extra", "unit": "IT", "submitted_on": "2024-03-01",
                         "status": "implemented", "implemented_on": "2024-03-02"})
    # ... and one bad cell: headcount rows are Branches x 5, North x 5, IT x 5, so IT 2024-03 is data row 13,
    # spreadsheet row 13 + 1 (header) = 14
    assert bad["headcount"][12]["unit"] == "IT" and bad["headcount"][12]["month"] == "2024-03"
    bad["headcount"][12]["leavers"] = -1
    result = data_cli(db, "import", str(write_folder(tmp_path / "bad", bad)))
    assert result.returncode == 1, result.stdout + result.stderr
    named = [line for line in result.stderr.splitlines()
             if "headcount" in line and "leavers" in line and re.search(r"(?<![\d-])14(?!\d)", line)]
    assert named, result.stderr
    assert "Traceback" not in result.stderr
    assert monthly(db) == before
