"""Any export mapped once: proposals by name and content, value mappings, saved mappings found by their columns, and
every gap a problem located by the export's own file, row and column."""
from __future__ import annotations

import pytest

from data.importer import run_import
from data.mapping import (
    ExportMapping,
    Field,
    import_mapped,
    mapping_for,
    read_export,
    save_mapping,
    saved_mapping,
    set_promise_hours,
    signature,
)
from data.propose import propose
from data.store import StoreError
from metrics import calc

UNITS = b"unit,function,parent\nService Desk,internal,\nNetwork,internal,\nSales,frontline,\n"
# A Jira-style export: its own names, day-first dates, statuses of its own, a misspelt team and a column we ignore.
JIRA = """Issue key,Summary,Team,Created,Resolved,Status,Priority
SD-1,Printer,Service Desk,03/02/2025 09:00,03/02/2025 15:00,Done,High
SD-2,VPN,Network,04/02/2025 10:30,10/02/2025 08:00,Done,Low
SD-3,Login,Servce Desk,05/02/2025 11:00,,In Progress,High
SD-4,Laptop,Service Desk,14/02/2025 08:00,20/02/2025 08:00,Won't fix,Medium
"""


@pytest.fixture
def org(store):
    assert run_import(store, {"units.csv": UNITS}).problems == []
    set_promise_hours(store, {"High": 8, "Medium": 24, "Low": 72})
    return store


def export_of(text: str, name: str = "jira.csv"):
    export, problems = read_export(name, text.encode())
    assert problems == []
    return export


def where(plan) -> list[tuple]:
    return [(p.file, p.row, p.column) for p in plan.problems]


def test_the_proposal_names_columns_dates_and_near_unit_names(org):
    mapping = propose(org, export_of(JIRA))
    assert mapping.target == "tickets"
    assert {k: f.source for k, f in mapping.fields.items()} == {
        "ticket_id": "Issue key", "unit": "Team", "opened_at": "Created", "closed_at": "Resolved", "status": "Status"}
    assert mapping.fields["opened_at"].date_format == "%d/%m/%Y %H:%M"  # 14/02 rules out month-first
    assert mapping.fields["unit"].values == {"Servce Desk": "Service Desk"}
    assert mapping.fields["status"].values == {"Done": "closed", "In Progress": "open"}  # "Won't fix" is unknown
    assert mapping.promise_from == "Priority"


def test_an_unmatched_value_is_a_problem_on_its_row_and_column_and_nothing_is_written(org):
    export = export_of(JIRA)
    plan, _ = import_mapped(org, export, propose(org, export))
    assert where(plan) == [("jira.csv", 5, "Status (status)")]
    assert "Won't fix" in plan.problems[0].reason
    assert org.scalar("SELECT count(*) FROM tickets") == 0


def test_a_corrected_mapping_imports_and_the_figures_follow(org):
    export = export_of(JIRA)
    mapping = propose(org, export)
    mapping.fields["status"].values["Won't fix"] = "closed"
    plan, applied = import_mapped(org, export, mapping)
    assert plan.problems == [] and plan.written["tickets"]["new"] == 4
    assert applied.left_out == ["Summary"]
    # A column with values but no name is named too: nothing the file holds is left out in silence.
    _, applied = import_mapped(org, export_of(JIRA.replace(",High\n", ",High,urgent\n", 1)), mapping, dry_run=True)
    assert applied.left_out == ["Summary", "the unnamed column 8"]
    # SD-1 closed on its promised day (8 h), SD-2 after its 72 h, SD-4 after 24 h; SD-3 is open.
    frame = calc.monthly(org)
    within = frame[(frame["metric"] == "tickets_within_promise") & (frame["month"] == "2025-02")]["value"].iloc[0]
    assert within == pytest.approx(1 / 3)
    assert org.scalar("SELECT unit FROM tickets WHERE ticket_id = 'SD-3'") == "Service Desk"
    assert org.scalar("SELECT closed_at FROM tickets WHERE ticket_id = 'SD-3'") is None


