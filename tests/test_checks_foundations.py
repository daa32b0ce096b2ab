"""helpers.checks.foundations: each check passes a correct function and catches broken ones."""

from __future__ import annotations

import numpy as np
import pytest
from check_tools import blames_earlier, blames_itself, in_notebook

from helpers.checks import CheckFailed
from helpers.checks import foundations as checks

# ------------------------------------------------------------------------ reference solutions


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def perceptron_predict(w, b, X):
    return (np.dot(w.T, X) + b > 0).astype(int)


def perceptron_update(w, b, x, y, learning_rate):
    error = y - perceptron_predict(w, b, x)[0, 0]
    return w + learning_rate * error * x, b + learning_rate * error


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1 - s)


def numerical_gradient(f, theta, epsilon=1e-7):
    grad = np.zeros_like(theta, dtype=float)
    for i in range(theta.size):
        step = np.zeros_like(theta, dtype=float)
        step[i] = epsilon
        grad[i] = (f(theta + step) - f(theta - step)) / (2 * epsilon)
    return grad


def flatten_images(images):
    return images.reshape(images.shape[0], -1).T / 255


def gradient_descent(gradient, w, learning_rate, num_steps):
    history = [w]
    for _ in range(num_steps):
        w = w - learning_rate * gradient(w)
        history.append(w)
    return w, np.array(history)


def logistic_gradients(w, b, X, Y):
    A = sigmoid(np.dot(w.T, X) + b)
    m = X.shape[1]
    return np.dot(X, (A - Y).T) / m, np.sum(A - Y) / m


def not_implemented(*args, **kwargs):
    raise NotImplementedError()


def failure(check, fn) -> str:
    with pytest.raises(CheckFailed) as info:
        check(fn)
    return str(info.value)


# ------------------------------------------------------------------------ correct versions pass


@pytest.mark.parametrize(("check", "fn", "label"), [
    (checks.check_perceptron_predict, perceptron_predict, "perceptron_predict"),
    (checks.check_perceptron_update, perceptron_update, "perceptron_update"),
    (checks.check_sigmoid_derivative, sigmoid_derivative, "sigmoid_derivative"),
    (checks.check_numerical_gradient, numerical_gradient, "numerical_gradient"),
    (checks.check_flatten_images, flatten_images, "flatten_images"),
    (checks.check_gradient_descent, gradient_descent, "gradient_descent"),
    (checks.check_logistic_gradients, logistic_gradients, "logistic_gradients"),
])
def test_correct_function_passes(check, fn, label, capsys):
    check(fn)
    assert capsys.readouterr().out == f"✔ {label}: all checks passed.\n"


def test_other_correct_variants_pass(capsys):
    # int64 labels from np.where, a NumPy number for b, exp-based derivative, in-place-safe loop.
    checks.check_perceptron_predict(lambda w, b, X: np.where((w.T @ X + b) > 0, 1, 0))

    def update_with_numpy_b(w, b, x, y, learning_rate):
        error = y - perceptron_predict(w, b, x).item()
        return w + learning_rate * error * x, np.float64(b + learning_rate * error)

    checks.check_perceptron_update(update_with_numpy_b)
    checks.check_sigmoid_derivative(lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2)

    def restoring_gradient(f, theta, epsilon=1e-7):
        theta = theta.copy()
        grad = np.empty(theta.shape)
        for i in range(theta.size):
            old = theta[i]
            theta[i] = old + epsilon
            plus = f(theta)
            theta[i] = old - epsilon
            minus = f(theta)
            theta[i] = old
            grad[i] = (plus - minus) / (2 * epsilon)
        return grad

    checks.check_numerical_gradient(restoring_gradient)
    assert capsys.readouterr().out.count("all checks passed") == 4


@pytest.mark.parametrize("check", [
    checks.check_perceptron_predict, checks.check_perceptron_update,
    checks.check_sigmoid_derivative, checks.check_numerical_gradient,
    checks.check_flatten_images, checks.check_gradient_descent, checks.check_logistic_gradients,
])
def test_not_implemented_says_so(check):
    assert "not implemented yet" in failure(check, not_implemented)


# ------------------------------------------------------------------------ perceptron_predict


