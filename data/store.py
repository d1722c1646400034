"""The Store: the one place that opens the DuckDB file, runs SQL (always parameterised) and audits every write."""
from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from data import summaries
from data.schema import TABLES, TableSpec, quote

DEFAULT_DB = Path(__file__).resolve().parent / "tracker.duckdb"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Roles that may change the programme's records; executives only read.
WRITER_ROLES = frozenset({"lead", "admin"})
# Roles that may change only some tables: a facilitator runs workshops and promotes their ideas into the pipeline; a
# participant (no account, known only by a workshop token) adds their own ideas and votes.
LIMITED_WRITERS = {
    # An executive edits the board's narrative before it goes out (and changes nothing else).
    "executive": frozenset({"narratives"}),
    "facilitator": frozenset({"workshops", "participants", "submissions", "votes", "promotions", "ideas",
                              "narratives"}),
    "participant": frozenset({"participants", "submissions", "votes"}),
}

SECRET_SHOWN = "(secret, not shown)"  # what the audit keeps of a secret setting's value
# Settings that never leave the database except in a whole-database backup (the export leaves them out).
PERSON_ID_SALT = "person_id_salt"
SECRET_SETTINGS = frozenset({PERSON_ID_SALT})

# What a migration's SQL cannot do by itself, run in its transaction right after it: 007 fills the summaries.
_AFTER_MIGRATION: dict[str, Callable[[duckdb.DuckDBPyConnection], None]] = {"007_summaries.sql": summaries.rebuild}
# Called after every committed write with (store, tables changed): the figures' warm-up listens here.
_after_write: list[Callable[[Store, set[str]], None]] = []


def after_write(callback: Callable[[Store, set[str]], None]) -> None:
    """Call `callback(store, changed_tables)` after every committed write of this process (once per callback)."""
    if callback not in _after_write:
        _after_write.append(callback)


_LOCK_PID = re.compile(r"\(PID (\d+)\)")


class StoreError(Exception):
    """A problem the user can act on; its message says what to do."""


class StoreLocked(StoreError):
    """Another process holds DuckDB's file lock."""


class WriteNotAllowed(StoreError):
    """The caller's role may not change data."""


def default_db_path() -> Path:
    return Path(os.environ.get("TRACKER_DB") or DEFAULT_DB)


# DuckDB allows one read-write connection per file per process; every Store of that file shares it and takes a
# cursor per thread, so a Streamlit server's sessions and fragments all see each other's writes at once.
_connections: dict[Path, duckdb.DuckDBPyConnection] = {}
_connections_lock = threading.Lock()
_migrated: set[Path] = set()
# DuckDB checks write conflicts optimistically: two threads' transactions that both bump data_version fail with
# "Conflict on update" (41 of 50 concurrent writes did). This process owns the file, so a lock per file serialises
# its writes; readers are not held up (each cursor reads its own snapshot).
_write_locks: dict[Path, threading.RLock] = {}


def _write_lock(path: Path) -> threading.RLock:
    with _connections_lock:
        return _write_locks.setdefault(path, threading.RLock())


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    with _connections_lock:
        con = _connections.get(path)
        if con is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists() and path.stat().st_size == 0:
                path.unlink()  # an empty file (a `touch`, a copy that failed) holds nothing: start it afresh
            try:
                con = duckdb.connect(str(path))
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise StoreError(f"Cannot open {path}: {exc}") from exc
                pid = _LOCK_PID.search(str(exc))
                holder = f"process {pid.group(1)}" if pid else "another process"
                raise StoreLocked(
                    f"{path} is in use by {holder}: DuckDB lets one program open a database file at a time, "
                    "usually the running dashboard or a command-line import. Close that program (or use the "
                    "dashboard itself while it runs), then try again. Nothing was changed."
                ) from exc
            _connections[path] = con
        return con


def close_all() -> None:
    """Release every file lock this process holds (tests and the restore command need this)."""
    with _connections_lock:
        for con in _connections.values():
            con.close()
        _connections.clear()
        _migrated.clear()


