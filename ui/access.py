"""Who is this user and what may they do: roles come from secrets or the environment, and every gated page checks."""
from __future__ import annotations

import getpass
import os

import streamlit as st

# What each role may open; a lead also sees everything an executive sees.
ROLE_RANK = {"anonymous": 0, "executive": 1, "facilitator": 2, "lead": 3, "admin": 4}
# With no access list configured the tracker is a single-user install on someone's own machine: they own it.
LOCAL_ROLE = "admin"
# Logged-in people who are on no list may still read the board's view, never change data.
DEFAULT_SIGNED_IN_ROLE = "executive"


def _secret_section(name: str) -> dict:
    try:
        return dict(st.secrets.get(name, {}))
    except FileNotFoundError:  # no secrets.toml at all
        return {}


def sign_in_available() -> bool:
    """st.login needs an identity provider configured under [auth] in secrets.toml."""
    return bool(_secret_section("auth"))


def _access_lists() -> dict[str, set[str]]:
    """Role -> e-mail addresses, from `[access]` in secrets.toml or TRACKER_<ROLE>S (comma separated)."""
    section = _secret_section("access")
    lists = {}
    for role in ROLE_RANK:
        if role == "anonymous":
            continue
        emails = section.get(f"{role}s") or os.environ.get(f"TRACKER_{role.upper()}S", "")
        if isinstance(emails, str):  # `leads = "a@x.org, b@x.org"` as well as a TOML list
            emails = emails.split(",")
        lists[role] = {e.strip().lower() for e in emails if e and e.strip()}
    return {role: emails for role, emails in lists.items() if emails}


def local_user() -> str:
    """The operating system's user: in local mode the audit says who made a change, not just "local"."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user with no name in the password database
        return "local"


def current_user() -> tuple[str, str]:
    """(who, role) for the person running this session."""
    lists = _access_lists()
    if not lists:
        return local_user(), LOCAL_ROLE
    if not st.user.get("is_logged_in"):
        return "anonymous", "anonymous"
    email = str(st.user.get("email", "")).lower()
    for role in sorted(lists, key=ROLE_RANK.get, reverse=True):
        if email in lists[role]:
            return email, role
    return email, DEFAULT_SIGNED_IN_ROLE


def allows(role: str, needed: str) -> bool:
    return ROLE_RANK.get(role, 0) >= ROLE_RANK[needed]


def deny_access() -> None:
    st.title("Service Culture Tracker")
    if sign_in_available() and not st.user.get("is_logged_in"):
        st.write("Please sign in to see the programme.")
        st.button("Sign in", on_click=st.login, key="access_sign_in")
    else:
        st.error("You do not have access to this page. Ask the tracker's administrator to add your e-mail address.")
    st.stop()


def require(needed: str) -> tuple[str, str]:
    """First call on every gated page: a page file can be opened by URL without the entry script (streamlit-notes)."""
    who, role = current_user()
    if not allows(role, needed):
        deny_access()
    return who, role