def test_predict_returning_z():
    message = failure(checks.check_perceptron_predict, lambda w, b, X: np.dot(w.T, X) + b)
    assert "only 0s and 1s" in message


def test_predict_returning_sigmoid():
    message = failure(checks.check_perceptron_predict,
                      lambda w, b, X: sigmoid(np.dot(w.T, X) + b))
    assert "don't return z or sigmoid(z)" in message


def test_predict_without_bias():
    message = failure(checks.check_perceptron_predict,
                      lambda w, b, X: (np.dot(w.T, X) > 0).astype(int))
    assert "forget the bias" in message


def test_predict_with_greater_or_equal():
    message = failure(checks.check_perceptron_predict,
                      lambda w, b, X: (np.dot(w.T, X) + b >= 0).astype(int))
    assert "z > 0, not z >= 0" in message


def test_predict_flat_output():
    message = failure(checks.check_perceptron_predict,
                      lambda w, b, X: (w.ravel() @ X + b > 0).astype(int))
    assert "has shape (4,), expected (1, 4)" in message


def test_predict_wrong_orientation_crashes_cleanly():
    message = failure(checks.check_perceptron_predict,
                      lambda w, b, X: (np.dot(X, w) + b > 0).astype(int))
    assert "perceptron_predict raised ValueError" in message


def test_predict_with_3_features_is_told_z_not_the_code():
    message = failure(checks.check_perceptron_predict,  # uses only the first two features
                      lambda w, b, X: (np.dot(w[:2].T, X[:2]) + b > 0).astype(int))
    assert "z = w^T X + b is [[0.75, 0.25, -1.75, 0.75, -1.25]]" in message
    assert "np.dot" not in message  # the mathematics, not the solution line


def test_predict_clobbering_input_is_reported():
    def predict(w, b, X):
        result = (np.dot(w.T, X) + b > 0).astype(int)
        X[:] = 0.0
        return result

    assert "changed the array X you passed in" in failure(checks.check_perceptron_predict,
                                                           predict)


# ------------------------------------------------------------------------ perceptron_update


def test_update_returns_w_as_an_array():
    def update(w, b, x, y, learning_rate):  # the text asks for an (n_x, 1) array
        error = y - perceptron_predict(w, b, x)[0, 0]
        return (w + learning_rate * error * x).tolist(), b + learning_rate * error

    message = failure(checks.check_perceptron_update, update)
    assert "has type list, expected a NumPy array of shape (2, 1)" in message


def test_update_always_moves():
    def update(w, b, x, y, learning_rate):  # ignores the prediction
        return w + learning_rate * y * x, b + learning_rate * y

    message = failure(checks.check_perceptron_update, update)
    assert "after a correct prediction" in message
    assert "must stay as they were" in message


def test_update_wrong_sign():
    def update(w, b, x, y, learning_rate):
        error = y - perceptron_predict(w, b, x)[0, 0]
        return w - learning_rate * error * x, b - learning_rate * error

    message = failure(checks.check_perceptron_update, update)
    assert "after a missed positive (y = 1, prediction 0)" in message
    assert "w + learning_rate * x" in message


def test_update_ignores_learning_rate():
    def update(w, b, x, y, learning_rate):
        error = y - perceptron_predict(w, b, x)[0, 0]
        return w + error * x, b + error

    message = failure(checks.check_perceptron_update, update)
    assert "learning_rate = 0.5" in message


def test_update_uses_greater_or_equal():
    def update(w, b, x, y, learning_rate):
        error = y - int(np.dot(w.T, x)[0, 0] + b >= 0)
        return w + learning_rate * error * x, b + learning_rate * error

    message = failure(checks.check_perceptron_update, update)
    assert "z = w^T x + b = 0, so the prediction is 0" in message


def test_update_forgets_bias():
    def update(w, b, x, y, learning_rate):
        error = y - perceptron_predict(w, b, x)[0, 0]
        return w + learning_rate * error * x, b

    message = failure(checks.check_perceptron_update, update)
    assert "b returned after a missed positive" in message


def test_update_in_place():
    def update(w, b, x, y, learning_rate):
        error = y - perceptron_predict(w, b, x)[0, 0]
        w += learning_rate * error * x
        return w, b + learning_rate * error

    message = failure(checks.check_perceptron_update, update)
    assert "changed the array w you passed in" in message
    assert "rule is no in-place updates" in message


