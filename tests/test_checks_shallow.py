"""helpers.checks.shallow: each check passes a correct function and names what is wrong in
a broken one."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from check_tools import blames_earlier, blames_itself, fails, in_notebook, stub  # noqa: E402

from helpers.checks import shallow as checks  # noqa: E402

# --------------------------------------------------------------------------- correct versions


def propagate_tf(w, b, X, Y):
    with tf.GradientTape() as tape:
        Z = tf.transpose(w) @ X + b
        cost = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=Z))
    dw, db = tape.gradient(cost, [w, b])
    return {"dw": dw, "db": db}, cost


def initialize_parameters(n_x, n_h, n_y, seed=1):
    rng = tf.random.Generator.from_seed(seed)
    return {
        "W1": tf.Variable(rng.normal((n_h, n_x), stddev=0.01, dtype=tf.float64)),
        "b1": tf.Variable(tf.zeros((n_h, 1), tf.float64)),
        "W2": tf.Variable(rng.normal((n_y, n_h), stddev=0.01, dtype=tf.float64)),
        "b2": tf.Variable(tf.zeros((n_y, 1), tf.float64)),
    }


def forward_propagation(X, parameters, activation=tf.tanh):
    A1 = activation(parameters["W1"] @ X + parameters["b1"])
    return parameters["W2"] @ A1 + parameters["b2"]


def compute_cost(Z2, Y):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=Z2))


def train_step(X, Y, parameters, learning_rate, activation=tf.tanh):
    with tf.GradientTape() as tape:
        cost = compute_cost(forward_propagation(X, parameters, activation), Y)
    variables = list(parameters.values())
    for variable, gradient in zip(variables, tape.gradient(cost, variables), strict=True):
        variable.assign_sub(learning_rate * gradient)
    return cost


def _nn_model_keeping(keep):
    """nn_model, with ``keep(cost)`` appended to the costs and ``keep(costs)`` returned."""

    def nn_model(X, Y, n_h, num_iterations, learning_rate, activation=tf.tanh, seed=1,
                 print_cost=False):
        X, Y = tf.constant(X, tf.float64), tf.constant(Y, tf.float64)
        parameters = initialize_parameters(X.shape[0], n_h, Y.shape[0], seed)
        step = tf.function(lambda: train_step(X, Y, parameters, learning_rate, activation))
        costs = []
        for i in range(num_iterations):
            cost = step()
            if i % 100 == 0:
                costs.append(keep(cost))
            if print_cost and i % 1000 == 0:
                print(f"cost after step {i}: {cost:.4f}")
        return parameters, keep(costs)

    return nn_model


#: The right nn_model: the costs as Python floats in a list.
nn_model = _nn_model_keeping(lambda cost: cost if isinstance(cost, list) else float(cost))


def predict(parameters, X, activation=tf.tanh):
    Z2 = forward_propagation(tf.constant(X, tf.float64), parameters, activation)
    return (Z2.numpy() > 0).astype(int)


ALL = [
    (checks.check_propagate_tf, propagate_tf, "propagate_tf"),
    (checks.check_initialize_parameters, initialize_parameters, "initialize_parameters"),
    (checks.check_forward_propagation, forward_propagation, "forward_propagation"),
    (checks.check_compute_cost, compute_cost, "compute_cost"),
    (checks.check_train_step, train_step, "train_step"),
    (checks.check_nn_model, nn_model, "nn_model"),
    (checks.check_predict, predict, "predict"),
]


@pytest.mark.parametrize("check, function, name", ALL)
def test_correct_function_passes(check, function, name, capsys):
    check(function)
    assert capsys.readouterr().out == f"✔ {name}: all checks passed.\n"


@pytest.mark.parametrize("check", [check for check, _, _ in ALL])
def test_stub_is_reported_as_not_implemented(check):
    fails(check, stub, "stub is not implemented yet")


def test_other_correct_forms_pass(capsys):
    """Correct code written differently passes too."""

    def propagate_formula(w, b, X, Y):  # the NumPy formula, with TensorFlow operations
        m = X.shape[1]
        Z = tf.matmul(w, X, transpose_a=True) + b
        dZ = tf.sigmoid(Z) - Y
        cost = tf.reduce_mean(tf.nn.softplus(-Z) * Y + tf.nn.softplus(Z) * (1 - Y))
        return {"dw": X @ tf.transpose(dZ) / m, "db": tf.reduce_sum(dZ) / m}, cost

    def initialize_stateless(n_x, n_h, n_y, seed=1):
        return {
            "W1": tf.Variable(0.01 * tf.random.stateless_normal((n_h, n_x), [seed, 0],
                                                                dtype=tf.float64)),
            "b1": tf.Variable(np.zeros((n_h, 1))),
            "W2": tf.Variable(0.01 * tf.random.stateless_normal((n_y, n_h), [seed, 1],
                                                                dtype=tf.float64)),
            "b2": tf.Variable(np.zeros((n_y, 1))),
        }

    def compute_cost_softplus(Z2, Y):
        return tf.reduce_mean(Y * tf.nn.softplus(-Z2) + (1 - Y) * tf.nn.softplus(Z2))

    def train_step_keras(X, Y, parameters, learning_rate, activation=tf.tanh):
        with tf.GradientTape() as tape:
            cost = compute_cost(forward_propagation(X, parameters, activation), Y)
        names = ["W1", "b1", "W2", "b2"]
        grads = tape.gradient(cost, [parameters[k] for k in names])
        for k, g in zip(names, grads, strict=True):
            parameters[k].assign(parameters[k] - learning_rate * g)
        return cost

    checks.check_propagate_tf(propagate_formula)
    checks.check_initialize_parameters(initialize_stateless)
    checks.check_compute_cost(compute_cost_softplus)
    checks.check_train_step(train_step_keras)
    assert capsys.readouterr().out.count("all checks passed") == 4


# --------------------------------------------------------------------------- propagate_tf


def test_propagate_sum_instead_of_mean():
    def broken(w, b, X, Y):
        with tf.GradientTape() as tape:
            Z = tf.transpose(w) @ X + b
            cost = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=Z))
        dw, db = tape.gradient(cost, [w, b])
        return {"dw": dw, "db": db}, cost

    fails(checks.check_propagate_tf, broken, "3 times too large", "the mean of the m losses")


def test_propagate_cost_outside_the_tape_gives_none():
    def broken(w, b, X, Y):
        Z = tf.transpose(w) @ X + b
        cost = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=Z))
        with tf.GradientTape() as tape:
            pass
        dw, db = tape.gradient(cost, [w, b])
        return {"dw": dw, "db": db}, cost

    message = fails(checks.check_propagate_tf, broken, "grads['dw'] is None",
                    "inside the tf.GradientTape block",
                    "ask the tape for the gradients of the cost with respect to w and b")
    assert "tape.gradient(cost" not in message  # no solution line


def test_propagate_through_numpy_gives_none():
    def broken(w, b, X, Y):
        with tf.GradientTape() as tape:
            Z = np.asarray(w).T @ np.asarray(X) + float(b.numpy())
            cost = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=Z))
        dw, db = tape.gradient(cost, [w, b])
        return {"dw": dw, "db": db}, cost

    fails(checks.check_propagate_tf, broken, "is None", "no NumPy functions")


def test_propagate_wrong_keys_and_wrong_return():
    def wrong_keys(w, b, X, Y):
        grads, cost = propagate_tf(w, b, X, Y)
        return {"dW": grads["dw"], "db": grads["db"]}, cost

    fails(checks.check_propagate_tf, wrong_keys, "keys 'dw' and 'db'")
    fails(checks.check_propagate_tf, lambda w, b, X, Y: None, "returned None")


def test_propagate_swapped_labels_and_logits():
    def broken(w, b, X, Y):
        with tf.GradientTape() as tape:
            Z = tf.transpose(w) @ X + b
            cost = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Z, logits=Y))
        dw, db = tape.gradient(cost, [w, b])
        return {"dw": dw, "db": db}, cost

    message = fails(checks.check_propagate_tf, broken, "cost is",
                    "max(z, 0) - y z + log(1 + exp(-|z|)), with Z = w^T X + b")
    assert "reduce_mean(" not in message and "labels=Y" not in message  # no solution line


def test_propagate_that_updates_w():
    def broken(w, b, X, Y):
        grads, cost = propagate_tf(w, b, X, Y)
        w.assign_sub(0.1 * grads["dw"])
        return grads, cost

    fails(checks.check_propagate_tf, broken, "changed w or b")


# --------------------------------------------------------------------------- initialize


def _init_with(make_w, make_b=None, variable=True):
    def init(n_x, n_h, n_y, seed=1):
        rng = tf.random.Generator.from_seed(seed)
        b = make_b or (lambda n: tf.zeros((n, 1), tf.float64))
        wrap = tf.Variable if variable else (lambda t: t)
        return {"W1": wrap(make_w(rng, (n_h, n_x))), "b1": wrap(b(n_h)),
                "W2": wrap(make_w(rng, (n_y, n_h))), "b2": wrap(b(n_y))}

    return init


def test_initialize_zero_weights():
    broken = _init_with(lambda rng, shape: tf.zeros(shape, tf.float64))
    fails(checks.check_initialize_parameters, broken, "all zeros", "symmetry")


def test_initialize_standard_normal():
    broken = _init_with(lambda rng, shape: rng.normal(shape, dtype=tf.float64))
    fails(checks.check_initialize_parameters, broken, "standard deviation", "stddev=0.01")


def test_initialize_uniform():
    broken = _init_with(lambda rng, shape: 0.01 * rng.uniform(shape, dtype=tf.float64))
    fails(checks.check_initialize_parameters, broken, "mean", "centred on 0")


def test_initialize_plain_tensors_and_float32():
    tensors = _init_with(lambda rng, shape: rng.normal(shape, stddev=0.01, dtype=tf.float64),
                         variable=False)
    fails(checks.check_initialize_parameters, tensors, "expected a tf.Variable")
    float32 = _init_with(lambda rng, shape: rng.normal(shape, stddev=0.01),
                         lambda n: tf.zeros((n, 1)))
    fails(checks.check_initialize_parameters, float32, "dtype float32", "tf.float64")


def test_initialize_transposed_weights_and_nonzero_bias():
    transposed = _init_with(
        lambda rng, shape: rng.normal(shape[::-1], stddev=0.01, dtype=tf.float64))
    fails(checks.check_initialize_parameters, transposed, "parameters['W1']", "(30, 400)")
    ones = _init_with(lambda rng, shape: rng.normal(shape, stddev=0.01, dtype=tf.float64),
                      lambda n: tf.ones((n, 1), tf.float64))
    fails(checks.check_initialize_parameters, ones, "parameters['b1'] is not all zeros")


def test_initialize_ignoring_the_seed():
    # TensorFlow's global generator, seeded so that W2 (600 numbers) never fails the mean test
    # first by chance (about 1 run in 75 unseeded).
    tf.random.set_seed(0)

    def broken(n_x, n_h, n_y, seed=1):
        return {"W1": tf.Variable(tf.random.normal((n_h, n_x), stddev=0.01, dtype=tf.float64)),
                "b1": tf.Variable(tf.zeros((n_h, 1), tf.float64)),
                "W2": tf.Variable(tf.random.normal((n_y, n_h), stddev=0.01, dtype=tf.float64)),
                "b2": tf.Variable(tf.zeros((n_y, 1), tf.float64))}

    fails(checks.check_initialize_parameters, broken, "gave different weights",
          "create the generator from the seed inside the function, at every call")


def test_initialize_same_generator_twice():
    def broken(n_x, n_h, n_y, seed=1):
        def normal(shape):
            return tf.random.Generator.from_seed(seed).normal(shape, stddev=0.01,
                                                              dtype=tf.float64)
        return {"W1": tf.Variable(normal((n_h, n_x))),
                "b1": tf.Variable(tf.zeros((n_h, 1), tf.float64)),
                "W2": tf.Variable(normal((n_y, n_h))),
                "b2": tf.Variable(tf.zeros((n_y, 1), tf.float64))}

    fails(checks.check_initialize_parameters, broken, "W1 and W2 start with the same numbers")


# --------------------------------------------------------------------------- forward


def test_forward_returns_probabilities():
    def broken(X, parameters, activation=tf.tanh):
        return tf.sigmoid(forward_propagation(X, parameters, activation))

    fails(checks.check_forward_propagation, broken, "returns sigmoid(Z2)", "logits")


def test_forward_without_activation():
    def broken(X, parameters, activation=tf.tanh):
        A1 = parameters["W1"] @ X + parameters["b1"]
        return parameters["W2"] @ A1 + parameters["b2"]

    fails(checks.check_forward_propagation, broken, "no activation")


def test_forward_ignores_activation_argument():
    def broken(X, parameters, activation=tf.tanh):
        return forward_propagation(X, parameters, tf.tanh)

    fails(checks.check_forward_propagation, broken, "used tanh anyway")


def test_forward_with_transposed_weights():
    def broken(X, parameters, activation=tf.tanh):
        A1 = activation(tf.transpose(X) @ tf.transpose(parameters["W1"]))
        return A1 @ tf.transpose(parameters["W2"])

    fails(checks.check_forward_propagation, broken, "Z2 from broken", "(4, 1)", "(1, 4)")


def test_forward_missing_bias():
    def broken(X, parameters, activation=tf.tanh):
        return parameters["W2"] @ activation(parameters["W1"] @ X)

    fails(checks.check_forward_propagation, broken, "is wrong", "expected 0.166385")


# --------------------------------------------------------------------------- cost


def test_cost_from_probabilities_is_not_safe():
    def broken(Z2, Y):
        A = tf.sigmoid(Z2)
        return -tf.reduce_mean(Y * tf.math.log(A) + (1 - Y) * tf.math.log(1 - A))

    message = fails(checks.check_compute_cost, broken, "log(0)",
                    "from the logits in the safe form of exercise 1")
    assert "sigmoid_cross_entropy_with_logits" not in message  # exercise 4 has no hint


def test_cost_clipped_probabilities_are_wrong():
    def broken(Z2, Y):
        A = tf.clip_by_value(tf.sigmoid(Z2), 1e-7, 1 - 1e-7)
        return -tf.reduce_mean(Y * tf.math.log(A) + (1 - Y) * tf.math.log(1 - A))

    fails(checks.check_compute_cost, broken, "expected 500", "each loss is exactly 1000")


def test_cost_sum_and_swapped():
    def summed(Z2, Y):
        return tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=Z2))

    def swapped(Z2, Y):
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Z2, logits=Y))

    fails(checks.check_compute_cost, summed, "4 times too large")
    message = fails(checks.check_compute_cost, swapped, "labels and logits swapped",
                    "the logits are Z2 and the labels Y")
    assert "sigmoid_cross_entropy_with_logits" not in message


def test_cost_not_a_scalar():
    def broken(Z2, Y):
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=Z2),
                              axis=1, keepdims=True)

    fails(checks.check_compute_cost, broken, "shape (1, 1)", "single number")


# --------------------------------------------------------------------------- train step


def test_train_step_rebinding_the_dict():
    def broken(X, Y, parameters, learning_rate, activation=tf.tanh):
        with tf.GradientTape() as tape:
            cost = compute_cost(forward_propagation(X, parameters, activation), Y)
        grads = tape.gradient(cost, dict(parameters))
        for key in list(parameters):
            parameters[key] = parameters[key] - learning_rate * grads[key]
        return cost

    fails(checks.check_train_step, broken, "replaced parameters['W1']", "assign_sub")


def test_train_step_without_update_and_uphill():
    def no_update(X, Y, parameters, learning_rate, activation=tf.tanh):
        return compute_cost(forward_propagation(X, parameters, activation), Y)

    def uphill(X, Y, parameters, learning_rate, activation=tf.tanh):
        return train_step(X, Y, parameters, -learning_rate, activation)

    fails(checks.check_train_step, no_update, "did not change the parameters")
    message = fails(checks.check_train_step, uphill, "uphill",
                    "subtract learning_rate times the gradient")
    assert "assign_sub(learning_rate" not in message


def test_train_step_fixed_learning_rate_and_activation():
    def fixed_rate(X, Y, parameters, learning_rate, activation=tf.tanh):
        return train_step(X, Y, parameters, 0.5, activation)

    def fixed_activation(X, Y, parameters, learning_rate, activation=tf.tanh):
        return train_step(X, Y, parameters, learning_rate, tf.tanh)

    fails(checks.check_train_step, fixed_rate, "tf.nn.relu", "is wrong")
    fails(checks.check_train_step, fixed_activation, "tf.nn.relu", "is wrong")


def test_train_step_returns_cost_after_update():
    def broken(X, Y, parameters, learning_rate, activation=tf.tanh):
        train_step(X, Y, parameters, learning_rate, activation)
        return compute_cost(forward_propagation(X, parameters, activation), Y)

    fails(checks.check_train_step, broken, "the cost returned", "before the update")


def test_train_step_that_only_works_eagerly():
    def broken(X, Y, parameters, learning_rate, activation=tf.tanh):
        cost = train_step(X, Y, parameters, learning_rate, activation)
        return float(cost.numpy())

    # returning a float is what breaks it, and the text asks for a tensor: said first
    fails(checks.check_train_step, broken, "has type float, expected a TensorFlow tensor",
          "no .numpy()")

    def broken_inside(X, Y, parameters, learning_rate, activation=tf.tanh):
        cost = train_step(X, Y, parameters, learning_rate, activation)
        if cost.numpy() > 100:  # a symbolic tensor has no value inside tf.function
            print("large cost")
        return cost

    fails(checks.check_train_step, broken_inside,
          "works step by step but not inside tf.function", "no .numpy()")


def test_check_inputs_are_float64_variables():
    """The learner's function gets fresh float64 variables every time (no state leaks)."""
    seen = []

    def spy(X, Y, parameters, learning_rate, activation=tf.tanh):
        if tf.executing_eagerly():  # not while tf.function traces it
            seen.append({k: (type(v), v.dtype, v.numpy().copy())
                         for k, v in parameters.items()})
        return train_step(X, Y, parameters, learning_rate, activation)

    checks.check_train_step(spy)
    assert len(seen) == 2  # tanh and relu, eagerly
    for record in seen:
        for key, (kind, dtype, value) in record.items():
            assert issubclass(kind, tf.Variable) and dtype == tf.float64
            np.testing.assert_array_equal(value, checks.NET[key])


