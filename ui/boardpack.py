"""The board pack: the overview as one standalone HTML file (interactive plotly, its script inlined, so it opens with
no server and no network) and a CSV of every figure on it, formula-safe for spreadsheets."""
from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from data.export import formula_safe
from metrics.outlook import PACE_MONTHS
from metrics.xmr import rules_sentence
from ui.cards import card_texts
from ui.executive import OverviewData
from ui.figures import coverage_heatmap, lead_lag_chart, plan_chart, reach_table
from ui.filters import FUNCTION_LABELS

Progress = Callable[[float, str], None]

# Fixed styling of ours; every piece of data in the document is escaped.
_STYLE = """
body { font-family: "Source Sans Pro", "Segoe UI", Arial, sans-serif; margin: 2rem auto; max-width: 1200px;
       color: #1f1f1f; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; } .meta { color: #5f5e5c; margin-top: 0; }
.headline { font-size: 1.25rem; padding: 0.8rem 1rem; background: #eef4fb; border-left: 4px solid #0072B2; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; font-size: 0.95rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } td.num { text-align: right; white-space: nowrap; }
.note { color: #5f5e5c; font-size: 0.9rem; } .stale { color: #8a4b00; font-style: italic; }
li { margin-bottom: 0.35rem; }
"""


@dataclass
class BoardPack:
    html: bytes
    csv_zip: bytes
    file_stem: str


def card_table(data: OverviewData) -> pd.DataFrame:
    """One row per card with every figure it shows, in words and numbers."""
    rows = []
    for group, cards in (("leading", data.leading), ("lagging", data.lagging)):
        for card in cards:
            s, texts = card.summary, card_texts(*card.items)
            rows.append({
                "kind": group, "metric": card.defn.key, "label": card.defn.label, "measure": texts["measure"],
                "month": s.month, "source": "reported" if texts["source"] else "computed",
                "value": s.value, "shown": texts["value"], "previous_month_value": s.previous,
                "change_on_last_month": s.delta, "year_ago_value": s.year_ago, "change_on_year_ago": s.delta_year,
                "target": s.target, "target_by": s.target_by, "target_note": texts["target_note"],
                "variation": s.variation if s.month else "", "assurance": s.assurance or "", "rule_set": data.rules,
                "why_both": texts["why"], "limits_since": s.segment_start or "", "limits_points": s.segment_points,
                "provisional_limits": s.provisional,
            })
    return pd.DataFrame(rows)


def figure_tables(data: OverviewData) -> dict[str, pd.DataFrame]:
    """Every figure on the overview as a table: the file name (without .csv) and its rows."""
    return {
        "cards": card_table(data),
        "coverage_by_unit": data.coverage.reset_index(drop=True),
        "plan_vs_actual": data.plan,
        "units_behind_plan": data.behind,
        "units_reaching_plan": data.unit_reach,
        f"{data.pair.columns[1]}_and_{data.pair.columns[2]}": data.pair,
    }


def overview_figures(data: OverviewData) -> dict[str, go.Figure]:
    from metrics.registry import get

    figures = {}
    if data.heatmap_units:
        figures["coverage"] = coverage_heatmap(data.coverage, data.heatmap_units)
    if data.plan["planned"].notna().any() or data.plan["actual"].notna().any():
        figures["plan"] = plan_chart(data.plan)
    lead, lag = data.pair.columns[1], data.pair.columns[2]
    figures["pair"] = lead_lag_chart(data.pair, get(lead), get(lag))
    return figures


def _standalone(fig: go.Figure) -> go.Figure:
    """Streamlit's chart theme makes room for axis labels; a standalone page must ask plotly for it."""
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    fig.update_layout(template="plotly_white", font={"family": "Source Sans Pro, Segoe UI, Arial, sans-serif"})
    return fig


def _table_html(frame: pd.DataFrame, numeric: set[str] = frozenset()) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = "".join(f'<td class="num">{html.escape(str(v))}</td>' if c in numeric
                        else f"<td>{html.escape(str(v))}</td>" for c, v in zip(frame.columns, row, strict=True))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _cards_html(data: OverviewData) -> str:
    parts = []
    for title, cards in (("Leading indicators", data.leading), ("Lagging metrics against target", data.lagging)):
        rows = []
        for card in cards:
            t = card_texts(*card.items)
            rows.append({
                "Metric": t["metric"], "Measured in": t["measure"], "Month": t["month"],
                "Value": t["value"] + (" (reported)" if t["source"] else ""),
                "On last month": t["vs_last_month"] or "—", "On a year before": t["vs_year_ago"] or "—",
                "Target": f"{t['target']} by {t['target_by']}" + (f" ({t['target_note']})" if t["target_note"]
                                                                 else "") if t["target_by"] else "none set",
                "Variation": t["variation"] or "—", "Assurance": t["assurance"] or "—",
                "Process limits": t["limits"] or "whole history",
                "Reading both": t["why"] or "—",
            })
        parts.append(f"<h2>{html.escape(title)}</h2>"
                     + _table_html(pd.DataFrame(rows), {"Value", "On last month", "On a year before"}))
    return "".join(parts)


