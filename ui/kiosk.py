"""Live workshop pieces: the presenter's fixed styling, the wall as cards, the join link and its QR code.

Every style block here is a constant of ours. Participants' text only ever enters HTML through html.escape.
No chart library is imported: the participant page uses this module too and must stay light.
"""
from __future__ import annotations

import html
import io
import os
import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

import segno
import streamlit as st

# Hides every piece of Streamlit's chrome (streamlit-notes: what hid everything on a projector), then a dark,
# high-contrast theme with type sized for the back of a room: at 8 m a letter needs about 65 mm, which on a
# 3 m wide screen showing 1920 pixels is about 42 px.
KIOSK_STYLE = """
<style>
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stMainMenu"], [data-testid="stStatusWidget"],
[data-testid="stSidebar"], [data-testid="stExpandSidebarButton"], [data-testid="stDecoration"],
[data-testid="stAppDeployButton"], [data-testid="stSidebarCollapsedControl"], footer { display: none !important; }
[data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] { background: #0b1d3a; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 2rem 3.5rem 7.5rem; }
.k { color: #ffffff; font-family: "Source Sans Pro", "Source Sans 3", Arial, sans-serif; }
.k h1 { color: #ffffff; font-size: 64px; line-height: 1.1; font-weight: 700; margin: 0 0 16px; padding: 0; }
.k h1.k-wallq { color: #ffffff; font-size: 46px; line-height: 1.15; font-weight: 700; margin: 0 0 20px;
  padding: 0; overflow: hidden; display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; }
.k .k-question { font-size: 46px; line-height: 1.2; margin: 0 0 28px; color: #ffffff; }
.k .k-sub { font-size: 40px; line-height: 1.3; color: #dfe7f5; margin: 0 0 12px; }
.k .k-small { font-size: 30px; color: #dfe7f5; }
.k .k-code { font-size: 150px; font-weight: 800; letter-spacing: 0.06em; color: #ffd84d; line-height: 1;
  font-family: "Source Code Pro", Consolas, monospace; margin: 8px 0 24px; }
.k .k-url { font-size: 44px; font-weight: 700; color: #ffffff; word-break: break-all; }
.k .k-joined { font-size: 56px; font-weight: 700; color: #ffffff; margin-top: 24px; }
.k .k-joined b { color: #ffd84d; font-size: 96px; }
.k .k-tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 28px; margin: 24px 0 36px; }
.k .k-tile { background: #132b55; border-radius: 16px; padding: 28px 28px 32px; }
.k .k-big { font-size: 120px; font-weight: 800; color: #ffd84d; line-height: 1.05; }
.k .k-label { font-size: 36px; line-height: 1.2; color: #ffffff; margin-top: 8px; }
.k .k-headline { font-size: 44px; line-height: 1.3; color: #ffffff; border-left: 12px solid #ffd84d;
  padding-left: 28px; margin-top: 12px; }
.k .k-wall { display: grid; grid-template-columns: repeat(var(--cols), minmax(0, 1fr)); gap: 20px; }
.k .k-card { background: #ffffff; color: #111111; border-radius: 14px; padding: 18px 22px 14px;
  display: flex; flex-direction: column; justify-content: space-between; min-height: 0; }
.k .k-card.pinned { outline: 8px solid #ffd84d; }
.k .k-card p { margin: 0; font-size: var(--fs); line-height: 1.22; overflow: hidden; display: -webkit-box;
  -webkit-box-orient: vertical; -webkit-line-clamp: var(--lines); overflow-wrap: anywhere; }
.k .k-meta { display: flex; justify-content: space-between; align-items: baseline; margin-top: 10px;
  font-size: calc(var(--fs) * 0.75); color: #333333; }
.k .k-votes { font-weight: 800; color: #0b1d3a; font-size: var(--fs); }
.k .k-status { font-size: 28px; color: #dfe7f5; margin: 18px 0 0; }
.k .k-top { list-style: none; margin: 0; padding: 0; }
.k .k-top li { display: grid; grid-template-columns: 90px 1fr 170px; align-items: center; gap: 20px;
  background: #132b55; border-radius: 12px; padding: 12px 24px; margin-bottom: 12px; }
.k .k-rank { font-size: 48px; font-weight: 800; color: #ffd84d; }
.k .k-top .k-text { font-size: 38px; line-height: 1.2; overflow: hidden; display: -webkit-box;
  -webkit-box-orient: vertical; -webkit-line-clamp: 2; overflow-wrap: anywhere; }
.k .k-top .k-n { font-size: 48px; font-weight: 800; text-align: right; }
.k .k-empty { font-size: 44px; color: #dfe7f5; margin-top: 40px; }
.st-key-kiosk_nav { position: fixed; left: 0; right: 0; bottom: 0; z-index: 1000; background: #06122a;
  padding: 14px 3.5rem; border-top: 2px solid #27406e; }
.st-key-kiosk_nav button { min-height: 64px; padding: 0 28px; }
.st-key-kiosk_nav button p { font-size: 26px; font-weight: 600; }
.st-key-kiosk_qr img { background: #ffffff; border-radius: 12px; }
</style>
"""

