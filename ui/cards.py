"""The KPI card: latest value, change on last month and on the same month last year, a small trend, the
process-behaviour verdicts (NHS "Making Data Count" style: icon and words, never colour alone) and the target."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from metrics import verdicts
from metrics.registry import BUILTIN_KEYS, format_delta, format_value
from metrics.summary import CardSummary
from ui.figures import SPARK_CONFIG, sparkline
from ui.filters import md, month_label

__all__ = ["VARIATION_BADGES", "ASSURANCE_BADGES", "behind_card", "kpi_card", "month_label", "card_row", "card_texts"]

# (words, icon, colour, explanation) per verdict. Blue is better, orange worse, grey neither, as in Making Data Count;
# the words and the icon say the same for anyone who does not see the colour.
VARIATION_BADGES = {
    verdicts.IMPROVING: ("Improving", "{better}", "blue",
                         "The latest month is part of a signal on the better side, by the organisation's rule set "
                         "(see How to read these charts), within the process since its last change."),
    verdicts.DETERIORATING: ("Deteriorating", "{worse}", "orange",
                             "The latest month is part of a signal on the worse side, by the organisation's rule set "
                             "(see How to read these charts), within the process since its last change."),
    verdicts.NO_SIGNAL: ("No signal", ":material/trending_flat:", "gray",
                         "The latest month is within the natural variation of the process since its last change: no "
                         "rule of the organisation's rule set is broken."),
}
ASSURANCE_BADGES = {
    verdicts.MET: ("Meets target", ":material/check_circle:", "blue",
                   "The target lies beyond the natural process limits on the worse side: as the process runs now, "
                   "every month should meet it."),
    verdicts.MISSED: ("Misses target", ":material/cancel:", "orange",
                      "The target lies beyond the natural process limits on the better side: as the process runs "
                      "now, no month will reach it without a change."),
    verdicts.HIT_AND_MISS: ("Hit and miss", ":material/swap_vert:", "gray",
                            "The target lies within the natural process limits: some months will meet it and some "
                            "will not, by chance alone."),
}
# Each verdict is right on its own terms (the process limits), yet it can read as the opposite of a figure on the same
# card: NPS +25.0 against a target of +25.0 with "Target missed consistently", a fall on the year with "Improving". The
# card then says in words why both hold. Keyed by the verdict and what the figures say.
RECONCILIATIONS = {
    (verdicts.MISSED, "met"): "Met this month, but not yet reliably.",
    (verdicts.MET, "missed"): "Missed this month, though usually met.",
    (verdicts.IMPROVING, "worse"): "Improving on its usual range, yet worse than {than}.",
    (verdicts.DETERIORATING, "better"): "Deteriorating on its usual range, yet better than {than}.",
}
_UP, _DOWN = ":material/trending_up:", ":material/trending_down:"
NO_FIGURE = "—"
# Which coverage a card shows. Counts are the long-standing definition, said in the card's help; people (a roster and
# completions by person), or a mix of both across units, are said on the card itself.
BASIS_PEOPLE = "People trained: the staff roster and completions by person"
BASIS_COUNTS = "Completions counted against headcount"
REPORTED = "reported figure (readings): no responses this month"


def _known(value: float) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _short_month(month: str) -> str:
    return pd.Period(month, "M").strftime("%b %Y")


def _is_better(defn, change: float) -> bool:
    return change > 0 if defn.direction == "up" else change < 0


def reconciliation(defn, summary: CardSummary) -> str:
    """The words that keep a card's badges and its figures from reading as opposites ('' when they agree)."""
    notes = []
    if summary.assurance in (verdicts.MET, verdicts.MISSED) and _known(summary.target):
        # Meeting a target includes reaching it exactly: +25.0 against +25.0 is met.
        met = summary.value == summary.target or _is_better(defn, summary.value - summary.target)
        notes.append(RECONCILIATIONS.get((summary.assurance, "met" if met else "missed"), ""))
    if summary.variation in (verdicts.IMPROVING, verdicts.DETERIORATING):
        looked_for = summary.variation == verdicts.IMPROVING  # an improving card is contradicted by a worse figure
        # Only a change the card shows: one that rounds to nothing reads as steady, which contradicts nothing.
        against = [name for name, change in (("last month", summary.delta), ("a year before", summary.delta_year))
                   if _known(change) and not _steady(format_delta(defn, change))
                   and _is_better(defn, change) != looked_for]
        if against:
            wording = RECONCILIATIONS[(summary.variation, "worse" if looked_for else "better")]
            notes.append(wording.format(than=" and ".join(against)))
    return " ".join(note for note in notes if note)


