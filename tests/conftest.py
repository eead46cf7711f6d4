"""Shared fixtures and hypothesis profiles.

Choose the profile with ``HYPOTHESIS_PROFILE``: ``dev`` (the default) keeps
the suite quick; ``ci`` runs at least 500 examples per property, without a
deadline, so a slow machine does not fail a run.

A test that needs something the machine lacks (PostgreSQL, Chromium) calls
:func:`unavailable`: it skips locally, and fails on CI (``CI`` set), where
every test must run.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest
from hypothesis import HealthCheck
from hypothesis import settings

from helping_process import Actor
from helping_process.definitions import _load
from helping_process.testing import FixedClock

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=500,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=50,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def unavailable(why: str) -> NoReturn:
    """Skip the test because ``why``; on CI, fail it instead."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test: {why}")
    pytest.skip(why)


@pytest.fixture
def first_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """New cases follow ``helping-process@1``: for the tests of its rules."""
    monkeypatch.setattr(_load, "DEFAULT_REF", "helping-process@1")


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing still at :data:`helping_process.testing.EPOCH`."""
    return FixedClock()


@pytest.fixture
def actor() -> Actor:
    """The social worker who acts in a test."""
    return Actor("worker-1")
