"""Shared tools of the check tests (tests/test_checks_*.py): broken solutions and failing checks."""

from __future__ import annotations

import types

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


def in_notebook(function, **earlier):
    """``function`` as if a notebook defined it next to ``earlier`` (name=function): a copy
    whose globals, where checks look for the learner's earlier exercises, hold them."""
    namespace = {**function.__globals__, **earlier}
    copy = types.FunctionType(function.__code__, namespace, function.__name__,
                              function.__defaults__, function.__closure__)
    copy.__kwdefaults__ = function.__kwdefaults__
    return copy


def blames_earlier(check, function, earlier: str, *fragments: str) -> str:
    """``check(function)`` fails saying to fix ``earlier`` first (and quoting ``fragments`` of
    its check's message)."""
    return fails(check, function, f"fix {earlier} first: its check fails (", *fragments)


def blames_itself(check, function, *fragments: str) -> str:
    """``check(function)`` fails on ``function`` itself, not on an earlier exercise."""
    message = fails(check, function, *fragments)
    assert "first: its check fails" not in message, message
    return message
