"""Fixed page styling of ours (never user text): a tighter top margin so an executive's laptop shows more."""
import streamlit as st

# Streamlit leaves about 6rem above the first element; with navigation in the header, 2.5rem is enough.
_COMPACT = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; padding-bottom: 2rem; }
</style>
"""


def compact_layout() -> None:
    st.html(_COMPACT)