def limits_note(summary: CardSummary) -> str:
    """Which process the verdicts judge: since a process change, and whether its limits are provisional."""
    since = f"Limits since {_short_month(summary.segment_start)}" if summary.segment_start else ""
    if summary.provisional:
        points = f"{summary.segment_points} month{'s' if summary.segment_points != 1 else ''}"
        return f"{since or 'Limits'}, provisional ({points})"
    return since


def card_texts(defn, summary: CardSummary, target_note: str = "", notice: str = "",
               reported: bool = False, basis: str = "") -> dict[str, str]:
    """Every text a card shows, as plain strings: the page, the board pack and the tests read the same words. A notice
    (coverage of a course nobody has completed) replaces the figure, which would read as a real 0%."""
    has_month = summary.month is not None and not notice
    prev_month = (pd.Period(summary.month, "M") - 1).strftime("%Y-%m") if has_month else None
    year_month = (pd.Period(summary.month, "M") - 12).strftime("%Y-%m") if has_month else None
    texts = {
        "metric": defn.label,
        "measure": defn.measure_text,
        "month": month_label(summary.month),
        "value": NO_FIGURE if notice else format_value(defn, summary.value),
        "notice": notice,
        # Never mixed silently: a reported stand-in for a computed built-in says where it came from.
        "source": REPORTED if reported else "",
        "basis": basis if has_month else "",  # how the figure is counted (coverage: people or completions)
        "vs_last_month": format_delta(defn, summary.delta) if has_month and _known(summary.previous) else "",
        "last_month": _short_month(prev_month) if prev_month else "",
        "vs_year_ago": format_delta(defn, summary.delta_year) if has_month and _known(summary.year_ago) else "",
        "year_ago_month": _short_month(year_month) if year_month else "",
        "target": format_value(defn, summary.target) if summary.target_by else "",
        "target_by": month_label(summary.target_by) if summary.target_by else "",
        "target_note": target_note if summary.target_by else "",
        "variation": VARIATION_BADGES[summary.variation][0] if has_month else "",
        "assurance": ASSURANCE_BADGES[summary.assurance][0] if has_month and summary.assurance else "",
        "why": reconciliation(defn, summary) if has_month else "",
        "limits": limits_note(summary) if has_month else "",
    }
    return texts


def measure_line(defn) -> str:
    """A built-in's format says what it counts (%, ratio); a reported figure needs its measure beside it."""
    return "" if defn.key in BUILTIN_KEYS else f"In {defn.measure_text}"


def _steady(delta_text: str) -> bool:
    """A change that rounds to nothing is no news: shown without colour or arrow."""
    return not any(ch in "123456789" for ch in delta_text)


def _year_line(defn, texts: dict[str, str], summary: CardSummary) -> str:
    if not texts["vs_year_ago"]:
        return "No figure a year earlier"
    change = texts["vs_year_ago"]
    if _steady(change):
        judgement = "no change"
    else:
        better = (summary.delta_year > 0) == (defn.direction == "up")
        judgement = "better" if better else "worse"
    return f"{change} on {texts['year_ago_month']} ({judgement})"


