"""Portable column types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from helping_process.audit import utc_text

UTC = dt.UTC


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime on every backend.

    SQLite keeps no time zone and hands back naive datetimes, so values are
    normalised to UTC on the way in and given ``tzinfo=UTC`` on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        """Refuse naive datetimes; store UTC (naive on SQLite)."""
        if value is None:
            return None
        if value.utcoffset() is None:
            msg = "naive datetimes are not stored; give a time zone"
            raise ValueError(msg)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, write SQLAlchemy's own text form in one step.

        The two-layer default (this decorator, then SQLite's DATETIME
        formatting) costs more than the rest of a command's parameters.
        """
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        return _sqlite_text

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: The instant :func:`_sqlite_text` wrote last, and its text. A command
#: stores one instant three times, in three columns (when it took place,
#: was recorded, and the head's update), so all columns share it; it is one
#: tuple, so threads never see a torn pair.
_last_text: list[tuple[dt.datetime | None, str | None]] = [(None, None)]


def _sqlite_text(value: dt.datetime | None) -> str | None:
    """Write an aware datetime as SQLAlchemy's SQLite text, in UTC.

    That is the chain's text with a space for the ``T`` and no ``Z``: it is
    cut from :func:`~helping_process.audit.utc_text`, which has just written
    the same instant when the command was sealed.
    """
    if value is None:
        return None
    seen, text = _last_text[0]
    if value is seen:
        return text
    if value.utcoffset() is None:
        msg = "naive datetimes are not stored; give a time zone"
        raise ValueError(msg)
    chained = utc_text(value)
    text = chained[:10] + " " + chained[11:-1]
    _last_text[0] = (value, text)
    return text
