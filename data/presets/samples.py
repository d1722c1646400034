"""Writes each preset's sample export in the tool's own shape (`python -m data.presets.samples`); seeded, so the files
in this folder are exactly what it writes. The fictional organisation's units: Sales, Customer Service, IT, Finance
and Operations; its service desk's groups: Service Desk, Network, Field Services, Business Applications."""
from __future__ import annotations

import csv
import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from data.presets import BAMBOOHR, MOODLE, QUALTRICS, SAMPLES, SERVICENOW

SEED = 15
DEPARTMENTS = ("Sales", "Customer Service", "IT", "Finance", "Operations")
GROUPS = ("Service Desk", "Network", "Field Services", "Business Applications")
FIRST_DAY, LAST_DAY = date(2025, 7, 1), date(2025, 12, 31)
TICKETS, RESPONSES, PEOPLE = 360, 300, 120
PRIORITY_HOURS = {"1 - Critical": 4, "2 - High": 8, "3 - Moderate": 24, "4 - Low": 72, "5 - Planning": 168}
PRIORITY_WEIGHTS = (3, 12, 55, 25, 5)
# (full name, short name, share of people who complete it)
COURSES = (("Service Excellence for All", "service-excellence", 0.9), ("Leading Service", "leading-service", 0.5),
           ("Train the Trainer", "train-the-trainer", 0.4))


def _moment(rng: random.Random, first: date, last: date) -> datetime:
    day = first + timedelta(days=rng.randrange((last - first).days + 1))
    return datetime(day.year, day.month, day.day, rng.randrange(7, 19), rng.randrange(60), rng.randrange(60))


def _incident(rng: random.Random, number: int) -> list[str]:
    opened = _moment(rng, FIRST_DAY, LAST_DAY - timedelta(days=3))
    priority = rng.choices(list(PRIORITY_HOURS), PRIORITY_WEIGHTS)[0]
    # Most tickets close within about their promise, some well after; a few are still open or were reopened.
    taken = timedelta(hours=PRIORITY_HOURS[priority] * rng.uniform(0.1, 1.6))
    resolved = opened + taken
    state = rng.choices(("Closed", "Resolved", "In Progress", "On Hold", "New", "Canceled"), (60, 22, 8, 4, 3, 3))[0]
    shown = resolved if state in ("Closed", "Resolved") or (state == "In Progress" and rng.random() < 0.3) else None
    if state == "Canceled":
        shown = None
    updated = (shown or opened) + timedelta(hours=1)
    summary = rng.choice(("Cannot log in", "Printer offline", "VPN drops", "Laptop slow", "Access request"))
    category = rng.choice(("Inquiry / Help", "Software", "Hardware", "Network"))
    return [f"INC{number:07d}", f"{opened:%Y-%m-%d %H:%M:%S}", summary, "", priority, state, category,
            rng.choice(GROUPS), "", f"{shown:%Y-%m-%d %H:%M:%S}" if shown else "", f"{updated:%Y-%m-%d %H:%M:%S}"]


def servicenow(rng: random.Random) -> list[list[str]]:
    rows = [_incident(rng, 10000 + i) for i in range(TICKETS)]
    return [list(SERVICENOW.header), *sorted(rows, key=lambda r: r[1])]


def _nps_group(score: int) -> str:
    return "Promoter" if score >= 9 else "Passive" if score >= 7 else "Detractor"


def _response(rng: random.Random, n: int) -> list[str]:
    recorded = _moment(rng, FIRST_DAY, LAST_DAY)
    started = recorded - timedelta(seconds=rng.randrange(40, 600))
    score = rng.choices(range(11), (2, 1, 2, 3, 3, 5, 7, 12, 18, 22, 25))[0]
    return [f"{started:%Y-%m-%d %H:%M:%S}", f"{recorded:%Y-%m-%d %H:%M:%S}", "IP Address", "", "100",
            str(int((recorded - started).total_seconds())), "True", f"{recorded:%Y-%m-%d %H:%M:%S}",
            f"R_{rng.getrandbits(60):015x}"[:17], "", "", "", "", "", "", "anonymous", "EN", str(score),
            _nps_group(score), rng.choice(("Quick answer", "Friendly staff", "Had to call twice", "")),
            rng.choice(DEPARTMENTS)]


