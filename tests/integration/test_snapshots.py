"""Snapshots: cold loads fold from them, and verify holds them to the replay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from helping_process import Stage
from helping_process import TerminationReason
from helping_process import engine
from helping_process.audit import FindingKind
from helping_process.exceptions import AuditIntegrityError
from helping_process.exceptions import StorageError
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
from tests.integration._support import SUPERVISOR
from tests.integration._support import WORKER
from tests.integration._support import plain_connection

_SQLITE_TRIGGERS: Final = ("snapshots_no_update", "snapshots_no_delete")


def _every_kind(service: CaseService) -> str:
    """A case in evaluation with every kind of record in force.

    Preliminary, primary and secondary contracts, a plan, two activities
    and an evaluation: the snapshot names each by the event that recorded it.
    """
    case_id = service.open("KLIEN-7", actor=WORKER, note="Walked in.").case_id
    steps = (
        ("engagement", engagement_data(), Stage.INTAKE),
        ("intake", intake_data(), Stage.CONTRACT),
        ("contract", contract_data(kind="preliminary"), None),
        ("contract", contract_data(), Stage.ASSESSMENT),
        ("assessment", assessment_data(), Stage.PLANNING),
        ("contract", contract_data(kind="secondary"), None),
        ("plan", plan_data(), Stage.INTERVENTION),
        ("activity", activity_data(), None),
        ("activity", activity_data(), Stage.EVALUATION),
        ("evaluation", evaluation_data(), None),
    )
    for kind, data, target in steps:
        service.add_record_json(case_id, kind, data, actor=WORKER)
        if target is not None:
            service.move(case_id, target, actor=WORKER)
    return case_id


def _long_case(service: CaseService, activities: int) -> str:
    """A case in intervention with ``activities`` activities recorded."""
    case_id = service.open("KLIEN-8", actor=WORKER).case_id
    for kind, data, target in (
        ("engagement", engagement_data(), Stage.INTAKE),
        ("intake", intake_data(), Stage.CONTRACT),
        ("contract", contract_data(), Stage.ASSESSMENT),
        ("assessment", assessment_data(), Stage.PLANNING),
        ("plan", plan_data(), Stage.INTERVENTION),
    ):
        service.add_record_json(case_id, kind, data, actor=WORKER)
        service.move(case_id, target, actor=WORKER)
    with service.batch() as batch:
        for _ in range(activities):
            batch.add_record_json(case_id, "activity", activity_data(), actor=WORKER)
    return case_id


def _snapshot_rows(url: str) -> list[tuple[str, int, str, bytes]]:
    with plain_connection(url) as connection:
        rows = connection.execute(
            text("SELECT case_id, seq, hash, data FROM snapshots ORDER BY seq")
        ).all()
    return [(case_id, seq, hash_, bytes(data)) for case_id, seq, hash_, data in rows]


def _forge(url: str, case_id: str, seq: int, data: bytes) -> None:
    """As an attacker with write access: rewrite a stored snapshot's data."""
    with plain_connection(url) as connection:
        if connection.dialect.name == "sqlite":
            for trigger in _SQLITE_TRIGGERS:
                connection.execute(text(f"DROP TRIGGER {trigger}"))
        else:
            connection.execute(text("ALTER TABLE snapshots DISABLE TRIGGER USER"))
        connection.execute(
            text(
                "UPDATE snapshots SET data = :data WHERE case_id = :case AND seq = :seq"
            ).bindparams(data=data, case=case_id, seq=seq)
        )
        connection.commit()


def _edited(data: bytes, **changes: object) -> bytes:
    decoded = orjson.loads(data)
    for name, value in changes.items():
        if name in decoded["records"]:
            decoded["records"][name] = value
        else:
            decoded[name] = value
    return orjson.dumps(decoded, option=orjson.OPT_SORT_KEYS)


def _cold(url: str, open_store: Callable[..., SqlStore], every: int) -> CaseService:
    """A service that holds no case yet, as every CLI command starts."""
    return CaseService(open_store(url), clock=FixedClock(), snapshot_every=every)


