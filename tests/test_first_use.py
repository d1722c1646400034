"""A new organisation's first hour (issue 10), on a programme of its own shape: six units including Finance and IT,
twelve months ending last month, one course named `customer-first`, no survey responses but a monthly NPS from a
vendor. Real DuckDB files, real imports, real pages under AppTest."""
from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data import workshops as ws
from data.demo import load_demo
from data.importer import run_import
from data.store import Store, close_all
from metrics import calc, verdicts
from metrics.registry import get
from metrics.summary import CardSummary
from ui.cards import card_texts
from ui.executive import compute_overview
from ui.filters import Filters, current_month, month_label
from ui.kiosk import spaced_code

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
APP_TIMEOUT_S = 120
UNITS = [("Front Desk", "frontline"), ("Call Centre", "frontline"), ("Sales", "frontline"), ("Finance", "internal"),
         ("IT", "internal"), ("Board", "leadership")]
HEADCOUNT = 20  # every unit, every month
COURSE = "customer-first"
MONTHS = 12
NPS_START = 20  # the vendor's NPS: 20 in the first month, one point more each month


def programme_months() -> list[str]:
    """The twelve whole months up to last month."""
    last = pd.Period(current_month(), "M") - 1
    return [(last - k).strftime("%Y-%m") for k in range(MONTHS - 1, -1, -1)]


