"""Cases pinned to their definitions, definitions stored, migrations, on a database."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from helping_process import Actor
from helping_process import DefinitionClashError
from helping_process import MigrationRefusedError
from helping_process import Stage
from helping_process import TerminationReason
from helping_process import load_definition
from helping_process.audit import FindingKind
from helping_process.definitions import builtin_text
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import add
from helping_process.testing import assessment_data
from helping_process.testing import contract_data
from helping_process.testing import engagement_data
from helping_process.testing import intake_data

WORKER = Actor("worker-1")


def _own(version: int = 1, *, label: str = "Proses LKS Harapan") -> str:
    """An agency's own definition: helping-process@2 under another name."""
    source = builtin_text("helping-process@2")
    source = source.replace('name = "helping-process"', 'name = "lks-harapan"', 1)
    source = source.replace("version = 2", f"version = {version}", 1)
    return source.replace(
        'label = { id = "Proses pertolongan pekerjaan sosial",',
        f'label = {{ id = "{label}",',
        1,
    )


def _to_assessment(service: CaseService, case_id: str) -> None:
    for kind, data, target in (
        ("engagement", engagement_data, Stage.INTAKE),
        ("intake", intake_data, Stage.CONTRACT),
        ("contract", contract_data, Stage.ASSESSMENT),
    ):
        service.execute(case_id, add(kind, data()), actor=WORKER)
        service.move(case_id, target, actor=WORKER)


class TestInstall:
    """An agency's definition is stored once, and a clash is refused."""

    def test_install_open_and_verify(self, service, store_url, open_store):
        """A case opened under an installed definition replays from the database."""
        own = load_definition(_own())

        first = service.install(own)
        again = service.install(own)
        case = service.open("KLIEN-1", actor=WORKER, process="lks-harapan")
        fresh = CaseService(open_store(store_url), clock=FixedClock())

        assert (first, again) == (True, False)
        assert case.definition == own
        assert fresh.get(case.case_id).definition == own
        assert fresh.verify() == []

    def test_a_clash_is_refused(self, service):
        """Another definition under a stored name and version is refused."""
        service.install(load_definition(_own()))
        other = load_definition(_own(label="Proses lain"))

        with pytest.raises(DefinitionClashError) as refused:
            service.install(other)

        assert refused.value.ref == "lks-harapan@1"
        assert refused.value.given == other.digest

    def test_a_newer_version_is_the_newest(self, service):
        """NAME alone names the newest version stored."""
        service.install(load_definition(_own(1)))
        service.install(load_definition(_own(2)))

        assert service.definition("lks-harapan").version == 2
        assert service.definition("lks-harapan@1").version == 1


class TestMigrate:
    """A case moves to another definition's rules by a chained, checked event."""

    def test_accepted(self, service, store_url, open_store):
        """An old case moves to version 2; replay switches rules at the event."""
        case = service.open("KLIEN-1", actor=WORKER, process="helping-process@1")
        _to_assessment(service, case.case_id)

        moved = service.migrate(
            case.case_id, "helping-process@2", actor=WORKER, note="Aturan baru."
        )
        died = service.terminate(
            case.case_id, TerminationReason.CLIENT_DIED, actor=WORKER, note="Wafat."
        )
        fresh = CaseService(open_store(store_url), clock=FixedClock())

        assert moved.definition.ref == "helping-process@2"
        assert (moved.stage, moved.seq) == (Stage.ASSESSMENT, 8)
        assert died.stage is Stage.TERMINATION
        assert fresh.get(case.case_id) == died
        assert fresh.verify() == []

    def test_refused_naming_each_problem(self, service):
        """Records the target's rules need, and the note, are each named."""
        case = service.open("KLIEN-1", actor=WORKER, process="helping-process@2")
        own = load_definition(_own())
        service.install(own)

        with pytest.raises(MigrationRefusedError) as same:
            service.migrate(case.case_id, "helping-process@2", actor=WORKER, note="?")
        with pytest.raises(MigrationRefusedError) as no_note:
            service.migrate(case.case_id, "lks-harapan@1", actor=WORKER)

        assert same.value.missing == ("migrate.same_definition",)
        assert no_note.value.missing == ("migrate.note",)
        assert service.get(case.case_id).seq == 1

    def test_refused_when_the_records_fall_short(self, service):
        """A case in a stage the target guards with checks it fails is refused."""
        case = service.open("KLIEN-1", actor=WORKER, process="helping-process@2")
        _to_assessment(service, case.case_id)
        stricter = _own().replace(
            'to = "assessment"\nkind = "forward"\nchecks = ["contract.record"]',
            'to = "assessment"\nkind = "forward"\nchecks = ["contract.record", '
            '"plan.record"]',
            1,
        )
        assert stricter != _own()
        target = load_definition(stricter)
        service.execute(
            case.case_id, add("assessment", assessment_data()), actor=WORKER
        )

        with pytest.raises(MigrationRefusedError) as refused:
            service.migrate(case.case_id, target, actor=WORKER, note="Aturan baru.")

        assert refused.value.missing == ("plan.record",)


class TestVerifyDefinitions:
    """What verification finds when the stored definitions are tampered with."""

    @staticmethod
    def _sql(store: SqlStore, *statements: str) -> None:
        with store.bind.connect() as connection:  # type: ignore[union-attr]
            if connection.dialect.name == "sqlite":
                connection.execute(text("DROP TRIGGER definitions_no_delete"))
                connection.execute(text("DROP TRIGGER definitions_no_update"))
            else:
                connection.execute(text("ALTER TABLE definitions DISABLE TRIGGER USER"))
            for statement in statements:
                connection.execute(text(statement))
            connection.commit()

    def test_a_pinned_definition_deleted(self, service, store_url, open_store):
        """A case pinned to a digest the database no longer holds is found."""
        own = load_definition(_own())
        case = service.open("KLIEN-1", actor=WORKER, process=own)
        self._sql(service.store, "DELETE FROM definitions WHERE name = 'lks-harapan'")

        findings = CaseService(open_store(store_url)).verify()

        assert [(f.case_id, f.seq, f.kind) for f in findings] == [
            (case.case_id, 1, FindingKind.DELETED)
        ]
        assert findings[0].params == {"finding": "definition_missing"}

    def test_a_stored_definition_forged(self, service, store_url, open_store):
        """A stored file that does not hash to its digest is found."""
        service.open("KLIEN-1", actor=WORKER)
        self._sql(
            service.store,
            "UPDATE definitions SET text = replace(text, 'klien', 'kelayan')"
            " WHERE version = 2",
        )

        findings = CaseService(open_store(store_url)).verify()

        assert ("helping-process@2", FindingKind.EDITED) in {
            (f.case_id, f.kind) for f in findings
        }
        assert {f.params.get("finding") for f in findings} >= {
            "definition_forged",
            "definition_missing",
        }

    def test_the_table_is_append_only(self, service):
        """Changing or deleting a stored definition is refused by the database."""
        service.open("KLIEN-1", actor=WORKER)
        refused = []

        for statement in (
            "UPDATE definitions SET name = 'x'",
            "DELETE FROM definitions",
        ):
            with service.store.bind.connect() as connection:
                try:
                    connection.execute(text(statement))
                except DBAPIError as error:
                    refused.append("helping_process" in str(error))

        assert refused == [True, True]
        assert len(service.definitions()) == 2  # the first rules, and the default
