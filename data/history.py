"""Every record's story from the audit log: its changes, reverting one, and restoring what was deleted.

A revert or a restore is itself a write like any other: one transaction, audited record by record, with a summary
row naming the change it undid. A change is only reverted while it is the record's latest, so a revert never
silently throws away what someone did after it (unless asked to, with force=True).
"""
from __future__ import annotations

import json
from datetime import datetime

import pandas as pd

from data import bulk
from data.records import EDITABLE, SaveResult, checked_rows, normalise_key, record_label, write
from data.schema import TABLES
from data.store import Store, StoreError, Transaction, WriteSummary

HISTORY_COLUMNS = ["id", "when", "who", "action", "change", "before", "after"]
CHANGE_COLUMNS = ["id", "when", "who", "action", "table", "record", "change", "key", "before", "after"]
# Deletions made by removing the demo programme are not offered for restoring one by one.
NOT_RESTORABLE_ACTIONS = ("clear-demo",)
MAX_SHOWN_VALUE = 40
EMPTY = "—"


def _loads(text):
    if text is None or (isinstance(text, float) and text != text):
        return None
    return json.loads(text) if isinstance(text, str) else text


def _show(value) -> str:
    if value is None or value == "":
        return EMPTY
    text = str(value)
    return text if len(text) <= MAX_SHOWN_VALUE else text[:MAX_SHOWN_VALUE - 1] + "…"


def describe_change(before: dict | None, after: dict | None) -> str:
    """One line a person reads: 'added', 'deleted', or each changed field as 'status: review → implemented'."""
    if before is None and after is None:
        return ""
    if isinstance(before, dict) and "image" in before and isinstance(after, dict) and "counts" in after:
        counts = after["counts"]
        return (f"whole file: {counts.get('new', 0)} new, {counts.get('updated', 0)} updated"
                + (f", {counts['deleted']} deleted" if counts.get("deleted") else ""))
    if before is None:
        return "added"
    if after is None:
        return "deleted"
    names = list(dict.fromkeys([*before, *after]))
    changed = [f"{n}: {_show(before.get(n))} → {_show(after.get(n))}" for n in names if before.get(n) != after.get(n)]
    return "; ".join(changed) or "no change"


def _frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Audit rows with their JSON read, a readable record and change."""
    rows = rows.copy()
    for column in ("before", "after", "record_key"):
        rows[column] = [_loads(v) for v in rows[column]]
    rows["change"] = [describe_change(b, a) for b, a in zip(rows["before"], rows["after"], strict=True)]
    rows["record"] = [record_label(t, k or {}) for t, k in zip(rows["table_name"], rows["record_key"], strict=True)]
    return rows.rename(columns={"changed_at": "when", "actor": "who", "table_name": "table", "record_key": "key"})


def _key_json(store: Store, table: str, key: dict) -> str:
    if table not in TABLES:
        raise StoreError(f"{table!r} is not a table of the tracker.")
    normal, problems = normalise_key(table, key)
    if problems:
        raise StoreError("; ".join(str(p) for p in problems))
    return store.key_json(table, normal)


def record_history(store: Store, table: str, key: dict) -> pd.DataFrame:
    """Every change to one record, oldest first: id, when, who, action, change, before, after (dicts or None)."""
    rows = store.query("SELECT id, changed_at, actor, action, table_name, record_key, before, after FROM audit "
                       "WHERE table_name = ? AND record_key = ? ORDER BY id", [table, _key_json(store, table, key)])
    return _frame(rows)[HISTORY_COLUMNS]


def recent_changes(store: Store, limit: int = 100, table: str | None = None, actor: str | None = None) -> pd.DataFrame:
    """The latest changes to records, newest first, optionally of one table or by one person: id, when, who, action,
    table, record (readable key), change, key (dict), before, after. Settings are not records and are left out."""
    rows = store.query(
        "SELECT id, changed_at, actor, action, table_name, record_key, before, after FROM audit "
        "WHERE list_contains($tables, table_name) AND record_key IS NOT NULL "
        "AND ($table IS NULL OR table_name = $table) AND ($actor IS NULL OR actor = $actor) "
        "ORDER BY id DESC LIMIT $limit", {"tables": list(TABLES), "table": table, "actor": actor, "limit": int(limit)})
    return _frame(rows)[CHANGE_COLUMNS]


def actors(store: Store) -> list[str]:
    """Everyone who has changed a record, for a filter."""
    return [r[0] for r in store.rows("SELECT DISTINCT actor FROM audit WHERE list_contains(?, table_name) ORDER BY 1",
                                     [list(TABLES)])]


def changed_tables(store: Store) -> list[str]:
    """The tables with changes in the log, in the tracker's order."""
    changed = {r[0] for r in store.rows("SELECT DISTINCT table_name FROM audit WHERE table_name IS NOT NULL")}
    return [t for t in TABLES if t in changed]


