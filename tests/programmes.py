"""Four hand-built programmes for the outlook and narrative golden tests, each written into a real DuckDB file.

Every figure is chosen by hand so that each expected sentence can be worked out on paper: 24 months from Jan 2024 to
Dec 2025, and the narrative is read for Dec 2025.
- stalled_back_office: the front line is trained on plan, the back office stops at a fifth of its people.
- nps_follows_ideas: NPS moves three months after ideas put into practice, change for change.
- no_relationship: ideas and NPS move, but not together.
- process_change: an initiative on the service desk's time promises starts in Mar 2025; tickets closed within promise
  step up from about 60% to about 85% the month after, and the initiative ends in Dec 2025.
And one beyond the four: nps_against_ideas, an NPS that falls three months after ideas rise (the unwanted way).
"""
from __future__ import annotations

import pandas as pd

from data.store import Store

FIRST, LAST = "2024-01", "2025-12"
MONTHS = [p.strftime("%Y-%m") for p in pd.period_range(FIRST, LAST, freq="M")]
COURSE = "service-excellence"
UNITS = (("Cabin Crew", "frontline", 100), ("Call Centre", "frontline", 50), ("IT Service Desk", "internal", 40),
         ("Finance", "internal", 20))

# Ideas put into practice per month: a zig-zag with no trend, so that its changes are large and varied.
IDEAS = [6, 10, 7, 12, 8, 5, 11, 9, 14, 8, 12, 7, 13, 9, 6, 12, 10, 15, 9, 13, 8, 14, 11, 16]
# NPS changes 0.5 points per idea changed three months earlier, plus a small wobble of its own.
WOBBLE = [0.9, -0.6, 0.3, -0.9, 0.6, 0.0, -0.3, 0.9, -0.6, 0.3, -0.3, 0.6,
          0.0, -0.9, 0.6, 0.3, -0.6, 0.9, -0.3, 0.0, 0.6, -0.6, 0.3, -0.3]
# An NPS unrelated to the ideas: a slow rise with a wobble of its own.
UNRELATED_NPS = [20.0, 21.5, 20.5, 22.0, 23.5, 22.5, 22.0, 24.0, 25.5, 24.5, 24.0, 26.0,
                 27.5, 26.5, 26.0, 28.0, 29.5, 28.5, 28.0, 30.0, 31.5, 30.5, 30.0, 32.0]
TICKETS_PER_MONTH = 20
CHANGE_MONTH = "2025-03"  # the initiative's start in process_change
# Tickets closed within promise per month (of 20): about 12 (60%) to Mar 2025, about 17 (85%) from Apr 2025.
WITHIN_PROMISE = [12, 11, 13, 12, 12, 13, 11, 12, 12, 13, 12, 11, 12, 12, 12,
                  17, 17, 16, 17, 18, 17, 17, 16, 17]


def _month_start(month: str) -> str:
    return f"{month}-01"


def _units(tx) -> None:
    tx.upsert("units", pd.DataFrame([{"unit": u, "function": f, "parent": None} for u, f, _n in UNITS]))
    tx.upsert("headcount", pd.DataFrame([{"month": _month_start(m), "unit": u, "headcount": n, "leavers": 0}
                                         for m in MONTHS for u, _f, n in UNITS]))


def _ideas(tx, counts: list[int]) -> None:
    rows = [{"idea_id": f"I{m}-{i}", "title": f"Idea {i} of {m}", "unit": "Cabin Crew", "submitted_on": f"{m}-02",
             "status": "implemented", "implemented_on": f"{m}-15"}
            for m, n in zip(MONTHS, counts, strict=True) for i in range(n)]
    tx.upsert("ideas", pd.DataFrame(rows))


def _readings(tx, metric: str, values: list[float]) -> None:
    tx.upsert("readings", pd.DataFrame({"month": [_month_start(m) for m in MONTHS], "metric": metric, "unit": "",
                                        "value": values}))


def _target(tx, metric: str, by: str, value: float, unit: str = "") -> None:
    tx.upsert("targets", pd.DataFrame([{"metric": metric, "by": _month_start(by), "unit": unit, "value": value}]))