# The participant's phone: nothing of the tracker's chrome, a little larger type, full-width buttons.
PARTICIPANT_STYLE = """
<style>
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stAppDeployButton"], [data-testid="stSidebar"], [data-testid="stExpandSidebarButton"], footer
{ display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1.25rem 1rem 3rem; max-width: 40rem; }
/* Streamlit's captions are 60% grey (3.9:1 on white); solid grey passes WCAG AA, as ui/style.py does. */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #4a4a4a; opacity: 1; }
.p-question { font-size: 1.35rem; font-weight: 700; line-height: 1.3; margin: 0.25rem 0 0.5rem; color: #111111; }
.p-idea { font-size: 1.05rem; line-height: 1.35; margin: 0; color: #111111; overflow-wrap: anywhere; }
.p-meta { font-size: 0.9rem; color: #4a4a4a; margin: 0.25rem 0 0; }
.p-feedback { font-size: 1rem; line-height: 1.35; margin: 0.4rem 0 0; padding-left: 0.75rem;
  border-left: 4px solid #0b5cad; color: #111111; }
.p-code { font-family: "Source Code Pro", monospace; letter-spacing: 0.08em; font-weight: 700; }
</style>
"""

# The wall at 1920x1080: fewer ideas in larger type, more in smaller, never more than fits the screen. What does not
# fit (the oldest, unpinned) is counted under the wall; the top-voted slide ranks every idea.
WALL_TIERS = (  # (ideas up to, columns, font size px, lines kept per card): at most 3 rows under the question
    (6, 3, 44, 5),
    (12, 4, 34, 4),
    (15, 5, 28, 4),
)
WALL_MAX_CARDS = WALL_TIERS[-1][0]
TOP_N = 6  # rows of the top-voted slide that fit above the presenter buttons at 1080 px
QR_SCALE = 14  # pixels per module: a 25-37 module code is 450-600 px wide, scannable from the back of a room


def apply_kiosk_style() -> None:
    st.html(KIOSK_STYLE)


def apply_participant_style() -> None:
    st.html(PARTICIPANT_STYLE)


def esc(text) -> str:
    return html.escape("" if text is None else str(text))


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


