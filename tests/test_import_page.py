"""The Import page under AppTest on a real DuckDB file: upload, every problem shown, confirm all or nothing."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data import uploads
from data.store import Store, close_all
from tests.conftest import shown_tables

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
APP_TIMEOUT_S = 60
UNITS = b"unit,function,parent\nNorth,frontline,\nIT,internal,\n"
HEADCOUNT_BAD = b"month,unit,headcount,leavers\n2026-01,North,40,1\n2026-01,Nort,10,0\n2026-02,North,-4,2\n"
HEADCOUNT_GOOD = b"month,unit,headcount,leavers\n2026-01,North,40,1\n2026-01,IT,10,0\n2026-02,North,41,2\n"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "tracker.duckdb"
    monkeypatch.setenv("TRACKER_DB", str(path))
    return path


@pytest.fixture
def empty_db(db):
    Store(db)  # an existing file, as `python -m data init` leaves it: no demo
    close_all()
    return db


def import_page() -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S).run()
    at.switch_page("pages/import.py").run()
    assert not at.exception
    return at


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, "text/csv") for name, data in files]).run()
    assert not at.exception
    return at


def table_with(at: AppTest, *columns: str):
    """The one table on the page with exactly these columns (AppTest does not expose a dataframe's key)."""
    [table] = [d.value for d in at.dataframe if list(d.value.columns) == list(columns)]
    return table


def problems(at: AppTest):
    [table] = [t for t in shown_tables(at) if list(t.columns) == ["file", "row", "column", "reason"]]
    return table


def preview(at: AppTest) -> list[dict]:
    return table_with(at, "table", "new", "updated", "unchanged").to_dict("records")


def problem_rows(at: AppTest) -> list[tuple]:
    return list(problems(at)[["file", "row", "column"]].itertuples(index=False, name=None))


def test_a_defective_upload_lists_every_problem_and_cannot_be_confirmed(empty_db):
    at = upload(import_page(), ("units.csv", UNITS), ("headcount.csv", HEADCOUNT_BAD))
    assert "2 problems" in at.error[0].value
    assert problem_rows(at) == [("headcount.csv", 3, "unit"), ("headcount.csv", 4, "headcount")]
    assert "did you mean" in problems(at)["reason"][0]
    assert at.button(key="import_confirm").disabled
    assert preview(at) == [
        {"table": "units", "new": 2, "updated": 0, "unchanged": 0}]  # the tables that passed
    assert Store(empty_db).is_empty()


def test_a_fixed_upload_previews_then_imports_everything_at_once(empty_db):
    at = upload(import_page(), ("units.csv", UNITS), ("headcount.csv", HEADCOUNT_GOOD))
    assert not at.error
    assert preview(at) == [
        {"table": "units", "new": 2, "updated": 0, "unchanged": 0},
        {"table": "headcount", "new": 3, "updated": 0, "unchanged": 0}]
    confirm = at.button(key="import_confirm")
    assert not confirm.disabled and confirm.label == "Import 5 new or changed records"
    confirm.click().run()
    assert not at.exception
    assert "5 records added or changed" in at.success[0].value
    store = Store(empty_db)
    assert store.counts()["units"] == 2 and store.counts()["headcount"] == 3
    assert store.audit_log(1)["action"][0] == "import"
    assert at.file_uploader[0].value == []  # a fresh uploader for the next import


def test_reimporting_the_same_files_offers_nothing_to_write(empty_db):
    at = upload(import_page(), ("units.csv", UNITS))
    at.button(key="import_confirm").click().run()
    at = upload(at, ("units.csv", UNITS))
    assert "would change nothing" in at.info[0].value
    assert at.button(key="import_confirm").disabled


def test_an_upload_over_the_limit_is_refused_naming_the_limit(empty_db, monkeypatch):
    monkeypatch.setattr(uploads, "max_upload_mb", lambda *a: 1)
    big = b"unit,function,parent\n" + b"x" * (uploads.MB + 10)
    at = upload(import_page(), ("units.csv", big))
    assert "over the upload limit of 1 MB" in at.error[0].value
    assert not at.button  # nothing to confirm


def test_upload_problems_check_each_file_and_the_total():
    assert uploads.upload_problems({"a.csv": b"x" * 10}, 1) == []
    assert "a.csv is 1.0 MB" in uploads.upload_problems({"a.csv": b"x" * (uploads.MB + 1)}, 1)[0]
    both = uploads.upload_problems({"a.csv": b"x" * (uploads.MB // 2 + 1), "b.csv": b"x" * (uploads.MB // 2 + 1)}, 1)
    assert len(both) == 1 and "add up to" in both[0]
    assert uploads.max_upload_mb() == 50  # .streamlit/config.toml server.maxUploadSize


def test_the_demo_is_refused_with_a_link_to_the_data_page(db):
    at = import_page()  # first run: the demo programme
    assert "holds the demo programme" in at.warning[0].value
    assert not at.file_uploader
    assert at.get("page_link")[0].proto.page.endswith("data")


def test_the_template_can_be_downloaded(empty_db):
    at = import_page()
    assert at.get("download_button")[0].proto.label == "Download the workbook template"


def test_an_executive_cannot_open_the_import_page(db, monkeypatch):
    monkeypatch.setenv("TRACKER_LEADS", "lead@example.org")
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S)
    at.user = {"is_logged_in": True, "email": "board@example.org"}
    at.run()
    for page in ("pages/import.py", "pages/history.py", "pages/metric_registry.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
