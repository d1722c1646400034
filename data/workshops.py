"""Live workshops: a facilitator puts a question to a room, participants without accounts submit and vote from their
phones, and the ideas the facilitator promotes become records of the ideas pipeline.

No Streamlit here: pages call these functions with a Store whose role says who is writing. Facilitators (and leads,
admins) run workshops; a participant is known only by the token of their own link and writes with the role
"participant", which the Store lets change nothing but participants, submissions and votes. Every write is one
audited Store transaction; every SQL statement is parameterised.

A projector polls the wall every second, so the wall is read by version: every change of what a wall shows stamps
the idea with the next value of the `wall_rev` sequence (writes are serialised per file by the Store, so revisions
commit in order) and `wall(since=n)` returns only the ideas changed after n.
"""
from __future__ import annotations

import io
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from data.export import formula_safe
from data.store import WRITER_ROLES, Store, Transaction

# -- limits (what participants are told) ------------------------------------------------------------------------------
MAX_TEXT = 280  # characters in one idea: a sentence or two, readable on a wall card from the back of the room
MIN_TEXT = 3
RATE_LIMIT_S = 10  # one idea per participant per 10 seconds: a room of 200 cannot flood the wall
MAX_IDEAS_PER_PARTICIPANT = 25
MAX_DISPLAY_NAME = 40
MAX_TITLE = 120
MAX_QUESTION = 200
# Join codes: short enough to type from a projected slide, without the look-alikes 0/O and 1/I.
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 6  # 32^6 = about a billion codes
# Links carry tokens of 24 random bytes (192 bits, at least 128 as asked) in URL-safe base64: 32 characters.
TOKEN_BYTES = 24
# A basic word filter: an idea containing one of these word stems is held for the facilitator instead of shown.
BLOCKED_WORDS = ("fuck", "shit", "cunt", "bitch", "bastard", "asshole", "arsehole", "dickhead", "wanker", "twat",
                 "motherfucker", "bollocks", "piss off", "retard", "slut", "whore")
_BLOCKED = re.compile(r"\b(" + "|".join(re.escape(w) for w in BLOCKED_WORDS) + r")", re.IGNORECASE)

STATUSES = ("open", "closed", "archived")
WALL_STATUSES = ("visible", "held", "hidden")
FACILITATOR_ROLES = WRITER_ROLES | {"facilitator"}


# -- errors: each message is shown to a person as it is ---------------------------------------------------------------
class WorkshopError(Exception):
    """Something a participant or facilitator did that cannot go ahead; the message says why and what to do."""


class NotFound(WorkshopError):
    pass


class WorkshopClosed(WorkshopError):
    pass


class WorkshopExpired(WorkshopError):
    pass


class RateLimited(WorkshopError):
    def __init__(self, message: str, wait_s: int):
        super().__init__(message)
        self.wait_s = wait_s


class NotAllowed(WorkshopError):
    pass


# -- records -----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Workshop:
    id: int
    title: str
    question: str
    units: tuple[str, ...]
    course: str | None
    date: date
    join_code: str
    token: str
    status: str
    hold_for_approval: bool
    created_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Participant:
    token: str
    workshop_id: int
    seat: int
    display_name: str | None

    @property
    def label(self) -> str:
        """How ideas are credited: the name the participant chose, or their number in the room."""
        return self.display_name or f"Participant {self.seat}"


@dataclass(frozen=True)
class Submitted:
    id: int
    status: str  # visible, or held for the facilitator

    @property
    def held(self) -> bool:
        return self.status == "held"


@dataclass
class WallDelta:
    """What changed on a wall since a version: the visible ideas changed after it and the ideas that left it."""

    version: int
    items: pd.DataFrame  # WALL_COLUMNS
    removed: list[int] = field(default_factory=list)


WALL_COLUMNS = ["id", "text", "votes", "pinned", "edited", "created_at", "author"]


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed, as a code: case, spaces and dashes do not matter."""
    return re.sub(r"[\s\-_.]", "", text or "").upper()


def clean_text(text: str) -> str:
    """One line of plain text: Unicode normalised, control characters dropped, runs of white space made one space."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def needs_review(text: str) -> bool:
    """The basic word filter: True when the text contains a blocked word."""
    return bool(_BLOCKED.search(text))


