"""The board's monthly narrative: plain sentences drafted from the figures, each carrying the figures it states and
the link of the view that shows them.

What a sentence may say is data: TEMPLATES is a small table of (section, condition, wording, view), and a sentence is
only written when the figures meet its condition. The wording rules are checked when this module loads: no template
says "because" or claims a cause, and movement words ("improving", "better side") appear only in templates whose
condition is a process-behaviour signal. The verdicts come from the same functions as the cards (metrics.summary), the
lead-lag claims from metrics.leadlag through metrics.outlook.evidence, the projections from metrics.outlook.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd

from metrics import calc, changes, coverage, months, outlook, verdicts
from metrics.registry import MetricDef, all_metrics, format_delta, format_value, get
from metrics.summary import card_summary
from metrics.text import md
from metrics.xmr import xmr

SECTIONS = {"headline": "Headline", "signals": "Leading indicators", "coverage": "Training coverage",
            "initiatives": "Initiatives", "targets": "Targets", "notes": "Notes"}
DRAFTED = ("headline", "signals", "coverage", "initiatives", "targets")  # "notes" holds what people add
# The page each view is on (its URL path) and the parameters that page reads.
VIEWS = {"overview": "", "lead_lag": "lead_lag", "process": "process"}
MAX_BEHIND = 3  # units named as furthest behind the plan: the board reads three, the Overview lists the rest
MAX_LATE_NAMED = 5  # units named as missing the plan's date before "and n more"
MIN_BEFORE_MONTHS = 6  # months of figures before an initiative's start, to have limits to judge a move against
SCOPE_PHRASES = {"frontline": "the front line", "internal": "the back office", "leadership": "leadership"}
BACK_OFFICE = "internal"
SIDE_WORDS = {verdicts.IMPROVING: "better", verdicts.DETERIORATING: "worse"}
PACE_PHRASE = f"the pace of the last {outlook.PACE_MONTHS} months"

# section, condition (which figures the sentence is written for), wording (str.format with named figures), view.
_TEMPLATE_ROWS = (
    ("headline", "moved_signal", "{metric} was {value} in {month}, {change} on {previous_month}: a process-behaviour "
                                 "signal on the {side} side of its usual variation.", "process"),
    ("headline", "moved_no_signal", "{metric} was {value} in {month}, {change} on {previous_month}, within its usual "
                                    "variation (no process-behaviour signal).", "process"),
    ("headline", "first_figure", "{metric} was {value} in {month}, its first figure.", "process"),
    ("headline", "evidence", "{evidence}: the leading indicator moved first, which is association in time, not "
                             "proof that it drives the result.", "lead_lag"),
    ("headline", "opposite", "{evidence}", "lead_lag"),
    ("headline", "no_figures", "No lagging metric has a figure for {scope} in {month}, so there is no result to "
                               "report yet.", "overview"),
    ("headline", "no_evidence", "The evidence is not there yet that the lagging metrics follow the leading "
                                "indicators: no lead-lag correlation clears the significance bar.", "lead_lag"),
    ("signals", "signal", "{metric} was {value} in {month}: a process-behaviour signal on the {side} side of its "
                          "usual variation.", "process"),
    ("signals", "assurance_changed", "{metric} against its target of {target} by {target_by}: {assurance} as the "
                                     "process runs now, where it was {previous_assurance} in {previous_month}.",
     "process"),
    ("signals", "none", "No leading indicator fired a process-behaviour signal or changed its assurance in "
                        "{month}.", "overview"),
    ("coverage", "behind_back_office", "{unit}, in the back office, is {gap} behind the training plan: {coverage} of "
                                       "its people have completed {course}, against {planned} planned.", "overview"),
    ("coverage", "behind", "{unit} is {gap} behind the training plan: {coverage} of its people have completed "
                           "{course}, against {planned} planned.", "overview"),
    ("coverage", "none_behind", "Every unit is at or ahead of its training plan in {month}.", "overview"),
    ("coverage", "reached", "{scope} has reached the plan's {target} coverage ({coverage} in {month}).", "overview"),
    ("coverage", "reach_on_time", "At {pace}, {scope} reaches the plan's {target} coverage in {reach} (80% interval "
                                  "{interval}), by the plan's date of {by}.", "overview"),
    ("coverage", "reach_late", "At {pace}, {scope} reaches the plan's {target} coverage in {reach} (80% interval "
                               "{interval}), after the plan's date of {by}.", "overview"),
    ("coverage", "reach_never", "At {pace}, {scope} does not reach the plan's {target} coverage within five years "
                                "({coverage} in {month}; the plan's date is {by}).", "overview"),
    ("coverage", "late_units", "At their own pace, these units will not reach the plan's coverage by {by}: "
                               "{units}.", "overview"),
    ("initiatives", "moved", "{name} ({owner}) {event} in {month}. It was meant to move {metric}, which has moved to "
                             "the {side} side of the limits of the months before it started in {start}: {before} "
                             "then, {now} in {month} (process-behaviour rules).", "process"),
    ("initiatives", "not_moved", "{name} ({owner}) {event} in {month}. It was meant to move {metric}, which shows no "
                                 "process-behaviour signal against the months before it started in {start}: "
                                 "{before} then, {now} in {month}.", "process"),
    ("initiatives", "too_early", "{name} ({owner}) {event} in {month}. It is meant to move {metric}, expected within "
                                 "{lag} months of its start in {start}, so not before {due}.", "process"),
    ("initiatives", "no_baseline", "{name} ({owner}) {event} in {month}. It is meant to move {metric}; there are too "
                                   "few months of figures before its start in {start} to judge a move.", "process"),
    ("initiatives", "no_metric", "{name} ({owner}) {event} in {month}.", "overview"),
    ("initiatives", "none", "No initiative started or ended in {month}.", "overview"),
    ("targets", "projected", "{metric}: {status} for its target of {target} by {by}, projected {projected} (80% "
                             "interval {low} to {high}) from {basis}.", "process"),
    ("targets", "met", "{metric}: the target of {target} by {by} was met ({value} in {by}).", "process"),
    ("targets", "missed", "{metric}: the target of {target} by {by} was missed ({value} in {by}).", "process"),
    ("targets", "no_projection", "{metric}: no projection for its target of {target} by {by}, as {reason}.",
     "lead_lag"),
)
# Words that claim a cause: a correlation in time never earns them.
CAUSAL = re.compile(r"\b(because|caus\w*|due to|thanks to|led to|leads to|drove|drives the result|result of|"
                    r"owing to)\b", re.IGNORECASE)
# Words that claim a movement: only a process-behaviour signal earns them.
MOVEMENT = re.compile(r"\b(improv\w*|deteriorat\w*|better side|worse side|\{side\} side|moved to)\b", re.IGNORECASE)
SIGNAL_CONDITIONS = frozenset({("headline", "moved_signal"), ("signals", "signal"), ("initiatives", "moved")})
# "not proof that it drives the result" names the claim in order to deny it.
_DENIALS = ("not proof that it drives the result",)


@dataclass(frozen=True)
class Template:
    section: str
    condition: str
    text: str
    view: str

    @property
    def fields(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.text)


def wording_problems(rows) -> list[str]:
    """Every breach of the wording rules in a table of templates: unknown section or view, a repeated condition, a
    causal word, a movement word outside a signal's template."""
    problems, seen = [], set()
    for section, condition, text, view in rows:
        name = f"{section}/{condition}"
        if section not in DRAFTED:
            problems.append(f"{name}: unknown section")
        if view not in VIEWS:
            problems.append(f"{name}: unknown view {view!r}")
        if (section, condition) in seen:
            problems.append(f"{name}: written twice")
        seen.add((section, condition))
        plain = text
        for denial in _DENIALS:
            plain = plain.replace(denial, "")
        if CAUSAL.search(plain):
            problems.append(f"{name}: claims a cause ({CAUSAL.search(plain).group(0)!r})")
        if MOVEMENT.search(text) and (section, condition) not in SIGNAL_CONDITIONS:
            problems.append(f"{name}: claims a movement without a signal ({MOVEMENT.search(text).group(0)!r})")
    return problems


