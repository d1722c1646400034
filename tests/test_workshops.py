"""data/workshops.py on real DuckDB files: joining, limits, votes, moderation, the wall by version, promotion."""
import base64
import csv
import io
import threading
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from data import workshops as ws
from data.store import Store, WriteNotAllowed
from ui.kiosk import render_wall, wall_html


@pytest.fixture
def db(tmp_path):
    return tmp_path / "tracker.duckdb"


@pytest.fixture
def fac(db) -> Store:
    return Store(db, actor="facilitator@example.org", role="facilitator")


@pytest.fixture
def room(db) -> Store:
    return Store(db, actor="participant", role="participant")


@pytest.fixture
def clock(monkeypatch):
    """The data layer's clock, moved by hand: rate limits without sleeping."""
    now = [pd.Timestamp("2026-03-10 09:00:00").to_pydatetime()]
    monkeypatch.setattr(ws, "_now", lambda: now[0])

    def advance(seconds: float) -> None:
        now[0] = now[0] + timedelta(seconds=seconds)
    return advance


def make(fac, **kw) -> ws.Workshop:
    return ws.create(fac, kw.pop("title", "Leadership workshop"), kw.pop("question", "What would help customers?"),
                     **kw)


def post(room, who, text, clock=None):
    if clock:
        clock(ws.RATE_LIMIT_S)
    return ws.submit(room, who.token, text)


def token_bits(token: str) -> int:
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


# -- creating and joining ----------------------------------------------------------------------------------------------
def test_a_workshop_gets_a_short_unambiguous_code_and_an_unguessable_token(fac):
    shops = [make(fac, title=f"Workshop {i}") for i in range(30)]
    codes = [w.join_code for w in shops]
    assert all(len(c) == ws.JOIN_CODE_LENGTH and set(c) <= set(ws.JOIN_CODE_ALPHABET) for c in codes)
    assert not set("".join(codes)) & set("0O1I")
    assert len(set(codes)) == len(codes)
    assert all(token_bits(w.token) >= 128 for w in shops)
    assert len({w.token for w in shops}) == len(shops)
    assert shops[0].status == "open" and shops[0].date == date.today()


def test_people_join_by_code_in_any_case_and_spacing_or_by_the_link_token(fac, room):
    w = make(fac)
    spaced = f" {w.join_code[:3].lower()}-{w.join_code[3:]} "
    a = ws.join(room, spaced, "  Ana  ")
    b = ws.join(room, w.token)
    assert (a.workshop_id, a.seat, a.label) == (w.id, 1, "Ana")
    assert (b.seat, b.label) == (2, "Participant 2")
    assert token_bits(a.token) >= 128 and a.token != b.token
    assert ws.participant(room, a.token)[0] == a
    assert ws.joined_count(room, w.id) == 2


@pytest.mark.parametrize("typed, kind, words", [
    ("ZZZZZZ", ws.NotFound, "no workshop with the code ZZZZZZ"),
    ("AB0OI1", ws.NotFound, "never contain the digits 0 or 1"),
    ("", ws.NotFound, "Enter the code"),
    ("x" * 32, ws.NotFound, "does not lead to a workshop"),
])
def test_a_wrong_code_or_link_says_what_to_do(fac, room, typed, kind, words):
    make(fac)
    with pytest.raises(kind, match=words):
        ws.join(room, typed)


def test_closed_and_archived_workshops_refuse_new_people_with_a_friendly_message(fac, room):
    w = make(fac)
    ws.close(fac, w.id)
    with pytest.raises(ws.WorkshopClosed, match="closed"):
        ws.join(room, w.join_code)
    ws.reopen(fac, w.id)
    assert ws.join(room, w.join_code).seat == 1
    ws.archive(fac, w.id)
    with pytest.raises(ws.WorkshopExpired, match="expired"):
        ws.join(room, w.token)
    # Reopening an archived workshop issues a new code when another workshop took the old one meanwhile.
    other = make(fac, title="Next")
    with fac.transaction("test") as tx:
        tx.upsert("workshops", pd.DataFrame([{"id": other.id, "join_code": w.join_code}]))
    assert ws.reopen(fac, w.id).join_code != w.join_code


# -- submitting --------------------------------------------------------------------------------------------------------
def test_submissions_are_cleaned_and_limited_in_length(fac, room, clock):
    w = make(fac)
    me = ws.join(room, w.join_code)
    with pytest.raises(ws.WorkshopError, match="Write your idea"):
        ws.submit(room, me.token, "  \n ")
    with pytest.raises(ws.WorkshopError, match=f"limit is {ws.MAX_TEXT}"):
        ws.submit(room, me.token, "x" * (ws.MAX_TEXT + 1))
    ok = ws.submit(room, me.token, "a\u0000 " + "y" * (ws.MAX_TEXT - 2))
    assert ok.status == "visible"
    assert ws.wall(room, w.id).items["text"].tolist() == ["a " + "y" * (ws.MAX_TEXT - 2)]
    clock(ws.RATE_LIMIT_S)
    ws.submit(room, me.token, "Line one\n\n  line   two")
    texts = ws.wall(room, w.id).items["text"].tolist()
    assert "Line one line two" in texts and all(len(t) <= ws.MAX_TEXT for t in texts)