def _now() -> datetime:
    return datetime.now()


def _require_facilitator(store: Store) -> None:
    if store.role not in FACILITATOR_ROLES:
        raise NotAllowed("Only the workshop's facilitator can do this.")


def _next(tx: Transaction, sequence: str) -> int:
    # The sequence names are constants of ours.
    return int(tx.cursor.execute(f"SELECT nextval('{sequence}')").fetchone()[0])


def _one(tx_or_store, sql: str, params: list):
    if isinstance(tx_or_store, Transaction):
        return tx_or_store.cursor.execute(sql, params).fetchone()
    rows = tx_or_store.rows(sql, params)
    return rows[0] if rows else None


_WORKSHOP_COLUMNS = ("id, title, question, units, course, \"date\", join_code, token, status, hold_for_approval, "
                     "created_at")


def _workshop(row) -> Workshop | None:
    if row is None:
        return None
    (wid, title, question, units, course, day, code, token, status, hold, created) = row
    return Workshop(int(wid), title, question, tuple(units or ()), course, day, code, token, status, bool(hold),
                    created)


# -- facilitator: workshops -------------------------------------------------------------------------------------------
def create(store: Store, title: str, question: str, day: date | None = None, units: list[str] | tuple = (),
           course: str | None = None, hold_for_approval: bool = False) -> Workshop:
    """A new open workshop with a fresh join code and link token."""
    _require_facilitator(store)
    title, question = clean_text(title), clean_text(question)
    if not title:
        raise WorkshopError("Give the workshop a title.")
    if not question:
        raise WorkshopError("Write the question you will put to the room.")
    if len(title) > MAX_TITLE or len(question) > MAX_QUESTION:
        raise WorkshopError(f"Keep the title to {MAX_TITLE} and the question to {MAX_QUESTION} characters.")
    units = [u for u in dict.fromkeys(units or []) if u]
    if units:
        known = {r[0] for r in store.rows("SELECT unit FROM units")}
        if unknown := [u for u in units if u not in known]:
            raise WorkshopError(f"Unknown unit(s): {', '.join(unknown)}.")
    with store.transaction("workshop-create", title) as tx:
        wid = _next(tx, "workshop_id")
        code = _free_code(tx)
        tx.upsert("workshops", pd.DataFrame([{
            "id": wid, "title": title, "question": question, "units": list(units), "course": course or None,
            "date": day or date.today(), "join_code": code, "token": new_token(), "status": "open",
            "hold_for_approval": bool(hold_for_approval), "created_at": _now(), "created_by": store.actor}]))
    return get(store, wid)


def _free_code(tx: Transaction) -> str:
    for _ in range(100):
        code = new_join_code()
        taken = tx.cursor.execute("SELECT count(*) FROM workshops WHERE join_code = ? AND status <> 'archived'",
                                  [code]).fetchone()[0]
        if not taken:
            return code
    raise WorkshopError("Could not find a free join code; archive old workshops and try again.")


def get(store: Store, workshop_id: int) -> Workshop | None:
    return _workshop(_one(store, f"SELECT {_WORKSHOP_COLUMNS} FROM workshops WHERE id = ?", [int(workshop_id)]))


def list_workshops(store: Store, include_archived: bool = False) -> pd.DataFrame:
    """Workshops newest first, with how many joined, ideas on the wall, votes and promoted ideas."""
    return store.query(
        "SELECT w.id, w.title, w.\"date\", w.status, w.join_code, w.hold_for_approval, "
        "  (SELECT count(*) FROM participants p WHERE p.workshop_id = w.id) AS joined, "
        "  (SELECT count(*) FROM submissions s WHERE s.workshop_id = w.id AND s.merged_into IS NULL) AS ideas, "
        "  (SELECT count(*) FROM submissions s WHERE s.workshop_id = w.id AND s.status = 'held' "
        "     AND s.merged_into IS NULL) AS held, "
        "  (SELECT count(*) FROM votes v JOIN submissions s ON s.id = v.submission_id "
        "     WHERE s.workshop_id = w.id) AS votes, "
        "  (SELECT count(*) FROM promotions m WHERE m.workshop_id = w.id) AS promoted "
        "FROM workshops w WHERE ? OR w.status <> 'archived' ORDER BY w.\"date\" DESC, w.id DESC",
        [include_archived])


