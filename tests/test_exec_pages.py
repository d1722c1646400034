"""The executive pages under real Streamlit (AppTest): empty database, one month, the demo; state in the URL; cards
equal to the metrics; the board pack."""
from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data.store import Store, close_all
from metrics import calc, leadlag, registry
from metrics.registry import format_delta, format_value
from ui.boardpack import build_board_pack
from ui.executive import compute_overview
from ui.filters import Filters

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
APP_TIMEOUT_S = 120
PAGES = ("pages/overview.py", "pages/lead_lag.py", "pages/process.py")


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "tracker.duckdb"
    monkeypatch.setenv("TRACKER_DB", str(path))
    return path


@pytest.fixture
def demo(db) -> Path:
    """The dashboard's first run creates the demo programme; every test starts from its own copy."""
    AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S).run()
    return db


def open_page(page: str = "pages/overview.py", params: dict | None = None) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S)
    if page == "pages/overview.py":
        for name, value in (params or {}).items():
            at.query_params[name] = value
        return at.run()
    at.run()
    at.switch_page(page)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    return at.run()


def card(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def widget(at: AppTest, key: str):
    return next(w for w in list(at.selectbox) + list(at.slider) + list(at.select_slider) + list(at.toggle)
                + list(at.multiselect) if w.key == key)


def one_month(db: Path) -> None:
    store = Store(db)
    with store.transaction("test") as tx:
        tx.upsert("units", pd.DataFrame({"unit": ["Cabin"], "function": ["frontline"], "parent": [None]}))
        tx.upsert("headcount", pd.DataFrame({"month": ["2026-10-01"], "unit": ["Cabin"], "headcount": [40],
                                             "leavers": [2]}))
        tx.upsert("training", pd.DataFrame({"date": ["2026-10-05"], "unit": ["Cabin"],
                                            "course": ["service-excellence"], "completed": [10]}))
        tx.upsert("voice", pd.DataFrame({"item_id": ["p1", "p2", "c1"], "date": ["2026-10-03"] * 3,
                                         "unit": ["Cabin"] * 3, "kind": ["praise", "praise", "complaint"],
                                         "text": ["thanks"] * 3, "channel": ["app"] * 3}))
    close_all()


# -- each page in each state ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_each_page_on_an_empty_database_explains_what_is_missing(db, page):
    Store(db)
    close_all()
    at = open_page(page)
    assert not at.exception
    assert len(at.metric) == 0
    assert at.warning and ("No programme data yet" in at.warning[0].value or "Nothing to compare" in
                           at.warning[0].value)
    assert any("No data entered yet" in c.value for c in at.caption)  # freshness, even when empty


@pytest.mark.parametrize("page", PAGES)
def test_each_page_with_one_month_of_data(db, page):
    one_month(db)
    at = open_page(page)
    assert not at.exception
    assert any("Data last changed" in c.value for c in at.caption)
    if page == "pages/overview.py":
        assert card(at, "Training coverage").value == "25%"  # 10 of 40
        assert card(at, "Praise : complaints").value.startswith("2")
        assert all(not m.delta for m in at.metric)  # one month: nothing to compare with
        assert any("at or ahead of its plan" in m.value for m in [*at.markdown, *at.caption])  # no plan yet


@pytest.mark.parametrize("page", PAGES)
def test_each_page_on_the_demo(demo, page):
    at = open_page(page)
    assert not at.exception
    assert any("fictional data" in m.value for m in at.markdown)
    assert any("Data last changed" in c.value and "figures computed" in c.value for c in at.caption)
    assert at.get("plotly_chart")


def test_overview_shows_leading_and_lagging_cards_with_verdicts_and_the_headline(demo):
    at = open_page()
    store = Store(demo)
    assert len(at.metric) == len(registry.all_metrics(store))
    markdown = " ".join(m.value for m in at.markdown)
    assert leadlag.headline(store, period=(calc.monthly(store)["month"].min(),
                                           calc.monthly(store)["month"].max())) in markdown
    assert "Improving" in markdown or "No signal" in markdown or "Deteriorating" in markdown
    assert "Meets target" in markdown or "Hit and miss" in markdown
    behind = at.dataframe[0].value  # units furthest behind plan: the demo's lagging back-office unit first
    assert behind["Unit"].iloc[0] == "Finance (back office)"
    assert r"Finance \(back office\)" in " ".join(c.value for c in at.caption)  # and on the first screen


# -- numbers on the cards are the metrics' numbers --------------------------------------------------------------------
@pytest.mark.parametrize("scope", [{}, {"function": "internal"}, {"unit": "Finance"}])
def test_card_values_equal_the_metrics_for_the_same_filter(demo, scope):
    store = Store(demo)
    months = sorted(calc.monthly(store)["month"].unique())
    end = months[-4]  # not the latest month: the period's end is what the cards read
    at = open_page(params={"from": months[0], "to": end, **scope})
    assert not at.exception
    figures = calc.monthly(store, **scope)
    for defn in registry.BUILTIN:
        series = figures[figures["metric"] == defn.key].set_index("month")["value"]
        known = series[series.index <= end].dropna()
        shown = card(at, defn.card_label)
        if known.empty:  # e.g. NPS of a unit: survey responses are the organisation's
            assert shown.value == registry.EMPTY
            continue
        assert shown.value == format_value(defn, known.iloc[-1]), defn.key
        previous = series.get((pd.Period(known.index[-1], "M") - 1).strftime("%Y-%m"), math.nan)
        if not math.isnan(previous):
            assert shown.delta == format_delta(defn, known.iloc[-1] - previous), defn.key


# -- the whole state lives in the URL ---------------------------------------------------------------------------------
def test_overview_filters_come_from_the_url_and_go_back_to_it(demo):
    params = {"from": "2025-01", "to": "2026-02", "function": "internal", "unit": "Finance"}
    at = open_page(params=params)
    assert not at.exception
    assert widget(at, "overview_period").value == ("2025-01", "2026-02")
    assert widget(at, "overview_function").value == "internal"
    assert widget(at, "overview_unit").value == ["Finance"]
    assert at.query_params == {k: [v] for k, v in params.items()} or dict(at.query_params) == params
    link = next(c.value for c in at.code if "?" in c.value)
    assert "from=2025-01" in link and "to=2026-02" in link and "unit=Finance" in link


@pytest.mark.parametrize("given", [["Finance", "IT Service Desk"], ["Finance,IT Service Desk"]])
def test_several_units_come_from_the_url_taken_together(demo, given):
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S)
    at.query_params["unit"] = given
    at.run()
    assert not at.exception
    assert widget(at, "overview_unit").value == ["Finance", "IT Service Desk"]
    assert at.query_params["unit"] == ["Finance", "IT Service Desk"]  # written back as a repeated parameter
    link = next(c.value for c in at.code if "?" in c.value)
    assert "unit=Finance&unit=IT+Service+Desk" in link
    store = Store(demo)
    both = calc.monthly(store, unit=["Finance", "IT Service Desk"])
    known = both[both["metric"] == "ideas_implemented"].dropna()
    end = widget(at, "overview_period").value[1]
    expected = known[known["month"] <= end]["value"].iloc[-1]
    assert card(at, "Ideas in practice").value == str(int(expected))
    one = calc.monthly(store, unit="Finance")
    assert expected >= one[(one["metric"] == "ideas_implemented") & (one["month"] == end)]["value"].iloc[0]
    assert "Finance and IT Service Desk" in " ".join(c.value for c in at.caption) + " ".join(
        m.value for m in at.markdown)