def following_nps(weight: float = 0.5) -> list[float]:
    """NPS from 20.0, each month's change `weight` x the ideas' change three months earlier plus the month's wobble
    (a negative weight: NPS falls three months after ideas rise)."""
    values = [20.0]
    for t in range(1, len(MONTHS)):
        lead_change = IDEAS[t - 3] - IDEAS[t - 4] if t >= 4 else 0
        values.append(round(values[-1] + weight * lead_change + WOBBLE[t], 1))
    return values


def _write(store: Store, action: str, build) -> Store:
    with store.transaction(action) as tx:
        build(tx)
    return store


def stalled_back_office(store: Store) -> Store:
    """Completions: the front line 4% of its people a month from Feb 2024 (92% by Dec 2025), the back
    office 5% a month from Feb to May 2024 and none after. Plan: 5% a month from Jan 2024 to 95% by Jun 2026."""
    def build(tx) -> None:
        _units(tx)
        rows = []
        for u, function, n in UNITS:
            share, stop = (0.04, "2025-12") if function == "frontline" else (0.05, "2024-05")
            rows += [{"date": f"{m}-10", "unit": u, "course": COURSE, "completed": round(share * n)}
                     for m in MONTHS[1:] if m <= stop]
        tx.upsert("training", pd.DataFrame(rows))
        plan = pd.period_range("2024-01", "2026-06", freq="M")
        tx.upsert("plan", pd.DataFrame({"month": [p.strftime("%Y-%m-01") for p in plan], "course": COURSE, "unit": "",
                                        "planned_coverage": [min(0.95, 0.05 * (i + 1)) for i in range(len(plan))]}))
    return _write(store, "stalled back office", build)


def nps_follows_ideas(store: Store) -> Store:
    """IDEAS, and an NPS that follows them by three months (following_nps); an NPS target of 25 by Mar 2026."""
    def build(tx) -> None:
        _units(tx)
        _ideas(tx, IDEAS)
        _readings(tx, "nps", following_nps())
        _target(tx, "nps", "2026-03", 25.0)
    return _write(store, "nps follows ideas", build)


def no_relationship(store: Store) -> Store:
    """IDEAS, and an NPS that ignores them (UNRELATED_NPS); the same NPS target."""
    def build(tx) -> None:
        _units(tx)
        _ideas(tx, IDEAS)
        _readings(tx, "nps", UNRELATED_NPS)
        _target(tx, "nps", "2026-03", 25.0)
    return _write(store, "no relationship", build)


def _tickets(tx) -> None:
    rows = []
    for m, within in zip(MONTHS, WITHIN_PROMISE, strict=True):
        for i in range(TICKETS_PER_MONTH):
            closed = f"{m}-10 12:00:00" if i < within else f"{m}-20 12:00:00"
            rows.append({"ticket_id": f"T{m}-{i}", "unit": "IT Service Desk", "opened_at": f"{m}-01 09:00:00",
                         "promised_by": f"{m}-15 17:00:00", "closed_at": closed})
    tx.upsert("tickets", pd.DataFrame(rows))


def process_change(store: Store) -> Store:
    """Tickets of the IT Service Desk (WITHIN_PROMISE of 20 a month), the initiative that set out to move them (Mar to
    Dec 2025), and a target of 90% within promise by Jun 2026."""
    def build(tx) -> None:
        _units(tx)
        _tickets(tx)
        tx.upsert("initiatives", pd.DataFrame([{
            "name": "Service desk time promises", "owner": "Priya Nair", "start": f"{CHANGE_MONTH}-01",
            "end": "2025-12-31", "status": "done", "unit": "IT Service Desk", "metric": "tickets_within_promise",
            "expected_effect": "more tickets closed within the promised time", "expected_lag_months": 2}]))
        _target(tx, "tickets_within_promise", "2026-06", 0.9)
    return _write(store, "process change", build)


def nps_against_ideas(store: Store) -> Store:
    """IDEAS, and an NPS that falls three months after they rise (the unwanted way); the same NPS target."""
    def build(tx) -> None:
        _units(tx)
        _ideas(tx, IDEAS)
        _readings(tx, "nps", following_nps(-0.5))
        _target(tx, "nps", "2026-03", 25.0)
    return _write(store, "nps against ideas", build)


PROGRAMMES = {"stalled_back_office": stalled_back_office, "nps_follows_ideas": nps_follows_ideas,
              "no_relationship": no_relationship, "process_change": process_change}
