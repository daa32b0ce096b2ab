"""Checks for notebook 1, ``01_foundations.ipynb``: ``check_<name>(function)`` per exercise."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.checks import (
    IN_PLACE_RULE,
    CheckFailed,
    call,
    expect,
    expect_close,
    expect_scalar,
    expect_shape,
    expect_unchanged,
    expect_values,
    hint_on_failure,
    passed,
    require_passing,
)


def _is_binary(array: np.ndarray) -> bool:
    return bool(np.all((array == 0) | (array == 1)))


# ------------------------------------------------------------------------------- perceptron


def check_perceptron_predict(perceptron_predict: Callable) -> None:
    """perceptron_predict(w (n_x, 1), b, X (n_x, m)) -> (1, m) array of 0s and 1s."""
    name = "perceptron_predict"

    # AND gate weights: only (1, 1) gives z = 0.5 > 0.
    w = np.array([[1.0], [1.0]])
    X = np.array([[0.0, 0.0, 1.0, 1.0],
                  [0.0, 1.0, 0.0, 1.0]])
    out = call(perceptron_predict, w.copy(), -1.5, X.copy(), name=name)
    out = expect_shape(out, (1, 4), f"{name}(w, b, X) for 4 examples")
    expect(_is_binary(out),
           f"{name} must return only 0s and 1s, got {out.tolist()}. Threshold z = w^T X + b: "
           "1 where z > 0, else 0 (don't return z or sigmoid(z)).")
    expect(out.dtype.kind in "iu",
           f"{name} returned an array of dtype {out.dtype}, expected integers: convert the "
           "comparison's True/False to the integers 1 and 0.")
    expect(np.array_equal(out, [[0, 0, 0, 1]]),
           f"{name} with w = [[1], [1]], b = -1.5 (an AND gate) gave {out.tolist()}, expected "
           "[[0, 0, 0, 1]]. Did you forget the bias b?")

    # z exactly 0 must give 0: the perceptron fires only when z > 0.
    w = np.array([[1.0], [-1.0]])
    X = np.array([[1.0, 2.0, 0.0],
                  [1.0, 1.0, 3.0]])  # z = [0, 1, -3]
    out = expect_shape(call(perceptron_predict, w.copy(), 0.0, X.copy(), name=name), (1, 3),
                       f"{name}(w, b, X) for 3 examples")
    expect(np.array_equal(out, [[0, 1, 0]]),
           f"{name} gave {out.tolist()} where z = w^T X + b is [0, 1, -3], expected "
           "[[0, 1, 0]]. At z = 0 exactly the output is 0: use z > 0, not z >= 0.")

    # Three features, five examples, a negative bias and the inputs left unchanged.
    w = np.array([[0.5], [-2.0], [1.0]])
    X = np.array([[1.0, 0.0, 2.0, -1.0, 4.0],
                  [0.0, 1.0, 1.0, 0.0, 1.0],
                  [1.0, 3.0, 0.0, 2.0, -0.5]])  # z = [1, 0.5, -1.5, 1, -1] - 0.25
    w_in, X_in = w.copy(), X.copy()
    out = expect_shape(call(perceptron_predict, w_in, -0.25, X_in, name=name), (1, 5),
                       f"{name}(w, b, X) for 3 features and 5 examples")
    expect(np.array_equal(out, [[1, 1, 0, 1, 0]]),
           f"{name} with 3 features gave {out.tolist()}, expected [[1, 1, 0, 1, 0]]: here "
           "z = w^T X + b is [[0.75, 0.25, -1.75, 0.75, -1.25]], one entry per column of X.")
    expect_unchanged(w, w_in, "w", name)
    expect_unchanged(X, X_in, "X", name)
    passed(name)


def check_perceptron_update(perceptron_update: Callable) -> None:
    """perceptron_update(w (n_x, 1), b, x (n_x, 1), y, learning_rate) -> (new w, new b)."""
    name = "perceptron_update"
    require_passing(perceptron_update, ("perceptron_predict", check_perceptron_predict))

    def run(w, b, x, y, learning_rate, case):
        w_in, x_in = w.copy(), x.copy()
        result = call(perceptron_update, w_in, b, x_in, y, learning_rate, name=name)
        expect(isinstance(result, tuple) and len(result) == 2,
               f"{name} must return a pair (w, b), got {type(result).__name__}.")
        new_w, new_b = result
        expect(isinstance(new_w, np.ndarray),
               f"w returned {case} has type {type(new_w).__name__}, expected a NumPy array "
               f"of shape {w.shape}, like the w you were given.")
        new_w = expect_shape(new_w, w.shape, f"w returned {case}")
        expect_unchanged(w, w_in, "w", name)
        expect_unchanged(x, x_in, "x", name)
        return new_w, expect_scalar(new_b, f"b returned {case}",
                                    "b stays a number: take the one entry of the (1, 1) "
                                    "prediction perceptron_predict gives for one example.")

    # 1. Correct prediction (z = 0.5 > 0 and y = 1): nothing may change.
    case = "after a correct prediction"
    new_w, new_b = run(np.array([[1.0], [1.0]]), -1.5, np.array([[1.0], [1.0]]), 1, 1.0, case)
    with hint_on_failure("The prediction was right (y = 1, prediction 1), so w and b must "
                         "stay as they were."):
        expect_close(new_w, [[1.0], [1.0]], f"w returned {case}")
        expect_close(new_b, -1.5, f"b returned {case}")

    # 2. Missed positive (z = 0, so prediction 0, but y = 1): w += lr x, b += lr.
    case = "after a missed positive (y = 1, prediction 0)"
    new_w, new_b = run(np.array([[0.5], [-1.0]]), 0.0, np.array([[2.0], [1.0]]), 1, 0.5, case)
    with hint_on_failure("Here z = w^T x + b = 0, so the prediction is 0 and y - prediction "
                         "= 1: w + learning_rate * x and b + learning_rate (with learning_rate "
                         "= 0.5)."):
        expect_close(new_w, [[1.5], [-0.5]], f"w returned {case}")
        expect_close(new_b, 0.5, f"b returned {case}")

    # 3. False alarm (z = 2.5, prediction 1, but y = 0): w -= lr x, b -= lr.
    case = "after a false alarm (y = 0, prediction 1)"
    new_w, new_b = run(np.array([[1.0], [2.0], [-1.0]]), 0.5, np.array([[1.0], [1.0], [1.0]]),
                       0, 0.1, case)
    with hint_on_failure("Here y - prediction = -1: w - learning_rate * x and b - "
                         "learning_rate (with learning_rate = 0.1)."):
        expect_close(new_w, [[0.9], [1.9], [-1.1]], f"w returned {case}")
        expect_close(new_b, 0.4, f"b returned {case}")
    passed(name)


# ------------------------------------------------------------------------------- sigmoid


def check_sigmoid_derivative(sigmoid_derivative: Callable) -> None:
    """sigmoid_derivative(z) -> sigma'(z) = sigma(z) (1 - sigma(z)), same shape as z."""
    name = "sigmoid_derivative"

    out = call(sigmoid_derivative, 0.0, name=name)
    expect(np.shape(out) == (),
           f"{name}(0.0) should be one number, like z, got shape {np.shape(out)}.")
    value = float(np.asarray(out).reshape(-1)[0])
    if not np.isclose(value, 0.25):
        hints = {0.0: " Apply the formula to sigma(z), not to z itself.",
                 0.5: " That is sigma(0) itself: multiply it by (1 - sigma(0)).",
                 0.75: " That is sigma(0) * (1 + sigma(0)): the factor is (1 - sigma(z))."}
        hint = next((h for v, h in hints.items() if np.isclose(value, v)), "")
        raise CheckFailed(f"{name}(0.0) = {value:.6g}, expected 0.25: sigma(0) = 0.5, so "
                          f"sigma(0) * (1 - sigma(0)) = 0.25.{hint}")

    z = np.array([[-30.0, -2.0, 0.0, 0.5, 3.0]])
    z_in = z.copy()
    out = call(sigmoid_derivative, z_in, name=name)
    expect_unchanged(z, z_in, "z", name)
    expected = [[9.357622968838423e-14, 0.1049935854035065, 0.25, 0.2350037122015945,
                 0.045176659730912]]
    array = np.asarray(out)
    hint = ""
    if array.shape == z.shape and array.dtype.kind in "fiu" and np.all(np.isfinite(array)):
        if np.any(array > 0.25 + 1e-12):
            hint = ("sigma'(z) is never above 0.25 (its value at z = 0). Did you return "
                    "sigma(z), or sigma(z) * (1 + sigma(z))?")
        elif np.any(array < 0):
            hint = "sigma'(z) is never negative. Did you apply the formula to z itself?"
    with hint_on_failure(hint):
        expect_close(out, expected, f"{name}(z) for z = {z.tolist()}")

    z = np.array([[-1.0, 1.0], [4.0, -4.0]])
    expected = [[0.19661193324148185, 0.19661193324148185],
                [0.01766270621329111, 0.01766270621329112]]
    expect_close(call(sigmoid_derivative, z.copy(), name=name), expected,
                 f"{name}(z) for a (2, 2) array z")
    passed(name)


