"""Pieces of the Programme pages beyond the grid: the page head, idea cards, a monthly share chart, user text shown
as text. User text is always escaped Markdown or a plain element, never HTML."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui.figures import CHART_HEIGHT, LEAD_COLOUR
from ui.filters import md, month_label
from ui.page import header

STATUS_LABELS = {"submitted": "Submitted", "review": "In review", "approved": "Approved",
                 "implemented": "Implemented", "rejected": "Rejected"}
STATUS_ICONS = {"submitted": ":material/inbox:", "review": ":material/rate_review:",
                "approved": ":material/thumb_up:", "implemented": ":material/task_alt:",
                "rejected": ":material/block:"}
SOURCE_LABELS = {"workshop": "Workshop", "unit": "Unit", "person": "Person"}
_MARGIN = {"l": 10, "r": 10, "t": 10, "b": 10}


def page_head(store, title: str, intro: str) -> None:
    header(store, title)
    st.caption(intro)


def text(value) -> str:
    """User text for Markdown: escaped, '—' when empty."""
    return md(value) if value is not None and not pd.isna(value) and str(value).strip() else "—"


def _days(n) -> str:
    if n is None or pd.isna(n):
        return "age unknown"
    n = int(n)
    return f"{n} day{'s' if n != 1 else ''}"


def _age(n) -> str:
    """How long ago an idea was submitted, as a card says it: 'submitted today', '3 days old'."""
    if n is not None and not pd.isna(n) and int(n) == 0:
        return "submitted today"
    return f"{_days(n)} old"


def source_line(idea) -> str:
    """Where the idea came from and who submitted it, escaped for Markdown."""
    source = SOURCE_LABELS.get(idea.source, idea.source) if isinstance(idea.source, str) else None
    parts = [f"from {text(source).lower()}" if source else "source not recorded"]
    if isinstance(idea.source_ref, str) and idea.source_ref.strip():
        parts[0] += f" ({text(idea.source_ref)})"
    if isinstance(idea.submitter, str) and idea.submitter.strip():
        parts.append(f"by {text(idea.submitter)}")
    return " · ".join(parts)


def idea_card(idea, on_pick: Callable[[str], None], key_prefix: str, stuck_days: int) -> None:
    """One idea on the board: title, unit, source and submitter, age; a button to decide on it."""
    with st.container(border=True, gap="small"):
        st.markdown(f"**{text(idea.title)}**")
        age = _age(idea.age_days)
        if idea.status == "review" and pd.notna(idea.days_in_status) and idea.days_in_status > stuck_days:
            age += f" · :red[in review {_days(idea.days_in_status)}]"
        st.caption(f"{text(idea.idea_id)} · {text(idea.unit)} · {age}  \n{source_line(idea)}")
        st.button("Decide", key=f"{key_prefix}_{idea.idea_id}", on_click=on_pick, args=(idea.idea_id,),
                  icon=":material/gavel:", type="tertiary")


def share_chart(frame: pd.DataFrame, name: str) -> go.Figure:
    """A share (0-1) by month 'YYYY-MM' as bars, per cent on the axis; months without a value are left empty."""
    x = pd.to_datetime(frame["month"] + "-01")
    fig = go.Figure(go.Bar(x=x, y=frame["value"], name=name, marker_color=LEAD_COLOUR,
                           hovertemplate="%{x|%b %Y}: %{y:.0%}<extra></extra>"))
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02], title_text=name)
    fig.update_xaxes(tickformat="%b %Y")
    fig.update_layout(height=CHART_HEIGHT, margin=_MARGIN)
    return fig


def month_name(month: str | None) -> str:
    return month_label(month)
