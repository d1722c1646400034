"""The one escaping helper for user text inside Markdown, shared by the dashboard and the Markdown exports."""
from __future__ import annotations

import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>:$])")


def md(text: str) -> str:
    """User text (a unit's name) inside Markdown: every character Markdown or Streamlit would read as formatting,
    a link, an icon or a colour is escaped, so the text shows as typed."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))