# ------------------------------------------------------------------------------- images


def check_flatten_images(flatten_images: Callable) -> None:
    """flatten_images(images (m, h, w, c) uint8) -> (h * w * c, m) floats in [0, 1]."""
    name = "flatten_images"

    # m = 4 tiny images of 2 x 3 pixels with 3 colours, holding 0, 3, 6, ..., 213 in memory
    # order, so column i must be 3 * (18 i + [0, 1, ..., 17]) / 255.
    images = (3 * np.arange(72)).astype(np.uint8).reshape(4, 2, 3, 3)
    images_in = images.copy()
    out = call(flatten_images, images_in, name=name)
    expect_unchanged(images, images_in, "images", name)
    what = f"{name}(images) for 4 images of 2 x 3 pixels and 3 colours"
    expect(out is not None, f"{name} returned None: did you forget the 'return' line?")
    out = np.asarray(out)
    if out.shape == (4, 18):
        raise CheckFailed(f"{what} has shape (4, 18): one image per row. Examples go in the "
                          "columns: the result must have shape (18, 4).")
    out = expect_shape(out, (18, 4), what)
    expect(np.issubdtype(out.dtype, np.floating),
           f"{what} has dtype {out.dtype}; it must hold floats (divide by 255.0).")
    expected = 3 * (np.arange(18)[:, None] + 18 * np.arange(4)) / 255
    if np.allclose(out, 255 * expected):
        raise CheckFailed(f"{what} holds the raw values 0 to 255: scale them to [0, 1] by "
                          "dividing by 255.")
    if np.allclose(out, expected.T.reshape(18, 4)):
        raise CheckFailed(f"{what} has the right shape but its columns mix several images: "
                          "column i must hold image i and nothing else. Turn each image into "
                          "a row first (the images are the first axis), then make the rows "
                          "columns.")
    if not np.allclose(out, expected) and np.allclose(np.sort(out, axis=0), expected):
        raise CheckFailed(f"{what}: each column holds the right image's numbers, in the wrong "
                          "order. Flatten in C (row-major) index order, NumPy's default: pixel "
                          "after pixel along each row, the three colours of a pixel together.")
    expect_close(out, expected, what)
    passed(name)