def test_an_unmapped_required_field_is_a_problem_naming_the_field(org):
    export = export_of(JIRA)
    mapping = propose(org, export)
    del mapping.fields["opened_at"]
    plan, _ = import_mapped(org, export, mapping)
    assert where(plan) == [("jira.csv", 1, "opened_at")]
    assert "no column of the file is mapped" in plan.problems[0].reason


def test_a_date_not_in_the_declared_form_and_an_import_problem_name_the_exports_column(org):
    text = JIRA.replace("14/02/2025 08:00", "2025-02-14", 1).replace("Servce Desk", "Helpdesk")
    export = export_of(text)
    mapping = propose(org, export)
    mapping.fields["status"].values["Won't fix"] = "closed"
    mapping.fields["opened_at"].date_format = "%d/%m/%Y %H:%M"
    plan, _ = import_mapped(org, export, mapping)
    assert ("jira.csv", 5, "Created (opened_at)") in where(plan)
    unit = next(p for p in plan.problems if p.row == 4)
    assert unit.column == "Team (unit)" and "Helpdesk" in unit.reason


def test_a_saved_mapping_is_found_for_the_next_file_with_the_same_columns(org):
    export = export_of(JIRA)
    mapping = propose(org, export, name="Jira service desk")
    mapping.fields["status"].values["Won't fix"] = "closed"
    save_mapping(org, mapping, export.header)
    reordered = "Priority,Issue key,Summary,Team,Created,Resolved,Status\nHigh,SD-9,Mouse,Network,03/03/2025 09:00," \
                "03/03/2025 10:00,Won't fix\n"
    found = mapping_for(org, export_of(reordered).header)
    assert found is not None and found.name == "Jira service desk"
    assert found.fields["status"].values["Won't fix"] == "closed"
    assert mapping_for(org, ["Issue key", "Created"]) is None
    assert saved_mapping(org, "Jira service desk") == found
    assert org.scalar("SELECT count(*) FROM audit WHERE table_name = 'mappings'") == 1
    with pytest.raises(StoreError):
        save_mapping(org, ExportMapping(" ", "tickets"), export.header)
    assert signature(["B", "a"]) == signature(["A ", "b"])


# SurveyMonkey-style: a second header row under the question, scores given as labels, US dates with AM/PM.
MONKEY = """Respondent ID,Start Date,End Date,How likely is it that you would recommend us?,Department
,,,Response,
1001,01/15/2025 09:01:00 AM,01/15/2025 09:03:10 AM,10 - Extremely likely,Sales
1002,01/16/2025 01:01:00 PM,01/16/2025 01:02:00 PM,9,Sales
1003,01/20/2025 10:00:00 AM,01/20/2025 10:04:00 AM,0 - Not at all likely,Network
1004,02/02/2025 11:00:00 AM,02/02/2025 11:01:00 AM,Somewhat likely,Sales
1003,02/03/2025 11:00:00 AM,02/03/2025 11:01:00 AM,7,Sales
"""


def test_a_survey_score_from_its_label_with_an_extra_header_row(org):
    export = export_of(MONKEY, "monkey.csv")
    mapping = propose(org, export)
    assert mapping.target == "survey" and mapping.extra_header_rows == 1
    assert mapping.fields["score"].source == "How likely is it that you would recommend us?"
    assert mapping.fields["score"].values == {"10 - Extremely likely": "10", "0 - Not at all likely": "0"}
    assert mapping.fields["date"].source == "End Date"
    plan, _ = import_mapped(org, export, mapping)
    # The unlabelled label is the import's problem on its own row; the repeated respondent names the first row,
    # both numbered as the export shows them (the extra header row counts).
    assert sorted(where(plan)) == [("monkey.csv", 6, "How likely is it that you would recommend us? (score)"),
                                   ("monkey.csv", 7, "Respondent ID (response_id)")]
    assert "row 5" in next(p.reason for p in plan.problems if p.row == 7)
    mapping.fields["score"].values["Somewhat likely"] = "7"
    export = export_of(MONKEY.replace("1003,02/03", "1005,02/03"), "monkey.csv")
    plan, _ = import_mapped(org, export, mapping)
    assert plan.problems == []
    frame = calc.monthly(org)
    nps = frame[(frame["metric"] == "nps")].set_index("month")["value"]
    assert nps["2025-01"] == pytest.approx(33.3)  # 2 promoters, 1 detractor of 3
    assert nps["2025-02"] == pytest.approx(0.0)  # two passives