def _set(store: Store, workshop_id: int, action: str, **values) -> Workshop:
    _require_facilitator(store)
    workshop = get(store, workshop_id)
    if workshop is None:
        raise NotFound("No such workshop.")
    with store.transaction(action, workshop.title) as tx:
        if values.get("status") == "open" and workshop.status == "archived":
            # An archived workshop's code may have been given to another workshop since: issue a fresh one.
            values["join_code"] = _free_code(tx)
        tx.upsert("workshops", pd.DataFrame([{"id": workshop.id, **values}]))
    return get(store, workshop_id)


def close(store: Store, workshop_id: int) -> Workshop:
    """No new participants, ideas or votes; the wall and each participant's link stay readable."""
    return _set(store, workshop_id, "workshop-close", status="closed")


def reopen(store: Store, workshop_id: int) -> Workshop:
    return _set(store, workshop_id, "workshop-reopen", status="open")


def archive(store: Store, workshop_id: int) -> Workshop:
    """Off the facilitator's list; its join code expires (participants' own links still show their ideas)."""
    return _set(store, workshop_id, "workshop-archive", status="archived")


def set_hold_for_approval(store: Store, workshop_id: int, hold: bool) -> Workshop:
    return _set(store, workshop_id, "workshop-moderation", hold_for_approval=bool(hold))


# -- participants ------------------------------------------------------------------------------------------------------
def find(store: Store, code_or_token: str) -> Workshop:
    """The workshop a join code or link token names, if people may still join it; raises with a friendly message."""
    raw = (code_or_token or "").strip()
    if not raw:
        raise NotFound("Enter the code shown on the screen.")
    if len(raw) > JOIN_CODE_LENGTH + 4:  # a link token (a code may be typed with a space or dash)
        row = _one(store, f"SELECT {_WORKSHOP_COLUMNS} FROM workshops WHERE token = ?", [raw])
        if row is None:
            raise NotFound("This link does not lead to a workshop. Check that you copied all of it, or type the "
                           "code shown on the screen.")
    else:
        code = normalise_code(raw)
        row = _one(store, f"SELECT {_WORKSHOP_COLUMNS} FROM workshops WHERE join_code = ? "
                          "ORDER BY status = 'archived', id DESC LIMIT 1", [code])
        if row is None:
            hint = " Codes never contain the digits 0 or 1." if re.search("[01OI]", code) else ""
            raise NotFound(f"There is no workshop with the code {code[:12]}. Check the code on the screen and try "
                           f"again.{hint}")
    workshop = _workshop(row)
    if workshop.status == "archived":
        raise WorkshopExpired("This workshop has ended and its code has expired. Thank you for your interest.")
    if workshop.status == "closed":
        raise WorkshopClosed("This workshop is closed for new participants. If it is still running, ask the "
                             "facilitator to reopen it.")
    return workshop


def join(store: Store, code_or_token: str, display_name: str | None = None) -> Participant:
    """A new participant of the workshop the code or token names; returns them with their own token."""
    workshop = find(store, code_or_token)
    name = clean_text(display_name or "")[:MAX_DISPLAY_NAME] or None
    if name and needs_review(name):
        raise WorkshopError("Please choose another name.")
    token = new_token()
    with store.transaction("workshop-join", f"workshop {workshop.id}") as tx:
        seat = tx.cursor.execute("SELECT coalesce(max(seat), 0) + 1 FROM participants WHERE workshop_id = ?",
                                 [workshop.id]).fetchone()[0]
        tx.upsert("participants", pd.DataFrame([{"token": token, "workshop_id": workshop.id, "seat": int(seat),
                                                 "display_name": name, "joined_at": _now()}]))
    return Participant(token, workshop.id, int(seat), name)


def participant(store: Store, token: str) -> tuple[Participant, Workshop]:
    """The participant a link token names and their workshop (whatever its status); raises NotFound."""
    columns = ", ".join(f"w.{c.strip()}" for c in _WORKSHOP_COLUMNS.split(","))
    row = _one(store, f"SELECT p.token, p.seat, p.display_name, {columns} FROM participants p "
                      "JOIN workshops w ON w.id = p.workshop_id WHERE p.token = ?", [str(token or "")[:100]])
    if row is None:
        raise NotFound("This participant link is not known. Open the workshop's link again or type its code.")
    workshop = _workshop(row[3:])
    return Participant(row[0], workshop.id, int(row[1]), row[2]), workshop