# ------------------------------------------------------------------------------- descent


def check_gradient_descent(gradient_descent: Callable) -> None:
    """gradient_descent(gradient, w, learning_rate, num_steps) -> (final w, history).

    history holds the start and every step: shape (num_steps + 1,) for a number w,
    (num_steps + 1, n) for a vector w of shape (n,).
    """
    name = "gradient_descent"
    rule = f"{IN_PLACE_RULE} Write 'w = w - ...', which makes a new array, never 'w -= ...'."

    # 1. The bowl J(w) = (w - 2)^2 + 1 from w = -1: each step halves the distance to 2.
    result = call(gradient_descent, lambda w: 2 * (w - 2), -1.0, 0.25, 3, name=name)
    final, history = expect_values(result, 2, name, "w, history")
    what = "gradient_descent on J(w) = (w - 2)^2 + 1 from w = -1 with learning_rate 0.25"
    expect(isinstance(history, np.ndarray),
           f"{name} must return history as a NumPy array, got {type(history).__name__}: "
           "turn the list of visited points into an array before returning it.")
    history = np.asarray(history, dtype=float)
    expect(history.shape != (3,), f"{what} and 3 steps returned a history of 3 values; it "
           "must hold num_steps + 1 = 4: the start w = -1 and the w after each step.")
    expect(history.shape != (5,), f"{what} and 3 steps returned a history of 5 values: take "
           "exactly num_steps steps, and record the start plus the w after each step (4).")
    history = expect_shape(history, (4,), f"the history of {what} and 3 steps")
    expect(not np.allclose(history, history[-1]),
           f"every value in the history of {what} is the same: the array you stored was "
           f"changed after you stored it. {rule}")
    expected = [-1.0, 0.5, 1.25, 1.625]
    hints = [([-1.0, -2.5, -4.75, -8.125], "You stepped uphill: subtract learning_rate "
              "times the gradient."),
             ([-1.0, 5.0, -1.0, 5.0], "That is a step of the whole gradient: multiply it by "
              "learning_rate."),
             ([-6.0, -3.0, -1.5, -0.75], "That is the gradient at each point: record w.")]
    with hint_on_failure(next((h for values, h in hints if np.allclose(history, values)), "")):
        expect_close(history, expected, f"the history of {what} and 3 steps")
    with hint_on_failure("It must be the last value of history."):
        expect_close(expect_scalar(final, f"the final w of {what}", one_entry=True), 1.625,
                     f"the final w of {what}")

    # 2. A vector w (2,) on J(w) = w_0^2 + 3 w_1^2, gradient (2 w_0, 6 w_1).
    w0 = np.array([1.0, 1.0])
    w_in = w0.copy()
    result = call(gradient_descent, lambda w: np.array([2.0, 6.0]) * w, w_in, 0.1, 2,
                  name=name)
    final, history = expect_values(result, 2, name, "w, history")
    expect_unchanged(w0, w_in, "w", name)
    what = ("gradient_descent on J(w) = w_0^2 + 3 w_1^2 from w = [1, 1] with "
            "learning_rate 0.1")
    history = expect_shape(np.asarray(history, dtype=float), (3, 2),
                           f"the history of {what} and 2 steps (one row per point)")
    expect(not np.allclose(history[0], history[-1]),
           f"every value in the history of {what} is the same: the array you stored was changed "
           f"after you stored it. {rule}")
    expected = [[1.0, 1.0], [0.8, 0.4], [0.64, 0.16]]
    expect_close(history, expected, f"the history of {what} and 2 steps")
    expect_close(expect_shape(final, (2,), f"the final w of {what}"), [0.64, 0.16],
                 f"the final w of {what}")
    passed(name)