def _templates(rows) -> dict[tuple[str, str], Template]:
    if problems := wording_problems(rows):
        raise ValueError("Narrative templates break the wording rules:\n" + "\n".join(problems))
    return {(row[0], row[1]): Template(*row) for row in rows}


TEMPLATES = _templates(_TEMPLATE_ROWS)


@dataclass(frozen=True)
class Sentence:
    """One sentence of the narrative: what it says, the figures it states (as shown), the view that shows them."""

    id: str  # section:subject, the same from month to month for the same subject (staleness compares by it)
    section: str
    text: str
    figures: dict[str, str] = field(default_factory=dict)
    link: str = ""  # the view's path and query, e.g. 'process?from=2024-01&to=2025-12&metric=nps'
    condition: str = ""


@dataclass
class Context:
    """What every section reads: the month, the scope, the figures up to the month."""

    store: object
    month: str
    unit: str | None
    function: str | None
    first: str
    monthly: pd.DataFrame
    targets: pd.DataFrame
    previous: pd.DataFrame  # monthly up to the month before

    @property
    def scope(self) -> dict:
        return {"unit": self.unit, "function": self.function}

    @property
    def scope_phrase(self) -> str:
        if self.unit:
            return self.unit
        return SCOPE_PHRASES[self.function] if self.function else "the whole organisation"

    def link(self, view: str, **params) -> str:
        query = {"from": self.first, "to": self.month, "function": self.function, "unit": self.unit, **params}
        return f"{VIEWS[view]}?{urlencode({k: v for k, v in query.items() if v not in (None, '')})}"


