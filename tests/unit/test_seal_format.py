"""The sealed bytes are the audit format: they must not change by accident.

Sealing is tuned for speed; these tests pin its output, byte for byte, for
a walk through every kind of event (``docs/audit-format.md`` specifies it).
A change here is a change of the stored format and needs a new version.
The signed seals and their receipts are pinned the same way, and a seal of
the first format, as agencies' databases hold them, must still verify.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helping_process import Actor
from helping_process import InvalidInputError
from helping_process import OpenCase
from helping_process import Stage
from helping_process import TerminationReason
from helping_process import audit
from helping_process import engine
from helping_process import seals
from helping_process.audit import Head
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
    # Opened unpinned, as every case was before cases were pinned to their
    # process definition: the format of such a trail must not change.
    opened = engine.open_case(
        OpenCase(client="KLIEN-1", note="first note", process=None),
        case_id="case-1",
        actor=WORKER,
        at=clock(),
    )
    first_salt = service._salt()
    service.store.append(
        opened, audit.seal(opened.event, audit.GENESIS, salt=first_salt)
    )
    case_id = opened.case.case_id
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


def test_a_pinned_open_event_names_its_definition():
    """A case opened now carries its definition's name, version and digest."""
    service = CaseService(InMemoryStore(), clock=FixedClock(), new_id=lambda: "c")
    service.open("KLIEN-1", actor=WORKER)
    with service.store.unit_of_work() as uow:
        (opened,) = uow.events("c")

    body = json.loads(opened.body)

    assert body["process"] == {
        "name": "helping-process",
        "version": 2,
        "digest": ("38a81555c75bf8e96d18ae3b095a512166abfe47f8f0552cb2e11b1e0dc12b85"),
    }
    assert opened.body.endswith(
        b'"process":{"digest":"38a81555c75bf8e96d18ae3b095a512166abfe47f8f0552cb2e11b'
        b'1e0dc12b85","name":"helping-process","version":2},"reason":null,'
        b'"record":null,"record_kind":null,"recorded_at":"2025-01-06T09:00:00.000000Z",'
        b'"referral_to":null,"residential":false,"seq":1,"sub_reason":null,'
        b'"to_stage":"engagement","v":1}'
    )


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


# Seals ----------------------------------------------------------------------

#: A fixed agency key (Ed25519 signatures are deterministic).
SEAL_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
SEALED_AT = dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.UTC)
HEADS = (
    Head(case_id="case-a", seq=5, last_hash="a" * 64),
    Head(case_id="case-b", seq=3, last_hash="b" * 64),
)
#: A format-1 seal exactly as the first format stored it, leaves apart.
FORMAT_1 = seals.Seal(
    message=(
        b'{"cases":2,"events":8,"previous":null,"root":'
        b'"c60a0c790f1ab53006290adf35af61912b9aecf79f98d93e88dc64081cb062d1",'
        b'"sealed_at":"2026-11-22T08:30:00+00:00","type":"helping_process.seal","v":1}'
    ),
    signature=bytes.fromhex(
        "52b126075e1ab2ca98aa8c25efe1498db522d02080f78859706a8eb882259305"
        "737a64421836a357cc2e9e3f25616eb51c92c33be80476f10b5ff9e23559e905"
    ),
    public_key=seals.raw_public_key(SEAL_KEY),
    number=1,
    leaves=HEADS,
    stored_at=SEALED_AT,
)
#: The first format-2 seal after it: every head, chained to the format-1 seal.
FORMAT_2 = (
    '{"cases":3,"events":10,"heads":[["case-a",6,"' + "c" * 64 + '"],'
    '["case-b",3,"' + "b" * 64 + '"],["case-é",1,"' + "d" * 64 + '"]],"number":2,'
    '"previous":"83fee9aa26f16b1d5c0711be075d0b6e3ff9e116c0a8d78a608ea40a232b510e",'
    '"sealed_at":"2026-11-24T08:30:00.000000Z","type":"helping_process.seal","v":2}'
).encode()
NOW = (
    Head(case_id="case-b", seq=3, last_hash="b" * 64),
    Head(case_id="case-a", seq=6, last_hash="c" * 64),
    Head(case_id="case-é", seq=1, last_hash="d" * 64),
)


def _second() -> seals.Seal:
    return seals.make_seal(
        NOW, SEAL_KEY, sealed_at=SEALED_AT + dt.timedelta(days=2), previous=[FORMAT_1]
    )