@dataclass
class WriteSummary:
    """What one write changed, per table: counts of new, updated, unchanged and deleted records."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, table: str, kind: str, n: int) -> None:
        per_table = self.counts.setdefault(table, {"new": 0, "updated": 0, "unchanged": 0, "deleted": 0})
        per_table[kind] += n

    @property
    def changed(self) -> int:
        return sum(c["new"] + c["updated"] + c["deleted"] for c in self.counts.values())


class Transaction:
    """One write: set-based upserts and deletes, each changed record audited with its before and after."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, actor: str, action: str,
                 tables: frozenset[str] | None = None):
        self.cursor = cursor
        self.actor = actor
        self.action = action
        self.tables = tables  # the tables this writer may change; None for all
        self.summary = WriteSummary()
        # Tables changed without a record count of their own (a restore replaces them all): their versions move too.
        self.also_changed: set[str] = set()

    def mark_changed(self, *tables: str) -> None:
        """Count these tables as changed by this write, so figures cached from them are computed again."""
        self.also_changed.update(tables)

    @property
    def changed_tables(self) -> set[str]:
        counts = self.summary.counts
        return {t for t, c in counts.items() if c["new"] + c["updated"] + c["deleted"]} | self.also_changed

    def _check_table(self, table: str) -> None:
        if self.tables is not None and table not in self.tables:
            raise WriteNotAllowed(f"This role may not change {table}.")

    def execute(self, sql: str, params: list | tuple | None = None) -> None:
        self.cursor.execute(sql, params or [])

    def upsert(self, table: str, rows: pd.DataFrame) -> dict[str, int]:
        """Insert new records and update changed ones by key; identical rows change nothing and leave no audit.

        `rows` holds the key and any subset of the other columns: columns it leaves out keep their stored values
        (an import of the file formats must not wipe the feedback or complaint handling kept beside them)."""
        self._check_table(table)
        spec = TABLES[table]
        before = self.summary.counts.get(table, {}).copy()
        if rows.empty:
            self.summary.add(table, "new", 0)
            return {"new": 0, "updated": 0, "unchanged": 0, "deleted": 0}
        given = [c for c in spec.columns if c in rows.columns]
        missing_key = [k for k in spec.key if k not in given]
        if missing_key:
            raise ValueError(f"upsert into {table} needs its key columns; missing {', '.join(missing_key)}")
        self.cursor.register("staged_rows", rows[given].copy())
        try:
            self._stage(spec, given)
            self._audit_changes(spec)
            self._touch_changed(spec)
            n_new, n_updated, n_same = self.cursor.execute(
                "SELECT count(*) FILTER (old_json IS NULL),"
                " count(*) FILTER (old_json IS NOT NULL AND old_json <> new_json),"
                " count(*) FILTER (old_json = new_json) FROM upsert_diff"
            ).fetchone()
            self.cursor.execute(f"INSERT OR REPLACE INTO {spec.quoted_name} ({spec.column_list}) "
                                f"SELECT {spec.column_list} FROM upsert_diff "
                                "WHERE old_json IS NULL OR old_json <> new_json")
            # On failure the rollback removes the temporary table with everything else this write did.
            self.cursor.execute("DROP TABLE upsert_diff")
        finally:
            self.cursor.unregister("staged_rows")
        self.summary.add(table, "new", n_new)
        self.summary.add(table, "updated", n_updated)
        self.summary.add(table, "unchanged", n_same)
        after = self.summary.counts[table]
        return {k: after[k] - before.get(k, 0) for k in after}

    def _stage(self, spec: TableSpec, given: list[str]) -> None:
        # Cast the staged frame to the table's own types so comparison and JSON are exactly what would be stored;
        # a column not given takes the stored record's value (NULL for a new record).
        casts = ", ".join(f"CAST(s.{quote(c)} AS {spec.columns[c]}) AS {quote(c)}" for c in given)
        merged = ", ".join(f"g.{quote(c)}" if c in given else f"o.{quote(c)}" for c in spec.columns)
        self.cursor.execute(
            f"CREATE TEMP TABLE upsert_diff AS "
            f"WITH given AS (SELECT {casts} FROM staged_rows s), "
            f"new_rows AS (SELECT {merged} FROM given g LEFT JOIN {spec.quoted_name} o "
            f"  ON {spec.key_match('o', 'g')}) "
            f"SELECT n.*, to_json(n) AS new_json, "
            f"  (SELECT to_json(o) FROM {spec.quoted_name} o WHERE {spec.key_match('o', 'n')}) AS old_json "
            f"FROM new_rows n"
        )

    def _touch_changed(self, spec: TableSpec) -> None:
        # The summaries follow both where a changed record was and where it is now (a date moved to another month).
        if spec.name not in summaries.SOURCES:
            return
        changed = "(old_json IS NULL OR old_json <> new_json)"
        summaries.touch(self.cursor, spec.name, f"(SELECT * FROM upsert_diff WHERE {changed})")
        summaries.touch(self.cursor, spec.name, f"(SELECT o.* FROM {spec.quoted_name} o JOIN upsert_diff d "
                                                f"ON {spec.key_match('o', 'd')} WHERE d.old_json <> d.new_json)")

    def _audit_changes(self, spec: TableSpec) -> None:
        self.cursor.execute(
            f"INSERT INTO audit (actor, action, table_name, record_key, before, after) "
            f"SELECT ?, ?, ?, {spec.key_json()}, old_json, new_json FROM upsert_diff "
            f"WHERE old_json IS NULL OR old_json <> new_json",
            [self.actor, self.action, spec.name],
        )

    def delete_all(self, table: str, where: str = "TRUE", params: list | None = None) -> int:
        """Delete records matching a fixed condition of ours (never user text), auditing each with its before."""
        self._check_table(table)
        spec = TABLES[table]
        params = list(params or [])
        self.cursor.execute(
            f"INSERT INTO audit (actor, action, table_name, record_key, before, after) "
            f"SELECT ?, ?, ?, {spec.key_json()}, to_json(t), NULL FROM {spec.quoted_name} t WHERE {where}",
            [self.actor, self.action, spec.name, *params],
        )
        summaries.touch(self.cursor, table, f"(SELECT * FROM {spec.quoted_name} WHERE {where})", params)
        n = self.cursor.execute(f"DELETE FROM {spec.quoted_name} WHERE {where}", params).fetchone()[0]
        self.summary.add(table, "deleted", n)
        return n

    def delete_keys(self, table: str, keys: list[dict]) -> int:
        """Delete the records with these keys (each a dict of the key columns), auditing each with its before.

        The key values are bound as data (a registered frame cast to the key's own types), never pasted into SQL;
        a key that matches no record deletes nothing. Returns how many records were deleted."""
        self._check_table(table)
        spec = TABLES[table]
        if not keys:
            self.summary.add(table, "deleted", 0)
            return 0
        for given in keys:
            if missing := [k for k in spec.key if k not in given]:
                raise ValueError(f"a key of {table} needs {', '.join(spec.key)}; {given!r} lacks {', '.join(missing)}")
        frame = pd.DataFrame([{k: given[k] for k in spec.key} for given in keys], columns=list(spec.key))
        casts = ", ".join(f"CAST(k.{quote(c)} AS {spec.columns[c]}) AS {quote(c)}" for c in spec.key)
        match = f"EXISTS (SELECT 1 FROM doomed d WHERE {spec.key_match('t', 'd')})"
        self.cursor.register("deleted_keys", frame)
        try:
            self.cursor.execute(f"CREATE TEMP TABLE doomed AS SELECT DISTINCT {casts} FROM deleted_keys k")
            self.cursor.execute(
                f"INSERT INTO audit (actor, action, table_name, record_key, before, after) "
                f"SELECT ?, ?, ?, {spec.key_json()}, to_json(t), NULL FROM {spec.quoted_name} t WHERE {match}",
                [self.actor, self.action, spec.name],
            )
            summaries.touch(self.cursor, table, f"(SELECT * FROM {spec.quoted_name} t WHERE {match})")
            n = self.cursor.execute(f"DELETE FROM {spec.quoted_name} t WHERE {match}").fetchone()[0]
        finally:
            self.cursor.execute("DROP TABLE IF EXISTS doomed")
            self.cursor.unregister("deleted_keys")
        self.summary.add(table, "deleted", n)
        return n

    def rows(self, sql: str, params: list | tuple | dict | None = None) -> list[tuple]:
        """Read inside the write, seeing its own changes (checks that must hold when the write commits)."""
        return self.cursor.execute(sql, params or []).fetchall()

    def set_setting(self, key: str, value: str, secret: bool = False) -> None:
        """A secret (the salt of hashed person ids) is audited as set, never with its value."""
        old = self.cursor.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        if old and old[0] == value:
            return
        self.cursor.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, value])

        def shown(v: str) -> str:
            return SECRET_SHOWN if secret else v

        self.cursor.execute(
            "INSERT INTO audit (actor, action, table_name, record_key, before, after) "
            "VALUES (?, ?, 'settings', ?, ?, ?)",
            [self.actor, self.action, json.dumps({"key": key}),
             json.dumps({"value": shown(old[0])}) if old else None, json.dumps({"value": shown(value)})],
        )
        self.summary.add("settings", "updated" if old else "new", 1)