def test_update_returns_dict():
    def update(w, b, x, y, learning_rate):
        return {"w": w, "b": b}

    assert "must return a pair (w, b), got dict" in failure(checks.check_perceptron_update,
                                                            update)


def test_update_returns_row_vector():
    def update(w, b, x, y, learning_rate):
        new_w, new_b = perceptron_update(w, b, x, y, learning_rate)
        return new_w.T, new_b

    assert "has shape (1, 2), expected (2, 1)" in failure(checks.check_perceptron_update,
                                                          update)


def test_update_b_as_vector():
    def update(w, b, x, y, learning_rate):
        new_w, new_b = perceptron_update(w, b, x, y, learning_rate)
        return new_w, np.full(2, new_b)

    assert "must be a single number" in failure(checks.check_perceptron_update, update)


# ------------------------------------------------------------------------ sigmoid_derivative


def test_derivative_returns_sigmoid():
    message = failure(checks.check_sigmoid_derivative, sigmoid)
    assert "expected 0.25" in message
    assert "That is sigma(0) itself" in message


def test_derivative_plus_instead_of_minus():
    message = failure(checks.check_sigmoid_derivative,
                      lambda z: sigmoid(z) * (1 + sigmoid(z)))
    assert "the factor is (1 - sigma(z))" in message


def test_derivative_applied_to_z():
    message = failure(checks.check_sigmoid_derivative, lambda z: z * (1 - z))
    assert "Apply the formula to sigma(z), not to z itself" in message


def test_derivative_wrong_away_from_zero():
    # Right at z = 0 (0.25) but the wrong curve elsewhere: 0.25 * exp(-z^2 / 2).
    message = failure(checks.check_sigmoid_derivative, lambda z: 0.25 * np.exp(-(z**2) / 2))
    assert "sigmoid_derivative(z) for z = [[-30.0, -2.0, 0.0, 0.5, 3.0]] is wrong" in message


def test_derivative_too_large_gets_hint():
    message = failure(checks.check_sigmoid_derivative,
                      lambda z: np.where(z == 0, 0.25, sigmoid(z)))
    assert "never above 0.25" in message


def test_derivative_negative_gets_hint():
    message = failure(checks.check_sigmoid_derivative,
                      lambda z: np.where(z == 0, 0.25, -sigmoid_derivative(z)))
    assert "never negative" in message


def test_derivative_reduces_to_a_number():
    message = failure(checks.check_sigmoid_derivative, lambda z: np.mean(sigmoid_derivative(z)))
    assert "has shape ()" in message


def test_derivative_overwrites_z():
    def derivative(z):
        if isinstance(z, np.ndarray):
            z[...] = sigmoid(z)
            return z * (1 - z)
        return sigmoid_derivative(z)

    assert "changed the array z you passed in" in failure(checks.check_sigmoid_derivative,
                                                          derivative)


def test_derivative_overflowing():
    # exp(-z) overflows to inf at z = -1000; the check inputs stay below that, so a naive
    # formula passes. A formula with exp(z**2) overflows and must fail with a clear message.
    def derivative(z):
        return sigmoid_derivative(z) * np.exp(z**2) / np.exp(z**2)

    assert "not numerically safe" in failure(checks.check_sigmoid_derivative, derivative)


# ------------------------------------------------------------------------ numerical_gradient


def test_gradient_one_sided():
    def gradient(f, theta, epsilon=1e-7):
        grad = np.zeros_like(theta)
        for i in range(theta.size):
            step = np.zeros_like(theta)
            step[i] = epsilon
            grad[i] = (f(theta + step) - f(theta)) / epsilon
        return grad

    assert "one-sided difference" in failure(checks.check_numerical_gradient, gradient)


def test_gradient_ignores_epsilon():
    def gradient(f, theta, epsilon=1e-7):
        return numerical_gradient(f, theta, 1e-7)

    assert "use the epsilon argument" in failure(checks.check_numerical_gradient, gradient)


def test_gradient_missing_factor_two():
    def gradient(f, theta, epsilon=1e-7):
        return 2 * numerical_gradient(f, theta, epsilon)

    message = failure(checks.check_numerical_gradient, gradient)
    assert "numerical_gradient(f, theta, epsilon=0.1)" in message
    assert "expected 13.01" in message