# --------------------------------------------------------------------------- nn_model


def _nn_model_with(**changes):
    """nn_model with one mistake: its arguments or its loop changed as ``changes`` says."""

    def broken(X, Y, n_h, num_iterations, learning_rate, activation=tf.tanh, seed=1,
               print_cost=False):
        X, Y = tf.constant(X, tf.float64), tf.constant(Y, tf.float64)
        n_x, n_y = changes.get("shape", (X.shape[0], Y.shape[0]))
        parameters = initialize_parameters(n_x, n_h, n_y, changes.get("seed", seed))
        rate = changes.get("learning_rate", learning_rate)
        g = changes.get("activation", activation)
        step = tf.function(lambda: train_step(X, Y, parameters, rate, g))
        costs = []
        for i in range(changes.get("start", 0), num_iterations + changes.get("extra", 0)):
            cost = step()
            if i % changes.get("every", 100) == 0:
                costs.append(float(cost))
            if print_cost and changes.get("print", True) and i % 1000 == 0:
                print(f"cost after step {i}: {cost:.4f}")
        return parameters, costs

    return broken


def test_nn_model_not_using_the_learning_rate():
    fails(checks.check_nn_model, _nn_model_with(learning_rate=0.5),
          "ignores its learning_rate argument")


def test_nn_model_not_using_the_activation():
    fails(checks.check_nn_model, _nn_model_with(activation=tf.tanh),
          "ignores its activation argument")