def csv(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def own_programme() -> dict[str, bytes]:
    months = programme_months()
    return {
        "units.csv": csv("unit,function,parent", [f"{u},{f}," for u, f in UNITS]),
        "headcount.csv": csv("month,unit,headcount,leavers",
                             [f"{m},{u},{HEADCOUNT},0" for m in months for u, _ in UNITS]),
        # One person of each unit completes the course each month: 12 of 20 by the last month, 60% everywhere.
        "training.csv": csv("date,unit,course,completed", [f"{m}-10,{u},{COURSE},1" for m in months for u, _ in UNITS]),
        "ideas.csv": csv("idea_id,title,unit,submitted_on,status,implemented_on",
                         [f"I-{i},Idea {i},IT,{m}-02,implemented,{m}-20" for i, m in enumerate(months)]),
        # NPS from the survey vendor, as the month's figure: there is no survey sheet.
        "readings.csv": csv("month,metric,value,unit", [f"{m},nps,{NPS_START + i},"
                                                        for i, m in enumerate(months)]),
    }


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "tracker.duckdb"
    monkeypatch.setenv("TRACKER_DB", str(path))
    return path


@pytest.fixture
def own(db) -> Path:
    plan = run_import(Store(db, actor="lead"), own_programme())
    assert not plan.problems, plan.problems
    close_all()
    return db


def dashboard(page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
    assert not at.exception, at.exception
    return at


def card(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


# -- 1. the all-staff course ------------------------------------------------------------------------------------------
def test_coverage_follows_the_course_the_programme_trains_in_until_a_lead_chooses(own):
    at = dashboard()
    assert card(at, "Training coverage").value == "60%"  # 12 of 20 in every unit, by hand
    assert calc.default_course(Store(own)) == COURSE


def test_a_lead_chooses_the_all_staff_course_on_the_settings_page_and_it_is_audited(own):
    extra = {"training.csv": csv("date,unit,course,completed", [f"{programme_months()[-1]}-11,Finance,leaders,2"])}
    assert not run_import(Store(own), extra).problems
    close_all()
    at = dashboard("pages/settings.py")
    [box] = at.selectbox
    assert box.format_func(COURSE).endswith("72 completions") and "now customer-first" in box.format_func("")
    box.select("leaders")
    at.button[0].click().run()
    assert any("All-staff course set to leaders" in s.value.replace("\\", "") for s in at.success)
    close_all()
    store = Store(own)
    assert store.setting("all_staff_course") == "leaders"
    assert store.scalar("SELECT count(*) FROM audit WHERE table_name = 'settings' AND after::VARCHAR LIKE "
                        "'%leaders%'") == 1
    overview = compute_overview(store, Filters(None, programme_months()[-1], None, None))
    assert overview.course == "leaders" and not overview.course_notice


def test_a_course_with_no_completions_says_so_on_the_card_instead_of_zero(own):
    with Store(own).transaction("setting") as tx:
        tx.set_setting("all_staff_course", "service-excellence")  # the template's example course, never run here
    close_all()
    at = dashboard()
    coverage = card(at, "Training coverage")
    assert coverage.value == "—"
    assert "No completions of the course service-excellence are recorded" in captions(at).replace("\\", "")
    assert any("Settings page" in w.value for w in at.warning)


def test_a_new_database_follows_the_data_not_the_example_course(tmp_path):
    store = Store(tmp_path / "new.duckdb")
    assert store.setting("all_staff_course") is None and calc.default_course(store) == ""


# -- 2. a second workshop ---------------------------------------------------------------------------------------------
def test_after_creating_a_second_workshop_the_page_shows_its_code(own):
    at = dashboard("pages/workshops.py")
    for title in ("Morning session", "Afternoon session"):
        next(t for t in at.text_input if t.label == "Title").input(title)
        next(t for t in at.text_input if t.label == "Question put to the room").input("What would you change?")
        next(b for b in at.button if b.label == "Create workshop").click().run()
        assert not at.exception
    second = ws.list_workshops(Store(own)).set_index("title").loc["Afternoon session"]
    code = ws.get(Store(own), int(second["id"])).join_code
    shown = " ".join(str(h.proto.body) for h in at.get("html"))
    assert spaced_code(code) in shown
    assert next(s for s in at.selectbox if s.label == "Workshop").value == int(second["id"])


# -- 3. the running month ---------------------------------------------------------------------------------------------
def test_the_overview_ends_at_the_last_complete_month_and_the_running_one_reads_to_date(own):
    today = date.today()
    new_idea = {"ideas.csv": csv("idea_id,title,unit,submitted_on,status,implemented_on",
                                 [f"I-now,Promoted today,IT,{today},implemented,{today}"])}
    assert not run_import(Store(own), new_idea).problems
    close_all()
    at = dashboard()
    [period] = at.select_slider
    assert period.value[1] == programme_months()[-1]  # not the running month
    assert card(at, "Ideas in practice").value == "1"  # last month's, not the running month's 1 idea so far
    assert month_label(current_month()).endswith("to date")
    period.set_range(programme_months()[0], current_month()).run()
    assert any("to date" in m.value for m in at.markdown)


# -- 4. NPS reported by a vendor --------------------------------------------------------------------------------------
def test_a_vendors_monthly_nps_stands_in_for_missing_responses_marked_as_reported(own):
    at = dashboard()
    nps = card(at, "NPS")
    assert nps.value == f"+{NPS_START + MONTHS - 1}.0"
    assert "Reported figure (readings): no responses this month" in captions(at).replace("\\", "")
    store = Store(own)
    assert calc.reported_months(store, "nps") == programme_months()
    # Responses for the last month: the computed figure stands there, never a mix of both.
    last = programme_months()[-1]
    survey = {"survey.csv": csv("response_id,date,unit,score", [f"S-{i},{last}-15,,{s}"
                                                                 for i, s in enumerate([10, 9, 8, 3])])}
    assert not run_import(store, survey).problems
    assert calc.series(store, "nps")[last] == 25.0  # (2 - 1) / 4 = +25.0, by hand
    assert last not in calc.reported_months(store, "nps")


def test_a_reading_of_a_computed_built_in_explains_both_routes(own):
    plan = run_import(Store(own), {"readings.csv": csv("month,metric,value,unit",
                                                       [f"{programme_months()[-1]},ideas_implemented,4,"])})
    [problem] = plan.problems
    assert (problem.row, problem.column) == (2, "metric")
    assert "computed by the tracker from the ideas sheet" in problem.reason
    assert "a monthly nps reported by a survey vendor" in problem.reason


# -- 7. a metric's measure ---------------------------------------------------------------------------------------------
def test_a_reported_metric_shows_its_measure_on_the_card_the_axis_and_the_board_pack(own):
    from ui.boardpack import card_table
    from ui.figures import lead_lag_chart

    registry = {"metric_registry.csv": csv("key,label,kind,unit,direction,aggregation,description,measure",
                                           ["revenue,Revenue,lagging,value,up,sum,Passenger revenue,EUR millions"]),
                "readings.csv": csv("month,metric,value,unit", [f"{m},revenue,50.4," for m in programme_months()])}
    assert not run_import(Store(own), registry).problems
    close_all()
    at = dashboard()
    assert card(at, "Revenue").value == "50.4"
    assert "In EUR millions" in captions(at)
    store = Store(own)
    overview = compute_overview(store, Filters(None, programme_months()[-1], None, None))
    table = card_table(overview).set_index("metric")
    assert table.loc["revenue", "measure"] == "EUR millions" and table.loc["nps", "source"] == "reported"
    from metrics.registry import get
    wide = overview.pair.assign(revenue=calc.series(store, "revenue").reindex(overview.pair["month"]).to_numpy())
    fig = lead_lag_chart(wide, get("ideas_implemented"), get("revenue", store))
    assert fig.layout.yaxis2.title.text == "Revenue (EUR millions)"
    registry_page = dashboard("pages/metric_registry.py")
    listing = next(d.value for d in registry_page.dataframe if "measure" in d.value.columns).set_index("key")
    assert listing.loc["revenue", "measure"] == "EUR millions" and listing.loc["nps", "measure"].startswith("points")


def test_a_reading_without_a_measure_says_its_unit_is_not_set(own):
    assert not run_import(Store(own), {"readings.csv": csv("month,metric,value,unit",
                                                           [f"{programme_months()[-1]},satisfaction,7.8,"])}).problems
    close_all()
    assert "In unit not set" in captions(dashboard())


# -- 9. confirmations stay ---------------------------------------------------------------------------------------------
def test_removing_the_demo_confirms_what_it_did_after_the_rerun(db):
    load_demo(Store(db))
    close_all()
    at = dashboard("pages/data.py")
    next(c for c in at.checkbox if c.key == "data_confirm_clear").check().run()
    at.button(key="data_clear_demo").click().run()
    assert not at.exception
    [done] = [s.value.replace("\\", "") for s in at.success]
    assert "Demo programme removed" in done and "records deleted" in done
    assert Store(db).is_empty()


# -- also: ideas cards ------------------------------------------------------------------------------------------------
def test_an_idea_submitted_today_reads_submitted_today(own):
    today = date.today()
    assert not run_import(Store(own), {"ideas.csv": csv("idea_id,title,unit,submitted_on,status,implemented_on",
                                                        [f"I-new,Fresh idea,IT,{today},submitted,"])}).problems
    close_all()
    text = captions(dashboard("pages/ideas.py"))
    assert "submitted today" in text and "today old" not in text


def test_the_board_pack_embeds_plotly_once_for_all_its_charts(own):
    from ui.boardpack import build_board_pack

    overview = compute_overview(Store(own), Filters(programme_months()[0], programme_months()[-1], None, None))
    text = build_board_pack(overview, "Board pack", "fresh").html
    text = text if isinstance(text, str) else text.decode()
    assert text.count("plotly.js v") == 1 and text.count("Plotly.newPlot") >= 3


# (metric, value, target, previous, year ago, variation, assurance) -> the words on the card that reconcile them.
RECONCILED = [
    ("nps", 25.0, 25.0, 24.0, 20.0, verdicts.NO_SIGNAL, verdicts.MISSED,
     "Met this month, but not yet reliably."),
    ("nps", 24.0, 25.0, 24.0, 20.0, verdicts.NO_SIGNAL, verdicts.MISSED, ""),
    ("churn_annualised", 0.10, 0.12, 0.11, 0.14, verdicts.NO_SIGNAL, verdicts.MISSED,
     "Met this month, but not yet reliably."),
    ("nps", 20.0, 25.0, 31.0, 30.0, verdicts.DETERIORATING, verdicts.MET,
     "Missed this month, though usually met."),
    ("satisfaction", 7.2, math.nan, 7.1, 9.0, verdicts.IMPROVING, None,
     "Improving on its usual range, yet worse than a year before."),
    ("satisfaction", 7.2, math.nan, 7.5, 7.0, verdicts.IMPROVING, None,
     "Improving on its usual range, yet worse than last month."),
    ("churn_annualised", 0.20, math.nan, 0.21, 0.25, verdicts.DETERIORATING, None,
     "Deteriorating on its usual range, yet better than last month and a year before."),
    ("satisfaction", 7.2, math.nan, 7.0, 7.0, verdicts.IMPROVING, None, ""),
    ("training_coverage", 0.93, math.nan, 0.9301, 0.89, verdicts.IMPROVING, None, ""),  # shown as 0 pp: steady
    ("nps", 25.0, 25.0, 20.0, 20.0, verdicts.NO_SIGNAL, verdicts.HIT_AND_MISS, ""),
]


@pytest.mark.parametrize("key, value, target, previous, year_ago, variation, assurance, words", RECONCILED)
def test_a_card_says_why_badges_and_figures_that_read_as_opposites_both_hold(
        key, value, target, previous, year_ago, variation, assurance, words):
    summary = CardSummary(key, "2026-10", value, previous, target, "2026-12" if not math.isnan(target) else None,
                          [previous, value], year_ago, variation, assurance)
    assert card_texts(get(key), summary)["why"] == words


def _nps_on_target_card():
    from metrics import verdicts
    from metrics.registry import get
    from metrics.summary import CardSummary
    from ui.cards import kpi_card
    kpi_card(get("nps"), CardSummary("nps", "2026-10", 25.0, 24.0, 25.0, "2026-12", [24.0, 25.0], 20.0,
                                     verdicts.NO_SIGNAL, verdicts.MISSED))


def test_the_card_on_screen_says_met_this_month_beside_target_missed_consistently():
    at = AppTest.from_function(_nps_on_target_card)
    at.run()
    assert any("Misses target" in m.value for m in at.markdown)
    assert any(c.value.startswith("Met this month, but not yet reliably.") for c in at.caption)
