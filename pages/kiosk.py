"""Presenter view for a projector (1920x1080): ?kiosk=1&w=<workshop id>[&s=<slide>]. Everything that keeps it in
presenter mode lives in the URL, so a refresh or a reconnect comes back to the same slide."""
import streamlit as st

from data import workshops as ws
from ui.access import require
from ui.kiosk import (
    apply_kiosk_style,
    esc,
    is_local_address,
    join_url,
    programme_tiles,
    qr_png,
    render_wall,
    short_join_address,
    spaced_code,
    tiles_html,
)
from ui.session import get_store

SLIDES = {"join": "Join", "programme": "Programme", "wall": "Live wall", "top": "Top ideas", "close": "Thank you"}
ORDER = list(SLIDES)
WALL_REFRESH = "1s"  # the projector is the only screen that polls fast (streamlit-notes: budget reruns)
JOINED_REFRESH = "2s"

require("facilitator")  # before the dark style: a sign-in or refusal page stays readable
apply_kiosk_style()
store = get_store()


def _workshop_id() -> int | None:
    try:
        return int(st.query_params.get("w", ""))
    except ValueError:
        return None


workshop = ws.get(store, wid) if (wid := _workshop_id()) is not None else None
if workshop is None:
    st.html('<div class="k"><h1>No workshop to present</h1><p class="k-sub">Open the presenter view from the '
            'Workshops page: it adds the workshop to the address (?kiosk=1&amp;w=...).</p></div>')
    st.stop()

slide = st.query_params.get("s", "join")
if slide not in SLIDES:
    slide = "join"


def go(to: str) -> None:
    st.query_params["s"] = to


def step(by: int) -> None:
    go(ORDER[(ORDER.index(slide) + by) % len(ORDER)])


def live_wall_state() -> ws.LiveWall:
    """The session's copy of the wall, kept current by version (reset when the presenter switches workshop)."""
    wall = st.session_state.get("kiosk_wall")
    if wall is None or wall.workshop_id != workshop.id:
        wall = st.session_state["kiosk_wall"] = ws.LiveWall(workshop.id)
    return wall


@st.fragment(run_every=WALL_REFRESH)
def live_wall(view: str) -> None:
    st.html(render_wall(get_store(), live_wall_state(), view))


@st.fragment(run_every=JOINED_REFRESH)
def joined_counter() -> None:
    n = ws.joined_count(get_store(), workshop.id)
    st.html(f'<div class="k"><p class="k-joined"><b>{n}</b> joined</p></div>')


def question_block() -> None:
    st.html(f'<div class="k"><h1 class="k-wallq">{esc(workshop.question)}</h1></div>')


if slide == "join":
    text, code = st.columns([3, 2], gap="large")
    with text:
        closed = "" if workshop.is_open else '<p class="k-sub">This workshop is closed: reopen it to take ideas.</p>'
        st.html(f'<div class="k"><h1>{esc(workshop.title)}</h1><p class="k-question">{esc(workshop.question)}</p>'
                f'<p class="k-sub">Scan the code with your phone, or go to</p>'
                f'<p class="k-url">{esc(short_join_address())}</p>'
                f'<p class="k-sub">and enter</p><p class="k-code">{esc(spaced_code(workshop.join_code))}</p>'
                f"{closed}</div>")
        joined_counter()
    with code, st.container(key="kiosk_qr"):
        st.image(qr_png(join_url(workshop.token)), width=600, alt="QR code: scan it to join the workshop")
        if is_local_address():
            st.html('<div class="k"><p class="k-small">This address is this computer\'s own: phones cannot reach '
                    "it. Open the presenter view by the machine's network address, or set TRACKER_PUBLIC_URL."
                    "</p></div>")
elif slide == "programme":
    tiles, headline = programme_tiles(store)
    joined = ws.joined_count(store, workshop.id)
    ideas = len(ws.wall(store, workshop.id).items)
    tiles.append((f"{ideas:,}", f"Ideas from this room ({joined} joined)"))
    demo = '<p class="k-status">Demo programme: fictional data.</p>' if store.is_demo() else ""
    st.html(f'<div class="k"><h1>Our service programme so far</h1>{tiles_html(tiles, headline)}{demo}</div>')
elif slide == "wall":
    question_block()
    live_wall("wall")
elif slide == "top":
    st.html('<div class="k"><h1>Top-voted ideas</h1></div>')
    live_wall("top")
else:
    wall = ws.wall(store, workshop.id).items
    votes = int(wall["votes"].sum()) if len(wall) else 0
    joined = ws.joined_count(store, workshop.id)
    st.html(f'<div class="k"><h1>Thank you</h1>'
            f'<div class="k-tiles" style="grid-template-columns: repeat(3, 1fr)">'
            f'<div class="k-tile"><div class="k-big">{joined}</div><div class="k-label">joined</div></div>'
            f'<div class="k-tile"><div class="k-big">{len(wall)}</div><div class="k-label">ideas</div></div>'
            f'<div class="k-tile"><div class="k-big">{votes}</div><div class="k-label">votes</div></div></div>'
            '<p class="k-headline">The best ideas go into the programme\'s ideas pipeline. Keep your link: it '
            "shows what becomes of your ideas and the answer you get.</p>"
            f'<p class="k-status">{esc(workshop.title)} · {workshop.date:%d %B %Y}</p></div>')

with st.container(key="kiosk_nav", horizontal=True, vertical_alignment="center"):
    st.button("◀ Back", on_click=step, args=(-1,), shortcut="Left", key="kiosk_back",
              help="Previous slide (left arrow key)")
    for key, label in SLIDES.items():
        st.button(label, on_click=go, args=(key,), key=f"kiosk_go_{key}",
                  type="primary" if key == slide else "secondary")
    st.button("Next ▶", on_click=step, args=(1,), shortcut="Right", key="kiosk_next",
              help="Next slide (right arrow key)")
