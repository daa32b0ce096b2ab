"""Checks for notebook 2, logistic regression in NumPy: ``check_<name>(function)`` per exercise.

Besides values, shapes and dtypes they test numerical safety at z = +-1000, where a naive
``1 / (1 + np.exp(-z))`` overflows and a naive ``np.log(A)`` takes the log of 0. The fixed
inputs (shapes in brackets)::

    w = [[1.], [2.]]                      (2, 1)
    b = 2.
    X = [[1., 2., -1.], [3., 4., -3.2]]   (2, 3)   one column per example
    Y = [[1, 0, 1]]                       (1, 3)
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.checks import (
    CheckFailed,
    call,
    expect,
    expect_close,
    expect_dict,
    expect_not_m_times,
    expect_number,
    expect_scalar,
    expect_shape,
    expect_unchanged,
    expect_values,
    hint_on_failure,
    name_of,
    passed,
    require_passing,
)

# --------------------------------------------------------------------------- fixed inputs

W = np.array([[1.0], [2.0]])
B = 2.0
X = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]])
Y = np.array([[1, 0, 1]])

# Extreme inputs: z = w.T @ X + b = [[1000, -1000, 1000, -1000]]. The first two examples are
# classified right with total confidence (loss 0), the last two wrong (loss 1000 each).
W_EXTREME = np.array([[1.0]])
X_EXTREME = np.array([[1000.0, -1000.0, 1000.0, -1000.0]])
Y_EXTREME = np.array([[1, 0, 0, 1]])

# --------------------------------------------------------------------------- expected values

LN2 = 0.6931471805599453

SIGMOID_Z = np.array([[-1000.0, -30.0, -2.0, -0.5, 0.0, 0.5, 2.0, 30.0, 1000.0]])
SIGMOID_EXPECTED = np.array([[0.0, 9.3576229688393001e-14, 0.11920292202211755,
                              0.37754066879814546, 0.5, 0.62245933120185459,
                              0.88079707797788231, 0.99999999999990652, 1.0]])

PROPAGATE_DW = np.array([[0.9984560146379561], [2.395072388486207]])
PROPAGATE_DB = 0.001455578136784208
PROPAGATE_COST = 5.80154531939415
EXTREME_COST = 500.0  # (0 + 0 + 1000 + 1000) / 4
EXTREME_DW = np.array([[500.0]])  # (1000 * 1 + (-1000) * (-1)) / 4, since A - Y = [0, 0, 1, -1]
EXTREME_DB = 0.0

# optimize(W, B, X, Y, num_iterations=100, learning_rate=0.009)
OPTIMIZE_W = np.array([[0.19033590888604332], [0.12259159246561413]])
OPTIMIZE_B = 1.9253598300845747
OPTIMIZE_DW = np.array([[0.6775204222153582], [1.416254952638088]])
OPTIMIZE_DB = 0.21919450454067657
# the same with num_iterations=201: costs recorded at iterations 0, 100 and 200
OPTIMIZE_COSTS_201 = [5.80154531939415, 1.0559334443217414, 0.37830291814111144]

# predict(PREDICT_W, 0.1, PREDICT_X): z = [[0.1, -1.15, 2.6, -0.025]]
PREDICT_W = np.array([[0.5], [-0.25]])
PREDICT_B = 0.1
PREDICT_X = np.array([[1.0, -2.0, 3.0, 0.0], [2.0, 1.0, -4.0, 0.5]])
PREDICT_EXPECTED = np.array([[1, 0, 1, 0]])

# model(...) on a tiny synthetic problem: 3 features, 8 training and 4 test examples,
# num_iterations=300, learning_rate=0.5.
MODEL_X_TRAIN = np.array([[0.2, 0.9, 0.4, 0.8, 0.1, 0.7, 0.3, 0.6],
                          [0.5, 0.1, 0.8, 0.2, 0.7, 0.3, 0.9, 0.4],
                          [0.3, 0.6, 0.1, 0.9, 0.2, 0.5, 0.4, 0.8]])
MODEL_Y_TRAIN = np.array([[0, 1, 0, 1, 0, 1, 0, 1]])
MODEL_X_TEST = np.array([[0.85, 0.15, 0.55, 0.45],
                         [0.2, 0.8, 0.5, 0.5],
                         [0.7, 0.1, 0.6, 0.3]])
MODEL_Y_TEST = np.array([[1, 0, 1, 1]])
MODEL_COSTS = [0.6931471805599453, 0.1547904665029768, 0.08848609298207927]
MODEL_W = np.array([[4.33823004357693], [-4.941939733364097], [3.77315204399419]])
MODEL_B = -1.3420590196868587
MODEL_PREDICTION_TRAIN = np.array([[0, 1, 0, 1, 0, 1, 0, 1]])
MODEL_PREDICTION_TEST = np.array([[1, 0, 1, 0]])
MODEL_TRAIN_ACCURACY = 100.0  # percent: 8 of 8
MODEL_TEST_ACCURACY = 75.0  # percent: 3 of 4
MODEL_KEYS = ("costs", "Y_prediction_test", "Y_prediction_train", "w", "b",
              "train_accuracy", "test_accuracy", "learning_rate", "num_iterations")

# --------------------------------------------------------------------------- tools


def _call(function: Callable, *args: Any, **kwargs: Any) -> Any:
    """``call`` with fresh copies of the array arguments."""
    args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    return call(function, *args, **kwargs)


def _expect_labels(value: Any, shape: tuple[int, int], what: str) -> np.ndarray:
    array = expect_shape(value, shape, what)
    expect(array.dtype.kind in "biuf",
           f"{what} must hold numbers 0 and 1, got dtype {array.dtype}.")
    bad = array[(array != 0) & (array != 1)]
    if bad.size:
        raise CheckFailed(f"{what} must hold labels 0 or 1, got values such as "
                          f"{float(bad.flat[0]):.4g}. Turn probabilities into labels: 1 where "
                          "A > 0.5, else 0.")
    return array


def _expect_float(value: Any, what: str) -> None:
    """The exercise asks for a Python float (np.float64 is one too): not a 0-d array, not a
    float32 number."""
    expect(isinstance(value, float),
           f"{what} has type {type(value).__name__}, expected a Python float, a single number "
           "whatever the dtype of the data.")


def _diagnose(value: np.ndarray, expected: np.ndarray, what: str, m: int) -> None:
    """Name the usual mistakes (wrong sign, missing 1/m) before a generic mismatch."""
    value = np.asarray(value, dtype=float)
    if value.shape == expected.shape and np.all(np.isfinite(value)):
        if np.allclose(value, -expected, rtol=1e-6):
            raise CheckFailed(f"{what} has the wrong sign. The gradient uses dZ = A - Y "
                              "(prediction minus label), not Y - A.")
        expect_not_m_times(value, expected, m, what, "divide the sum over the examples by m.")


# --------------------------------------------------------------------------- the checks


def check_sigmoid(sigmoid: Callable) -> None:
    """sigmoid(z): right values, any shape, float32 kept, no overflow at z = +-1000."""
    name = name_of(sigmoid, "sigmoid")
    z = SIGMOID_Z.copy()
    with hint_on_failure("Only the exponential of a number <= 0 is safe: with e = exp(-|z|), "
                         "sigmoid(z) is 1 / (1 + e) where z >= 0 and e / (1 + e) where z < 0. "
                         "np.where(cond, x, y) computes both x and y for every element, so "
                         "both must be safe everywhere.", only_if="not numerically safe"):
        a = call(sigmoid, z)
    expect(a is not None, f"{name} returned None: did you forget the 'return' line?")
    expect_close(a, SIGMOID_EXPECTED, f"{name}(z) for z = {SIGMOID_Z.ravel().tolist()}")
    expect_unchanged(SIGMOID_Z, z, "z", name)

    matrix = np.array([[0.0, 2.0, -2.0], [-0.5, 0.5, 0.0]])
    expect_close(_call(sigmoid, matrix),
                 SIGMOID_EXPECTED[:, [4, 6, 2, 3, 5, 4]].reshape(2, 3),
                 f"{name}(z) for a (2, 3) matrix z")

    a32 = np.asarray(_call(sigmoid, SIGMOID_Z.astype(np.float32)))
    expect(a32.dtype == np.float32,
           f"{name} turned a float32 input into {a32.dtype}. Keep the input's dtype (avoid "
           "astype(float) or np.float64 constants): the notebook trains in float32 for speed.")
    expect_close(a32, SIGMOID_EXPECTED, f"{name}(z) for float32 z", rtol=1e-5, atol=1e-7)
    passed(name)


def check_initialize_with_zeros(initialize_with_zeros: Callable) -> None:
    """initialize_with_zeros(dim, dtype): w zeros of shape (dim, 1) and the dtype, b = 0."""
    name = name_of(initialize_with_zeros, "initialize_with_zeros")
    for dim, kwargs, dtype in ((2, {}, np.float64), (3, {"dtype": np.float32}, np.float32)):
        how = f"{name}({dim}{', dtype=np.float32' if kwargs else ''})"
        w, b = expect_values(_call(initialize_with_zeros, dim, **kwargs), 2, how, "w, b")
        expect(isinstance(w, np.ndarray), f"w from {how} must be a NumPy array, "
               f"got {type(w).__name__}.")
        expect(w.shape == (dim, 1),
               f"w from {how} has shape {w.shape}, expected ({dim}, 1): a column of dim "
               "zeros, not a 1-D array of shape (dim,).")
        expect(w.dtype == dtype, f"w from {how} has dtype {w.dtype}, expected "
               f"{np.dtype(dtype).name}: create w with the dtype you are given.")
        expect(not np.any(w), f"w from {how} is not all zeros.")
        number = expect_scalar(b, f"b from {how}", "b is the plain number 0.0.")
        expect(number == 0.0, f"b from {how} is {number}, expected 0.")
        expect(isinstance(b, float), f"b from {how} is {b!r} of type {type(b).__name__}: make "
               "it the plain number 0.0, a Python float.")
    passed(name)


def check_propagate(propagate: Callable) -> None:
    """propagate(w, b, X, Y) -> (grads, cost): values, shapes, dtype, safety at z = +-1000."""
    name = name_of(propagate, "propagate")
    require_passing(propagate, ("sigmoid", check_sigmoid))
    m = X.shape[1]
    grads, cost = expect_values(_call(propagate, W, B, X, Y), 2, name, "grads, cost")
    grads = expect_dict(grads, ("dw", "db"), f"grads from {name}")
    dw = expect_shape(grads["dw"], W.shape, "dw (it must have the shape of w)")
    _diagnose(dw, PROPAGATE_DW, "dw", m)
    expect_close(dw, PROPAGATE_DW, "dw")
    expect_scalar(grads["db"], "db", "db is the mean of the m entries of A - Y, a number.")
    _diagnose(np.asarray(grads["db"]), np.asarray(PROPAGATE_DB), "db", m)
    expect_number(grads["db"], PROPAGATE_DB, "db")
    expect_scalar(cost, "cost", "The cost is the mean of the m losses, a number.")
    _expect_float(cost, f"the cost from {name}")
    _diagnose(np.asarray(cost), np.asarray(PROPAGATE_COST), "cost", m)
    expect_number(cost, PROPAGATE_COST, "cost",
                  "The cost is the mean over the examples of "
                  "-[y log(a) + (1 - y) log(1 - a)].")

    # z = +-1000: a naive sigmoid overflows and log(0) appears; clipping A gives a wrong cost.
    with hint_on_failure("Use your safe sigmoid for A, and compute each loss from z, not "
                         "from log(A): y log(1 + e^-z) + (1 - y) log(1 + e^z), where "
                         "log(1 + e^t) = max(t, 0) + log(1 + e^-|t|) exponentiates only "
                         "numbers <= 0.", only_if="not numerically safe"):
        result = _call(propagate, W_EXTREME, 0.0, X_EXTREME, Y_EXTREME)
    grads, cost = expect_values(result, 2, f"{name} on extreme inputs", "grads, cost")
    expect_number(cost, EXTREME_COST, "cost for z = [[1000, -1000, 1000, -1000]] and "
                  "Y = [[1, 0, 0, 1]]",
                  "Two examples are wrong with total confidence, each loss is exactly 1000. "
                  "Clipping A or adding an epsilon inside the log hides the overflow but "
                  "gives a wrong cost: compute each loss from z, in the safe form of the "
                  "text.")
    expect_close(grads["dw"], EXTREME_DW, "dw for z = [[1000, -1000, 1000, -1000]]")
    expect_number(grads["db"], EXTREME_DB, "db for z = [[1000, -1000, 1000, -1000]]")

    # float32 in, float32 out: no silent copy of X to float64.
    grads, cost = expect_values(
        _call(propagate, W.astype(np.float32), B, X.astype(np.float32), Y.astype(np.float32)),
        2, f"{name} on float32 inputs", "grads, cost")
    dw32 = np.asarray(grads["dw"])
    expect(dw32.dtype == np.float32,
           f"{name} turned float32 w, X and Y into a {dw32.dtype} dw. Keep the inputs' dtype "
           "(no astype(float), no np.float64 constants): mixing dtypes makes NumPy convert X "
           "to float64 on every iteration, which is slow.")
    expect_close(dw32, PROPAGATE_DW, "dw for float32 inputs", rtol=1e-5, atol=1e-6)
    expect_number(cost, PROPAGATE_COST, "cost for float32 inputs", rtol=1e-5)
    _expect_float(cost, f"the cost from {name} on float32 inputs")
    passed(name)


def check_optimize(optimize: Callable) -> None:
    """optimize(...) -> (params, grads, costs): values after 100 and 201 steps, inputs intact."""
    name = name_of(optimize, "optimize")
    require_passing(optimize, ("propagate", check_propagate))
    # One step: w - 0.009 * dw, with the dw that check_propagate expects.
    params, _, _ = expect_values(
        _call(optimize, W, B, X, Y, num_iterations=1, learning_rate=0.009), 3, name,
        "params, grads, costs")
    params = expect_dict(params, ("w", "b"), f"params from {name}")
    w = expect_shape(params["w"], W.shape, "params['w']")
    if np.allclose(w, W):
        raise CheckFailed(f"params['w'] from {name} is the initial w: every iteration must "
                          "move w against its gradient, by learning_rate times dw.")
    if np.allclose(w, W + 0.009 * PROPAGATE_DW):
        raise CheckFailed("params['w'] moved uphill: gradient descent steps against the "
                          "gradient, so learning_rate times dw is subtracted from w.")
    expect_close(w, W - 0.009 * PROPAGATE_DW, "params['w'] after one iteration with "
                 "learning_rate=0.009")
    inputs = {"w": W.copy(), "X": X.copy(), "Y": Y.copy()}
    result = call(optimize, inputs["w"], B, inputs["X"], inputs["Y"], num_iterations=100,
                  learning_rate=0.009)
    params, grads, costs = expect_values(result, 3, name, "params, grads, costs")
    for what, original in (("w", W), ("X", X), ("Y", Y)):
        expect_unchanged(original, inputs[what], what, name)
    params = expect_dict(params, ("w", "b"), f"params from {name}")
    grads = expect_dict(grads, ("dw", "db"), f"grads from {name}")
    w = expect_shape(params["w"], W.shape, "params['w']")
    expect_close(w, OPTIMIZE_W, "params['w'] after 100 iterations with learning_rate=0.009")
    expect_number(params["b"], OPTIMIZE_B,
                  "params['b'] after 100 iterations with learning_rate=0.009",
                  "b steps against its gradient too, by learning_rate times db.")
    expect_close(grads["dw"], OPTIMIZE_DW, "grads['dw'] (the gradient of the last iteration)")
    expect_number(grads["db"], OPTIMIZE_DB, "grads['db'] (the gradient of the last iteration)")
    expect(isinstance(costs, list), f"costs must be a list, got {type(costs).__name__}.")
    expect(len(costs) == 1, f"costs has {len(costs)} entries after 100 iterations, expected 1: "
           "record the cost when i % 100 == 0 (iteration 0 only, here).")

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        params, grads, costs = expect_values(
            _call(optimize, W, B, X, Y, num_iterations=201, learning_rate=0.009,
                  print_cost=True), 3, name, "params, grads, costs")
    expect(len(costs) == 3, f"costs has {len(costs)} entries after 201 iterations, expected 3 "
           "(iterations 0, 100 and 200): append the cost when i % 100 == 0.")
    expect_close(np.asarray(costs, dtype=float).ravel(), OPTIMIZE_COSTS_201,
                 "costs after 201 iterations")
    expected = "".join(f"Cost after iteration {i}: {cost:.4f}\n"
                       for i, cost in zip((0, 100, 200), OPTIMIZE_COSTS_201, strict=True))
    lines = [line.rstrip() for line in printed.getvalue().splitlines() if line.strip()]
    expect(lines == expected.splitlines(),
           f"With print_cost=True, {name} printed {printed.getvalue()!r}, expected "
           f"{expected!r}: the cost every 100 iterations, 4 decimals.")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        _call(optimize, W, B, X, Y, num_iterations=101, learning_rate=0.009)
    expect(printed.getvalue() == "",
           f"{name} printed {printed.getvalue()[:60]!r} with print_cost=False: print only "
           "when print_cost is true.")
    passed(name)


def check_predict(predict: Callable) -> None:
    """predict(w, b, X) -> (1, m) labels 0/1, threshold 0.5, no overflow at z = +-1000."""
    name = name_of(predict, "predict")
    require_passing(predict, ("sigmoid", check_sigmoid))
    prediction = _call(predict, PREDICT_W, PREDICT_B, PREDICT_X)
    expect(prediction is not None, f"{name} returned None: did you forget the 'return' line?")
    labels = _expect_labels(prediction, (1, 4), f"{name}(w, b, X)")
    expect(labels.dtype.kind in "iu",
           f"{name}(w, b, X) has dtype {labels.dtype}, expected integers 0 and 1: convert the "
           "comparison's True/False to int.")
    if np.array_equal(labels, 1 - PREDICT_EXPECTED):
        raise CheckFailed(f"{name} swapped the labels: predict 1 (cat) where A > 0.5.")
    expect(np.array_equal(labels, PREDICT_EXPECTED),
           f"{name}(w, b, X) gave {labels.astype(int).tolist()}, expected "
           f"{PREDICT_EXPECTED.tolist()} (z = w.T X + b = [[0.1, -1.15, 2.6, -0.025]]).")

    labels = _expect_labels(_call(predict, W_EXTREME, 0.0, X_EXTREME[:, :2]), (1, 2),
                            f"{name} for z = [[1000, -1000]]")
    expect(np.array_equal(labels, [[1, 0]]),
           f"{name} for z = [[1000, -1000]] gave {labels.astype(int).tolist()}, "
           "expected [[1, 0]].")
    _expect_labels(_call(predict, PREDICT_W, PREDICT_B, PREDICT_X[:, :1]), (1, 1),
                   f"{name} for a single example (m = 1)")
    passed(name)


def check_model(model: Callable) -> None:
    """model(...) on a tiny synthetic problem: keys, costs, parameters, predictions, dtype."""
    name = name_of(model, "model")
    require_passing(model, ("initialize_with_zeros", check_initialize_with_zeros),
                    ("optimize", check_optimize), ("predict", check_predict))
    d = _call(model, MODEL_X_TRAIN, MODEL_Y_TRAIN, MODEL_X_TEST, MODEL_Y_TEST,
              num_iterations=300, learning_rate=0.5)
    d = expect_dict(d, MODEL_KEYS, f"the dict returned by {name}")
    costs = np.asarray(d["costs"], dtype=float).ravel()
    expect(costs.size == 3, f"d['costs'] has {costs.size} entries after 300 iterations, "
           "expected 3 (iterations 0, 100 and 200).")
    if not math.isclose(costs[0], LN2, rel_tol=1e-9):
        raise CheckFailed(f"d['costs'][0] is {costs[0]:.6f}, expected ln 2 = {LN2:.6f}: with "
                          "w = 0 and b = 0 every prediction is 0.5. Start from "
                          "initialize_with_zeros.")
    expect_close(costs, MODEL_COSTS, "d['costs'] (did you pass num_iterations and "
                 "learning_rate on to optimize?)")
    expect_close(d["w"], MODEL_W, "d['w']")
    expect_number(d["b"], MODEL_B, "d['b']")
    train = _expect_labels(d["Y_prediction_train"], MODEL_Y_TRAIN.shape, "d['Y_prediction_train']")
    test = _expect_labels(d["Y_prediction_test"], MODEL_Y_TEST.shape, "d['Y_prediction_test']")
    expect(np.array_equal(train, MODEL_PREDICTION_TRAIN),
           "d['Y_prediction_train'] is wrong: predict with the trained w, b on X_train.")
    expect(np.array_equal(test, MODEL_PREDICTION_TEST),
           "d['Y_prediction_test'] is wrong: predict with the trained w, b on X_test.")
    for key, expected in (("train_accuracy", MODEL_TRAIN_ACCURACY),
                          ("test_accuracy", MODEL_TEST_ACCURACY)):
        value = expect_scalar(d[key], f"d['{key}']")
        if math.isclose(value, expected / 100):
            raise CheckFailed(f"d['{key}'] is {value:g}, a fraction: give it in percent "
                              f"({expected:g}), 100 * the fraction of labels predicted right.")
        expect_number(value, expected, f"d['{key}']",
                      "It is the percentage of examples whose predicted label equals the "
                      "true one (Y_train for the training set, Y_test for the test set).")
    expect(d["learning_rate"] == 0.5 and d["num_iterations"] == 300,
           "d['learning_rate'] and d['num_iterations'] must be the values model was called "
           f"with (0.5 and 300), got {d['learning_rate']} and {d['num_iterations']}.")

    d32 = _call(model, *(a.astype(np.float32) for a in (MODEL_X_TRAIN, MODEL_Y_TRAIN,
                                                        MODEL_X_TEST, MODEL_Y_TEST)),
                num_iterations=300, learning_rate=0.5)
    w32 = np.asarray(expect_dict(d32, MODEL_KEYS, f"the dict returned by {name}")["w"])
    expect(w32.dtype == np.float32,
           f"{name} trained float32 data into a {w32.dtype} w: initialize the parameters "
           "with initialize_with_zeros in the dtype of X_train.")
    expect_close(w32, MODEL_W, "d['w'] for float32 data", rtol=1e-4, atol=1e-5)
    passed(name)


# --------------------------------------------------------------------------- choose_learning_rate

# A tiny problem with 2 features: 10 training and 8 validation examples, 100 iterations for
# every candidate learning rate.
SELECT_X_TRAIN = np.array([[-0.8, 0.2, -1.7, 0.7, 1.1, -0.5, 0.4, 0.3, -0.4, -0.9],
                           [-2.0, 1.4, 0.0, 2.5, 0.8, 0.3, -0.7, 1.4, -0.5, 1.6]])
SELECT_Y_TRAIN = np.array([[0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]])
SELECT_X_VAL = np.array([[-0.4, 0.2, -1.5, 2.3, -0.1, -0.4, 0.8, -0.9],
                         [0.8, -1.2, 0.5, -1.0, -1.8, -0.6, -1.5, 0.6]])
SELECT_Y_VAL = np.array([[0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0]])
SELECT_ITERATIONS = 100
SELECT_RATES = (0.03, 0.3, 3.0, 30.0)
# A correct model trained on the training examples, scored on the validation examples:
SELECT_ACCURACY = (75.0, 87.5, 75.0, 87.5)  # percent, for each rate of SELECT_RATES
SELECT_COST = (0.5859, 0.3806, 0.3497, 0.4077)  # mean cross-entropy
SELECT_CHOICE = 0.3  # 0.3 and 30.0 share the highest accuracy; 0.3 has the lower cost
# What the usual slips return: the lowest validation cost alone (3.0; training on the
# validation examples also gives 3.0); the tie broken the wrong way, or not at all (30.0).
SELECT_SLIPS = {
    3.0: "3.0 has the lowest validation cost, but not the highest validation accuracy: "
         "accuracy decides first (and train on X_train, score on X_val).",
    30.0: "30.0 ties with 0.3 on validation accuracy (87.5 %); between tied rates the lower "
          "validation cost decides (0.3806 against 0.4077).",
    0.03: "0.03 has the lowest validation accuracy (75.0 %, like 3.0).",
}


def check_choose_learning_rate(choose_learning_rate: Callable) -> None:
    """choose_learning_rate(...): the text's rule, on a tiny problem; a Python float returned."""
    name = name_of(choose_learning_rate, "choose_learning_rate")
    require_passing(choose_learning_rate, ("sigmoid", check_sigmoid),
                    ("initialize_with_zeros", check_initialize_with_zeros),
                    ("propagate", check_propagate), ("optimize", check_optimize),
                    ("predict", check_predict), ("model", check_model))
    # Both orders: a tie must be settled by the cost, not by the position in the list.
    for order in (list(SELECT_RATES), list(reversed(SELECT_RATES))):
        rates = list(order)
        chosen = _call(choose_learning_rate, SELECT_X_TRAIN, SELECT_Y_TRAIN, SELECT_X_VAL,
                       SELECT_Y_VAL, rates, SELECT_ITERATIONS)
        how = f"{name}(..., learning_rates={order}, num_iterations={SELECT_ITERATIONS})"
        expect(chosen is not None, f"{how} returned None: did you forget the 'return' line?")
        expect(rates == order, f"{name} changed the list learning_rates you passed in (it is now "
               f"{rates}). Leave the caller's list as it was.")
        if isinstance(chosen, int | np.integer) and not isinstance(chosen, bool):
            raise CheckFailed(f"{how} returned {chosen}, an int: return the learning rate "
                              "itself, not its position in the list.")
        expect(isinstance(chosen, float),  # a Python float, as _expect_float (np.float64 is one)
               f"{how} returned a {type(chosen).__module__}.{type(chosen).__name__}; return a "
               "Python float, one of learning_rates (float(...) converts a NumPy number).")
        expect(chosen in order, f"{how} returned {chosen}, which is not one of the candidates.")
        if chosen != SELECT_CHOICE:
            table = "; ".join(f"{rate}: {accuracy} %, cost {cost}" for rate, accuracy, cost in
                              zip(SELECT_RATES, SELECT_ACCURACY, SELECT_COST, strict=True))
            raise CheckFailed(f"{how} returned {chosen}, expected {SELECT_CHOICE}. "
                              f"{SELECT_SLIPS.get(chosen, '')} On X_val, after training on "
                              f"X_train: {table}.")
    passed(name)