def test_a_constant_fills_a_field_the_export_lacks(org):
    text = "Employee,Completed on\nE1,2025-01-10\n"
    run_import(org, {"roster.csv": b"person_id,unit,start,end,end_reason\nE1,Sales,2024-01-01,,\n"})
    export = export_of(text, "lms.csv")
    mapping = ExportMapping("lms", "training_people", {"person_id": Field("Employee"), "date": Field("Completed on"),
                                                       "course": Field(constant="service-excellence")})
    plan, _ = import_mapped(org, export, mapping)
    assert plan.problems == [] and org.rows("SELECT person_id, course FROM training_people") == [
        ("E1", "service-excellence")]


def test_the_command_line_imports_an_export_through_a_saved_mapping_for_cron(org, tmp_path):
    from data.store import close_all
    from tests.test_cli import run_cli

    export = export_of(JIRA)
    mapping = propose(org, export, name="jira")
    save_mapping(org, mapping, export.header)
    db = org.path
    close_all()
    (tmp_path / "jira-march.csv").write_text(JIRA, encoding="utf-8")
    failed = run_cli("import", str(tmp_path / "jira-march.csv"), "--mapping", "jira", db=db)
    assert failed.returncode == 1
    assert 'jira-march.csv, row 5, column Status (status): has the value "Won\'t fix"' in failed.stderr
    assert "1 problem(s); nothing was written." in failed.stderr
    (tmp_path / "jira-march.csv").write_text(JIRA.replace("Won't fix", "Done"), encoding="utf-8")
    done = run_cli("import", str(tmp_path / "jira-march.csv"), "--mapping", "jira", db=db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{tmp_path / 'jira-march.csv'} via jira: 4 rows imported into tickets "
                                        "(4 new, 0 updated, 0 unchanged)"]
    # Without --mapping, the file's own mapping is named in the command to run.
    plain = run_cli("import", str(tmp_path / "jira-march.csv"), db=db)
    assert plain.returncode == 1
    assert f'python -m data import {tmp_path / "jira-march.csv"} --mapping "jira"' in plain.stderr
    unknown = run_cli("import", str(tmp_path / "jira-march.csv"), "--mapping", "nope", db=db)
    assert unknown.returncode == 1 and "servicenow-incidents" in unknown.stderr


def test_promised_hours_must_be_a_positive_number_for_a_named_priority(org):
    for bad in ({"High": 0}, {"High": float("nan")}, {"": 4}, {"High": "soon"}):
        with pytest.raises(StoreError, match="hours above 0"):
            set_promise_hours(org, bad)
    assert org.rows("SELECT priority, hours FROM promise_hours ORDER BY hours") == [
        ("High", 8.0), ("Medium", 24.0), ("Low", 72.0)]