def kpi_card(defn, summary: CardSummary, key_prefix: str = "card", target_note: str = "",
             as_at: str | None = None, notice: str = "", reported: bool = False, basis: str = "") -> None:
    """One card; as_at is the month the page reads as 'now': a metric whose latest figure is older says so."""
    texts = card_texts(defn, summary, target_note, notice, reported, basis)
    with st.container(border=True, gap="xxsmall", key=f"kpi_{key_prefix}_{defn.key}"):
        delta = texts["vs_last_month"] or None
        steady = delta is not None and _steady(delta)
        st.metric(
            defn.card_label,
            texts["value"],
            delta=delta,
            delta_description=f"on {texts['last_month'][:3]}" if delta else None,
            # Better is up for most metrics, down for churn: Streamlit then colours the change accordingly,
            # and the arrow and sign carry the same meaning for readers who do not see colour.
            delta_color="off" if steady else ("normal" if defn.direction == "up" else "inverse"),
            delta_arrow="off" if steady else "auto",
            help=f"**{md(defn.label)}** ({md(defn.measure_text)}): {md(defn.description)} The change is against the "
                 "month before." + (f" {md(texts['basis'])}." if texts["basis"] else ""),
        )
        if notice:
            st.caption(md(notice))
            return
        if summary.month is None:
            st.caption("No data yet")
            return
        # Where the limits start is in the badge's explanation; the card itself only warns when they are provisional.
        provisional = texts["limits"] if summary.provisional else ""
        shown_basis = "" if texts["basis"] == BASIS_COUNTS else texts["basis"]
        lines = [measure_line(defn), _year_line(defn, texts, summary), texts["source"].capitalize(), shown_basis,
                 provisional]
        st.caption("  \n".join(md(line) for line in lines if line))
        # Plotly rather than st.metric's own chart: that one is an unlabelled SVG, which screen readers cannot name.
        if len(summary.trend) > 1:
            st.plotly_chart(sparkline(summary.trend, bars=defn.unit == "count"), config=SPARK_CONFIG,
                            width="stretch", key=f"{key_prefix}_trend_{defn.key}")
        with st.container(horizontal=True, gap="xxsmall"):
            words, icon, colour, why = VARIATION_BADGES[summary.variation]
            better, worse = (_UP, _DOWN) if defn.direction == "up" else (_DOWN, _UP)
            since = f" {texts['limits']}." if texts["limits"] else ""
            st.badge(words, icon=icon.format(better=better, worse=worse), color=colour, help=why + since)
            if summary.assurance:
                words, icon, colour, why = ASSURANCE_BADGES[summary.assurance]
                st.badge(words, icon=icon, color=colour, help=why)
        stale = f"{texts['month']} figure · " if as_at and summary.month != as_at else ""
        if texts["target_by"]:
            note = f" ({texts['target_note']})" if texts["target_note"] else ""
            target = f"{stale}Target {texts['target']} by {texts['target_by']}{md(note)}"
        else:
            target = f"{stale}No target set"
        # One caption with the target, so that the reconciling words cost the card a line, not a block's spacing.
        st.caption("  \n".join(filter(None, (texts["why"], target))))


def card_row(items: list[tuple], per_row: int, key_prefix: str, as_at: str | None = None) -> list:
    """Cards side by side, `per_row` to a row (a last, shorter row keeps the same card width); returns the columns
    left free in the last row. items: (defn, summary, target_note, notice, reported, basis)."""
    free = []
    for start in range(0, len(items), per_row):
        chunk = items[start:start + per_row]
        columns = st.columns(per_row)
        for column, (defn, summary, note, notice, reported, basis) in zip(columns, chunk, strict=False):
            with column:
                kpi_card(defn, summary, key_prefix, note, as_at, notice, reported, basis)
        free = columns[len(chunk):]
    return free


def behind_card(behind: pd.DataFrame, month: str | None, rows: int = 3, notice: str = "",
                course_title: str = "the all-staff course") -> None:
    """A card-sized list of the units furthest behind plan (in `course_title`), for a free slot beside the cards."""
    from ui.figures import unit_label

    with st.container(border=True, gap="xxsmall"):
        st.markdown("**Furthest behind plan**", help=f"Units whose coverage of {md(course_title)} is furthest below "
                    f"their plan in {month_label(month)}, in percentage points (pp).")
        if notice:
            st.caption(md(notice))
            return
        if behind.empty:
            st.caption("Every unit is at or ahead of its plan, or no plan is set.")
            return
        for row in behind.head(rows).itertuples():
            st.caption(f"**{md(unit_label(row.unit, row.function))}**  \n"
                       f"**{row.gap * 100:.0f} pp** behind ({row.coverage:.0%} vs {row.planned:.0%})")
