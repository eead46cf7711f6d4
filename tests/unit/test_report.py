"""Agency reports: the figures from a known population, in every format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import statistics
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from helping_process import Action
from helping_process import Event
from helping_process import InterventionModel
from helping_process import InvalidInputError
from helping_process import MoveCase
from helping_process import ReopenCase
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminateCase
from helping_process import TerminationReason
from helping_process import WorkerRole
from helping_process.policy import Policy
from helping_process.policy import Rule
from helping_process.report import Durations
from helping_process.report import Report
from helping_process.report import build_report
from helping_process.report import render_csv
from helping_process.report import render_html
from helping_process.report import render_json
from helping_process.report import render_text
from helping_process.states import parse_record
from helping_process.testing import EPOCH
from helping_process.testing import FixedClock
from helping_process.testing import Walk
from helping_process.testing import activity_data
from helping_process.testing import add
from helping_process.testing import evaluation_data
from helping_process.testing import plan_data
from helping_process.testing import walk

R = TerminationReason
S = Stage
DAY = dt.timedelta(days=1)
NOTE = "New information changes the plan."
AS_OF = EPOCH + 100 * DAY
GAS_GOALS = [f"g{index}" for index in range(1, 7)]


def seed_case() -> Walk:
    """docs/domain.md §7: goals 1-5 planned, 1, 3 and 5 achieved (attainment 0.6)."""
    clock = FixedClock()
    walked = walk("planning", clock=clock, case_id="seed")
    clock.advance(days=10)
    walked = walked.then(
        add("plan", plan_data(["1", "2", "3", "4", "5"])),
        MoveCase(target=S.INTERVENTION),
    )
    clock.advance(days=20)
    walked = walked.then(
        add("activity", activity_data(["1"], on=clock.today())),
        MoveCase(target=S.EVALUATION),
    )
    clock.advance(days=5)
    return walked.then(
        add("evaluation", evaluation_data(["1", "3", "5"])),
        TerminateCase(reason=R.NO_MEANINGFUL_PROGRESS, note="No further progress."),
    )


def gas_case() -> Walk:
    """docs/domain.md §7: scores (-2,0,-1,2,0,1), weights (3,5,1,4,2,6): T = 55.000."""
    clock = FixedClock()
    walked = walk("planning", clock=clock, case_id="gas")
    plan = plan_data(GAS_GOALS, gas=True)
    for goal, weight in zip(plan["goals"], (3, 5, 1, 4, 2, 6), strict=True):
        goal["gas"]["weight"] = weight
    scores = dict(zip(GAS_GOALS, (-2, 0, -1, 2, 0, 1), strict=True))
    clock.advance(days=7)
    walked = walked.then(add("plan", plan), MoveCase(target=S.INTERVENTION))
    clock.advance(days=30)
    walked = walked.then(
        add("activity", activity_data(on=clock.today(), role="enabler")),
        MoveCase(target=S.EVALUATION),
    )
    clock.advance(days=3)
    return walked.then(
        add("evaluation", evaluation_data(GAS_GOALS, scores)),
        TerminateCase(reason=R.GOALS_ACHIEVED, note="Every goal is met."),
    )


def early_case() -> Walk:
    """An early termination from assessment, with sub-reason and referral."""
    clock = FixedClock()
    walked = walk("assessment", clock=clock, case_id="early")
    clock.advance(days=3)
    return walked.then(
        TerminateCase(
            reason=R.BEYOND_AGENCY_CAPACITY,
            sub_reason=SubReason.NEEDS_OTHER_DISCIPLINE,
            referral_to="RSJ Menur",
            note="Needs psychiatric care.",
        )
    )


def loop_case() -> Walk:
    """Re-planned from intervention and from evaluation; open in intervention."""
    clock = FixedClock()
    walked = walk("intervention", clock=clock, case_id="loop")
    clock.advance(days=2)
    coerce = activity_data(
        on=clock.today(), role="educator", model="coerce", justification="Court."
    )
    walked = walked.then(
        add("activity", coerce),
        MoveCase(target=S.PLANNING, note=NOTE),
        add("plan", plan_data()),
        MoveCase(target=S.INTERVENTION),
    )
    clock.advance(days=4)
    walked = walked.then(
        add(
            "activity", activity_data(on=clock.today(), role="advocate", model="induce")
        ),
        MoveCase(target=S.EVALUATION),
        add("evaluation", evaluation_data(["g1"])),
        MoveCase(target=S.PLANNING, note=NOTE),
        add("plan", plan_data()),
        MoveCase(target=S.INTERVENTION),
    )
    clock.advance(days=1)
    return walked.then(add("activity", activity_data(on=clock.today())))


def idle_case() -> Walk:
    """Opened and left in engagement."""
    return walk("engagement", case_id="idle")


def reopened_case() -> Walk:
    """Goals achieved at once, then reopened the next day."""
    clock = FixedClock()
    walked = walk("termination", clock=clock, case_id="again")
    clock.advance(days=1)
    return walked.then(ReopenCase(note="The family asked again."))


BUILDERS: tuple[Callable[[], Walk], ...] = (
    reopened_case,
    early_case,
    gas_case,
    idle_case,
    loop_case,
    seed_case,
)


@pytest.fixture(scope="module")
def events() -> list[Event]:
    """Every event of the population, case by case (as a store scans them)."""
    return [event for build in BUILDERS for event in build().events]


@pytest.fixture(scope="module")
def report(events: list[Event]) -> Report:
    """The population's report as of day 100, with the default policy."""
    return build_report(
        iter(events), policy=Policy(), as_of=AS_OF, agency="LKS <Mawar> & Co"
    )