def workday_style_workbook() -> bytes:
    """An HR report exported to Excel as Workday-style reports are: the report's title in row 1 above the column
    names, real date cells, the workers' names beside their ids, and a second sheet of report notes."""
    import io
    from datetime import datetime

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Workers"
    sheet.append(["Active and Terminated Workers"])
    sheet.append(["Employee ID", "Worker", "Supervisory Organization", "Hire Date", "Termination Date",
                  "Termination Reason"])
    sheet.append(["E1", "Ann Smith", "Sales", datetime(2024, 12, 2), None, None])
    sheet.append(["E2", "Bo Chen", "Network", datetime(2024, 11, 15), datetime(2025, 1, 31), "Resignation"])
    sheet.append(["E3", "Cy Diaz", "Sales", datetime(2025, 1, 6), datetime(2025, 1, 20), "Involuntary"])
    sheet.append(["E4", "Di Eze", "Marketing", datetime(2025, 1, 13), None, None])
    book.create_sheet("Report notes").append(["Run by HR on 2025-02-03"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_report_with_a_title_row_maps_and_keeps_its_row_numbers(org):
    from data.mapping import is_tracker_file, set_aside

    data = workday_style_workbook()
    assert not is_tracker_file("workers.xlsx", data)
    export, problems = read_export("workers.xlsx", data)
    assert problems == [] and export.header[0] == "Employee ID"
    assert set_aside(export) == [
        "Row 1 (Active and Terminated Workers) above the column names is the report's title, not records; the "
        "column names are in row 2.",
        "Only the first sheet is read; the workbook's other sheets (Report notes) are not imported: upload each on "
        "its own."]
    mapping = propose(org, export, name="Workday workers")
    assert mapping.target == "roster"
    assert {k: f.source for k, f in mapping.fields.items()} == {
        "person_id": "Employee ID", "unit": "Supervisory Organization", "start": "Hire Date",
        "end": "Termination Date", "end_reason": "Termination Reason"}
    assert mapping.fields["end_reason"].values == {"Resignation": "left", "Involuntary": "left"}
    plan, applied = import_mapped(org, export, mapping)
    assert applied.left_out == ["Worker"]  # names are never read
    # E4's unit is on spreadsheet row 6 (title, header, then E1 to E4).
    assert where(plan) == [("workers.xlsx, sheet Workers", 6, "Supervisory Organization (unit)")]
    assert "Marketing" in plan.problems[0].reason
    mapping.fields["unit"].values["Marketing"] = "Sales"
    plan, _ = import_mapped(org, export, mapping)
    assert plan.problems == [] and plan.written["roster"]["new"] == 4
    months = {(u, h, left) for u, h, left in org.rows(
        "SELECT unit, headcount, leavers FROM staff_months WHERE month = DATE '2025-01-01'")}
    # Sales at the end of January: E1 and E4 (E3 left on the 20th, a leaver); Network: E2 left on the month's last
    # day, so still in its month-end headcount and a January leaver.
    assert months == {("Sales", 2, 1), ("Network", 1, 1)}


def test_a_mapping_saved_for_text_dates_reads_the_same_report_saved_from_excel(org):
    import io
    from datetime import datetime

    import openpyxl

    csv_export = export_of(JIRA)
    mapping = propose(org, csv_export)
    mapping.fields["status"].values["Won't fix"] = "closed"
    assert mapping.fields["opened_at"].date_format == "%d/%m/%Y %H:%M"
    book = openpyxl.Workbook()
    book.active.append(csv_export.header)
    book.active.append(["SD-7", "Mouse", "Sales", datetime(2025, 3, 3, 9, 0), datetime(2025, 3, 3, 11, 0), "Done",
                        "High"])
    book.active.append(["SD-8", "Dock", "Sales", "04/03/2025 09:00", "", "In Progress", "Low"])  # a text date
    out = io.BytesIO()
    book.save(out)
    export, _ = read_export("jira-march.xlsx", out.getvalue())
    plan, _ = import_mapped(org, export, mapping)
    assert plan.problems == []
    assert org.rows("SELECT ticket_id, strftime(opened_at, '%Y-%m-%d %H:%M') FROM tickets ORDER BY 1") == [
        ("SD-7", "2025-03-03 09:00"), ("SD-8", "2025-03-04 09:00")]
