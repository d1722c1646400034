"""The demo programme: a fictional airline's 30-month service-culture turnaround, generated the same way every time."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from data.schema import TABLES
from data.store import Store, Transaction, WriteSummary

DEMO_LABEL = "Demo programme: Horizon Air (fictional data)"
# Any fixed seed gives every machine the same demo; this one's last month has no chance dip in the headline figures,
# which would only distract a first-time viewer from the story.
DEMO_SEED = 2017
# Long enough for a full 12-month churn window, an 18-month rollout and a lead-lag chart that can find a 3-month lag.
DEMO_MONTHS = 30
ALL_STAFF_COURSE = "service-excellence"
# Added to the seed for the annotations (sources, feedback, complaint handling): any fixed offset will do.
ANNOTATION_SEED_OFFSET = 1
IDEA_SOURCES = ("workshop", "unit", "person")
IDEA_SOURCE_WEIGHTS = (0.5, 0.3, 0.2)  # most ideas come out of the service workshops, as in the published cases
SUBMITTERS = ("Anil R.", "Béatrice L.", "Chen W.", "Dina M.", "Emeka O.", "Fatima S.", "Gita P.", "Hugo B.",
              "Ines C.", "Jomo K.", "Kavya N.", "Lars E.")
DECISION_DAYS = (7, 40)  # an idea is answered within about a month
FEEDBACK = {
    "implemented": "Thank you: your idea is now how we work. Tell us how it is going.",
    "approved": "Approved: the team is planning it and will tell you when it starts.",
    "rejected": "Thank you. We cannot do this now; here is why, and what we will do instead.",
}
# Days after the complaint by which each step was taken, and then how long the promised fix took.
COMPLAINT_STEP_DAYS = {"thanked_on": (0, 2), "info_gathered_on": (1, 4), "apologised_on": (1, 4),
                       "help_committed_on": (2, 7)}
RESOLUTION_DAYS = (3, 21)
FIX_WITHOUT_STEPS_DAYS = 10  # without the steps, the fix still came, later
RESOLVED_SHARE = 0.95  # a few complaints are never put right
# Remembered so that loading the demo again in a later month replaces the old one.
END_MONTH_SETTING = "demo_end_month"
# Key customers' desired actions (the Nokia Siemens Networks practice): a stream of their own, so that adding them left
# every other figure of the demo as it was. Delivered on time about half the time at first, nine in ten later.
ACTIONS_SEED_OFFSET = 2
ACTIONS_PER_MONTH = (3, 6)
ACTIONS_ON_TIME = (0.5, 0.9)
ACTIONS_DECLINED = 0.08
ACTIONS_LATE_DAYS = (3, 25)
KEY_CUSTOMERS = ("Key account: Indigo Travel", "Key account: Island Tours", "Key account: Meridian Freight",
                 "Corporate: Port Louis Bank", "Internal: Cabin Crew", "Internal: Call Centre")
DESIRED_ACTIONS = (
    ("Call Centre", "Call back within one working day on every open booking"),
    ("Check-in and Gates", "A named contact at the {city} desk for our group bookings"),
    ("IT Service Desk", "Progress updates on our open tickets without our asking"),
    ("Logistics", "Tell us the day a missing part will arrive"),
    ("Finance", "Invoices that match the booking references we use"),
    ("Software Development", "Fix the booking tool's timeout before peak season"),
    ("Lounges", "Quiet room access for our travellers in {city}"),
)


@dataclass(frozen=True)
class DemoUnit:
    name: str
    function: str
    parent: str | None
    headcount: int  # at the start of the programme


_EXEC = "Executive Office"
_OPS = "Operations Management"
UNITS = (
    DemoUnit(_EXEC, "leadership", None, 28),
    DemoUnit(_OPS, "leadership", _EXEC, 62),
    DemoUnit("Cabin Crew", "frontline", _OPS, 410),
    DemoUnit("Check-in and Gates", "frontline", _OPS, 230),
    DemoUnit("Call Centre", "frontline", _OPS, 180),
    DemoUnit("Lounges", "frontline", _OPS, 60),
    DemoUnit("Ground Handling", "frontline", _OPS, 300),
    DemoUnit("IT Service Desk", "internal", _EXEC, 45),
    DemoUnit("Software Development", "internal", _EXEC, 90),
    DemoUnit("Logistics", "internal", _EXEC, 120),
    DemoUnit("Finance", "internal", _EXEC, 70),
    DemoUnit("Engineering and Maintenance", "internal", _EXEC, 260),
    DemoUnit("Facilities", "internal", _EXEC, 55),
    DemoUnit("People and HR", "internal", _EXEC, 40),
)
# The back-office unit the all-staff course barely reaches: the red flag the coverage view exists to show.
LAGGING_UNIT = "Finance"

# Headcount: front-line teams grow with the airline, the back office barely; a month-to-month wobble of about 0.5%.
GROWTH_BY_FUNCTION = {"frontline": 0.05, "internal": 0.02, "leadership": 0.0}
HEADCOUNT_WOBBLE = 0.005
# Org churn about 13% a year at the start, falling within the first year to about 3.5% (Air Mauritius got below 5%).
CHURN_START = 0.13
CHURN_FLOOR = 0.035
CHURN_DECAY_MONTHS = 5
# Front-line jobs turn over faster than back-office and leadership ones; the weights average about 1 over the org.
CHURN_BY_FUNCTION = {"frontline": 1.15, "internal": 0.8, "leadership": 0.5}
LEAVERS_SCATTER = 0.3  # a unit's leavers vary up to 30% either way from month to month


@dataclass(frozen=True)
class Rollout:
    """Cumulative coverage of a course as an S-curve: half of `ceiling` reached at month index `centre`."""

    centre: float
    width: float  # months; the bulk of the rollout takes about four widths
    ceiling: float

    def coverage(self, month_index, delay: float = 0.0, ceiling: float | None = None) -> np.ndarray:
        return (self.ceiling if ceiling is None else ceiling) * _s_curve(month_index, self.centre + delay, self.width)


# Planned all-staff coverage: half the organisation trained by month 9, nearly all by month 16 ("go big and go fast");
# new joiners wait for the next course, so coverage never quite reaches 100%.
PLAN = Rollout(centre=9, width=2.2, ceiling=0.95)
# Each unit runs a little ahead of or behind the plan; the back office starts slightly later than the front line.
UNIT_DELAY_RANGE = (-1.0, 1.0)
INTERNAL_DELAY = 1.0
UNIT_CEILING_RANGE = (0.92, 0.98)
# The lagging unit starts in the second year and has reached barely a third of its people by the end.
LAGGING = Rollout(centre=21, width=3.0, ceiling=0.4)
# Leaders are trained first (Wirtz and Kaufman's sequence), with each unit's managers; then a few trainers per unit
# (the lagging unit's only when its own rollout starts), then everyone.
LEADERS_WORKSHOP = Rollout(centre=1, width=0.6, ceiling=0.95)
MANAGERS_WORKSHOP = Rollout(centre=3, width=1.0, ceiling=0.07)
TRAINERS = Rollout(centre=3, width=0.8, ceiling=0.03)
LAGGING_TRAINERS = Rollout(centre=19, width=1.0, ceiling=0.03)
SESSION_SIZE = 20  # seats in one training room

# Ideas implemented a month follow an S-curve from about 1.5 to about 20 as the idea lab gets going.
IDEAS_START, IDEAS_GAIN, IDEAS_CENTRE, IDEAS_WIDTH = 1.0, 19.5, 13, 3.5
REJECTED_PER_IMPLEMENTED = 0.35
PIPELINE_MONTHS = 2  # ideas submitted in the last two months are still being decided
PIPELINE_PER_IMPLEMENTED = 1.2
IMPLEMENTATION_DAYS = (14, 75)  # from submission to practice
# Pipeline status by age in days at the end of the demo: fresh ideas are submitted, then reviewed, then approved.
REVIEW_AFTER_DAYS, APPROVED_AFTER_DAYS = 12, 35
# The back office submits fewer ideas per head; the lagging unit hardly any.
IDEA_WEIGHT = {"frontline": 1.0, "internal": 0.7, "leadership": 0.2}
LAGGING_IDEA_WEIGHT = 0.15

# NPS follows ideas implemented three months earlier: -5 before the programme, about +40 at the end.
NPS_START = -5.0
NPS_PER_IDEA = 2.4
NPS_LAG = 3
NPS_NOISE = 2.5
# Customers notice part of a month's surprise in ideas; the rest of NPS follows the smooth trend, so it is not jumpy.
NPS_SURPRISE_WEIGHT = 0.6
PASSIVE_SHARE = 0.3  # scores 7-8; promoters and detractors share the rest
RESPONSES_PER_MONTH = (150, 300)

# Complaints fall and praise rises, the ratio going from 0.8 to about 9 (Air Mauritius: 12-fold).
COMPLAINTS_START, COMPLAINTS_END = 60, 15
PRAISE_START, PRAISE_END = 48, 135
VOICE_CENTRE, VOICE_WIDTH = 12, 4
VOICE_SCATTER = 0.1  # month-to-month scatter that looks real yet never hides the trend
ASSESSMENTS_PER_MONTH = (3, 5)
CHANNELS = ("email", "survey", "social", "app", "desk")
CHANNEL_WEIGHTS = (0.25, 0.2, 0.25, 0.2, 0.1)

# Service-desk tickets: about 220 a month; within promise rises from 60% to 90% after the desk starts setting times.
TICKETS_PER_MONTH = 220
PROMISE_START, PROMISE_END, PROMISE_CENTRE, PROMISE_WIDTH = 0.6, 0.9, 12, 3
PROMISE_HOURS = (24, 48, 72, 120)  # 1, 2, 3 or 5 days by priority
PROMISE_HOURS_WEIGHTS = (0.3, 0.3, 0.25, 0.15)
LATE_HOURS = (1, 96)
WORKDAY_MINUTES = (7 * 60, 19 * 60)

CITIES = ("Port Louis", "Paris", "London", "Johannesburg", "Mumbai", "Singapore", "Perth", "Dubai", "Geneva")
PRAISE = (
    ("Cabin Crew", "The cabin crew on my flight to {city} were warm and attentive all the way."),
    ("Cabin Crew", "The crew looked after my two young children so I could finally eat in peace."),
    ("Check-in and Gates", "Check-in staff in {city} rebooked me in minutes after my connection was cancelled."),
    ("Check-in and Gates", "Gate staff in {city} told us what was happening every 15 minutes during the delay."),
    ("Call Centre", "The agent called me back exactly when she said she would, with a solution."),
    ("Call Centre", "Changed my booking in one call, no transfers, no waiting."),
    ("Lounges", "The lounge team in {city} remembered my name and my usual order."),
    ("Ground Handling", "My bag was delayed but I got a text with the delivery time the same evening."),
    ("Ground Handling", "Staff in {city} helped my father with his wheelchair all the way to his seat."),
)
COMPLAINTS = (
    ("Check-in and Gates", "Waited over an hour at check-in in {city} with only two desks open."),
    ("Check-in and Gates", "The gate changed twice and nobody announced it."),
    ("Call Centre", "On hold for 40 minutes and then the line dropped."),
    ("Ground Handling", "My suitcase reached {city} two days late and nobody told me where it was."),
    ("Cabin Crew", "No vegetarian meal although I had booked one."),
    ("Cabin Crew", "The crew were curt when I asked for help with my bag."),
    ("Lounges", "The lounge in {city} was full and there was nowhere to sit."),
    ("Finance", "The refund I was promised three weeks ago has still not arrived."),
)
ASSESSMENT_EARLY = (
    "delays were handled poorly and we heard nothing for hours",
    "our group booking took five calls to sort out",
    "the service felt polite but scripted",
)
ASSESSMENT_LATE = (
    "boarding felt calmer and the gate staff explained every delay",
    "our account manager fixed a ticketing problem before we noticed it",
    "staff solved problems on the spot instead of quoting the rules",
)
ASSESSMENT_NEXT = (
    "keep the lounge in {city} open for the early departures",
    "send delay updates by text, not only at the gate",
    "let us change group names online",
    "faster refunds when a flight is cancelled",
)
IDEA_PHRASES = {
    "frontline": (
        ("Text", "Call", "Offer water to", "Send a progress update to", "Give a fast-track pass to", "Brief"),
        ("passengers", "families with young children", "passengers with reduced mobility", "frequent flyers",
         "connecting passengers", "first-time flyers"),
        ("when bags are delayed", "during long queues at check-in", "when the flight is delayed",
         "after a missed connection", "when the gate changes", "before an early departure"),
    ),
    "internal": (
        ("Send a progress update to", "Set a promised fix time for", "Hold a weekly drop-in for",
         "Publish a named contact for", "Share live parts status with", "Automate password resets for"),
        ("cabin crew", "check-in staff", "the call centre", "station managers", "engineers", "new starters"),
        ("on every open ticket", "before each roster change", "during peak season", "when a part is on order",
         "at month end", "on their first day"),
    ),
}


def demo_frames(end_month: date, seed: int = DEMO_SEED) -> dict[str, pd.DataFrame]:
    """Every table of the demo programme for the 30 months ending at end_month; the same seed gives the same frames."""
    rng = np.random.default_rng(seed)
    months = pd.date_range(end=_month_start(end_month), periods=DEMO_MONTHS, freq="MS")
    as_of = months[-1] + pd.offsets.MonthBegin(1)  # the demo reads as if at the end of its last month
    headcount = _headcount(rng, months)
    # Drawn once: the ideas table lists these, and the survey's NPS follows them three months later.
    implemented = rng.poisson(_idea_rate(np.arange(DEMO_MONTHS)))
    frames = {
        "units": _units(),
        "headcount": headcount,
        "training": _training(rng, months, headcount),
        "plan": _plan(months),
        "ideas": _ideas(rng, months, implemented, as_of),
        "voice": _voice(rng, months),
        "tickets": _tickets(rng, months, as_of),
        "survey": _survey(rng, months, implemented),
        "metric_registry": _measures(),
        "readings": _readings(rng, months),
        "targets": _targets(months),
        "initiatives": _initiatives(months),
        "process_changes": _process_changes(months),
    }
    # A stream of its own, so the annotations leave every figure of the story above exactly as it was.
    notes_rng = np.random.default_rng(seed + ANNOTATION_SEED_OFFSET)
    _annotate_ideas(notes_rng, frames["ideas"], as_of)
    _annotate_complaints(notes_rng, frames["voice"], months, as_of)
    frames["desired_actions"] = _desired_actions(np.random.default_rng(seed + ACTIONS_SEED_OFFSET), months)
    # In table order; columns the demo does not fill (feedback, complaint handling...) are left out and stay empty.
    return {name: frames[name][[c for c in spec.columns if c in frames[name].columns]]
            for name, spec in TABLES.items() if name in frames}


def load_demo(store: Store, end_month: date | None = None) -> WriteSummary:
    """Write the demo programme in one transaction; end_month defaults to the last complete month, so the demo
    holds nothing dated after today and its latest month is a whole one, as a board pack would show."""
    end = (_month_start(end_month) if end_month else _month_start(date.today()) - pd.offsets.MonthBegin(1)).date()
    # A demo of another end month is replaced, not merged: its early months would otherwise linger before the new ones.
    # Like clear_demo this removes every record: safe, because the demo only ever lives in a database of its own.
    replace_older = store.is_demo() and store.setting(END_MONTH_SETTING) != end.isoformat()
    frames = demo_frames(end)
    with store.transaction("demo", f"{DEMO_LABEL}, {DEMO_MONTHS} months to {end:%Y-%m}") as tx:
        if replace_older:
            _delete_records(tx)
        for table, frame in frames.items():
            tx.upsert(table, frame)
        tx.set_setting("demo", "1")
        tx.set_setting("demo_label", DEMO_LABEL)
        tx.set_setting(END_MONTH_SETTING, end.isoformat())
        tx.set_setting("all_staff_course", ALL_STAFF_COURSE)
    return tx.summary


def clear_demo(store: Store) -> WriteSummary:
    """Delete every programme record in one audited transaction and mark the database as no longer a demo."""
    # This clears ALL records, not only the demo's: the dashboard creates the demo only when no database file exists,
    # so the demo is only ever loaded into a database without user data.
    with store.transaction("clear-demo", f"cleared {DEMO_LABEL}") as tx:
        _delete_records(tx)
        tx.set_setting("demo", "0")
    return tx.summary


def _delete_records(tx: Transaction) -> None:
    for table in TABLES:
        tx.delete_all(table)


# -- shapes over time ------------------------------------------------------------------------------------------------
def _month_start(day: date) -> pd.Timestamp:
    return pd.Timestamp(day).to_period("M").to_timestamp()


def _s_curve(month_index, centre: float, width: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(np.asarray(month_index, dtype=float) - centre) / width))


def _idea_rate(month_index) -> np.ndarray:
    return IDEAS_START + IDEAS_GAIN * _s_curve(month_index, IDEAS_CENTRE, IDEAS_WIDTH)


def _promise_share(month_index) -> np.ndarray:
    return PROMISE_START + (PROMISE_END - PROMISE_START) * _s_curve(month_index, PROMISE_CENTRE, PROMISE_WIDTH)


def _stochastic_round(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """Round up with probability equal to the fraction, so small expected counts keep their mean."""
    return np.floor(values + rng.random(values.shape)).astype(int)


def _random_days(rng: np.random.Generator, month: pd.Timestamp, n: int) -> pd.DatetimeIndex:
    """n days drawn evenly from the month."""
    return month + pd.to_timedelta(rng.integers(0, month.days_in_month, n), unit="D")


def _unit_weights(weight_of) -> tuple[list[str], np.ndarray]:
    weights = np.array([weight_of(u) * u.headcount for u in UNITS], dtype=float)
    return [u.name for u in UNITS], weights / weights.sum()


# -- tables ----------------------------------------------------------------------------------------------------------
def _units() -> pd.DataFrame:
    return pd.DataFrame([{"unit": u.name, "function": u.function, "parent": u.parent} for u in UNITS])


def _headcount(rng: np.random.Generator, months: pd.DatetimeIndex) -> pd.DataFrame:
    m = np.arange(len(months))
    org_churn = CHURN_FLOOR + (CHURN_START - CHURN_FLOOR) * np.exp(-m / CHURN_DECAY_MONTHS)
    parts = []
    for unit in UNITS:
        growth = 1 + GROWTH_BY_FUNCTION[unit.function] * m / (len(m) - 1)
        heads = np.round(unit.headcount * growth * rng.normal(1, HEADCOUNT_WOBBLE, len(m))).astype(int)
        scatter = rng.uniform(1 - LEAVERS_SCATTER, 1 + LEAVERS_SCATTER, len(m))
        expected = heads * org_churn * CHURN_BY_FUNCTION[unit.function] / 12 * scatter
        parts.append(pd.DataFrame({"month": months, "unit": unit.name, "headcount": heads,
                                   "leavers": _stochastic_round(rng, expected)}))
    return pd.concat(parts, ignore_index=True)


def _course_curves(rng: np.random.Generator, unit: DemoUnit, m: np.ndarray) -> dict[str, np.ndarray]:
    """Target cumulative coverage of each course for one unit, by month index."""
    if unit.name == LAGGING_UNIT:
        all_staff, trainers = LAGGING.coverage(m), LAGGING_TRAINERS.coverage(m)
    else:
        delay = rng.uniform(*UNIT_DELAY_RANGE) + (INTERNAL_DELAY if unit.function == "internal" else 0)
        all_staff = PLAN.coverage(m, delay, rng.uniform(*UNIT_CEILING_RANGE))
        trainers = TRAINERS.coverage(m)
    if unit.function == "leadership":
        return {"leadership-workshop": LEADERS_WORKSHOP.coverage(m), ALL_STAFF_COURSE: all_staff}
    return {"leadership-workshop": MANAGERS_WORKSHOP.coverage(m),
            "train-the-trainer": trainers, ALL_STAFF_COURSE: all_staff}


def _training(rng: np.random.Generator, months: pd.DatetimeIndex, headcount: pd.DataFrame) -> pd.DataFrame:
    heads = headcount.pivot(index="month", columns="unit", values="headcount")
    m = np.arange(len(months))
    rows = []
    for unit in UNITS:
        for course, coverage in _course_curves(rng, unit, m).items():
            # Cumulative completions never fall, and never exceed the people the unit has.
            cumulative = np.maximum.accumulate(np.floor(coverage * heads[unit.name].to_numpy()))
            completed = np.diff(cumulative, prepend=0).astype(int)
            for month, n in zip(months, completed, strict=True):
                rows += [(day, unit.name, course, size) for day, size in _sessions(rng, month, n)]
    return pd.DataFrame(rows, columns=["date", "unit", "course", "completed"])


def _sessions(rng: np.random.Generator, month: pd.Timestamp, people: int) -> list[tuple[pd.Timestamp, int]]:
    """Split a month's completions into sessions of at most a room's size, on distinct working days."""
    if people <= 0:
        return []
    workdays = pd.bdate_range(month, month + pd.offsets.MonthEnd(0))
    n_sessions = min(math.ceil(people / SESSION_SIZE), len(workdays))
    days = np.sort(rng.choice(len(workdays), n_sessions, replace=False))
    sizes = np.full(n_sessions, people // n_sessions)
    sizes[: people % n_sessions] += 1
    return [(workdays[d], int(s)) for d, s in zip(days, sizes, strict=True)]


def _plan(months: pd.DatetimeIndex) -> pd.DataFrame:
    return pd.DataFrame({"month": months, "course": ALL_STAFF_COURSE, "unit": "",
                         "planned_coverage": np.round(PLAN.coverage(np.arange(len(months))), 3)})


def _idea_title(rng: np.random.Generator, function: str) -> str:
    phrases = IDEA_PHRASES["internal" if function == "internal" else "frontline"]
    return " ".join(str(rng.choice(part)) for part in phrases)


def _ideas(rng: np.random.Generator, months: pd.DatetimeIndex, implemented: np.ndarray,
           as_of: pd.Timestamp) -> pd.DataFrame:
    names, weights = _unit_weights(
        lambda u: IDEA_WEIGHT[u.function] * (LAGGING_IDEA_WEIGHT if u.name == LAGGING_UNIT else 1))
    functions = {u.name: u.function for u in UNITS}
    rate = _idea_rate(np.arange(len(months)))
    rows = []
    for i, month in enumerate(months):
        for done_on in _random_days(rng, month, implemented[i]):
            lead = pd.Timedelta(days=int(rng.integers(*IMPLEMENTATION_DAYS)))
            rows.append((done_on - lead, "implemented", done_on))
        for submitted in _random_days(rng, month, rng.poisson(REJECTED_PER_IMPLEMENTED * rate[i])):
            rows.append((submitted, "rejected", pd.NaT))
        if i >= len(months) - PIPELINE_MONTHS:
            for submitted in _random_days(rng, month, rng.poisson(PIPELINE_PER_IMPLEMENTED * rate[i])):
                rows.append((submitted, _pipeline_status((as_of - submitted).days), pd.NaT))
    ideas = pd.DataFrame(rows, columns=["submitted_on", "status", "implemented_on"])
    ideas["unit"] = rng.choice(names, len(ideas), p=weights)
    ideas["title"] = [_idea_title(rng, functions[u]) for u in ideas["unit"]]
    ideas = ideas.sort_values(["submitted_on", "status"], kind="stable", ignore_index=True)
    ideas["idea_id"] = [f"IDEA-{i:04d}" for i in range(1, len(ideas) + 1)]
    return ideas


def _annotate_ideas(rng: np.random.Generator, ideas: pd.DataFrame, as_of: pd.Timestamp) -> None:
    """Where each idea came from, and the answer its submitter got when it was decided."""
    n = len(ideas)
    ideas["source"] = rng.choice(IDEA_SOURCES, n, p=IDEA_SOURCE_WEIGHTS)
    ideas["submitter"] = rng.choice(SUBMITTERS, n)
    ideas["source_ref"] = np.where(ideas["source"] == "workshop",
                                   "Service workshop " + ideas["submitted_on"].dt.strftime("%b %Y"),
                                   np.where(ideas["source"] == "unit", ideas["unit"], ideas["submitter"]))
    decided = ideas["submitted_on"] + pd.to_timedelta(rng.integers(*DECISION_DAYS, n), unit="D")
    ideas["status_changed_on"] = ideas["implemented_on"].where(ideas["status"] == "implemented",
                                                               decided.where(decided < as_of, ideas["submitted_on"]))
    ideas["feedback"] = ideas["status"].map(FEEDBACK)


def _annotate_complaints(rng: np.random.Generator, voice: pd.DataFrame, months: pd.DatetimeIndex,
                         as_of: pd.Timestamp) -> None:
    """The four-step handling of each complaint, followed more fully as "love complaints" takes hold."""
    complaints = voice["kind"] == "complaint"
    month_index = voice["date"].dt.to_period("M").map({m.to_period("M"): i for i, m in enumerate(months)})
    followed = _s_curve(month_index.to_numpy(dtype=float), VOICE_CENTRE, VOICE_WIDTH)
    day = voice["date"]
    for step, (low, high) in COMPLAINT_STEP_DAYS.items():
        done_on = day + pd.to_timedelta(rng.integers(low, high, len(voice)), unit="D")
        # Before the programme most complaints were only acknowledged; the other steps come with the training.
        taken = complaints & ((step == "thanked_on") | (rng.random(len(voice)) < followed)) & (done_on < as_of)
        voice[step] = done_on.where(taken)
    # Most complaints were put right even before the four steps became the habit; recent ones may still be open.
    committed = voice["help_committed_on"].fillna(day + pd.Timedelta(days=FIX_WITHOUT_STEPS_DAYS))
    resolved_on = committed + pd.to_timedelta(rng.integers(*RESOLUTION_DAYS, len(voice)), unit="D")
    voice["resolved_on"] = resolved_on.where(complaints & (resolved_on < as_of)
                                             & (rng.random(len(voice)) < RESOLVED_SHARE))


def _pipeline_status(age_days: int) -> str:
    if age_days < REVIEW_AFTER_DAYS:
        return "submitted"
    return "review" if age_days < APPROVED_AFTER_DAYS else "approved"


def _voice(rng: np.random.Generator, months: pd.DatetimeIndex) -> pd.DataFrame:
    progress = _s_curve(np.arange(len(months)), VOICE_CENTRE, VOICE_WIDTH)
    complaints = _scatter(rng, COMPLAINTS_START + (COMPLAINTS_END - COMPLAINTS_START) * progress)
    praise = _scatter(rng, PRAISE_START + (PRAISE_END - PRAISE_START) * progress)
    parts = []
    for i, month in enumerate(months):
        parts.append(_voice_items(rng, month, "praise", PRAISE, praise[i]))
        parts.append(_voice_items(rng, month, "complaint", COMPLAINTS, complaints[i]))
        parts.append(_assessments(rng, month, progress[i]))
    voice = pd.concat(parts, ignore_index=True).sort_values("date", kind="stable", ignore_index=True)
    voice["item_id"] = [f"V-{i:05d}" for i in range(1, len(voice) + 1)]
    return voice


def _scatter(rng: np.random.Generator, expected: np.ndarray) -> np.ndarray:
    return np.round(expected * rng.lognormal(0, VOICE_SCATTER, len(expected))).astype(int)


def _voice_items(rng: np.random.Generator, month: pd.Timestamp, kind: str, templates, n: int) -> pd.DataFrame:
    picks = rng.integers(0, len(templates), n)
    cities = rng.choice(CITIES, n)
    return pd.DataFrame({
        "date": _random_days(rng, month, n), "kind": kind,
        "unit": [templates[p][0] for p in picks],
        "text": [templates[p][1].format(city=c) for p, c in zip(picks, cities, strict=True)],
        "channel": rng.choice(CHANNELS, n, p=CHANNEL_WEIGHTS),
    })


def _assessments(rng: np.random.Generator, month: pd.Timestamp, progress: float) -> pd.DataFrame:
    """Key customers' open assessments of the month, whose tone improves as the programme takes hold."""
    n = int(rng.integers(ASSESSMENTS_PER_MONTH[0], ASSESSMENTS_PER_MONTH[1] + 1))
    texts = []
    for _ in range(n):
        last = rng.choice(ASSESSMENT_LATE if rng.random() < progress else ASSESSMENT_EARLY)
        wish = str(rng.choice(ASSESSMENT_NEXT)).format(city=rng.choice(CITIES))
        texts.append(f"Last month {last}. Next month: {wish}.")
    return pd.DataFrame({"date": _random_days(rng, month, n), "kind": "assessment", "unit": None, "text": texts,
                         "channel": rng.choice(("email", "survey"), n)})


