"""The board narrative on screen: the month's sentences with their links and staleness, the grid that edits them,
and the Markdown and plain-text downloads. Sentences come from metrics.narrative, edits are kept by data.narratives."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from data import narratives
from data.store import StoreError
from metrics import narrative, outlook
from metrics.narrative import Sentence, Shown
from ui.figures import reach_table, unit_label
from ui.filters import Filters, md, month_label
from ui.flash import flash

SECTION_KEYS = tuple(narrative.SECTIONS)
LABEL_TO_SECTION = {label: key for key, label in narrative.SECTIONS.items()}
NEW_MARK = "new since the edit"
GRID_COLUMNS = ["section", "text", "note", "sentence_id"]


@dataclass
class Story:
    """One month's narrative for one scope: the draft, the edited version if any, and what the narrative shows."""

    month: str
    unit: str | None
    function: str | None
    scope_phrase: str
    draft: list[Sentence]
    edited: narratives.Edited | None
    shown: list[Shown]
    new: list[Sentence]  # drafted since the edit, not in the narrative yet

    @property
    def heading(self) -> str:
        return narrative.title(self.month, self.scope_phrase)

    @property
    def stale(self) -> int:
        return sum(bool(s.stale) for s in self.shown)


def story(store, filters: Filters) -> Story | None:
    """The narrative of the period's last month for the filtered scope; None without a month."""
    if not filters.end:
        return None
    draft = narrative.draft(store, filters.end, **filters.scope)
    edited = narratives.load(store, filters.end, **filters.scope)
    rows = edited.sentences if edited else None
    return Story(filters.end, filters.scope["unit"], filters.scope["function"], filters.scope_phrase, draft, edited,
                 narrative.reconcile(draft, rows), narrative.new_since_edit(draft, rows))


def app_root() -> str:
    """The dashboard's address without a page or query: where every sentence's link starts."""
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def _sentence_line(sentence, root: str) -> str:
    link = f" [View the figures]({root}/{sentence.link})" if sentence.link else ""
    return f"{md(sentence.text)}{link}"


def show(current: Story) -> None:
    """The narrative as the board will read it, section by section; stale sentences say what changed."""
    root = app_root()
    if current.edited:
        who = f"Edited by {current.edited.edited_by} on {current.edited.edited_at:%d %b %Y %H:%M}"
        stale = f"; {current.stale} sentence(s) stale" if current.stale else ""
        st.caption(md(who + stale))
    else:
        st.caption("The draft, written from the figures: nobody has edited it yet.")
    for section, label in narrative.SECTIONS.items():
        items = [s for s in current.shown if s.section == section]
        if not items:
            continue
        st.subheader(label)
        for item in items:
            st.markdown(f"- {_sentence_line(item, root)}")
            if item.stale:
                st.caption(f":material/warning: Stale: {md(item.stale)}.")
    if current.new:
        with st.expander(f"{len(current.new)} sentence(s) drafted since the edit, not in the narrative yet"):
            for item in current.new:
                st.markdown(f"- {_sentence_line(item, root)}")


def downloads(current: Story) -> None:
    """Markdown and plain-text (e-mail body) files of the narrative as shown."""
    root, stem = app_root(), f"narrative-{current.month}"
    st.download_button("Markdown", narrative.to_markdown(current.shown, current.heading, root), f"{stem}.md",
                       "text/markdown", key="narrative_markdown", icon=":material/article:", on_click="ignore")
    st.download_button("E-mail text", narrative.to_text(current.shown, current.heading, root), f"{stem}.txt",
                       "text/plain", key="narrative_text", icon=":material/mail:", on_click="ignore")


# (words, colour, icon) per status: Making Data Count's blue for good news and orange for bad, and words for anyone
# who does not see colour. A target whose month has passed was met or missed, not on or off track.
STATUS_BADGES = {outlook.ON_TRACK: ("On track", "blue", ":material/check_circle:"),
                 outlook.AT_RISK: ("At risk", "gray", ":material/warning:"),
                 outlook.OFF_TRACK: ("Off track", "orange", ":material/cancel:"),
                 "": ("No projection", "gray", ":material/help:")}
PAST_BADGES = {outlook.ON_TRACK: ("Met", "blue", ":material/check_circle:"),
               outlook.OFF_TRACK: ("Missed", "orange", ":material/cancel:")}


def status_words(projection: outlook.Projection) -> tuple[str, str, str]:
    if projection.method == outlook.OBSERVED:
        return PAST_BADGES[projection.status]
    return STATUS_BADGES[projection.status]


def outlook_lines(lines: list) -> None:
    """One line per target: its status as a badge, then the sentence that says why (the narrative's wording)."""
    if not lines:
        st.write("No targets or training plan are set for this selection yet.")
        return
    for projection, sentence in lines:
        words, colour, icon = status_words(projection)
        st.markdown(f":{colour}-badge[{icon} {words}] {md(sentence.text)}")