def test_nn_model_not_passing_the_seed_or_the_shapes():
    fails(checks.check_nn_model, _nn_model_with(seed=1), "seed=1", "expected 7")
    fails(checks.check_nn_model, _nn_model_with(shape=(4, 1)), "n_x=4", "number of rows of X")


def test_nn_model_wrong_number_of_steps():
    fails(checks.check_nn_model, _nn_model_with(extra=1), "parameters['W1']", "is wrong",
          "exactly num_iterations steps")
    fails(checks.check_nn_model, _nn_model_with(every=50), "returned 5 costs, expected 3")


def test_nn_model_without_print_cost():
    fails(checks.check_nn_model, _nn_model_with(print=False), "print_cost=True",
          "does not show the cost before step 0 (1.0415)")


@pytest.mark.slow
def test_nn_model_other_correct_loops_pass(capsys):
    """Eagerly, or with tf.function(train_step) called with arguments: the same result."""

    def eager(X, Y, n_h, num_iterations, learning_rate, activation=tf.tanh, seed=1,
              print_cost=False):
        X, Y = tf.constant(X), tf.constant(Y)
        parameters = initialize_parameters(n_x=X.shape[0], n_h=n_h, n_y=Y.shape[0], seed=seed)
        costs = [float(train_step(X, Y, parameters, learning_rate, activation)) if i % 100 == 0
                 else train_step(X, Y, parameters, learning_rate, activation)
                 for i in range(num_iterations)]
        for i in range(0, num_iterations, 1000):
            if print_cost:
                print(f"Cost after iteration {i}: {costs[i]:.6f}")
        return parameters, costs[::100]

    def graph(X, Y, n_h, num_iterations, learning_rate, activation=tf.tanh, seed=1,
              print_cost=False):
        X, Y = tf.constant(X, tf.float64), tf.constant(Y, tf.float64)
        parameters = initialize_parameters(X.shape[0], n_h, Y.shape[0], seed)
        step = tf.function(train_step)
        costs = []
        for i in range(num_iterations):
            cost = step(X, Y, parameters, learning_rate, activation).numpy()
            if i % 100 == 0:
                costs.append(cost)
            if print_cost and i % 1000 == 0:
                print(i, cost)
        return parameters, costs  # NumPy numbers: numbers all the same

    checks.check_nn_model(eager)
    checks.check_nn_model(graph)
    assert capsys.readouterr().out == "✔ eager: all checks passed.\n✔ graph: all checks passed.\n"