def _tickets(rng: np.random.Generator, months: pd.DatetimeIndex, as_of: pd.Timestamp) -> pd.DataFrame:
    counts = rng.poisson(TICKETS_PER_MONTH, len(months))
    month_of = np.repeat(np.arange(len(months)), counts)
    n = len(month_of)
    starts = months[month_of]
    opened = (starts + pd.to_timedelta(rng.integers(0, starts.days_in_month), unit="D")
              + pd.to_timedelta(rng.integers(*WORKDAY_MINUTES, n), unit="min"))
    promised = opened + pd.to_timedelta(rng.choice(PROMISE_HOURS, n, p=PROMISE_HOURS_WEIGHTS), unit="h")
    on_time = rng.random(n) < _promise_share(month_of)
    early = opened + (promised - opened) * rng.uniform(0.15, 1.0, n)
    late = promised + pd.to_timedelta(rng.uniform(*LATE_HOURS, n), unit="h")
    closed = pd.Series(np.where(on_time, early, late)).dt.floor("min")
    closed = closed.where(closed <= as_of)  # the last days' tickets are still open when the demo is read
    names, weights = _unit_weights(lambda u: 1.0)
    tickets = pd.DataFrame({"unit": rng.choice(names, n, p=weights), "opened_at": opened,
                            "promised_by": promised, "closed_at": closed.to_numpy()})
    tickets = tickets.sort_values("opened_at", kind="stable", ignore_index=True)
    tickets["ticket_id"] = [f"T-{i:06d}" for i in range(1, n + 1)]
    return tickets


