"""A participant's phone (390x844), no account: join with the link or the code, post ideas, vote, and later see what
became of them. Gated by a valid token, not by a role; shows nothing else of the tracker.

Kept tiny for the server's sake (streamlit-notes: the budget is reruns per second): no chart library, the idea box
in a form so typing never reruns, votes in a fragment so a tap reruns only the wall, and the wall's own refresh
paced by the size of the room (ui.kiosk.phone_refresh_s), reading nothing but the wall's version when it is unchanged.
"""
import streamlit as st

from data import workshops as ws
from ui.kiosk import apply_participant_style, esc, participant_store, phone_refresh_s, spaced_code, votes_label

PAGE_SIZE = 10  # ideas per screen of the phone wall: ten cards and ten buttons, not three hundred
DRAWN = "wall_drawn"  # ((wall version, screen), its ideas, the wall's size): what the last tick read
IDEA_STATUS = {  # the ideas pipeline's statuses as a participant reads them
    "submitted": "Taken into the programme's ideas pipeline",
    "review": "Being reviewed by the programme team",
    "approved": "Approved: it will be put into practice",
    "implemented": "Put into practice",
    "rejected": "Not taken forward",
}
WALL_STATUS = {
    "visible": "On the wall",
    "held": "Waiting for the facilitator to put it on the wall",
    "hidden": "Not shown on the wall",
    "merged": "Merged with a similar idea",
}

apply_participant_style()
store = participant_store()


def header(workshop: ws.Workshop | None, sub: str | None = None) -> None:
    title = esc(workshop.title) if workshop else "Workshop"
    question = f'<p class="p-question">{esc(workshop.question) if workshop else "Join a workshop"}</p>'
    extra = f'<p class="p-meta">{esc(sub)}</p>' if sub else ""
    st.html(f'<p class="p-meta">{title}</p>{question}{extra}')


def join_screen(prefill: str = "", problem: str | None = None) -> None:
    """The code (or a link's token) and an optional name; on joining the participant's own token goes in the URL.
    A wrong, expired or closed code gets its message and the code box again."""
    workshop = None
    if prefill and not problem:
        try:
            workshop = ws.find(store, prefill)
        except ws.WorkshopError as exc:
            problem = str(exc)
    header(workshop)
    if problem:
        st.warning(problem, icon=":material/info:")
    with st.form("join_form", border=False):
        if workshop is None:
            code = st.text_input("Code shown on the screen", max_chars=12, placeholder="e.g. K7P 2QX",
                                 autocomplete="off")
        else:
            code = prefill
        name = st.text_input("Your name (optional)", max_chars=ws.MAX_DISPLAY_NAME, autocomplete="nickname",
                             placeholder="Shown with your ideas")
        st.caption("No account needed. Leave the name empty to take part as 'Participant n'.")
        joined = st.form_submit_button("Join", type="primary", width="stretch")
    if joined:
        try:
            me = ws.join(store, code, name)
        except ws.WorkshopError as exc:
            st.warning(str(exc), icon=":material/info:")
            return
        st.query_params.clear()
        st.query_params["p"] = me.token
        st.rerun()


def post_idea(writer, token: str) -> None:
    # A callback runs before the page: it can empty the box after a post, and keeps the text after a refusal.
    try:
        result = ws.submit(writer, token, st.session_state.get("idea_text", ""))
    except ws.WorkshopError as exc:
        st.session_state["idea_note"] = ("warning", str(exc))
        return
    st.session_state["idea_text"] = ""
    if result.held:
        st.session_state["idea_note"] = ("info", "Thank you! The facilitator will look at your idea before it goes "
                                                 "on the wall.")
    else:
        st.session_state["idea_note"] = ("success", "Thank you! Your idea is on the wall.")


def idea_box(writer, me: ws.Participant) -> None:
    with st.form("idea_form", border=True):
        st.text_area("Your idea", key="idea_text", max_chars=ws.MAX_TEXT, height=110,
                     placeholder="One idea: what would make our service better?")
        st.caption(f"Up to {ws.MAX_TEXT} characters · one idea every {ws.RATE_LIMIT_S} seconds")
        st.form_submit_button("Post idea", type="primary", width="stretch", on_click=post_idea, args=(writer, me.token))
    note = st.session_state.pop("idea_note", None)
    if note:
        kind, text = note
        getattr(st, kind)(text)


def toggle_vote(writer, token: str, submission_id: int, voted: bool) -> None:
    try:
        (ws.unvote if voted else ws.vote)(writer, token, submission_id)
    except ws.WorkshopError as exc:
        st.session_state["vote_note"] = str(exc)