def test_nn_model_printing_the_cost_to_two_decimals_passes(capsys):
    def short(*args, print_cost=False, **kwargs):
        parameters, costs = nn_model(*args, **kwargs)
        if print_cost:
            print(f"Cost after iteration 0: {costs[0]:.2f}")
        return parameters, costs

    checks.check_nn_model(short)
    assert capsys.readouterr().out == "✔ short: all checks passed.\n"


def test_nn_model_printing_the_wrong_cost():
    def wrong(*args, print_cost=False, **kwargs):
        parameters, costs = nn_model(*args, **kwargs)
        if print_cost:
            print(f"cost after step 200: {costs[-1]:.4f}")
        return parameters, costs

    fails(checks.check_nn_model, wrong, "does not show the cost before step 0")


def test_nn_model_that_prints_every_step():
    def chatty(*args, **kwargs):
        print("training...")
        return nn_model(*args, **kwargs)

    fails(checks.check_nn_model, chatty, "printed 'training...", "only when print_cost")


def test_nn_model_cost_after_the_update():
    def broken(X, Y, n_h, num_iterations, learning_rate, activation=tf.tanh, seed=1,
               print_cost=False):
        parameters, _ = nn_model(X, Y, n_h, num_iterations, learning_rate, activation, seed)
        cost = compute_cost(forward_propagation(tf.constant(X), parameters, activation),
                            tf.constant(Y))
        return parameters, [float(cost)] * len(range(0, num_iterations, 100))

    fails(checks.check_nn_model, broken, "costs[0]", "before the first step")