def forged(walked: Walk, **fields: Any) -> tuple[Event, ...]:
    """Return the walk's events plus a record event made by hand (imported data)."""
    last = walked.events[-1]
    event = attrs.evolve(
        last,
        seq=last.seq + 1,
        action=Action.RECORD,
        from_stage=walked.case.stage,
        to_stage=walked.case.stage,
        reason=None,
        sub_reason=None,
        referral_to=None,
        note=None,
        **fields,
    )
    return (*walked.events, event)


def csv_values(text: str) -> dict[tuple[str, str], str]:
    """Read a tidy CSV into (section, key) -> value."""
    rows = list(csv.DictReader(io.StringIO(text)))
    return {(row["section"], row["key"]): row["value"] for row in rows}


class TestFigures:
    def test_cases_per_stage(self, report: Report):
        """Each case is counted once, in the stage it stands in."""
        assert report.cases == 6
        assert dict(report.cases_by_stage) == {
            S.ENGAGEMENT: 2,
            S.INTAKE: 0,
            S.CONTRACT: 0,
            S.ASSESSMENT: 0,
            S.PLANNING: 0,
            S.INTERVENTION: 1,
            S.EVALUATION: 0,
            S.TERMINATION: 3,
        }
        assert report.open_cases == 3

    def test_opened_and_reopened(self, report: Report):
        """Opening and reopening are counted."""
        assert (report.opened, report.reopened) == (6, 1)

    def test_terminations(self, report: Report):
        """Terminations count by reason, sub-reason and kind."""
        assert {r: n for r, n in report.terminations_by_reason.items() if n} == {
            R.GOALS_ACHIEVED: 2,
            R.NO_MEANINGFUL_PROGRESS: 1,
            R.BEYOND_AGENCY_CAPACITY: 1,
        }
        assert {p: n for p, n in report.terminations_by_sub_reason.items() if n} == {
            (R.BEYOND_AGENCY_CAPACITY, SubReason.NEEDS_OTHER_DISCIPLINE): 1
        }
        assert len(report.terminations_by_sub_reason) == 9
        assert (report.planned_terminations, report.early_terminations) == (3, 1)
        assert report.terminated == 4

    def test_loops(self, report: Report):
        """Moves back to planning and assessment count by where they came from."""
        assert dict(report.replans) == {S.INTERVENTION: 1, S.EVALUATION: 1}
        assert dict(report.reassessments) == {
            S.PLANNING: 0,
            S.INTERVENTION: 0,
            S.EVALUATION: 0,
        }
        assert report.resumes == 0

    def test_time_in_stage(self, report: Report):
        """Median and 90th percentile agree with the statistics module."""
        intervention = [0, 2, 4, 20, 30]  # again, loop (twice), seed, gas
        p90 = statistics.quantiles(intervention, n=10, method="inclusive")[-1]

        assert report.time_in_stage[S.INTERVENTION] == Durations(
            count=5, median_days=statistics.median(intervention), p90_days=p90
        )
        assert report.time_in_stage[S.EVALUATION].count == 4
        assert S.TERMINATION not in report.time_in_stage

    def test_episode_length(self, report: Report):
        """Episodes run from opening to termination: 0, 3, 35 and 40 days."""
        assert report.episode_length == Durations(
            count=4, median_days=19.0, p90_days=38.5
        )

    def test_goal_attainment(self, report: Report):
        """The last evaluation of each episode counts: 1, 1, 0.5 and 0.6."""
        assert report.attainment.episodes == 4
        assert report.attainment.mean_ratio == pytest.approx(0.775)

    def test_seed_attainment(self):
        """That example alone: three of five goals is an attainment of 0.6."""
        alone = build_report(seed_case().events, policy=Policy(), as_of=AS_OF)

        assert alone.attainment.mean_ratio == pytest.approx(0.6)

    def test_gas_t_score(self, report: Report):
        """The GAS case scores T = 55.000 with the plan's weights."""
        assert report.gas.evaluations == 1
        assert report.gas.mean_t == pytest.approx(55.0, abs=5e-4)
        assert (report.gas.min_t, report.gas.max_t) == (
            report.gas.mean_t,
            report.gas.mean_t,
        )
        assert report.gas.at_or_above_expected == 1

    def test_activities(self, report: Report):
        """Activities count by worker role and by intervention model."""
        roles = {role: n for role, n in report.activities_by_role.items() if n}
        models = {model: n for model, n in report.activities_by_model.items() if n}

        assert roles == {
            WorkerRole.ENABLER: 1,
            WorkerRole.BROKER: 3,
            WorkerRole.ADVOCATE: 1,
            WorkerRole.EDUCATOR: 1,
        }
        assert models == {
            InterventionModel.INDUCE: 1,
            InterventionModel.PERSUADE: 4,
            InterventionModel.COERCE: 1,
        }

    def test_findings(self, report: Report):
        """The policy findings of the window are part of the report."""
        assert [(f.case_id, f.rule) for f in report.findings] == [
            ("again", Rule.STAGE_OVERDUE),
            ("again", Rule.IDLE_CASE),
            ("idle", Rule.STAGE_OVERDUE),
            ("idle", Rule.IDLE_CASE),
            ("loop", Rule.IDLE_CASE),
        ]
        assert report.findings_by_rule[Rule.IDLE_CASE] == 3

    def test_the_policy_is_applied(self, events: list[Event]):
        """The agency's policy decides which findings there are."""
        policy = Policy(disabled=["idle_case"], max_days={"engagement": 365})

        quiet = build_report(events, policy=policy, as_of=AS_OF)

        assert quiet.findings == ()
        assert quiet.policy is policy

    def test_a_mapping_of_cases(self, events: list[Event], report: Report):
        """A mapping of case id to events gives the same report."""
        by_case: dict[str, list[Event]] = {}
        for event in events:
            by_case.setdefault(event.case_id, []).append(event)

        again = build_report(
            by_case, policy=Policy(), as_of=AS_OF, agency="LKS <Mawar> & Co"
        )

        assert again == report

    def test_reassessment_and_resume(self):
        """Resuming intervention and reassessing from it are counted apart."""
        walked = walk("evaluation").then(
            add("evaluation", evaluation_data(["g1"])),
            MoveCase(target=S.INTERVENTION, note=NOTE),
            add("activity", activity_data()),
            MoveCase(target=S.ASSESSMENT, note=NOTE),
        )

        looped = build_report(walked.events, policy=Policy(), as_of=AS_OF)

        assert (looped.resumes, looped.reassessments[S.INTERVENTION]) == (1, 1)
        assert sum(looped.replans.values()) == 0

    def test_forged_evaluations_are_not_scored(self):
        """An evaluation without a plan, or scoring goals without scales, is skipped."""
        record = parse_record("evaluation", evaluation_data([], {"g1": 1}))
        unplanned = forged(walk("intake"), record=record)
        unscaled = forged(walk("evaluation", case_id="case-2"), record=record)

        odd = build_report([*unplanned, *unscaled], policy=Policy(), as_of=AS_OF)

        assert (odd.attainment.episodes, odd.gas.evaluations) == (1, 0)
        assert odd.attainment.mean_ratio == 0.0

    def test_nothing_to_report(self):
        """A report of no events has zeros and no averages."""
        empty = build_report([], policy=Policy(), as_of=AS_OF)

        assert (empty.cases, empty.attainment.mean_ratio, empty.gas.mean_t) == (
            0,
            None,
            None,
        )
        assert empty.time_in_stage[S.PLANNING] == Durations()


