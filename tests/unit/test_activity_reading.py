"""An activity read directly is the activity the reader gives, or is refused alike."""

from __future__ import annotations

from types import MappingProxyType

from hypothesis import given
from hypothesis import strategies as st

from helping_process.exceptions import RecordInvalidError
from helping_process.states import ActivityRecord
from helping_process.testing import activity_data

_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(
        ["broker", "persuade", "coerce", "2025-01-06", "20250106", "g1", " ", "x"]
    ),
    st.text(max_size=5),
    st.lists(st.sampled_from(["g1", "g2", "", 3]), max_size=3),
)
_CHANGES = st.dictionaries(
    st.sampled_from(
        ["on", "role", "model", "description", "goal_ids", "justification", "extra"]
    ),
    _VALUES,
    max_size=3,
)


def _read(data: object) -> ActivityRecord | str:
    """The record, or the field and problem of its refusal."""
    try:
        return ActivityRecord.from_json(data)
    except RecordInvalidError as error:
        return f"{error.field}:{error.problem}"


class TestDirectReading:
    """A plain dict takes the direct path; any other mapping takes the reader's."""

    @given(_CHANGES)
    def test_the_direct_path_agrees_with_the_reader(self, changes):
        """A dict and a read-only view of it read to the same record or refusal."""
        data = {**activity_data(), **changes}

        direct = _read(data)
        through_reader = _read(MappingProxyType(data))

        assert direct == through_reader

    def test_a_well_formed_activity_is_built_directly(self):
        """A complete activity never needs the reader."""
        data = activity_data()

        assert ActivityRecord._direct(data) == _read(MappingProxyType(data))
