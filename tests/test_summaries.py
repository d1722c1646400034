"""The unit x month summaries stay exact: after every kind of write, every metric for random scopes equals the
event-level definition to the decimal, and the summaries equal a rebuild from scratch."""
import random
from datetime import date

import numpy as np
import pandas as pd
import pytest

from data import demo, history, programme, records, summaries
from data import workshops as ws
from data.export import export_tables
from data.importer import load_path, run_import
from data.store import Store
from metrics import calc, reference

SEED = 14
RANDOM_SCOPES = 4
DEMO_END = date(2025, 12, 1)


def _summary_tables(store: Store) -> dict[str, pd.DataFrame]:
    return {t: store.query(f"SELECT * FROM {t} ORDER BY ALL")  # noqa: S608 - our own table names
            for t in (summaries.UNIT_MONTH, summaries.TRAINING_MONTH, summaries.SPINE)}


def _rebuilt(store: Store) -> dict[str, pd.DataFrame]:
    """What the summaries would hold if built from scratch now (built and rolled back, leaving nothing)."""
    cursor = store._cursor()
    cursor.execute("BEGIN TRANSACTION")
    try:
        summaries.rebuild(cursor)
        return _summary_tables(store)
    finally:
        cursor.execute("ROLLBACK")


def _scopes(store: Store, rng: random.Random) -> list[dict]:
    units = calc.known_units(store)
    picked = [dict(unit=rng.sample(units, rng.randint(2, min(6, len(units))))) for _ in range(RANDOM_SCOPES)]
    return [dict(), dict(function="frontline"), dict(function="internal"), dict(unit=rng.choice(units)), *picked]


def assert_exact(store: Store, rng: random.Random) -> None:
    """Every metric of every sampled scope as the summaries give it equals the event-level definition."""
    calc.clear_cache()
    for scope in _scopes(store, rng):
        ours, events = calc.monthly(store, **scope), reference.event_monthly(store, **scope)
        assert len(ours) > 0
        pd.testing.assert_frame_equal(ours, events, check_exact=True, obj=f"monthly({scope})")
    by_unit = calc.monthly_by_unit(store)
    for unit in rng.sample(calc.known_units(store), 3):
        cut = by_unit[by_unit["unit"] == unit].drop(columns="unit").reset_index(drop=True)
        pd.testing.assert_frame_equal(cut, reference.event_monthly(store, unit=unit), check_exact=True)
    for table, frame in _rebuilt(store).items():
        pd.testing.assert_frame_equal(_summary_tables(store)[table], frame, obj=table)


@pytest.fixture(scope="module")
def programme_files(tmp_path_factory):
    """The demo programme exported as the import's CSV files (a programme that is not marked as a demo)."""
    source = Store(tmp_path_factory.mktemp("demo") / "demo.duckdb", actor="test")
    demo.load_demo(source, DEMO_END)
    out = tmp_path_factory.mktemp("files")
    export_tables(source, out)
    return out


@pytest.fixture
def imported(tmp_path, programme_files) -> Store:
    store = Store(tmp_path / "tracker.duckdb", actor="lead@example.org")
    plan = run_import(store, load_path(programme_files))
    assert not plan.problems, plan.problems[:3]
    return store


def test_after_an_import_every_metric_of_every_scope_equals_the_event_definition(imported):
    counts = imported.rows("SELECT count(*), sum(responses), sum(ideas_implemented) FROM unit_month")[0]
    assert counts[0] > 100 and counts[1] == imported.scalar("SELECT count(*) FROM survey")
    assert counts[2] == imported.scalar("SELECT count(*) FROM ideas WHERE status = 'implemented'")
    assert_exact(imported, random.Random(SEED))


def test_forms_grid_edits_and_reverts_keep_the_summaries_exact(imported):
    rng = random.Random(SEED + 1)
    units = calc.known_units(imported)
    # Forms: an idea submitted and then implemented in another month, praise and a complaint.
    idea = programme.add_idea(imported, "Explain every delay", unit=units[0], submitted_on=date(2025, 3, 4),
                              today=DEMO_END)
    programme.decide_idea(imported, idea, "implemented", date(2025, 5, 20), "Done", today=DEMO_END)
    programme.add_voice_item(imported, "complaint", date(2025, 5, 2), "Late", unit=units[1], today=DEMO_END)
    programme.add_voice_item(imported, "praise", date(2024, 11, 2), "Kind", today=DEMO_END)
    assert_exact(imported, rng)
    # Grid edits: a ticket closed late moved to another month, a survey response deleted, a headcount changed.
    ticket = imported.table("tickets").dropna(subset=["closed_at"]).iloc[0]
    moved = pd.DataFrame([{**ticket.to_dict(), "closed_at": ticket["closed_at"] + pd.Timedelta(days=40)}])
    assert not records.save_rows(imported, "tickets", moved).problems
    response = imported.table("survey").iloc[0]
    records.delete_records(imported, "survey", [{"response_id": response["response_id"]}])
    head = imported.table("headcount").iloc[5]
    assert not records.save_rows(imported, "headcount", pd.DataFrame([{**head.to_dict(), "headcount": 7}])).problems
    # A desired action done late, three months past every other record: its month joins the spine of both paths.
    action = imported.table("desired_actions").iloc[0]
    done_on = pd.Timestamp(DEMO_END) + pd.DateOffset(months=3)
    late = pd.DataFrame([{**action.to_dict(), "status": "done", "done_on": done_on}])
    assert not records.save_rows(imported, "desired_actions", late).problems
    assert calc.monthly(imported)["month"].max() == (pd.Period(DEMO_END, "M") + 3).strftime("%Y-%m")
    assert_exact(imported, rng)
    # Reverts: the moved ticket and the deleted response come back as they were.
    changes = history.recent_changes(imported, limit=20)
    for table in ("tickets", "survey", "headcount", "desired_actions"):
        history.revert(imported, int(changes[changes["table"] == table]["id"].iloc[0]))
    assert_exact(imported, rng)