def _write(ctx: Context, section: str, condition: str, subject: str, figures: dict[str, str],
           **view_params) -> Sentence:
    template = TEMPLATES[(section, condition)]
    figures = {"month": months.label(ctx.month), **figures}
    text = template.text.format(**figures)
    text = text[0].upper() + text[1:]
    used = {name: figures[name] for name in template.fields}
    return Sentence(f"{section}:{subject}", section, text, used, ctx.link(template.view, **view_params), condition)


def _in_sentence(label: str) -> str:
    # "Ideas put into practice" reads "ideas put into practice" mid-sentence; "NPS" keeps its capitals.
    return label[0].lower() + label[1:] if len(label) > 1 and label[0].isupper() and not label[1].isupper() else label


# -- headline ---------------------------------------------------------------------------------------------------------
def _summary(ctx: Context, defn: MetricDef, previous: bool = False):
    # As the metric's card reads it: the organisation's rule set, the latest segment since its process changes.
    return card_summary(ctx.previous if previous else ctx.monthly, ctx.targets, defn.key, defn,
                        rules=calc.rule_set(ctx.store), changes=changes.change_months(ctx.store, defn.key, **ctx.scope))


def _movement(ctx: Context, defn: MetricDef) -> Sentence | None:
    summary = _summary(ctx, defn)
    if summary.month != ctx.month:
        return None  # no figure this month: nothing moved that the board could read
    figures = {"metric": defn.label, "value": format_value(defn, summary.value)}
    if math.isnan(summary.previous):
        return _write(ctx, "headline", "first_figure", defn.key, figures, metric=defn.key)
    figures |= {"change": format_delta(defn, summary.delta), "previous_month": months.label(months.shift(ctx.month,
                                                                                                       -1))}
    if summary.variation in SIDE_WORDS:
        figures["side"] = SIDE_WORDS[summary.variation]
        return _write(ctx, "headline", "moved_signal", defn.key, figures, metric=defn.key)
    return _write(ctx, "headline", "moved_no_signal", defn.key, figures, metric=defn.key)


def _headline(ctx: Context) -> list[Sentence]:
    sentences, claims = [], []
    for defn in (d for d in all_metrics(ctx.store) if d.kind == "lagging"):
        if (moved := _movement(ctx, defn)) is None:
            continue
        sentences.append(moved)
        found = outlook.evidence(ctx.store, defn.key, through=ctx.month, **ctx.scope)
        against = None if found else outlook.counter_evidence(ctx.store, defn.key, through=ctx.month, **ctx.scope)
        if claim := found or against:
            claims.append(_write(ctx, "headline", "opposite" if claim.opposite else "evidence",
                                 f"evidence:{defn.key}", {"evidence": claim.sentence}, lead=claim.lead.key,
                                 lag=defn.key, shift=claim.k))
    if not sentences:  # the headline is the board's first line: say that there is no result, not nothing
        return [_write(ctx, "headline", "no_figures", "no_figures", {"scope": ctx.scope_phrase})]
    if not claims:  # an unwanted-way claim says itself that it is no evidence for the programme
        claims.append(_write(ctx, "headline", "no_evidence", "evidence", {}))
    return sentences + claims