def test_one_idea_per_participant_every_ten_seconds(fac, room, clock):
    w = make(fac)
    me, other = ws.join(room, w.join_code), ws.join(room, w.join_code)
    ws.submit(room, me.token, "First idea")
    clock(4)
    with pytest.raises(ws.RateLimited) as refused:
        ws.submit(room, me.token, "Second idea")
    assert refused.value.wait_s == ws.RATE_LIMIT_S - 4 and "6 s" in str(refused.value)
    ws.submit(room, other.token, "Someone else is not held up")
    clock(ws.RATE_LIMIT_S - 4)
    assert ws.submit(room, me.token, "Second idea").status == "visible"
    clock(ws.RATE_LIMIT_S)
    with pytest.raises(ws.WorkshopError, match="already posted"):
        ws.submit(room, me.token, "second IDEA")
    assert len(ws.wall(room, w.id).items) == 3


def test_the_word_filter_and_hold_for_approval_keep_ideas_off_the_wall_until_approved(fac, room, clock):
    w = make(fac)
    me = ws.join(room, w.join_code)
    rude = post(room, me, "This process is SHIT, fix it", clock)
    assert rude.held and ws.wall(room, w.id).items.empty
    ws.set_hold_for_approval(fac, w.id, True)
    held = post(room, me, "Call customers back within a day", clock)
    assert held.held and ws.wall(room, w.id).items.empty
    ws.approve(fac, w.id, [held.id])
    assert ws.wall(room, w.id).items["id"].tolist() == [held.id]
    assert ws.needs_review("what an arsehole") and not ws.needs_review("Scunthorpe shipping class")