def _survey(rng: np.random.Generator, months: pd.DatetimeIndex, implemented: np.ndarray) -> pd.DataFrame:
    expected = _idea_rate(np.arange(-NPS_LAG, len(months) - NPS_LAG))
    # Before the demo starts, the idea lab ran at its expected early rate.
    actual = np.concatenate([expected[:NPS_LAG], implemented[: len(months) - NPS_LAG]])
    driver = expected + NPS_SURPRISE_WEIGHT * (actual - expected)
    nps = NPS_START + NPS_PER_IDEA * (driver - expected[0]) + rng.normal(0, NPS_NOISE, len(months))
    targets = np.clip(nps, -100, 100)
    parts = [_responses(rng, month, target) for month, target in zip(months, targets, strict=True)]
    survey = pd.concat(parts, ignore_index=True).sort_values("date", kind="stable", ignore_index=True)
    survey["unit"] = ""
    survey["response_id"] = [f"S-{i:06d}" for i in range(1, len(survey) + 1)]
    return survey


def _responses(rng: np.random.Generator, month: pd.Timestamp, nps: float) -> pd.DataFrame:
    """One month's scores whose NPS is the target, give or take rounding."""
    n = int(rng.integers(RESPONSES_PER_MONTH[0], RESPONSES_PER_MONTH[1] + 1))
    promoters = round(n * (1 - PASSIVE_SHARE + nps / 100) / 2)
    detractors = min(n - promoters, round(n * (1 - PASSIVE_SHARE - nps / 100) / 2))
    scores = np.concatenate([
        rng.choice([9, 10], promoters, p=[0.45, 0.55]),
        rng.choice([7, 8], n - promoters - detractors),
        rng.choice(7, detractors, p=np.array([1, 1, 2, 3, 5, 8, 10]) / 30),  # most detractors score 5 or 6
    ])
    return pd.DataFrame({"date": _random_days(rng, month, n), "score": rng.permutation(scores)})


