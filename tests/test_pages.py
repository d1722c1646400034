"""Every page under real Streamlit (AppTest) on an empty database, one month of data, and the demo programme."""
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data.store import Store, close_all
from metrics.registry import BUILTIN_KEYS, all_metrics

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
BUILTIN_CARDS = len(BUILTIN_KEYS)  # one card per built-in metric; readings metrics (lagging) add a card each
APP_TIMEOUT_S = 60


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "tracker.duckdb"
    monkeypatch.setenv("TRACKER_DB", str(path))
    return path


def app(user: dict | None = None) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S)
    if user:
        at.user = user
    return at.run()


def card(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def test_first_run_creates_the_demo_and_shows_every_card(db):
    at = app()
    assert not at.exception
    assert len(at.metric) == len(all_metrics(Store(db))) > BUILTIN_CARDS  # the demo has readings: lagging cards
    assert any("fictional data" in m.value for m in at.markdown)  # the demo label beside the title
    assert db.exists()
    # The card shows the latest month's count, recomputed here from the stored ideas by hand.
    ideas = Store(db).table("ideas")
    implemented = pd.to_datetime(ideas["implemented_on"]).dropna().dt.strftime("%Y-%m")
    assert card(at, "Ideas in practice").value == str(int((implemented == implemented.max()).sum()))


def test_empty_database_explains_how_to_start(db):
    Store(db)  # an existing file, as `python -m data init` leaves it: the dashboard adds no demo
    close_all()
    at = app()
    assert not at.exception
    assert len(at.metric) == 0
    assert "No programme data yet" in at.warning[0].value


def test_one_month_of_data_shows_values_without_changes(db):
    store = Store(db)
    with store.transaction("test") as tx:
        tx.upsert("units", pd.DataFrame({"unit": ["Cabin"], "function": ["frontline"], "parent": [None]}))
        tx.upsert("headcount", pd.DataFrame({"month": ["2026-10-01"], "unit": ["Cabin"], "headcount": [40],
                                             "leavers": [2]}))
        tx.upsert("voice", pd.DataFrame({"item_id": ["p1", "p2", "p3", "c1"], "date": ["2026-10-03"] * 4,
                                         "unit": ["Cabin"] * 4, "kind": ["praise"] * 3 + ["complaint"],
                                         "text": ["thanks"] * 4, "channel": ["app"] * 4}))
    close_all()
    at = app()
    assert not at.exception
    assert len(at.metric) == BUILTIN_CARDS
    assert card(at, "Praise : complaints").value.startswith("3")  # 3 praise / 1 complaint
    assert all(m.delta is None or m.delta == "" for m in at.metric)  # one month: nothing to compare with


def test_data_page_removes_the_demo_after_confirmation(db):
    at = app()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert at.button(key="data_clear_demo").disabled
    at.checkbox(key="data_confirm_clear").check().run()
    at.button(key="data_clear_demo").click().run()
    assert not at.exception
    store = Store(db)
    assert store.is_empty() and not store.is_demo()
    assert store.audit_log(1)["action"][0] == "clear-demo"


def test_an_executive_cannot_reach_the_data_page(db, monkeypatch):
    monkeypatch.setenv("TRACKER_LEADS", "lead@example.org")
    at = app({"is_logged_in": True, "email": "board@example.org"})
    assert len(at.metric) == len(all_metrics(Store(db)))
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/data.py")


def test_a_lead_reaches_the_data_page(db, monkeypatch):
    monkeypatch.setenv("TRACKER_LEADS", "lead@example.org")
    at = app({"is_logged_in": True, "email": "lead@example.org"})
    at.switch_page("pages/data.py").run()
    assert at.title[0].value == "Programme data"


def test_an_anonymous_visitor_sees_no_figures(db, monkeypatch):
    monkeypatch.setenv("TRACKER_LEADS", "lead@example.org")
    at = app({"is_logged_in": False})
    assert len(at.metric) == 0
    assert "do not have access" in at.error[0].value


def test_a_large_organisation_renders_every_card(db):
    from benchmarks.scale import DEFAULT_REGIONS, load_large_org

    counts = load_large_org(Store(db), DEFAULT_REGIONS)
    close_all()
    at = app()
    assert not at.exception
    assert counts["units"] == DEFAULT_REGIONS * 15  # 14 units and the region itself
    assert len(at.metric) == len(all_metrics(Store(db)))
    assert card(at, "Training coverage").value.endswith("%")


def test_data_page_on_an_empty_database_loads_the_demo(db):
    Store(db)
    close_all()
    at = app()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    at.button(key="data_load_demo").click().run()
    assert not at.exception
    assert Store(db).is_demo()