class Store:
    """A handle on one tracker database for one actor; cheap to create, shares the process's connection."""

    def __init__(self, path: str | Path | None = None, actor: str = "local", role: str = "lead"):
        self.path = Path(path or default_db_path()).resolve()
        self.actor = actor
        self.role = role
        self._con = _connect(self.path)
        self._local = threading.local()
        # A Store is made on every page run; the schema only needs checking once per file per process.
        if self.path not in _migrated:
            self.migrate()
            _migrated.add(self.path)

    # -- reading -------------------------------------------------------------------------------------------------
    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def query(self, sql: str, params: list | tuple | dict | None = None) -> pd.DataFrame:
        return self._cursor().execute(sql, params or []).df()

    def rows(self, sql: str, params: list | tuple | dict | None = None) -> list[tuple]:
        return self._cursor().execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list | tuple | dict | None = None):
        row = self._cursor().execute(sql, params or []).fetchone()
        return row[0] if row else None

    def data_version(self, tables: Iterable[str] | None = None) -> int:
        """The version every write bumps; given tables, the version at which the latest of them changed, so a cache
        of figures read from those tables only is kept while other tables change."""
        if tables is None:
            return int(self.scalar("SELECT value FROM settings WHERE key = 'data_version'"))
        return int(self.scalar("SELECT coalesce(max(version), 0) FROM table_versions "
                               "WHERE list_contains(?, table_name)", [sorted(tables)]))

    def setting(self, key: str, default: str | None = None) -> str | None:
        value = self.scalar("SELECT value FROM settings WHERE key = ?", [key])
        return default if value is None else value

    def table(self, name: str) -> pd.DataFrame:
        spec = TABLES[name]
        return self.query(f"SELECT {spec.column_list} FROM {spec.quoted_name} ORDER BY {spec.key_list}")

    def counts(self) -> dict[str, int]:
        return {name: self.scalar(f"SELECT count(*) FROM {spec.quoted_name}") for name, spec in TABLES.items()}

    def is_empty(self) -> bool:
        return not any(self.counts().values())

    def is_demo(self) -> bool:
        return self.setting("demo") == "1"

    def last_changed(self):
        """When the programme's data last changed (a datetime), or None for a database never written."""
        return self.scalar("SELECT max(changed_at) FROM audit")

    def key_json(self, table: str, key: dict) -> str:
        """A record's key as the audit log writes it (record_key), its values cast to the key's own types."""
        spec = TABLES[table]
        fields = ", ".join(f"'{k}': CAST(? AS {spec.columns[k]})" for k in spec.key)
        return self.scalar(f"SELECT CAST(to_json({{{fields}}}) AS VARCHAR)", [key[k] for k in spec.key])

    def audit_log(self, limit: int = 100) -> pd.DataFrame:
        return self.query("SELECT * FROM audit ORDER BY id DESC LIMIT ?", [limit])

    # -- writing -------------------------------------------------------------------------------------------------
    @contextmanager
    def transaction(self, action: str, detail: str = "") -> Iterator[Transaction]:
        """One write: all or nothing, a summary audit row, and a new data version so cached figures refresh."""
        if self.role not in WRITER_ROLES and self.role not in LIMITED_WRITERS:
            raise WriteNotAllowed(f"Role '{self.role}' may view the tracker but not change it.")
        cur = self._cursor()
        with _write_lock(self.path):
            cur.execute("BEGIN TRANSACTION")
            tx = Transaction(cur, self.actor, action, LIMITED_WRITERS.get(self.role))
            try:
                yield tx
                changed = tx.changed_tables
                summaries.refresh(cur, changed)
                if changed:
                    cur.execute("UPDATE settings SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
                                "WHERE key = 'data_version'")
                    cur.execute("INSERT INTO table_versions SELECT unnest(?), CAST(value AS BIGINT) FROM settings "
                                "WHERE key = 'data_version' ON CONFLICT (table_name) DO UPDATE SET "
                                "version = excluded.version", [sorted(changed)])
                    cur.execute("INSERT INTO audit (actor, action, after) VALUES (?, ?, ?)",
                                [self.actor, action, json.dumps({"detail": detail, "counts": tx.summary.counts})])
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                cur.execute(f"DROP TABLE IF EXISTS {summaries.TOUCHED}")
                raise
        if changed:
            for callback in list(_after_write):
                callback(self, changed)

    def preview_upsert(self, frames: dict[str, pd.DataFrame]) -> dict[str, dict[str, int]]:
        """What upserting these frames would do (new / updated / unchanged per table), decided by doing exactly that
        and rolling it back, so a preview can never disagree with the write that follows it."""
        cur = self._cursor()
        with _write_lock(self.path):
            cur.execute("BEGIN TRANSACTION")
            try:
                tx = Transaction(cur, self.actor, "preview")
                preview = {}
                for table, frame in frames.items():
                    counts = tx.upsert(table, frame)
                    preview[table] = {k: counts[k] for k in ("new", "updated", "unchanged")}
                return preview
            finally:
                cur.execute("ROLLBACK")
                cur.execute(f"DROP TABLE IF EXISTS {summaries.TOUCHED}")

    # -- schema --------------------------------------------------------------------------------------------------
    def migrate(self) -> list[str]:
        """Apply numbered migrations not yet recorded; each in its own transaction. Returns the names applied."""
        cur = self._cursor()
        cur.execute("CREATE TABLE IF NOT EXISTS migrations (name VARCHAR PRIMARY KEY, "
                    "applied_at TIMESTAMP DEFAULT current_localtimestamp())")
        done = {r[0] for r in cur.execute("SELECT name FROM migrations").fetchall()}
        known = {f.name for f in MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.sql")}
        if newer := sorted(done - known):
            raise StoreError(f"{self.path} was written by a newer version of the tracker (migrations "
                             f"{', '.join(newer)}); update the tracker before opening it.")
        applied = []
        for sql_file in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.sql")):
            if sql_file.name in done:
                continue
            cur.execute("BEGIN TRANSACTION")
            try:
                cur.execute(sql_file.read_text(encoding="utf-8"))
                if hook := _AFTER_MIGRATION.get(sql_file.name):
                    hook(cur)
                cur.execute("INSERT INTO migrations (name) VALUES (?)", [sql_file.name])
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            applied.append(sql_file.name)
        return applied

    def migrations(self) -> list[str]:
        return [r[0] for r in self.rows("SELECT name FROM migrations ORDER BY name")]
