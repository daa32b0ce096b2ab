"""helpers.checks.logistic: each check passes a correct function and names what is wrong in
a broken one."""

from __future__ import annotations

import numpy as np
import pytest
from check_tools import blames_earlier, blames_itself, fails, in_notebook, stub

from helpers.checks import logistic as checks

# --------------------------------------------------------------------------- correct versions


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def initialize_with_zeros(dim, dtype=np.float64):
    return np.zeros((dim, 1), dtype=dtype), 0.0


def propagate(w, b, X, Y):
    m = X.shape[1]
    Z = w.T @ X + b
    dZ = sigmoid(Z) - Y
    cost = np.mean(Y * np.logaddexp(0, -Z) + (1 - Y) * np.logaddexp(0, Z))
    return {"dw": X @ dZ.T / m, "db": np.sum(dZ) / m}, float(cost)


def optimize(w, b, X, Y, num_iterations=2000, learning_rate=0.005, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:.4f}")
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    return (sigmoid(w.T @ X + b) > 0.5).astype(np.int64)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.005,
          print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0], dtype=X_train.dtype)
    params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate,
                                print_cost)
    return results(params, costs, X_train, Y_train, X_test, Y_test, learning_rate,
                   num_iterations, predict=predict)  # the predict of model's own namespace


def results(params, costs, X_train, Y_train, X_test, Y_test, learning_rate, num_iterations,
            predict=predict):
    """The dict model returns, from trained parameters."""
    w, b = params["w"], params["b"]
    Y_prediction_train, Y_prediction_test = predict(w, b, X_train), predict(w, b, X_test)
    return {"costs": costs, "Y_prediction_test": Y_prediction_test,
            "Y_prediction_train": Y_prediction_train, "w": w, "b": b,
            "train_accuracy": 100 * np.mean(Y_prediction_train == Y_train),
            "test_accuracy": 100 * np.mean(Y_prediction_test == Y_test),
            "learning_rate": learning_rate, "num_iterations": num_iterations}


def naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))



# --------------------------------------------------------------------------- helpers



@pytest.mark.parametrize("check, function, name", [
    (checks.check_sigmoid, sigmoid, "sigmoid"),
    (checks.check_initialize_with_zeros, initialize_with_zeros, "initialize_with_zeros"),
    (checks.check_propagate, propagate, "propagate"),
    (checks.check_optimize, optimize, "optimize"),
    (checks.check_predict, predict, "predict"),
    (checks.check_model, model, "model"),
])
def test_correct_function_passes(check, function, name, capsys):
    check(function)
    assert capsys.readouterr().out == f"✔ {name}: all checks passed.\n"


@pytest.mark.parametrize("check", [checks.check_sigmoid, checks.check_initialize_with_zeros,
                                   checks.check_propagate, checks.check_optimize,
                                   checks.check_predict, checks.check_model])
def test_stub_is_reported_as_not_implemented(check):
    fails(check, stub, "stub is not implemented yet", "raise NotImplementedError")


def test_other_stable_forms_pass(capsys):
    """Any correct, stable formula passes, not only the one in the notebook."""

    def sigmoid_logaddexp(z):
        return np.exp(-np.logaddexp(0, -z))

    def propagate_from_stable_a(w, b, X, Y):
        # log(sigmoid(z)) = -logaddexp(0, -z): same cost, written another way
        m = X.shape[1]
        Z = np.dot(w.T, X) + b
        A = sigmoid(Z)
        cost = -np.sum(Y * -np.logaddexp(0, -Z) + (1 - Y) * -np.logaddexp(0, Z)) / m
        return {"dw": np.dot(X, (A - Y).T) / m, "db": np.sum(A - Y) / m}, float(cost)

    checks.check_sigmoid(sigmoid_logaddexp)
    checks.check_propagate(propagate_from_stable_a)
    assert capsys.readouterr().out.count("all checks passed") == 2


# --------------------------------------------------------------------------- sigmoid


def test_sigmoid_naive_overflows():
    message = fails(checks.check_sigmoid, naive_sigmoid, "not numerically safe", "overflow",
                    "e = exp(-|z|)", "1 / (1 + e) where z >= 0 and e / (1 + e) where z < 0")
    assert "np.exp(-np.abs" not in message  # the rule, not the solution line