def _change(store: Store, audit_id: int) -> dict:
    rows = store.query("SELECT id, changed_at, actor, action, table_name, record_key, before, after FROM audit "
                       "WHERE id = ?", [int(audit_id)])
    if rows.empty:
        raise StoreError(f"There is no change #{audit_id} in the audit log.")
    change = _frame(rows).iloc[0].to_dict()
    if change["table"] is None or change["key"] is None:
        raise StoreError(f"Change #{audit_id} is the summary of a whole write, not a change to one record; "
                         "revert the record changes it lists one by one.")
    if change["table"] not in TABLES:
        raise StoreError(f"Change #{audit_id} is to {change['table']}, which is changed on its own page, not reverted "
                         "here.")
    return change


def _later_change(tx: Transaction, change: dict) -> tuple | None:
    """The record's latest change after this one, read inside the write so no change can slip in between."""
    rows = tx.rows("SELECT b.id, b.changed_at, b.actor, b.action FROM audit a JOIN audit b "
                   "ON b.table_name = a.table_name AND b.record_key = a.record_key AND b.id > a.id "
                   "WHERE a.id = ? ORDER BY b.id DESC LIMIT 1", [int(change["id"])])
    return rows[0] if rows else None


def _when(value) -> str:
    return value.strftime("%d %b %Y %H:%M") if isinstance(value, datetime) else str(value)


def _restored_frame(table: str, record: dict) -> pd.DataFrame:
    """The record as its audit row kept it, typed as the grid would give it (times as timestamps)."""
    spec = TABLES[table]
    frame = pd.DataFrame([{c: record.get(c) for c in spec.columns}], columns=list(spec.columns))
    for column, sql_type in spec.columns.items():
        if sql_type == "TIMESTAMP":
            frame[column] = pd.to_datetime(frame[column])
    return frame


def revert(store: Store, audit_id: int, force: bool = False, _action: str = "revert",
           _detail: str | None = None) -> WriteSummary:
    """Put the record back as it was before change `audit_id`: deleted again if the change added it, re-inserted if the
    change deleted it, its old values otherwise. One audited transaction (action "revert", detail naming the change).

    Refused with a StoreError when the record has changed since (naming that later change) unless force=True, and
    when the old record no longer passes the rules (e.g. its unit has since been removed). A whole file imported at
    once (data/bulk.py) is reverted as a whole, from its before-image."""
    change = _change(store, audit_id)
    table, key, before = change["table"], change["key"], change["before"]
    label = f'{table} "{change["record"]}"'
    if isinstance(key, dict) and bulk.BULK_KEY in key:
        return _revert_file(store, change, force, _action, _detail or f"revert of change #{audit_id} ({label})")

    def not_changed_since(tx: Transaction) -> None:
        later = _later_change(tx, change)
        if later and not force:
            later_id, when, who, action = later
            raise StoreError(f"{label} has changed since change #{audit_id}: change #{later_id} ({action} by {who}, "
                             f"{_when(when)}) came after it. Revert that later change first, or revert anyway to "
                             "overwrite it.")

    frame = None if before is None else _restored_frame(table, before)
    keys = [key] if before is None else []
    if frame is not None and table in EDITABLE:  # the import's rules, as for any save
        problems, frame = checked_rows(store, table, frame)
        if problems:
            raise StoreError(f"Cannot put back {label} as it was: " + "; ".join(
                f"{p.column}: {p.reason}" if p.column else p.reason for p in problems))
    detail = _detail or f"revert of change #{audit_id} ({label})"
    result: SaveResult = write(store, table, frame, keys, _action, detail, precheck=not_changed_since)
    if result.problems:
        raise StoreError(f"Cannot revert change #{audit_id}: " + "; ".join(p.reason for p in result.problems))
    return result.summary