def _readings(rng: np.random.Generator, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Lagging metrics a programme lead would copy in from elsewhere; none of them is a built-in metric key."""
    m = np.arange(len(months))
    n = len(m)
    # Satisfaction follows the training rollout by about two months (Nokia Siemens Networks: up to 20% within a year).
    satisfaction = 62 + 18 * PLAN.coverage(m - 2) + rng.normal(0, 1.2, n)
    # Revenue in millions a month: growth as the service improves, a northern-summer peak in July.
    season = 1 + 0.07 * np.sin(2 * np.pi * (months.month.to_numpy() - 4) / 12)
    revenue = 38 * (1 + 0.4 * _s_curve(m, 16, 5)) * season + rng.normal(0, 0.6, n)
    # The external star rating climbs to four stars, as Air Mauritius's did.
    rating = np.clip(3.3 + 0.8 * _s_curve(m, 14, 4) + rng.normal(0, 0.04, n), 1, 5)
    # Internal IT happiness follows tickets kept within promise, to about +82 (the Virgin Trains service desk).
    happiness = np.clip(82 * (_promise_share(m - 1) - PROMISE_START) / (PROMISE_END - PROMISE_START)
                        + rng.normal(0, 3, n), -100, 100)
    values = {"satisfaction": np.round(satisfaction, 1), "revenue": np.round(revenue, 2),
              "rating": np.round(rating, 1), "happiness": np.round(happiness)}
    return pd.concat([pd.DataFrame({"month": months, "metric": key, "unit": "", "value": v})
                      for key, v in values.items()], ignore_index=True)


def _measures() -> pd.DataFrame:
    """The demo's reported metrics registered with what their figures count, as a lead would (Metric registry)."""
    return pd.DataFrame([
        dict(key="satisfaction", label="Customer satisfaction", kind="lagging", unit="value", direction="up",
             aggregation="mean", measure="points out of 100",
             description="Customer satisfaction index from the monthly passenger survey."),
        dict(key="revenue", label="Revenue", kind="lagging", unit="value", direction="up", aggregation="sum",
             measure="EUR millions", description="Passenger revenue in the month."),
        dict(key="rating", label="External rating", kind="lagging", unit="value", direction="up", aggregation="mean",
             measure="stars out of 5", description="Average star rating on the travel-review site."),
    ])


def _targets(months: pd.DatetimeIndex) -> pd.DataFrame:
    start, end = months[0], months[-1]

    def month(base: pd.Timestamp, offset: int) -> pd.Timestamp:
        return base + pd.DateOffset(months=offset)

    rows = [
        ("nps", month(end, 6), 40.0),
        ("churn_annualised", month(start, 24), 0.05),
        ("training_coverage", month(start, 18), 0.9),
        ("tickets_within_promise", end, 0.9),
        ("happiness", month(start, 18), 64.0),  # the Virgin Trains service desk's target
        ("rating", end, 4.0),
    ]
    return pd.DataFrame(rows, columns=["metric", "by", "value"]).assign(unit="")


def _initiatives(months: pd.DatetimeIndex) -> pd.DataFrame:
    def month(offset: int) -> pd.Timestamp:
        return months[0] + pd.DateOffset(months=offset)

    last = len(months) - 1
    rows = [
        ("Stay conversations with every team", "Amelia Ramsamy", month(1), month(12), "done", None,
         "churn_annualised"),
        ("Service excellence for all staff", "Devesh Pillay", month(2), month(18), "done", None, "training_coverage"),
        ("Love complaints: four-step recovery", "Jonas Berg", month(4), month(16), "done", "Call Centre",
         "praise_complaint_ratio"),
        ("Idea lab: put service ideas into practice", "Claire Dubois", month(6), None, "active", None,
         "ideas_implemented"),
        ("Service desk time promises and updates", "Priya Nair", month(8), month(last + 2), "active",
         "IT Service Desk", "tickets_within_promise"),
        ("Lounge self-service kiosks", "Sara Lindqvist", month(10), month(13), "dropped", "Lounges", "satisfaction"),
        ("Finance service catch-up", "Tom Okafor", month(last + 1), month(last + 4), "planned", LAGGING_UNIT,
         "training_coverage"),
    ]
    return pd.DataFrame(rows, columns=["name", "owner", "start", "end", "status", "unit", "metric"])


def _process_changes(months: pd.DatetimeIndex) -> pd.DataFrame:
    """Changes a lead marked by hand on the process-behaviour charts (initiatives' starts count on their own)."""
    def month(offset: int) -> pd.Timestamp:
        return months[0] + pd.DateOffset(months=offset)

    # Where the story's curves level off: a rollout that has ended runs as a process of its own.
    rows = [
        ("happiness", month(8), "", "IT service desk: every ticket gets a promised time and progress updates"),
        ("training_coverage", month(19), "", "Rollout finished: the course is now part of every induction"),
        ("churn_annualised", month(13), "", "Stay conversations are part of every team's routine"),
    ]
    return pd.DataFrame(rows, columns=["metric", "month", "unit", "reason"])


def _desired_actions(rng: np.random.Generator, months: pd.DatetimeIndex) -> pd.DataFrame:
    """What key customers asked for at each monthly assessment, due by the end of the next month, and what became of
    it; the last month's are still to do."""
    progress = _s_curve(np.arange(len(months)), VOICE_CENTRE, VOICE_WIDTH)
    rows = []
    for i, month in enumerate(months):
        due = month + pd.offsets.MonthEnd(2)
        for _ in range(int(rng.integers(ACTIONS_PER_MONTH[0], ACTIONS_PER_MONTH[1] + 1))):
            unit, action = DESIRED_ACTIONS[int(rng.integers(0, len(DESIRED_ACTIONS)))]
            status, done_on = _action_outcome(rng, due, progress[i], months[-1] + pd.offsets.MonthEnd(0))
            rows.append({"month": month, "customer": str(rng.choice(KEY_CUSTOMERS)), "unit": unit,
                         "action": action.format(city=rng.choice(CITIES)), "due": due, "status": status,
                         "done_on": done_on})
    actions = pd.DataFrame(rows)
    actions.insert(0, "action_id", [f"A-{i:04d}" for i in range(1, len(actions) + 1)])
    return actions


def _action_outcome(rng: np.random.Generator, due: pd.Timestamp, progress: float, as_of: pd.Timestamp):
    """(status, done_on) as known at the demo's last day: nothing is done after it."""
    if rng.random() < ACTIONS_DECLINED:
        return "declined", None
    on_time = ACTIONS_ON_TIME[0] + (ACTIONS_ON_TIME[1] - ACTIONS_ON_TIME[0]) * progress
    days = -int(rng.integers(0, 25)) if rng.random() < on_time else int(rng.integers(*ACTIONS_LATE_DAYS))
    done_on = due + pd.Timedelta(days=days)
    return ("done", done_on) if done_on <= as_of else ("not done", None)