def set_display_name(store: Store, token: str, display_name: str | None) -> Participant:
    who, _ = participant(store, token)
    name = clean_text(display_name or "")[:MAX_DISPLAY_NAME] or None
    if name and needs_review(name):
        raise WorkshopError("Please choose another name.")
    with store.transaction("workshop-name", f"workshop {who.workshop_id}") as tx:
        tx.upsert("participants", pd.DataFrame([{"token": who.token, "display_name": name}]))
    return Participant(who.token, who.workshop_id, who.seat, name)


def joined_count(store: Store, workshop_id: int) -> int:
    return int(store.scalar("SELECT count(*) FROM participants WHERE workshop_id = ?", [int(workshop_id)]))


def submit(store: Store, token: str, text: str) -> Submitted:
    """Post an idea to the wall (or hold it for the facilitator). Raises with a message for the participant when the
    text is empty or too long, the participant posted within the last RATE_LIMIT_S seconds, or the workshop closed."""
    who, workshop = participant(store, token)
    if not workshop.is_open:
        raise WorkshopClosed("This workshop is closed: no new ideas, but you can still see yours below.")
    text = clean_text(text)
    if len(text) < MIN_TEXT:
        raise WorkshopError("Write your idea first (a few words at least).")
    if len(text) > MAX_TEXT:
        raise WorkshopError(f"Your idea is {len(text)} characters long; the limit is {MAX_TEXT}. Please shorten it.")
    status = "held" if workshop.hold_for_approval or needs_review(text) else "visible"
    now = _now()
    with store.transaction("workshop-submit", f"workshop {workshop.id}") as tx:
        # Checked inside the write (the Store serialises writes), so two taps or two tabs cannot both get through.
        last, count, same = tx.cursor.execute(
            "SELECT max(created_at), count(*), count(*) FILTER (lower(text) = lower(?)) "
            "FROM submissions WHERE participant_token = ?", [text, who.token]).fetchone()
        if same:
            raise WorkshopError("You have already posted this idea.")
        if count >= MAX_IDEAS_PER_PARTICIPANT:
            raise WorkshopError(f"You have posted {MAX_IDEAS_PER_PARTICIPANT} ideas, the most one person can post "
                                "in a workshop. Vote for the ideas you like instead.")
        if last is not None and (wait := RATE_LIMIT_S - (now - last).total_seconds()) > 0:
            seconds = max(1, round(wait))
            raise RateLimited(f"One idea every {RATE_LIMIT_S} seconds, please: you can post again in {seconds} s.",
                              seconds)
        sid = _next(tx, "submission_id")
        tx.upsert("submissions", pd.DataFrame([{
            "id": sid, "workshop_id": workshop.id, "participant_token": who.token, "text": text, "status": status,
            "pinned": False, "merged_into": None, "created_at": now, "edited": False, "rev": _next(tx, "wall_rev")}]))
    return Submitted(sid, status)


def _votable(store: Store, token: str, submission_id: int) -> tuple[Participant, int]:
    who, workshop = participant(store, token)
    if not workshop.is_open:
        raise WorkshopClosed("This workshop is closed: voting has ended.")
    row = _one(store, "SELECT workshop_id, status, merged_into, participant_token FROM submissions WHERE id = ?",
               [int(submission_id)])
    if row is None or row[0] != who.workshop_id or row[1] != "visible" or row[2] is not None:
        raise NotFound("This idea is no longer on the wall.")
    if row[3] == who.token:
        raise NotAllowed("This is your own idea: vote for other people's ideas.")
    return who, int(submission_id)


def _touch(tx: Transaction, submission_ids: list[int]) -> None:
    """Stamp ideas with a new wall revision after a change the projector must pick up (votes)."""
    for sid in submission_ids:
        tx.execute("UPDATE submissions SET rev = nextval('wall_rev') WHERE id = ?", [int(sid)])