def test_sigmoid_where_with_both_branches_overflowing():
    def sigmoid_where(z):  # np.where evaluates both branches, so exp(-z) still overflows
        return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))

    fails(checks.check_sigmoid, sigmoid_where, "not numerically safe")


def test_sigmoid_wrong_sign():
    def sigmoid_flipped(z):
        return sigmoid(-z)

    fails(checks.check_sigmoid, sigmoid_flipped, "sigmoid_flipped(z) for z =", "is wrong",
          "expected 0")


def test_sigmoid_upcasting_float32():
    def sigmoid64(z):
        return sigmoid(np.asarray(z, dtype=float))

    fails(checks.check_sigmoid, sigmoid64, "turned a float32 input into float64")


def test_sigmoid_changing_its_input():
    def sigmoid_inplace(z):
        np.abs(z, out=z)  # destroys the caller's array
        return sigmoid(z)

    fails(checks.check_sigmoid, sigmoid_inplace, "is wrong")  # values wrong first

    def sigmoid_inplace_after(z):
        a = sigmoid(z)
        z *= 0
        return a

    fails(checks.check_sigmoid, sigmoid_inplace_after, "changed the array z you passed in",
          "never modifies an array passed to it")


def test_sigmoid_not_vectorized():
    def sigmoid_scalar(z):
        return 1 / (1 + np.exp(-z)) if z >= 0 else np.exp(z) / (1 + np.exp(z))

    fails(checks.check_sigmoid, sigmoid_scalar, "raised ValueError", "truth value")


def test_sigmoid_returning_none():
    def sigmoid_none(z):
        sigmoid(z)

    fails(checks.check_sigmoid, sigmoid_none, "returned None")


# --------------------------------------------------------------------------- initialize


def test_initialize_flat_vector():
    def init_flat(dim, dtype=np.float64):
        return np.zeros(dim, dtype=dtype), 0.0

    fails(checks.check_initialize_with_zeros, init_flat, "shape (2,), expected (2, 1)",
          "a column of dim zeros, not a 1-D array")


def test_initialize_ignoring_dtype():
    def init_float64(dim, dtype=np.float64):
        return np.zeros((dim, 1)), 0.0

    message = fails(checks.check_initialize_with_zeros, init_float64,
                    "dtype float64, expected float32", "create w with the dtype you are given")
    assert "np.zeros" not in message


def test_initialize_without_dtype_argument():
    def init_old(dim):
        return np.zeros((dim, 1)), 0.0

    fails(checks.check_initialize_with_zeros, init_old, "raised TypeError", "dtype")


def test_initialize_b_as_array_and_nonzero_w():
    def init_array_b(dim, dtype=np.float64):
        return np.zeros((dim, 1), dtype=dtype), np.zeros((1, 1))

    fails(checks.check_initialize_with_zeros, init_array_b, "b from", "must be a single number",
          "shape (1, 1)")

    def init_ones(dim, dtype=np.float64):
        return np.ones((dim, 1), dtype=dtype), 0.0

    fails(checks.check_initialize_with_zeros, init_ones, "is not all zeros")


def test_initialize_returning_one_value():
    fails(checks.check_initialize_with_zeros, lambda dim, dtype=float: np.zeros((dim, 1)),
          "must return 2 values (w, b)")


# --------------------------------------------------------------------------- propagate


def test_propagate_wrong_sign():
    def propagate_sign(w, b, X, Y):
        grads, cost = propagate(w, b, X, Y)
        return {"dw": -grads["dw"], "db": -grads["db"]}, cost

    fails(checks.check_propagate, propagate_sign, "dw has the wrong sign", "A - Y")


def test_propagate_missing_one_over_m():
    def propagate_no_m(w, b, X, Y):
        m = X.shape[1]
        grads, cost = propagate(w, b, X, Y)
        return {"dw": grads["dw"] * m, "db": grads["db"] * m}, cost

    fails(checks.check_propagate, propagate_no_m, "dw is 3 times too large", "divide")

    def propagate_cost_sum(w, b, X, Y):
        grads, cost = propagate(w, b, X, Y)
        return grads, cost * X.shape[1]

    fails(checks.check_propagate, propagate_cost_sum, "cost is 3 times too large")


