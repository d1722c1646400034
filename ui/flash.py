"""Confirmations that outlive the rerun after an action: what a change did stays on screen until the next action."""
from __future__ import annotations

import streamlit as st

from ui.filters import md

_FLASH = "flash_confirmation"


def flash(message: str, kind: str = "success") -> None:
    """Say what an action did; shown at the top of the next run (an st.rerun() would otherwise wipe it)."""
    st.session_state[_FLASH] = (kind, message)


def show_flash() -> None:
    """Draw the pending confirmation, once. The message may hold user text (a course's name), so it is escaped."""
    if note := st.session_state.pop(_FLASH, None):
        kind, message = note
        icons = {"success": ":material/check_circle:", "warning": ":material/warning:", "info": ":material/info:"}
        getattr(st, kind)(md(message), icon=icons.get(kind))