def test_invalid_url_values_fall_back_to_defaults(demo):
    at = open_page(params={"from": "1999-01", "to": "2026-02", "unit": "Nowhere", "function": "marketing"})
    assert not at.exception
    months = sorted(calc.monthly(Store(demo))["month"].unique())
    assert widget(at, "overview_period").value == (months[0], months[-1])
    assert widget(at, "overview_unit").value == []
    assert widget(at, "overview_function").value == ""


def test_lead_lag_state_round_trips_through_the_url(demo):
    params = {"from": "2024-09", "to": "2026-11", "lead": "tickets_within_promise", "lag": "happiness",
              "shift": "2", "function": "internal"}
    store = Store(demo)
    months = sorted(calc.monthly(store)["month"].unique())
    params["to"] = months[-1]
    at = open_page("pages/lead_lag.py", params)
    assert not at.exception
    assert widget(at, "leadlag_lead").value == "tickets_within_promise"
    assert widget(at, "leadlag_lag").value == "happiness"
    assert widget(at, "leadlag_shift").value == 2
    assert widget(at, "leadlag_function").value == "internal"
    assert at.query_params["shift"] in ("2", ["2"])
    # The sentence is the metrics' own, for the same scope and period.
    table = leadlag.leadlag_table(store, "tickets_within_promise", "happiness", function="internal",
                                  period=("2024-09", months[-1]))
    sentence = leadlag.describe("tickets_within_promise", "happiness", leadlag.best_lag(table))
    assert any(sentence in m.value for m in at.markdown)


