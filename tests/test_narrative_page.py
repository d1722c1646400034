"""The Board narrative page under real Streamlit (AppTest): the draft with its links, an edit kept and shown with who
and when, problems refused, back to the draft; the board pack opening with the narrative; the outlook lines."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data import narratives
from data.store import Store
from metrics import narrative
from tests import programmes
from ui.boardpack import build_board_pack
from ui.executive import compute_overview
from ui.filters import Filters, md

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
APP_TIMEOUT_S = 120
PERIOD = {"from": "2024-01", "to": "2025-12"}
FIRST = "No leading indicator fired a process-behaviour signal or changed its assurance in Dec 2025."


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "tracker.duckdb"
    monkeypatch.setenv("TRACKER_DB", str(path))
    programmes.process_change(Store(path, actor="test"))
    return path


def open_narrative() -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S)
    at.run()
    at.switch_page("pages/narrative.py")
    for name, value in PERIOD.items():
        at.query_params[name] = value
    return at.run()


def markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def grid_key(at: AppTest) -> str:
    return next(e.key for e in at.data_editor if e.key.startswith("narrative_grid"))


def test_the_draft_reads_sentence_by_sentence_with_the_view_behind_each(db):
    at = open_narrative()
    assert not at.exception
    assert at.header[0].value == "The whole organisation in Dec 2025"
    first = next(m for m in markdown(at) if md(FIRST) in m)
    assert first.endswith("[View the figures](/?from=2024-01&to=2025-12)")
    assert "nobody has edited it yet" in at.caption[1].value or any("nobody has edited" in c.value for c in at.caption)


def test_an_edit_is_saved_shown_with_who_and_when_and_the_draft_comes_back(db):
    at = open_narrative()
    key = grid_key(at)
    at.session_state[key] = {"edited_rows": {0: {"text": "Desk: 85% of tickets in time, a step up."}},
                             "added_rows": [{"section": "Notes", "text": "New rota from January."}],
                             "deleted_rows": [2]}  # the initiative's, after the headline and the signals
    at.button(key="narrative_save").click().run()
    assert not at.exception
    assert any("is saved as you edited it" in s.value for s in at.success)
    shown = markdown(at)
    assert any(m.startswith("- Desk\\: 85% of tickets in time, a step up\\.") for m in shown)
    assert any("New rota from January" in m for m in shown)
    assert not any("Priya Nair" in m for m in shown)  # the deleted sentence (the initiative's) is gone
    edited = narratives.load(Store(db), "2025-12")
    assert edited.edited_by and [s.removed for s in edited.sentences].count(True) == 1
    assert any(c.value.startswith(f"Edited by {edited.edited_by} on ") for c in at.caption)
    at.button(key="narrative_discard").click().run()
    assert narratives.load(Store(db), "2025-12") is None
    assert any(md(FIRST) in m for m in markdown(at))


def test_an_empty_sentence_is_refused_and_nothing_is_saved(db):
    at = open_narrative()
    at.session_state[grid_key(at)] = {"edited_rows": {0: {"text": ""}}, "added_rows": [], "deleted_rows": []}
    at.button(key="narrative_save").click().run()
    assert at.error[0].value.startswith("Nothing was saved")
    assert at.table[0].value.iloc[0].to_dict() == {"row": 1, "column": "text",
                                                   "reason": "the sentence is empty; write it, or delete the row"}
    assert narratives.load(Store(db), "2025-12") is None


def test_the_board_pack_opens_with_the_narrative_as_edited(db):
    store = Store(db)
    draft = narrative.draft(store, "2025-12")
    rows = [{"sentence_id": s.id, "section": s.section, "text": s.text} for s in draft]
    rows[1]["text"] = "Desk: <b>85%</b> in time."
    narratives.save(store, "2025-12", narrative.rows_to_save(draft, rows), tuple(narrative.SECTIONS))
    filters = Filters("2024-01", "2025-12", None, None)
    edited = narratives.load(store, "2025-12")
    pack = build_board_pack(compute_overview(store, filters), "Board pack", "meta",
                            narrative=narrative.reconcile(narrative.draft(store, "2025-12"), edited.sentences),
                            base="https://tracker.example.org")
    html = pack.html.decode()
    opening = html.index("<h2>The month in brief</h2>")
    assert opening < html.index("<h2>Leading indicators</h2>")
    assert "Desk: &lt;b&gt;85%&lt;/b&gt; in time." in html  # escaped, never markup
    assert ('href="https://tracker.example.org/process?from=2024-01&amp;to=2025-12&amp;'
            'metric=tickets_within_promise"') in html


@pytest.fixture
def programme(tmp_path, monkeypatch):
    def build(name: str) -> Path:
        path = tmp_path / f"{name}.duckdb"
        monkeypatch.setenv("TRACKER_DB", str(path))
        getattr(programmes, name)(Store(path, actor="test"))
        return path
    return build


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S)
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page)
    for name, value in {**PERIOD, **params}.items():
        at.query_params[name] = value
    return at.run()


def test_the_overview_gives_one_line_per_target_with_its_status(programme):
    programme("nps_follows_ideas")
    at = open_page("pages/overview.py")
    assert not at.exception
    lines = [m for m in markdown(at) if m.startswith(":gray-badge[:material/warning: At risk]")]
    assert lines == [":gray-badge[:material/warning: At risk] " + md(
        "Net promoter score: at risk for its target of +25.0 by Mar 2026, projected +25.3 (80% interval +23.9 to "
        "+26.7) from the recent changes of ideas put into practice, which it has followed by about 3 months.")]


def test_leading_vs_lagging_draws_the_projection_only_where_the_evidence_clears_the_bar(programme):
    programme("nps_follows_ideas")
    at = open_page("pages/lead_lag.py", lead="ideas_implemented", lag="nps")
    chart = next(c for c in at.get("plotly_chart") if c.proto.id and "aligned" in c.proto.id)
    names = [trace.get("name") for trace in json.loads(chart.proto.spec)["data"]]
    assert "Net promoter score, projected" in names and "80% interval" in names
    assert any(c.value.startswith("Dashed: where Net promoter score is heading over the next 3 months")
               for c in at.caption)


def test_without_evidence_no_band_is_drawn_and_the_page_says_why(programme):
    programme("no_relationship")
    at = open_page("pages/lead_lag.py", lead="ideas_implemented", lag="nps")
    assert any(c.value == "No projection is drawn: no lag clears the significance bar, so the evidence does not say "
                          "that Net promoter score follows ideas put into practice." for c in at.caption)


def test_a_relationship_the_unwanted_way_draws_no_band_and_the_page_says_why(programme):
    programme("nps_against_ideas")
    at = open_page("pages/lead_lag.py", lead="ideas_implemented", lag="nps")
    assert not at.exception
    chart = next(c for c in at.get("plotly_chart") if c.proto.id and "aligned" in c.proto.id)
    assert "80% interval" not in [trace.get("name") for trace in json.loads(chart.proto.spec)["data"]]
    # The page's sentence reads the pair's best lag (4 months, r = 0.74: the echo of the zig-zag ideas); the band
    # rests on the outlook's evidence, which the stronger relationship the unwanted way three months on rules out.
    assert any(c.value == "No projection is drawn: Net promoter score has moved the unwanted way after ideas put "
                          "into practice (about 3 months later, r = -0.97), which is no basis for a projection "
                          "towards its target." for c in at.caption)


def test_the_overview_names_the_units_that_miss_the_plan_and_gives_each_units_month(programme):
    programme("stalled_back_office")
    at = open_page("pages/overview.py")
    assert not at.exception
    assert ":orange-badge[:material/schedule: Late] Will not reach it by the plan's date at this pace: " + md(
        "Finance (back office), IT Service Desk (back office)") + "." in markdown(at)
    table = next(d.value for d in at.dataframe if "Reaches it" in d.value.columns)
    rows = table.set_index("Unit")
    # The back office stopped at 20%: a flat pace never reaches 95%. Cabin Crew gains 4 points a month from 92%.
    assert rows.loc["Finance (back office)"].to_dict() == {
        "Coverage": "20%", "Plan": "95% by Jun 2026", "Reaches it": "Not within five years", "80% interval": "",
        "By the plan's date": "No"}
    assert rows.loc["Cabin Crew", ["Reaches it", "By the plan's date"]].tolist() == ["Jan 2026", "Yes"]


def test_the_board_pack_gives_each_units_month_against_the_plan(programme):
    store = Store(programme("stalled_back_office"))
    data = compute_overview(store, Filters("2024-01", "2025-12", None, None))
    html = build_board_pack(data, "Board pack", "test").html.decode()
    section = html[html.index("<h3>When each unit reaches the training plan (service-excellence)</h3>"):]
    assert "<td>Finance (back office)</td><td>20%</td><td>95% by Jun 2026</td><td>Not within five years</td>" in section
