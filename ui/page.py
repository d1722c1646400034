"""The head of every executive page: title, the demo label, and room on the right for Share and Board pack."""
from __future__ import annotations

import streamlit as st

from ui.flash import show_flash
from ui.style import compact_layout

DEMO_HELP = ("These figures are made up to show how the tracker works. A programme lead removes them on the Data page "
             "before entering the real programme.")


def header(store, title: str):
    """Draw the title row; returns a container at its right end for the page's actions (Share, Board pack)."""
    left, right = st.columns([3, 1], vertical_alignment="center")
    with left, st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        st.title(title, width="content")
        compact_layout()  # every page draws the style itself: a page may be opened by its own address
        if store.is_demo():
            st.badge(store.setting("demo_label", "Demo programme (fictional data)"), icon=":material/science:",
                     color="orange", help=DEMO_HELP)
    show_flash()  # what the last action did, under the title of the page it led to
    with right:
        return st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center")