def test_lead_lag_slider_starts_at_the_best_lag_and_follows_a_new_pair(demo):
    store = Store(demo)
    at = open_page("pages/lead_lag.py")
    best = leadlag.best_lag(leadlag.leadlag_table(store, "ideas_implemented", "nps"))
    assert best is not None and widget(at, "leadlag_shift").value == best[0]
    at.slider(key="leadlag_shift").set_value(5).run()
    assert widget(at, "leadlag_shift").value == 5 and at.query_params["shift"] in ("5", ["5"])
    at.selectbox(key="leadlag_lag").set_value("satisfaction").run()
    assert not at.exception
    new_best = leadlag.best_lag(leadlag.leadlag_table(store, "ideas_implemented", "satisfaction"))
    assert widget(at, "leadlag_shift").value == (new_best[0] if new_best else 0)


def test_process_state_round_trips_through_the_url(demo):
    store = Store(demo)
    months = sorted(calc.monthly(store)["month"].unique())
    params = {"from": months[0], "to": months[-1], "metric": "nps", "lock": "1",
              "base_from": months[0], "base_to": months[5]}
    at = open_page("pages/process.py", params)
    assert not at.exception
    assert widget(at, "process_metric").value == "nps"
    assert widget(at, "process_lock").value is True
    assert widget(at, "process_baseline").value == (months[0], months[5])
    link = next(c.value for c in at.code if "?" in c.value)
    for name, value in params.items():
        assert f"{name}={value}" in link


def test_the_chart_restarts_its_limits_at_every_initiative_start_of_the_metric(demo):
    store = Store(demo)
    initiatives = store.table("initiatives")
    start = pd.Timestamp(initiatives.set_index("metric").loc["ideas_implemented", "start"]).strftime("%Y-%m")
    at = open_page("pages/process.py")
    assert widget(at, "process_metric").value == "ideas_implemented"
    assert f"--change {start}" in next(c.value for c in at.code if c.value.startswith("python -m metrics xmr"))
    assert any("Idea lab: put service ideas into practice starts (initiative)" in m.value.replace("\\", "")
               for m in at.markdown)
    assert any("2 process periods in this view" in c.value for c in at.caption)
    at.selectbox(key="process_metric").set_value("revenue").run()  # no initiative is linked to revenue
    assert not any(c.value.startswith("python -m metrics xmr") and "--change" in c.value for c in at.code)
    assert any("1 process period in this view" in c.value for c in at.caption)


def test_filters_follow_the_reader_from_page_to_page(demo):
    at = open_page()
    at.selectbox(key="overview_function").set_value("internal").run()
    at.switch_page("pages/process.py").run()
    assert not at.exception
    assert widget(at, "process_function").value == "internal"


# -- the board pack ---------------------------------------------------------------------------------------------------
def test_the_board_pack_builds_with_progress_and_offers_two_downloads(demo):
    at = open_page()
    at.button(key="overview_build_pack").click().run()
    assert not at.exception
    assert at.get("status")[0].label == "Board pack ready"
    assert [b.key for b in at.get("download_button")] == ["overview_pack_html", "overview_pack_csv"]


