"""The metric registry: every metric's meaning, direction and display format as data, validated in one pass."""
from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"

KINDS = ("leading", "lagging")
# Unit of measure (not an organisational unit): it decides how a value reads and which formats make sense.
UNITS = ("count", "share", "ratio", "per_100", "points", "value")
DIRECTIONS = ("up", "down")
# How a metric's readings for several units combine into one figure for a group of units (custom metrics choose).
AGGREGATIONS = ("mean", "sum", "none")
EMPTY = "—"  # shown where a figure is undefined (no complaints, nobody on the headcount...)
UNSET_MEASURE = "unit not set"  # a reading whose measure no lead has registered (Metric registry page)

# Readings metrics all come from one query that returns every reading key; built-ins each name their own file.
READINGS_SQL = "readings"

_SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


@dataclass(frozen=True)
class MetricDef:
    """One metric: what it means, which way is better and how to show it."""

    key: str
    label: str
    kind: str  # leading | lagging
    unit: str  # unit of measure, one of UNITS
    direction: str  # which way is better: up | down
    format: str  # a key of FORMATS
    description: str  # one sentence: the definition users are shown
    sql: str = READINGS_SQL  # stem of the file in metrics/sql that computes it
    decimals: int = 1  # places shown on screen (of the per cent for shares)
    short_label: str = ""  # for a narrow KPI card; the label when empty
    # The values the metric can take, where known: process limits are clamped to them (a count's lower limit is not
    # below 0, a share's upper limit not above 1). None where the metric has no natural bound.
    floor: float | None = None
    ceiling: float | None = None
    aggregation: str = "mean"  # one of AGGREGATIONS
    custom: bool = False  # registered by a programme lead (metric_registry table), not defined here
    # What one unit of the value is, with its scale: "EUR millions", "points out of 10", "% of headcount". A reported
    # figure means nothing without it ("Revenue 50.4" of what?); empty until a lead registers it.
    measure: str = ""
    computed_from: str = ""  # a built-in's source records, named as a lead knows them (the import's sheets)
    # A built-in computed from responses that an organisation may instead receive as a monthly figure (NPS from a
    # survey vendor): a reading then stands in for the months and scopes that have no responses, marked as reported.
    reportable: bool = False

    @property
    def card_label(self) -> str:
        return self.short_label or self.label

    @property
    def measure_text(self) -> str:
        """The measure as shown beside a figure: a reading nobody has described says so."""
        return self.measure or UNSET_MEASURE

    @property
    def axis_title(self) -> str:
        """A chart axis names the metric and what its values count."""
        return f"{self.label} ({self.measure_text})"