def test_nn_model_that_does_not_train_or_returns_copies():
    def untrained(X, Y, n_h, num_iterations, learning_rate, activation=tf.tanh, seed=1,
                  print_cost=False):
        return initialize_parameters(X.shape[0], n_h, Y.shape[0], seed), [0.0, 0.0, 0.0]

    def copies(*args, **kwargs):
        parameters, costs = nn_model(*args, **kwargs)
        return {key: value.numpy() for key, value in parameters.items()}, costs

    fails(checks.check_nn_model, untrained, "returned the parameters it started from")
    fails(checks.check_nn_model, copies, "is not the variable", "not copies")


def test_nn_model_with_its_own_start():
    def broken(X, Y, n_h, num_iterations, learning_rate, activation=tf.tanh, seed=1,
               print_cost=False):
        parameters = {key: tf.Variable(value, dtype=tf.float64)
                      for key, value in checks.NET.items()}
        for _ in range(num_iterations):
            train_step(tf.constant(X), tf.constant(Y), parameters, learning_rate, activation)
        return parameters, []

    fails(checks.check_nn_model, broken, "did not call initialize_parameters")


def test_nn_model_restores_initialize_parameters():
    original = initialize_parameters
    checks.check_nn_model(nn_model)
    with pytest.raises(checks.CheckFailed):
        checks.check_nn_model(_nn_model_with(learning_rate=0.5))
    assert globals()["initialize_parameters"] is original


