"""Reading bodies, queries and cursors: properties over generated input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helping_process.http._body import Member
from helping_process.http._body import decode_cursor
from helping_process.http._body import encode_cursor
from helping_process.http._body import read_body
from helping_process.http._body import read_limit
from helping_process.http._problems import Problem

MOMENTS = st.datetimes(
    min_value=dt.datetime(1970, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
    max_value=dt.datetime(9000, 1, 1),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)
MEMBERS = {
    "to": Member("text", required=True, codes=("intake", "contract")),
    "note": Member("text"),
    "flag": Member("bool"),
}


def _outcome(call: Callable[[], Any]) -> Any:
    """Return what ``call`` returns, or the problem it raises."""
    try:
        return call()
    except Problem as problem:
        return problem


class TestCursor:
    """The opaque cursor of a case listing."""

    @given(moment=MOMENTS, case_id=st.text(min_size=1, max_size=64))
    def test_round_trip(self, moment, case_id):
        """A cursor decodes to the position it was made from."""
        assert decode_cursor(encode_cursor(moment, case_id), "en") == (moment, case_id)

    @given(text=st.text(max_size=80))
    def test_anything_else_is_422_or_a_position(self, text):
        """Any text is either a position or a 422 problem, never an exception."""
        outcome = _outcome(lambda: decode_cursor(text, "en"))

        if isinstance(outcome, Problem):
            assert outcome.kind.status == 422
        else:
            assert outcome is not None
            assert outcome[0].tzinfo is not None


class TestBody:
    """A request body's members."""

    @given(
        body=st.dictionaries(
            st.sampled_from(["to", "note", "flag", "other"]),
            st.one_of(
                st.none(),
                st.booleans(),
                st.integers(-(2**63), 2**63 - 1),
                st.text(max_size=5),
            ),
        )
    )
    def test_every_problem_or_clean_values(self, body):
        """A body either reads cleanly or is refused naming each bad member."""
        outcome = _outcome(lambda: read_body(orjson.dumps(body), MEMBERS, "en"))

        if isinstance(outcome, Problem):
            fields = {error["field"] for error in outcome.members["errors"]}
            assert fields <= {"to", "note", "flag", "other"}
            assert ("other" in body) <= ("other" in fields)
        else:
            assert outcome["to"] in {"intake", "contract"}
            assert set(outcome) == set(MEMBERS)

    @pytest.mark.parametrize(("text", "limit"), [(None, 50), ("1", 1), ("500", 500)])
    def test_limits(self, text, limit):
        """The page size is 1 to 500, 50 unless asked."""
        assert read_limit(text, "en") == limit
