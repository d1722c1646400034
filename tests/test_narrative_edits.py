"""The edited narrative: kept with who and when, every problem refused at once, a figure that changes afterwards marks
its sentence stale, removed sentences stay removed, and exports carry it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from data import narratives
from data.importer import load_path
from data.store import Store, WriteNotAllowed, close_all
from metrics import narrative
from tests import programmes

REPO = Path(__file__).resolve().parent.parent
MONTH = "2025-12"
SECTIONS = tuple(narrative.SECTIONS)


@pytest.fixture
def store(tmp_path) -> Store:
    return programmes.process_change(Store(tmp_path / "t.duckdb", actor="ann@example.org"))


def grid(sentences) -> list[dict]:
    """The editing grid's rows as a person first sees them: the draft."""
    return [{"sentence_id": s.id, "section": s.section, "text": s.text} for s in sentences]


def edit(store: Store, change) -> list[narrative.Sentence]:
    """Edit the draft's grid with change(rows) and save it; returns the draft it was edited against."""
    draft = narrative.draft(store, MONTH)
    rows = grid(draft)
    change(rows)
    narratives.save(store, MONTH, narrative.rows_to_save(draft, rows), SECTIONS)
    return draft


def shown(store: Store) -> list[narrative.Shown]:
    edited = narratives.load(store, MONTH)
    return narrative.reconcile(narrative.draft(store, MONTH), edited.sentences if edited else None)


# The draft of process_change: no lagging metric to report, no new signal, the initiative that moved tickets within
# promise, the target.
HEADLINE, SIGNALS, INITIATIVE, TARGET = 0, 1, 2, 3
EDITED = "Service desk time promises (Priya Nair) ended in December: 85% of tickets in time, up from 60%."


def _rewrite_initiative(rows) -> None:
    rows[INITIATIVE]["text"] = EDITED


def test_an_edit_is_kept_with_who_and_when_and_replaces_the_draft(store):
    def change(rows):
        _rewrite_initiative(rows)
        rows[TARGET]["removed"] = True
        rows.append({"section": "notes", "text": "The desk's new rota starts in January."})
    edit(store, change)
    edited = narratives.load(store, MONTH)
    assert edited.edited_by == "ann@example.org" and edited.edited_at.year == pd.Timestamp.now().year
    texts = [s.text for s in shown(store)]
    assert texts == ["No lagging metric has a figure for the whole organisation in Dec 2025, so there is no result "
                     "to report yet.",
                     "No leading indicator fired a process-behaviour signal or changed its assurance in Dec 2025.",
                     EDITED, "The desk's new rota starts in January."]
    assert [s.origin for s in shown(store)] == ["edited", "edited", "edited", "added"]
    assert all(not s.stale for s in shown(store))
    # One audit row per sentence kept (the removed target's too): five.
    assert store.scalar("SELECT count(*) FROM audit WHERE action = 'narrative' AND table_name = 'narratives'") == 5


def test_a_figure_that_changes_after_the_edit_marks_its_sentence_stale(store):
    edit(store, _rewrite_initiative)
    # Two more December tickets closed late: 17 of 22 within promise, 77% instead of 85%.
    with store.transaction("late tickets") as tx:
        tx.upsert("tickets", pd.DataFrame([{"ticket_id": f"late-{i}", "unit": "IT Service Desk",
                                            "opened_at": "2025-12-01 09:00", "promised_by": "2025-12-15 17:00",
                                            "closed_at": "2025-12-20 12:00"} for i in range(2)]))
    headline, signals, initiative, target = shown(store)
    assert initiative.text == EDITED  # the person's words stay, marked with what changed under them
    assert initiative.stale == "figures changed since the edit: now 85% → 77%"
    # The pace of the last six months now ends on the lower December: the projection falls with it.
    assert target.stale == "figures changed since the edit: high 88% → 77%; low 67% → 57%; projected 78% → 67%"
    assert signals.stale == headline.stale == ""  # "no new signal" and no lagging figure still hold