def vote(store: Store, token: str, submission_id: int) -> bool:
    """One vote for another participant's idea; False when this participant had already voted for it."""
    who, sid = _votable(store, token, submission_id)
    with store.transaction("workshop-vote", f"idea {sid}") as tx:
        if tx.cursor.execute("SELECT count(*) FROM votes WHERE submission_id = ? AND participant_token = ?",
                             [sid, who.token]).fetchone()[0]:
            return False
        tx.upsert("votes", pd.DataFrame([{"submission_id": sid, "participant_token": who.token,
                                          "created_at": _now()}]))
        _touch(tx, [sid])
    return True


def unvote(store: Store, token: str, submission_id: int) -> bool:
    """Take a vote back; False when there was none."""
    who, sid = _votable(store, token, submission_id)
    with store.transaction("workshop-unvote", f"idea {sid}") as tx:
        if tx.delete_all("votes", "submission_id = ? AND participant_token = ?", [sid, who.token]):
            _touch(tx, [sid])
            return True
    return False


def my_votes(store: Store, token: str) -> set[int]:
    return {int(r[0]) for r in store.rows("SELECT submission_id FROM votes WHERE participant_token = ?", [token])}


# -- reading the wall -------------------------------------------------------------------------------------------------
def wall_version(store: Store, workshop_id: int) -> int:
    """The workshop's latest wall revision: a projector re-reads nothing while this stays the same."""
    return int(store.scalar("SELECT coalesce(max(rev), 0) FROM submissions WHERE workshop_id = ?",
                            [int(workshop_id)]))


_WALL_SELECT = (
    "SELECT s.id, s.text, (SELECT count(*) FROM votes v WHERE v.submission_id = s.id) AS votes, s.pinned, s.edited, "
    "  s.created_at, p.display_name AS author, s.status, s.merged_into, s.rev "
    "FROM submissions s LEFT JOIN participants p ON p.token = s.participant_token "
    "WHERE s.workshop_id = ? AND s.rev > ? AND s.rev <= ?")


def wall(store: Store, workshop_id: int, since: int | None = None) -> WallDelta:
    """The visible ideas changed after version `since` (all of them when None), the ideas that left the wall since
    then, and the version to ask from next time. Hidden, held and merged ideas are never among the items."""
    version = wall_version(store, workshop_id)
    rows = store.query(_WALL_SELECT, [int(workshop_id), int(since or 0), version])
    on_wall = (rows["status"] == "visible") & rows["merged_into"].isna()
    removed = [] if since is None else [int(i) for i in rows.loc[~on_wall, "id"]]
    items = rows.loc[on_wall, WALL_COLUMNS].reset_index(drop=True)
    items["votes"] = items["votes"].astype(int)
    return WallDelta(version, items, removed)


def wall_naive(store: Store, workshop_id: int) -> pd.DataFrame:
    """Every visible idea, read afresh: the benchmark's peer for wall(since=...)."""
    return wall(store, workshop_id).items


class LiveWall:
    """A projector's copy of one wall, kept current by reading only what changed: one tiny version query per tick,
    and on a change only the ideas changed since the last version seen."""

    def __init__(self, workshop_id: int):
        self.workshop_id = int(workshop_id)
        self.version: int | None = None
        self.items: dict[int, dict] = {}
        self.checked_at: datetime | None = None
        self.changed_at: datetime | None = None

    def refresh(self, store: Store) -> bool:
        """Bring the copy up to date; True when the wall changed."""
        self.checked_at = _now()
        version = wall_version(store, self.workshop_id)
        if self.version is not None and version == self.version:
            return False
        if self.version is not None and version < self.version:  # a restored database: start again
            self.version, self.items = None, {}
        delta = wall(store, self.workshop_id, since=self.version)
        for gone in delta.removed:
            self.items.pop(gone, None)
        for row in delta.items.to_dict("records"):
            self.items[int(row["id"])] = row
        self.version = delta.version
        self.changed_at = self.checked_at
        return True

    def ordered(self) -> list[dict]:
        """Pinned first, then newest first."""
        return sorted(self.items.values(), key=lambda r: (not r["pinned"], -r["created_at"].timestamp(), -r["id"]))

    def top(self, n: int = 10) -> list[dict]:
        """Most votes first (ties: the earlier idea), ideas without votes left out."""
        voted = [r for r in self.items.values() if r["votes"] > 0]
        return sorted(voted, key=lambda r: (-r["votes"], r["created_at"], r["id"]))[:n]