def test_gradient_moves_all_coordinates_at_once():
    def gradient(f, theta, epsilon=1e-7):
        slope = (f(theta + epsilon) - f(theta - epsilon)) / (2 * epsilon)
        return np.full(theta.shape, slope)

    assert "is wrong" in failure(checks.check_numerical_gradient, gradient)


def test_gradient_forgets_to_restore_theta():
    def gradient(f, theta, epsilon=1e-7):
        grad = np.zeros_like(theta)
        for i in range(theta.size):
            theta[i] += epsilon
            plus = f(theta)
            theta[i] -= 2 * epsilon
            minus = f(theta)  # theta[i] is left at theta - epsilon
            grad[i] = (plus - minus) / (2 * epsilon)
        return grad

    assert "changed the array theta you passed in" in failure(checks.check_numerical_gradient,
                                                              gradient)


def test_gradient_default_epsilon_too_large():
    def gradient(f, theta, epsilon=0.05):
        return numerical_gradient(f, theta, epsilon)

    message = failure(checks.check_numerical_gradient, gradient)
    assert "with the default epsilon" in message
    assert "epsilon=1e-7" in message


def test_gradient_wrong_shape():
    def gradient(f, theta, epsilon=1e-7):
        return numerical_gradient(f, theta, epsilon).reshape(-1, 1)

    assert "has shape (3, 1), expected (3,)" in failure(checks.check_numerical_gradient,
                                                        gradient)


def test_gradient_calls_f_with_a_column():
    def gradient(f, theta, epsilon=1e-7):
        column = theta.reshape(-1, 1)
        return numerical_gradient(lambda t: f(t.reshape(-1, 1)), column.ravel(), epsilon)

    assert "called f with an array of shape (3, 1)" in failure(checks.check_numerical_gradient,
                                                               gradient)


# ------------------------------------------------------------------------ flatten_images


def test_flatten_other_correct_variants_pass(capsys):
    checks.check_flatten_images(lambda images: images.reshape(len(images), -1).T.astype(float)
                                / 255.0)
    checks.check_flatten_images(lambda images: np.stack([im.ravel() for im in images], axis=1)
                                / 255)
    assert capsys.readouterr().out.count("all checks passed") == 2


def test_flatten_mixing_images():
    message = failure(checks.check_flatten_images,
                      lambda images: images.reshape(-1, images.shape[0]) / 255)
    assert "columns mix several images" in message


def test_flatten_one_image_per_row():
    message = failure(checks.check_flatten_images,
                      lambda images: images.reshape(images.shape[0], -1) / 255)
    assert "one image per row" in message


def test_flatten_not_scaled():
    message = failure(checks.check_flatten_images,
                      lambda images: images.reshape(images.shape[0], -1).T.astype(float))
    assert "raw values 0 to 255" in message


