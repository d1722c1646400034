"""Figures ready before the first viewer asks: the organisation's overview and every unit's series are computed in a
background thread at server start and again after each write that changes what they read.

Viewers who arrive while the warm-up runs wait for it (metrics.calc holds one lock per figure) instead of computing
the same figures again. TRACKER_WARM=0 turns it off (the in-process tests, which close databases under it).
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from data import store as storage
from data.store import Store
from metrics import calc

log = logging.getLogger(__name__)
ENV_SWITCH = "TRACKER_WARM"
WARM_ACTOR = "warm-up"
# The warm-up only reads; as an executive it could not write by mistake.
WARM_ROLE = "executive"

_lock = threading.Lock()
_running: set[Path] = set()
_again: set[Path] = set()
_done = threading.Condition(_lock)


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "1") != "0"


def warm_figures(store: Store) -> None:
    """Compute what the Overview shows on first opening (the whole organisation, the default period) and the pass
    over all units that every unit's view is cut from."""
    from ui.executive import overview_data, spine_months
    from ui.filters import Filters, last_complete_month

    months = spine_months(store)
    if not months:
        return
    overview_data(store, Filters(months[0], last_complete_month(months), None, None))
    calc.monthly_by_unit(store)


def _worker(path: Path) -> None:
    while True:
        try:
            warm_figures(Store(path, actor=WARM_ACTOR, role=WARM_ROLE))
        except Exception:  # a warm-up that fails costs only speed: the viewer computes as if it had not run
            log.exception("warming the figures of %s failed", path)
        with _lock:
            if path in _again:
                _again.discard(path)
                continue
            _running.discard(path)
            _done.notify_all()
            return


def schedule(path: Path) -> None:
    """Warm the figures of the database at `path` soon; a request during a run makes one more run after it."""
    if not enabled():
        return
    with _lock:
        if path in _running:
            _again.add(path)
            return
        _running.add(path)
    threading.Thread(target=_worker, args=(path,), name=f"warm {path.name}", daemon=True).start()


def wait(path: Path, timeout: float | None = None) -> bool:
    """Block until no warm-up of `path` runs (tests and benchmarks); False if it still runs after `timeout`."""
    with _lock:
        return _done.wait_for(lambda: path not in _running, timeout)


def _after_write(store: Store, changed: set[str]) -> None:
    if changed & set(calc.figure_tables()):
        schedule(store.path)


def start(path: str | Path) -> None:
    """At server start: warm now, and after every write that changes a table the figures read."""
    storage.after_write(_after_write)
    schedule(Path(path).resolve())
