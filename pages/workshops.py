"""Workshops for facilitators: create one, show its join link and QR code, open the presenter view, moderate the
wall, promote ideas into the ideas pipeline, export the wall and see what became of its ideas."""
from datetime import date

import streamlit as st

from data import workshops as ws
from data.programme import unit_names
from metrics.calc import known_courses
from ui.access import require
from ui.kiosk import esc, is_local_address, join_url, plain, qr_png, short_join_address, spaced_code, votes_label
from ui.page import header
from ui.session import get_store

require("facilitator")
store = get_store()
STATUS_WORDS = {"open": "Open", "closed": "Closed", "archived": "Archived"}
PREVIEW_CHARS = 70  # of an idea's text in a choice list


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS - 1] + "…"


def _act(action, *args, done: str | None = None) -> None:
    """Run a workshop action from a callback; its message (or the problem) shows on the next run."""
    try:
        action(store, *args)
    except ws.WorkshopError as exc:
        st.session_state["ws_note"] = ("warning", str(exc))
        return
    if done:
        st.session_state["ws_note"] = ("success", done)


header(store, "Workshops")
st.caption("Put a question to a room: people join from their phones with a code or QR code, post ideas and vote. "
           "The ideas you promote go into the programme's ideas pipeline, and each participant's link shows them "
           "what became of their ideas.")
if note := st.session_state.pop("ws_note", None):
    getattr(st, note[0])(note[1])

# -- create ------------------------------------------------------------------------------------------------------------
units = unit_names(store)
with st.expander("New workshop", icon=":material/add:", expanded=False):
    with st.form("ws_create", border=False):
        title = st.text_input("Title", max_chars=ws.MAX_TITLE, placeholder="Leadership workshop, Cabin crew")
        question = st.text_input("Question put to the room", max_chars=ws.MAX_QUESTION,
                                 placeholder="What one thing would make our service better for our customers?")
        c1, c2 = st.columns(2)
        day = c1.date_input("Date", value=date.today())
        course = c2.selectbox("Course", [""] + known_courses(store), format_func=lambda c: c or "(none)")
        present = st.multiselect("Units in the room", units, help="Promoted ideas are credited to the unit "
                                 "(when only one unit is present, to that unit).")
        hold = st.checkbox("Hold ideas for my approval before they show on the wall",
                           help="Ideas containing a word of the basic word filter are always held.")
        if st.form_submit_button("Create workshop", type="primary"):
            try:
                created = ws.create(store, title, question, day, present, course or None, hold)
            except ws.WorkshopError as exc:
                st.warning(str(exc))
            else:
                st.query_params["w"] = str(created.id)
                st.session_state["ws_note"] = ("success", f"Workshop created: code {spaced_code(created.join_code)}.")
                st.rerun()

# -- choose ------------------------------------------------------------------------------------------------------------
show_archived = st.toggle("Show archived workshops", key="ws_show_archived")
listing = ws.list_workshops(store, include_archived=show_archived)
if listing.empty:
    st.info("No workshops yet. Create one above.")
    st.stop()
ids = [int(i) for i in listing["id"]]
labels = {int(r.id): f"{r.title} · {r.date:%d %b %Y} · {STATUS_WORDS[r.status]}" for r in listing.itertuples()}
try:
    wanted = int(st.query_params.get("w", ids[0]))
except ValueError:
    wanted = ids[0]


def _choose() -> None:
    # Runs before the page: the URL names the new choice before the line below reads it back.
    st.query_params["w"] = str(st.session_state["ws_choice"])


# The URL is the truth (a new workshop, a shared link): a widget keeps its own state across runs and would otherwise
# show the workshop chosen before, so that the projector showed one workshop's code under another's name.
st.session_state["ws_choice"] = wanted if wanted in ids else ids[0]
chosen = st.selectbox("Workshop", ids, format_func=labels.get, key="ws_choice", on_change=_choose)
st.query_params["w"] = str(chosen)
workshop = ws.get(store, chosen)
row = listing[listing["id"] == chosen].iloc[0]

