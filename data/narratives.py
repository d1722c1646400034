"""The board's narrative as a person edited it: stored sentence by sentence with who saved it and when, and the
figures each drafted sentence stated, so that metrics.narrative can mark a sentence stale when they change.

A save replaces the whole edited narrative of a month and scope in one audited transaction; every problem with the
rows (an empty sentence, one too long, an unknown section) is reported at once and nothing is written. Executives may
save (the Store lets them change this table and no other), as may leads and admins.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from data.importer import Problem
from data.store import Store, StoreError, WriteSummary

TABLE = "narratives"
GRID = "narrative"  # how a problem names where it is: the narrative's editing grid
MAX_TEXT = 1000  # characters in one sentence: a board pack's paragraph, not a page
ADDED_SECTION = "notes"  # a sentence a person adds without choosing a section (the sections are metrics.narrative's)


def scope_key(unit: str | None = None, function: str | None = None) -> str:
    """How the table names a scope: '' for the whole organisation, 'unit:<name>' or 'function:<name>'."""
    if unit:
        return f"unit:{unit}"
    return f"function:{function}" if function else ""


@dataclass(frozen=True)
class EditedSentence:
    line: int
    sentence_id: str  # the drafted sentence it comes from; '' when a person added it
    section: str
    text: str
    figures: dict[str, str] = field(default_factory=dict)
    link: str = ""
    removed: bool = False


@dataclass(frozen=True)
class Edited:
    """A saved narrative: its sentences in reading order (removed drafts included, flagged) and who saved it when."""

    sentences: list[EditedSentence]
    edited_by: str
    edited_at: datetime


def load(store: Store, month: str, unit: str | None = None, function: str | None = None) -> Edited | None:
    """The edited narrative of a month ('YYYY-MM') and scope, or None while nobody has saved one."""
    rows = store.query(
        "SELECT line, sentence_id, section, text, figures, link, removed, edited_by, edited_at FROM narratives "
        "WHERE month = CAST($month AS DATE) AND scope = $scope ORDER BY line",
        {"month": f"{month}-01", "scope": scope_key(unit, function)})
    if rows.empty:
        return None
    sentences = [EditedSentence(int(r.line), r.sentence_id or "", r.section, r.text,
                                json.loads(r.figures) if isinstance(r.figures, str) and r.figures else {},
                                r.link if isinstance(r.link, str) else "", bool(r.removed))
                 for r in rows.itertuples()]
    return Edited(sentences, str(rows["edited_by"].iloc[0]), pd.Timestamp(rows["edited_at"].iloc[0]).to_pydatetime())


def problems(rows: Iterable[Mapping], sections: Iterable[str]) -> list[Problem]:
    """Every problem with the rows a person is saving, located as the editing grid shows them (row 1 = the first);
    `sections` are the section keys a sentence may belong to."""
    sections = tuple(sections)
    found = []
    for number, row in enumerate(rows, start=1):
        text = str(row.get("text") or "").strip()
        if not text and not row.get("removed"):
            found.append(Problem(GRID, number, "text", "the sentence is empty; write it, or delete the row"))
        if len(text) > MAX_TEXT:
            found.append(Problem(GRID, number, "text", f"{len(text)} characters; a sentence may have {MAX_TEXT}"))
        if (row.get("section") or ADDED_SECTION) not in sections:
            found.append(Problem(GRID, number, "section",
                                 f"'{row.get('section')}' is not a section; choose {', '.join(sections)}"))
    return found


def _frame(store: Store, month: str, scope: str, rows: list[Mapping]) -> pd.DataFrame:
    now = datetime.now().replace(microsecond=0)
    return pd.DataFrame([{
        "month": f"{month}-01", "scope": scope, "line": line, "sentence_id": row.get("sentence_id") or "",
        "section": row.get("section") or ADDED_SECTION, "text": str(row.get("text") or "").strip(),
        "figures": json.dumps(dict(row.get("figures") or {}), sort_keys=True), "link": row.get("link") or "",
        "removed": bool(row.get("removed")), "edited_by": store.actor, "edited_at": now,
    } for line, row in enumerate(rows, start=1)])


class NarrativeRefused(StoreError):
    """Rows that cannot be saved; `problems` lists every one."""

    def __init__(self, found: list[Problem]):
        super().__init__("; ".join(str(p) for p in found))
        self.problems = found


def save(store: Store, month: str, rows: list[Mapping], sections: Iterable[str], unit: str | None = None,
         function: str | None = None) -> WriteSummary:
    """Keep `rows` (dicts of sentence_id, section, text, figures, link, removed, in reading order) as the edited
    narrative of the month and scope, stamped with the store's actor and the time; one audited write. Raises
    NarrativeRefused, writing nothing, when a row has a problem."""
    rows = list(rows)
    if found := problems(rows, sections):
        raise NarrativeRefused(found)
    scope = scope_key(unit, function)
    frame = _frame(store, month, scope, rows)
    with store.transaction("narrative", f"edited the narrative of {month} ({scope or 'organisation'})") as tx:
        tx.delete_all(TABLE, "month = CAST(? AS DATE) AND scope = ? AND line > ?", [f"{month}-01", scope, len(rows)])
        tx.upsert(TABLE, frame)
    return tx.summary


def discard(store: Store, month: str, unit: str | None = None, function: str | None = None) -> int:
    """Forget the edited narrative of the month and scope (back to the draft); returns the sentences deleted."""
    with store.transaction("narrative", f"back to the draft of {month}") as tx:
        return tx.delete_all(TABLE, "month = CAST(? AS DATE) AND scope = ?", [f"{month}-01", scope_key(unit, function)])
