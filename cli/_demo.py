"""``helping-process demo``: three realistic cases, told as they happen.

1. A completed case with a re-plan loop: the first evaluation finds three of
   five goals achieved, the case goes back to planning with a note, a new
   plan follows, and a second evaluation ends it as ``goals_achieved``. On
   the way, the contract stage is left too early and the refusal is shown.
2. A residential client who runs away from the panti (``client_absconded``).
3. A referral for a problem beyond the agency's capacity
   (``beyond_agency_capacity`` / ``needs_other_discipline``).

A fourth case is left at engagement, for ``case step`` to be tried on. The
events are dated in the past, a few days apart, as a real case would be;
the trail is verified at the end.
"""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from typing import TYPE_CHECKING
from typing import Any
from typing import Final

import click

from helping_process import RequirementNotMetError
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminationReason
from helping_process import attainment
from helping_process.labels import label

from ._audit import finding_json
from ._errors import INTERNAL
from ._errors import REFUSED
from ._local import LocalCommand
from ._local import option
from ._render import SHORT_ID
from ._render import WIDTH
from ._settings import Settings
from ._settings import now
from ._settings import pass_settings

if TYPE_CHECKING:
    from helping_process.audit import Finding
    from helping_process.service import CaseService
    from helping_process.service import CaseSummary

AGENCY: Final = "LKS Harapan Bangsa"
#: The goals of the first plan in story 1: (id, statement, indicator).
FIRST_GOALS: Final = (
    ("g1", "Dokumen sekolah Andi lengkap", "Akta dan rapor ada di tangan"),
    ("g2", "Andi terdaftar di sekolah", "Surat penerimaan sekolah"),
    ("g3", "Keluarga menerima bantuan biaya PIP", "Dana PIP cair"),
    ("g4", "Andi hadir di sekolah sebulan penuh", "Daftar hadir sekolah"),
    ("g5", "Ibu Andi ikut konseling keluarga", "Empat sesi konseling"),
)
SECOND_GOALS: Final = (
    ("g2", "Andi terdaftar di program Paket B", "Kartu peserta Paket B"),
    ("g4", "Andi hadir di Paket B dua bulan", "Daftar hadir Paket B"),
)


def _plan(focus: str, goals: tuple[tuple[str, str, str], ...]) -> dict[str, Any]:
    return {
        "focus": focus,
        "methods": ["Casework", "Brokering", "Konseling keluarga"],
        "goals": [
            {
                "id": goal_id,
                "statement": statement,
                "success_indicator": indicator,
                "objectives": [
                    {
                        "statement": f"Langkah pertama: {statement.lower()}",
                        "tasks": [
                            "Menyusun jadwal bersama klien",
                            "Menghubungi pihak terkait",
                        ],
                    }
                ],
            }
            for goal_id, statement, indicator in goals
        ],
    }


def _contract(
    kind: str, day: dt.date, client: str, worker: str, *, accepted: bool = True
) -> dict[str, Any]:
    return {
        "kind": kind,
        "consensual": True,
        "mutual_agreement": True,
        "acceptance": accepted,
        "reciprocal": True,
        "responsibilities": [
            "Pekerja sosial berkunjung setiap minggu",
            "Klien dan keluarga hadir di setiap pertemuan",
        ],
        "tasks": ["Mengurus dokumen yang diperlukan", "Menemui pihak sekolah"],
        "valid_from": day.isoformat(),
        "valid_until": (day + dt.timedelta(days=365)).isoformat(),
        "parties": {"worker": worker, "agency": AGENCY, "client": client},
    }


def _assessment(
    problem: str, person: str, situation: str, formulation: str
) -> dict[str, Any]:
    return {
        "problem_statement": problem,
        "personality_assessment": person,
        "situational_analysis": situation,
        "integrative_formulation": formulation,
        "evaluation": "Asesmen dibahas bersama klien dan disetujui.",
    }