# -- the room ----------------------------------------------------------------------------------------------------------
left, right = st.columns([3, 2], gap="large")
with left:
    st.header(plain(workshop.title))
    st.html(f"<p><b>Question:</b> {esc(workshop.question)}</p>")
    k1, k2, k3, k4 = st.columns(4)
    k1.metric("Status", STATUS_WORDS[workshop.status])
    k2.metric("Joined", int(row["joined"]))
    k3.metric("Ideas", int(row["ideas"]))
    k4.metric("Votes", int(row["votes"]))
    with st.container(horizontal=True):
        st.link_button("Open presenter view", f"?kiosk=1&w={workshop.id}", icon=":material/co_present:",
                       type="primary", help="Full screen for the projector: arrow keys step through the slides")
        if workshop.status == "open":
            st.button("Close", key="ws_close", on_click=_act, args=(ws.close, workshop.id),
                      kwargs={"done": "Workshop closed: no new ideas or votes."}, icon=":material/lock:")
        else:
            st.button("Reopen", key="ws_reopen", on_click=_act, args=(ws.reopen, workshop.id),
                      kwargs={"done": "Workshop reopened."}, icon=":material/lock_open:")
        if workshop.status != "archived":
            st.button("Archive", key="ws_archive", on_click=_act, args=(ws.archive, workshop.id),
                      kwargs={"done": "Workshop archived: its code no longer works; participants' links still show "
                                      "their ideas."}, icon=":material/archive:")
    st.toggle("Hold new ideas for my approval", value=workshop.hold_for_approval, key=f"ws_hold_{workshop.id}",
              on_change=lambda: _act(ws.set_hold_for_approval, workshop.id,
                                     st.session_state[f"ws_hold_{workshop.id}"]))
with right:
    code_col, qr_col = st.columns([3, 2])
    code_col.html(f'<p style="margin:0.5rem 0 0">Join code</p><p style="font-size:2rem;font-weight:700;margin:0">'
                  f"{esc(spaced_code(workshop.join_code))}</p><p>at <code>{esc(short_join_address())}</code></p>")
    qr_col.image(qr_png(join_url(workshop.token), scale=6), width=170,
                 alt=f"QR code of the join link for {workshop.title}")
    st.code(join_url(workshop.token), language=None, wrap_lines=True)
    if is_local_address():
        st.caption("This address is this computer's own, which phones cannot reach: open the tracker by its network "
                   "address, or set TRACKER_PUBLIC_URL.")

# -- moderation --------------------------------------------------------------------------------------------------------
queue = ws.moderation_queue(store, workshop.id)
tab_mod, tab_promote, tab_outcomes = st.tabs(["Moderation", "Promote to ideas pipeline", "Outcomes and export"])
with tab_mod:
    if queue.empty:
        st.info("No ideas yet.")
    else:
        held = int(((queue["status"] == "held") & queue["merged_into"].isna()).sum())
        if held:
            st.warning(f"{held} idea{'s' if held != 1 else ''} waiting for approval (held ideas never show on the "
                       "projector).")
        shown = queue.assign(state=queue["status"].where(queue["merged_into"].isna(), "merged"),
                             idea_id=queue["idea_id"].fillna(""))
        st.dataframe(shown[["id", "text", "state", "votes", "pinned", "edited", "author", "idea_id"]],
                     hide_index=True, width="stretch", height=min(420, 38 + 35 * len(shown)),
                     column_config={"id": st.column_config.NumberColumn("#", width="small"),
                                    "text": st.column_config.TextColumn("Idea", width="large"),
                                    "idea_id": st.column_config.TextColumn("Promoted as")})
        live = queue[queue["merged_into"].isna()]
        options = {int(r.id): f"#{r.id} · {_preview(r.text)} ({votes_label(r.votes)}, {r.status})"
                   for r in live.itertuples()}
        picked = st.multiselect("Ideas to act on", list(options), format_func=options.get, key="ws_pick")
        with st.container(horizontal=True):
            st.button("Approve", key="ws_approve", disabled=not picked, icon=":material/check:",
                      on_click=_act, args=(ws.approve, workshop.id, picked), kwargs={"done": "Approved."})
            st.button("Hide", key="ws_hide", disabled=not picked, icon=":material/visibility_off:",
                      on_click=_act, args=(ws.hide, workshop.id, picked), kwargs={"done": "Hidden from the wall."})
            pinned_now = bool(picked) and bool(live[live["id"].isin(picked)]["pinned"].all())
            st.button("Unpin" if pinned_now else "Pin", key="ws_pin", disabled=len(picked) != 1,
                      icon=":material/push_pin:", help="Pin one idea to the top of the wall",
                      on_click=_act, args=(ws.pin, workshop.id, picked[0] if picked else 0, not pinned_now))
        if len(picked) >= 2:
            into = st.selectbox("Merge the others into", picked, format_func=options.get, key="ws_merge_into")
            st.button(f"Merge {len(picked) - 1} duplicate{'s' if len(picked) > 2 else ''}", key="ws_merge",
                      icon=":material/merge:", on_click=_act,
                      args=(ws.merge, workshop.id, [p for p in picked if p != into], into),
                      kwargs={"done": "Merged: the duplicates left the wall and their votes moved."})
        if len(picked) == 1:
            with st.form("ws_edit", border=False):
                current = live.loc[live["id"] == picked[0], "text"].iloc[0]
                fixed = st.text_area("Correct a typo", value=current, max_chars=ws.MAX_TEXT)
                if st.form_submit_button("Save correction"):
                    _act(ws.edit, workshop.id, picked[0], fixed, done="Corrected.")
                    st.rerun()