def test_nothing_is_lost_when_many_participants_submit_at_once(fac, room):
    w = make(fac)
    people = [ws.join(room, w.join_code) for _ in range(40)]
    errors = []

    def send(person):
        try:
            ws.submit(Store(room.path, actor="p", role="participant"), person.token, f"Idea from seat {person.seat}")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
    threads = [threading.Thread(target=send, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(ws.wall(room, w.id).items) == 40


# -- voting ------------------------------------------------------------------------------------------------------------
def test_a_participant_votes_once_per_idea_and_can_take_it_back(fac, room, clock):
    w = make(fac)
    author, voter = ws.join(room, w.join_code), ws.join(room, w.join_code)
    idea = post(room, author, "Answer within three rings", clock)
    assert ws.vote(room, voter.token, idea.id) is True
    assert ws.vote(room, voter.token, idea.id) is False
    assert ws.wall(room, w.id).items["votes"].tolist() == [1]
    with pytest.raises(ws.NotAllowed, match="own idea"):
        ws.vote(room, author.token, idea.id)
    assert ws.unvote(room, voter.token, idea.id) is True
    assert ws.unvote(room, voter.token, idea.id) is False
    assert ws.wall(room, w.id).items["votes"].tolist() == [0]
    # The table's key enforces it too, whatever code writes.
    ws.vote(room, voter.token, idea.id)
    with pytest.raises(duckdb.ConstraintException):
        room.rows("INSERT INTO votes VALUES (?, ?, now())", [idea.id, voter.token])


def test_no_votes_on_hidden_ideas_or_after_closing(fac, room, clock):
    w = make(fac)
    author, voter = ws.join(room, w.join_code), ws.join(room, w.join_code)
    a, b = post(room, author, "Idea A", clock), post(room, author, "Idea B", clock)
    ws.hide(fac, w.id, [a.id])
    with pytest.raises(ws.NotFound):
        ws.vote(room, voter.token, a.id)
    ws.close(fac, w.id)
    with pytest.raises(ws.WorkshopClosed):
        ws.vote(room, voter.token, b.id)
    with pytest.raises(ws.WorkshopClosed):
        post(room, author, "Late idea", clock)


# -- moderation and the wall -------------------------------------------------------------------------------------------
def test_merging_duplicates_moves_their_votes_without_double_votes(fac, room, clock):
    w = make(fac)
    p1, p2, p3, p4 = (ws.join(room, w.join_code) for _ in range(4))
    keep = post(room, p3, "Explain every delay", clock)
    dup1 = post(room, p4, "Explain delays to passengers", clock)
    dup2 = post(room, p4, "Tell people why we are late", clock)
    ws.vote(room, p1.token, keep.id)
    ws.vote(room, p1.token, dup1.id)  # p1 already voted for the kept idea
    ws.vote(room, p2.token, dup1.id)
    ws.vote(room, p2.token, dup2.id)  # p2 voted for both duplicates
    ws.vote(room, p3.token, dup1.id)  # p3 wrote the kept idea
    before = ws.wall_version(room, w.id)
    moved = ws.merge(fac, w.id, [dup1.id, dup2.id], keep.id)
    assert moved == 1  # p2's vote; p1 had one, p3 is the author
    voters = {r[0] for r in room.rows("SELECT participant_token FROM votes WHERE submission_id = ?", [keep.id])}
    assert voters == {p1.token, p2.token}
    assert room.scalar("SELECT count(*) FROM votes WHERE submission_id IN (?, ?)", [dup1.id, dup2.id]) == 0
    delta = ws.wall(room, w.id, since=before)
    assert set(delta.removed) == {dup1.id, dup2.id}
    assert delta.items.set_index("id").loc[keep.id, "votes"] == 2
    assert ws.wall(room, w.id).items["id"].tolist() == [keep.id]
    merged = ws.participant_ideas(room, p4.token)
    assert merged["wall_status"].tolist() == ["merged", "merged"] and merged["votes"].tolist() == [2, 2]


def test_hidden_ideas_never_reach_the_wall_the_top_list_or_the_projector(fac, room, clock):
    w = make(fac)
    author, voter = ws.join(room, w.join_code), ws.join(room, w.join_code)
    shown = post(room, author, "Keep the <b>lounge</b> open", clock)
    hidden = post(room, author, "Something the room should not see", clock)
    ws.vote(room, voter.token, hidden.id)
    wall = ws.LiveWall(w.id)
    assert "should not see" in render_wall(room, wall, "wall")  # on the projector until the facilitator hides it
    ws.hide(fac, w.id, [hidden.id])
    html = render_wall(room, wall, "wall")
    assert "should not see" not in html and "should not see" not in render_wall(room, wall, "top")
    assert "&lt;b&gt;lounge&lt;/b&gt;" in html and "<b>lounge" not in html  # participants' text is escaped
    assert hidden.id not in ws.wall(room, w.id).items["id"].tolist()
    assert ws.top_voted(room, w.id).empty
    assert [r["id"] for r in wall.ordered()] == [shown.id]


def test_the_wall_is_read_by_version_only_what_changed(fac, room, clock):
    w = make(fac)
    author, voter = ws.join(room, w.join_code), ws.join(room, w.join_code)
    first = post(room, author, "First", clock)
    v1 = ws.wall(room, w.id).version
    assert ws.wall(room, w.id, since=v1).items.empty  # nothing changed since
    second = post(room, author, "Second", clock)
    delta = ws.wall(room, w.id, since=v1)
    assert delta.items["id"].tolist() == [second.id] and delta.version > v1
    ws.vote(room, voter.token, first.id)
    delta2 = ws.wall(room, w.id, since=delta.version)
    assert delta2.items[["id", "votes"]].values.tolist() == [[first.id, 1]]
    ws.pin(fac, w.id, first.id)
    ws.edit(fac, w.id, second.id, "Second, corrected")
    live = ws.LiveWall(w.id)
    assert live.refresh(room) is True and live.refresh(room) is False
    assert [r["text"] for r in live.ordered()] == ["First", "Second, corrected"]  # pinned first
    assert live.items[second.id]["edited"]


def test_the_projector_wall_fits_the_screen_however_many_ideas(fac, room):
    items = [{"id": i, "text": f"Idea {i}", "votes": i % 4, "pinned": False, "author": None,
              "created_at": pd.Timestamp("2026-03-10")} for i in range(300)]
    html = wall_html(items)
    assert html.count('class="k-card') == 15 and "300 ideas on the wall · showing the newest 15" in html
    assert wall_html(items[:1]).count('class="k-card') == 1 and "1 idea on the wall" in wall_html(items[:1])
    assert "No ideas yet" in wall_html([])


# -- after the session -------------------------------------------------------------------------------------------------
def _unit(fac, name="Cabin crew"):
    lead = Store(fac.path, actor="lead", role="lead")
    with lead.transaction("test") as tx:
        tx.upsert("units", pd.DataFrame({"unit": [name], "function": ["frontline"], "parent": [None]}))


def test_promoting_puts_ideas_into_the_pipeline_with_their_workshop(fac, room, clock):
    _unit(fac)
    w = make(fac, units=["Cabin crew"], course="service-excellence")
    ana, bo = ws.join(room, w.join_code, "Ana"), ws.join(room, w.join_code)
    a, b = post(room, ana, "Explain every delay", clock), post(room, bo, "Water for waiting passengers", clock)
    held = post(room, ana, "damn shit", clock)
    with pytest.raises(ws.WorkshopError, match="Only ideas on the wall"):
        ws.promote(fac, w.id, [held.id])
    ids = ws.promote(fac, w.id, [a.id, b.id])
    assert ids == [ws.idea_id_for(w.id, a.id), ws.idea_id_for(w.id, b.id)]
    ideas = fac.table("ideas").set_index("idea_id").loc[ids]
    assert ideas["status"].tolist() == ["submitted"] * 2
    assert ideas["source"].tolist() == ["workshop"] * 2 and ideas["source_ref"].tolist() == [str(w.id)] * 2
    assert ideas["submitter"].tolist() == ["Ana", "Participant 2"]
    assert ideas["unit"].tolist() == ["Cabin crew"] * 2
    assert ideas["title"].tolist() == ["Explain every delay", "Water for waiting passengers"]
    assert ws.promote(fac, w.id, [a.id]) == []  # promoted once only
    assert ws.outcomes(fac, w.id) == {"promoted": 2, "implemented": 0, "by_status": {"submitted": 2}}
    actions = {r[0] for r in fac.rows("SELECT DISTINCT action FROM audit")}
    assert {"workshop-create", "workshop-join", "workshop-submit", "workshop-promote"} <= actions


def test_a_participant_later_sees_the_status_and_feedback_of_their_ideas(fac, room, clock):
    w = make(fac)
    me = ws.join(room, w.join_code)
    idea = post(room, me, "Explain every delay", clock)
    [idea_id] = ws.promote(fac, w.id, [idea.id])
    ws.close(fac, w.id)
    lead = Store(fac.path, actor="lead", role="lead")
    with lead.transaction("idea-decision") as tx:  # what the ideas pipeline (issue 5) writes with a decision
        tx.upsert("ideas", pd.DataFrame([{"idea_id": idea_id, "status": "implemented",
                                          "implemented_on": date(2026, 4, 1), "status_changed_on": date(2026, 4, 1),
                                          "feedback": "Live since April: gate agents announce the reason."}]))
    mine = ws.participant_ideas(room, me.token).iloc[0]
    assert mine["idea_status"] == "implemented"
    assert mine["feedback"] == "Live since April: gate agents announce the reason."
    assert ws.participant(room, me.token)[1].status == "closed"  # the link still works after the workshop
    assert ws.outcomes(fac, w.id)["implemented"] == 1


def test_the_wall_export_is_formula_safe(fac, room, clock):
    w = make(fac)
    me = ws.join(room, w.join_code, "=cmd|' /C calc'!A0")
    post(room, me, "=HYPERLINK(\"http://x\",\"click\")", clock)
    post(room, me, "+1 for faster refunds", clock)
    rows = list(csv.DictReader(io.StringIO(ws.export_wall_csv(fac, w.id).decode())))
    assert [r["idea"] for r in rows] == ["'=HYPERLINK(\"http://x\",\"click\")", "'+1 for faster refunds"]
    assert rows[0]["author"].startswith("'=") and rows[0]["votes"] == "0" and rows[0]["wall_status"] == "visible"


def test_roles_participants_change_only_their_ideas_and_votes_executives_nothing(fac, room, db):
    w = make(fac)
    with pytest.raises(WriteNotAllowed):
        with room.transaction("sneaky") as tx:
            tx.upsert("workshops", pd.DataFrame([{"id": w.id, "status": "closed"}]))
    with pytest.raises(WriteNotAllowed):
        with room.transaction("sneaky") as tx:
            tx.upsert("ideas", pd.DataFrame([{"idea_id": "X", "title": "x", "status": "implemented"}]))
    with pytest.raises(ws.NotAllowed):
        ws.hide(room, w.id, [1])
    with pytest.raises(ws.NotAllowed):
        ws.create(Store(db, actor="exec", role="executive"), "t", "q")
    with pytest.raises(WriteNotAllowed):
        ws.join(Store(db, actor="exec", role="executive"), w.join_code)


def test_a_phone_reads_one_screen_of_the_wall_with_its_own_ideas_and_votes_marked(fac, room, clock):
    w = make(fac)
    me, other = ws.join(room, w.join_code), ws.join(room, w.join_code)
    mine = post(room, me, "My idea", clock)
    ids = [post(room, other, f"Their idea {i}", clock).id for i in range(12)]
    ws.vote(room, me.token, ids[-1])
    ws.hide(fac, w.id, [ids[0]])
    first, total = ws.phone_page(room, me.token, w.id, 0, 10)
    assert total == 12 and len(first) == 10  # 13 posted, one hidden
    assert first.iloc[0]["id"] == ids[-1] and bool(first.iloc[0]["voted"]) and first.iloc[0]["votes"] == 1
    rest, _ = ws.phone_page(room, me.token, w.id, 10, 10)
    assert rest["id"].tolist() == [ids[1], mine.id] and rest["mine"].tolist() == [False, True]
