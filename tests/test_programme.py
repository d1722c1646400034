"""data/programme.py on real DuckDB files: idea decisions, complaint handling, stuck ideas, voice, overdue tickets."""
import json
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from data import programme
from data.programme import ProgrammeError

TODAY = date(2026, 6, 15)


def put(store, table: str, **columns) -> None:
    with store.transaction("test") as tx:
        tx.upsert(table, pd.DataFrame(columns))


@pytest.fixture
def org(store):
    put(store, "units", unit=["Cabin", "IT"], function=["frontline", "internal"], parent=[None, None])
    return store


@pytest.fixture
def idea(org):
    put(org, "ideas", idea_id=["I-1"], title=["Tell families about delays"], unit=["Cabin"],
        submitted_on=[date(2026, 5, 1)], status=["review"], implemented_on=[None], submitter=["Ann"])
    return org


def stored_idea(store, idea_id="I-1") -> pd.Series:
    return store.query("SELECT * FROM ideas WHERE idea_id = ?", [idea_id]).iloc[0]


# -- decisions on ideas ----------------------------------------------------------------------------------------------
def test_implementing_an_idea_sets_both_dates_and_keeps_the_feedback(idea):
    programme.decide_idea(idea, "I-1", "implemented", date(2026, 6, 10), " Live at every gate from Monday. ",
                          today=TODAY)
    row = stored_idea(idea)
    assert row["status"] == "implemented"
    assert row["implemented_on"].date() == row["status_changed_on"].date() == date(2026, 6, 10)
    assert row["feedback"] == "Live at every gate from Monday."
    assert row["title"] == "Tell families about delays" and row["submitter"] == "Ann"  # the rest is kept


def test_implemented_requires_its_date_and_writes_nothing_without_it(idea):
    version = idea.data_version()
    with pytest.raises(ProgrammeError, match="implemented"):
        programme.decide_idea(idea, "I-1", "implemented", None, "Done", today=TODAY)
    assert stored_idea(idea)["status"] == "review"
    assert idea.data_version() == version


def test_each_decision_is_audited_with_its_feedback(idea):
    programme.decide_idea(idea, "I-1", "approved", date(2026, 6, 1), "Yes: Cabin will try it", today=TODAY)
    programme.decide_idea(idea, "I-1", "rejected", date(2026, 6, 12), "Too costly after all", today=TODAY)
    log = idea.query("SELECT action, before, after FROM audit WHERE table_name = 'ideas' AND action = 'decide-idea' "
                     "ORDER BY id")
    assert len(log) == 2
    first, second = (json.loads(a) for a in log["after"])
    assert (first["status"], first["feedback"], first["status_changed_on"]) == ("approved", "Yes: Cabin will try it",
                                                                              "2026-06-01")
    assert (second["status"], second["feedback"]) == ("rejected", "Too costly after all")
    assert json.loads(log["before"][1])["feedback"] == "Yes: Cabin will try it"  # the earlier answer stays traceable


def test_leaving_implemented_clears_the_implementation_date(idea):
    programme.decide_idea(idea, "I-1", "implemented", date(2026, 6, 1), "", today=TODAY)
    programme.decide_idea(idea, "I-1", "rejected", date(2026, 6, 2), "Rolled back", today=TODAY)
    row = stored_idea(idea)
    assert row["status"] == "rejected" and pd.isna(row["implemented_on"])
    assert row["status_changed_on"].date() == date(2026, 6, 2)


def test_a_decision_without_a_date_is_dated_today_and_empty_feedback_is_stored_empty(idea):
    programme.decide_idea(idea, "I-1", "approved", None, "   ", today=TODAY)
    row = stored_idea(idea)
    assert row["status_changed_on"].date() == TODAY
    assert row["feedback"] is None


@pytest.mark.parametrize(("idea_id", "status", "on", "message"), [
    ("I-1", "done", date(2026, 6, 1), "status must be one of"),
    ("I-9", "approved", date(2026, 6, 1), 'no idea "I-9"'),
    ("I-1", "approved", date(2026, 4, 30), "before the day the idea was submitted"),
    ("I-1", "approved", TODAY + timedelta(days=1), "in the future"),
])
def test_a_decision_that_cannot_be_made_changes_nothing(idea, idea_id, status, on, message):
    version = idea.data_version()
    with pytest.raises(ProgrammeError, match=message):
        programme.decide_idea(idea, idea_id, status, on, "x", today=TODAY)
    assert idea.data_version() == version
    assert stored_idea(idea)["status"] == "review"