# -- leading indicators ------------------------------------------------------------------------------------------------
def _signals(ctx: Context) -> list[Sentence]:
    sentences = []
    for defn in (d for d in all_metrics(ctx.store) if d.kind == "leading"):
        now = _summary(ctx, defn)
        if now.month != ctx.month:
            continue
        if now.variation in SIDE_WORDS:
            sentences.append(_write(ctx, "signals", "signal", defn.key, {
                "metric": defn.label, "value": format_value(defn, now.value), "side": SIDE_WORDS[now.variation]},
                metric=defn.key))
        before = _summary(ctx, defn, previous=True)
        if now.assurance and before.assurance and now.assurance != before.assurance:
            sentences.append(_write(ctx, "signals", "assurance_changed", f"assurance:{defn.key}", {
                "metric": defn.label, "target": format_value(defn, now.target),
                "target_by": months.label(now.target_by), "assurance": now.assurance,
                "previous_assurance": before.assurance, "previous_month": months.label(before.month)},
                metric=defn.key))
    return sentences or [_write(ctx, "signals", "none", "none", {})]


# -- training coverage -------------------------------------------------------------------------------------------------
def _pp(gap: float) -> str:
    return f"{gap * 100:.0f} percentage points"


def _percent(share: float) -> str:
    return f"{share:.0%}"


def _behind(ctx: Context, course: str) -> list[Sentence]:
    behind = coverage.units_behind_plan(ctx.store, ctx.month, course, MAX_BEHIND, **ctx.scope)
    if behind.empty:
        return [_write(ctx, "coverage", "none_behind", "behind", {})]
    return [_write(ctx, "coverage", "behind_back_office" if row.function == BACK_OFFICE else "behind",
                   f"behind:{row.unit}", {"unit": row.unit, "gap": _pp(row.gap), "coverage": _percent(row.coverage),
                                          "planned": _percent(row.planned), "course": course})
            for row in behind.itertuples()]


def _reach(ctx: Context) -> Sentence | None:
    plan = outlook.plan_target(ctx.store, **ctx.scope)
    if plan is None:
        return None
    by, target = plan
    series = calc.series(ctx.store, outlook.COVERAGE_KEY, **ctx.scope)
    series = series[series.index <= ctx.month].dropna()
    if series.empty:
        return None
    figures = {"scope": ctx.scope_phrase, "target": _percent(target), "by": months.label(by),
               "coverage": _percent(series.iloc[-1]), "pace": PACE_PHRASE}
    if series.iloc[-1] >= target:
        return _write(ctx, "coverage", "reached", "reach", figures)
    line = outlook.linear_pace(series, 0.0, 1.0)
    when = outlook.reach(line, target) if line else outlook.Reach(None, None, None)
    if when.month is None:
        return _write(ctx, "coverage", "reach_never", "reach", figures)
    earliest, latest = months.label(when.earliest), months.label(when.latest) if when.latest else "beyond five years"
    figures |= {"reach": months.label(when.month), "interval": earliest if earliest == latest else
                f"{earliest} to {latest}"}
    return _write(ctx, "coverage", "reach_on_time" if when.month <= by else "reach_late", "reach", figures)


def _unit_name(unit: str, function: str) -> str:
    return f"{unit} (back office)" if function == BACK_OFFICE else unit