# -- promotion ---------------------------------------------------------------------------------------------------------
with tab_promote:
    candidates = queue[(queue["status"] == "visible") & queue["merged_into"].isna() & queue["idea_id"].isna()]
    candidates = candidates.sort_values(["votes", "id"], ascending=[False, True])
    if candidates.empty:
        st.info("No ideas to promote: every idea on the wall has been promoted, or none is on it yet.")
    else:
        choices = {int(r.id): f"{votes_label(r.votes)} · {_preview(r.text)}" for r in candidates.itertuples()}
        to_promote = st.multiselect("Ideas to put into the ideas pipeline (most votes first)", list(choices),
                                    format_func=choices.get, key="ws_promote_pick")
        unit_choices = list(workshop.units) or units
        default_unit = workshop.units[0] if len(workshop.units) == 1 else None
        unit = st.selectbox("Unit the ideas belong to", [""] + unit_choices,
                            index=(unit_choices.index(default_unit) + 1) if default_unit else 0,
                            format_func=lambda u: u or "(whole organisation)", key="ws_promote_unit")
        if st.button(f"Promote {len(to_promote)} idea{'s' if len(to_promote) != 1 else ''}", type="primary",
                     disabled=not to_promote, key="ws_promote"):
            try:
                new_ids = ws.promote(store, workshop.id, to_promote, unit or None)
            except ws.WorkshopError as exc:
                st.warning(str(exc))
            else:
                st.session_state["ws_note"] = ("success", f"Promoted to the ideas pipeline: {', '.join(new_ids)}. "
                                               "Participants see the status and feedback on their own link.")
                st.session_state.pop("ws_promote_pick", None)
                st.rerun()

# -- outcomes and export -----------------------------------------------------------------------------------------------
with tab_outcomes:
    result = ws.outcomes(store, workshop.id)
    o1, o2, o3 = st.columns(3)
    o1.metric("Ideas promoted", result["promoted"])
    o2.metric("Put into practice", result["implemented"])
    o3.metric("Still open", sum(n for s, n in result["by_status"].items() if s in ("submitted", "review",
                                                                                    "approved")))
    promoted = ws.promoted_ideas(store, workshop.id)
    if not promoted.empty:
        st.dataframe(promoted, hide_index=True, width="stretch")
    st.download_button("Download the wall as CSV", ws.export_wall_csv(store, workshop.id),
                       file_name=f"workshop-{workshop.id}-wall.csv", mime="text/csv", icon=":material/download:",
                       key="ws_export")