def test_propagate_naive_log_is_unsafe():
    def propagate_naive(w, b, X, Y):
        m = X.shape[1]
        A = naive_sigmoid(np.dot(w.T, X) + b)
        cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
        dw = 1 / m * np.dot(X, (A - Y).T)
        return {"dw": dw, "db": 1 / m * np.sum(A - Y)}, cost

    message = fails(checks.check_propagate, propagate_naive,
                    "propagate_naive is not numerically safe", "compute each loss from z",
                    "log(1 + e^t) = max(t, 0) + log(1 + e^-|t|)")
    assert "logaddexp(0" not in message  # the mathematics, not the solution line


def test_propagate_clipping_gives_wrong_extreme_cost():
    def propagate_clipped(w, b, X, Y):
        m = X.shape[1]
        A = np.clip(sigmoid(w.T @ X + b), 1e-15, 1 - 1e-15)
        cost = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
        return {"dw": X @ (A - Y).T / m, "db": np.sum(A - Y) / m}, cost

    fails(checks.check_propagate, propagate_clipped, "cost for z = [[1000, -1000, 1000, -1000]]",
          "expected 500", "compute each loss from z, in the safe form of the text")


def test_propagate_wrong_keys():
    def propagate_keys(w, b, X, Y):
        grads, cost = propagate(w, b, X, Y)
        return {"dW": grads["dw"], "db": grads["db"]}, cost

    fails(checks.check_propagate, propagate_keys, "missing the key(s) ['dw']", "'dW'")


def test_propagate_transposed_dw():
    def propagate_row(w, b, X, Y):
        grads, cost = propagate(w, b, X, Y)
        return {"dw": grads["dw"].T, "db": grads["db"]}, cost

    fails(checks.check_propagate, propagate_row, "dw (it must have the shape of w) has shape "
          "(1, 2), expected (2, 1)")


def test_propagate_cost_not_scalar():
    def propagate_cost_array(w, b, X, Y):
        grads, cost = propagate(w, b, X, Y)
        return grads, np.array([[cost]])

    fails(checks.check_propagate, propagate_cost_array, "cost must be a single number",
          "The cost is the mean of the m losses, a number.",
          "shape (1, 1)")


def test_propagate_upcasting_float32():
    def propagate64(w, b, X, Y):
        return propagate(w.astype(float), b, X.astype(float), Y)

    fails(checks.check_propagate, propagate64, "float32 w, X and Y into a float64 dw")


def test_propagate_returning_only_grads():
    fails(checks.check_propagate, lambda w, b, X, Y: propagate(w, b, X, Y)[0],
          "must return 2 values (grads, cost), got dict")


# --------------------------------------------------------------------------- optimize


