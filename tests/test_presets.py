"""Each preset imports its tool's realistic export (hundreds of rows, the tool's own header names, date form and extra
header rows) and the monthly figures match ones worked out from the raw file by a separate, plain-Python reckoning.

The sample exports (data/presets/*.csv) follow the vendors' documented export columns:
- ServiceNow incident list export: ServiceNow product documentation, "Incident form fields" and the incident table
  (number, opened_at, priority 1 - Critical .. 5 - Planning, state New / In Progress / On Hold / Resolved / Closed /
  Canceled, assignment_group, resolved_at), labels as column names, system date-time yyyy-MM-dd HH:mm:ss.
- Qualtrics response export: Qualtrics support, "Data export formats" / "Understanding your dataset": three header
  rows (export tags, question text, ImportId JSON), metadata StartDate .. UserLanguage, Q1 with Q1_NPS_GROUP for an NPS
  question, embedded data after the questions.
- BambooHR job history: BambooHR help, "Job Information" (effective Date, Department, Division, Job Title) and
  "Employment Status" (Date, status, Termination Type) tables, Employee #, company date format mm/dd/yyyy.
- Moodle completions: Moodle docs, "Report builder" custom reports (Course full name, Course short name, user ID
  number, Course completion: Completed, Time completed in strftimedatetime form "Friday, 5 September 2025, 10:53 AM").
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest

from data.importer import run_import
from data.mapping import import_mapped, read_export, set_promise_hours
from data.presets import BAMBOOHR, MOODLE, PRESETS, QUALTRICS, SAMPLES, SERVICENOW, preset_for
from data.presets.samples import DEPARTMENTS, GROUPS, PRIORITY_HOURS
from data.propose import propose
from metrics import calc

MONTHS = ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]
HOURS = {"critical": 4, "high": 8, "moderate": 24, "low": 72, "planning": 168}


def raw(preset) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO((SAMPLES / preset.sample).read_text(encoding="utf-8"))))
    header, records = rows[0], rows[1 + preset.mapping.extra_header_rows:]
    return [dict(zip(header, r, strict=True)) for r in records]


def month_end(month: str) -> date:
    first = date.fromisoformat(f"{month}-01")
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def metric(store, key: str, month: str, **scope) -> float:
    frame = calc.monthly(store, **scope)
    return float(frame[(frame["metric"] == key) & (frame["month"] == month)]["value"].iloc[0])


@pytest.fixture
def org(store):
    units = ["unit,function,parent"] + [f"{u},frontline," for u in DEPARTMENTS if u != "IT"] + ["IT,internal,"]
    units += [f"{g},internal,IT" for g in GROUPS]
    assert run_import(store, {"units.csv": "\n".join(units).encode()}).problems == []
    return store


def imported(store, preset) -> None:
    export, problems = read_export(preset.sample, (SAMPLES / preset.sample).read_bytes())
    assert problems == [] and preset_for(export.header).name == preset.mapping.name
    plan, applied = import_mapped(store, export, preset.mapping)
    assert plan.problems == []
    assert applied.records == len(raw(preset)) or preset is BAMBOOHR
    return applied


def test_every_preset_has_a_sample_of_hundreds_of_rows_in_its_tools_own_columns():
    for preset in PRESETS.values():
        export, _ = read_export(preset.sample, (SAMPLES / preset.sample).read_bytes())
        assert tuple(export.header) == preset.header
        assert len(export.rows) - 1 - preset.mapping.extra_header_rows >= 200
        assert preset.documented


# -- ServiceNow: promised_by from the promise table by priority; a ticket the desk still counts open is open ---------
def servicenow_oracle(unit: str | None = None) -> dict[str, float]:
    closed, within = defaultdict(int), defaultdict(int)
    for r in raw(SERVICENOW):
        if unit and r["Assignment group"] != unit:
            continue
        if r["State"] not in ("Resolved", "Closed") or not r["Resolved"]:
            continue
        opened = datetime.strptime(r["Opened"], "%Y-%m-%d %H:%M:%S")
        resolved = datetime.strptime(r["Resolved"], "%Y-%m-%d %H:%M:%S")
        promised = opened + timedelta(hours=PRIORITY_HOURS[r["Priority"]])
        month = f"{resolved:%Y-%m}"
        closed[month] += 1
        within[month] += resolved.date() <= promised.date()
    return {m: within[m] / closed[m] for m in closed}


def test_servicenow_tickets_within_promise_match_the_reckoning(org):
    set_promise_hours(org, HOURS)
    applied = imported(org, SERVICENOW)
    assert "Short description" in applied.left_out and "Caller" in applied.left_out
    expected = servicenow_oracle()
    for month in MONTHS:
        assert metric(org, "tickets_within_promise", month) == pytest.approx(expected[month])
    desk = servicenow_oracle("Service Desk")
    assert metric(org, "tickets_within_promise", "2025-10", unit="Service Desk") == pytest.approx(desk["2025-10"])
    # Reopened tickets (In Progress with a resolution date) are open: no closing time stored.
    reopened = [r["Number"] for r in raw(SERVICENOW) if r["State"] == "In Progress" and r["Resolved"]]
    assert reopened and org.scalar("SELECT count(*) FROM tickets WHERE closed_at IS NOT NULL AND ticket_id IN "
                                   "(SELECT unnest(?))", [reopened]) == 0


def test_a_priority_without_a_promise_is_a_problem_naming_row_and_column(org):
    set_promise_hours(org, {k: v for k, v in HOURS.items() if k != "planning"})
    export, _ = read_export(SERVICENOW.sample, (SAMPLES / SERVICENOW.sample).read_bytes())
    plan, _ = import_mapped(org, export, PRESETS["servicenow-incidents"].mapping)
    planning = [i + 2 for i, r in enumerate(raw(SERVICENOW)) if r["Priority"] == "5 - Planning"]
    assert [p.row for p in plan.problems] == planning
    assert {p.column for p in plan.problems} == {"Priority (promised_by)"}
    assert org.scalar("SELECT count(*) FROM tickets") == 0


# -- Qualtrics: two extra header rows, RecordedDate, the 0-10 question ----------------------------------------------
def nps(scores: list[int]) -> float:
    net = sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)
    tenths = (2000 * abs(net) + len(scores)) // (2 * len(scores))
    return (1 if net >= 0 else -1) * tenths / 10


def test_qualtrics_nps_matches_the_reckoning(org):
    imported(org, QUALTRICS)
    by_month, by_unit = defaultdict(list), defaultdict(list)
    for r in raw(QUALTRICS):
        month = r["RecordedDate"][:7]
        by_month[month].append(int(r["Q1"]))
        by_unit[(r["Unit"], month)].append(int(r["Q1"]))
    assert sum(len(v) for v in by_month.values()) == 300
    for month in MONTHS:
        assert metric(org, "nps", month) == pytest.approx(nps(by_month[month]))
    assert metric(org, "nps", "2025-09", unit="Finance") == pytest.approx(nps(by_unit[("Finance", "2025-09")]))


def test_the_proposal_reads_a_qualtrics_export_without_the_preset(org):
    export, _ = read_export(QUALTRICS.sample, (SAMPLES / QUALTRICS.sample).read_bytes())
    proposed = propose(org, export)
    assert proposed.target == "survey" and proposed.extra_header_rows == 2
    assert {k: f.source for k, f in proposed.fields.items()} == {
        "response_id": "ResponseId", "date": "RecordedDate", "score": "Q1", "unit": "Unit"}
    plan, _ = import_mapped(org, export, proposed, dry_run=True)
    assert plan.problems == [] and plan.preview["survey"]["new"] == 300


# -- BambooHR job history -> roster spells; Moodle completions by person -----------------------------------------------
def history() -> dict[str, list[tuple[date, str, str]]]:
    people = defaultdict(list)
    for r in raw(BAMBOOHR):
        people[r["Employee #"]].append((datetime.strptime(r["Effective Date"], "%m/%d/%Y").date(), r["Department"],
                                        r["Employment Status"]))
    return {p: sorted(rows, key=lambda x: x[0]) for p, rows in people.items()}


def unit_on(rows: list[tuple[date, str, str]], day: date) -> str | None:
    """Where a person is on a day, read straight off the history: the latest row on or before it (a leaving's own
    date is the last day in post)."""
    before = [r for r in rows if r[0] <= day]
    if not before:
        return None
    when, unit, status = before[-1]
    if status != "Terminated":
        return unit
    return unit if when == day else None


def bamboo_oracle(month: str) -> tuple[dict[str, int], dict[str, int]]:
    end, first = month_end(month), date.fromisoformat(f"{month}-01")
    heads, leavers = defaultdict(int), defaultdict(int)
    for rows in history().values():
        if unit := unit_on(rows, end):
            heads[unit] += 1
        for when, unit, status in rows:
            if status == "Terminated" and first <= when <= end:
                leavers[unit] += 1
    return heads, leavers


def test_bamboohr_history_gives_the_headcount_and_leavers_of_the_reckoning(org):
    imported(org, BAMBOOHR)
    moves = sum(1 for rows in history().values() for a, b in zip(rows, rows[1:], strict=False)
                if a[2] != "Terminated" and b[2] != "Terminated" and a[1] != b[1])
    assert moves > 20 and org.scalar("SELECT count(*) FROM roster WHERE end_reason = 'moved'") == moves
    for month in ("2023-06", "2024-02", "2024-11", "2025-06", "2025-12"):
        heads, leavers = bamboo_oracle(month)
        stored = {u: (h, left) for u, h, left in org.rows(
            "SELECT unit, headcount, leavers FROM staff_months WHERE month = ?", [f"{month}-01"])}
        assert {u: h for u, (h, _) in stored.items() if h} == {u: h for u, h in heads.items()}
        assert {u: left for u, (_, left) in stored.items() if left} == dict(leavers)
    # Churn over the last 12 months of December 2025, organisation-wide, from the reckoning's own figures.
    window = [f"{y}-{m:02d}" for y, m in [(2025, m) for m in range(1, 13)]]
    figures = [bamboo_oracle(m) for m in window]
    expected = sum(sum(lv.values()) for _, lv in figures) / (sum(sum(h.values()) for h, _ in figures) / 12)
    assert metric(org, "churn_annualised", "2025-12") == pytest.approx(expected)


def test_moodle_completions_give_people_based_coverage_of_the_reckoning(org):
    imported(org, BAMBOOHR)
    imported(org, MOODLE)
    done = defaultdict(list)
    for r in raw(MOODLE):
        if r["Course short name"] == "service-excellence":
            done[r["ID number"]].append(datetime.strptime(r["Time completed"], "%A, %d %B %Y, %I:%M %p").date())
    people = history()
    for month in ("2024-09", "2025-03", "2025-12"):
        end = month_end(month)
        present = {p for p, rows in people.items() if unit_on(rows, end)}
        trained = {p for p in present if any(d <= end for d in done.get(p, []))}
        assert metric(org, "training_coverage", month, course="service-excellence") == pytest.approx(
            len(trained) / len(present))
        sales = {p for p in present if unit_on(people[p], end) == "Sales"}
        assert metric(org, "training_coverage", month, unit="Sales", course="service-excellence") == pytest.approx(
            len(sales & trained) / len(sales))