def phone_page(store: Store, token: str, workshop_id: int, offset: int = 0,
               limit: int = 10) -> tuple[pd.DataFrame, int]:
    """One screen of the wall as a phone shows it (pinned first, newest first), with for this participant which
    ideas are their own and which they voted for, and how many ideas the wall has: one query per phone rerun."""
    rows = store.query(
        "SELECT s.id, s.text, p.display_name AS author, "
        "  (SELECT count(*) FROM votes v WHERE v.submission_id = s.id) AS votes, "
        "  s.participant_token = $token AS mine, "
        "  EXISTS (SELECT 1 FROM votes v WHERE v.submission_id = s.id AND v.participant_token = $token) AS voted, "
        "  count(*) OVER () AS total "
        "FROM submissions s LEFT JOIN participants p ON p.token = s.participant_token "
        "WHERE s.workshop_id = $workshop AND s.status = 'visible' AND s.merged_into IS NULL "
        "ORDER BY s.pinned DESC, s.created_at DESC, s.id DESC LIMIT $limit OFFSET $offset",
        {"token": str(token), "workshop": int(workshop_id), "limit": int(limit), "offset": int(offset)})
    total = int(rows["total"].iloc[0]) if len(rows) else 0
    return rows.drop(columns="total"), total


def order_wall(items: pd.DataFrame) -> pd.DataFrame:
    """As a wall shows them: pinned first, then newest first."""
    return items.sort_values(["pinned", "created_at", "id"], ascending=[False, False, False])


def top_voted(store: Store, workshop_id: int, n: int = 10) -> pd.DataFrame:
    items = wall(store, workshop_id).items
    items = items[items["votes"] > 0]
    return items.sort_values(["votes", "created_at"], ascending=[False, True]).head(n).reset_index(drop=True)


def moderation_queue(store: Store, workshop_id: int) -> pd.DataFrame:
    """Every idea of the workshop for the facilitator: status, votes, who posted it and what it became."""
    return store.query(
        "SELECT s.id, s.text, s.status, s.pinned, s.merged_into, s.edited, "
        "  (SELECT count(*) FROM votes v WHERE v.submission_id = s.id) AS votes, "
        "  coalesce(p.display_name, 'Participant ' || p.seat) AS author, s.created_at, m.idea_id, i.status AS "
        "  idea_status "
        "FROM submissions s LEFT JOIN participants p ON p.token = s.participant_token "
        "LEFT JOIN promotions m ON m.submission_id = s.id LEFT JOIN ideas i ON i.idea_id = m.idea_id "
        "WHERE s.workshop_id = ? "
        "ORDER BY s.status = 'held' DESC, s.merged_into IS NOT NULL, s.pinned DESC, votes DESC, s.id",
        [int(workshop_id)])


# -- facilitator: moderation ------------------------------------------------------------------------------------------
def _ideas_of(store: Store, workshop_id: int, ids) -> pd.DataFrame:
    ids = [int(i) for i in ids]
    found = store.query("SELECT id, workshop_id, participant_token, text, status, merged_into FROM submissions "
                        "WHERE id IN (SELECT unnest(?::BIGINT[])) AND workshop_id = ?", [ids, int(workshop_id)])
    if len(found) != len(set(ids)):
        raise NotFound("Some of these ideas are not in this workshop.")
    return found


def _restamp(tx: Transaction, ids, **values) -> None:
    tx.upsert("submissions", pd.DataFrame([{"id": int(i), **values, "rev": _next(tx, "wall_rev")} for i in ids]))


def set_status(store: Store, workshop_id: int, submission_ids, status: str) -> None:
    """Approve (visible) or hide ideas; hidden ideas never appear on the projector."""
    _require_facilitator(store)
    if status not in WALL_STATUSES:
        raise ValueError(f"status must be one of {WALL_STATUSES}")
    ideas = _ideas_of(store, workshop_id, submission_ids)
    action = {"visible": "workshop-approve", "held": "workshop-hold", "hidden": "workshop-hide"}[status]
    with store.transaction(action, f"workshop {workshop_id}") as tx:
        _restamp(tx, ideas["id"], status=status)


def approve(store: Store, workshop_id: int, submission_ids) -> None:
    set_status(store, workshop_id, submission_ids, "visible")


def hide(store: Store, workshop_id: int, submission_ids) -> None:
    set_status(store, workshop_id, submission_ids, "hidden")


