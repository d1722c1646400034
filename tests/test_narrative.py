"""The monthly narrative, sentence by sentence: golden narratives of four hand-built programmes (every expected
sentence written by hand), the wording rules, the links, the exports and the command line."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from data.store import Store, close_all
from metrics import calc, narrative
from tests import programmes

REPO = Path(__file__).resolve().parent.parent
MONTH = "2025-12"
PERIOD = "from=2024-01&to=2025-12"


@pytest.fixture
def built(tmp_path):
    def build(name: str) -> Store:
        return programmes.PROGRAMMES[name](Store(tmp_path / f"{name}.duckdb", actor="test"))
    return build


def texts(store: Store, **scope) -> list[str]:
    return [s.text for s in narrative.draft(store, MONTH, **scope)]


def test_coverage_stalling_in_the_back_office(built):
    # 150 front-line people gain 6 completions a month (92% by Dec 2025); the 60 in the back office stopped at 20%
    # in May 2024. The organisation: 150 of 210 people, 71%, rising 2.86 points a month: 95% in Sep 2026.
    assert texts(built("stalled_back_office")) == [
        "No lagging metric has a figure for the whole organisation in Dec 2025, so there is no result to report "
        "yet.",
        "Training coverage was 71% in Dec 2025: a process-behaviour signal on the better side of its usual "
        "variation.",
        "Finance, in the back office, is 75 percentage points behind the training plan: 20% of its people have "
        "completed service-excellence, against 95% planned.",
        "IT Service Desk, in the back office, is 75 percentage points behind the training plan: 20% of its people "
        "have completed service-excellence, against 95% planned.",
        "Cabin Crew is 3 percentage points behind the training plan: 92% of its people have completed "
        "service-excellence, against 95% planned.",
        "At the pace of the last 6 months, the whole organisation reaches the plan's 95% coverage in Sep 2026 (80% "
        "interval Sep 2026), after the plan's date of Jun 2026.",
        "At their own pace, these units will not reach the plan's coverage by Jun 2026: Finance (back office), "
        "IT Service Desk (back office).",
        "No initiative started or ended in Dec 2025.",
    ]


def test_the_back_office_narrative_says_it_never_gets_there_at_this_pace(built):
    assert texts(built("stalled_back_office"), function="internal")[0] == (
        "No lagging metric has a figure for the back office in Dec 2025, so there is no result to report yet.")
    assert texts(built("stalled_back_office"), function="internal")[4:6] == [
        "At the pace of the last 6 months, the back office does not reach the plan's 95% coverage within five years "
        "(20% in Dec 2025; the plan's date is Jun 2026).",
        "At their own pace, these units will not reach the plan's coverage by Jun 2026: Finance (back office), "
        "IT Service Desk (back office).",
    ]


def test_nps_following_ideas_by_three_months(built):
    store = built("nps_follows_ideas")
    nps = programmes.following_nps()
    assert (nps[-1], round(nps[-1] - nps[-2], 1)) == (21.0, -2.8)  # the figures of the first sentence
    assert texts(store) == [
        "Net promoter score was +21.0 in Dec 2025, -2.8 on Nov 2025, within its usual variation (no "
        "process-behaviour signal).",
        "Net promoter score has followed ideas put into practice by about 3 months (r = 0.98 over 20 months): the "
        "leading indicator moved first, which is association in time, not proof that it drives the result.",
        "No leading indicator fired a process-behaviour signal or changed its assurance in Dec 2025.",
        "No initiative started or ended in Dec 2025.",
        # Ideas rose by 8 from Sep to Dec 2025 (8 to 16): half a point each, +4.0 on +21.0 by Mar 2026.
        "Net promoter score: at risk for its target of +25.0 by Mar 2026, projected +25.3 (80% interval +23.9 to "
        "+26.7) from the recent changes of ideas put into practice, which it has followed by about 3 months.",
    ]


def test_no_relationship_means_no_projection_and_says_the_evidence_is_not_there(built):
    assert texts(built("no_relationship")) == [
        # A rise of 12 points over two years, steady enough to be a signal: that NPS moved is not in doubt.
        "Net promoter score was +32.0 in Dec 2025, +2.0 on Nov 2025: a process-behaviour signal on the better side "
        "of its usual variation.",
        "The evidence is not there yet that the lagging metrics follow the leading indicators: no lead-lag "
        "correlation clears the significance bar.",
        "No leading indicator fired a process-behaviour signal or changed its assurance in Dec 2025.",
        "No initiative started or ended in Dec 2025.",
        "Net promoter score: no projection for its target of +25.0 by Mar 2026, as no leading indicator clears the "
        "lead-lag significance bar for it yet.",
    ]


def test_a_process_change_on_the_service_desk(built):
    # 12 of 20 tickets within promise until Mar 2025, 16 to 18 after: 60% before the start, 85% now. The initiative's
    # start is a process change: the card judges the new process on its own limits (no signal within it), while the
    # initiative's sentence holds the months since its start against the limits of the months before it.
    assert texts(built("process_change")) == [
        "No lagging metric has a figure for the whole organisation in Dec 2025, so there is no result to report "
        "yet.",
        "No leading indicator fired a process-behaviour signal or changed its assurance in Dec 2025.",
        "Service desk time promises (Priya Nair) ended in Dec 2025. It was meant to move tickets closed within "
        "promise, which has moved to the better side of the limits of the months before it started in Mar 2025: "
        "60% then, 85% in Dec 2025 (process-behaviour rules).",
        "Tickets closed within promise: off track for its target of 90% by Jun 2026, projected 78% (80% interval 67% "
        "to 88%) from the pace of the last 6 months.",
    ]


def test_without_the_process_change_the_step_is_a_signal_of_the_whole_history(built):
    store = built("process_change")
    with store.transaction("test") as tx:
        tx.delete_all("initiatives")
    assert texts(store)[1:3] == [
        "Tickets closed within promise was 85% in Dec 2025: a process-behaviour signal on the better side of its "
        "usual variation.",
        "No initiative started or ended in Dec 2025.",
    ]


def test_an_initiative_is_not_judged_before_its_expected_lag(built):
    store = built("process_change")
    with store.transaction("test") as tx:
        tx.upsert("initiatives", pd.DataFrame([{"name": "Desk follow-up calls", "owner": "Sam Ode",
                                                "start": "2025-12-01", "status": "active",
                                                "metric": "tickets_within_promise", "expected_lag_months": 3}]))
    assert ("Desk follow-up calls (Sam Ode) started in Dec 2025. It is meant to move tickets closed within promise, "
            "expected within 3 months of its start in Dec 2025, so not before Mar 2026.") in texts(store)


def test_every_sentence_links_to_the_view_that_shows_its_figures(built):
    links = {s.id: s.link for s in narrative.draft(built("process_change"), MONTH)}
    assert links["signals:none"] == f"?{PERIOD}"
    # The process behaviour chart of the metric shows the process before the initiative's start and after it.
    assert links["initiatives:Service desk time promises"] == f"process?{PERIOD}&metric=tickets_within_promise"
    evidence = next(s for s in narrative.draft(built("nps_follows_ideas"), MONTH) if s.condition == "evidence")
    assert evidence.link == f"lead_lag?{PERIOD}&lead=ideas_implemented&lag=nps&shift=3"
    finance = narrative.draft(built("stalled_back_office"), MONTH, unit="Finance")
    assert all("unit=Finance" in s.link for s in finance)


def test_every_sentence_carries_the_figures_it_states(built):
    for name in programmes.PROGRAMMES:
        for sentence in narrative.draft(built(name), MONTH):
            for figure in sentence.figures.values():
                assert figure in sentence.text or figure[0].upper() + figure[1:] in sentence.text, (name, sentence)


@pytest.mark.parametrize("text, problem", [
    ("{metric} rose because of {lead}.", "claims a cause ('because')"),
    ("{metric} is improving.", "claims a movement without a signal ('improving')"),
    ("{metric} moved due to training.", "claims a cause ('due to')"),
])
def test_the_wording_rules_refuse_a_claim_the_figures_do_not_support(text, problem):
    assert narrative.wording_problems([("targets", "projected", text, "process")]) == [f"targets/projected: {problem}"]


def test_the_templates_in_use_keep_the_rules():
    assert narrative.wording_problems(narrative._TEMPLATE_ROWS) == []
    assert "improving" not in " ".join(t.text for t in narrative.TEMPLATES.values()).lower()


def test_a_month_without_figures_is_refused_with_the_months_there_are(built):
    with pytest.raises(calc.FilterError, match="run from 2024-01 to 2025-12"):
        narrative.draft(built("process_change"), "2026-05")


def test_markdown_keeps_user_text_literal_and_text_keeps_it_plain(built):
    store = built("process_change")
    with store.transaction("test") as tx:
        tx.upsert("initiatives", pd.DataFrame([{"name": "[Click](http://evil) *now*", "owner": "Sam",
                                                "start": "2025-12-01", "status": "active"}]))
    sentences = narrative.draft(store, MONTH)
    markdown = narrative.to_markdown(sentences, "Dec", "https://tracker.example.org")
    assert r"\[Click\]\(http\://evil\) \*now\* \(Sam\) started in Dec 2025\." in markdown
    assert "](https://tracker.example.org/process?" in markdown  # the links of our own views stay links
    text = narrative.to_text(sentences, "Dec", "https://tracker.example.org")
    assert "[Click](http://evil) *now* (Sam) started in Dec 2025." in text.splitlines()
    assert "  https://tracker.example.org/?from=2024-01&to=2025-12" in text.splitlines()


def test_the_command_line_prints_the_draft_as_markdown_with_links(built, tmp_path):
    built("nps_follows_ideas")
    close_all()
    result = subprocess.run([sys.executable, "-m", "metrics", "narrative", "--month", MONTH, "--db",
                             str(tmp_path / "nps_follows_ideas.duckdb")], cwd=REPO, capture_output=True, text=True,
                            timeout=120, env={"PATH": "/usr/bin:/bin", "TRACKER_PUBLIC_URL": "https://t.example.org"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == r"# Service culture programme, Dec 2025\: the whole organisation"
    assert "## Targets" in lines
    evidence = next(line for line in lines if "has followed" in line)
    assert evidence.endswith(f"[View the figures](https://t.example.org/lead_lag?{PERIOD}&lead=ideas_implemented"
                             "&lag=nps&shift=3)")


def test_the_command_line_names_the_months_there_are(built, tmp_path):
    built("nps_follows_ideas")
    close_all()
    result = subprocess.run([sys.executable, "-m", "metrics", "narrative", "--month", "2023-01", "--db",
                             str(tmp_path / "nps_follows_ideas.duckdb")], cwd=REPO, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1 and "No figures for 2023-01" in result.stderr and not result.stdout


def test_a_lagging_metric_moving_the_unwanted_way_is_said_as_such_and_not_projected(tmp_path):
    store = programmes.nps_against_ideas(Store(tmp_path / "against.duckdb", actor="test"))
    assert texts(store) == [
        "Net promoter score was +19.0 in Dec 2025, +2.2 on Nov 2025, within its usual variation (no "
        "process-behaviour signal).",
        # Not "the evidence is not there yet": there is evidence, and it is against the programme.
        "Net promoter score has moved the unwanted way after ideas put into practice: about 3 months later, falling "
        "when it rises (r = -0.97 over 20 months). Not evidence that the programme works.",
        "No leading indicator fired a process-behaviour signal or changed its assurance in Dec 2025.",
        "No initiative started or ended in Dec 2025.",
        "Net promoter score: no projection for its target of +25.0 by Mar 2026, as its only lead-lag evidence runs "
        "the unwanted way (after ideas put into practice), which is no basis for a projection.",
    ]
    pair = f"lead_lag?{PERIOD}&lead=ideas_implemented&lag=nps&shift=3"
    assert [s.link for s in narrative.draft(store, MONTH)][1::3] == [pair, pair]
    assert narrative.outlook.evidence(store, "nps") is None
    assert [p.row[:3] + [p.status] for p in narrative.outlook.outlook(store)] == [["nps", "2026-03", 25.0, ""]]