def _number(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def _percent(value: float, decimals: int) -> str:
    return f"{value * 100:.{decimals}f}%"


def _signed(value: float, decimals: int) -> str:
    # No sign on a figure that rounds to zero: "+0.0" and "-0.0" would claim a direction that is not there.
    if round(value, decimals) == 0:
        return f"{0:.{decimals}f}"
    return f"{value:+.{decimals}f}"


def _ratio(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f} : 1"


FORMATS = {"number": _number, "percent": _percent, "signed": _signed, "ratio": _ratio}

_BUILTIN_ROWS = (
    dict(key="ideas_implemented", computed_from="the ideas sheet (ideas with status implemented, by implemented_on)",
         measure="ideas",
         label="Ideas put into practice", kind="leading", unit="count", direction="up",
         short_label="Ideas in practice",
         format="number", decimals=0, sql="ideas_implemented",
         floor=0,
         description="Ideas whose implemented_on date falls in the month."),
    dict(key="ideas_per_100_staff", computed_from="the ideas and headcount sheets",
         measure="ideas per 100 staff",
         label="Ideas per 100 staff", kind="leading", unit="per_100", direction="up",
         short_label="Ideas / 100 staff",
         format="number", decimals=1, sql="ideas_per_100_staff",
         floor=0,
         description="Ideas put into practice in the month per 100 people on the month-end headcount."),
    dict(key="training_coverage", computed_from="the training and headcount sheets",
         measure="% of headcount",
         label="Training coverage", kind="leading", unit="share", direction="up",
         format="percent", decimals=0, sql="training_coverage",
         floor=0, ceiling=1,
         description="Share of the month-end headcount that has completed the course by the month end, "
                     "each unit capped at its own headcount."),
    dict(key="churn_annualised", computed_from="the headcount sheet (headcount and leavers)",
         measure="% of headcount a year",
         label="Staff churn (annualised)", kind="leading", unit="share", direction="down",
         short_label="Churn, annualised",
         format="percent", decimals=1, sql="churn_annualised",
         floor=0,
         description="Leavers over the last n months (up to 12) divided by the mean headcount over those months, "
                     "scaled to a year."),
    dict(key="praise_complaint_ratio", computed_from="the voice sheet (praise and complaints)",
         measure="praise per complaint",
         label="Praise to complaints", kind="leading", unit="ratio", direction="up",
         short_label="Praise : complaints",
         format="ratio", decimals=1, sql="praise_complaint_ratio",
         floor=0,
         description="Praise received in the month divided by complaints received in the month."),
    dict(key="tickets_within_promise", computed_from="the tickets sheet",
         measure="% of tickets closed",
         label="Tickets closed within promise", kind="leading", unit="share",
         short_label="Tickets in promise",
         direction="up", format="percent", decimals=0, sql="tickets_within_promise",
         floor=0, ceiling=1,
         description="Share of the tickets closed in the month that closed on or before the promised day."),
    dict(key="desired_actions_on_time", computed_from="the desired_actions sheet",
         measure="% of actions due",
         label="Desired actions delivered on time", kind="leading", unit="share", direction="up",
         short_label="Actions on time",
         format="percent", decimals=0, sql="desired_actions_on_time",
         floor=0, ceiling=1,
         description="Share of the actions key customers asked for at their monthly assessment, due in the month, "
                     "that were done by their due day (declined or undone ones count as not delivered)."),
    dict(key="nps", computed_from="the survey sheet's 0-10 scores",
         measure="points, -100 to +100", reportable=True,
         label="Net promoter score", kind="lagging", unit="points", direction="up", format="signed",
         short_label="NPS",
         decimals=1, sql="nps",
         floor=-100, ceiling=100,
         description="Per cent of survey scores 9-10 minus per cent of scores 0-6 in the month."),
)

# Reading keys the published cases use, with a better default than a plain value (see domain.md).
_KNOWN_READING_ROWS = (
    dict(key="satisfaction", label="Customer satisfaction", kind="lagging", unit="value", direction="up",
         format="number", decimals=1, description="Customer satisfaction as reported for the month."),
    # One decimal: revenue is often reported in millions (40.3), where whole numbers would hide the movement.
    dict(key="revenue", label="Revenue", kind="lagging", unit="value", direction="up", format="number", decimals=1,
         aggregation="sum",
         floor=0,
         description="Revenue as reported for the month."),
    dict(key="rating", label="External rating", kind="lagging", unit="value", direction="up", format="number",
         decimals=1, floor=0,
         description="External rating (stars, review score) as reported for the month."),
    dict(key="happiness", measure="points, -100 to +100",
         label="Happiness score", kind="lagging", unit="points", direction="up", format="signed",
         decimals=0, floor=-100, ceiling=100,
         description="Happiness score of the people served, as reported for the month."),
    dict(key="share_of_wallet", measure="% of customers' spending",
         label="Share of wallet", kind="lagging", unit="share", direction="up",
         format="percent", decimals=0, floor=0, ceiling=1,
         description="Share of the customers' spending won, as reported for the month."),
)

_FIELDS = {f.name: f for f in dataclasses.fields(MetricDef)}
_REQUIRED = [name for name, f in _FIELDS.items() if f.default is dataclasses.MISSING]


def _as_mapping(defn: MetricDef | Mapping) -> Mapping:
    return dataclasses.asdict(defn) if isinstance(defn, MetricDef) else defn


def _field_problems(row: Mapping) -> list[str]:
    problems = [f"missing field '{name}'" for name in _REQUIRED if name not in row]
    problems += [f"unknown field '{name}'" for name in row if name not in _FIELDS]
    key = row.get("key")
    if "key" in row and not (isinstance(key, str) and _SNAKE_CASE.match(key)):
        problems.append(f"key {key!r} is not snake_case (lower-case letters, digits and single underscores)")
    for name in ("label", "description"):
        if name in row and not (isinstance(row[name], str) and row[name].strip()):
            problems.append(f"{name} is empty")
    for name, allowed in (("kind", KINDS), ("unit", UNITS), ("direction", DIRECTIONS), ("format", tuple(FORMATS)),
                          ("aggregation", AGGREGATIONS)):
        if name in row and row[name] not in allowed:
            problems.append(f"{name} {row[name]!r} is not one of {', '.join(allowed)}")
    decimals = row.get("decimals", 0)
    if not (isinstance(decimals, int) and 0 <= decimals <= 6):
        problems.append(f"decimals {decimals!r} is not a whole number from 0 to 6")
    problems += _bound_problems(row.get("floor"), row.get("ceiling"))
    sql = row.get("sql", READINGS_SQL)
    if not (isinstance(sql, str) and _SNAKE_CASE.match(sql) and (SQL_DIR / f"{sql}.sql").is_file()):
        problems.append(f"sql {sql!r} names no file in metrics/sql")
    return problems


def _bound_problems(floor, ceiling) -> list[str]:
    problems = []
    for name, bound in (("floor", floor), ("ceiling", ceiling)):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int | float) or math.isnan(bound)):
            problems.append(f"{name} {bound!r} is not a number")
    if not problems and floor is not None and ceiling is not None and floor >= ceiling:
        problems.append(f"floor {floor!r} is not below ceiling {ceiling!r}")
    return problems


