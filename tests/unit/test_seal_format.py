"""The sealed bytes are the audit format: they must not change by accident.

Sealing is tuned for speed; these tests pin its output, byte for byte, for
a walk through every kind of event (``docs/audit-format.md`` specifies it).
A change here is a change of the stored format and needs a new version.
"""

from __future__ import annotations

import hashlib

from helping_process import Actor
from helping_process import Stage
from helping_process import TerminationReason
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import InMemoryStore
from helping_process.testing import activity_data
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import intake_data
from helping_process.testing import plan_data

WORKER = Actor("worker-1")

ACTIVITY_BODY = (
    b'{"action":"record","actor":{"id":"worker-1","role":"worker"},'
    b'"case_id":"case-1","client":null,"episode":1,"from_stage":"intervention",'
    b'"note":null,"occurred_at":"2025-01-06T09:05:00.000000Z",'
    b'"personal_digest":'
    b'"29d6e52417dc2d95b67073495095dfdbdd2a030a5930bad875060153427e1e86",'
    b'"reason":null,"record":{"description":"[redacted]","goal_ids":["g1"],'
    b'"model":"persuade","on":"2025-01-06","role":"broker"},'
    b'"record_kind":"activity","recorded_at":"2025-01-06T09:05:00.000000Z",'
    b'"referral_to":null,"residential":null,"seq":12,"sub_reason":null,'
    b'"to_stage":"intervention","v":1}'
)


def _walk(*, redact: bool) -> CaseService:
    """Open a case, take it through every stage, end, reopen and (maybe) redact."""
    clock = FixedClock()
    service = CaseService(InMemoryStore(), clock=clock, new_id=lambda: "case-1")
    case_id = service.open("KLIEN-1", actor=WORKER, note="first note").case_id
    for kind, data, target in (
        ("engagement", engagement_data, Stage.INTAKE),
        ("intake", intake_data, Stage.CONTRACT),
        ("contract", contract_data, Stage.ASSESSMENT),
        ("assessment", assessment_data, Stage.PLANNING),
        ("plan", plan_data, Stage.INTERVENTION),
    ):
        service.add_record_json(case_id, kind, data(), actor=WORKER)
        clock.advance(minutes=1)
        service.move(case_id, target, actor=WORKER)
    service.add_record_json(case_id, "activity", activity_data(), actor=WORKER)
    service.terminate(
        case_id,
        TerminationReason.SERVICE_AVAILABLE_ELSEWHERE,
        actor=WORKER,
        note="ends",
        referral_to="Dinas Sosial",
    )
    service.reopen(case_id, actor=WORKER, note="back")
    if redact:
        service.redact(case_id, actor=WORKER, note="lawful request")
    return service


def test_an_activity_seals_to_the_pinned_bytes():
    """One event in full: chained body, personal data kept apart, its hash."""
    service = _walk(redact=False)
    with service.store.unit_of_work() as uow:
        activity = uow.events("case-1")[11]

    assert activity.body == ACTIVITY_BODY
    assert activity.personal is not None
    assert hashlib.sha256(activity.personal).hexdigest() == (
        "29d6e52417dc2d95b67073495095dfdbdd2a030a5930bad875060153427e1e86"
    )
    assert activity.personal.startswith(b'{"record":{"description":')


def test_every_kind_of_event_seals_as_before():
    """The whole walk (open to redaction) hashes to the value it always had."""
    service = _walk(redact=True)
    trail = hashlib.sha256()
    with service.store.unit_of_work() as uow:
        for sealed in uow.events("case-1"):
            trail.update(sealed.body)
            trail.update(sealed.personal or b"")
            trail.update(sealed.hash.encode())

    assert trail.hexdigest() == (
        "4ac8d98c1f8d51d8b2acb12a73cb1fd8d9e349e65e3c81bba62923f5467c3dbd"
    )