class Story:
    """Runs one case of the demo through the service and tells it.

    Args:
        settings: the run's settings (language, output, actor).
        service: the case service.
        start: the moment the whole demo is told from.
    """

    def __init__(
        self, settings: Settings, service: CaseService, start: dt.datetime
    ) -> None:
        self.settings = settings
        self.service = service
        self.start = start
        self.actor = settings.actor()
        self.case_id = ""
        self.stage = Stage.ENGAGEMENT
        self.refusal: dict[str, Any] | None = None

    def _at(self, days_ago: int) -> dt.datetime:
        return self.start - dt.timedelta(days=days_ago)

    def day(self, days_ago: int) -> dt.date:
        """Return the date ``days_ago`` days before the demo's start."""
        return self._at(days_ago).date()

    def tell(self, days_ago: int | None, key: str, /, **params: object) -> None:
        """Print one line of the story, dated, wrapped to 80 columns."""
        if self.settings.as_json:
            return
        date = self.day(days_ago).isoformat() if days_ago is not None else ""
        prefix = f"   {date:<10}  "
        text = " ".join(self.settings.say(key, **params).split())
        self.settings.echo(
            textwrap.fill(
                text,
                width=WIDTH,
                initial_indent=prefix,
                subsequent_indent=" " * len(prefix),
                break_on_hyphens=False,
            )
        )

    def open(self, client: str, *, days_ago: int, residential: bool = False) -> None:
        """Open the story's case."""
        case = self.service.open(
            client,
            actor=self.actor,
            residential=residential,
            occurred_at=self._at(days_ago),
        )
        self.case_id = case.case_id
        key = "demo.opened_residential" if residential else "demo.opened"
        self.tell(days_ago, key, case_id=case.case_id, client=client)

    def record(
        self, kind: str, data: dict[str, Any], *, days_ago: int, key: str
    ) -> None:
        """Add a record and tell what it says."""
        self.service.add_record_json(
            self.case_id, kind, data, actor=self.actor, occurred_at=self._at(days_ago)
        )
        kind_label = label("record_kind", kind, self.settings.lang)
        self.tell(
            days_ago, "demo.recorded", kind=kind_label, story=self.settings.say(key)
        )

    def move(self, target: Stage, *, days_ago: int, note: str | None = None) -> None:
        """Move the case; a loop back carries its note."""
        self.service.move(
            self.case_id,
            target,
            actor=self.actor,
            note=note,
            occurred_at=self._at(days_ago),
        )
        lang = self.settings.lang
        self.tell(
            days_ago,
            "demo.moved",
            source=label("stage", self.stage, lang),
            target=label("stage", target, lang),
        )
        if note:
            self.tell(None, "demo.note", note=note)
        self.stage = target

    def refused_move(self, target: Stage, *, days_ago: int) -> None:
        """Try a move the process refuses, and show the refusal."""
        try:
            self.service.move(
                self.case_id, target, actor=self.actor, occurred_at=self._at(days_ago)
            )
        except RequirementNotMetError as refusal:
            self.tell(
                days_ago, "demo.refused", message=refusal.message(self.settings.lang)
            )
            self.refusal = {
                "case_id": self.case_id,
                "target": target.value,
                "missing": list(refusal.missing),
                "message": refusal.message(self.settings.lang),
            }
            return
        raise self.settings.failure(  # pragma: no cover - the story's refusal
            "demo.not_refused", exit_code=INTERNAL, kind="internal"
        )

    def terminate(
        self,
        reason: TerminationReason,
        *,
        days_ago: int,
        note: str,
        sub_reason: SubReason | None = None,
        referral_to: str | None = None,
    ) -> None:
        """End the episode and tell why."""
        self.service.terminate(
            self.case_id,
            reason,
            actor=self.actor,
            note=note,
            sub_reason=sub_reason,
            referral_to=referral_to,
            occurred_at=self._at(days_ago),
        )
        lang = self.settings.lang
        self.tell(days_ago, "demo.terminated", reason=label("reason", reason, lang))
        if sub_reason is not None:
            self.tell(
                None,
                "demo.sub_reason",
                sub_reason=label("sub_reason", sub_reason, lang),
            )
        if referral_to is not None:
            self.tell(None, "demo.referral", referral=referral_to)
        self.tell(None, "demo.note", note=note)
        self.stage = Stage.TERMINATION