class TestWindow:
    def test_since_leaves_out_what_ended_before(self, events: list[Event]):
        """A case terminated before the window is not in the report."""
        later = build_report(
            events, policy=Policy(), as_of=AS_OF, since=EPOCH + 4 * DAY
        )

        assert later.cases == 5
        assert later.cases_by_stage[S.TERMINATION] == 2
        assert (later.opened, later.reopened) == (0, 0)
        assert later.terminations_by_reason[R.GOALS_ACHIEVED] == 1
        assert later.early_terminations == 0

    def test_until_ends_the_window(self, events: list[Event]):
        """Events after the end of the window have not happened yet."""
        early = build_report(events, policy=Policy(), as_of=AS_OF, until=EPOCH + DAY)

        assert early.cases == 6
        assert early.cases_by_stage[S.PLANNING] == 2
        assert early.terminated == 1
        assert early.reopened == 1
        assert early.findings == ()
        assert early.until == EPOCH + DAY

    def test_findings_are_judged_at_the_end_of_the_window(self, events):
        """An open case is judged idle at the end of the window, not at as_of."""
        end = EPOCH + 61 * DAY

        window = build_report(events, policy=Policy(), as_of=AS_OF, until=end)

        assert {f.at for f in window.findings if f.rule is Rule.IDLE_CASE} == {end}

    def test_until_after_as_of_is_capped(self, events: list[Event]):
        """A window cannot reach past the moment the report is made."""
        capped = build_report(
            events, policy=Policy(), as_of=AS_OF, until=AS_OF + 10 * DAY
        )

        assert capped.until == AS_OF

    def test_since_after_until_is_refused(self, events: list[Event]):
        """An empty window is bad input."""
        with pytest.raises(InvalidInputError) as raised:
            build_report(events, policy=Policy(), as_of=AS_OF, since=AS_OF + DAY)

        assert raised.value.field == "since"

    def test_naive_moments_are_refused(self, events: list[Event]):
        """Every moment must carry a time zone."""
        naive = dt.datetime(2025, 1, 1)  # noqa: DTZ001 - the point of the test

        with pytest.raises(InvalidInputError) as raised:
            build_report(events, policy=Policy(), as_of=AS_OF, since=naive)

        assert raised.value.field == "since"


