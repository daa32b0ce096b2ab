"""helpers.checks.logistic.check_choose_learning_rate, notebook 2's decision on a validation set:
the rule of the text passes, each usual slip fails with a message that names it."""

from __future__ import annotations

import numpy as np
import pytest
from check_tools import blames_earlier, fails, in_notebook, stub
from test_checks_logistic import model, propagate

from helpers.checks import logistic as checks


def scores(X_train, Y_train, X_val, Y_val, learning_rates, num_iterations, train_on_val=False):
    """(rate, validation accuracy, validation cost) for each rate, trained with model."""
    if train_on_val:  # the slip: train on the validation set, score on the training set
        X_train, Y_train, X_val, Y_val = X_val, Y_val, X_train, Y_train
    found = []
    for rate in learning_rates:
        d = model(X_train, Y_train, X_val, Y_val, num_iterations, rate)
        found.append((rate, d["test_accuracy"], propagate(d["w"], d["b"], X_val, Y_val)[1]))
    return found


def choose_learning_rate(X_train, Y_train, X_val, Y_val, learning_rates, num_iterations):
    found = scores(X_train, Y_train, X_val, Y_val, learning_rates, num_iterations)
    return float(min(found, key=lambda s: (-s[1], s[2]))[0])


def test_correct_function_passes(capsys):
    checks.check_choose_learning_rate(choose_learning_rate)
    assert capsys.readouterr().out == "✔ choose_learning_rate: all checks passed.\n"


def test_the_check_data_give_what_the_check_module_says():
    found = scores(checks.SELECT_X_TRAIN, checks.SELECT_Y_TRAIN, checks.SELECT_X_VAL,
                   checks.SELECT_Y_VAL, checks.SELECT_RATES, checks.SELECT_ITERATIONS)
    assert [s[1] for s in found] == list(checks.SELECT_ACCURACY)
    assert np.allclose([s[2] for s in found], checks.SELECT_COST, atol=5e-5)
    assert choose_learning_rate(checks.SELECT_X_TRAIN, checks.SELECT_Y_TRAIN, checks.SELECT_X_VAL,
                                checks.SELECT_Y_VAL, checks.SELECT_RATES,
                                checks.SELECT_ITERATIONS) == checks.SELECT_CHOICE


def test_stub_is_reported_as_not_implemented():
    fails(checks.check_choose_learning_rate, stub, "stub is not implemented yet")


def rule(key, **options):
    """A choose_learning_rate that picks min(key) over the (rate, accuracy, cost) triples."""
    def choose(X_train, Y_train, X_val, Y_val, learning_rates, num_iterations):
        found = scores(X_train, Y_train, X_val, Y_val, learning_rates, num_iterations, **options)
        return float(min(found, key=key)[0])
    return choose


@pytest.mark.parametrize(("wrong", "fragments"), [
    (rule(lambda s: s[2]), ["returned 3.0, expected 0.3", "lowest validation cost",
                            "accuracy decides first", "0.3: 87.5 %, cost 0.3806"]),
    (rule(lambda s: (-s[1], s[2]), train_on_val=True), ["returned 3.0", "train on X_train"]),
    (rule(lambda s: (-s[1], -s[2])), ["returned 30.0", "lower validation cost decides"]),
    (rule(lambda s: -s[1]), ["learning_rates=[30.0, 3.0, 0.3, 0.03]", "returned 30.0"]),
    (rule(lambda s: s[1]), ["returned 0.03", "lowest validation accuracy"]),
])
def test_each_slip_is_named(wrong, fragments):
    fails(checks.check_choose_learning_rate, wrong, *fragments)


def test_a_tie_settled_by_the_last_position_fails_in_the_given_order():
    def last_best(X_train, Y_train, X_val, Y_val, learning_rates, num_iterations):
        best = None
        for rate, accuracy, _ in scores(X_train, Y_train, X_val, Y_val, learning_rates,
                                        num_iterations):
            if best is None or accuracy >= best[1]:
                best = (rate, accuracy)
        return float(best[0])

    fails(checks.check_choose_learning_rate, last_best,
          "learning_rates=[0.03, 0.3, 3.0, 30.0]", "returned 30.0")