def plain(text) -> str:
    """User text inside a Markdown element (a subheader, a metric label): shown as typed, never as formatting."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", "" if text is None else str(text))


# -- join link ---------------------------------------------------------------------------------------------------------
def public_base_url() -> str:
    """Where phones reach this server: TRACKER_PUBLIC_URL when set (behind a proxy, or when the projector's laptop
    opened it as localhost), else the address this browser used."""
    configured = os.environ.get("TRACKER_PUBLIC_URL", "").strip()
    if configured:
        return configured.rstrip("/")
    url = st.context.url or "http://localhost:8501"
    parts = urlsplit(url)
    base_path = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme}://{parts.netloc}" + (f"/{base_path}" if base_path else "")


def join_url(token: str) -> str:
    return f"{public_base_url()}/?join={token}"


def short_join_address() -> str:
    """What a person types when they cannot scan: the address without its scheme."""
    return public_base_url().split("://", 1)[-1] + "/?join"


def is_local_address() -> bool:
    host = urlsplit(public_base_url()).hostname or ""
    return host in ("localhost", "127.0.0.1", "::1")


def spaced_code(code: str) -> str:
    """K7P2QX -> 'K7P 2QX': easier to read out and to type."""
    half = len(code) // 2
    return f"{code[:half]} {code[half:]}"


def qr_png(url: str, scale: int = QR_SCALE) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=scale, border=3, dark="#000000",
                                                   light="#ffffff")
    return buffer.getvalue()


# -- the wall ----------------------------------------------------------------------------------------------------------
def wall_tier(n: int) -> tuple[int, int, int, int]:
    for tier in WALL_TIERS:
        if n <= tier[0]:
            return tier
    return WALL_TIERS[-1]


def votes_label(n: int) -> str:
    return f"{n} vote" if n == 1 else f"{n} votes"


def wall_html(items: Sequence[dict], checked_at: datetime | None = None) -> str:
    """The wall's cards as one block of HTML (one element to send, however many ideas): ideas in the given order,
    at most WALL_MAX_CARDS, every text escaped."""
    total = len(items)
    shown = list(items[:WALL_MAX_CARDS])
    _, cols, font, lines = wall_tier(len(shown))
    cards = []
    for item in shown:
        author = f"<span>{esc(item['author'])}</span>" if item.get("author") else "<span></span>"
        pinned = " pinned" if item.get("pinned") else ""
        pin_note = '<span class="k-pin">Pinned · </span>' if item.get("pinned") else ""
        cards.append(f'<div class="k-card{pinned}"><p>{esc(item["text"])}</p><div class="k-meta">{author}'
                     f'<span class="k-votes">{pin_note}{esc(votes_label(int(item["votes"])))}</span></div></div>')
    if not cards:
        body = '<p class="k-empty">No ideas yet. Scan the code or open the link and post the first one.</p>'
    else:
        body = (f'<div class="k-wall" style="--cols:{cols};--fs:{font}px;--lines:{lines}">' + "".join(cards)
                + "</div>")
    more = f" · showing the newest {len(shown)}" if total > len(shown) else ""
    when = f" · updated {checked_at:%H:%M:%S}" if checked_at else ""
    status = f'<p class="k-status">{total} idea{"s" if total != 1 else ""} on the wall{more}{when}</p>'
    return f'<div class="k">{body}{status}</div>'


def top_html(items: Sequence[dict], checked_at: datetime | None = None) -> str:
    if not items:
        return '<div class="k"><p class="k-empty">No votes yet: vote for the ideas you like on your phone.</p></div>'
    rows = "".join(f'<li><span class="k-rank">{rank}</span><span class="k-text">{esc(item["text"])}</span>'
                   f'<span class="k-n">{esc(votes_label(int(item["votes"])))}</span></li>'
                   for rank, item in enumerate(items, start=1))
    when = f'<p class="k-status">Updated {checked_at:%H:%M:%S}</p>' if checked_at else ""
    return f'<div class="k"><ol class="k-top">{rows}</ol>{when}</div>'


def render_wall(store, wall, view: str = "wall") -> str:
    """What the presenter's wall fragment shows each tick: bring the LiveWall up to date (one version query when
    nothing changed) and build the slide's HTML, the wall or the top-voted list. A function of its own so tests can
    call it: AppTest does not fire run_every."""
    wall.refresh(store)
    if view == "top":
        return top_html(wall.top(TOP_N), wall.checked_at)
    return wall_html(wall.ordered(), wall.checked_at)


# -- the programme in big numbers --------------------------------------------------------------------------------------
def programme_tiles(store) -> tuple[list[tuple[str, str]], str]:
    """(value, label) tiles and the lead-lag sentence, for the whole organisation. Read from metrics/, which caches
    by data version; a figure the data cannot give shows as the registry's empty mark."""
    from metrics import calc
    from metrics.registry import EMPTY, format_value, get

    tiles: list[tuple[str, str]] = []
    try:
        frame = calc.monthly(store)
    except Exception:  # noqa: BLE001 - a presenter must never see a stack trace; the tiles say "no data"
        frame = None
    if frame is None or frame.empty:
        return [(EMPTY, "Ideas put into practice so far"), (EMPTY, "Training coverage"),
                (EMPTY, "Praise to complaints")], "No programme data yet."

    def latest(key: str):
        values = frame[(frame["metric"] == key)].dropna(subset=["value"])
        return (values.iloc[-1]["value"], values.iloc[-1]["month"]) if len(values) else (None, None)

    implemented = frame.loc[frame["metric"] == "ideas_implemented", "value"].fillna(0).sum()
    tiles.append((f"{int(implemented):,}", "Ideas put into practice so far"))
    for key in ("training_coverage", "praise_complaint_ratio"):
        defn = get(key)
        value, month = latest(key)
        shown = format_value(defn, value) if value is not None else EMPTY
        when = f" ({_month_name(month)})" if month else ""
        tiles.append((shown, f"{defn.label}{when}"))
    return tiles, _headline(store)


