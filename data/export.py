"""Getting data out: every table as formula-safe CSV and as Parquet, and whole-file backup and restore."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from data.schema import NARRATIVE_TABLES, TABLES, WORKSHOP_TABLES
from data.store import SECRET_SETTINGS, Store, StoreError, close_all

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection"); tab and carriage
# return are included because some spreadsheets strip them and then read what follows.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Tables beyond the programme's records that an export also carries, so an export is a full account; the importer
# skips their files when it reads an export folder back (a workshop's records come from the room, not a workbook).
# staff_months is the headcount every metric reads, the roster's derived figures included (a view, migration 008);
# saved mappings belong to the import machinery, not the programme.
EXTRA_TABLES = ("settings", "audit", "migrations", "staff_months", "mappings", *WORKSHOP_TABLES,
                *NARRATIVE_TABLES)


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells a spreadsheet would run as a formula with an apostrophe; numbers are left as numbers."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object:
            safe[column] = safe[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v)
    return safe


def export_tables(store: Store, out_dir: Path) -> list[Path]:
    """Write <table>.csv and <table>.parquet for every table; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    frames = {name: store.table(name) for name in TABLES}
    frames.update({name: store.query(f"SELECT * FROM {name}") for name in EXTRA_TABLES if name not in TABLES})
    frames["staff_months"] = store.query("SELECT * FROM staff_months ORDER BY month, unit")
    # A secret (the salt of hashed person ids) stays in the database: with it, hashed ids could be guessed back.
    frames["settings"] = frames["settings"][~frames["settings"]["key"].isin(SECRET_SETTINGS)]
    for name, frame in frames.items():
        csv_path, parquet_path = out_dir / f"{name}.csv", out_dir / f"{name}.parquet"
        formula_safe(frame).to_csv(csv_path, index=False)
        frame.to_parquet(parquet_path, index=False)
        written += [csv_path, parquet_path]
    return written


def backup(store: Store, target: Path) -> Path:
    """A consistent copy of the whole database file: checkpoint the write-ahead log first, then copy."""
    store.rows("CHECKPOINT")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(store.path, target)
    return target


def _check_backup(source: Path) -> None:
    if not source.is_file():
        raise StoreError(f"{source}: no such backup file.")
    try:
        con = duckdb.connect(str(source), read_only=True)
    except duckdb.Error as exc:
        raise StoreError(f"{source} is not a tracker backup (DuckDB cannot open it: {exc}).") from exc
    try:
        has_migrations = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'migrations'").fetchone()[0]
    finally:
        con.close()
    if not has_migrations:
        raise StoreError(f"{source} is a DuckDB file but not a tracker backup (it has no migrations table).")


def restore(db_path: Path, source: Path, actor: str = "cli") -> Path | None:
    """Replace the database with a backup, keeping the replaced file beside it; returns where that copy went."""
    _check_backup(source)
    db_path = db_path.resolve()
    replaced_version = Store(db_path).data_version() if db_path.exists() else 0
    close_all()  # release our own lock on the file we are about to replace
    # Never overwrite an earlier kept copy: a second restore must not destroy what the first one set aside.
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    kept = db_path.with_name(f"{db_path.name}.before-restore-{stamp}") if db_path.exists() else None
    if kept:
        shutil.copyfile(db_path, kept)
    wal = db_path.with_name(db_path.name + ".wal")
    wal.unlink(missing_ok=True)
    shutil.copyfile(source, db_path)
    store = Store(db_path, actor=actor)  # migrates a backup written by an older version
    # The version must move past both files' versions, or figures cached for the replaced data would be reused.
    version = max(replaced_version, store.data_version())
    with store.transaction("restore", f"restored from {source}") as tx:
        tx.mark_changed(*TABLES, "settings")  # every table may differ from what figures were cached from
        tx.execute("UPDATE settings SET value = ? WHERE key = 'data_version'", [str(version)])
        tx.set_setting("restored_from", f"{source} at {datetime.now().isoformat(timespec='seconds')}")
    return kept