@pytest.mark.parametrize(("returned", "fragments"), [
    (lambda rate, rates: np.float32(rate), ["returned a numpy.float32", "Python float"]),
    (lambda rate, rates: rates.index(rate), ["returned 1, an int", "not its position"]),
    (lambda rate, rates: str(rate), ["returned a builtins.str"]),
    (lambda rate, rates: None, ["returned None"]),
    (lambda rate, rates: rate * 2, ["returned 0.6, which", "not one of the candidates"]),
])
def test_only_a_python_float_among_the_candidates_is_accepted(returned, fragments):
    def choose(X_train, Y_train, X_val, Y_val, learning_rates, num_iterations):
        return returned(choose_learning_rate(X_train, Y_train, X_val, Y_val, learning_rates,
                                             num_iterations), learning_rates)

    fails(checks.check_choose_learning_rate, choose, *fragments)


def test_changing_the_list_of_candidates_fails():
    def choose_sorting(X_train, Y_train, X_val, Y_val, learning_rates, num_iterations):
        learning_rates.sort()
        return choose_learning_rate(X_train, Y_train, X_val, Y_val, learning_rates,
                                    num_iterations)

    fails(checks.check_choose_learning_rate, choose_sorting, "changed the list learning_rates")


CHOOSE = '''
def choose_learning_rate(X_train, Y_train, X_val, Y_val, learning_rates, num_iterations):
    best, best_score = None, None
    for learning_rate in learning_rates:
        d = model(X_train, Y_train, X_val, Y_val, num_iterations, learning_rate)
        score = (-d["test_accuracy"], propagate(d["w"], d["b"], X_val, Y_val)[1])
        if best_score is None or score < best_score:
            best, best_score = learning_rate, score
    return float(best)
'''


def in_namespace(**functions):
    """CHOOSE, defined as in a notebook beside ``functions``."""
    namespace = dict(functions)
    exec(CHOOSE, namespace)  # noqa: S102 - defined as in a notebook, beside the earlier functions
    return namespace["choose_learning_rate"]


def test_right_earlier_exercises_let_the_check_judge_choose_learning_rate(capsys):
    checks.check_choose_learning_rate(in_namespace(propagate=propagate, model=model))
    assert capsys.readouterr().out == "✔ choose_learning_rate: all checks passed.\n"


def broken_propagate(w, b, X, Y):
    grads, cost = propagate(w, b, X, Y)
    return {"dw": -grads["dw"], "db": grads["db"]}, cost


def broken_model(*args, **kwargs):
    return {**model(*args, **kwargs), "test_accuracy": 0.0}


@pytest.mark.parametrize(("broken", "fragments"), [
    ("propagate", ["dw has the wrong sign"]),
    ("model", ["d['test_accuracy']"]),
])
def test_a_broken_earlier_exercise_is_named_first(broken, fragments):
    """The shared mechanism (require_passing): 'fix X first: its check fails (its message)'."""
    functions = {"propagate": propagate, "model": model}
    functions[broken] = {"propagate": broken_propagate, "model": broken_model}[broken]
    blames_earlier(checks.check_choose_learning_rate, in_namespace(**functions), broken,
                   *fragments)


def test_an_earlier_exercise_it_does_not_call_is_not_checked(capsys):
    """Only the earlier functions its code uses are checked: a broken propagate is not blamed
    on a choose_learning_rate that never calls it."""
    def choose(X_train, Y_train, X_val, Y_val, learning_rates, num_iterations):
        return choose_learning_rate(X_train, Y_train, X_val, Y_val, learning_rates,
                                    num_iterations)

    checks.check_choose_learning_rate(in_notebook(choose, propagate=broken_propagate,
                                                  model=broken_model))
    assert capsys.readouterr().out == "✔ choose: all checks passed.\n"