def _behind_html(data: OverviewData) -> str:
    if data.behind.empty:
        return "<p>Every unit is at or ahead of its plan.</p>"
    shown = pd.DataFrame({
        "Unit": data.behind["unit"], "Function": data.behind["function"].map(FUNCTION_LABELS),
        "Coverage": data.behind["coverage"].map(lambda v: f"{v:.0%}"),
        "Plan": data.behind["planned"].map(lambda v: f"{v:.0%}"),
        "Behind by": data.behind["gap"].map(lambda v: f"{v * 100:.0f} pp"),
    })
    return _table_html(shown, {"Coverage", "Plan", "Behind by"})


def _narrative_html(sentences, base: str) -> str:
    """The month's narrative (metrics.narrative Shown sentences) as the pack's opening: a list per section, each
    sentence escaped, with the link of the view that shows its figures and, when stale, what changed."""
    from metrics.narrative import SECTIONS

    parts = ["<h2>The month in brief</h2>"]
    for key, label in SECTIONS.items():
        items = [s for s in sentences if s.section == key]
        if not items:
            continue
        rows = []
        for s in items:
            link = (f' <a href="{html.escape(base.rstrip("/") + "/" + s.link)}">View the figures</a>' if s.link
                    else "")
            stale = f' <span class="stale">Stale: {html.escape(s.stale)}.</span>' if getattr(s, "stale", "") else ""
            rows.append(f"<li>{html.escape(s.text)}{link}{stale}</li>")
        parts.append(f"<h3>{html.escape(label)}</h3><ul>{''.join(rows)}</ul>")
    return "".join(parts)


def _outlook_html(data: OverviewData) -> str:
    if not data.outlook:
        return ""
    from ui.narrative import status_words

    rows = "".join(f"<li><strong>{html.escape(status_words(projection)[0])}</strong>: "
                   f"{html.escape(sentence.text)}</li>" for projection, sentence in data.outlook)
    units = ""
    if not data.unit_reach.empty:
        units = (f"<h3>When each unit reaches the training plan ({html.escape(data.all_staff_course)})</h3>"
                 f"<p class='note'>At the pace of each unit's last {PACE_MONTHS} months, with an 80% interval.</p>"
                 + _table_html(reach_table(data.unit_reach)))
    return ("<h2>Outlook against targets</h2><p class='note'>Each target projected to its month with an 80% interval; "
            f"on track when the whole interval meets it, off track when none of it does.</p><ul>{rows}</ul>{units}")


def build_board_pack(data: OverviewData, title: str, meta: str, progress: Progress | None = None,
                     narrative: list | None = None, base: str = "") -> BoardPack:
    """The HTML document and the zip of CSVs; progress(fraction, text) is told each step. With `narrative` (the
    month's sentences as shown, metrics.narrative.Shown) the pack opens with it, links rooted at `base`."""
    report = progress or (lambda fraction, text: None)
    report(0.05, "Drawing the charts")
    figures = overview_figures(data)
    f = data.filters
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">{html.escape(f.scope_label)} · {html.escape(f.period_label)} · {html.escape(meta)}</p>',
        f'<p class="headline">{html.escape(data.headline)}</p>',
        '<p class="note">Lead-lag: Pearson r of the month-on-month changes; a shared movement is not proof that one '
        "causes the other.</p>",
        '<p class="note">Process behaviour (the cards\' variation and assurance): '
        f"{html.escape(rules_sentence(data.rules))}</p>",
    ]
    if narrative:
        sections.insert(2, _narrative_html(narrative, base))
    report(0.2, "Writing the cards")
    sections.append(_cards_html(data))
    sections.append(_outlook_html(data))
    captions = {
        "coverage": f"Coverage of {html.escape(data.course_title)} by unit and month; "
                    "back-office units are marked.",
        "plan": "Plan S-curve against actual coverage.",
        "pair": "Ideas put into practice and net promoter score, month by month.",
    }
    headings = {"coverage": "Which units lag", "plan": "Plan against actual coverage", "pair": "Leading and lagging"}
    first = True
    for i, (name, fig) in enumerate(figures.items()):
        report(0.25 + 0.55 * i / max(len(figures), 1), f"Embedding the {headings[name].lower()} chart")
        sections.append(f"<h2>{html.escape(headings[name])}</h2><p class='note'>{captions[name]}</p>")
        # The first chart carries plotly's script inline; the others use it. No CDN: the file opens offline.
        sections.append(pio.to_html(_standalone(fig), include_plotlyjs=True if first else False, full_html=False,
                                    config={"displaylogo": False}))
        first = False
        if name == "plan":
            sections.append("<h3>Units furthest behind plan</h3>" + _behind_html(data))
    document = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
                f"<style>{_STYLE}</style></head><body>{''.join(sections)}</body></html>")
    report(0.85, "Writing the CSV files")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in figure_tables(data).items():
            archive.writestr(f"{name}.csv", formula_safe(frame).to_csv(index=False))
    report(1.0, "Ready")
    stem = f"board-pack-{f.end or 'empty'}"
    return BoardPack(document.encode("utf-8"), buffer.getvalue(), stem)
