"""helpers.checks: the shared tools every check module builds on."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import (
    CheckFailed,
    call,
    expect_close,
    expect_dict,
    expect_number,
    expect_scalar,
    expect_shape,
    expect_unchanged,
    hint_on_failure,
    passed,
)


def test_passed_prints_one_line(capsys):
    passed("sigmoid")
    assert capsys.readouterr().out == "✔ sigmoid: all checks passed.\n"


def test_call_returns_the_result():
    assert call(lambda x: x + 1, 1) == 2


def test_call_reports_stub():
    def sigmoid(z):
        raise NotImplementedError

    with pytest.raises(CheckFailed, match="sigmoid is not implemented yet"):
        call(sigmoid, 0.0)


def test_call_turns_overflow_into_a_failure():
    def unsafe(z):
        return 1 / (1 + np.exp(-z))

    with pytest.raises(CheckFailed, match="unsafe is not numerically safe"):
        call(unsafe, np.array([-1000.0]))


def test_call_reports_crashes_with_their_type():
    with pytest.raises(CheckFailed, match="raised KeyError"):
        call(lambda d: d["w"], {}, name="propagate")


def test_expect_shape():
    expect_shape(np.zeros((2, 1)), (2, 1), "w")
    with pytest.raises(CheckFailed, match=r"w has shape \(2,\), expected \(2, 1\)"):
        expect_shape(np.zeros(2), (2, 1), "w")


def test_expect_close_names_the_worst_entry():
    expect_close([[0.5, 0.25]], [[0.5, 0.25]], "A")
    message = r"A is wrong: at index \(0, 1\) it is 0.3, expected 0.25"
    with pytest.raises(CheckFailed, match=message):
        expect_close([[0.5, 0.3]], [[0.5, 0.25]], "A")


def test_expect_close_rejects_nan():
    with pytest.raises(CheckFailed, match="NaN"):
        expect_close([np.nan], [1.0], "cost")


def test_call_allows_harmless_underflow():
    def stable_sigmoid(z):
        return np.exp(-np.logaddexp(0.0, -z))

    assert call(stable_sigmoid, np.array([-1000.0]))[0] == 0.0


def test_expect_scalar_is_strict_unless_one_entry_will_do():
    assert expect_scalar(np.float32(0.5), "b") == 0.5
    with pytest.raises(CheckFailed, match=r"b must be a single number, got ndarray of shape \(1,"):
        expect_scalar(np.array([[0.5]]), "b")
    assert expect_scalar(np.array([[0.5]]), "b", one_entry=True) == 0.5
    with pytest.raises(CheckFailed, match=r"b should be a single number, got an array of shape"):
        expect_scalar(np.zeros(2), "b", one_entry=True)
    for bad, message in ((None, "b is None"), ("0.5", "must hold numbers"),
                         (np.inf, "expected a finite number")):
        with pytest.raises(CheckFailed, match=message):
            expect_scalar(bad, "b")


def test_expect_number_and_dict():
    expect_number(1.0 + 1e-7, 1.0, "cost")
    with pytest.raises(CheckFailed, match="cost is 1.1, expected 1. Average the losses."):
        expect_number(1.1, 1.0, "cost", "Average the losses.")
    assert expect_dict({"w": 1, "b": 2}, ("w", "b"), "params") == {"w": 1, "b": 2}
    with pytest.raises(CheckFailed, match=r"params is missing the key\(s\) \['w'\]; it has \['W',"):
        expect_dict({"W": 1, "b": 2}, ("w", "b"), "params")


def test_expect_unchanged_names_what_changed_and_the_rule():
    w = np.array([1.0, 2.0])
    expect_unchanged(w, w.copy(), "w", "step")
    with pytest.raises(CheckFailed, match=r"^step changed the array w you passed in .*no in-place"):
        expect_unchanged(w, w * 2, "w", "step")
    before = {"W1": w, "b1": np.zeros(1)}
    expect_unchanged(before, {"W1": w.copy(), "b1": np.zeros(1)}, "parameters", "update")
    after = {"W1": w, "b1": np.ones(1), "W9": w}
    with pytest.raises(CheckFailed, match=r"^update changed the dict parameters you passed in "
                                          r"at b1, W9 .*no in-place"):
        expect_unchanged(before, after, "parameters", "update")


def test_hint_on_failure_adds_the_hint_only_where_it_applies():
    with pytest.raises(CheckFailed, match=r"^A is wrong.*expected 0.25\. Use the sigmoid\.$"):
        with hint_on_failure("Use the sigmoid."):
            expect_close([0.3], [0.25], "A")
    with pytest.raises(CheckFailed, match=r"expected 0.25\.$"):
        with hint_on_failure("Use np.logaddexp.", only_if="not numerically safe"):
            expect_close([0.3], [0.25], "A")
