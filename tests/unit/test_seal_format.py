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


REDACTION_BODY = (
    b'{"action":"redact","actor":{"id":"worker-1","role":"worker"},'
    b'"case_id":"case-1","client":null,"episode":2,"from_stage":"engagement",'
    b'"note":"[redacted]","occurred_at":"2025-01-06T09:05:00.000000Z",'
    b'"personal_digest":'
    b'"12caeccc9b109c183ae339ce52e98d2e230896c7e50172e41bfb55e5d47ac353",'
    b'"reason":null,"record":null,"record_kind":null,'
    b'"recorded_at":"2025-01-06T09:05:00.000000Z",'
    b'"redacted_seqs":[1,2,4,6,8,10,12,13,14],'
    b'"referral_to":null,"residential":null,"seq":15,"sub_reason":null,'
    b'"to_stage":"engagement","v":1}'
)


def _walk(*, redact: bool, salts: bool = False) -> CaseService:
    """Open a case, take it through every stage, end, reopen and (maybe) redact.

    Without ``salts`` personal data is sealed unsalted, as before salts.
    """
    clock = FixedClock()
    counter = iter(range(1, 1000))
    service = CaseService(
        InMemoryStore(),
        clock=clock,
        new_id=lambda: "case-1",
        new_salt=(lambda: next(counter).to_bytes(16, "big")) if salts else None,
    )
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
    """The whole walk up to the redaction hashes to the value it always had."""
    service = _walk(redact=True)
    trail = hashlib.sha256()
    with service.store.unit_of_work() as uow:
        *walk, redaction = uow.events("case-1")
    for sealed in walk:
        trail.update(sealed.body)
        trail.update(sealed.personal or b"")
        trail.update(sealed.hash.encode())

    assert trail.hexdigest() == (
        "e53cfbc911e5db39163f4064721ce690ec10f06ebc97d7ccfbff88a01c5f9a84"
    )
    assert redaction.body == REDACTION_BODY
    assert redaction.personal == b'{"note":"lawful request"}'


def test_salted_personal_data_seals_to_the_pinned_bytes():
    """The salt goes into the personal bytes as hex; the body keeps its shape."""
    service = _walk(redact=False, salts=True)
    with service.store.unit_of_work() as uow:
        activity = uow.events("case-1")[11]

    assert activity.personal is not None
    assert activity.personal.endswith(b',"salt":"0000000000000000000000000000000c"}')
    digest = hashlib.sha256(activity.personal).hexdigest()
    assert activity.body == ACTIVITY_BODY.replace(
        b"29d6e52417dc2d95b67073495095dfdbdd2a030a5930bad875060153427e1e86",
        digest.encode(),
    )