class TestRenderText:
    def test_english(self, report: Report):
        """The English text holds the figures with their labels."""
        text = render_text(report, "en")

        assert text.startswith("Helping process report — LKS <Mawar> & Co\n")
        assert re.search(r"Mean GAS T-score +55\.000", text)
        assert re.search(r"Mean goal attainment .* +0\.775 \(78%\)", text)
        assert re.search(r"Problem beyond the agency's capacity +1", text)
        assert re.search(r"Intervention +5 +4\.0 +26\.0 +180", text)
        assert "Window: start of the trail — 2025-04-16 09:00 UTC" in text
        assert "No event for 93 days (limit 60)" in text

    def test_indonesian(self, report: Report):
        """The Indonesian text uses Indonesian labels and the decimal comma."""
        text = render_text(report, "id")

        assert text.startswith("Laporan proses pertolongan — LKS <Mawar> & Co\n")
        assert re.search(r"Rata-rata skor-T GAS +55,000", text)
        assert re.search(r"Rata-rata pencapaian tujuan .* +0,775 \(78%\)", text)
        assert re.search(r"Masalah di luar kemampuan lembaga +1", text)
        assert re.search(r"Penghubung \(broker\) +3", text)
        assert "Periode: awal catatan — 2025-04-16 09:00 UTC" in text
        assert "Kasus tidak aktif" in text

    def test_the_seed_case(self):
        """That example's attainment reads 0.600 and 0,600."""
        alone = build_report(seed_case().events, policy=Policy(), as_of=AS_OF)

        assert re.search(r"attainment .* 0\.600 \(60%\)", render_text(alone, "en"))
        assert re.search(r"tujuan .* 0,600 \(60%\)", render_text(alone, "id"))

    def test_an_empty_report(self):
        """Without findings the text says so."""
        empty = build_report([], policy=Policy(), as_of=AS_OF, since=EPOCH)

        assert "No findings." in render_text(empty, "en")
        assert "Tidak ada temuan." in render_text(empty, "id")
        assert "2025-01-06 09:00 UTC — 2025-04-16 09:00 UTC" in render_text(empty)

    def test_an_unknown_language(self, report: Report):
        """A language without labels is bad input."""
        with pytest.raises(InvalidInputError):
            render_text(report, "fr")  # type: ignore[arg-type] # on purpose