def _month_name(month: str) -> str:
    try:
        return datetime.strptime(month, "%Y-%m").strftime("%b %Y")
    except ValueError:
        return month


def _headline(store) -> str:
    try:  # metrics.leadlag comes with the executive pages (issue 4); the presenter works without it
        from metrics import leadlag
    except ImportError:
        return ""
    try:
        return leadlag.headline(store)
    except Exception:  # noqa: BLE001 - a sentence that cannot be computed is left out, never a stack trace
        return ""


def tiles_html(tiles: Sequence[tuple[str, str]], headline: str) -> str:
    cells = "".join(f'<div class="k-tile"><div class="k-big">{esc(value)}</div><div class="k-label">{esc(label)}'
                    f"</div></div>" for value, label in tiles)
    sentence = f'<p class="k-headline">{esc(headline)}</p>' if headline else ""
    return f'<div class="k-tiles" style="grid-template-columns: repeat({len(tiles)}, 1fr)">{cells}</div>{sentence}'


# -- the phones' live wall ---------------------------------------------------------------------------------------------
# A phone's wall redraws itself on a timer, so other people's ideas and votes reach it unasked. The server's budget is
# reruns per second (streamlit-notes; benchmarks/bench_workshop.py): the phones of a room together may ask for
# PHONE_TICKS_PER_S wall reruns a second, so a small room refreshes every PHONE_REFRESH_MIN_S seconds and a room of 200
# every 200 / PHONE_TICKS_PER_S seconds, and a tick that finds the wall unchanged reads nothing but its version.
# A tick costs the server about 10 ms of CPU, 8 of them Streamlit's own rerun (measured: 10.7 ms with ten ideas on the
# screen, 8.4 ms with one), so 25 ticks a second hold the phones to about a quarter of the one core a server has.
PHONE_REFRESH_MIN_S = 3
PHONE_TICKS_PER_S = 25


def phone_refresh_s(joined: int) -> float:
    """Seconds between a phone's wall refreshes in a room of `joined` participants."""
    return max(PHONE_REFRESH_MIN_S, joined / PHONE_TICKS_PER_S)


# -- stores ------------------------------------------------------------------------------------------------------------
def participant_store(actor: str = "participant"):
    """A Store for someone without an account: role 'participant' may add only their own ideas and votes (the Store
    refuses anything else). The database is made as for any first visit; a locked file stops with a message."""
    from data.store import Store, StoreLocked, default_db_path
    from ui.session import _ensure_database

    try:
        return Store(_ensure_database(str(default_db_path())), actor=actor, role="participant")
    except StoreLocked:
        st.info("The workshop is not available right now. Please try again in a minute.")
        st.stop()


# -- routing -----------------------------------------------------------------------------------------------------------
def workshop_route():
    """The page for a participant's link (?join=..., ?p=...) or the presenter view (?kiosk=1&w=...), set up with its
    own page config and hidden navigation; None for every other address. The dashboard runs it before its access
    check: participants have no account, and neither route shows anything else of the tracker. Each page checks its
    own gate (a valid token; the facilitator role)."""
    params = st.query_params
    if "join" in params or "p" in params:
        st.set_page_config(page_title="Workshop", page_icon="ui/favicon.png", layout="centered",
                           initial_sidebar_state="collapsed")
        return st.navigation([st.Page("pages/participant.py", title="Workshop")], position="hidden")
    if params.get("kiosk"):
        st.set_page_config(page_title="Presenter view", page_icon="ui/favicon.png", layout="wide",
                           initial_sidebar_state="collapsed")
        return st.navigation([st.Page("pages/kiosk.py", title="Presenter view")], position="hidden")
    return None