class TestColdLoads:
    """A cold load stores a snapshot, and the next folds from it."""

    def test_a_cold_load_from_a_snapshot_equals_the_replay(
        self, store_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """A long case loads the same from its snapshot as from its whole trail."""
        live = _cold(store_url, open_store, 100)
        case_id = _long_case(live, 150)

        first = _cold(store_url, open_store, 100).get(case_id)
        second = _cold(store_url, open_store, 100).get(case_id)

        replayed = engine.replay(live.history(case_id))
        assert first == second == replayed == live.get(case_id)
        assert [row[:2] for row in _snapshot_rows(store_url)] == [(case_id, first.seq)]

    def test_a_snapshot_round_trips_every_kind_of_record(
        self, store_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """Every record in force, contracts of all three kinds too, comes back."""
        live = _cold(store_url, open_store, 1)
        case_id = _every_kind(live)
        _cold(store_url, open_store, 1).get(case_id)

        loaded = _cold(store_url, open_store, 1).get(case_id)

        assert loaded == live.get(case_id)
        records = loaded.records
        assert records.secondary_contracts
        assert records.primary_contract is not None
        assert records.evaluation is not None
        assert _cold(store_url, open_store, 1).verify() == []

    def test_commands_go_on_after_a_load_from_a_snapshot(
        self, sqlite_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """A command decided on a case loaded from a snapshot verifies."""
        case_id = _every_kind(_cold(sqlite_url, open_store, 1))
        _cold(sqlite_url, open_store, 1).get(case_id)
        service = _cold(sqlite_url, open_store, 1)

        service.terminate(
            case_id,
            TerminationReason.GOALS_ACHIEVED,
            actor=WORKER,
            note="Every goal met.",
        )

        assert service.get(case_id).stage is Stage.TERMINATION
        assert _cold(sqlite_url, open_store, 1).verify() == []

    def test_a_redacted_case_loads_as_its_replay(
        self, sqlite_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """After a redaction the snapshot's records read redacted, as the replay's."""
        live = _cold(sqlite_url, open_store, 1)
        case_id = _every_kind(live)
        _cold(sqlite_url, open_store, 1).get(case_id)
        live.redact(case_id, actor=SUPERVISOR, note="UU 27/2022 Pasal 8 request")

        loaded = _cold(sqlite_url, open_store, 10_000).get(case_id)

        assert loaded == engine.replay(live.history(case_id))
        assert b"Went with the client" not in b"".join(
            row[3] for row in _snapshot_rows(sqlite_url)
        )

    def test_snapshots_are_append_only(
        self, store_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """The database refuses changing or deleting a stored snapshot."""
        case_id = _long_case(_cold(store_url, open_store, 5), 5)
        _cold(store_url, open_store, 5).get(case_id)

        for statement in ("UPDATE snapshots SET seq = seq", "DELETE FROM snapshots"):
            with (
                plain_connection(store_url) as connection,
                pytest.raises(DBAPIError, match=r"append-only|refused"),
            ):
                connection.execute(text(statement))

        assert len(_snapshot_rows(store_url)) == 1


class TestForgedSnapshots:
    """A forged snapshot never reaches a decision unnoticed by verify."""

    def test_verify_names_a_forged_snapshot(
        self, store_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """A snapshot that names an older record is an edited finding at its seq."""
        case_id = _every_kind(_cold(store_url, open_store, 1))
        _cold(store_url, open_store, 1).get(case_id)
        _, seq, _, data = _snapshot_rows(store_url)[0]
        older_activity = orjson.loads(data)["records"]["activity"] - 1
        _forge(store_url, case_id, seq, _edited(data, activity=older_activity))

        findings = _cold(store_url, open_store, 1).verify()
        chain_only = _cold(store_url, open_store, 1).verify(replay=False)

        assert [(f.case_id, f.seq, f.kind, f.cause) for f in findings] == [
            (case_id, seq, FindingKind.EDITED, "finding.snapshot_differs")
        ]
        assert chain_only == []
        assert _cold(store_url, open_store, 1).verify(case_id) == findings

    def test_a_snapshot_at_odds_with_the_chain_is_passed_over(
        self, sqlite_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """A snapshot claiming another stage is refused; the load replays instead."""
        live = _cold(sqlite_url, open_store, 1)
        case_id = _every_kind(live)
        _cold(sqlite_url, open_store, 1).get(case_id)
        _, seq, _, data = _snapshot_rows(sqlite_url)[0]
        _forge(sqlite_url, case_id, seq, _edited(data, stage="termination"))

        loaded = _cold(sqlite_url, open_store, 10_000).get(case_id)

        assert loaded == live.get(case_id)
        assert loaded.stage is Stage.EVALUATION

    @pytest.mark.parametrize(
        "forged",
        [
            b"not json",
            b"{}",
            b'{"records": {"engagement": "one"}}',
        ],
    )
    def test_an_unreadable_snapshot_is_passed_over(
        self, sqlite_url: str, open_store: Callable[..., SqlStore], forged: bytes
    ) -> None:
        """A snapshot that cannot be read makes the load replay, and verify say so."""
        live = _cold(sqlite_url, open_store, 1)
        case_id = _every_kind(live)
        _cold(sqlite_url, open_store, 1).get(case_id)
        _, seq, _, _ = _snapshot_rows(sqlite_url)[0]
        _forge(sqlite_url, case_id, seq, forged)

        loaded = _cold(sqlite_url, open_store, 10_000).get(case_id)
        findings = _cold(sqlite_url, open_store, 10_000).verify()

        assert loaded == live.get(case_id)
        assert [(f.seq, f.kind) for f in findings] == [(seq, FindingKind.EDITED)]

    def test_a_snapshot_moved_to_no_case_is_named(
        self, sqlite_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """A snapshot given a case id that has no trail is an edited finding."""
        case_id = _every_kind(_cold(sqlite_url, open_store, 1))
        _cold(sqlite_url, open_store, 1).get(case_id)
        _, seq, _, _ = _snapshot_rows(sqlite_url)[0]
        with plain_connection(sqlite_url) as connection:
            for trigger in _SQLITE_TRIGGERS:
                connection.execute(text(f"DROP TRIGGER {trigger}"))
            connection.execute(text("UPDATE snapshots SET case_id = 'nobody'"))
            connection.commit()

        findings = _cold(sqlite_url, open_store, 10_000).verify()

        assert [(f.case_id, f.seq, f.kind) for f in findings] == [
            ("nobody", seq, FindingKind.EDITED)
        ]


class TestLoadErrors:
    """What a cold load refuses is unchanged by snapshots."""

    def test_a_head_ahead_of_the_trail_still_refuses(
        self, sqlite_url: str, open_store: Callable[..., SqlStore]
    ) -> None:
        """A head that names an event not stored is an integrity error."""
        case_id = _long_case(_cold(sqlite_url, open_store, 1), 3)
        with plain_connection(sqlite_url) as connection:
            connection.execute(text("DROP TRIGGER cases_forward_only"))
            connection.execute(
                text("UPDATE cases SET seq = seq + 5 WHERE case_id = :case").bindparams(
                    case=case_id
                )
            )
            connection.commit()

        with pytest.raises((AuditIntegrityError, StorageError)):
            _cold(sqlite_url, open_store, 1).get(case_id)