# ------------------------------------------------------------------------------- logistic


def check_logistic_gradients(logistic_gradients: Callable) -> None:
    """logistic_gradients(w (n_x, 1), b, X (n_x, m), Y (1, m)) -> (dw (n_x, 1), db number)."""
    name = "logistic_gradients"
    X = np.array([[0.5, -1.0, 2.0, 0.0],
                  [1.5, 0.5, -0.5, -2.0],
                  [-1.0, 2.5, 1.0, 0.5]])  # n_x = 3 features, m = 4 examples
    w = np.array([[0.2], [-0.4], [0.3]])
    Y = np.array([[1, 0, 0, 1]])
    w_in, X_in, Y_in = w.copy(), X.copy(), Y.copy()
    result = call(logistic_gradients, w_in, -0.1, X_in, Y_in, name=name)
    dw, db = expect_values(result, 2, name, "dw, db")
    for before, after, arg in [(w, w_in, "w"), (X, X_in, "X"), (Y, Y_in, "Y")]:
        expect_unchanged(before, after, arg, name)
    what = f"{name}(w, b, X, Y) with n_x = 3 features and m = 4 examples"
    dw = np.asarray(dw, dtype=float)
    expect(dw.shape != (1, 3), f"dw from {what} has shape (1, 3), expected (3, 1), the shape "
           "of w: X has shape (n_x, m), so multiply it by the transpose of A - Y, (m, 1).")
    dw = expect_shape(dw, (3, 1), f"dw from {what}")
    db = expect_scalar(db, f"db from {what}", "db is a number: sum over all the entries of "
                       "A - Y, without keepdims.")
    expected_dw = np.array([[0.11557442751423122], [-0.13286438225158975],
                            [0.6641622018010245]])
    expected_db = 0.06044215546559489
    hint = ""
    for factor, text in [(4, "Forgot the 1/m? Average over the m examples."),
                         (4 / 3, "m is the number of examples, the columns of X, not its "
                                 "rows."),
                         (-1, "The sign is flipped: the error is A - Y, not Y - A.")]:
        if np.allclose(dw, factor * expected_dw) and np.isclose(db, factor * expected_db):
            hint = text
    if not hint and not np.allclose(dw, expected_dw):
        Z = w.T @ X - 0.1
        if np.allclose(dw, X @ (Z - Y).T / 4):
            hint = "A = sigmoid(Z): apply the sigmoid to Z = w^T X + b before subtracting Y."
    with hint_on_failure(hint):
        expect_close(dw, expected_dw, f"dw from {what}")
        expect_close(db, expected_db, f"db from {what}")
    passed(name)