def edit(store: Store, workshop_id: int, submission_id: int, text: str) -> None:
    """Correct a typo: the idea keeps its votes and is marked edited."""
    _require_facilitator(store)
    _ideas_of(store, workshop_id, [submission_id])
    text = clean_text(text)
    if not MIN_TEXT <= len(text) <= MAX_TEXT:
        raise WorkshopError(f"An idea has {MIN_TEXT} to {MAX_TEXT} characters.")
    with store.transaction("workshop-edit", f"idea {submission_id}") as tx:
        _restamp(tx, [submission_id], text=text, edited=True)


def pin(store: Store, workshop_id: int, submission_id: int, pinned: bool = True) -> None:
    _require_facilitator(store)
    _ideas_of(store, workshop_id, [submission_id])
    with store.transaction("workshop-pin", f"idea {submission_id}") as tx:
        _restamp(tx, [submission_id], pinned=bool(pinned))


def merge(store: Store, workshop_id: int, duplicate_ids, into_id: int) -> int:
    """Merge duplicates into one idea: they leave the wall, their votes move to it (a participant who voted for
    several of them, or for it already, keeps one vote; its author's votes are dropped). Returns the votes moved."""
    _require_facilitator(store)
    duplicates = sorted({int(i) for i in duplicate_ids} - {int(into_id)})
    if not duplicates:
        raise WorkshopError("Choose at least one other idea to merge into this one.")
    target = _ideas_of(store, workshop_id, [into_id]).iloc[0]
    if not pd.isna(target["merged_into"]):
        raise WorkshopError("That idea has itself been merged; merge into the idea it was merged into.")
    _ideas_of(store, workshop_id, duplicates)
    promoted = store.rows("SELECT submission_id FROM promotions WHERE submission_id IN (SELECT unnest(?::BIGINT[]))",
                          [duplicates])
    if promoted:
        raise WorkshopError("An idea already promoted to the pipeline cannot be merged into another.")
    with store.transaction("workshop-merge", f"{len(duplicates)} into idea {into_id}") as tx:
        # Ideas merged into a duplicate earlier follow it into the target.
        followers = [int(r[0]) for r in tx.cursor.execute(
            "SELECT id FROM submissions WHERE merged_into IN (SELECT unnest(?::BIGINT[]))", [duplicates]).fetchall()]
        moving = tx.cursor.execute(
            "SELECT v.participant_token, min(v.created_at) AS created_at FROM votes v "
            "WHERE v.submission_id IN (SELECT unnest(?::BIGINT[])) "
            "  AND v.participant_token <> ? "
            "  AND v.participant_token NOT IN (SELECT participant_token FROM votes WHERE submission_id = ?) "
            "GROUP BY v.participant_token", [duplicates, target["participant_token"], int(into_id)]).df()
        tx.delete_all("votes", "submission_id IN (SELECT unnest(?::BIGINT[]))", [duplicates])
        if not moving.empty:
            tx.upsert("votes", pd.DataFrame({"submission_id": int(into_id),
                                             "participant_token": moving["participant_token"],
                                             "created_at": moving["created_at"]}))
        _restamp(tx, duplicates + followers, merged_into=int(into_id), pinned=False)
        _restamp(tx, [into_id])
    return len(moving)


# -- after the session -------------------------------------------------------------------------------------------------
def idea_id_for(workshop_id: int, submission_id: int) -> str:
    return f"WS{int(workshop_id)}-{int(submission_id)}"