def qualtrics(rng: random.Random) -> list[list[str]]:
    header = list(QUALTRICS.header)
    questions = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)",
                 "Finished", "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name",
                 "Recipient Email", "External Data Reference", "Location Latitude", "Location Longitude",
                 "Distribution Channel", "User Language",
                 "How likely are you to recommend our service to a friend or colleague?",
                 "How likely are you to recommend our service to a friend or colleague? - Group",
                 "What is the main reason for your score?", "Unit"]
    ids = ["startDate", "endDate", "status", "ipAddress", "progress", "duration", "finished", "recordedDate",
           "_recordId", "recipientLastName", "recipientFirstName", "recipientEmail", "externalDataReference",
           "locationLatitude", "locationLongitude", "distributionChannel", "userLanguage", "QID1", "QID1_NPS_GROUP",
           "QID2_TEXT", "Unit"]
    import_ids = [json.dumps({"ImportId": i, "timeZone": "Europe/London"} if i.endswith("Date") else {"ImportId": i},
                             separators=(",", ":")) for i in ids]
    rows = sorted((_response(rng, n) for n in range(RESPONSES)), key=lambda r: r[7])
    return [header, questions, import_ids, *rows]


def _person_history(rng: random.Random, number: int) -> list[list[str]]:
    """One person's rows: a hire, maybe moves, title changes, a leaving and a re-hire."""
    rows = []
    day = date(2023, 1, 2) + timedelta(days=rng.randrange(900))
    department = rng.choice(DEPARTMENTS)
    status = rng.choice(("Full-Time", "Full-Time", "Full-Time", "Part-Time"))
    rows.append([day, department, status, ""])
    while day < LAST_DAY - timedelta(days=30) and len(rows) < 6:
        day += timedelta(days=rng.randrange(20, 400))
        if day > LAST_DAY:
            break
        event = rng.choices(("move", "title", "leave"), (3, 3, 2))[0]
        if event == "move":
            department = rng.choice([d for d in DEPARTMENTS if d != department])
            rows.append([day, department, status, ""])
        elif event == "title":
            rows.append([day, department, status, ""])
        else:
            rows.append([day, department, "Terminated", rng.choice(("Voluntary", "Voluntary", "Involuntary"))])
            if rng.random() < 0.3 and day < LAST_DAY - timedelta(days=60):
                day += timedelta(days=rng.randrange(30, 200))
                if day <= LAST_DAY:
                    department = rng.choice(DEPARTMENTS)
                    rows.append([day, department, status, ""])
                    continue
            break
    titles = ("Associate", "Specialist", "Analyst", "Team Lead", "Manager")
    return [[f"E{number}", f"{d:%m/%d/%Y}", dept, "Shared Services" if dept in ("IT", "Finance") else "Front Line",
             rng.choice(titles), st, term] for d, dept, st, term in rows]


def bamboohr(rng: random.Random) -> list[list[str]]:
    rows = [row for n in range(PEOPLE) for row in _person_history(rng, 1001 + n)]
    return [list(BAMBOOHR.header), *rows]


def moodle(rng: random.Random, history: list[list[str]]) -> list[list[str]]:
    """Completions by people of the HR history, some before they joined or after they left, a few twice."""
    people = sorted({row[0] for row in history[1:]})
    rows = []
    for person in people:
        for full, short, share in COURSES:
            if rng.random() < share:
                times = 2 if rng.random() < 0.05 else 1
                for _ in range(times):
                    done = _moment(rng, date(2024, 6, 1), LAST_DAY)
                    rows.append([full, short, person, f"{person.lower()}@example.org", "Yes",
                                 done.strftime("%A, %d %B %Y, %I:%M %p").replace(" 0", " ", 1)])
    return [list(MOODLE.header), *rows]


def write_samples(folder: Path = SAMPLES) -> None:
    rng = random.Random(SEED)
    history = bamboohr(rng)
    files = {SERVICENOW.sample: servicenow(rng), QUALTRICS.sample: qualtrics(rng), BAMBOOHR.sample: history,
             MOODLE.sample: moodle(rng, history)}
    for name, rows in files.items():
        with (folder / name).open("w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows(rows)


if __name__ == "__main__":
    write_samples()