def wall_screen(me: ws.Participant, page: int) -> tuple:
    """One screen of the wall, read again only when the wall has changed since this phone last read it (a tick of
    a quiet room costs one version query)."""
    version = (ws.wall_version(store, me.workshop_id), page)
    drawn = st.session_state.get(DRAWN)
    if drawn is None or drawn[0] != version:
        drawn = (version, *ws.phone_page(store, me.token, me.workshop_id, page * PAGE_SIZE, PAGE_SIZE))
        st.session_state[DRAWN] = drawn
    return drawn[1], drawn[2]


def phone_wall(writer, me: ws.Participant) -> None:
    page = st.session_state.get("wall_page", 0)
    items, total = wall_screen(me, page)
    if items.empty and page > 0:  # the wall shrank (ideas hidden or merged): back to its first screen
        page = st.session_state["wall_page"] = 0
        items, total = wall_screen(me, 0)
    pages = max(1, -(-total // PAGE_SIZE))
    st.subheader(f"The wall · {total} idea{'s' if total != 1 else ''}")
    if note := st.session_state.pop("vote_note", None):
        st.warning(note)
    if items.empty:
        st.caption("No ideas yet: be the first!")
    for item in items.itertuples():
        sid = int(item.id)
        with st.container(border=True):
            by = f" · {item.author}" if isinstance(item.author, str) else ""
            st.html(f'<p class="p-idea">{esc(item.text)}</p><p class="p-meta">{esc(votes_label(int(item.votes)))}'
                    f"{esc(by)}{' · your idea' if item.mine else ''}</p>")
            if not item.mine:
                has = bool(item.voted)
                st.button("Voted · take back" if has else "Vote", key=f"vote_{sid}", on_click=toggle_vote,
                          args=(writer, me.token, sid, has), type="primary" if has else "secondary",
                          icon=":material/check:" if has else ":material/thumb_up:")
    with st.container(horizontal=True):
        if page > 0 and st.button("Newer", key="wall_newer", icon=":material/arrow_back:"):
            st.session_state["wall_page"] = page - 1
            st.rerun(scope="fragment")
        st.button("Refresh", key="wall_refresh", icon=":material/refresh:")
        if page < pages - 1 and st.button("Older", key="wall_older", icon=":material/arrow_forward:"):
            st.session_state["wall_page"] = page + 1
            st.rerun(scope="fragment")


def my_ideas(me: ws.Participant) -> None:
    ideas = ws.participant_ideas(store, me.token)
    st.subheader("Your ideas")
    if ideas.empty:
        st.caption("Ideas you post appear here, and later what became of them.")
        return
    for idea in ideas.itertuples():
        if isinstance(idea.idea_status, str):
            status = IDEA_STATUS.get(idea.idea_status, idea.idea_status)
        else:
            status = WALL_STATUS.get(idea.wall_status, idea.wall_status)
            if idea.wall_status in ("visible", "merged"):
                status += f" · {votes_label(int(idea.votes))}"
        feedback = ""
        if isinstance(idea.feedback, str) and idea.feedback.strip():
            feedback = f'<p class="p-feedback">{esc(idea.feedback)}</p>'
        with st.container(border=True):
            st.html(f'<p class="p-idea">{esc(idea.text)}</p><p class="p-meta"><b>{esc(status)}</b></p>{feedback}')


def participant_screen(token: str) -> None:
    try:
        me, workshop = ws.participant(store, token)
    except ws.WorkshopError as exc:
        join_screen(problem=str(exc))
        return
    header(workshop, f"You are {me.label} · code {spaced_code(workshop.join_code)}")
    if workshop.is_open:
        # The audit names the participant by workshop and number, never by the token that is their key.
        writer = participant_store(f"workshop {workshop.id} participant {me.seat}")
        my_corner(writer, me)
        # The pace is set per page run: a room that fills up slows every phone's timer as its people join.
        st.fragment(phone_wall, run_every=phone_refresh_s(ws.joined_count(store, workshop.id)))(writer, me)
    else:
        st.info("This workshop has ended. Thank you for your ideas! Keep this page's address: it shows what "
                "becomes of them.", icon=":material/bookmark:")
        my_ideas(me)


@st.fragment
def my_corner(writer, me: ws.Participant) -> None:
    """The idea box and the participant's own ideas: posting reruns only these, not the whole page (a room of 200
    posting at once is 200 reruns)."""
    idea_box(writer, me)
    my_ideas(me)


try:
    if token := st.query_params.get("p"):
        participant_screen(token)
    else:
        join_screen(st.query_params.get("join") or st.query_params.get("code") or "")
except ws.WorkshopError as exc:  # anything a participant did that cannot go ahead: a message, never a stack trace
    st.warning(str(exc))
except Exception:  # noqa: BLE001 - a participant must never see a stack trace
    st.warning("Something went wrong on our side. Please reload the page in a moment.")