def test_optimize_uphill():
    def optimize_up(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        return optimize(w, b, X, Y, num_iterations, -learning_rate, print_cost)

    message = fails(checks.check_optimize, optimize_up, "moved uphill",
                    "learning_rate times dw is subtracted from w")
    assert "w = w - learning_rate * dw" not in message


def test_optimize_in_place_update():
    def optimize_inplace(w, b, X, Y, num_iterations=100, learning_rate=0.009,
                         print_cost=False):
        costs = []
        for i in range(num_iterations):
            grads, cost = propagate(w, b, X, Y)
            w -= learning_rate * grads["dw"]
            b -= learning_rate * grads["db"]
            if i % 100 == 0:
                costs.append(cost)
        return {"w": w, "b": b}, grads, costs

    fails(checks.check_optimize, optimize_inplace, "changed the array w you passed in",
          "never modifies an array passed to it", "'w = w - ...'")


def test_optimize_changing_the_data():
    def optimize_scaling_after(w, b, X, Y, num_iterations=100, learning_rate=0.009,
                               print_cost=False):
        result = optimize(w, b, X, Y, num_iterations, learning_rate, print_cost)
        X *= 255  # right results, but the caller's X is overwritten
        return result

    fails(checks.check_optimize, optimize_scaling_after, "changed the array X you passed in",
          "never modifies an array passed to it")


def test_optimize_not_updating():
    def optimize_frozen(w, b, X, Y, num_iterations=100, learning_rate=0.009,
                        print_cost=False):
        grads, cost = propagate(w, b, X, Y)
        return {"w": w, "b": b}, grads, [cost]

    message = fails(checks.check_optimize, optimize_frozen, "is the initial w",
                    "move w against its gradient")
    assert "w = w - learning_rate * dw" not in message


def test_optimize_recording_every_cost():
    def optimize_all_costs(w, b, X, Y, num_iterations=100, learning_rate=0.009,
                           print_cost=False):
        costs = []
        for _ in range(num_iterations):
            grads, cost = propagate(w, b, X, Y)
            w = w - learning_rate * grads["dw"]
            b = b - learning_rate * grads["db"]
            costs.append(cost)
        return {"w": w, "b": b}, grads, costs

    fails(checks.check_optimize, optimize_all_costs, "costs has 100 entries", "i % 100 == 0")


def test_optimize_ignoring_learning_rate():
    def optimize_fixed_rate(w, b, X, Y, num_iterations=100, learning_rate=0.009,
                            print_cost=False):
        return optimize(w, b, X, Y, num_iterations, 0.01, print_cost)

    fails(checks.check_optimize, optimize_fixed_rate, "params['w'] after one iteration",
          "is wrong")


def test_optimize_with_unsafe_propagate(capsys):
    def propagate_naive(w, b, X, Y):
        A = naive_sigmoid(w.T @ X + b)
        grads, _ = propagate(w, b, X, Y)
        return grads, -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))

    def optimize_naive(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        return in_notebook(optimize, propagate=propagate_naive)(
            w, b, X, Y, num_iterations, learning_rate, print_cost)

    # The fixed inputs are moderate, so this one passes: the extreme cases are propagate's.
    checks.check_optimize(optimize_naive)
    assert capsys.readouterr().out == "✔ optimize_naive: all checks passed.\n"


def test_optimize_wrong_params_keys():
    def optimize_keys(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
        params, grads, costs = optimize(w, b, X, Y, num_iterations, learning_rate)
        return {"W": params["w"], "b": params["b"]}, grads, costs

    fails(checks.check_optimize, optimize_keys, "params from optimize_keys is missing",
          "['w']")


# --------------------------------------------------------------------------- predict


def test_predict_returning_probabilities():
    fails(checks.check_predict, lambda w, b, X: sigmoid(w.T @ X + b),
          "must hold labels 0 or 1", "A > 0.5")


def test_predict_swapped_labels():
    def predict_swapped(w, b, X):
        return 1 - predict(w, b, X)

    fails(checks.check_predict, predict_swapped, "swapped the labels")


def test_predict_wrong_threshold():
    def predict_threshold(w, b, X):  # thresholds z at 0.5 instead of A at 0.5
        return (w.T @ X + b > 0.5).astype(int)

    fails(checks.check_predict, predict_threshold, "gave [[0, 0, 1, 0]], expected [[1, 0, 1, 0]]")


def test_predict_flat_output():
    fails(checks.check_predict, lambda w, b, X: predict(w, b, X).ravel(),
          "has shape (4,), expected (1, 4)")


def test_predict_naive_sigmoid_overflows():
    def predict_naive(w, b, X):
        return (naive_sigmoid(w.T @ X + b) > 0.5).astype(int)

    fails(checks.check_predict, predict_naive, "not numerically safe")


def test_predict_loop_with_bools_or_floats_fails_the_text_asks_for_integers():
    def predict_loop(w, b, X):  # the classic loop version: float labels 0.0 / 1.0
        A = sigmoid(np.dot(w.T, X) + b)
        Y_prediction = np.zeros((1, X.shape[1]))
        for i in range(A.shape[1]):
            Y_prediction[0, i] = 1.0 if A[0, i] > 0.5 else 0.0
        return Y_prediction

    fails(checks.check_predict, predict_loop, "has dtype float64, expected integers 0 and 1")
    fails(checks.check_predict, lambda w, b, X: sigmoid(w.T @ X + b) > 0.5,
          "has dtype bool, expected integers 0 and 1")


# --------------------------------------------------------------------------- model


def test_model_missing_key():
    def model_keys(*args, **kwargs):
        d = model(*args, **kwargs)
        del d["Y_prediction_test"]
        return d

    fails(checks.check_model, model_keys, "missing the key(s) ['Y_prediction_test']")


def test_model_random_start():
    def model_random(X_train, Y_train, X_test, Y_test, num_iterations=2000,
                     learning_rate=0.5, print_cost=False):
        w = np.random.default_rng(0).normal(size=(X_train.shape[0], 1))
        params, _, costs = optimize(w, 0.0, X_train, Y_train, num_iterations, learning_rate)
        return results(params, costs, X_train, Y_train, X_test, Y_test, learning_rate,
                       num_iterations)

    fails(checks.check_model, model_random, "expected ln 2 = 0.693147", "initialize_with_zeros")


def test_model_ignoring_its_arguments():
    def model_fixed(X_train, Y_train, X_test, Y_test, num_iterations=2000,
                    learning_rate=0.5, print_cost=False):
        return model(X_train, Y_train, X_test, Y_test, 2000, 0.005, print_cost)

    fails(checks.check_model, model_fixed, "d['costs'] has 20 entries after 300 iterations")

    def model_rate(X_train, Y_train, X_test, Y_test, num_iterations=2000,
                   learning_rate=0.5, print_cost=False):
        return model(X_train, Y_train, X_test, Y_test, num_iterations, 0.005, print_cost)

    fails(checks.check_model, model_rate, "d['costs'] (did you pass num_iterations and "
          "learning_rate on to optimize?) is wrong")


def test_model_swapped_predictions():
    def model_swapped(*args, **kwargs):
        d = model(*args, **kwargs)
        d["Y_prediction_train"], d["Y_prediction_test"] = (d["Y_prediction_test"],
                                                           d["Y_prediction_train"])
        return d

    fails(checks.check_model, model_swapped, "d['Y_prediction_train'] has shape (1, 4), "
          "expected (1, 8)")


def test_model_accuracy_as_fraction_or_on_wrong_labels():
    def model_fraction(*args, **kwargs):
        d = model(*args, **kwargs)
        d["train_accuracy"] /= 100
        return d

    fails(checks.check_model, model_fraction, "d['train_accuracy'] is 1, a fraction",
          "in percent (100)")

    def model_test_on_train(X_train, Y_train, X_test, Y_test, **kwargs):
        d = model(X_train, Y_train, X_test, Y_test, **kwargs)
        d["test_accuracy"] = d["train_accuracy"]
        return d

    fails(checks.check_model, model_test_on_train, "d['test_accuracy'] is 100, expected 75",
          "Y_test for the test set")


def test_model_float64_parameters_for_float32_data():
    def model64(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5,
                print_cost=False):
        w, b = initialize_with_zeros(X_train.shape[0])
        params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate)
        return results(params, costs, X_train, Y_train, X_test, Y_test, learning_rate,
                       num_iterations)

    fails(checks.check_model, model64, "float32 data into a float64 w",
          "with initialize_with_zeros in the dtype of X_train")


def test_checks_do_not_touch_their_constants():
    before = checks.X.copy(), checks.W.copy(), checks.MODEL_X_TRAIN.copy()

    def propagate_vandal(w, b, X, Y):
        X *= 2  # the check passes copies, so its constants survive
        raise ValueError("boom")

    fails(checks.check_propagate, propagate_vandal, "raised ValueError: boom")
    assert all(np.array_equal(a, b) for a, b in zip(before, (checks.X, checks.W,
                                                             checks.MODEL_X_TRAIN), strict=True))


# ------------------------------------------------------------------- earlier exercises first
# Each check first runs the checks of the earlier exercises its function calls (found by name
# where the function was defined) and blames the first that fails; with right earlier
# functions it blames only its own.


def sigmoid_flat(z):  # the check of sigmoid fails: wrong values
    return 0.5 * np.ones_like(z)


def propagate_without_1_over_m(w, b, X, Y):
    grads, cost = propagate(w, b, X, Y)
    return {"dw": grads["dw"] * X.shape[1], "db": grads["db"]}, cost


def initialize_with_zeros_row(dim, dtype=np.float64):
    return np.zeros((1, dim), dtype=dtype), 0.0


def predict_floats(w, b, X):  # labels 0. and 1.: the text asks for integers
    return (sigmoid(w.T @ X + b) > 0.5).astype(float)


def test_propagate_with_a_broken_sigmoid_says_to_fix_sigmoid_first():
    blames_earlier(checks.check_propagate, in_notebook(propagate, sigmoid=sigmoid_flat),
                   "sigmoid", "sigmoid_flat(z) for z =")
    def propagate_sum(w, b, X, Y):
        grads, cost = propagate(w, b, X, Y)
        return grads, cost * X.shape[1]

    blames_itself(checks.check_propagate, in_notebook(propagate_sum, sigmoid=sigmoid),
                  "cost is 3 times too large")


def test_optimize_with_a_broken_propagate_says_to_fix_propagate_first():
    message = blames_earlier(
        checks.check_optimize,
        in_notebook(optimize, propagate=propagate_without_1_over_m),
        "propagate", "dw is 3 times too large")
    assert "optimize" not in message and "params" not in message

    def optimize_uphill(w, b, X, Y, num_iterations=2000, learning_rate=0.005,
                        print_cost=False):
        return optimize(w, b, X, Y, num_iterations, -learning_rate)

    blames_itself(checks.check_optimize, in_notebook(optimize_uphill, propagate=propagate),
                  "moved uphill")


def test_predict_with_a_broken_sigmoid_says_to_fix_sigmoid_first():
    blames_earlier(checks.check_predict, in_notebook(predict, sigmoid=sigmoid_flat), "sigmoid")

    def predict_swapped(w, b, X):
        return (sigmoid(w.T @ X + b) <= 0.5).astype(np.int64)

    blames_itself(checks.check_predict, in_notebook(predict_swapped, sigmoid=sigmoid),
                  "swapped the labels")


@pytest.mark.parametrize("earlier, broken, fragment", [
    ("initialize_with_zeros", initialize_with_zeros_row, "expected (2, 1): a column of dim zeros"),
    ("optimize", in_notebook(optimize, propagate=propagate_without_1_over_m), None),
    ("predict", predict_floats, "integers"),
])
def test_model_with_a_broken_earlier_exercise_says_to_fix_it_first(earlier, broken, fragment):
    model_in_notebook = in_notebook(model, **{earlier: broken})
    if fragment is None:  # optimize calls propagate, whose check fails: that is the one to fix
        blames_earlier(checks.check_model, model_in_notebook, "propagate",
                       "dw is 3 times too large")
    else:
        blames_earlier(checks.check_model, model_in_notebook, earlier, fragment)


def test_model_with_a_broken_sigmoid_names_sigmoid_not_propagate_or_optimize():
    # sigmoid is two calls away (model -> optimize -> propagate -> sigmoid) and predict's too
    broken_optimize = in_notebook(optimize,
                                  propagate=in_notebook(propagate, sigmoid=sigmoid_flat))
    broken_model = in_notebook(model, optimize=broken_optimize,
                               predict=in_notebook(predict, sigmoid=sigmoid_flat))
    message = blames_earlier(checks.check_model, broken_model, "sigmoid")
    assert "propagate" not in message and "optimize" not in message


def test_model_with_right_earlier_exercises_blames_itself(capsys):
    checks.check_model(model)
    assert capsys.readouterr().out == "✔ model: all checks passed.\n"

    def model_fraction(*args, **kwargs):
        d = model(*args, **kwargs)
        return {**d, "train_accuracy": d["train_accuracy"] / 100}

    blames_itself(checks.check_model, in_notebook(model_fraction, model=model), "a fraction")


def test_a_renamed_earlier_exercise_is_reported_as_missing():
    renamed = in_notebook(optimize)
    del renamed.__globals__["propagate"]
    fails(checks.check_optimize, renamed,
          "optimize calls propagate, but there is no function propagate in "
          "your notebook: run the cell that defines propagate")


# ------------------------------------------------------------------- what the text asks for


def test_initialize_with_zeros_b_must_be_the_plain_number_0():
    for b in (0, np.zeros((1, 1)), np.float32(0)):
        fails(checks.check_initialize_with_zeros,
              lambda dim, dtype=np.float64, b=b: (np.zeros((dim, 1), dtype=dtype), b),
              "b from <lambda>(2) is " if np.ndim(b) == 0 else "must be a single",
              *(["make it the plain number 0.0, a Python float"] if np.ndim(b) == 0 else []))


def test_propagate_cost_must_be_a_python_float(capsys):
    def propagate_array_cost(w, b, X, Y):  # np.mean(..., keepdims=True)[0, 0] would pass
        grads, cost = propagate(w, b, X, Y)
        return grads, np.array(cost, dtype=X.dtype)

    fails(checks.check_propagate, propagate_array_cost,
          "the cost from propagate_array_cost has type ndarray, expected a Python float")

    def propagate_numpy_cost(w, b, X, Y):  # np.float64 is a float: accepted
        grads, cost = propagate(w, b, X, Y)
        return grads, np.float64(cost)

    checks.check_propagate(propagate_numpy_cost)
    assert capsys.readouterr().out == "✔ propagate_numpy_cost: all checks passed.\n"


def test_optimize_costs_must_be_a_list():
    def optimize_tuple(*args, **kwargs):
        params, grads, costs = optimize(*args, **kwargs)
        return params, grads, tuple(costs)

    fails(checks.check_optimize, optimize_tuple, "costs must be a list, got tuple.")


def test_optimize_prints_the_cost_as_the_text_says_and_only_when_asked():
    def optimize_6_decimals(w, b, X, Y, num_iterations=2000, learning_rate=0.005,
                            print_cost=False):
        result = optimize(w, b, X, Y, num_iterations, learning_rate)
        if print_cost:
            for i, cost in zip(range(0, num_iterations, 100), result[2], strict=True):
                print(f"Cost after iteration {i}: {cost:.6f}")
        return result

    fails(checks.check_optimize, optimize_6_decimals, "With print_cost=True",
          "'Cost after iteration 0: 5.8015\\n", "4 decimals")

    def optimize_chatty(w, b, X, Y, num_iterations=2000, learning_rate=0.005,
                        print_cost=False):
        return optimize(w, b, X, Y, num_iterations, learning_rate, print_cost=True)

    fails(checks.check_optimize, optimize_chatty, "with print_cost=False: print only when")


def _check_predict_cell() -> str:
    """The source of notebook 2's check cell of predict, hidden tests included (as graded)."""
    import nbformat

    from course_tools.notebooks import NOTEBOOKS_DIR, grade_id_of

    nb = nbformat.read(NOTEBOOKS_DIR / "02_logistic_regression_numpy.ipynb", as_version=4)
    (source,) = [cell.source for cell in nb.cells if grade_id_of(cell) == "check_predict"]
    return source


def test_predict_check_cell_names_a_broken_sigmoid_before_its_hidden_tests(capsys):
    """The hidden tests run before checks.check_predict: they too must first require sigmoid's
    check, or a grader would blame predict for sigmoid's bug."""
    source = _check_predict_cell()
    assert "### BEGIN HIDDEN TESTS" in source
    for sigmoid_in_notebook, expected in ((sigmoid_flat, "fix sigmoid first: its check fails"),
                                          (sigmoid, None)):
        namespace = {"np": np, "checks": checks}
        namespace["predict"] = in_notebook(predict, sigmoid=sigmoid_in_notebook)
        namespace["sigmoid"] = sigmoid_in_notebook
        if expected is None:
            exec(source, namespace)  # noqa: S102 - the notebook's own cell
            assert capsys.readouterr().out == "✔ predict: all checks passed.\n"
        else:
            with pytest.raises(checks.CheckFailed, match=expected):
                exec(source, namespace)  # noqa: S102 - the notebook's own cell