class TestRenderJson:
    def test_figures(self, report: Report):
        """The JSON holds codes and numbers, not labels."""
        data = json.loads(render_json(report))

        assert data["as_of"] == "2025-04-16T09:00:00Z"
        assert data["cases_by_stage"]["termination"] == 3
        assert data["terminations"]["by_reason"]["goals_achieved"] == 2
        assert data["terminations"]["by_sub_reason"]["beyond_agency_capacity"] == {
            "permanent_illness": 0,
            "mental_disorder": 0,
            "needs_other_discipline": 1,
        }
        assert (data["terminations"]["planned"], data["terminations"]["early"]) == (
            3,
            1,
        )
        assert data["loops"]["replans"] == {"intervention": 1, "evaluation": 1}
        assert data["goal_attainment"] == {"episodes": 4, "mean_ratio": 0.775}
        assert data["gas"]["mean_t"] == pytest.approx(55.0, abs=5e-4)
        assert data["activities"]["by_role"]["broker"] == 3
        assert data["time_in_stage"]["intervention"] == {
            "count": 5,
            "median_days": 4.0,
            "p90_days": 26.0,
        }
        assert data["findings"]["by_rule"]["idle_case"] == 3
        assert data["findings"]["items"][0]["rule"] == "stage_overdue"
        assert data["policy"]["cases"] == {"idle_days": 60}

    def test_matches_to_json(self, report: Report):
        """The rendered JSON is the report's JSON object."""
        assert json.loads(render_json(report)) == report.to_json()