class TestSealMessages:
    def test_a_format_1_seal_verifies_as_it_always_did(self):
        """The first format's bytes, signature and digest still verify."""
        review = seals.review_seals([FORMAT_1], SEAL_KEY.public_key())

        assert FORMAT_1.digest == (
            "83fee9aa26f16b1d5c0711be075d0b6e3ff9e116c0a8d78a608ea40a232b510e"
        )
        assert review.findings == ()
        assert review.covered == (
            (1, "case-a", 5, "a" * 64),
            (1, "case-b", 3, "b" * 64),
        )

    def test_a_format_2_seal_signs_the_pinned_bytes(self):
        """A seal's message is the documented canonical JSON, byte for byte."""
        made = _second()

        assert made.message == FORMAT_2
        assert made.digest == (
            "b239f51db13c717f72d15ba2d3d0c8fab5eeaca8d4fdc4f9c12863cc59b0f30a"
        )
        assert (
            seals.review_seals([FORMAT_1, made], SEAL_KEY.public_key()).findings == ()
        )

    def test_the_next_seal_lists_only_what_changed(self):
        """After a format-2 seal, only changed and new heads are listed."""
        second = _second()
        now = (Head(case_id="case-b", seq=4, last_hash="e" * 64), *NOW[1:])

        third = seals.make_seal(
            now,
            SEAL_KEY,
            sealed_at=SEALED_AT + dt.timedelta(days=3),
            previous=[FORMAT_1, second],
        )

        assert third.fields == {
            "type": "helping_process.seal",
            "v": 2,
            "number": 3,
            "sealed_at": "2026-11-25T08:30:00.000000Z",
            "previous": second.digest,
            "cases": 3,
            "events": 11,
            "heads": [["case-b", 4, "e" * 64]],
        }

    def test_a_seal_that_does_not_verify_is_not_trusted_for_the_next(self):
        """Heads listed by a seal of another key are listed again by the next."""
        forged = seals.make_seal(
            NOW, seals.new_private_key(), sealed_at=SEALED_AT, previous=[FORMAT_1]
        )

        after = seals.make_seal(
            NOW, SEAL_KEY, sealed_at=SEALED_AT, previous=[FORMAT_1, forged]
        )

        assert len(after.fields["heads"]) == 3

    @pytest.mark.parametrize(
        "message",
        [
            b"not json",
            b"[]",
            b'{"type":"helping_process.seal","v":3}',
            b'{"type":"helping_process.seal","v":2,"heads":[["c",0,"x"]]}',
        ],
    )
    def test_a_signed_message_of_no_known_format_is_unreadable(self, message):
        """A message the key signed but no format reads is a bad seal, not a crash."""
        odd = seals.Seal(
            message=message,
            signature=SEAL_KEY.sign(message),
            public_key=seals.raw_public_key(SEAL_KEY),
            number=1,
            stored_at=SEALED_AT,
        )

        review = seals.review_seals([odd], SEAL_KEY.public_key())

        assert [(f.seq, f.cause) for f in review.findings] == [
            (1, "finding.seal_unreadable")
        ]
        assert (review.covered, odd.heads) == ((), ())

    def test_the_fingerprint_is_the_hash_of_the_raw_key(self):
        """A key's fingerprint is SHA-256 of its 32 raw bytes."""
        raw = seals.raw_public_key(SEAL_KEY)

        assert seals.fingerprint(SEAL_KEY) == hashlib.sha256(raw).hexdigest()


class TestReceipts:
    def test_a_receipt_round_trips(self):
        """A receipt file reads back as the receipt written."""
        receipt = seals.Receipt.of(_second())

        read = seals.read_receipt(receipt.to_json())

        assert read == receipt
        assert read.heads == tuple(sorted(NOW, key=lambda head: head.case_id))

    def test_a_receipt_file_is_plain_json(self):
        """The file names its type, number, digest and time, and holds the seal."""
        data = json.loads(seals.Receipt.of(_second()).to_json())

        assert data["type"] == "helping_process.seal_receipt"
        assert (data["format"], data["number"]) == (1, 2)
        assert data["sealed_at"] == "2026-11-24T08:30:00.000000Z"
        assert data["message"].encode() == FORMAT_2
        assert base64.b64decode(data["public_key"]) == seals.raw_public_key(SEAL_KEY)

    @pytest.mark.parametrize(
        ("change", "problem"),
        [
            (lambda data: b"not json", "not_receipt"),
            (lambda data: b"[]", "not_receipt"),
            (lambda data: _with(data, type="other"), "not_receipt"),
            (lambda data: _with(data, number="2"), "not_receipt"),
            (lambda data: _with(data, signature="%%%"), "not_receipt"),
            (lambda data: _with(data, public_key="AAAA"), "not_receipt"),
            (lambda data: _without(data, "message"), "not_receipt"),
            (lambda data: _with(data, digest="0" * 64), "receipt_digest"),
            (
                lambda data: _resigned(data, seals.new_private_key()),
                "receipt_signature",
            ),
            (lambda data: _with(data, number=3), "not_receipt"),
        ],
        ids=[
            "not_json",
            "not_object",
            "type",
            "number_text",
            "signature_not_base64",
            "short_key",
            "no_message",
            "digest",
            "signature",
            "number_differs",
        ],
    )
    def test_a_bad_receipt_is_refused_with_its_problem(self, change, problem):
        """A receipt that is not one, or does not hold together, is bad input."""
        data = seals.Receipt.of(_second()).to_json()

        with pytest.raises(InvalidInputError) as refused:
            seals.read_receipt(change(data))

        assert (refused.value.field, refused.value.problem) == ("receipt", problem)


def _with(data: bytes, **members: object) -> bytes:
    return json.dumps({**json.loads(data), **members}).encode()


def _without(data: bytes, member: str) -> bytes:
    document = json.loads(data)
    del document[member]
    return json.dumps(document).encode()


def _resigned(data: bytes, key: Ed25519PrivateKey) -> bytes:
    """The receipt with a signature by ``key`` and a digest that matches it."""
    document = json.loads(data)
    message = document["message"].encode()
    signature = key.sign(message)
    return _with(
        data,
        signature=base64.b64encode(signature).decode(),
        digest=hashlib.sha256(message + signature).hexdigest(),
    )
