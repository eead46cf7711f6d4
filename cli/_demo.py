"""``helping-process demo``: three realistic cases, told as they happen.

1. A completed case with a re-plan loop: the first evaluation finds three of
   five goals achieved, the case goes back to planning with a note, a new
   plan follows, and a second evaluation ends it as ``goals_achieved``. On
   the way, the contract stage is left too early and the refusal is shown.
2. A residential client who runs away from the panti (``client_absconded``).
3. A referral for a problem beyond the agency's capacity
   (``beyond_agency_capacity`` / ``needs_other_discipline``).

A fourth case is left at engagement, for ``case step`` to be tried on. The
events are dated a few days apart, as a real case would be; the trail is
verified at the end.

The demo never touches the configured or the default database: it builds a
fresh SQLite file in a temporary folder (see :class:`Workspace`), which is
removed at the end, or moved to ``--keep PATH`` when the demo has finished.
Its clock is fixed and its case ids are made from a counter, so every run
tells the same story with the same ids.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
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
from helping_process.views import finding_json

from ._errors import BAD_INPUT
from ._errors import CANCELLED
from ._errors import INTERNAL
from ._errors import REFUSED
from ._local import LocalCommand
from ._local import option
from ._messages import counted
from ._render import SHORT_ID
from ._render import WIDTH
from ._render import wrap
from ._settings import Settings
from ._settings import pass_settings

if TYPE_CHECKING:
    from helping_process.audit import Finding
    from helping_process.service import CaseService
    from helping_process.service import CaseSummary

AGENCY: Final = "LKS Harapan Bangsa"
#: The demo's "now": every story is told back from this moment (a Monday).
START: Final = dt.datetime(2025, 9, 1, 9, 0, tzinfo=dt.UTC)
#: The namespace of the demo's case ids (UUID 5 of a counter).
DEMO_IDS: Final = uuid.UUID("5c1d0a3e-6f6b-4c3e-9a57-2f1e0b8d4c21")
#: The file name of the demo's database inside its temporary folder.
DEMO_FILE: Final = "demo-cases.db"
#: The path the closing words suggest for ``--keep``.
KEEP_EXAMPLE: Final = "demo-cases.db"
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


class StoryClock:
    """The demo's clock: it shows the moment of the step being told.

    Attributes:
        now: the time it shows (aware, in UTC).
    """

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        """Return the time the clock shows."""
        return self.now


class Story:
    """Runs one case of the demo through the service and tells it.

    Args:
        settings: the run's settings (language, output, actor).
        service: the case service.
        clock: the service's clock, which the story moves step by step.
        pause: seconds to wait after each line told (to show it live).
    """

    def __init__(
        self,
        settings: Settings,
        service: CaseService,
        clock: StoryClock,
        *,
        pause: float = 0.0,
    ) -> None:
        self.settings = settings
        self.service = service
        self.clock = clock
        self.start = START
        self.pause = pause
        self.actor = settings.actor()
        self.case_id = ""
        self.stage = Stage.ENGAGEMENT
        self.refusal: dict[str, Any] | None = None

    def _when(self, days_ago: int) -> dt.datetime:
        """Move the demo's clock to the moment of a step, and return it.

        Every event is recorded when it happens, as a worker keeping the
        trail up to date would: no entry is late.
        """
        self.clock.now = self._at(days_ago)
        return self.clock.now

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
        if self.pause:
            time.sleep(self.pause)

    def open(self, client: str, *, days_ago: int, residential: bool = False) -> None:
        """Open the story's case."""
        case = self.service.open(
            client,
            actor=self.actor,
            residential=residential,
            occurred_at=self._when(days_ago),
        )
        self.case_id = case.case_id
        key = "demo.opened_residential" if residential else "demo.opened"
        self.tell(days_ago, key, case_id=case.case_id, client=client)

    def record(
        self, kind: str, data: dict[str, Any], *, days_ago: int, key: str
    ) -> None:
        """Add a record and tell what it says."""
        self.service.add_record_json(
            self.case_id, kind, data, actor=self.actor, occurred_at=self._when(days_ago)
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
            occurred_at=self._when(days_ago),
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
                self.case_id, target, actor=self.actor, occurred_at=self._when(days_ago)
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
            occurred_at=self._when(days_ago),
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


class Stopped(BaseException):
    """Raised in the demo when SIGTERM or SIGHUP asks it to stop.

    A BaseException, as KeyboardInterrupt is, so that no ``except
    Exception`` on the way turns it into a database error: it unwinds to
    :func:`demo`, which has removed the demo's database by then.

    Args:
        signum: the number of the signal received.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:  # pragma: no cover - in a child
    raise Stopped(signum)


@contextlib.contextmanager
def _stoppable() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`Stopped` while the demo runs.

    Python already turns SIGINT into KeyboardInterrupt. Signal handlers can
    only be set from the main thread; elsewhere (an embedding program's
    worker thread) the signals keep whatever handling they had.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = ("SIGTERM", "SIGHUP")
    numbers = [getattr(signal, name) for name in names if hasattr(signal, name)]
    previous = {number: signal.signal(number, _stop) for number in numbers}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


#: What the janitor runs: wait until the demo's process is gone (its end of
#: the pipe closes, however it ended, even by SIGKILL), then remove the folder.
_JANITOR: Final = (
    "import shutil, signal, sys\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "sys.stdin.buffer.read()\n"
    "shutil.rmtree(sys.argv[1], ignore_errors=True)\n"
)


class Workspace:
    """The temporary folder the demo builds its database in.

    Nothing of the demo ever reaches the configured or the default
    database. The folder is removed when the demo ends, however it ends:
    by the demo itself on success, an exception, Ctrl-C, SIGTERM or SIGHUP,
    and by a small janitor process when the demo is killed outright
    (SIGKILL cannot be caught). With ``keep``, the folder is made next to
    the kept file, so that the finished database is moved into place in
    one step and a half-made one never appears there.

    Args:
        keep: where to keep the finished database, or None to keep nothing.
    """

    def __init__(self, keep: Path | None) -> None:
        self.keep = keep
        self.folder: Path | None = None
        self._janitor: subprocess.Popen[bytes] | None = None

    @property
    def path(self) -> Path:
        """The database file while the demo builds it."""
        assert self.folder is not None  # noqa: S101 - only inside the with block
        return self.folder / DEMO_FILE

    def __enter__(self) -> Workspace:
        parent = None if self.keep is None else self.keep.parent
        prefix = ".helping-process-demo-" if parent else "helping-process-demo-"
        self.folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        try:
            self._janitor = subprocess.Popen(  # noqa: S603 - our own interpreter
                [sys.executable, "-I", "-S", "-c", _JANITOR, str(self.folder)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:  # pragma: no cover - no process could be started
            self._janitor = None  # the demo still cleans up after itself
        return self

    def finish(self) -> None:
        """Move the finished database to ``keep`` (never over a file).

        Raises:
            FileExistsError: a file appeared at ``keep`` meanwhile.
        """
        if self.keep is None:
            return
        try:
            os.link(self.path, self.keep)  # refuses, atomically, to overwrite
        except FileExistsError:
            raise
        except OSError:  # pragma: no cover - a file system without hard links
            # Rename instead, after one more look.
            if self.keep.exists():
                raise FileExistsError(self.keep) from None
            self.path.rename(self.keep)

    def __exit__(self, *exc_info: object) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        if self._janitor is not None:
            assert self._janitor.stdin is not None  # noqa: S101 - piped above
            self._janitor.stdin.close()
            self._janitor.wait()


def _open_store(url: str) -> tuple[CaseService, StoryClock, Callable[[], None]]:
    """Open the demo's service: a story clock and ids made from a counter."""
    from helping_process.persistence import SqlStore  # noqa: PLC0415 - lazy
    from helping_process.service import CaseService  # noqa: PLC0415 - lazy

    numbers = itertools.count(1)

    def new_id() -> str:
        return str(uuid.uuid5(DEMO_IDS, str(next(numbers))))

    store = SqlStore.from_url(url)
    clock = StoryClock()
    return CaseService(store, clock=clock, new_id=new_id), clock, store.dispose


def _tell_stories(
    settings: Settings, service: CaseService, clock: StoryClock, pause: float
) -> list[Story]:
    """Run the four cases of the demo and tell them."""
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
        story = Story(settings, service, clock, pause=pause)
        run(story)
        stories.append(story)
    waiting = Story(settings, service, clock, pause=pause)
    if not settings.as_json:
        settings.echo()
        settings.echo(f"4. {settings.say('demo.s4.title')}")
    waiting.open("DEMO-SARI", days_ago=0)
    stories.append(waiting)
    return stories


@click.command("demo", cls=LocalCommand, help="help.demo", short_help="help.demo.short")
@option(
    "--keep",
    metavar="PATH",
    type=click.Path(dir_okay=False, path_type=Path),
    help="opt.demo_keep",
)
@option(
    "--pause",
    metavar="SECONDS",
    type=click.FloatRange(min=0),
    default=0.0,
    help="opt.demo_pause",
)
@pass_settings
def demo(settings: Settings, keep: Path | None, pause: float) -> None:
    """Tell four cases on a temporary database, verify it, keep it if asked."""
    if keep is not None:
        keep = keep.absolute()
        if keep.exists() or keep.is_symlink():
            raise settings.failure("demo.keep_exists", exit_code=BAD_INPUT, path=keep)
        if not keep.parent.is_dir():
            raise settings.failure(
                "demo.keep_no_folder", exit_code=BAD_INPUT, folder=keep.parent
            )
    try:
        with _stoppable(), Workspace(keep) as workspace:
            url = f"sqlite:///{workspace.path}"
            service, clock, close = _open_store(url)
            try:
                result = _run(settings, service, clock, url, pause)
            finally:
                close()
            workspace.finish()
    # Exit 130: cancelled, nothing kept (test_demo sends real signals to a child).
    except (Stopped, KeyboardInterrupt):  # pragma: no cover - in a child process
        raise settings.failure(
            "demo.stopped", exit_code=CANCELLED, kind="cancelled"
        ) from None
    except FileExistsError:
        raise settings.failure(
            "demo.keep_exists", exit_code=BAD_INPUT, path=keep
        ) from None
    except OSError as error:  # a folder it may not write in, a full disk
        raise settings.failure(
            "demo.cannot_write",
            exit_code=BAD_INPUT,
            folder=keep.parent if keep else tempfile.gettempdir(),
            reason=error.strerror or error,
        ) from None
    _close(settings, keep, result)


def _run(
    settings: Settings, service: CaseService, clock: StoryClock, url: str, pause: float
) -> dict[str, Any]:
    """Tell the stories on ``url``, verify the trail, return what happened."""
    settings.echo(wrap(settings.say("demo.title")))
    settings.echo(f"  {url}")
    stories = _tell_stories(settings, service, clock, pause)
    clock.now = START
    findings, cases, events = _verify(settings, service)
    faults = [finding for finding in findings if finding.is_tampering]
    if faults:  # pragma: no cover - a sound demo; test_case tampers a trail
        raise settings.failure(
            "verify.faults",
            exit_code=REFUSED,
            kind="AuditIntegrityError",
            count=len(faults),
        )
    refusal = next(story.refusal for story in stories if story.refusal)
    if not settings.as_json:
        settings.echo()
        lang = settings.lang
        settings.echo(
            settings.say(
                "verify.ok",
                cases=counted("count.cases", lang, cases),
                events=counted("count.events", lang, events),
            )
        )
    return {
        "database": url,
        "cases": [
            {"case_id": story.case_id, "stage": story.stage.value} for story in stories
        ],
        "refusal": refusal,
        "verified": {
            "cases": cases,
            "events": events,
            "findings": [finding_json(finding) for finding in findings],
        },
    }


def _close(settings: Settings, keep: Path | None, result: dict[str, Any]) -> None:
    """Say where the demo's database is (or that it is gone), and what next."""
    if keep is None:
        commands = [f"helping-process demo --keep {KEEP_EXAMPLE}"]
        heading = settings.say("demo.removed")
    else:
        first, new = result["cases"][0]["case_id"], result["cases"][-1]["case_id"]
        commands = [
            f"export HELPING_PROCESS_DB='sqlite:///{keep}'",
            "helping-process case list",
            f"helping-process case show {first[:SHORT_ID]}",
            f"helping-process case step {new[:SHORT_ID]}",
            f"helping-process process graph --format mermaid --case {first[:SHORT_ID]}",
        ]
        heading = settings.say("demo.kept", path=keep)
    if settings.as_json:
        settings.emit(
            {**result, "kept": None if keep is None else str(keep), "next": commands}
        )
        return
    settings.echo()
    settings.echo(textwrap.fill(heading, width=WIDTH, break_on_hyphens=False))
    for command in commands:
        settings.echo(f"  {command}")
