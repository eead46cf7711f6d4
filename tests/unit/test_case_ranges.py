"""Splitting the cases into ranges for parallel verification."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from helping_process import Actor
from helping_process.audit import EVERY_CASE
from helping_process.audit import split_cases
from helping_process.service import CaseService
from helping_process.testing import FixedClock
from helping_process.testing import InMemoryStore

_weights = st.dictionaries(
    st.text(alphabet="abcdef0123456789-", min_size=1, max_size=8),
    st.integers(min_value=0, max_value=500),
    max_size=40,
).map(lambda cases: sorted(cases.items()))


def _range_of(case_id: str, ranges: list[tuple[str | None, str | None]]) -> list[int]:
    return [
        index
        for index, (low, high) in enumerate(ranges)
        if (low is None or case_id >= low) and (high is None or case_id < high)
    ]


class TestSplitCases:
    """``split_cases`` cuts the ordered cases into consecutive ranges."""

    @given(_weights, st.integers(min_value=1, max_value=9), st.text(max_size=8))
    def test_every_case_falls_in_exactly_one_range(self, weights, parts, stranger):
        """Each listed case, and any other id, is in one range; at most ``parts``."""
        ranges = split_cases(weights, parts)

        assert 0 < len(ranges) <= parts
        assert ranges[0][0] is None
        assert ranges[-1][1] is None
        for case_id, _ in weights:
            assert len(_range_of(case_id, ranges)) == 1
        assert len(_range_of(stranger, ranges)) == 1

    def test_one_part_is_every_case(self):
        """Asked for one part, the range is every case."""
        assert split_cases([("a", 3), ("b", 4)], 1) == [EVERY_CASE]

    def test_ranges_balance_events(self):
        """Four equal cases in two parts make two ranges of two cases."""
        ranges = split_cases([("a", 9), ("b", 9), ("c", 9), ("d", 9)], 2)

        assert ranges == [(None, "c"), ("c", None)]


class TestInMemoryRanges:
    """The in-memory store splits and reads its cases by range as SqlStore does."""

    def test_the_ranges_read_every_case_once(self):
        """The trails of every range, one after another, are the whole trail."""
        service = CaseService(InMemoryStore(), clock=FixedClock())
        for index in range(7):
            service.open(f"client {index}", actor=Actor("worker-1"))

        with service.store.unit_of_work() as uow:
            whole = list(uow.trails())
            pieces = [
                trail
                for within in uow.case_ranges(3)
                for trail in uow.trails(within=within)
            ]

        assert len(uow.case_ranges(3)) == 3
        assert pieces == whole
        assert service.verification(jobs=3).cases == 7
