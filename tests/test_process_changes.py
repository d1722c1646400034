"""Process changes: initiatives' starts and changes marked by hand, stored and audited, used by the chart, the cards,
the board pack and the command line; marked and removed on the Process behaviour page."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data import records
from data.store import Store, close_all
from metrics import changes
from tests.test_metrics import build_store, run_cli
from tests.test_xmr import months
from ui.executive import compute_overview
from ui.filters import Filters

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
APP_TIMEOUT_S = 120
# A reported metric that stepped up twice: about 10, then about 20 from 2024-07, then about 30 from 2025-01.
STEPS = [10, 12, 10, 12, 10, 12, 20, 22, 20, 22, 20, 22, 30, 32, 30, 32, 30, 31.5]


def stepped(path: Path, **extra) -> Store:
    return build_store(path, readings=[{"month": m, "metric": "satisfaction", "value": v}
                                       for m, v in zip(months(len(STEPS)), STEPS, strict=True)], **extra)


def mark(store: Store, month: str, reason: str, unit: str = "") -> records.SaveResult:
    return records.save_rows(store, "process_changes", pd.DataFrame(
        [{"metric": "satisfaction", "month": month, "unit": unit, "reason": reason}]))


def test_changes_marked_by_hand_and_initiatives_starts_are_the_metrics_process_changes(tmp_path):
    store = stepped(tmp_path / "t.duckdb", initiatives=[
        {"name": "Lounge refit", "status": "done", "start": "2024-07-05", "metric": "satisfaction"},
        {"name": "Never ran", "status": "dropped", "start": "2024-09-01", "metric": "satisfaction"}])
    assert mark(store, "2025-01", "New complaint process").ok
    found = changes.process_changes(store, "satisfaction")
    assert found[["month", "reason", "source"]].values.tolist() == [
        ["2024-07", "Lounge refit starts (initiative)", "initiative"],
        ["2025-01", "New complaint process", "marked"]]
    audit = store.query("SELECT action, after FROM audit WHERE table_name = 'process_changes'")
    assert audit["action"].tolist() == ["edit"] and "New complaint process" in audit["after"].iloc[0]
    # Bad input names the column and the reason, and writes nothing.
    refused = mark(store, "2025-03", "")
    assert not refused.ok and refused.problems[0].column == "reason"
    unknown = records.save_rows(store, "process_changes", pd.DataFrame(
        [{"metric": "satisfactoin", "month": "2025-03", "unit": "", "reason": "typo"}]))
    assert not unknown.ok and unknown.problems[0].column == "metric"
    assert len(store.table("process_changes")) == 1

    # The card reads the latest segment: since 2025-01, six months, provisional limits.
    overview = compute_overview(store, Filters(None, "2025-06", None, None))
    card = next(c for c in overview.lagging if c.defn.key == "satisfaction")
    assert (card.summary.segment_start, card.summary.segment_points, card.summary.provisional) == ("2025-01", 6, True)
    assert card.summary.variation == "no signal"  # in the new process, 31.5 is ordinary; over all 18 it would not be
    records.delete_records(store, "process_changes", [{"metric": "satisfaction", "month": "2025-01", "unit": ""}])
    assert changes.change_months(store, "satisfaction") == ["2024-07"]
    assert store.scalar("SELECT count(*) FROM audit WHERE table_name = 'process_changes'") == 2


def test_the_command_line_uses_the_stored_changes_unless_told_otherwise(tmp_path):
    db = tmp_path / "t.duckdb"
    store = stepped(db)
    assert mark(store, "2024-07", "Step one").ok and mark(store, "2025-01", "Step two").ok
    close_all()

    def centres(*extra) -> list[str]:
        result = run_cli("xmr", "--metric", "satisfaction", "--db", str(db), *extra)
        assert result.returncode == 0, result.stderr
        return sorted({line.split(",")[2] for line in result.stdout.splitlines()[1:]})

    assert centres() == ["11", "21", "30.9166666667"]  # three segments: 66 / 6, 126 / 6, 185.5 / 6
    assert centres("--change", "2025-01") == ["16", "30.9166666667"]  # the changes given replace the stored ones
    assert centres("--no-changes") == ["20.9722222222"]  # 377.5 / 18: one process


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "tracker.duckdb"
    stepped(path)
    close_all()
    monkeypatch.setenv("TRACKER_DB", str(path))
    return path


def open_process(metric: str = "satisfaction") -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S)
    at.run()
    at.switch_page("pages/process.py")
    at.query_params["metric"] = metric
    return at.run()


def test_a_lead_marks_two_changes_on_the_chart_and_removes_one(db):
    at = open_process()
    assert not at.exception
    for month, reason in (("2024-07", "Step one"), ("2025-01", "Step two")):
        at.selectbox(key="process_change_month").set_value(month)
        at.text_input(key="process_change_reason").input(reason)
        next(b for b in at.button if b.label == "Mark process change").click().run()
        assert not at.exception
        assert any(f"{reason}." in s.value.replace("\\", "") for s in at.success)
    assert any("3 process periods in this view" in c.value for c in at.caption)
    command = next(c.value for c in at.code if c.value.startswith("python -m metrics xmr"))
    assert command.endswith("--change 2024-07 --change 2025-01")
    assert sorted(set(at.dataframe[0].value["centre"].round(4))) == [11.0, 21.0, 30.9167]
    at.button(key="process_change_remove_0").click().run()
    assert any("removed" in s.value for s in at.success)
    assert any("2 process periods in this view" in c.value for c in at.caption)
    close_all()
    assert Store(db).table("process_changes")["reason"].tolist() == ["Step two"]


def test_an_empty_reason_is_refused_with_the_column_named(db):
    at = open_process()
    at.selectbox(key="process_change_month").set_value("2024-07")
    next(b for b in at.button if b.label == "Mark process change").click().run()
    assert any("Nothing was saved" in e.value and "empty" in e.value for e in at.error)
    close_all()
    assert Store(db).table("process_changes").empty