def test_board_pack_html_is_standalone_and_the_csvs_hold_every_figure(demo):
    store = Store(demo)
    months = sorted(calc.monthly(store)["month"].unique())
    data = compute_overview(store, Filters(months[0], months[-1], None, None))
    steps = []
    pack = build_board_pack(data, "Board pack", "data last changed today", lambda f, t: steps.append(f))
    html = pack.html.decode("utf-8")
    assert steps[-1] == 1.0 and steps == sorted(steps)
    assert '<script src="http' not in html and "plotly.js v" in html  # plotly is inlined: opens offline
    assert html.count('class="plotly-graph-div"') == 3  # heatmap, plan, leading-lagging
    assert data.headline in html and "Finance" in html
    with zipfile.ZipFile(io.BytesIO(pack.csv_zip)) as archive:
        names = set(archive.namelist())
        assert {"cards.csv", "coverage_by_unit.csv", "plan_vs_actual.csv", "units_behind_plan.csv"} <= names
        cards = pd.read_csv(archive.open("cards.csv"))
    assert len(cards) == len(registry.all_metrics(store))
    nps = cards.set_index("metric").loc["nps"]
    figures = calc.monthly(store)
    latest = figures[(figures["metric"] == "nps")].dropna()["value"].iloc[-1]
    assert nps["value"] == pytest.approx(latest)


def test_user_text_is_escaped_in_the_pack_and_formula_safe_in_the_csv(db):
    store = Store(db)
    name = "=HYPERLINK(\"x\") <b>Ops</b>"
    with store.transaction("test") as tx:
        tx.upsert("units", pd.DataFrame({"unit": [name], "function": ["internal"], "parent": [None]}))
        tx.upsert("headcount", pd.DataFrame({"month": ["2026-01-01", "2026-02-01"], "unit": [name] * 2,
                                             "headcount": [10, 10], "leavers": [0, 0]}))
        tx.upsert("plan", pd.DataFrame({"month": ["2026-02-01"], "course": ["service-excellence"], "unit": [""],
                                        "planned_coverage": [0.5]}))
    data = compute_overview(store, Filters("2026-01", "2026-02", None, None))
    pack = build_board_pack(data, "Board pack", "today")
    html = pack.html.decode("utf-8")
    assert "<b>Ops</b>" not in html and "&lt;b&gt;Ops&lt;/b&gt;" in html
    with zipfile.ZipFile(io.BytesIO(pack.csv_zip)) as archive:
        behind = archive.read("units_behind_plan.csv").decode("utf-8")
    assert "'=HYPERLINK" in behind


def test_a_unit_name_is_shown_as_typed_not_as_markdown(db):
    store = Store(db)
    name = "**Ops** [x](https://example.org)"
    with store.transaction("test") as tx:
        tx.upsert("units", pd.DataFrame({"unit": [name], "function": ["frontline"], "parent": [None]}))
        tx.upsert("headcount", pd.DataFrame({"month": ["2026-01-01"], "unit": [name], "headcount": [10],
                                             "leavers": [0]}))
    close_all()
    at = open_page("pages/process.py", {"unit": name, "metric": "churn_annualised"})
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert r"\*\*Ops\*\* \[x\]\(https\:" in text


def test_the_initiatives_drawn_are_those_of_the_chosen_metrics_first_and_at_most_ten(db):
    from ui.executive import initiatives_in_scope
    from ui.figures import MAX_INITIATIVES, aligned_chart, initiatives_shown

    store = Store(db)
    rows = [{"name": f"Other {i:02d}", "owner": "x", "start": f"2025-{i % 12 + 1:02d}-01", "end": None,
             "status": "active", "unit": None, "metric": "churn_annualised"} for i in range(15)]
    rows += [{"name": "Idea lab", "owner": "x", "start": "2025-09-01", "end": None, "status": "active",
              "unit": None, "metric": "ideas_implemented"},
             {"name": "Kiosks", "owner": "x", "start": "2025-03-01", "end": "2025-05-01", "status": "dropped",
              "unit": None, "metric": "nps"}]
    with store.transaction("test") as tx:
        tx.upsert("initiatives", pd.DataFrame(rows))
    table = initiatives_in_scope(store, Filters("2025-01", "2025-12", None, None),
                                 prefer=("ideas_implemented", "nps"))
    assert table["name"].tolist()[:2] == ["Kiosks", "Idea lab"]  # the chosen metrics' own first, then by start
    assert table["label"].tolist()[0] == "Kiosks (dropped)"
    assert initiatives_shown(table, "2025-01", "2025-12") == (MAX_INITIATIVES, 17)
    lead = pd.Series(range(12), index=[f"2025-{m:02d}" for m in range(1, 13)], dtype=float)
    fig = aligned_chart(lead, lead, 0, registry.get("ideas_implemented"), registry.get("nps"), table)
    names = [trace.name for trace in fig.data if getattr(trace, "mode", None) == "lines"]
    assert "Idea lab" in names and "Kiosks (dropped)" in names and len(names) == MAX_INITIATIVES