def test_flatten_integer_division():
    message = failure(checks.check_flatten_images,
                      lambda images: images.reshape(images.shape[0], -1).T // 255)
    assert "must hold floats" in message


def test_flatten_wrong_order():
    message = failure(checks.check_flatten_images,
                      lambda images: images.T.reshape(-1, images.shape[0]) / 255)
    assert "in the wrong order" in message


def test_flatten_hard_coded_size():
    message = failure(checks.check_flatten_images,
                      lambda images: images.reshape(images.shape[0], 12288).T / 255)
    assert "flatten_images raised ValueError" in message


# ------------------------------------------------------------------------ gradient_descent


def test_descent_preallocated_history_passes(capsys):
    def descent(gradient, w, learning_rate, num_steps):
        history = np.zeros((num_steps + 1,) + np.shape(w))
        history[0] = w
        for step in range(1, num_steps + 1):
            w = w - learning_rate * gradient(w)
            history[step] = w
        return w, history

    checks.check_gradient_descent(descent)
    assert "all checks passed" in capsys.readouterr().out


def test_descent_history_as_list():
    def descent(gradient, w, learning_rate, num_steps):
        w_end, history = gradient_descent(gradient, w, learning_rate, num_steps)
        return w_end, list(history)

    assert "history as a NumPy array, got list" in failure(checks.check_gradient_descent,
                                                           descent)


def test_descent_uphill():
    def descent(gradient, w, learning_rate, num_steps):
        return gradient_descent(lambda v: -gradient(v), w, learning_rate, num_steps)

    assert "You stepped uphill" in failure(checks.check_gradient_descent, descent)


def test_descent_ignores_learning_rate():
    def descent(gradient, w, learning_rate, num_steps):
        return gradient_descent(gradient, w, 1.0, num_steps)

    assert "multiply it by learning_rate" in failure(checks.check_gradient_descent, descent)


def test_descent_history_without_start():
    def descent(gradient, w, learning_rate, num_steps):
        w, history = gradient_descent(gradient, w, learning_rate, num_steps)
        return w, history[1:]

    assert "must hold num_steps + 1 = 4" in failure(checks.check_gradient_descent, descent)


def test_descent_one_step_too_many():
    def descent(gradient, w, learning_rate, num_steps):
        return gradient_descent(gradient, w, learning_rate, num_steps + 1)

    assert "take exactly num_steps steps" in failure(checks.check_gradient_descent, descent)


def test_descent_records_gradients():
    def descent(gradient, w, learning_rate, num_steps):
        w_end, history = gradient_descent(gradient, w, learning_rate, num_steps)
        return w_end, np.array([gradient(v) for v in history])

    assert "record w" in failure(checks.check_gradient_descent, descent)


def test_descent_returns_only_history():
    def descent(gradient, w, learning_rate, num_steps):
        return gradient_descent(gradient, w, learning_rate, num_steps)[1]

    assert "must return 2 values (w, history)" in failure(checks.check_gradient_descent,
                                                          descent)


@pytest.mark.parametrize(("copy_first", "expected"), [
    (False, "changed the array w you passed in"),  # w -= ... on the caller's array
    (True, "every value in the history"),  # w -= ... on a copy: every history entry is w
])
def test_descent_in_place(copy_first, expected):
    def descent(gradient, w, learning_rate, num_steps):
        if copy_first:
            w = np.copy(w)
        history = [w if copy_first else np.copy(w)]
        for _ in range(num_steps):
            w -= learning_rate * gradient(w)
            history.append(w if copy_first else np.copy(w))
        return w, np.array(history)

    message = failure(checks.check_gradient_descent, descent)
    assert expected in message
    assert "rule is no in-place updates" in message


def test_descent_wrong_final_value():
    def descent(gradient, w, learning_rate, num_steps):
        w_end, history = gradient_descent(gradient, w, learning_rate, num_steps)
        return history[0], history

    assert "must be the last value of history" in failure(checks.check_gradient_descent,
                                                          descent)


# ------------------------------------------------------------------------ logistic_gradients


def logistic_gradients_loop(w, b, X, Y):
    n_x, m = X.shape
    dw, db = np.zeros((n_x, 1)), 0.0
    for i in range(m):
        a = sigmoid(sum(w[j, 0] * X[j, i] for j in range(n_x)) + b)
        for j in range(n_x):
            dw[j, 0] += X[j, i] * (a - Y[0, i]) / m
        db += (a - Y[0, i]) / m
    return dw, db


def test_logistic_loop_passes(capsys):
    checks.check_logistic_gradients(logistic_gradients_loop)
    assert capsys.readouterr().out.count("all checks passed") == 1


def test_logistic_forgets_one_over_m():
    def gradients(w, b, X, Y):
        A = sigmoid(w.T @ X + b)
        return X @ (A - Y).T, np.sum(A - Y)

    assert "Forgot the 1/m?" in failure(checks.check_logistic_gradients, gradients)


def test_logistic_divides_by_n_x():
    def gradients(w, b, X, Y):
        A = sigmoid(w.T @ X + b)
        return X @ (A - Y).T / X.shape[0], np.sum(A - Y) / X.shape[0]

    assert "not its rows" in failure(checks.check_logistic_gradients, gradients)


def test_logistic_transposed_dw():
    def gradients(w, b, X, Y):
        dw, db = logistic_gradients(w, b, X, Y)
        return dw.T, db

    assert "has shape (1, 3), expected (3, 1)" in failure(checks.check_logistic_gradients,
                                                          gradients)


def test_logistic_sign_flipped():
    def gradients(w, b, X, Y):
        dw, db = logistic_gradients(w, b, X, Y)
        return -dw, -db

    assert "A - Y, not Y - A" in failure(checks.check_logistic_gradients, gradients)


def test_logistic_without_sigmoid():
    def gradients(w, b, X, Y):
        Z = w.T @ X + b
        return X @ (Z - Y).T / X.shape[1], np.sum(Z - Y) / X.shape[1]

    assert "apply the sigmoid" in failure(checks.check_logistic_gradients, gradients)


def test_logistic_db_as_vector():
    def gradients(w, b, X, Y):
        A = sigmoid(w.T @ X + b)
        return X @ (A - Y).T / X.shape[1], np.mean(A - Y, axis=0)

    assert "must be a single number" in failure(checks.check_logistic_gradients, gradients)


def test_logistic_in_place_on_x():
    def gradients(w, b, X, Y):
        A = sigmoid(w.T @ X + b)
        X /= X.shape[1]
        return X @ (A - Y).T, np.mean(A - Y)

    message = failure(checks.check_logistic_gradients, gradients)
    assert "changed the array X you passed in" in message
    assert "rule is no in-place updates" in message


# ------------------------------------------------------------------------ earlier exercises first


def test_perceptron_update_with_a_broken_perceptron_predict_says_to_fix_it_first():
    def perceptron_predict(w, b, X):  # fires at z = 0
        return (np.dot(w.T, X) + b >= 0).astype(int)

    update = in_notebook(perceptron_update, perceptron_predict=perceptron_predict)
    blames_earlier(checks.check_perceptron_update, update, "perceptron_predict",
                   "use z > 0, not z >= 0")


def test_perceptron_update_with_a_right_perceptron_predict_blames_itself():
    def perceptron_update_uphill(w, b, x, y, learning_rate):
        error = perceptron_predict(w, b, x)[0, 0] - y
        return w + learning_rate * error * x, b + learning_rate * error

    update = in_notebook(perceptron_update_uphill, perceptron_predict=perceptron_predict)
    blames_itself(checks.check_perceptron_update, update, "w returned after a missed positive")


def test_perceptron_update_written_without_perceptron_predict_is_judged_alone(capsys):
    def perceptron_predict(w, b, X):
        raise NotImplementedError

    def perceptron_update_inline(w, b, x, y, learning_rate):
        error = y - int((w.T @ x)[0, 0] + b > 0)
        return w + learning_rate * error * x, b + learning_rate * error

    checks.check_perceptron_update(
        in_notebook(perceptron_update_inline, perceptron_predict=perceptron_predict))
    assert capsys.readouterr().out == "✔ perceptron_update: all checks passed.\n"


# ------------------------------------------------------------------------ what the text asks for


def test_perceptron_predict_must_return_integers():
    for labels, dtype in (lambda z: z > 0, "bool"), (lambda z: (z > 0) * 1.0, "float64"):
        message = failure(checks.check_perceptron_predict,
                          lambda w, b, X, labels=labels: labels(w.T @ X + b))
        assert f"returned an array of dtype {dtype}, expected integers" in message


def test_perceptron_update_b_must_stay_a_number():
    def update_with_array_b(w, b, x, y, learning_rate):
        error = y - perceptron_predict(w, b, x)  # (1, 1): b becomes a (1, 1) array
        return w + learning_rate * error * x, b + learning_rate * error

    message = failure(checks.check_perceptron_update, update_with_array_b)
    assert "b returned after a correct prediction must be a single number" in message
    assert "take the one entry of the (1, 1) prediction" in message


def test_sigmoid_derivative_of_a_number_is_a_number():
    message = failure(checks.check_sigmoid_derivative,
                      lambda z: np.atleast_2d(sigmoid_derivative(z)))
    assert "sigmoid_derivative(0.0) should be one number, like z, got shape (1, 1)" in message


def test_logistic_db_must_be_a_number():
    def with_array_db(w, b, X, Y):
        A = sigmoid(w.T @ X + b)
        return X @ (A - Y).T / X.shape[1], np.mean(A - Y, axis=1, keepdims=True)

    message = failure(checks.check_logistic_gradients, with_array_db)
    assert "must be a single number, got ndarray of shape (1, 1). db is a number" in message
