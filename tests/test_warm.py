"""Figures warm before the first viewer: the background warm-up at start and after writes, one computation per key."""
import threading
import time
from datetime import date

import pytest

from data import demo, programme
from data import workshops as ws
from data.store import Store
from metrics import calc
from ui import warm

WAIT_S = 120
VIEWERS = 8


@pytest.fixture
def demo_store(tmp_path, monkeypatch) -> Store:
    monkeypatch.setenv(warm.ENV_SWITCH, "1")
    store = Store(tmp_path / "tracker.duckdb", actor="lead@example.org")
    demo.load_demo(store, date(2025, 12, 1))
    calc.clear_cache()
    yield store
    assert warm.wait(store.path, WAIT_S)


def _warm_figures(store: Store) -> bool:
    course = calc.default_course(store)
    return (calc.is_cached(store, ("monthly_by_unit", course))
            and calc.is_cached(store, ("monthly", calc.Scope(), course)))


def test_the_server_start_computes_the_overview_and_every_unit_before_anyone_asks(demo_store):
    assert not _warm_figures(demo_store)
    warm.start(demo_store.path)
    assert warm.wait(demo_store.path, WAIT_S)
    assert _warm_figures(demo_store)
    # A unit's view is then cut from the pass over all units, and equals that unit's own query.
    unit = calc.known_units(demo_store)[0]
    cut = calc.monthly(demo_store, unit=unit)
    calc.clear_cache()
    assert cut.equals(calc.monthly(demo_store, unit=unit))


def test_a_write_warms_the_new_figures_and_a_workshop_vote_keeps_them(demo_store):
    warm.start(demo_store.path)
    assert warm.wait(demo_store.path, WAIT_S)
    before = calc.monthly(demo_store)
    programme.add_voice_item(demo_store, "complaint", date(2025, 11, 3), "Lost bag", today=date(2025, 12, 1))
    assert warm.wait(demo_store.path, WAIT_S)
    assert _warm_figures(demo_store)  # at the new version
    after = calc.monthly(demo_store)
    ratio = "praise_complaint_ratio"
    month = (after["month"] == "2025-11") & (after["metric"] == ratio)
    assert after[month]["value"].iloc[0] < before[(before["month"] == "2025-11") & (before["metric"] == ratio)][
        "value"].iloc[0]
    version = calc.figures_version(demo_store)
    fac = Store(demo_store.path, actor="facilitator@example.org", role="facilitator")
    ws.create(fac, "Town hall", "What would help?")
    assert calc.figures_version(demo_store) == version and _warm_figures(demo_store)


def test_viewers_who_miss_together_wait_for_one_computation(demo_store):
    computed, release = [], threading.Event()

    def compute():
        computed.append(1)
        release.wait(WAIT_S)
        return "figures"

    results = []
    threads = [threading.Thread(target=lambda: results.append(calc._cached(demo_store, ("probe",), compute)))
               for _ in range(VIEWERS)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # let every viewer reach the figure's lock while the first computes (not an assertion)
    release.set()
    for thread in threads:
        thread.join()
    assert results == ["figures"] * VIEWERS
    assert computed == [1]