def test_nn_model_without_initialize_parameters_in_its_namespace():
    namespace = {"tf": tf}
    exec("def nn_model(X, Y, n_h, num_iterations, learning_rate, activation=tf.tanh, seed=1, "
         "print_cost=False):\n    return None", namespace)
    fails(checks.check_nn_model, namespace["nn_model"], "no function of that name",
          "exercise 2")


# --------------------------------------------------------------------------- predict


def _logits(parameters, X, activation):
    return forward_propagation(tf.constant(X, tf.float64), parameters, activation)


def test_predict_returns_probabilities():
    def broken(parameters, X, activation=tf.tanh):
        return tf.sigmoid(_logits(parameters, X, activation)).numpy()

    fails(checks.check_predict, broken, "returned probabilities, not labels")


def test_predict_thresholds_the_logits_at_one_half():
    def broken(parameters, X, activation=tf.tanh):
        return (_logits(parameters, X, activation).numpy() > 0.5).astype(int)

    fails(checks.check_predict, broken, "compared the logits Z2 with 0.5")


def test_predict_inverted_labels():
    def broken(parameters, X, activation=tf.tanh):
        return (_logits(parameters, X, activation).numpy() < 0).astype(int)

    fails(checks.check_predict, broken, "inverted")


def test_predict_wrong_dtypes():
    def booleans(parameters, X, activation=tf.tanh):
        return _logits(parameters, X, activation).numpy() > 0

    def floats(parameters, X, activation=tf.tanh):
        return (_logits(parameters, X, activation).numpy() > 0).astype(float)

    def tensor(parameters, X, activation=tf.tanh):
        return tf.cast(_logits(parameters, X, activation) > 0, tf.int32)

    message = fails(checks.check_predict, booleans, "True/False", "to the integers 1 and 0.")
    assert ".astype" not in message
    fails(checks.check_predict, floats, "dtype float64", "integers")
    fails(checks.check_predict, tensor, "EagerTensor", "NumPy array")


