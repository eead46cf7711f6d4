"""Bad input, fuzzed: never a traceback, always exit 1 or 2, never a partial write.

Each property shares one database across its examples (a fresh one per
example would cost half a second of migrations), so a command that happens
to be accepted simply moves the case on; what is checked is that a refused
or malformed one changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from helping_process import RecordKind
from helping_process import Stage
from helping_process import SubReason
from helping_process import TerminationReason
from tests.cli._support import COMPLETE
from tests.cli._support import Cli

#: A few dozen examples by default, more under HYPOTHESIS_PROFILE=ci.
EXAMPLES = min(settings().max_examples, 150) * 2 // 3

fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def near_records(draw: st.DrawFn) -> tuple[str, str]:
    """A record kind and JSON text: a complete record bent, or random JSON."""
    kind = draw(st.sampled_from(sorted(COMPLETE)))
    record: dict[str, Any] = dict(COMPLETE[kind])
    choice = draw(st.integers(0, 3))
    if choice == 0:
        record.pop(draw(st.sampled_from(sorted(record))))
    elif choice == 1:
        record[draw(st.sampled_from(sorted(record)))] = draw(json_values)
    elif choice == 2:
        record[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
    else:
        return kind, json.dumps(draw(json_values))
    return kind, json.dumps(record)


codes = st.sampled_from([*RecordKind]).map(str) | st.text(max_size=15)
texts = st.text(max_size=30)


def check(cli: Cli, case_id: str, before: int, result: Any) -> None:
    """The run ended cleanly, and a failed one stored nothing."""
    assert "Traceback" not in result.stderr
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr)
    if result.exit_code != 0:
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert cli.events(case_id) == before


@pytest.fixture
def evaluation_case(cli: Cli) -> str:
    """A case in evaluation, shared by every example of a test."""
    return cli.walk("evaluation")


@pytest.fixture
def residential_case(cli: Cli) -> str:
    """A residential case in intervention, shared by every example of a test."""
    return cli.walk("intervention", residential=True)


class TestFuzz:
    @fuzz
    @given(record=near_records(), kind=codes | st.none(), as_json=st.booleans())
    def test_record(
        self,
        cli: Cli,
        evaluation_case: str,
        *,
        record: tuple[str, str],
        kind: str | None,
        as_json: bool,
    ):
        """Recording bent or random JSON never fails uncleanly."""
        case_id = evaluation_case
        before = cli.events(case_id)
        options = ["--json"] if as_json else []

        result = cli.run(
            *options, "case", "record", case_id, kind or record[0], "--data", record[1],
            fails=True,
        )  # fmt: skip

        check(cli, case_id, before, result)
        if as_json and result.exit_code != 0:
            assert "error" in json.loads(result.stdout)

    @fuzz
    @given(data=st.text(max_size=40) | st.binary(max_size=40).map(repr))
    def test_record_text(self, cli: Cli, evaluation_case: str, data: str):
        """--data that is not JSON, or not an object, is bad input (exit 2)."""
        case_id = evaluation_case
        before = cli.events(case_id)

        result = cli.run(
            "case", "record", case_id, "engagement", "--data", data, fails=True
        )

        check(cli, case_id, before, result)

    @fuzz
    @given(
        target=st.sampled_from([*Stage]).map(str) | st.text(max_size=15),
        note=st.none() | texts,
        reason=st.sampled_from([*TerminationReason]).map(str) | st.text(max_size=15),
        sub_reason=st.none() | st.sampled_from([*SubReason]).map(str) | texts,
        referral=st.none() | texts,
        terminate=st.booleans(),
        case_ref=st.none() | st.text(max_size=12),
    )
    def test_move_and_terminate(  # noqa: PLR0913 - one argument per fuzzed part
        self,
        cli: Cli,
        residential_case: str,
        *,
        target: str,
        note: str | None,
        reason: str,
        sub_reason: str | None,
        referral: str | None,
        terminate: bool,
        case_ref: str | None,
    ):
        """Random stages, reasons, notes and ids never fail uncleanly."""
        case_id = residential_case
        before = cli.events(case_id)
        if terminate:
            args = ["case", "terminate", case_ref or case_id, "--reason", reason]
            args += ["--sub-reason", sub_reason] if sub_reason is not None else []
            args += ["--referral-to", referral] if referral is not None else []
        else:
            args = ["case", "move", case_ref or case_id, target]
        args += ["--note", note] if note is not None else []

        result = cli.run(*args, fails=True)

        check(cli, case_id, before, result)