def validate(defs: Iterable[MetricDef | Mapping]) -> list[str]:
    """Every problem in a list of definitions (dicts or MetricDefs) at once, each naming the metric it is about."""
    problems: list[str] = []
    seen: set[str] = set()
    for position, defn in enumerate(defs, start=1):
        row = _as_mapping(defn)
        name = f"metric {position} ({row.get('key', 'no key')!s})"
        problems += [f"{name}: {problem}" for problem in _field_problems(row)]
        key = row.get("key")
        if key in seen:
            problems.append(f"{name}: duplicate key '{key}'")
        if isinstance(key, str):
            seen.add(key)
    return problems


def from_dicts(rows: Iterable[Mapping]) -> tuple[MetricDef, ...]:
    """Validate plain definitions into MetricDefs; raises ValueError listing every problem, not only the first."""
    rows = list(rows)
    problems = validate(rows)
    if problems:
        raise ValueError("Invalid metric definitions:\n" + "\n".join(problems))
    return tuple(MetricDef(**row) for row in rows)


BUILTIN = from_dicts(_BUILTIN_ROWS)
BUILTIN_KEYS = frozenset(d.key for d in BUILTIN)
REPORTABLE_KEYS = frozenset(d.key for d in BUILTIN if d.reportable)
KNOWN_READINGS = {d.key: d for d in from_dicts(_KNOWN_READING_ROWS)}


def label_from_key(key: str) -> str:
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def reading_metric(key: str) -> MetricDef:
    """The definition of a readings metric: a registered one, or a lagging 'higher is better' value."""
    if key in KNOWN_READINGS:
        return KNOWN_READINGS[key]
    label = label_from_key(key)
    return MetricDef(key=key, label=label, kind="lagging", unit="value", direction="up", format="number",
                     description=f"{label} as reported for the month.")


def get(key: str, store=None) -> MetricDef:
    """Any metric's definition by key: a built-in, or a readings metric (registered or default). With a store, a
    custom metric registered there comes back with its own definition."""
    builtin = next((d for d in BUILTIN if d.key == key), None)
    if builtin is None and store is not None:
        builtin = custom_metrics(store).get(key)
    return builtin or reading_metric(key)


# How a custom metric's unit of measure reads on screen: (format, decimals, floor, ceiling).
_CUSTOM_DISPLAY = {"count": ("number", 0, 0, None), "share": ("percent", 0, 0, 1), "ratio": ("ratio", 1, 0, None),
                   "per_100": ("number", 1, 0, None), "points": ("signed", 1, None, None),
                   "value": ("number", 1, None, None)}


def custom_definition(row) -> dict:
    """A metric_registry row (mapping) as the fields of a MetricDef, for validate() and MetricDef(**...)."""
    fmt, decimals, floor, ceiling = _CUSTOM_DISPLAY.get(row.get("unit"), ("number", 1, None, None))
    description = row.get("description") or ""
    return dict(key=row.get("key"), label=row.get("label"), kind=row.get("kind"), unit=row.get("unit"),
                direction=row.get("direction"), format=fmt, decimals=decimals, floor=floor, ceiling=ceiling,
                aggregation=row.get("aggregation") or "mean", custom=True, measure=row.get("measure") or "",
                description=description if description.strip() else f"{row.get('label')} as reported for the month.")


def custom_metrics(store) -> dict[str, MetricDef]:
    """Metrics registered by programme leads (the metric_registry table), by key; a row that no longer validates
    (or clashes with a built-in) is left out rather than breaking every chart."""
    rows = store.query("SELECT * FROM metric_registry ORDER BY \"key\"")
    defs = {}
    for row in rows.to_dict("records"):
        fields = custom_definition(row)
        if row["key"] not in BUILTIN_KEYS and not validate([fields]):
            defs[row["key"]] = MetricDef(**fields)
    return defs


def reading_keys(store) -> list[str]:
    """Keys in the readings table, sorted; a key that clashes with a built-in is left to the built-in."""
    keys = [r[0] for r in store.rows("SELECT DISTINCT metric FROM readings ORDER BY metric")]
    return [k for k in keys if k not in BUILTIN_KEYS]


def all_metrics(store) -> list[MetricDef]:
    """The built-ins, then every readings metric present in the store (as registered, if it is a custom metric)."""
    custom = custom_metrics(store)
    return list(BUILTIN) + [custom.get(k) or reading_metric(k) for k in reading_keys(store)]


def _number_or_none(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def format_value(defn: MetricDef, value) -> str:
    """A value as the screen shows it: shares as per cent, NPS signed, ratios as 'x : 1'; undefined as a dash."""
    number = _number_or_none(value)
    return EMPTY if number is None else FORMATS[defn.format](number, defn.decimals)


def format_delta(defn: MetricDef, delta) -> str:
    """A change between two values, always signed: shares in percentage points (a change of a per cent is not a
    per cent change), everything else in the metric's own unit."""
    number = _number_or_none(delta)
    if number is None:
        return EMPTY
    if defn.unit == "share":
        return f"{_signed(number * 100, defn.decimals)} pp"
    return _signed(number, defn.decimals)
