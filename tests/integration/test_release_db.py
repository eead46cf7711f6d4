"""A database written by release 0.1.0 still opens, verifies and goes on."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from helping_process import Actor
from helping_process import InvalidTerminationReasonError
from helping_process import Stage
from helping_process import TerminationReason
from helping_process import seals
from helping_process.audit import FindingKind
from helping_process.persistence import SqlStore
from helping_process.service import CaseService
from helping_process.testing import activity_data

DATA = Path(__file__).parent.parent / "data"
RELEASE_DB = DATA / "release-0.1.0.sqlite"
RELEASE_KEY = DATA / "release-0.1.0.seal-key.pub.pem"
FULL_CASE = "00000000-0000-4000-8000-000000000001"
REDACTED_CASE = "00000000-0000-4000-8000-000000000003"
OPEN_CASE = "00000000-0000-4000-8000-000000000004"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    """A store on a copy of the release's database (never the file itself)."""
    copy = tmp_path / "release.sqlite"
    shutil.copyfile(RELEASE_DB, copy)
    store = SqlStore.from_url(f"sqlite:///{copy}")
    yield store
    store.dispose()


class TestReleaseDatabase:
    """The database made by release 0.1.0 is still sound under this code."""

    def test_verifies_with_redactions_only(self, store):
        """Every chain, replay and seal verifies; only the redaction is noted."""
        key = seals.load_public_key(RELEASE_KEY.read_bytes())

        verification = CaseService(store).verification(key=key)

        assert verification.cases == 4
        assert verification.events == 56
        assert verification.seals == 1
        assert verification.findings
        assert {f.kind for f in verification.findings} == {FindingKind.REDACTED}
        assert {f.case_id for f in verification.findings} == {REDACTED_CASE}

    def test_cases_are_where_they_were_left(self, store):
        """Each case stands in the stage and episode the release left it in."""
        cases = CaseService(store)

        stages = {s.case_id: s.stage for s in cases.cases()}
        reopened = cases.get(FULL_CASE)

        assert sorted(stages.values()) == [
            Stage.ENGAGEMENT,
            Stage.INTERVENTION,
            Stage.TERMINATION,
            Stage.TERMINATION,
        ]
        assert (reopened.stage, reopened.episode) == (Stage.ENGAGEMENT, 2)

    def test_open_case_goes_on(self, store):
        """A case left open by the release takes further commands and verifies."""
        cases = CaseService(store)
        worker = Actor("peksos-17")

        cases.add_record_json(OPEN_CASE, "activity", activity_data(), actor=worker)
        moved = cases.move(OPEN_CASE, Stage.EVALUATION, actor=worker)

        assert moved.stage is Stage.EVALUATION
        assert not [f for f in cases.verify() if f.is_tampering]

    def test_its_cases_run_under_the_first_rules(self, store):
        """The upgrade stores helping-process@1; the old cases keep its rules."""
        cases = CaseService(store)
        worker = Actor("peksos-17")

        stored = [definition.ref for definition in cases.definitions()]
        old = cases.get(OPEN_CASE)
        with pytest.raises(InvalidTerminationReasonError):
            cases.terminate(
                OPEN_CASE, TerminationReason.CLIENT_DIED, actor=worker, note="Died."
            )
        new = cases.open("KLIEN-BARU", actor=worker)
        died = cases.terminate(
            new.case_id, TerminationReason.CLIENT_DIED, actor=worker, note="Died."
        )

        assert stored == ["helping-process@1"]
        assert old.definition.ref == "helping-process@1"
        assert died.definition.ref == "helping-process@2"
        assert died.stage is Stage.TERMINATION
        assert [d.ref for d in cases.definitions()] == [
            "helping-process@1",
            "helping-process@2",
        ]
        assert not [f for f in cases.verify() if f.is_tampering]