def promote(store: Store, workshop_id: int, submission_ids, unit: str | None = None) -> list[str]:
    """Put ideas into the ideas pipeline as 'submitted' (source workshop, this workshop's id, the submitter's label,
    the unit given or the workshop's only unit). Ideas promoted before are left as they are. Returns new idea ids."""
    _require_facilitator(store)
    workshop = get(store, workshop_id)
    if workshop is None:
        raise NotFound("No such workshop.")
    ideas = _ideas_of(store, workshop_id, submission_ids)
    if not ideas[(ideas["status"] != "visible") | ideas["merged_into"].notna()].empty:
        raise WorkshopError("Only ideas on the wall can be promoted (approve held ones first; a merged duplicate is "
                            "promoted with the idea it was merged into).")
    if unit is None and len(workshop.units) == 1:
        unit = workshop.units[0]
    done = {int(r[0]) for r in store.rows(
        "SELECT submission_id FROM promotions WHERE submission_id IN (SELECT unnest(?::BIGINT[]))",
        [[int(i) for i in ideas["id"]]])}
    todo = store.query(
        "SELECT s.id, s.text, s.created_at, coalesce(p.display_name, 'Participant ' || p.seat) AS label "
        "FROM submissions s LEFT JOIN participants p ON p.token = s.participant_token "
        "WHERE s.id IN (SELECT unnest(?::BIGINT[])) ORDER BY s.id",
        [[int(i) for i in ideas["id"] if int(i) not in done]])
    if todo.empty:
        return []
    today, now = date.today(), _now()
    idea_ids = [idea_id_for(workshop.id, sid) for sid in todo["id"]]
    with store.transaction("workshop-promote", f"{len(todo)} ideas from workshop {workshop.id}") as tx:
        tx.upsert("ideas", pd.DataFrame({
            "idea_id": idea_ids, "title": todo["text"], "unit": unit, "submitted_on": todo["created_at"].dt.date,
            "status": "submitted", "implemented_on": None, "source": "workshop", "source_ref": str(workshop.id),
            "submitter": todo["label"], "status_changed_on": today}))
        tx.upsert("promotions", pd.DataFrame({"submission_id": todo["id"].astype(int), "idea_id": idea_ids,
                                              "workshop_id": workshop.id, "promoted_at": now,
                                              "promoted_by": store.actor}))
    return idea_ids


def outcomes(store: Store, workshop_id: int) -> dict:
    """What became of the workshop's promoted ideas: how many, and how many are in each pipeline status."""
    rows = store.rows("SELECT coalesce(i.status, 'removed'), count(*) FROM promotions m "
                      "LEFT JOIN ideas i ON i.idea_id = m.idea_id WHERE m.workshop_id = ? GROUP BY 1",
                      [int(workshop_id)])
    by_status = {status: int(n) for status, n in rows}
    return {"promoted": sum(by_status.values()), "implemented": by_status.get("implemented", 0),
            "by_status": by_status}


def promoted_ideas(store: Store, workshop_id: int) -> pd.DataFrame:
    return store.query(
        "SELECT m.idea_id, i.title, i.status, i.implemented_on, i.feedback, i.submitter, i.unit "
        "FROM promotions m LEFT JOIN ideas i ON i.idea_id = m.idea_id WHERE m.workshop_id = ? ORDER BY m.submission_id",
        [int(workshop_id)])


def participant_ideas(store: Store, token: str) -> pd.DataFrame:
    """The participant's own ideas with where they stand: on the wall, waiting, hidden or merged, votes, and once
    promoted the pipeline's status and the feedback written with the last decision."""
    return store.query(
        "SELECT s.id, s.text, s.created_at, "
        "  CASE WHEN s.merged_into IS NOT NULL THEN 'merged' ELSE s.status END AS wall_status, "
        "  (SELECT count(*) FROM votes v WHERE v.submission_id = coalesce(s.merged_into, s.id)) AS votes, "
        "  m.idea_id, i.status AS idea_status, i.feedback, i.status_changed_on "
        "FROM submissions s "
        "LEFT JOIN promotions m ON m.submission_id = coalesce(s.merged_into, s.id) "
        "LEFT JOIN ideas i ON i.idea_id = m.idea_id "
        "WHERE s.participant_token = ? ORDER BY s.id", [str(token)])


def export_wall_csv(store: Store, workshop_id: int) -> bytes:
    """Every idea of the workshop as CSV (formula-safe: a cell a spreadsheet would run is prefixed with ')."""
    frame = moderation_queue(store, workshop_id).sort_values("id")
    frame = frame.rename(columns={"text": "idea", "status": "wall_status", "idea_id": "promoted_as"})
    frame["created_at"] = frame["created_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    frame["merged_into"] = frame["merged_into"].astype("Int64")
    columns = ["id", "idea", "votes", "wall_status", "pinned", "merged_into", "edited", "author", "created_at",
               "promoted_as", "idea_status"]
    buffer = io.StringIO()
    formula_safe(frame[columns].astype(object).where(frame[columns].notna(), None)).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")
