"""Checks for notebook 3, TensorFlow: ``check_<name>(function)`` per exercise.

Besides values they catch TensorFlow's own mistakes: ``None`` gradients (the cost was not
computed on the tape), parameters that are no longer ``tf.Variable``, a cost from
probabilities instead of logits, code that fails inside ``tf.function``. The fixed float64
inputs (shapes in brackets), one example per column::

    logistic regression          w = [[0.5], [-1.0]] (2, 1),  b = 0.25
                                 X = [[1, -2, 3], [0.5, 1.5, -1]] (2, 3),  Y = [[1, 0, 1]]
    shallow network [2, 3, 1]    W1 = [[0.5, -1], [1.5, 0.25], [-0.75, 0.5]] (3, 2)
                                 b1 = [[0.1], [-0.2], [0.3]] (3, 1)
                                 W2 = [[1, -2, 0.5]] (1, 3),  b2 = [[-0.1]] (1, 1)
                                 X = [[1, -1, 0.5, 2], [0.5, 2, -1.5, 0]] (2, 4)
                                 Y = [[1, 0, 1, 0]] (1, 4)

``check_nn_model`` trains from this fixed network: while it runs, the learner's
``initialize_parameters`` (found where ``nn_model`` was defined) is replaced by one that returns
it and records its arguments, so the result does not depend on the random start.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import tensorflow as tf

from helpers.checks import (
    CheckFailed,
    as_numbers,
    call,
    expect,
    expect_close,
    expect_dict,
    expect_not_m_times,
    expect_number,
    expect_scalar,
    expect_shape,
    expect_values,
    hint_on_failure,
    name_of,
    passed,
    require_passing,
)

F64 = tf.float64

# --------------------------------------------------------------------------- fixed inputs

LR_W = [[0.5], [-1.0]]
LR_B = 0.25
LR_X = [[1.0, -2.0, 3.0], [0.5, 1.5, -1.0]]
LR_Y = [[1.0, 0.0, 1.0]]

NET = {
    "W1": [[0.5, -1.0], [1.5, 0.25], [-0.75, 0.5]],
    "b1": [[0.1], [-0.2], [0.3]],
    "W2": [[1.0, -2.0, 0.5]],
    "b2": [[-0.1]],
}
NET_X = [[1.0, -1.0, 0.5, 2.0], [0.5, 2.0, -1.5, 0.0]]
NET_Y = [[1.0, 0.0, 1.0, 0.0]]
PARAMETER_NAMES = ("W1", "b1", "W2", "b2")

COST_Z = [[0.5, -1.0, 2.0, 0.0]]
COST_Y = [[1.0, 0.0, 0.0, 1.0]]
# Two examples right with total confidence (loss 0), two wrong (loss 1000 each).
EXTREME_Z = [[1000.0, -1000.0, 1000.0, -1000.0]]
EXTREME_Y = [[1.0, 0.0, 0.0, 1.0]]

# --------------------------------------------------------------------------- expected values

# propagate_tf: Z = w.T X + b = [[0.25, -2.25, 2.75]]
PROPAGATE_COST = 0.24603785593292982
PROPAGATE_DW = [[-0.2695941264781479], [-0.00526696734480968]]
PROPAGATE_DB = -0.13418689479636667

# forward_propagation: the logits Z2, shape (1, 4)
FORWARD_TANH = [[-1.8802943966237333, 1.0673318569591892, 0.16638459107192669,
                 -1.7015913221477041]]
FORWARD_RELU = [[-2.85, 0.925, 1.4, -4.6]]
FORWARD_LINEAR = [[-2.95, 0.925, 0.9875, -5.2]]  # no activation at all: a wrong answer
FORWARD_TANH_SIGMOID = [[0.13235506219891863, 0.7440891777399652, 0.5415004509536464,
                         0.1542575435267724]]  # sigmoid(Z2): probabilities, not logits

# compute_cost
COST = 0.9018534658253119
COST_SWAPPED = 0.878204434039084  # labels and logits exchanged: a wrong answer
EXTREME_COST = 500.0  # (0 + 0 + 1000 + 1000) / 4

# train_step(NET_X, NET_Y, NET, learning_rate=0.5, activation=tf.tanh)
STEP_TANH_COST = 1.041536279663337  # the cost before the update
STEP_TANH = {
    "W1": [[0.5992367569590954, -0.9604314760346109],
           [1.3439497938447722, 0.5078336237769918],
           [-0.693037070114656, 0.4968534283280119]],
    "b1": [[0.20283767449080137], [-0.29872786816329594], [0.3616832196989074]],
    "W2": [[1.1414137908120257, -1.8350777856856035, 0.3658443594702929]],
    "b2": [[-0.04652527930241282]],
}
# train_step(NET_X, NET_Y, NET, learning_rate=0.25, activation=tf.nn.relu)
STEP_RELU_COST = 1.098910961111281
STEP_RELU = {
    "W1": [[0.564020195923185, -0.9890040516106311],
           [1.37195960815363, 0.22800810322126222],
           [-0.7276231314432591, 0.45524626288651815]],
    "b1": [[0.17082393702241083], [-0.34164787404482166], [0.27762313144325906]],
    "W2": [[1.0280965432744646, -1.9153855064223624, 0.4082548389173622]],
    "b2": [[-0.07392980009107106]],
}

# initialize_parameters: weights ~ N(0, 0.01^2)
INIT_STDDEV = 0.01

# nn_model(NET_X, NET_Y, n_h=3, num_iterations=201, learning_rate, activation, seed=7), starting
# from NET: the costs before steps 0, 100 and 200, then the parameters after the 201 steps
NN_ITERATIONS, NN_SEED = 201, 7
NN_TANH = {  # learning_rate=0.5, activation=tf.tanh
    "costs": [1.041536279663337, 0.08111117784320071, 0.035196654591617124],
    "W1": [[1.8008722698291912, -0.850476196769011], [0.9865816871054627, 1.526692678649621],
           [-1.7383817174918428, 1.5575459059511445]],
    "b1": [[1.079776543318805], [-0.7510839472606562], [2.153524588963742]],
    "W2": [[3.4565650189392683, -3.783253122341695, 3.341284747771819]],
    "b2": [[-0.3622102228236964]],
}
NN_SLOW = {  # learning_rate=0.1, activation=tf.tanh
    "costs": [1.041536279663337, 0.2974245052992046, 0.2079819940796748],
    "W1": [[1.3920911574127486, -0.7218259904889931], [0.813454926364115, 1.1292068917257072],
           [-0.9128200665550698, 0.9834230342924313]],
    "b1": [[0.9041366642625674], [-0.5118059241269152], [0.9726411631392384]],
    "W2": [[1.9578534604162805, -2.3351608580322845, 1.3466682904997045]],
    "b2": [[-0.05324846246892696]],
}
NN_RELU = {  # learning_rate=0.5, activation=tf.nn.relu
    "costs": [1.098910961111281, 0.013816282618998643, 0.005446551812446716],
    "W1": [[0.5778818628664892, -0.6216393365043504], [2.65471231241626, -0.6668458537610715],
           [-1.1801005108433833, 1.1814118489963812]],
    "b1": [[1.8558924485416168], [-2.317770543866424], [0.5870691726910756]],
    "W2": [[1.9561427836335485, -3.767570336687934, -1.6059774957674708]],
    "b2": [[0.3222823967847219]],
}

# predict(NET, PREDICT_X, activation): logits with tanh -0.08, 0.3864, 2.2304, -0.3682, -1.8803,
# 1.0673; with relu 0.175, 2.15, 0.4, -0.1, -2.85, 0.925
PREDICT_X = [[0.0, 0.5, -1.0, 0.5, 1.0, -1.0], [0.5, -2.0, -0.5, -0.5, 0.5, 2.0]]
PREDICT_TANH = [[0, 1, 1, 0, 0, 1]]
PREDICT_TANH_LOGIT_HALF = [[0, 0, 1, 0, 0, 1]]  # the logits compared with 0.5: a wrong answer
PREDICT_RELU = [[1, 1, 1, 0, 0, 1]]

# --------------------------------------------------------------------------- tools


def _constant(value: Any) -> tf.Tensor:
    return tf.constant(value, dtype=F64)


def _network(values: dict[str, Any] | None = None) -> dict[str, tf.Variable]:
    """Fresh float64 tf.Variables for the fixed [2, 3, 1] network."""
    values = values or NET
    return {key: tf.Variable(values[key], dtype=F64, name=key) for key in PARAMETER_NAMES}


def _expect_tensor(value: Any, what: str, fix: str = "") -> None:
    """The exercise asks for a TensorFlow tensor (not a NumPy array, not a Python number)."""
    expect(tf.is_tensor(value),
           (f"{what} has type {type(value).__name__}, expected a TensorFlow tensor: keep it a "
            f"tensor (no .numpy(), float() or NumPy functions). {fix}").strip())


def _sum_not_mean(value: Any, expected: float, m: int, what: str) -> None:
    """Name the 'sum instead of mean' mistake before a generic mismatch."""
    expect_not_m_times(expect_scalar(value, what), expected, m, what,
                       "the cost is the mean of the m losses, not their sum.")


# --------------------------------------------------------------------------- the checks


def check_propagate_tf(propagate_tf: Callable) -> None:
    """propagate_tf(w, b, X, Y) -> (grads, cost): the tape's gradients equal the formula's."""
    name = name_of(propagate_tf, "propagate_tf")
    w = tf.Variable(LR_W, dtype=F64, name="w")
    b = tf.Variable(LR_B, dtype=F64, name="b")
    X, Y, m = _constant(LR_X), _constant(LR_Y), len(LR_Y[0])
    grads, cost = expect_values(call(propagate_tf, w, b, X, Y, name=name), 2, name, "grads, cost")
    expect(isinstance(grads, dict) and {"dw", "db"} <= set(grads),
           f"grads from {name} must be a dict with the keys 'dw' and 'db', got "
           f"{type(grads).__name__}" + (f" with keys {sorted(grads)}" if isinstance(grads, dict)
                                         else "") + ".")
    for key in ("dw", "db"):
        expect(grads[key] is not None,
               f"grads['{key}'] is None: the tape saw no path from the cost to "
               f"{key[1:]}. Compute Z and the cost inside the tf.GradientTape block, "
               "with TensorFlow operations on w and b (no .numpy(), no NumPy functions), "
               "then ask the tape for the gradients of the cost with respect to w and b.")
    _expect_tensor(cost, f"the cost from {name}")
    for key in ("dw", "db"):
        _expect_tensor(grads[key], f"grads['{key}'] from {name}")
    _sum_not_mean(cost, PROPAGATE_COST, m, "cost")
    expect_number(cost, PROPAGATE_COST, "cost",
                  "The cost is the mean over the examples of "
                  "max(z, 0) - y z + log(1 + exp(-|z|)), with Z = w^T X + b.")
    dw = expect_shape(as_numbers(grads["dw"], "grads['dw']"), (2, 1),
                      "grads['dw'] (it must have the shape of w)")
    expect_close(dw, PROPAGATE_DW, "grads['dw']")
    expect_number(grads["db"], PROPAGATE_DB, "grads['db']")
    expect(np.array_equal(w.numpy(), LR_W) and float(b.numpy()) == LR_B,
           f"{name} changed w or b: it must only compute the cost and the gradients; the "
           "update comes later.")
    passed(name)


def check_initialize_parameters(initialize_parameters: Callable) -> None:
    """initialize_parameters(n_x, n_h, n_y, seed): shapes, tf.Variable, float64, N(0, 0.01^2)."""
    name = name_of(initialize_parameters, "initialize_parameters")
    n_x, n_h, n_y = 400, 30, 20  # odd sizes, so that swapped dimensions show
    shapes = {"W1": (n_h, n_x), "b1": (n_h, 1), "W2": (n_y, n_h), "b2": (n_y, 1)}
    how = f"{name}({n_x}, {n_h}, {n_y}, seed=1)"
    parameters = expect_dict(call(initialize_parameters, n_x, n_h, n_y, seed=1, name=name),
                             PARAMETER_NAMES, f"the dict returned by {how}")
    for key, shape in shapes.items():
        value = parameters[key]
        expect(isinstance(value, tf.Variable),
               f"parameters['{key}'] is a {type(value).__name__}, expected a tf.Variable: wrap "
               "it in tf.Variable(...) so that GradientTape watches it and train_step can "
               "update it in place.")
        expect(value.dtype == F64, f"parameters['{key}'] has dtype {value.dtype.name}, expected "
               "float64: pass dtype=tf.float64, the dtype of the notebook's data.")
        expect(tuple(value.shape) == shape,
               f"parameters['{key}'] from {how} has shape {tuple(value.shape)}, expected {shape}"
               f" (W{key[1]} is (units in this layer, units in the previous layer), b{key[1]} "
               "is a column).")
    for key in ("b1", "b2"):
        expect(not np.any(parameters[key].numpy()),
               f"parameters['{key}'] is not all zeros: start the biases at 0.")
    for key in ("W1", "W2"):
        values = parameters[key].numpy()
        expect(np.any(values), f"parameters['{key}'] is all zeros. Then every hidden unit "
               "computes the same thing and gets the same gradient, so the units stay identical "
               "forever: draw the weights at random to break this symmetry.")
        mean, std = float(values.mean()), float(values.std())
        expect(abs(mean) < 0.1 * std,
               f"parameters['{key}'] has mean {mean:.4g}, expected about 0: draw from a normal "
               "distribution centred on 0 (rng.normal), not a uniform one in [0, 1).")
        expect(0.8 * INIT_STDDEV < std < 1.2 * INIT_STDDEV,
               f"parameters['{key}'] has standard deviation {std:.4g}, expected about "
               f"{INIT_STDDEV}: use stddev={INIT_STDDEV} (or multiply standard normal "
               f"numbers by {INIT_STDDEV}).")
    w2 = parameters["W2"].numpy().ravel()
    expect(not np.allclose(parameters["W1"].numpy().ravel()[:w2.size], w2),
           "W1 and W2 start with the same numbers: draw W2 from the generator after W1 "
           "instead of creating a new generator with the same seed for each.")

    again = expect_dict(call(initialize_parameters, n_x, n_h, n_y, seed=1, name=name),
                        PARAMETER_NAMES, f"the dict returned by {how}")
    other = expect_dict(call(initialize_parameters, n_x, n_h, n_y, seed=2, name=name),
                        PARAMETER_NAMES,
                        f"the dict returned by {name}({n_x}, {n_h}, {n_y}, seed=2)")
    expect(all(np.array_equal(parameters[k].numpy(), as_numbers(again[k], k))
               for k in ("W1", "W2")),
           f"two calls of {how} gave different weights: create the generator from the seed "
           "inside the function, at every call, and draw W1 and W2 from it.")
    expect(not np.array_equal(parameters["W1"].numpy(), as_numbers(other["W1"], "W1")),
           "seed=1 and seed=2 gave the same W1: use the seed argument to create the generator.")

    small = expect_dict(call(initialize_parameters, 2, 4, 1, seed=3, name=name),
                        PARAMETER_NAMES, f"the dict returned by {name}(2, 4, 1, seed=3)")
    for key, shape in {"W1": (4, 2), "b1": (4, 1), "W2": (1, 4), "b2": (1, 1)}.items():
        expect(tuple(small[key].shape) == shape,
               f"parameters['{key}'] from {name}(2, 4, 1) has shape {tuple(small[key].shape)}, "
               f"expected {shape}.")
    passed(name)


def check_forward_propagation(forward_propagation: Callable) -> None:
    """forward_propagation(X, parameters, activation) -> the logits Z2, shape (n_y, m)."""
    name = name_of(forward_propagation, "forward_propagation")
    X = _constant(NET_X)
    Z2 = call(forward_propagation, X, _network(), tf.tanh, name=name)
    _expect_tensor(Z2, f"Z2 from {name}", "The cost and its gradients need the tensor.")
    Z2 = expect_shape(as_numbers(Z2, f"the result of {name}"), (1, 4),
                      f"Z2 from {name} (one logit per example)")
    if np.allclose(Z2, FORWARD_TANH_SIGMOID, rtol=1e-6):
        raise CheckFailed(f"{name} returns sigmoid(Z2), the probabilities: return the logits "
                          "Z2 = W2 A1 + b2 themselves. The cost takes logits, which is more "
                          "accurate, and predictions only need the sign of Z2.")
    if np.allclose(Z2, FORWARD_LINEAR, rtol=1e-6):
        raise CheckFailed(f"{name} applies no activation to the hidden layer: "
                          "A1 = activation(W1 X + b1).")
    expect_close(Z2, FORWARD_TANH, f"Z2 = {name}(X, parameters, tf.tanh)")

    Z2 = call(forward_propagation, X, _network(), tf.nn.relu, name=name)
    Z2 = expect_shape(as_numbers(Z2, f"the result of {name}"), (1, 4), f"Z2 from {name}")
    if np.allclose(Z2, FORWARD_TANH, rtol=1e-6):
        raise CheckFailed(f"{name}(X, parameters, tf.nn.relu) used tanh anyway: apply the "
                          "function passed as 'activation'.")
    expect_close(Z2, FORWARD_RELU, f"Z2 = {name}(X, parameters, tf.nn.relu)")

    one = call(forward_propagation, X[:, :1], _network(), tf.tanh, name=name)
    expect_close(as_numbers(one, f"the result of {name}"), [[FORWARD_TANH[0][0]]],
                 "Z2 for a single example (m = 1)")
    passed(name)


def check_compute_cost(compute_cost: Callable) -> None:
    """compute_cost(Z2, Y): the mean cross-entropy from logits, exact at z = +-1000."""
    name = name_of(compute_cost, "compute_cost")
    Z, Y, m = _constant(COST_Z), _constant(COST_Y), len(COST_Y[0])
    cost = call(compute_cost, Z, Y, name=name)
    _expect_tensor(cost, f"the cost from {name}", "The tape differentiates tensors only.")
    _sum_not_mean(cost, COST, m, "the cost")
    if math.isclose(expect_scalar(cost, "the cost"), COST_SWAPPED, rel_tol=1e-6):
        raise CheckFailed("the cost has labels and logits swapped: the logits are Z2 and the "
                          "labels Y (pass them by keyword).")
    expect_number(cost, COST, f"{name}(Z2, Y) for Z2 = {COST_Z} and Y = {COST_Y}",
                  "The cost is the mean over the examples of "
                  "-[y log(sigmoid(z)) + (1 - y) log(1 - sigmoid(z))].")
    cost = call(compute_cost, _constant(EXTREME_Z), _constant(EXTREME_Y), name=name)
    expect_number(cost, EXTREME_COST,
                  f"{name}(Z2, Y) for Z2 = {EXTREME_Z} and Y = {EXTREME_Y}",
                  "Two examples are wrong with total confidence, each loss is exactly 1000. "
                  "sigmoid(1000) rounds to 1, so log(1 - A) is log(0): compute the cost from the "
                  "logits in the safe form of exercise 1 instead of from A.")
    passed(name)


def _check_one_step(train_step: Callable, name: str, learning_rate: float,
                    activation: Callable, expected_cost: float,
                    expected: dict[str, Any], how: str, graph: bool = False) -> None:
    X, Y = _constant(NET_X), _constant(NET_Y)
    parameters = _network()
    variables = dict(parameters)
    if graph:
        try:
            cost = train_step(X, Y, parameters, learning_rate, activation)
        except Exception as err:  # tracing errors come in many types
            first_line = (str(err).strip().splitlines() or [""])[0]
            raise CheckFailed(f"{how} raised {type(err).__name__}: {first_line}") from None
    else:
        cost = call(train_step, X, Y, parameters, learning_rate, activation, name=name)
    expect(cost is not None, f"{how} returned None: return the cost.")
    _expect_tensor(cost, f"the cost returned by {how}")
    for key in PARAMETER_NAMES:
        value = parameters[key]
        expect(value is variables[key],
               f"{how} replaced parameters['{key}'] by a new "
               f"{type(value).__name__}: update the variable itself, in place (its assign_sub "
               "method), so that the caller (and a tf.function) sees the new values.")
    if all(np.array_equal(parameters[k].numpy(), NET[k]) for k in PARAMETER_NAMES):
        raise CheckFailed(f"{how} did not change the parameters: after computing the "
                          "gradients, subtract learning_rate * gradient from each variable "
                          "in place.")
    uphill = {k: 2 * np.asarray(NET[k]) - np.asarray(expected[k]) for k in PARAMETER_NAMES}
    if all(np.allclose(parameters[k].numpy(), uphill[k]) for k in PARAMETER_NAMES):
        raise CheckFailed(f"{how} moved the parameters uphill: gradient descent subtracts the "
                          "gradient: subtract learning_rate times the gradient.")
    for key in PARAMETER_NAMES:
        expect_close(parameters[key].numpy(), expected[key], f"parameters['{key}'] after {how}")
    expect_number(cost, expected_cost, f"the cost returned by {how}",
                  "Return the cost computed on the tape, before the update.")


def check_train_step(train_step: Callable) -> None:
    """train_step(X, Y, parameters, learning_rate, activation): one in-place GD step."""
    name = name_of(train_step, "train_step")
    require_passing(train_step, ("forward_propagation", check_forward_propagation),
                    ("compute_cost", check_compute_cost))
    _check_one_step(train_step, name, 0.5, tf.tanh, STEP_TANH_COST, STEP_TANH,
                    f"{name}(X, Y, parameters, 0.5, tf.tanh)")
    _check_one_step(train_step, name, 0.25, tf.nn.relu, STEP_RELU_COST, STEP_RELU,
                    f"{name}(X, Y, parameters, 0.25, tf.nn.relu)")
    try:
        graph_step = tf.function(train_step)
    except Exception as err:
        raise CheckFailed(f"tf.function({name}) failed: {type(err).__name__}: {err}") from None
    try:
        _check_one_step(graph_step, name, 0.5, tf.tanh, STEP_TANH_COST, STEP_TANH,
                        f"tf.function({name})(X, Y, parameters, 0.5, tf.tanh)", graph=True)
    except CheckFailed as err:
        raise CheckFailed(f"{name} works step by step but not inside tf.function: {err} "
                          "Inside a tf.function, values are symbolic until the graph runs: "
                          "no .numpy(), float() or NumPy functions on tensors.") from None
    passed(name)


@contextlib.contextmanager
def _fixed_start(nn_model: Callable) -> Iterator[list[dict] | None]:
    """While the block runs, ``initialize_parameters`` (in the namespace where ``nn_model`` was
    defined) returns fresh variables holding NET. Yields the list of its calls (the arguments
    and the network it returned), or None if there is no such function to replace."""
    function = getattr(nn_model, "python_function", nn_model)  # a tf.function: its Python code
    namespace = getattr(function, "__globals__", {})
    if "initialize_parameters" not in namespace:
        yield None
        return
    original = namespace["initialize_parameters"]
    signature = inspect.signature(lambda n_x, n_h, n_y, seed=1: None)
    calls: list[dict] = []

    def initialize_parameters(*args: Any, **kwargs: Any) -> dict[str, tf.Variable]:
        try:
            arguments = signature.bind(*args, **kwargs)
        except TypeError as err:
            raise CheckFailed(f"initialize_parameters was called with the wrong arguments "
                              f"({err}): call it as initialize_parameters(n_x, n_h, n_y, "
                              "seed).") from None
        arguments.apply_defaults()
        calls.append({**arguments.arguments, "network": _network()})
        return calls[-1]["network"]

    namespace["initialize_parameters"] = initialize_parameters
    try:
        yield calls
    finally:
        namespace["initialize_parameters"] = original


def _train_fixed(nn_model: Callable, name: str, learning_rate: float, activation: Callable,
                 print_cost: bool = False) -> tuple[dict, list[float], str, str]:
    """Run nn_model on the fixed data from NET; return (parameters, costs, printed, how)."""
    how = (f"{name}(X, Y, n_h=3, num_iterations={NN_ITERATIONS}, learning_rate={learning_rate},"
           f" activation={_activation_name(activation)}, seed={NN_SEED}"
           + (", print_cost=True)" if print_cost else ")"))
    printed = io.StringIO()
    with _fixed_start(nn_model) as starts, contextlib.redirect_stdout(printed):
        result = call(nn_model, np.array(NET_X), np.array(NET_Y), n_h=3,
                      num_iterations=NN_ITERATIONS, learning_rate=learning_rate,
                      activation=activation, seed=NN_SEED, print_cost=print_cost, name=name)
    expect(starts is not None,
           f"{name} must start from your initialize_parameters, but there is no function of "
           f"that name where {name} is defined: run the cell of exercise 2 first.")
    expect(len(starts) > 0, f"{how} did not call initialize_parameters: start from your "
           "initialize_parameters, with n_x and n_y read from the shapes of X and Y.")
    expect(len(starts) == 1, f"{how} called initialize_parameters {len(starts)} times: call it "
           "once, before the loop, and train those parameters.")
    start = starts[0]
    for key, expected, meaning in [("n_x", 2, "the number of rows of X"),
                                   ("n_h", 3, "the n_h argument"),
                                   ("n_y", 1, "the number of rows of Y"),
                                   ("seed", NN_SEED, "the seed argument")]:
        expect(start[key] == expected,
               f"{how} called initialize_parameters with {key}={start[key]!r}, expected "
               f"{expected} ({meaning}).")
    parameters, costs = expect_values(result, 2, how, "parameters, costs")
    parameters = expect_dict(parameters, PARAMETER_NAMES, f"the parameters returned by {how}")
    for key in PARAMETER_NAMES:
        expect(parameters[key] is start["network"][key],
               f"parameters['{key}'] returned by {how} is not the variable that "
               "initialize_parameters created: return the dict of variables that train_step "
               "updated in place (not copies or NumPy arrays).")
    expect(isinstance(costs, list),
           f"costs returned by {how} must be a list of Python floats, got "
           f"{type(costs).__name__}.")
    expected_count = len(range(0, NN_ITERATIONS, 100))
    expect(len(costs) == expected_count,
           f"{how} returned {len(costs)} costs, expected {expected_count}: the costs before "
           "steps 0, 100 and 200, one every 100 steps starting with the first.")
    for i, cost in enumerate(costs):
        expect(isinstance(cost, float),
               f"costs[{i}] returned by {how} has type {type(cost).__name__}, expected a Python "
               "float: keep each cost as a Python float, not a tensor or a NumPy array.")
    costs = [expect_scalar(cost, f"costs[{i}]") for i, cost in enumerate(costs)]
    return parameters, costs, printed.getvalue(), how


def _activation_name(activation: Callable) -> str:
    return {tf.tanh: "tf.tanh", tf.nn.relu: "tf.nn.relu"}.get(activation, str(activation))


def _matches(parameters: dict, expected: dict) -> bool:
    return all(np.allclose(parameters[k].numpy(), expected[k], rtol=1e-6, atol=1e-9)
               for k in PARAMETER_NAMES)


def _expect_trained(parameters: dict, costs: list[float], expected: dict, how: str) -> None:
    if all(np.array_equal(parameters[k].numpy(), NET[k]) for k in PARAMETER_NAMES):
        raise CheckFailed(f"{how} returned the parameters it started from: call train_step "
                          "on them num_iterations times.")
    if not math.isclose(costs[0], expected["costs"][0], rel_tol=1e-6):
        raise CheckFailed(f"costs[0] from {how} is {costs[0]:.6g}, expected "
                          f"{expected['costs'][0]:.6g}, the cost before the first step (the "
                          "value train_step returns).")
    with hint_on_failure("Run exactly num_iterations steps of train_step with the given "
                         "learning_rate and activation, and keep the cost of steps 0, 100, "
                         "200, ..."):
        for key in PARAMETER_NAMES:
            expect_close(parameters[key].numpy(), expected[key],
                         f"parameters['{key}'] after {how}")
        expect_close(costs, expected["costs"], f"the costs from {how}")


def check_nn_model(nn_model: Callable) -> None:
    """nn_model(X, Y, n_h, num_iterations, learning_rate, activation, seed, print_cost)
    -> (parameters, costs): your functions, put together into a training loop."""
    name = name_of(nn_model, "nn_model")
    # Not initialize_parameters: this check replaces it by a fixed start (_fixed_start).
    require_passing(nn_model, ("train_step", check_train_step))
    parameters, costs, printed, how = _train_fixed(nn_model, name, 0.5, tf.tanh)
    _expect_trained(parameters, costs, NN_TANH, how)
    expect(printed == "", f"{how} printed {printed[:60]!r}...: print only when print_cost "
           "is True.")

    parameters, costs, printed, how = _train_fixed(nn_model, name, 0.1, tf.tanh,
                                                   print_cost=True)
    if _matches(parameters, NN_TANH):
        raise CheckFailed(f"{how} gave the parameters of learning_rate=0.5: it ignores its "
                          "learning_rate argument. Pass it on to train_step.")
    _expect_trained(parameters, costs, NN_SLOW, how)
    numbers = [float(x) for x in re.findall(r"\d+\.\d+", printed)]
    expect(any(abs(x - NN_SLOW["costs"][0]) < 0.006 for x in numbers),
           f"{how} printed {printed[:80]!r}, which does not show the cost before step 0 "
           f"({NN_SLOW['costs'][0]:.4f}): with print_cost=True, print the cost every 1000 "
           "steps, starting with step 0.")

    parameters, costs, _, how = _train_fixed(nn_model, name, 0.5, tf.nn.relu)
    if _matches(parameters, NN_TANH):
        raise CheckFailed(f"{how} gave the parameters of tanh: it ignores its activation "
                          "argument. Pass it on to train_step.")
    _expect_trained(parameters, costs, NN_RELU, how)
    passed(name)


def check_predict(predict: Callable) -> None:
    """predict(parameters, X, activation) -> labels 0/1 as integers, shape (1, m)."""
    name = name_of(predict, "predict")
    require_passing(predict, ("forward_propagation", check_forward_propagation))
    X = np.array(PREDICT_X)
    how = f"{name}(parameters, X, tf.tanh)"
    labels = call(predict, _network(), X, tf.tanh, name=name)
    expect(labels is not None, f"{how} returned None: did you forget the 'return' line?")
    expect(isinstance(labels, np.ndarray),
           f"{how} returned a {type(labels).__name__}, expected a NumPy array: convert the "
           "result with .numpy(), so that it compares with the labels Y like notebook 2's.")
    expect_shape(labels, (1, X.shape[1]), f"the labels from {how} (one per example, "
                 "shaped like Y)")
    expect(labels.dtype != bool, f"{how} returned True/False values: convert them to the "
           "integers 1 and 0.")
    if labels.dtype.kind == "f" and np.all((labels > 0) & (labels < 1)):
        raise CheckFailed(f"{how} returned probabilities, not labels: label an example 1 "
                          "where its probability is above 0.5, and 0 elsewhere.")
    expect(bool(np.all((labels == 0) | (labels == 1))),
           f"{how} returned values other than 0 and 1: {labels.tolist()}. The labels are 1 "
           "where the probability is above 0.5, 0 elsewhere.")
    expect(labels.dtype.kind in "iu",
           f"{how} returned labels of dtype {labels.dtype}, expected integers: convert them "
           "to the integers 0 and 1.")
    if np.array_equal(labels, PREDICT_TANH_LOGIT_HALF):
        raise CheckFailed(f"{how} compared the logits Z2 with 0.5. The probability "
                          "sigmoid(Z2) is what is compared with 0.5, which is the same as "
                          "comparing Z2 with 0: an example whose logit is 0.39 is a 1.")
    if np.array_equal(labels, 1 - np.array(PREDICT_TANH)):
        raise CheckFailed(f"{how} returned the labels inverted: 1 where the probability is "
                          "above 0.5.")
    expect(np.array_equal(labels, PREDICT_TANH),
           f"{how} returned {labels.tolist()}, expected {PREDICT_TANH}: 1 where the "
           "probability is above 0.5.")

    how = f"{name}(parameters, X, tf.nn.relu)"
    labels = expect_shape(call(predict, _network(), X, tf.nn.relu, name=name),
                          (1, X.shape[1]), f"the labels from {how}")
    if np.array_equal(labels, PREDICT_TANH):
        raise CheckFailed(f"{how} used tanh anyway: pass the activation on to "
                          "forward_propagation.")
    expect(np.array_equal(labels, PREDICT_RELU),
           f"{how} returned {labels.tolist()}, expected {PREDICT_RELU}.")

    one = call(predict, _network(), X[:, :2], tf.tanh, name=name)
    expect_shape(one, (1, 2), f"the labels from {name} for 2 examples")
    expect(np.array_equal(one, [PREDICT_TANH[0][:2]]),
           f"{name} for the first 2 examples returned {np.asarray(one).tolist()}, expected "
           f"{[PREDICT_TANH[0][:2]]}.")
    passed(name)
