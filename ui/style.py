"""Fixed page styling of ours (never user text): tighter margins, and captions dark enough to read (WCAG AA)."""
import streamlit as st

# Streamlit leaves about 6rem above the first element; with navigation in the header, 2.5rem is enough.
_COMPACT = """
<style>
[data-testid="stMainBlockContainer"] { padding: 2.9rem 2.5rem 2rem; }
/* Streamlit greys captions with 60% opacity (3.9:1 on white); a solid grey of 6.4:1 passes WCAG AA. */
[data-testid="stMain"] [data-testid="stCaptionContainer"] { color: #5f5e5c; opacity: 1; }
/* Quoted text (a complaint, an assessment) in Streamlit's grey is 3.9:1; this is 8:1. */
[data-testid="stMain"] blockquote, [data-testid="stMain"] blockquote p { color: #44423f; opacity: 1; }
/* Page titles one size down: on an executive's laptop the cards below them must fit the first screen. */
[data-testid="stMainBlockContainer"] h1 { font-size: 2.1rem; padding: 0.6rem 0 0; }
/* Sections are h2 and their parts h3, so headings never skip a level (axe heading-order); sized as Streamlit's
   subheader and a small heading, so the pages read as they did. */
[data-testid="stMainBlockContainer"] h2 { font-size: 1.5rem; padding: 0.75rem 0 0.25rem; }
[data-testid="stMainBlockContainer"] h3 { font-size: 1.1rem; padding: 0.5rem 0 0.25rem; }
/* KPI cards (keyed kpi_*): a little less air, so that a card that explains its badges in words still ends on the first
   laptop screen with the row of lagging metrics below it. */
[class*="st-key-kpi_"] { padding: 0.65rem 0.7rem; }
[class*="st-key-kpi_"] [data-testid="stCaptionContainer"] p { line-height: 1.35; }
[class*="st-key-kpi_"] [data-testid="stMetricValue"] { font-size: 1.8rem; }
</style>
"""


# Streamlit sends HTML that holds only style tags to its event container, where the style was lost whenever a page
# was opened by its own address (seen on Streamlit 1.67: captions fell back to a grey of 3.9:1). An empty, hidden
# element beside it keeps the block in the page itself, drawn where the caller puts it (the title row: no height).
_ANCHOR = '<span aria-hidden="true"></span>'


def compact_layout() -> None:
    st.html(_COMPACT + _ANCHOR, width="content")
