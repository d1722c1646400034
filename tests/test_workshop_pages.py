"""The workshop pages under real Streamlit (AppTest): facilitator, participant and presenter view."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data import workshops as ws
from data.store import Store, close_all
from ui.kiosk import spaced_code

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
APP_TIMEOUT_S = 60


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "tracker.duckdb"
    monkeypatch.setenv("TRACKER_DB", str(path))
    Store(path)  # an existing, empty database: no demo programme to build
    close_all()
    return path


def app(**params) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def workshop(db, **kw) -> ws.Workshop:
    return ws.create(Store(db, actor="facilitator", role="facilitator"), kw.get("title", "Cabin crew workshop"),
                     "What would help our passengers most?")


def by_label(widgets, label):
    return next(w for w in widgets if w.label == label)


def html_text(at) -> str:
    return " ".join(str(h.proto.body) for h in at.get("html"))


def test_a_facilitator_creates_a_workshop_and_sees_its_code(db):
    at = app()
    at.switch_page("pages/workshops.py").run()
    assert not at.exception
    by_label(at.text_input, "Title").input("Leadership workshop")
    by_label(at.text_input, "Question put to the room").input("What one thing would you change?")
    by_label(at.button, "Create workshop").click().run()
    assert not at.exception
    [created] = ws.list_workshops(Store(db)).itertuples()
    assert created.title == "Leadership workshop" and created.status == "open"
    assert any(created.join_code[:3] in s.value for s in at.success)
    assert any(f"?join={ws.get(Store(db), created.id).token}" in c.value for c in at.code)


def test_a_participant_joins_by_link_submits_and_votes(db):
    w = workshop(db)
    other = ws.join(Store(db, role="participant"), w.join_code, "Bo")
    theirs = ws.submit(Store(db, role="participant"), other.token, "Water for waiting passengers")

    at = app(join=w.token)
    assert not at.exception
    assert w.question in html_text(at)
    by_label(at.text_input, "Your name (optional)").input("Ana")
    by_label(at.button, "Join").click().run()
    assert not at.exception
    token = at.query_params["p"][0] if isinstance(at.query_params["p"], list) else at.query_params["p"]
    me, _ = ws.participant(Store(db), token)
    assert me.label == "Ana" and "join" not in at.query_params

    at.text_area(key="idea_text").input("Tell passengers the reason for every delay")
    by_label(at.button, "Post idea").click().run()
    assert not at.exception
    assert any("on the wall" in s.value for s in at.success)
    assert at.text_area(key="idea_text").value == ""  # emptied after a post, kept after a refusal
    assert "Tell passengers the reason for every delay" in ws.wall(Store(db), w.id).items["text"].tolist()

    at.button(key=f"vote_{theirs.id}").click().run()
    assert not at.exception
    assert ws.wall(Store(db), w.id).items.set_index("id").loc[theirs.id, "votes"] == 1
    at.button(key=f"vote_{theirs.id}").click().run()  # take it back
    assert ws.wall(Store(db), w.id).items.set_index("id").loc[theirs.id, "votes"] == 0

    at.text_area(key="idea_text").input("A second idea at once")
    by_label(at.button, "Post idea").click().run()
    assert any("seconds" in m.value for m in at.warning)  # the rate limit, said plainly
    assert at.text_area(key="idea_text").value == "A second idea at once"


def test_a_participant_page_shows_nothing_else_of_the_tracker_even_with_access_lists(db, monkeypatch):
    monkeypatch.setenv("TRACKER_LEADS", "lead@example.org")
    w = workshop(db)
    at = app(join=w.join_code)
    assert not at.exception
    assert by_label(at.button, "Join")
    assert not any("do not have access" in e.value for e in at.error)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/overview.py")


@pytest.mark.parametrize("code, words", [("WRONG2", "no workshop with the code"), ("", None)])
def test_a_wrong_code_gets_a_friendly_page(db, code, words):
    workshop(db)
    at = app(join=code)
    assert not at.exception
    if words:
        assert any(words in w.value for w in at.warning)
    assert by_label(at.text_input, "Code shown on the screen")


def test_closed_and_unknown_links_are_friendly_and_the_link_keeps_showing_ones_ideas(db):
    w = workshop(db)
    me = ws.join(Store(db, role="participant"), w.join_code)
    idea = ws.submit(Store(db, role="participant"), me.token, "Explain every delay")
    fac = Store(db, actor="facilitator", role="facilitator")
    [idea_id] = ws.promote(fac, w.id, [idea.id])
    ws.close(fac, w.id)
    closed = app(join=w.token)
    assert not closed.exception and any("closed" in m.value for m in closed.warning)
    unknown = app(p="not-a-participant-token-at-all-xx")
    assert not unknown.exception and any("not known" in m.value for m in unknown.warning)
    mine = app(p=me.token)
    assert not mine.exception
    assert "Taken into the programme&#x27;s ideas pipeline" in html_text(mine)
    assert not any(b.key and b.key.startswith("vote_") for b in mine.button)


def test_the_presenter_view_renders_each_slide_without_navigation(db):
    w = workshop(db)
    me = ws.join(Store(db, role="participant"), w.join_code)
    ws.submit(Store(db, role="participant"), me.token, "Keep the <script>lounge</script> open")
    for slide in ("join", "programme", "wall", "top", "close"):
        at = app(kiosk="1", w=str(w.id), s=slide)
        assert not at.exception, slide
        text = html_text(at)
        assert "stHeader" in text and "stSidebar" in text  # the fixed style block hiding Streamlit's chrome
        assert "<script>lounge" not in text
    join = app(kiosk="1", w=str(w.id))
    assert spaced_code(w.join_code) in html_text(join)
    assert len(join.get("image")) == 1  # the QR code
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        join.switch_page("pages/overview.py")
    by_label(join.button, "Next ▶").click().run()
    assert join.query_params["s"] in ("programme", ["programme"])
    missing = app(kiosk="1", w="999")
    assert not missing.exception and "No workshop to present" in html_text(missing)


def test_the_presenter_view_needs_the_facilitator_role(db, monkeypatch):
    monkeypatch.setenv("TRACKER_FACILITATORS", "facilitator@example.org")
    w = workshop(db)
    at = app(kiosk="1", w=str(w.id))
    assert not at.exception
    assert spaced_code(w.join_code) not in html_text(at)
    facilitator = AppTest.from_file(DASHBOARD, default_timeout=APP_TIMEOUT_S)
    facilitator.user = {"is_logged_in": True, "email": "facilitator@example.org"}
    facilitator.query_params["kiosk"] = "1"
    facilitator.query_params["w"] = str(w.id)
    facilitator.run()
    assert not facilitator.exception and spaced_code(w.join_code) in html_text(facilitator)


def test_the_live_wall_fragment_shows_a_new_idea_and_a_vote_on_its_next_tick(db):
    # AppTest does not fire run_every: call what the fragment runs every second, as the projector's session would.
    from ui.kiosk import render_wall

    w = workshop(db)
    room = Store(db, role="participant")
    ana, bo = ws.join(room, w.join_code, "Ana"), ws.join(room, w.join_code)
    wall = ws.LiveWall(w.id)
    assert "No ideas yet" in render_wall(room, wall)
    idea = ws.submit(room, ana.token, "Water & blankets for <delayed> passengers")
    tick = render_wall(room, wall)
    assert "Water &amp; blankets for &lt;delayed&gt; passengers" in tick and "0 votes" in tick
    ws.vote(room, bo.token, idea.id)
    assert "1 vote<" in render_wall(room, wall) and "1 vote<" in render_wall(room, wall, "top")
    version = wall.version
    render_wall(room, wall)
    assert wall.version == version  # nothing changed: one version query, nothing re-read


def test_participant_pages_stay_light():
    # streamlit-notes: the server's budget is reruns per second. The participant route loads no chart module beyond
    # what `import streamlit` itself loads, and the phones of a room together never ask for more wall reruns a second
    # than the server's budget, however many join; a small room still sees others' ideas within a few seconds.
    import subprocess
    import sys

    code = ("import sys, streamlit\nbefore = set(sys.modules)\n"
            "import data.workshops, ui.kiosk, ui.session, ui.access, ui.style\n"
            "print(sorted(m for m in set(sys.modules) - before if 'plotly' in m or m == 'ui.figures'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(DASHBOARD).parent, check=True)
    assert result.stdout.strip() == "[]"
    source = (Path(DASHBOARD).parent / "pages" / "participant.py").read_text()
    assert "plotly" not in source and "ui.figures" not in source
    from ui.kiosk import PHONE_TICKS_PER_S, phone_refresh_s

    for room in (1, 30, 200, 1000):
        assert room / phone_refresh_s(room) <= max(PHONE_TICKS_PER_S, room / 3)
    assert phone_refresh_s(30) <= 3 and phone_refresh_s(200) <= 8