class TestRenderCsv:
    def test_tidy_long_format(self, report: Report):
        """One row per figure: section, key, value and a label."""
        text = render_csv(report, "en")
        values = csv_values(text)

        assert text.splitlines()[0] == "section,key,value,label"
        assert values["report", "cases"] == "6"
        assert values["cases_by_stage", "engagement"] == "2"
        assert values["time_in_stage", "intervention.median_days"] == "4.0"
        assert values["terminations_by_reason", "no_meaningful_progress"] == "1"
        assert (
            values[
                "terminations_by_sub_reason",
                "beyond_agency_capacity.needs_other_discipline",
            ]
            == "1"
        )
        assert values["loops", "replan.evaluation"] == "1"
        assert values["goal_attainment", "mean_ratio"] == "0.775"
        assert values["gas", "mean_t"] == "55.0"
        assert values["activities_by_model", "coerce"] == "1"
        assert values["findings", "loop/22/idle_case"] == "warning"
        assert values["policy", "max_days.intervention"] == "180.0"
        assert values["report", "since"] == ""

    def test_no_value_is_an_empty_cell(self):
        """A figure without a value (no evaluations) is an empty cell."""
        values = csv_values(render_csv(build_report([], policy=Policy(), as_of=AS_OF)))

        assert values["goal_attainment", "mean_ratio"] == ""
        assert values["gas", "evaluations"] == "0"

    def test_every_row_has_four_cells(self, report: Report):
        """Quoting keeps labels with commas in their cell."""
        rows = list(csv.reader(io.StringIO(render_csv(report, "id"))))

        assert {len(row) for row in rows} == {4}

    def test_labels_follow_the_language(self, report: Report):
        """The values stay the same and the labels change language."""
        english = list(csv.DictReader(io.StringIO(render_csv(report, "en"))))
        indonesian = list(csv.DictReader(io.StringIO(render_csv(report, "id"))))
        labels = {row["key"]: row["label"] for row in indonesian}

        assert [r["value"] for r in english] == [r["value"] for r in indonesian]
        assert labels["mean_t"] == "Rata-rata skor-T GAS"
        assert labels["client_absconded"] == "Klien kabur dari panti"
        assert labels["loop/22/idle_case"].startswith("Kasus tidak aktif: Tidak ada")


class TestRenderHtml:
    @pytest.mark.parametrize(
        ("lang", "headings"),
        [
            (
                "en",
                [
                    "Summary",
                    "Cases per current stage",
                    "Terminations",
                    "Policy findings",
                ],
            ),
            (
                "id",
                [
                    "Ringkasan",
                    "Kasus menurut tahap saat ini",
                    "Terminasi",
                    "Temuan kebijakan",
                ],
            ),
        ],
    )
    def test_headings_and_charts(self, report: Report, lang, headings):
        """The page has a title, the sections and three inline charts."""
        page = render_html(report, lang)

        assert page.startswith("<!DOCTYPE html>")
        assert f'<html lang="{lang}">' in page
        for heading in headings:
            assert f"<h2>{heading}</h2>" in page
        assert page.count("<svg ") == 3
        assert "LKS &lt;Mawar&gt; &amp; Co" in page
        assert "<Mawar>" not in page

    def test_self_contained(self, report: Report):
        """Nothing is fetched: no script, no link, no remote address."""
        page = render_html(report, "id")

        assert "<script" not in page
        assert "<link" not in page
        assert "http://" not in page
        assert "https://" not in page
        assert not re.search(r"(src|href)\s*=", page)

    def test_figures(self, report: Report):
        """The page holds the figures in the language's own words and numbers."""
        english, indonesian = render_html(report, "en"), render_html(report, "id")

        assert '<td>Mean GAS T-score</td><td class="n">55.000</td>' in english
        assert '<td>Rata-rata skor-T GAS</td><td class="n">55,000</td>' in indonesian
        assert "Masalah di luar kemampuan lembaga" in indonesian
        assert "Fasilitator (pemungkin)" in indonesian
        assert 'class="sev-warning">Peringatan</td>' in indonesian

    def test_an_empty_report(self):
        """A report of nothing says so instead of drawing empty charts."""
        page = render_html(build_report([], policy=Policy(), as_of=AS_OF), "en")

        assert "<svg " not in page
        assert "No findings." in page
        assert "Nothing in this window." in page


class TestPurity:
    def test_no_database_and_no_command_line(self):
        """Importing policy and report loads neither SQLAlchemy nor click."""
        script = (
            "import sys\n"
            "import helping_process.policy, helping_process.report\n"
            "print(sorted(n for n in ('sqlalchemy', 'click') if n in sys.modules))\n"
        )

        result = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )

        assert result.stdout.strip() == "[]"
