"""Errors cross process boundaries whole: pickled, they keep what they say."""

from __future__ import annotations

import pickle

import pytest

from helping_process import ConcurrentUpdateError
from helping_process import InvalidInputError
from helping_process import InvalidTransitionError
from helping_process import RecordInvalidError
from helping_process import RequirementNotMetError
from helping_process import Stage
from helping_process import UnknownCaseError
from helping_process.exceptions import AuditIntegrityError
from helping_process.exceptions import HelpingProcessError
from helping_process.exceptions import InvalidSubReasonError
from helping_process.exceptions import StorageError

ERRORS = [
    ConcurrentUpdateError("case-1", 3),
    StorageError("disk I/O error"),
    UnknownCaseError("case-9"),
    InvalidTransitionError(Stage.INTAKE, Stage.PLANNING),
    RequirementNotMetError(Stage.INTAKE, ["intake.record"], target=Stage.CONTRACT),
    InvalidInputError("occurred_at", "future", "2999-01-01"),
    RecordInvalidError("activity", "goal_ids", "unknown_goal", "g9"),
    InvalidSubReasonError("client_request", "intake", "other"),
    AuditIntegrityError("case-1", 2, "undecodable"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: type(error).__name__)
def test_a_pickled_error_says_the_same_in_both_languages(error: HelpingProcessError):
    """What a process pool hands back is the error the worker raised."""
    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is type(error)
    assert vars(copy) == vars(error)
    assert str(copy) == str(error)
    assert copy.message("id") == error.message("id")
