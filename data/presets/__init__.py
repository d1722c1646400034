"""Mappings for the exports organisations already have, each built from the tool's documented export columns, with a
sample export of that shape beside it (written by data/presets/samples.py)."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from data.mapping import HISTORY_TARGET, ExportMapping, Field, signature

SAMPLES = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Preset:
    mapping: ExportMapping
    tool: str
    documented: str  # where the export's columns are documented
    sample: str  # the sample export's file name in this folder
    header: tuple[str, ...]

    @property
    def signature(self) -> str:
        return signature(list(self.header))


SERVICENOW_PRIORITIES = {"1 - Critical": "critical", "2 - High": "high", "3 - Moderate": "moderate", "4 - Low": "low",
                         "5 - Planning": "planning"}
SERVICENOW = Preset(
    ExportMapping("servicenow-incidents", "tickets", {
        "ticket_id": Field("Number"),
        "unit": Field("Assignment group"),
        "opened_at": Field("Opened"),
        "closed_at": Field("Resolved"),
        "status": Field("State", values={"New": "open", "In Progress": "open", "On Hold": "open",
                                         "Resolved": "closed", "Closed": "closed", "Canceled": "closed"}),
    }, promise_from="Priority", promise_values=SERVICENOW_PRIORITIES),
    "ServiceNow (incident list, Export > CSV)",
    "ServiceNow product documentation, Incident form fields and the incident table (number, opened_at, priority "
    "1 - Critical to 5 - Planning, state New / In Progress / On Hold / Resolved / Closed / Canceled, assignment_group, "
    "resolved_at); list exports use the field labels and the system date-time format yyyy-MM-dd HH:mm:ss",
    "servicenow_incidents.csv",
    ("Number", "Opened", "Short description", "Caller", "Priority", "State", "Category", "Assignment group",
     "Assigned to", "Resolved", "Updated"),
)
QUALTRICS = Preset(
    ExportMapping("qualtrics-nps", "survey", {
        "response_id": Field("ResponseId"),
        "date": Field("RecordedDate", date_format="%Y-%m-%d %H:%M:%S"),
        "score": Field("Q1"),
        "unit": Field("Unit"),
    }, extra_header_rows=2),
    "Qualtrics (Data & Analysis > Export data > CSV, numeric values)",
    "Qualtrics support, Data export formats: three header rows (column names, question text, ImportId JSON), metadata "
    "columns StartDate, EndDate, Status, IPAddress, Progress, Duration (in seconds), Finished, RecordedDate, "
    "ResponseId, Recipient fields, ExternalReference, Location fields, DistributionChannel, UserLanguage, then "
    "questions (Q1) and embedded data; the NPS question adds Q1_NPS_GROUP",
    "qualtrics_nps.csv",
    ("StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished", "RecordedDate",
     "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference",
     "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage", "Q1", "Q1_NPS_GROUP", "Q2",
     "Unit"),
)
BAMBOOHR = Preset(
    ExportMapping("bamboohr-job-history", HISTORY_TARGET, {
        "person_id": Field("Employee #"),
        "unit": Field("Department"),
        "effective": Field("Effective Date", date_format="%m/%d/%Y"),
        "status": Field("Employment Status", values={"Full-Time": "in post", "Part-Time": "in post",
                                                     "Contractor": "in post", "Terminated": "left"}),
        "end_reason": Field("Termination Type", values={"Voluntary": "left", "Involuntary": "left",
                                                        "Death": "left", "Retirement": "left"}),
    }),
    "BambooHR (custom report of Job Information and Employment Status history, CSV)",
    "BambooHR help, Job Information and Employment Status tables (effective Date, Department, Division, Job Title, "
    "Employment Status Full-Time / Part-Time / Contractor / Terminated, Termination Type); Employee # identifies the "
    "person; dates in the company's date format (mm/dd/yyyy)",
    "bamboohr_job_history.csv",
    ("Employee #", "Effective Date", "Department", "Division", "Job Title", "Employment Status", "Termination Type"),
)
MOODLE = Preset(
    ExportMapping("moodle-completions", "training_people", {
        "person_id": Field("ID number"),
        "course": Field("Course short name"),
        "date": Field("Time completed", date_format="%A, %d %B %Y, %I:%M %p"),
    }),
    "Moodle (Report builder custom report: course, user and course completion columns, Download as CSV)",
    "Moodle docs, Report builder: Course full name, Course short name, user ID number, Course completion: Completed "
    "and Time completed, written in the site's strftimedatetime format (Monday, 15 January 2024, 10:22 AM)",
    "moodle_completions.csv",
    ("Course full name", "Course short name", "ID number", "Email address", "Completed", "Time completed"),
)
PRESETS = {p.mapping.name: p for p in (SERVICENOW, QUALTRICS, BAMBOOHR, MOODLE)}


def preset_mapping(name: str) -> ExportMapping | None:
    """A copy of a preset's mapping (a lead's corrections never change the preset)."""
    preset = PRESETS.get(name)
    return copy.deepcopy(preset.mapping) if preset else None


def preset_for(header: list[str]) -> ExportMapping | None:
    """The preset whose tool writes exactly these columns, or whose mapped columns the file all has."""
    sig = signature(header)
    for preset in PRESETS.values():
        if preset.signature == sig:
            return copy.deepcopy(preset.mapping)
    names = set(header)
    for preset in PRESETS.values():
        used = {f.source for f in preset.mapping.fields.values() if f.source} | {preset.mapping.promise_from} - {""}
        if used <= names:
            return copy.deepcopy(preset.mapping)
    return None
