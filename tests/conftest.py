"""Shared fixtures: every test's database is a real DuckDB file in its own tmp_path, released afterwards."""
import pytest

from data.store import Store, close_all


@pytest.fixture(autouse=True)
def _release_databases():
    yield
    close_all()


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "tracker.duckdb", actor="test")