def test_predict_wrong_shape():
    def flat(parameters, X, activation=tf.tanh):
        return predict(parameters, X, activation).ravel()

    fails(checks.check_predict, flat, "shape (6,)", "expected (1, 6)")


def test_predict_ignores_activation():
    def broken(parameters, X, activation=tf.tanh):
        return predict(parameters, X, tf.tanh)

    fails(checks.check_predict, broken, "used tanh anyway")


def test_predict_rounded_probabilities_pass(capsys):
    """Another correct form: the probabilities, rounded, as integers."""

    def rounded(parameters, X, activation=tf.tanh):
        return np.round(tf.sigmoid(_logits(parameters, X, activation)).numpy()).astype(int)

    checks.check_predict(rounded)
    assert capsys.readouterr().out == "✔ rounded: all checks passed.\n"



def test_nn_model_with_float32_data():
    def broken(X, Y, n_h, num_iterations, learning_rate, activation=tf.tanh, seed=1,
               print_cost=False):
        X, Y = tf.constant(X, tf.float32), tf.constant(Y, tf.float32)
        parameters = initialize_parameters(X.shape[0], n_h, Y.shape[0], seed)
        costs = [train_step(X, Y, parameters, learning_rate, activation)
                 for _ in range(num_iterations)]
        return parameters, costs[::100]

    fails(checks.check_nn_model, broken, "broken raised", "float tensor")


# ------------------------------------------------------------------- earlier exercises first


def forward_without_bias(X, parameters, activation=tf.tanh):
    return parameters["W2"] @ activation(parameters["W1"] @ X) + parameters["b2"]


def compute_cost_summed(Z2, Y):
    return tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=Z2))


def train_step_uphill(X, Y, parameters, learning_rate, activation=tf.tanh):
    return train_step(X, Y, parameters, -learning_rate, activation)


@pytest.mark.parametrize("earlier, broken, fragment", [
    ("forward_propagation", forward_without_bias, "Z2 = forward_without_bias(X, parameters"),
    ("compute_cost", compute_cost_summed, "the cost is 4 times too large"),
])
def test_train_step_with_a_broken_earlier_exercise_says_to_fix_it_first(earlier, broken,
                                                                         fragment):
    blames_earlier(checks.check_train_step, in_notebook(train_step, **{earlier: broken}),
                   earlier, fragment)


