"""The ``helping-process`` command line, installed as ``helping_process.cli``.

The only package that imports click. Commands open the database lazily and
import the core when they run, so ``helping-process --help`` loads only click,
these modules and the core's codes, messages and exceptions: neither
SQLAlchemy, Alembic, attrs nor transitions. ``main`` is
the click group: the console script calls it, and tests and embedding code
may call ``main(args, standalone_mode=False)``.
"""

from __future__ import annotations

from ._app import main

__all__ = ["main"]