def _revert_file(store: Store, change: dict, force: bool, action: str, detail: str) -> WriteSummary:
    """Undo a whole file's import; refused while any later change touched its table, unless forced."""
    table, audit_id = change["table"], int(change["id"])
    with store.transaction(action, detail) as tx:
        later = tx.rows("SELECT id, changed_at, actor, action FROM audit WHERE table_name = ? AND id > ? "
                        "ORDER BY id DESC LIMIT 1", [table, audit_id])
        if later and not force:
            later_id, when, who, later_action = later[0]
            raise StoreError(f'{table} "{change["record"]}" has changed since change #{audit_id}: change #{later_id} '
                             f"({later_action} by {who}, {_when(when)}) came after it. Revert that later change "
                             "first, or revert anyway to overwrite it.")
        bulk.revert(tx, store.path, table, change["before"], change["key"][bulk.BULK_KEY])
    return tx.summary


def deleted_records(store: Store, table: str, limit: int = 500) -> pd.DataFrame:
    """Records of a table whose latest change deleted them (and that are not back), newest deletion first:
    audit_id, deleted_at, deleted_by, record, key (dict), then the record's columns as they were."""
    if table not in TABLES:
        raise StoreError(f"{table!r} is not a table of the tracker.")
    spec = TABLES[table]
    rows = store.query(
        "SELECT id, changed_at, actor, record_key, before FROM ("
        "  SELECT *, row_number() OVER (PARTITION BY record_key ORDER BY id DESC) AS latest"
        "  FROM audit WHERE table_name = $table AND record_key IS NOT NULL) "
        "WHERE latest = 1 AND after IS NULL AND before IS NOT NULL AND NOT list_contains($skip, action) "
        "ORDER BY id DESC LIMIT $limit",
        {"table": table, "skip": list(NOT_RESTORABLE_ACTIONS), "limit": int(limit)})
    keys = [_loads(k) for k in rows["record_key"]]
    befores = [_loads(b) for b in rows["before"]]
    frame = pd.DataFrame({"audit_id": rows["id"], "deleted_at": rows["changed_at"], "deleted_by": rows["actor"],
                          "record": [record_label(table, k) for k in keys], "key": keys})
    values = pd.DataFrame([{c: b.get(c) for c in spec.columns} for b in befores], columns=list(spec.columns))
    return pd.concat([frame.reset_index(drop=True), values], axis=1)


def restore_deleted(store: Store, table: str, key: dict) -> WriteSummary:
    """Put a deleted record back as it was when deleted (audited as "restore-deleted"); refused if it is not deleted."""
    rows = store.rows("SELECT id, after FROM audit WHERE table_name = ? AND record_key = ? ORDER BY id DESC LIMIT 1",
                      [table, _key_json(store, table, key)])
    label = f'{table} "{record_label(table, key)}"'
    if not rows:
        raise StoreError(f"{label} has no history in the audit log, so there is nothing to restore.")
    audit_id, after = rows[0]
    if after is not None:
        raise StoreError(f"{label} is not deleted (its latest change, #{audit_id}, did not delete it).")
    return revert(store, audit_id, _action="restore-deleted",
                  _detail=f"restore of {label}, deleted in change #{audit_id}")