def completed_case(story: Story) -> None:
    """Story 1: a re-plan after three of five goals, then every goal achieved."""
    say = story.settings.say
    worker = story.actor.id
    story.open("DEMO-ANDI", days_ago=120)
    story.record(
        "engagement",
        {
            "first_contact_on": story.day(120).isoformat(),
            "request": "Ibu Andi meminta bantuan agar Andi (15) kembali bersekolah.",
            "referral_source": "family",
        },
        days_ago=120,
        key="demo.s1.engagement",
    )
    story.move(Stage.INTAKE, days_ago=118)
    story.record(
        "intake",
        {
            "eligible": True,
            "service_formulation": "Pendampingan sekolah dan konseling keluarga.",
            "resources_informed": True,
        },
        days_ago=118,
        key="demo.s1.intake",
    )
    story.move(Stage.CONTRACT, days_ago=115)
    story.record(
        "contract",
        _contract("primary", story.day(115), "Andi", worker, accepted=False),
        days_ago=115,
        key="demo.s1.contract_refused",
    )
    story.refused_move(Stage.ASSESSMENT, days_ago=115)
    story.record(
        "contract",
        _contract("primary", story.day(112), "Andi", worker),
        days_ago=112,
        key="demo.s1.contract",
    )
    story.move(Stage.ASSESSMENT, days_ago=112)
    story.record(
        "assessment",
        _assessment(
            "Andi putus sekolah selama satu tahun karena biaya dan rasa malu.",
            "Andi cerdas dan pendiam; ia ingin kembali belajar.",
            "Ibu tunggal, penghasilan tidak tetap; dokumen sekolah hilang.",
            "Biaya, dokumen yang hilang dan rasa malu menahan Andi.",
        ),
        days_ago=105,
        key="demo.s1.assessment",
    )
    story.move(Stage.PLANNING, days_ago=100)
    story.record(
        "plan",
        _plan("Akses Andi ke pendidikan", FIRST_GOALS),
        days_ago=98,
        key="demo.s1.plan",
    )
    story.move(Stage.INTERVENTION, days_ago=97)
    for days_ago, role, goals in (
        (90, "broker", ["g1", "g3"]),
        (75, "enabler", ["g5"]),
    ):
        story.record(
            "activity",
            {
                "on": story.day(days_ago).isoformat(),
                "role": role,
                "model": "persuade",
                "description": "Mendampingi Andi dan ibunya ke kantor terkait.",
                "goal_ids": goals,
            },
            days_ago=days_ago,
            key=f"demo.s1.activity_{role}",
        )
    story.move(Stage.EVALUATION, days_ago=60)
    achieved = ["g1", "g3", "g5"]
    story.record(
        "evaluation",
        {
            "achieved_goal_ids": achieved,
            "process_note": "Andi dan ibunya aktif di setiap langkah.",
            "outcome_note": "Sekolah menolak pendaftaran di tengah tahun ajaran.",
        },
        days_ago=60,
        key="demo.s1.evaluation",
    )
    result = attainment([goal[0] for goal in FIRST_GOALS], achieved)
    story.tell(
        None,
        "demo.attainment",
        achieved=len(result.achieved),
        planned=len(result.planned),
        percent=round(result.ratio * 100),
        unmet=", ".join(sorted(result.unmet)),
    )
    story.move(Stage.PLANNING, days_ago=58, note=say("demo.s1.replan_note"))
    story.record(
        "plan",
        _plan("Akses Andi ke pendidikan kesetaraan", SECOND_GOALS),
        days_ago=55,
        key="demo.s1.plan2",
    )
    story.move(Stage.INTERVENTION, days_ago=54)
    story.record(
        "activity",
        {
            "on": story.day(40).isoformat(),
            "role": "advocate",
            "model": "persuade",
            "description": "Mendaftarkan Andi ke PKBM untuk program Paket B.",
            "goal_ids": ["g2", "g4"],
        },
        days_ago=40,
        key="demo.s1.activity_advocate",
    )
    story.move(Stage.EVALUATION, days_ago=20)
    story.record(
        "evaluation",
        {
            "achieved_goal_ids": ["g2", "g4"],
            "process_note": "Andi hadir di setiap kelas Paket B.",
            "outcome_note": "Andi belajar lagi dan ingin ikut ujian kesetaraan.",
        },
        days_ago=20,
        key="demo.s1.evaluation2",
    )
    story.terminate(
        TerminationReason.GOALS_ACHIEVED,
        days_ago=18,
        note=say("demo.s1.termination_note"),
    )