def _late(ctx: Context) -> Sentence | None:
    units = outlook.coverage_outlook(ctx.store, through=ctx.month, **ctx.scope)
    late = units[~units["on_time"].astype(bool)]
    if late.empty or ctx.unit:
        return None
    names = [_unit_name(u, f) for u, f in zip(late["unit"], late["function"], strict=True)]
    shown = ", ".join(names[:MAX_LATE_NAMED]) + (f" and {len(names) - MAX_LATE_NAMED} more"
                                                 if len(names) > MAX_LATE_NAMED else "")
    return _write(ctx, "coverage", "late_units", "late", {"units": shown, "by": months.label(late["by"].iloc[0])})


def _coverage(ctx: Context) -> list[Sentence]:
    course = calc.default_course(ctx.store)
    if not course or outlook.plan_target(ctx.store, **ctx.scope) is None:
        return []  # no plan: nothing to be behind
    return [s for s in (*_behind(ctx, course), _reach(ctx), _late(ctx)) if s is not None]


# -- initiatives ------------------------------------------------------------------------------------------------------
def _month_of(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m")


def _initiatives_in_scope(ctx: Context) -> pd.DataFrame:
    table = ctx.store.table("initiatives")
    org_wide = table["unit"].isna() | (table["unit"] == "")
    if ctx.unit:
        table = table[org_wide | (table["unit"] == ctx.unit)]
    elif ctx.function:
        units = ctx.store.table("units")
        table = table[org_wide | table["unit"].isin(units.loc[units["function"] == ctx.function, "unit"])]
    return table


def _event(start: str | None, end: str | None, month: str) -> str | None:
    started, ended = start == month, end == month
    return {(True, True): "started and ended", (True, False): "started", (False, True): "ended"}.get((started, ended))


def _initiative(ctx: Context, item) -> Sentence | None:
    start, end = _month_of(item.start), _month_of(item.end)
    if (event := _event(start, end, ctx.month)) is None:
        return None
    figures = {"name": item.name, "owner": item.owner or "no owner named", "event": event}
    if not item.metric or pd.isna(item.metric):
        return _write(ctx, "initiatives", "no_metric", item.name, figures)
    defn = get(item.metric, ctx.store)
    figures |= {"metric": _in_sentence(defn.label), "start": months.label(start)}
    lag = 0 if pd.isna(item.expected_lag_months) else int(item.expected_lag_months)
    due = months.shift(start, lag)
    params = {"metric": defn.key}
    if ctx.month < due:
        return _write(ctx, "initiatives", "too_early", item.name, figures | {"lag": str(lag),
                                                                              "due": months.label(due)}, **params)
    values = calc.series(ctx.store, defn.key, **ctx.scope)
    values = values[values.index <= ctx.month].dropna()
    before = values[values.index < start]
    if len(before) < MIN_BEFORE_MONTHS or values.index[-1] < start:
        return _write(ctx, "initiatives", "no_baseline", item.name, figures, **params)
    # Limits locked to the months before the start: does the process since then stand out from the one before?
    chart = xmr(values, floor=defn.floor, ceiling=defn.ceiling, baseline=(before.index[0], before.index[-1]),
                rules=calc.rule_set(ctx.store))
    latest = chart.iloc[-1]
    figures |= {"before": format_value(defn, before.iloc[-1]), "now": format_value(defn, latest["value"])}
    if latest["signal"]:
        better = (latest["value"] - latest["centre"]) * (1 if defn.direction == "up" else -1) > 0
        return _write(ctx, "initiatives", "moved", item.name, figures | {"side": "better" if better else "worse"},
                      **params)
    return _write(ctx, "initiatives", "not_moved", item.name, figures, **params)


def _initiatives(ctx: Context) -> list[Sentence]:
    items = _initiatives_in_scope(ctx).sort_values(["start", "name"], kind="stable")
    sentences = [s for s in (_initiative(ctx, item) for item in items.itertuples()) if s is not None]
    return sentences or [_write(ctx, "initiatives", "none", "none", {})]


# -- targets -----------------------------------------------------------------------------------------------------------
def _basis(projection: outlook.Projection) -> str:
    if projection.method == outlook.LEAD_LAG:
        found = projection.evidence
        return (f"the recent changes of {_in_sentence(found.lead.label)}, which it has followed by about {found.k} "
                f"month{'s' if found.k != 1 else ''}")
    return PACE_PHRASE


PLAN_LABEL = "{label} (the training plan's end)"


def _target(ctx: Context, projection: outlook.Projection) -> Sentence:
    defn = get(projection.metric, ctx.store)
    label = PLAN_LABEL.format(label=defn.label) if projection.source == outlook.PLAN_SOURCE else defn.label
    figures = {"metric": label, "target": format_value(defn, projection.target), "by": months.label(projection.by)}
    subject, params = f"{projection.metric}:{projection.by}", {"metric": defn.key}
    if projection.method == outlook.OBSERVED:
        condition = "met" if projection.status == outlook.ON_TRACK else "missed"
        return _write(ctx, "targets", condition, subject, figures | {"value": format_value(defn, projection.projected)},
                      **params)
    if not projection.status:
        against = projection.evidence  # a relationship the unwanted way: its link shows the pair
        pair = {"lead": against.lead.key, "lag": defn.key, "shift": against.k} if against else {}
        return _write(ctx, "targets", "no_projection", subject, figures | {"reason": projection.reason}, **pair)
    figures |= {"status": projection.status, "basis": _basis(projection),
                **{name: format_value(defn, getattr(projection, name)) for name in ("projected", "low", "high")}}
    return _write(ctx, "targets", "projected", subject, figures, **params)


def _targets(ctx: Context) -> list[Sentence]:
    # The plan's end is the coverage section's to tell (the month it is reached and the units that will miss it).
    rows = outlook.outlook(ctx.store, through=ctx.month, **ctx.scope)
    return [_target(ctx, p) for p in rows if p.source == outlook.TARGET_SOURCE]


def target_lines(store, month: str, unit: str | None = None,
                 function: str | None = None) -> list[tuple[outlook.Projection, Sentence]]:
    """One line per target of the scope, the training plan's end included, as of `month`: the Overview's outlook.
    Each projection with its sentence (the narrative's wording). Cached by data version."""
    unit, function = unit or None, function or None

    def compute() -> list[tuple[outlook.Projection, Sentence]]:
        ctx = _context(store, month, unit, function)
        return [(p, _target(ctx, p)) for p in outlook.outlook(store, through=month, unit=unit, function=function)]

    return calc._cached(store, ("target_lines", month, unit, function), compute)


BUILDERS: dict[str, Callable[[Context], list[Sentence]]] = {
    "headline": _headline, "signals": _signals, "coverage": _coverage, "initiatives": _initiatives,
    "targets": _targets}


def _context(store, month: str, unit: str | None, function: str | None) -> Context:
    frame = calc.monthly(store, unit=unit, function=function)
    spine = sorted(frame["month"].unique())
    if month not in spine:
        raise calc.FilterError(f"No figures for {month}: the months with data run from {spine[0]} to {spine[-1]}."
                               if spine else "No figures yet: import the programme's workbook first.")
    targets, _inherited = outlook.scope_targets(store, unit, function)
    previous = frame[frame["month"] < month]
    return Context(store, month, unit, function, spine[0], frame[frame["month"] <= month], targets, previous)


def draft(store, month: str, unit: str | None = None, function: str | None = None) -> list[Sentence]:
    """The month's draft narrative for the organisation, a unit or a function, section by section (SECTIONS order).
    Raises calc.FilterError for a month without figures. Cached by data version."""
    unit, function = unit or None, function or None
    calc._check_scope(unit, function)

    def compute() -> list[Sentence]:
        ctx = _context(store, month, unit, function)
        return [sentence for section in DRAFTED for sentence in BUILDERS[section](ctx)]

    return calc._cached(store, ("narrative", month, unit, function), compute)


# -- the edited narrative ------------------------------------------------------------------------------------------
DRAFT, EDITED, ADDED = "draft", "edited", "added"
GONE = "the figures no longer support this sentence: the draft does not write it any more"


@dataclass(frozen=True)
class Shown:
    """A sentence as the narrative shows it: the draft's, or as a person edited or added it, with why it is stale."""

    sentence: Sentence
    origin: str  # DRAFT, EDITED (a drafted sentence as edited) or ADDED
    stale: str = ""  # '' or what changed since the edit, in words

    @property
    def text(self) -> str:
        return self.sentence.text

    @property
    def section(self) -> str:
        return self.sentence.section

    @property
    def link(self) -> str:
        return self.sentence.link


def _changes(then: dict[str, str], now: dict[str, str]) -> str:
    changed = [f"{name} {then.get(name, '—')} → {now.get(name, '—')}" for name in dict.fromkeys([*then, *now])
               if then.get(name) != now.get(name)]
    return "figures changed since the edit: " + "; ".join(changed) if changed else ""


def reconcile(sentences: list[Sentence], edited) -> list[Shown]:
    """What the narrative shows: the draft while nobody has edited it; else the edited sentences in their order
    (removed ones left out), each drafted one marked stale when the figures it stated differ from today's draft's
    (or the draft no longer writes it). `edited` is None or a sequence of rows with sentence_id, section, text,
    figures, link and removed (data.narratives.EditedSentence)."""
    if edited is None:
        return [Shown(s, DRAFT) for s in sentences]
    current = {s.id: s for s in sentences}
    shown = []
    for row in edited:
        if row.removed:
            continue
        sentence = Sentence(row.sentence_id, row.section, row.text, dict(row.figures), row.link)
        if not row.sentence_id:
            shown.append(Shown(sentence, ADDED))
            continue
        now = current.get(row.sentence_id)
        stale = GONE if now is None else _changes(row.figures, now.figures)
        shown.append(Shown(sentence, EDITED, stale))
    return shown


def new_since_edit(sentences: list[Sentence], edited) -> list[Sentence]:
    """Drafted sentences the edited version has never seen (neither kept nor removed): what the data added since."""
    if edited is None:
        return []
    known = {row.sentence_id for row in edited}
    return [s for s in sentences if s.id not in known]


def rows_to_save(sentences: list[Sentence], rows) -> list[dict]:
    """The rows of an editing grid (dicts of sentence_id, section, text, removed) as data.narratives.save keeps them:
    each drafted sentence with today's figures and link, since saving it means its words were read against them."""
    current = {s.id: s for s in sentences}
    saved = []
    for row in rows:
        source = current.get(row.get("sentence_id") or "")
        saved.append({"sentence_id": row.get("sentence_id") or "", "section": row.get("section") or "notes",
                      "text": row.get("text"), "removed": bool(row.get("removed")),
                      "figures": source.figures if source else dict(row.get("figures") or {}),
                      "link": source.link if source else row.get("link") or ""})
    return saved


# -- exports -----------------------------------------------------------------------------------------------------------
def title(month: str, scope_phrase: str) -> str:
    return f"Service culture programme, {months.label(month)}: {scope_phrase}"


def _url(base: str, link: str) -> str:
    return f"{base.rstrip('/')}/{link}" if base else link


def _by_section(sentences) -> list[tuple[str, list]]:
    grouped = [(name, [s for s in sentences if s.section == key]) for key, name in SECTIONS.items()]
    return [(name, items) for name, items in grouped if items]


def to_markdown(sentences, heading: str, base: str = "") -> str:
    """The narrative (Sentences, or Shown ones with their staleness) as Markdown: a heading per section, each
    sentence (escaped: it may hold a unit's or an initiative's name) followed by the link of the view that shows its
    figures."""
    lines = [f"# {md(heading)}", ""]
    for name, items in _by_section(sentences):
        lines += [f"## {name}", ""]
        lines += [f"- {md(s.text)}" + (f" [View the figures]({_url(base, s.link)})" if s.link else "")
                  + (f" *Stale: {md(stale)}.*" if (stale := getattr(s, "stale", "")) else "") for s in items]
        lines.append("")
    return "\n".join(lines)


def to_text(sentences, heading: str, base: str = "") -> str:
    """The narrative as a plain-text e-mail body: sections in capitals, each sentence with its link on the line
    below."""
    lines = [heading, "=" * len(heading), ""]
    for name, items in _by_section(sentences):
        lines += [name.upper(), ""]
        for s in items:
            lines.append(s.text + (f" [Stale: {stale}.]" if (stale := getattr(s, "stale", "")) else ""))
            if s.link:
                lines.append(f"  {_url(base, s.link)}")
        lines.append("")
    return "\n".join(lines)
