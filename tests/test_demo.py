"""The demo programme: deterministic frames, one-transaction load and clear, and the story its figures must tell."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from data.demo import DEMO_LABEL, DEMO_MONTHS, LAGGING_UNIT, clear_demo, demo_frames, load_demo
from data.formats import FORMATS
from data.schema import NARRATIVE_TABLES, WORKSHOP_TABLES
from data.store import Store, close_all

END = date(2025, 6, 1)
MONTHS = pd.period_range(end=pd.Period(END, "M"), periods=DEMO_MONTHS, freq="M")
# What another system's exports fill (a roster instead of typed headcount, training by person, promised hours per
# priority, saved mappings): the demo's figures are typed as a first programme's are, so it leaves them empty.
OTHER_SYSTEMS_TABLES = {"roster", "training_people", "promise_hours", "mappings"}
BUILTIN_KEYS = {"ideas_implemented", "ideas_per_100_staff", "training_coverage", "churn_annualised",
                "praise_complaint_ratio", "tickets_within_promise", "nps"}


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return demo_frames(END)


@pytest.fixture
def store(tmp_path):
    yield Store(tmp_path / "demo.duckdb", actor="test")
    close_all()


def per_month(dates: pd.Series) -> np.ndarray:
    return dates.dt.to_period("M").value_counts().reindex(MONTHS, fill_value=0).to_numpy()


# -- determinism and shape -----------------------------------------------------------------------------------------
def test_same_seed_gives_same_frames_and_another_seed_does_not(frames):
    again = demo_frames(END)
    for table in frames:
        pd.testing.assert_frame_equal(frames[table], again[table])
    assert not demo_frames(END, seed=7)["survey"].equals(frames["survey"])


def test_frames_have_exactly_the_table_columns_over_thirty_months(frames):
    assert set(frames) == set(FORMATS) - OTHER_SYSTEMS_TABLES
    for table, fmt in ((t, FORMATS[t]) for t in frames):
        # Every column of the import format; what the tracker keeps beside it (feedback...) may be left out.
        assert {c.name for c in fmt.columns if not c.kept} <= set(frames[table].columns) <= set(fmt.names), table
    months = frames["headcount"]["month"].dt.to_period("M")
    assert months.nunique() == DEMO_MONTHS and months.max() == pd.Period(END, "M")
    assert 10 <= len(frames["units"]) <= 16 and 1_500 <= frames["headcount"].groupby("month").headcount.sum().min()


def test_frames_follow_the_import_rules(frames):
    units = set(frames["units"]["unit"])
    assert set(frames["units"]["function"]) == {"frontline", "internal", "leadership"}
    assert set(frames["units"]["parent"].dropna()) <= units
    for table in ("headcount", "training", "ideas", "tickets"):
        assert set(frames[table]["unit"]) <= units, table

    ideas = frames["ideas"]
    assert set(ideas["status"]) == {"submitted", "review", "approved", "implemented", "rejected"}
    assert ((ideas["status"] == "implemented") == ideas["implemented_on"].notna()).all()
    implemented = ideas.dropna(subset=["implemented_on"])
    assert (implemented["submitted_on"] < implemented["implemented_on"]).all()
    assert ideas["idea_id"].is_unique and ideas["title"].str.len().min() > 10

    voice = frames["voice"]
    assert set(voice["kind"]) == {"praise", "complaint", "assessment"}
    assert set(voice["channel"]) <= {"email", "survey", "social", "app", "desk"}
    assert voice["text"].str.len().min() > 10

    tickets = frames["tickets"]
    promise = tickets["promised_by"] - tickets["opened_at"]
    assert promise.between(pd.Timedelta(days=1), pd.Timedelta(days=5)).all()
    closed = tickets.dropna(subset=["closed_at"])
    assert (closed["closed_at"] >= closed["opened_at"]).all()
    # Only the last days' tickets are still open when the demo is read (at the end of its last month).
    opened_last = tickets.loc[tickets["closed_at"].isna(), "opened_at"]
    assert len(opened_last) and opened_last.min() >= pd.Timestamp(END) + pd.offsets.MonthEnd(0) - pd.Timedelta(days=10)

    survey = frames["survey"]
    assert survey["score"].between(0, 10).all() and (survey["unit"] == "").all()
    assert per_month(survey["date"]).min() >= 150
    assert frames["plan"]["planned_coverage"].between(0, 1).all()
    assert not set(frames["readings"]["metric"]) & BUILTIN_KEYS
    assert {"satisfaction", "revenue", "rating", "happiness"} <= set(frames["readings"]["metric"])
    assert set(frames["initiatives"]["status"]) <= {"planned", "active", "done", "dropped"}
    assert 5 <= len(frames["initiatives"]) <= 7


def test_frames_pass_the_importers_checks(frames, store):
    from data import importer  # here, not at the top, so a problem in another package fails only its own tests
    files = {f"{table}.csv": frame.to_csv(index=False).encode() for table, frame in frames.items()}
    assert importer.plan_import(store, files).problems == []


# -- loading and clearing -----------------------------------------------------------------------------------------
def test_load_demo_fills_every_table_for_this_month_and_marks_the_database(store):
    summary = load_demo(store)
    assert summary.changed > 10_000
    # Workshops and edited narratives are written by people using the tracker, never by the demo.
    assert all(n for table, n in store.counts().items()
               if table not in (*WORKSHOP_TABLES, *NARRATIVE_TABLES) and table not in OTHER_SYSTEMS_TABLES)
    assert store.setting("demo") == "1" and store.setting("demo_label") == DEMO_LABEL
    assert store.setting("all_staff_course") == "service-excellence"
    # The last complete month: the demo holds nothing dated after today.
    last_month = (pd.Timestamp(date.today()).to_period("M") - 1).to_timestamp().date()
    assert store.scalar("SELECT max(month) FROM headcount") == last_month
    assert store.scalar("SELECT max(date) FROM survey") < date.today()
    assert store.scalar("SELECT count(*) FROM audit WHERE table_name IS NULL AND action = 'demo'") == 1


def test_loading_twice_changes_nothing_the_second_time(store):
    load_demo(store, END)
    version = store.data_version()
    assert load_demo(store, END).changed == 0
    assert store.data_version() == version


def test_loading_a_later_month_replaces_the_older_demo(store):
    load_demo(store, END)
    load_demo(store, date(2025, 9, 1))
    months = store.query("SELECT DISTINCT month FROM headcount ORDER BY month")["month"]
    assert len(months) == DEMO_MONTHS and months.iloc[-1] == pd.Timestamp(2025, 9, 1)


def test_clear_demo_empties_every_table_and_audits_each_deletion(store):
    load_demo(store, END)
    before = sum(store.counts().values())
    summary = clear_demo(store)
    assert not any(store.counts().values())
    assert store.setting("demo") == "0" and not store.is_demo()
    assert summary.changed == before + 1  # every record and the demo flag
    deleted = store.scalar("SELECT count(*) FROM audit WHERE action = 'clear-demo' AND table_name IS NOT NULL "
                           "AND table_name <> 'settings' AND after IS NULL AND before IS NOT NULL")
    assert deleted == before


# -- the story, from the frames with hand formulas -------------------------------------------------------------------
def org_churn(frames) -> np.ndarray:
    org = frames["headcount"].groupby("month")[["headcount", "leavers"]].sum()
    leavers, heads = org["leavers"].to_numpy(), org["headcount"].to_numpy()
    churn = []
    for k in range(len(org)):
        n = min(12, k + 1)
        churn.append(leavers[k + 1 - n:k + 1].sum() / heads[k + 1 - n:k + 1].mean() * 12 / n)
    return np.array(churn)


def test_churn_falls_from_above_nine_to_below_five_per_cent(frames):
    churn = org_churn(frames)
    assert churn[0] > 0.09 and churn[-1] < 0.05


def test_praise_to_complaints_ratio_rises_at_least_sevenfold(frames):
    voice = frames["voice"]
    praise = per_month(voice.loc[voice["kind"] == "praise", "date"])
    complaints = per_month(voice.loc[voice["kind"] == "complaint", "date"])
    start, end = praise[:3].sum() / complaints[:3].sum(), praise[-3:].sum() / complaints[-3:].sum()
    assert end / start >= 7


def test_lagging_back_office_unit_is_far_behind_on_all_staff_coverage(frames):
    heads = frames["headcount"].query("month == month.max()").set_index("unit")["headcount"]
    training = frames["training"].query("course == 'service-excellence'")
    covered = training.groupby("unit")["completed"].sum().reindex(heads.index, fill_value=0).clip(upper=heads)
    assert covered[LAGGING_UNIT] / heads[LAGGING_UNIT] < 0.5
    assert covered.sum() / heads.sum() >= 0.8
    assert (covered / heads).drop(LAGGING_UNIT).min() > 0.85


def ideas_implemented(frames) -> np.ndarray:
    ideas = frames["ideas"]
    return per_month(ideas.loc[ideas["status"] == "implemented", "implemented_on"])


def nps(frames) -> np.ndarray:
    survey = frames["survey"]
    by_month = survey.groupby(survey["date"].dt.to_period("M"))["score"]
    return by_month.apply(lambda s: ((s >= 9).mean() - (s <= 6).mean()) * 100).to_numpy()


def test_ideas_put_into_practice_grow_more_than_fivefold(frames):
    ideas = ideas_implemented(frames)
    assert ideas[-3:].sum() > 5 * ideas[:3].sum()


def test_nps_follows_ideas_by_three_months(frames):
    lead, lag = np.diff(ideas_implemented(frames).astype(float)), np.diff(nps(frames))
    r = {k: np.corrcoef(lead[:len(lead) - k], lag[k:])[0, 1] for k in range(13)}
    clearing = {k: v for k, v in r.items() if v > 1.96 / np.sqrt(len(lead) - k)}
    assert max(clearing, key=clearing.get) == 3
    assert nps(frames)[-3:].mean() > nps(frames)[:3].mean() + 20


def test_tickets_within_promise_rise_from_about_sixty_to_about_ninety_per_cent(frames):
    closed = frames["tickets"].dropna(subset=["closed_at"])
    within = (closed["closed_at"] <= closed["promised_by"]).groupby(closed["closed_at"].dt.to_period("M")).mean()
    assert within.iloc[:3].mean() < 0.7 and within.iloc[-3:].mean() > 0.85


def test_metrics_on_the_loaded_demo_tell_the_same_story(store):
    from metrics import calc  # here, not at the top, so a problem in another package fails only its own tests
    load_demo(store, END)
    figures = calc.monthly(store).pivot(index="month", columns="metric", values="value").sort_index()
    assert figures.index[-1] == END.strftime("%Y-%m")
    assert figures["churn_annualised"].iloc[-1] < 0.05
    assert figures["nps"].iloc[-3:].mean() > figures["nps"].iloc[:3].mean() + 20