# -- ideas stuck in review -------------------------------------------------------------------------------------------
def test_ideas_stuck_in_review_counted_by_hand(org):
    day = TODAY
    put(org, "ideas",
        idea_id=["a", "b", "c", "d", "e", "f"],
        title=["a", "b", "c", "d", "e", "f"],
        unit=[None] * 6,
        # a: in review 31 days since its decision -> stuck; b: exactly 30 days -> not (more than 30 counts);
        # c: never decided, submitted 40 days ago -> stuck; d: approved long ago -> not in review;
        # e: in review but no dates at all -> cannot be aged; f: submitted 90 days ago but in review for 5 -> not.
        submitted_on=[day - timedelta(days=60), day - timedelta(days=45), day - timedelta(days=40),
                      day - timedelta(days=100), None, day - timedelta(days=90)],
        status=["review", "review", "review", "approved", "review", "review"],
        implemented_on=[None] * 6,
        status_changed_on=[day - timedelta(days=31), day - timedelta(days=30), None, day - timedelta(days=99), None,
                           day - timedelta(days=5)])
    assert programme.STUCK_IN_REVIEW_DAYS == 30
    assert programme.stuck_in_review(org, today=day) == 2
    assert programme.stuck_in_review(org, today=day + timedelta(days=1)) == 3  # b passes 30 days the next day
    board = programme.ideas(org, today=day).set_index("idea_id")
    assert board.loc["a", "days_in_status"] == 31 and board.loc["c", "days_in_status"] == 40
    assert board.loc["f", "age_days"] == 90 and board.loc["f", "days_in_status"] == 5


def test_new_ideas_are_numbered_and_filtered_by_unit_source_and_text(org):
    first = programme.add_idea(org, "Greet every guest by name", unit="Cabin", source="workshop",
                               source_ref="Spring lab", submitter="Bo", submitted_on=date(2026, 6, 1), today=TODAY)
    second = programme.add_idea(org, "Self-service password reset", unit="IT", source="person", today=TODAY)
    assert (first, second) == ("IDEA-0001", "IDEA-0002")
    row = stored_idea(org, first)
    assert (row["status"], row["source"], row["source_ref"], row["submitter"]) == ("submitted", "workshop",
                                                                                 "Spring lab", "Bo")
    assert row["status_changed_on"].date() == date(2026, 6, 1)
    assert list(programme.ideas(org, unit="IT")["idea_id"]) == [second]
    assert list(programme.ideas(org, source="workshop")["idea_id"]) == [first]
    assert list(programme.ideas(org, search="SPRING")["idea_id"]) == [first]  # capitals ignored, source_ref searched
    assert list(programme.ideas(org, search="100%")["idea_id"]) == []  # user text is a value, not a pattern
    assert programme.idea_sources(org) == ["workshop", "person"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"title": "  "}, "needs a title"),
    ({"title": "x", "unit": "Nowhere"}, 'unit "Nowhere" is not stored'),
    ({"title": "x", "source": "rumour"}, "source must be one of"),
    ({"title": "x", "submitted_on": date(1924, 1, 1)}, "before 1990"),
])
def test_an_idea_that_cannot_be_added_is_refused(org, kwargs, message):
    with pytest.raises(ProgrammeError, match=message):
        programme.add_idea(org, today=TODAY, **kwargs)
    assert org.counts()["ideas"] == 0


# -- complaints ------------------------------------------------------------------------------------------------------
@pytest.fixture
def voice(org):
    put(org, "voice", item_id=["c1", "c2", "p1", "a1"], date=[date(2026, 6, 1)] * 3 + [date(2026, 5, 20)],
        unit=["Cabin", None, "Cabin", None], kind=["complaint", "complaint", "praise", "assessment"],
        text=["Rude at the gate", "Lost bag", "Lovely crew", "Last month the DELAYS were explained well."],
        channel=["app", "email", "app", "survey"])
    return org


def test_complaint_steps_are_ticked_with_dates_and_cleared(voice):
    programme.record_complaint_step(voice, "c1", "thanked", date(2026, 6, 2), today=TODAY)
    programme.record_complaint_steps(voice, "c1", {"info_gathered": date(2026, 6, 3), "apologised": date(2026, 6, 3)},
                                     today=TODAY)
    row = voice.query("SELECT * FROM voice WHERE item_id = 'c1'").iloc[0]
    assert row["thanked_on"].date() == date(2026, 6, 2) and row["apologised_on"].date() == date(2026, 6, 3)
    assert pd.isna(row["help_committed_on"]) and row["text"] == "Rude at the gate"
    listed = programme.complaints(voice, "open").set_index("item_id")
    assert listed.loc["c1", "steps_done"] == 3 and listed.loc["c2", "steps_done"] == 0
    programme.record_complaint_step(voice, "c1", "thanked", None, today=TODAY)
    assert programme.complaints(voice).set_index("item_id").loc["c1", "steps_done"] == 2


