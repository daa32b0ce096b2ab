"""Shared tools of the check tests (tests/test_checks_*.py): broken solutions and failing checks."""

from __future__ import annotations

import pytest

from helpers.checks import CheckFailed


def stub(*args, **kwargs):
    """The solution a learner has not written yet: the student edition's ``raise``."""
    raise NotImplementedError


def fails(check, function, *fragments: str) -> str:
    """Run ``check(function)``; it must raise CheckFailed whose message holds every fragment.

    Returns the message, for further asserts.
    """
    with pytest.raises(CheckFailed) as info:
        check(function)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message