def _through_assessment(story: Story, client: str, start: int, *, kind: str) -> None:
    """Walk a case from engagement into assessment with complete records."""
    story.move(Stage.INTAKE, days_ago=start - 1)
    story.record(
        "intake",
        {
            "eligible": True,
            "service_formulation": "Pelayanan sosial dan pendampingan.",
            "resources_informed": True,
        },
        days_ago=start - 1,
        key="demo.intake",
    )
    story.move(Stage.CONTRACT, days_ago=start - 2)
    story.record(
        "contract",
        _contract(kind, story.day(start - 2), client, story.actor.id),
        days_ago=start - 2,
        key=f"demo.contract_{kind}",
    )
    story.move(Stage.ASSESSMENT, days_ago=start - 3)


def absconded_case(story: Story) -> None:
    """Story 2: a girl in the panti runs away during the intervention."""
    story.open("DEMO-RINA", days_ago=80, residential=True)
    story.record(
        "engagement",
        {
            "first_contact_on": story.day(80).isoformat(),
            "request": "Rina (14) ditemukan tim penjangkauan di terminal bus.",
            "referral_source": "outreach",
        },
        days_ago=80,
        key="demo.s2.engagement",
    )
    _through_assessment(story, "Rina", 80, kind="primary")
    story.record(
        "assessment",
        _assessment(
            "Rina lari dari rumah setelah konflik dengan ayah tirinya.",
            "Rina waspada, sulit percaya pada orang dewasa.",
            "Tinggal di panti; keluarga belum bisa dihubungi.",
            "Konflik keluarga dan trauma membuat Rina lari.",
        ),
        days_ago=70,
        key="demo.s2.assessment",
    )
    story.move(Stage.PLANNING, days_ago=65)
    story.record(
        "plan",
        _plan(
            "Pemulihan Rina dan reunifikasi keluarga",
            (
                ("r1", "Rina merasa aman di panti", "Rina tidur dan makan teratur"),
                ("r2", "Rina bertemu ibunya", "Satu pertemuan didampingi"),
            ),
        ),
        days_ago=64,
        key="demo.s2.plan",
    )
    story.move(Stage.INTERVENTION, days_ago=60)
    story.record(
        "activity",
        {
            "on": story.day(45).isoformat(),
            "role": "enabler",
            "model": "induce",
            "description": "Sesi konseling individual dengan Rina.",
            "goal_ids": ["r1"],
        },
        days_ago=45,
        key="demo.s2.activity",
    )
    story.terminate(
        TerminationReason.CLIENT_ABSCONDED,
        days_ago=30,
        sub_reason=SubReason.DISLIKES_INSTITUTIONAL_LIFE,
        note=story.settings.say("demo.s2.termination_note"),
    )