def test_a_resolved_complaint_moves_from_open_to_handled(voice):
    assert programme.complaint_counts(voice) == {"open": 2, "handled": 0}
    programme.record_complaint_step(voice, "c2", "resolved", date(2026, 6, 9), today=TODAY)
    assert list(programme.complaints(voice, "open")["item_id"]) == ["c1"]
    assert list(programme.complaints(voice, "handled")["item_id"]) == ["c2"]
    assert programme.complaint_counts(voice) == {"open": 1, "handled": 1}
    audit = voice.query("SELECT after FROM audit WHERE table_name = 'voice' AND action = 'complaint-step'")
    assert json.loads(audit["after"][0])["resolved_on"] == "2026-06-09"


@pytest.mark.parametrize(("item", "step", "on", "message"), [
    ("p1", "thanked", date(2026, 6, 2), "not a complaint"),
    ("c9", "thanked", date(2026, 6, 2), 'no voice item "c9"'),
    ("c1", "waved", date(2026, 6, 2), "unknown step"),
    ("c1", "apologised", date(2026, 5, 31), "before the day the complaint came in"),
    ("c1", "apologised", TODAY + timedelta(days=2), "in the future"),
])
def test_a_complaint_step_that_cannot_be_recorded_changes_nothing(voice, item, step, on, message):
    version = voice.data_version()
    with pytest.raises(ProgrammeError, match=message):
        programme.record_complaint_step(voice, item, step, on, today=TODAY)
    assert voice.data_version() == version


def test_voice_items_are_added_and_assessments_searched_by_month_and_text(voice):
    new = programme.add_voice_item(voice, "assessment", date(2026, 6, 3), "Next month: more delays explained",
                                   channel="email", today=TODAY)
    assert new == "V-00001"
    assert list(programme.assessments(voice, search="delays")["item_id"]) == [new, "a1"]  # latest first, any case
    assert list(programme.assessments(voice, search="delays", month="2026-05")["item_id"]) == ["a1"]
    assert programme.assessment_months(voice) == ["2026-06", "2026-05"]
    assert list(programme.assessments(voice, search="lovely")["item_id"]) == []  # praise is not an assessment
    with pytest.raises(ProgrammeError, match="no text"):
        programme.add_voice_item(voice, "praise", TODAY, " ", today=TODAY)
    counts = programme.voice_by_month(voice).set_index("month")
    assert counts.loc["2026-06"].tolist() == [1, 2, 1]


# -- tickets and choices ---------------------------------------------------------------------------------------------
def test_overdue_tickets_are_open_ones_past_their_promise(org):
    put(org, "tickets", ticket_id=["t1", "t2", "t3", "t4"], unit=["IT"] * 4,
        opened_at=[datetime(2026, 6, 1, 9)] * 4,
        promised_by=[datetime(2026, 6, 2, 9), datetime(2026, 6, 2, 9), datetime(2026, 6, 20, 9),
                     datetime(2026, 6, 10, 21)],
        closed_at=[None, datetime(2026, 6, 3, 9), None, None])
    overdue = programme.overdue_tickets(org, now=datetime(2026, 6, 12, 9))
    assert list(overdue["ticket_id"]) == ["t1", "t4"]  # t2 is closed (late, but closed), t3 not yet due
    assert list(overdue["days_overdue"]) == [10.0, 1.5]
    assert programme.ticket_months(org) == ["2026-06"]
    assert len(programme.tickets(org, "2026-07", "2026-07")) == 0


def test_metric_choices_follow_the_import_rules(org):
    assert "ideas_implemented" not in programme.reading_metric_options(org)  # computed built-ins take no readings
    assert "nps" in programme.reading_metric_options(org)  # a survey vendor's monthly NPS may stand in
    assert "satisfaction" in programme.reading_metric_options(org)
    assert "satisfaction" not in programme.metric_options(org)  # a target needs a reading or a registration first
    put(org, "readings", month=[date(2026, 5, 1)], metric=["satisfaction"], unit=[""], value=[71.0])
    assert programme.metric_options(org)[-1] == "satisfaction" and programme.metric_options(org)[0] == \
        "ideas_implemented"