# -- the pages show the command line's numbers --------------------------------------------------------------------
def _cli(capsys, *argv: str) -> pd.DataFrame:
    from metrics.__main__ import main

    assert main(list(argv)) == 0
    return pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)


def test_the_xmr_numbers_on_the_page_are_the_command_lines(demo, capsys):
    store = Store(demo)
    months = sorted(calc.monthly(store)["month"].unique())
    at = open_page("pages/process.py", {"metric": "churn_annualised", "function": "frontline"})
    assert not at.exception
    command = next(c.value for c in at.code if c.value.startswith("python -m metrics xmr"))
    start = months[1]  # the demo's "Stay conversations with every team" starts in its second month
    # ...and the process changes the demo marks by hand (where its rollouts levelled off) follow it.
    assert command.startswith(f"python -m metrics xmr --metric churn_annualised --rules wheeler --function frontline "
                              f"--change {start}")
    shown = at.dataframe[0].value
    printed = _cli(capsys, *command.split()[3:], "--db", str(demo))
    assert list(printed["month"]) == list(shown["month"])
    for column in ("value", "centre", "lower", "upper"):  # a one-month process period has no limits: empty
        assert printed[column].replace("", "nan").astype(float).tolist() == pytest.approx(
            shown[column].tolist(), nan_ok=True), column
    rule_words = {"outside the limits": "outside", "8 in a row on one side": "run8", "3 of 4 near a limit": "3of4"}
    assert printed["signal"].tolist() == [";".join(rule_words[w] for w in s.split(", ") if w) for s in
                                          shown["signal"]]


def test_the_correlations_on_the_lead_lag_page_are_the_command_lines(demo, capsys):
    at = open_page("pages/lead_lag.py", {"lead": "tickets_within_promise", "lag": "happiness"})
    assert not at.exception
    command = next(c.value for c in at.code if c.value.startswith("python -m metrics leadlag"))
    shown = at.dataframe[0].value
    printed = _cli(capsys, *command.split()[3:], "--db", str(demo))
    table = printed[printed["lag_months"] != "best"]
    assert table["lag_months"].astype(int).tolist() == shown["lag_months"].tolist()
    assert table["r"].replace("", "nan").astype(float).tolist() == pytest.approx(shown["r"].tolist(), nan_ok=True)
    assert table["n"].astype(int).tolist() == shown["n"].tolist()


def test_a_period_the_reader_chooses_sticks_and_goes_to_the_url(demo):
    # Streamlit takes a select slider for a range only when its value is a pair: a seeded range used to fall back
    # to one month on the first change, and the period snapped back to the URL's.
    store = Store(demo)
    months = sorted(calc.monthly(store)["month"].unique())
    at = open_page()
    at.select_slider(key="overview_period").set_range(months[3], months[-5]).run()
    assert not at.exception and not at.warning
    assert widget(at, "overview_period").value == (months[3], months[-5])
    assert dict(at.query_params)["from"] in (months[3], [months[3]])
    at.select_slider(key="overview_period").set_range(months[4], months[-5]).run()
    assert widget(at, "overview_period").value == (months[4], months[-5])
    at.switch_page("pages/process.py").run()
    assert widget(at, "process_period").value == (months[4], months[-5])  # the period follows the reader
    at.toggle(key="process_lock").set_value(True).run()
    at.select_slider(key="process_baseline").set_range(months[5], months[9]).run()
    assert not at.exception
    assert widget(at, "process_baseline").value == (months[5], months[9])