def test_train_step_with_right_earlier_exercises_blames_itself():
    step = in_notebook(train_step_uphill,
                       train_step=in_notebook(train_step, forward_propagation=forward_propagation,
                                              compute_cost=compute_cost))
    blames_itself(checks.check_train_step, step, "uphill")


@pytest.mark.slow
def test_nn_model_with_a_broken_train_step_says_to_fix_it_first():
    blames_earlier(checks.check_nn_model, in_notebook(nn_model, train_step=train_step_uphill),
                   "train_step", "uphill")
    # deeper: train_step is right, but the compute_cost it calls is not
    step = in_notebook(train_step, compute_cost=compute_cost_summed)
    blames_earlier(checks.check_nn_model, in_notebook(nn_model, train_step=step),
                   "compute_cost", "4 times too large")


@pytest.mark.slow
def test_nn_model_with_a_right_train_step_blames_itself():
    blames_itself(checks.check_nn_model,
                  in_notebook(_nn_model_with(learning_rate=0.5), train_step=train_step),
                  "ignores its learning_rate argument")


def test_predict_with_a_broken_forward_propagation_says_to_fix_it_first():
    blames_earlier(checks.check_predict,
                   in_notebook(predict, forward_propagation=forward_without_bias),
                   "forward_propagation")

    def predict_inverted(parameters, X, activation=tf.tanh):
        return 1 - predict(parameters, X, activation)

    blames_itself(checks.check_predict,
                  in_notebook(predict_inverted, forward_propagation=forward_propagation),
                  "inverted")


# ------------------------------------------------------------------- what the text asks for


def test_propagate_tf_returns_tensors():
    def propagate_float_cost(w, b, X, Y):
        grads, cost = propagate_tf(w, b, X, Y)
        return grads, float(cost)

    fails(checks.check_propagate_tf, propagate_float_cost,
          "the cost from propagate_float_cost has type float, expected a TensorFlow tensor")

    def propagate_numpy_grads(w, b, X, Y):
        grads, cost = propagate_tf(w, b, X, Y)
        return {key: value.numpy() for key, value in grads.items()}, cost

    fails(checks.check_propagate_tf, propagate_numpy_grads,
          "grads['dw'] from propagate_numpy_grads has type ndarray, expected a TensorFlow tensor")


def test_forward_propagation_and_compute_cost_return_tensors():
    fails(checks.check_forward_propagation,
          lambda X, parameters, activation=tf.tanh: forward_propagation(
              X, parameters, activation).numpy(),
          "has type ndarray, expected a TensorFlow tensor", "need the tensor")
    fails(checks.check_compute_cost, lambda Z2, Y: float(compute_cost(Z2, Y)),
          "the cost from <lambda> has type float, expected a TensorFlow tensor")


def test_train_step_returns_a_tensor():
    def train_step_float(X, Y, parameters, learning_rate, activation=tf.tanh):
        return float(train_step(X, Y, parameters, learning_rate, activation))

    fails(checks.check_train_step, train_step_float, "has type float, expected a TensorFlow tensor")


@pytest.mark.slow
def test_nn_model_costs_are_python_floats_in_a_list():
    """The text asks for "Python floats in a list": a tensor, a float32 number, a tuple or an
    array fails (np.float64, a subclass of float, passes:
    test_nn_model_other_correct_loops_pass)."""
    fails(checks.check_nn_model,
          _nn_model_keeping(lambda cost: cost if isinstance(cost, list) else cost),
          "costs[0] returned by", "has type EagerTensor, expected a Python float")
    fails(checks.check_nn_model,
          _nn_model_keeping(lambda cost: cost if isinstance(cost, list) else np.float32(cost)),
          "costs[0] returned by", "has type float32, expected a Python float")
    fails(checks.check_nn_model,
          _nn_model_keeping(lambda cost: tuple(cost) if isinstance(cost, list) else float(cost)),
          "must be a list of Python floats, got tuple")
    fails(checks.check_nn_model,
          _nn_model_keeping(lambda cost: np.array(cost) if isinstance(cost, list)
                            else float(cost)),
          "must be a list of Python floats, got ndarray")
