"""Instants are written by hand for speed: the text must be what the libraries write.

The chain writes an event's times in ISO 8601 with a ``Z``, formatted field
by field instead of through ``isoformat``; SQLite columns hold SQLAlchemy's
own ``DATETIME`` text, cut from the chain's. These tests hold both to the
libraries' output for any aware instant.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

from helping_process.audit import utc_text
from helping_process.persistence._types import UTCDateTime

UTC = dt.UTC

#: Aware instants in any fixed offset, from year 1 to 9999.
instants = st.builds(
    lambda naive, minutes: (naive + dt.timedelta(days=1)).replace(
        tzinfo=dt.timezone(dt.timedelta(minutes=minutes))
    ),
    st.datetimes(max_value=dt.datetime(9999, 12, 29)),  # noqa: DTZ001 - made aware above
    st.integers(min_value=-23 * 60, max_value=23 * 60),
)


@given(instants)
def test_chain_time_is_isoformat_in_utc(value: dt.datetime):
    """An event's time in the chain: UTC, microseconds, a Z for the zone."""
    utc = value.astimezone(UTC)
    assert utc_text(value) == utc.isoformat(timespec="microseconds")[:-6] + "Z"


@given(instants)
def test_sqlite_column_text_is_sqlalchemys(value: dt.datetime):
    """A column's text: what SQLAlchemy writes for the same instant in UTC."""
    dialect = sqlite.dialect()
    ours = UTCDateTime().bind_processor(dialect)
    theirs = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours is not None
    assert theirs is not None
    assert ours(value) == theirs(value.astimezone(UTC).replace(tzinfo=None))
