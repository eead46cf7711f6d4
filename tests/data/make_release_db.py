"""Write ``release-0.1.0.sqlite``: a small trail made by the 0.1.0 release.

The database beside this script was written by the code of release 0.1.0
(commit 3aa7044, before process definitions had versions), by running::

    git checkout 3aa7044
    uv run python tests/data/make_release_db.py

It is kept so that every later release proves it still opens, verifies and
goes on with a database written before it (``test_release_db.py``). Never
regenerate it with newer code: that would prove nothing. It holds four
cases with every record kind, a loop, a planned and an early termination, a
reopen, a redaction and a seal signed with a test key whose public half is
``release-0.1.0.seal-key.pub.pem`` (the private half is derived from a fixed
seed below: it signs nothing but this fixture).
"""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helping_process import Actor
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminationReason
from helping_process import seals
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import activity_data
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import evaluation_data
from helping_process.testing import intake_data
from helping_process.testing import plan_data

HERE = Path(__file__).parent
DATABASE = HERE / "release-0.1.0.sqlite"
PUBLIC_KEY = HERE / "release-0.1.0.seal-key.pub.pem"
#: A fixed seed, so the fixture's key is the same each time it is made.
SEED = bytes(range(32))

WORKER = Actor("peksos-17")
SUPERVISOR = Actor("spv-02", role="supervisor")


def _forward_to_planning(cases: CaseService, case_id: str, day: dt.date) -> None:
    """Record and move a case from engagement into planning."""
    until = day + dt.timedelta(days=365)
    cases.add_record_json(
        case_id, "engagement", engagement_data(first_contact_on=day), actor=WORKER
    )
    cases.move(case_id, Stage.INTAKE, actor=WORKER)
    cases.add_record_json(case_id, "intake", intake_data(), actor=WORKER)
    cases.move(case_id, Stage.CONTRACT, actor=WORKER)
    cases.add_record_json(
        case_id,
        "contract",
        contract_data("preliminary", valid_from=day, valid_until=until),
        actor=WORKER,
    )
    cases.move(case_id, Stage.ASSESSMENT, actor=WORKER)
    cases.add_record_json(case_id, "assessment", assessment_data(), actor=WORKER)
    cases.move(case_id, Stage.PLANNING, actor=WORKER)
    cases.add_record_json(
        case_id,
        "contract",
        contract_data("primary", valid_from=day, valid_until=until),
        actor=WORKER,
    )


def make(database: Path) -> None:
    """Write the fixture database and the seal's public key."""
    database.unlink(missing_ok=True)
    clock = FixedClock(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC))
    numbers = itertools.count(1)
    store = SqlStore.from_url(f"sqlite:///{database}")
    cases = CaseService(
        store,
        clock=lambda: clock.advance(minutes=7),
        new_id=lambda: f"00000000-0000-4000-8000-{next(numbers):012d}",
    )
    day = clock.now.date()

    # 1: the whole path with GAS, a loop back and a resume, planned end,
    # then a reopen.
    full = cases.open(
        "KLIEN-0001", actor=WORKER, note="Walk-in, mother and son"
    ).case_id
    _forward_to_planning(cases, full, day)
    cases.add_record_json(full, "plan", plan_data(("g1", "g2"), gas=True), actor=WORKER)
    cases.move(full, Stage.INTERVENTION, actor=WORKER)
    cases.move(
        full, Stage.PLANNING, actor=WORKER, note="The school asks for a new plan"
    )
    cases.add_record_json(
        full, "plan", plan_data(("g1", "g2", "g3"), gas=True), actor=WORKER
    )
    cases.move(full, Stage.INTERVENTION, actor=WORKER)
    cases.add_record_json(
        full,
        "activity",
        activity_data(("g1", "g2"), on=day, role="advocate", model="induce"),
        actor=WORKER,
    )
    cases.add_record_json(
        full,
        "activity",
        activity_data(
            ("g3",),
            on=day,
            model="coerce",
            justification="Court order to attend school.",
        ),
        actor=WORKER,
    )
    cases.move(full, Stage.EVALUATION, actor=WORKER)
    cases.add_record_json(
        full,
        "evaluation",
        evaluation_data(("g1",), {"g1": 1, "g2": -1, "g3": 0}),
        actor=WORKER,
    )
    cases.move(full, Stage.INTERVENTION, actor=WORKER, note="Same plan, more time")
    cases.add_record_json(
        full, "activity", activity_data(("g2", "g3"), on=day), actor=WORKER
    )
    cases.move(full, Stage.EVALUATION, actor=WORKER)
    cases.add_record_json(
        full,
        "evaluation",
        evaluation_data(("g1", "g2", "g3"), {"g1": 2, "g2": 1, "g3": 0}),
        actor=WORKER,
    )
    cases.terminate(
        full,
        TerminationReason.GOALS_ACHIEVED,
        actor=WORKER,
        note="Every agreed goal is achieved.",
    )
    cases.reopen(full, actor=SUPERVISOR, note="The son left school again")

    # 2: residential, ran away from the panti during assessment.
    absconded = cases.open(
        "KLIEN-0002", actor=WORKER, residential=True, note="Placed by Dinsos"
    ).case_id
    _forward_to_planning(cases, absconded, day)
    cases.move(
        absconded, Stage.ASSESSMENT, actor=WORKER, note="New facts from the family"
    )
    cases.add_record_json(
        absconded, "contract", contract_data("secondary"), actor=WORKER
    )
    cases.terminate(
        absconded,
        TerminationReason.CLIENT_ABSCONDED,
        sub_reason=SubReason.DISLIKES_INSTITUTIONAL_LIFE,
        actor=WORKER,
        note="Left at night, family informed.",
    )

    # 3: beyond the agency's capacity at intake, referred; then redacted.
    referred = cases.open("KLIEN-0003", actor=WORKER).case_id
    cases.add_record_json(
        referred,
        "engagement",
        engagement_data(first_contact_on=day, referral_source="police"),
        actor=WORKER,
    )
    cases.move(referred, Stage.INTAKE, actor=WORKER)
    cases.add_record_json(
        referred,
        "intake",
        intake_data(eligible=False, criteria_failed=["needs psychiatric care"]),
        actor=WORKER,
    )
    cases.terminate(
        referred,
        TerminationReason.BEYOND_AGENCY_CAPACITY,
        sub_reason=SubReason.MENTAL_DISORDER,
        referral_to="RSJ Dr. Soeharto Heerdjan",
        actor=WORKER,
        note="Referred for psychiatric care.",
    )
    cases.redact(referred, actor=SUPERVISOR, note="UU 27/2022 Ps. 8: client's request")

    # 4: still open, in intervention.
    open_case = cases.open("KLIEN-0004", actor=WORKER).case_id
    _forward_to_planning(cases, open_case, day)
    cases.add_record_json(open_case, "plan", plan_data(), actor=WORKER)
    cases.move(open_case, Stage.INTERVENTION, actor=WORKER)

    key = Ed25519PrivateKey.from_private_bytes(SEED)
    cases.seal(key)
    PUBLIC_KEY.write_bytes(seals.public_pem(key))
    store.dispose()


if __name__ == "__main__":
    make(Path(sys.argv[1]) if len(sys.argv) > 1 else DATABASE)