# ------------------------------------------------------------------------------- gradients


def _cubic(theta: np.ndarray) -> float:
    """f(theta) = sum(theta**3) + theta[0] * theta[1], for theta of shape (3,)."""
    if np.shape(theta) != (3,):
        raise CheckFailed(f"numerical_gradient called f with an array of shape "
                          f"{np.shape(theta)}; it must pass arrays shaped like theta, (3,).")
    return float(np.sum(theta**3) + theta[0] * theta[1])


def _wave(theta: np.ndarray) -> float:
    """f(theta) = sum(sin(theta)) + theta . theta / 2, for theta of shape (4,)."""
    if np.shape(theta) != (4,):
        raise CheckFailed(f"numerical_gradient called f with an array of shape "
                          f"{np.shape(theta)}; it must pass arrays shaped like theta, (4,).")
    return float(np.sum(np.sin(theta)) + 0.5 * theta @ theta)


def check_numerical_gradient(numerical_gradient: Callable) -> None:
    """numerical_gradient(f, theta (n,), epsilon=1e-7) -> (n,) two-sided differences."""
    name = "numerical_gradient"

    # A cubic with epsilon = 0.1: the two-sided difference is 3 theta_i^2 + epsilon^2 (+ the
    # cross term), the one-sided one is off by 3 theta_i epsilon, so the two can be told apart.
    theta = np.array([1.0, -2.0, 0.5])
    theta_in = theta.copy()
    out = call(numerical_gradient, _cubic, theta_in, epsilon=0.1, name=name)
    expect_unchanged(theta, theta_in, "theta", name)
    out = expect_shape(out, (3,), f"{name}(f, theta, epsilon=0.1) for theta of shape (3,)")
    two_sided = [1.01, 13.01, 0.76]
    one_sided = [1.31, 12.41, 0.91]
    exact = [1.0, 13.0, 0.75]
    expect(bool(np.all(np.isfinite(out.astype(float)))), f"{name} returned NaN or infinity.")
    if not np.allclose(out, two_sided, rtol=1e-6, atol=1e-8):
        what = (f"{name}(f, theta, epsilon=0.1) with f(theta) = sum(theta**3) + "
                f"theta[0] * theta[1] and theta = {theta.tolist()}")
        if np.allclose(out, one_sided, rtol=1e-6):
            raise CheckFailed(f"{what} gave {np.round(out, 6).tolist()}, the one-sided "
                              "difference (f(theta + eps) - f(theta)) / eps. Use the two-sided "
                              "(f(theta + eps) - f(theta - eps)) / (2 eps): it is far more "
                              "accurate.")
        if np.allclose(out, exact, rtol=1e-5):
            raise CheckFailed(f"{what} gave {np.round(out, 6).tolist()}, as if epsilon were "
                              "tiny: use the epsilon argument instead of a fixed value.")
        expect_close(out, two_sided, what)

    # The default epsilon must be small enough for ~1e-7 accuracy on a smooth function.
    theta = np.array([0.3, -1.2, 2.0, 0.0])
    out = call(numerical_gradient, _wave, theta.copy(), name=name)
    expected = [1.255336489125606, -0.8376422455233263, 1.5838531634528576, 1.0]
    with hint_on_failure("The default should be small, epsilon=1e-7, so that the difference "
                         "matches the derivative to about 7 digits."):
        expect_close(out, expected, f"{name}(f, theta) with the default epsilon for "
                     "f(theta) = sum(sin(theta)) + theta . theta / 2", rtol=1e-6, atol=1e-7)
    passed(name)