def referred_case(story: Story) -> None:
    """Story 3: the assessment finds a problem that needs another discipline."""
    story.open("DEMO-BUDI", days_ago=30)
    story.record(
        "engagement",
        {
            "first_contact_on": story.day(30).isoformat(),
            "request": "Ketua RT meminta bantuan untuk Budi (32) yang mengurung diri.",
            "referral_source": "community",
        },
        days_ago=30,
        key="demo.s3.engagement",
    )
    _through_assessment(story, "Budi", 30, kind="preliminary")
    story.record(
        "assessment",
        _assessment(
            "Budi mendengar suara-suara dan tidak tidur berhari-hari.",
            "Budi bingung dan ketakutan; tidak ada riwayat kekerasan.",
            "Tinggal bersama ibunya yang lanjut usia.",
            "Gejala gangguan jiwa berat yang belum ditangani.",
        ),
        days_ago=24,
        key="demo.s3.assessment",
    )
    story.terminate(
        TerminationReason.BEYOND_AGENCY_CAPACITY,
        days_ago=23,
        sub_reason=SubReason.NEEDS_OTHER_DISCIPLINE,
        referral_to=story.settings.say("demo.s3.referral_to"),
        note=story.settings.say("demo.s3.termination_note"),
    )


def _verify(settings: Settings, service: CaseService) -> tuple[list[Finding], int, int]:
    """Verify every case, with a progress bar on a terminal."""
    summaries = service.cases()
    events = sum(summary.seq for summary in summaries)
    if settings.as_json or not sys.stdout.isatty():
        return service.verify(), len(summaries), events
    return _verify_on_terminal(settings, service, summaries), len(summaries), events


def _verify_on_terminal(  # pragma: no cover - test_demo drives it through a pty
    settings: Settings, service: CaseService, summaries: list[CaseSummary]
) -> list[Finding]:
    """Verify the cases one by one under a progress bar."""
    findings: list[Finding] = []
    with click.progressbar(
        summaries, label=settings.say("demo.verifying"), width=30
    ) as bar:
        for summary in bar:
            findings += service.verify(summary.case_id)
    return findings


@click.command("demo", cls=LocalCommand, help="help.demo", short_help="help.demo.short")
@option("--db", "demo_db", metavar="URL", help="opt.demo_db")
@pass_settings
def demo(settings: Settings, demo_db: str | None) -> None:
    """Tell three realistic cases on the database, then verify the trail."""
    if demo_db is not None:
        settings.db = demo_db
    service = settings.service()
    start = now()
    settings.echo(settings.say("demo.title"))
    settings.echo(f"  {settings.database_url}")
    stories = []
    for number, (key, run) in enumerate(
        (
            ("demo.s1.title", completed_case),
            ("demo.s2.title", absconded_case),
            ("demo.s3.title", referred_case),
        ),
        start=1,
    ):
        if not settings.as_json:
            settings.echo()
            settings.echo(f"{number}. {settings.say(key)}")
        story = Story(settings, service, start)
        run(story)
        stories.append(story)
    waiting = Story(settings, service, start)
    if not settings.as_json:
        settings.echo()
        settings.echo(f"4. {settings.say('demo.s4.title')}")
    waiting.open("DEMO-SARI", days_ago=0)
    stories.append(waiting)

    findings, cases, events = _verify(settings, service)
    faults = [finding for finding in findings if finding.is_tampering]
    if faults:  # pragma: no cover - a sound demo; test_case tampers a trail
        raise settings.failure(
            "verify.faults",
            exit_code=REFUSED,
            kind="AuditIntegrityError",
            count=len(faults),
        )
    completed, new = stories[0].case_id[:SHORT_ID], waiting.case_id[:SHORT_ID]
    commands = [
        "helping-process case list",
        f"helping-process case show {completed}",
        f"helping-process case step {new}",
        f"helping-process process graph --format mermaid --case {completed}",
    ]
    if settings.db is not None:
        commands.insert(0, f"export HELPING_PROCESS_DB='{settings.db}'")
    if settings.as_json:
        refusal = next(story.refusal for story in stories if story.refusal)
        settings.emit(
            {
                "cases": [
                    {"case_id": story.case_id, "stage": story.stage.value}
                    for story in stories
                ],
                "refusal": refusal,
                "verified": {
                    "cases": cases,
                    "events": events,
                    "findings": [finding_json(finding) for finding in findings],
                },
                "next": commands,
            }
        )
        return
    settings.echo()
    settings.echo(settings.say("verify.ok", cases=cases, events=events))
    settings.echo()
    settings.echo(settings.say("demo.try"))
    for command in commands:
        settings.echo(f"  {command}")