def test_saving_again_reads_the_sentences_against_todays_figures(store):
    edit(store, _rewrite_initiative)
    with store.transaction("late tickets") as tx:
        tx.upsert("tickets", pd.DataFrame([{"ticket_id": "late", "unit": "IT Service Desk", "opened_at": "2025-12-01",
                                            "promised_by": "2025-12-15", "closed_at": "2025-12-20"}]))
    assert any(s.stale for s in shown(store))
    edited = narratives.load(store, MONTH)
    rows = [{"sentence_id": s.sentence_id, "section": s.section, "text": s.text, "removed": s.removed}
            for s in edited.sentences]
    narratives.save(store, MONTH, narrative.rows_to_save(narrative.draft(store, MONTH), rows), SECTIONS)
    assert not any(s.stale for s in shown(store))


def test_a_removed_sentence_stays_removed_and_a_new_one_waits_for_the_editor(store):
    def remove_target(rows):
        rows[TARGET]["removed"] = True
    edit(store, remove_target)
    with store.transaction("new initiative") as tx:
        tx.upsert("initiatives", pd.DataFrame([{"name": "Desk chat", "owner": "Sam", "start": "2025-12-01",
                                                "status": "active"}]))
    edited = narratives.load(store, MONTH).sentences
    draft = narrative.draft(store, MONTH)
    assert not any("off track" in s.text for s in narrative.reconcile(draft, edited))
    assert [s.text for s in narrative.new_since_edit(draft, edited)] == ["Desk chat (Sam) started in Dec 2025."]


def test_every_problem_is_refused_at_once_and_nothing_is_written(store):
    rows = [{"section": "notes", "text": "  "}, {"section": "gossip", "text": "x" * 1001}]
    with pytest.raises(narratives.NarrativeRefused) as refused:
        narratives.save(store, MONTH, rows, SECTIONS)
    assert [str(p) for p in refused.value.problems] == [
        "narrative, row 1, column text: the sentence is empty; write it, or delete the row",
        "narrative, row 2, column text: 1001 characters; a sentence may have 1000",
        "narrative, row 2, column section: 'gossip' is not a section; choose headline, signals, coverage, "
        "initiatives, targets, notes",
    ]
    assert narratives.load(store, MONTH) is None


def test_a_shorter_edit_drops_the_lines_beyond_it_and_discard_goes_back_to_the_draft(store):
    edit(store, lambda rows: None)
    edit(store, lambda rows: rows.__delitem__(slice(1, None)))
    assert len(narratives.load(store, MONTH).sentences) == 1
    assert narratives.discard(store, MONTH) == 1
    assert narratives.load(store, MONTH) is None
    assert [s.origin for s in shown(store)] == ["draft"] * len(narrative.draft(store, MONTH))


def test_scopes_keep_their_own_narratives(store):
    narratives.save(store, MONTH, [{"section": "notes", "text": "Desk only."}], SECTIONS, unit="IT Service Desk")
    assert narratives.load(store, MONTH) is None
    assert narratives.load(store, MONTH, unit="IT Service Desk").sentences[0].text == "Desk only."


def test_an_executive_may_edit_the_narrative_and_nothing_else(store, tmp_path):
    executive = Store(tmp_path / "t.duckdb", actor="exec@example.org", role="executive")
    narratives.save(executive, MONTH, [{"section": "notes", "text": "Seen by the board."}], SECTIONS)
    assert narratives.load(store, MONTH).edited_by == "exec@example.org"
    with pytest.raises(WriteNotAllowed), executive.transaction("x") as tx:
        tx.upsert("units", pd.DataFrame([{"unit": "Sales", "function": "frontline", "parent": None}]))
    viewer = Store(tmp_path / "t.duckdb", actor="guest", role="viewer")
    with pytest.raises(WriteNotAllowed):
        narratives.save(viewer, MONTH, [{"section": "notes", "text": "No."}], SECTIONS)


def test_an_export_carries_the_narrative_and_reads_back_without_it(store, tmp_path):
    edit(store, _rewrite_initiative)
    db = store.path
    close_all()
    out = tmp_path / "export"
    result = subprocess.run([sys.executable, "-m", "data", "--db", str(db), "export", str(out)], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    exported = pd.read_csv(out / "narratives.csv")
    assert exported["text"].iloc[INITIATIVE] == EDITED
    assert "narratives.csv" not in load_path(out)  # an export folder imports back without the edits