def late_units(reach: pd.DataFrame) -> list[str]:
    """The units whose own pace does not reach the plan's target by its date, the back office marked."""
    late = reach[~reach["on_time"].astype(bool)]
    return [unit_label(u, f) for u, f in zip(late["unit"], late["function"], strict=True)]


def unit_reach(reach: pd.DataFrame, course: str) -> None:
    """When each unit reaches the end of the training plan at its own pace, the late ones named first."""
    if reach.empty:
        return
    st.markdown(f"**When each unit reaches the training plan** ({md(course)}) at the pace of its last "
                f"{outlook.PACE_MONTHS} months")
    if late := late_units(reach):
        st.markdown(f":orange-badge[:material/schedule: Late] Will not reach it by the plan's date at this pace: "
                    f"{md(', '.join(late))}.")
    else:
        st.markdown(":blue-badge[:material/check_circle: On time] Every unit reaches it by the plan's date at this "
                    "pace.")
    with st.expander(f"Each unit's month, with its 80% interval ({len(reach)} units)"):
        st.dataframe(reach_table(reach), hide_index=True, width="stretch", key="overview_unit_reach")


def _grid(current: Story) -> pd.DataFrame:
    rows = [{"section": narrative.SECTIONS[s.section], "text": s.text, "note": s.stale, "sentence_id": s.sentence.id}
            for s in current.shown]
    rows += [{"section": narrative.SECTIONS[s.section], "text": s.text, "note": NEW_MARK, "sentence_id": s.id}
             for s in current.new]
    return pd.DataFrame(rows, columns=GRID_COLUMNS)


def _rows_from(edited: pd.DataFrame, current: Story) -> list[dict]:
    """The grid's rows, then every drafted sentence the grid no longer holds (deleted now or removed before), kept
    as removed so that it stays out when the figures change. A row keeps the figures it was last saved with (the
    draft's own replace them in rows_to_save while the draft still writes it)."""
    earlier = {s.sentence_id: s for s in (current.edited.sentences if current.edited else []) if s.sentence_id}
    rows = []
    for r in edited.itertuples():
        sentence_id = r.sentence_id if isinstance(r.sentence_id, str) else ""
        rows.append({"sentence_id": sentence_id, "section": LABEL_TO_SECTION.get(r.section, r.section or ""),
                     "text": r.text if isinstance(r.text, str) else "",
                     "figures": earlier[sentence_id].figures if sentence_id in earlier else {}})
    kept = {r["sentence_id"] for r in rows}
    sources = {**earlier, **{s.id: s for s in current.draft}}
    for sentence_id, source in sources.items():
        if sentence_id not in kept:
            rows.append({"sentence_id": sentence_id, "section": source.section, "text": source.text,
                         "removed": True, "figures": source.figures})
    return rows


def editor(store, current: Story) -> None:
    """Change, delete or add sentences, then keep the edited version (who and when); or go back to the draft."""
    key = f"narrative_grid_{current.month}_{current.unit}_{current.function}_{store.data_version()}"
    config = {
        "section": st.column_config.SelectboxColumn("Section", options=list(narrative.SECTIONS.values()),
                                                    default=narrative.SECTIONS["notes"], required=True),
        "text": st.column_config.TextColumn("Sentence", width="large", required=True,
                                            max_chars=narratives.MAX_TEXT),
        "note": st.column_config.TextColumn("Note", disabled=True),
        "sentence_id": None,
    }
    edited = st.data_editor(_grid(current), key=key, num_rows="dynamic", column_config=config, hide_index=True,
                            width="stretch", column_order=["section", "text", "note"])
    with st.container(horizontal=True, vertical_alignment="center"):
        save = st.button("Save the edited narrative", type="primary", key="narrative_save", icon=":material/save:")
        back = st.button("Back to the draft", key="narrative_discard", disabled=current.edited is None,
                         icon=":material/undo:")
    try:
        if save:
            rows = narrative.rows_to_save(current.draft, _rows_from(edited, current))
            narratives.save(store, current.month, rows, SECTION_KEYS, current.unit, current.function)
            flash(f"The narrative of {month_label(current.month)} is saved as you edited it.")
            st.rerun()
        if back:
            narratives.discard(store, current.month, current.unit, current.function)
            flash(f"The narrative of {month_label(current.month)} is the draft again.")
            st.rerun()
    except narratives.NarrativeRefused as refused:
        st.error("Nothing was saved. Fix these and save again:", icon=":material/error:")
        st.table(pd.DataFrame([{"row": p.row, "column": p.column, "reason": md(p.reason)}
                               for p in refused.problems]))
    except StoreError as exc:
        st.error(md(str(exc)), icon=":material/lock:")
