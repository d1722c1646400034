"""The session's Store: one shared DuckDB connection per process, the demo programme created on the very first run."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from data.demo import load_demo
from data.store import Store, StoreLocked, default_db_path
from ui import warm
from ui.access import current_user


@st.cache_resource(show_spinner="Creating the tracker's database with a demo programme…")
def _ensure_database(path: str) -> str:
    """Only the dashboard adds demo data, and only when no database file exists yet (design.md)."""
    first_run = not Path(path).exists()
    store = Store(path, actor="dashboard first run")
    if first_run:
        load_demo(store)
    warm.start(store.path)  # the overview's figures, computed before the first viewer asks for them
    return path


def get_store() -> Store:
    """The Store for this session's user; a page stops with a clear message when another program holds the file."""
    try:
        path = _ensure_database(str(default_db_path()))
        who, role = current_user()
        return Store(path, actor=who, role=role)
    except StoreLocked as exc:
        st.error(f"The tracker cannot open its database. {exc}", icon=":material/lock:")
        st.stop()