def test_a_workshop_promotion_counts_its_ideas_where_they_were_submitted(imported):
    units = calc.known_units(imported)
    fac = Store(imported.path, actor="facilitator@example.org", role="facilitator")
    room = Store(imported.path, actor="participant", role="participant")
    workshop = ws.create(fac, "Leadership workshop", "What would help customers?", units=[units[2]])
    who = ws.join(room, workshop.join_code, "Ana")
    posted = ws.submit(room, who.token, "Water for waiting passengers")
    before = imported.scalar("SELECT sum(ideas_submitted) FROM unit_month WHERE unit = ?", [units[2]])
    ws.promote(fac, workshop.id, [posted.id])
    after = imported.scalar("SELECT sum(ideas_submitted) FROM unit_month WHERE unit = ?", [units[2]])
    assert after == before + 1
    assert_exact(imported, random.Random(SEED + 2))


def test_a_workshop_vote_keeps_the_executive_figures_cached(imported):
    fac = Store(imported.path, actor="facilitator@example.org", role="facilitator")
    room = Store(imported.path, actor="participant", role="participant")
    workshop = ws.create(fac, "Town hall", "What would help?")
    first = calc.figures_version(imported)
    ana, bo = ws.join(room, workshop.join_code, "Ana"), ws.join(room, workshop.join_code, "Bo")
    ws.vote(room, bo.token, ws.submit(room, ana.token, "Shorter queues").id)
    assert calc.figures_version(imported) == first
    assert imported.data_version() > first
    programme.add_voice_item(imported, "praise", date(2025, 6, 1), "Thanks", today=DEMO_END)
    assert calc.figures_version(imported) > first


def test_clearing_everything_empties_the_summaries_and_the_spine(imported):
    with imported.transaction("clear") as tx:
        for table in ("survey", "voice", "tickets", "ideas", "training", "headcount", "readings", "desired_actions"):
            tx.delete_all(table)
    assert imported.scalar("SELECT count(*) FROM unit_month") == 0
    assert imported.scalar("SELECT count(*) FROM training_month") == 0
    assert imported.scalar("SELECT count(*) FROM month_spine") == 0
    assert calc.monthly(imported).empty


def test_an_older_database_gets_its_summaries_when_it_upgrades(tmp_path, programme_files, imported):
    expected = _summary_tables(imported)
    cursor = imported._cursor()
    cursor.execute("DELETE FROM unit_month; DELETE FROM training_month; DELETE FROM month_spine")
    cursor.execute("DELETE FROM migrations WHERE name = '007_summaries.sql'")
    cursor.execute("DROP TABLE unit_month; DROP TABLE training_month; DROP TABLE month_spine; "
                   "DROP TABLE table_versions")
    assert imported.migrate() == ["007_summaries.sql"]
    for table, frame in _summary_tables(imported).items():
        pd.testing.assert_frame_equal(frame, expected[table], obj=table)
    assert np.isclose(calc.monthly(imported).query("metric == 'nps'")["value"].dropna().iloc[-1],
                      reference.event_monthly(imported).query("metric == 'nps'")["value"].dropna().iloc[-1])


def test_a_roster_programme_keeps_every_metric_equal_to_the_event_definition(store):
    """Headcount and leavers from the roster's spells, coverage counted in people: the summaries' path equals the
    event-level definition for the organisation, each unit, a function and units taken together, for both courses."""
    from tests.test_roster import HEADCOUNT, files

    assert not run_import(store, files(**{"headcount.csv": HEADCOUNT})).problems
    # The roster's months are in the spine: its first spell (November 2023) comes before any typed headcount.
    assert calc.monthly(store)["month"].min() == "2023-11"
    for course in ("service", None):
        for scope in (dict(), dict(unit="Sales"), dict(unit="IT"), dict(function="internal"),
                      dict(unit=["Sales", "Finance"])):
            calc.clear_cache()
            ours = calc.monthly(store, course=course, **scope)
            pd.testing.assert_frame_equal(ours, reference.event_monthly(store, course=course, **scope),
                                          check_exact=True, obj=f"monthly({course}, {scope})")
    coverage_now = calc.monthly(store, course="service", unit="Sales").query("metric == 'training_coverage'")
    assert coverage_now["value"].notna().any()
