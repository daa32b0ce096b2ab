"""The checks of notebook 4 pass correct functions and name the mistake in broken ones."""

from __future__ import annotations

import numpy as np
import pytest
from check_tools import blames_earlier, blames_itself, fails, in_notebook

from helpers.checks import deep as checks

# --------------------------------------------------------------------------- correct versions


def initialize_parameters_deep(layer_dims, seed=1):
    rng = np.random.RandomState(seed)
    parameters = {}
    for layer in range(1, len(layer_dims)):
        n_prev = layer_dims[layer - 1]
        parameters[f"W{layer}"] = rng.randn(layer_dims[layer], n_prev) / np.sqrt(n_prev)
        parameters[f"b{layer}"] = np.zeros((layer_dims[layer], 1))
    return parameters


def linear_activation_forward(A_prev, W, b, activation):
    Z = W @ A_prev + b
    if activation not in ("relu", "sigmoid"):
        raise ValueError(f"unknown activation {activation!r}")
    A = np.maximum(Z, 0) if activation == "relu" else 1 / (1 + np.exp(-Z))
    return A, (A_prev, W, b, Z)


def L_model_forward(X, parameters):
    L = len(parameters) // 2
    A, caches = X, []
    for layer in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters[f"W{layer}"], parameters[f"b{layer}"],
                                             "relu" if layer < L else "sigmoid")
        caches.append(cache)
    return A, caches


def compute_cost(ZL, Y):
    return float(np.mean(Y * np.logaddexp(0, -ZL) + (1 - Y) * np.logaddexp(0, ZL)))


def linear_backward(dZ, cache, compute_dA_prev=True):
    A_prev, W, _, _ = cache
    m = A_prev.shape[1]
    dA_prev = W.T @ dZ if compute_dA_prev else None
    return dA_prev, dZ @ A_prev.T / m, np.sum(dZ, axis=1, keepdims=True) / m


def L_model_backward(AL, Y, caches):
    grads = {}
    dZ = AL - Y
    for layer in range(len(caches), 0, -1):
        dA_prev, grads[f"dW{layer}"], grads[f"db{layer}"] = linear_backward(
            dZ, caches[layer - 1], compute_dA_prev=layer > 1)
        if layer > 1:
            dZ = dA_prev * (caches[layer - 2][3] > 0)
    return grads


def update_parameters(parameters, grads, learning_rate):
    new = dict(parameters)
    for layer in range(1, len(parameters) // 2 + 1):
        new[f"W{layer}"] = parameters[f"W{layer}"] - learning_rate * grads[f"dW{layer}"]
        new[f"b{layer}"] = parameters[f"b{layer}"] - learning_rate * grads[f"db{layer}"]
    return new



# --------------------------------------------------------------------------- passing


@pytest.mark.parametrize(("check", "function"), [
    (checks.check_initialize_parameters_deep, initialize_parameters_deep),
    (checks.check_linear_activation_forward, linear_activation_forward),
    (checks.check_L_model_forward, L_model_forward),
    (checks.check_compute_cost, compute_cost),
    (checks.check_linear_backward, linear_backward),
    (checks.check_L_model_backward, L_model_backward),
    (checks.check_update_parameters, update_parameters),
])
def test_correct_functions_pass(check, function, capsys):
    check(function)
    assert capsys.readouterr().out == f"✔ {function.__name__}: all checks passed.\n"


def test_global_seed_version_passes(capsys):
    def with_global_seed(layer_dims, seed=1):
        np.random.seed(seed)
        parameters = {}
        for layer in range(1, len(layer_dims)):
            n_prev = layer_dims[layer - 1]
            parameters[f"W{layer}"] = np.random.randn(layer_dims[layer], n_prev) / np.sqrt(n_prev)
            parameters[f"b{layer}"] = np.zeros((layer_dims[layer], 1))
        return parameters

    checks.check_initialize_parameters_deep(with_global_seed)
    assert "all checks passed" in capsys.readouterr().out


def test_not_implemented_is_reported():
    def todo(*args, **kwargs):
        raise NotImplementedError

    fails(checks.check_compute_cost, todo, "not implemented yet")


# --------------------------------------------------------------------------- initialization


def _init_variant(scale):
    def init(layer_dims, seed=1):
        rng = np.random.RandomState(seed)
        parameters = {}
        for layer in range(1, len(layer_dims)):
            n_prev, n = layer_dims[layer - 1], layer_dims[layer]
            parameters[f"W{layer}"] = rng.randn(n, n_prev) * scale(n_prev, n)
            parameters[f"b{layer}"] = np.zeros((n, 1))
        return parameters
    return init


@pytest.mark.parametrize(("scale", "fragment"), [
    (lambda n_prev, n: 0.01, "multiplied by 0.01"),
    (lambda n_prev, n: np.sqrt(2 / n_prev), "He initialization"),
    (lambda n_prev, n: 1.0, "did not divide by np.sqrt(n[l-1])"),
    (lambda n_prev, n: 1 / np.sqrt(n), "divided by sqrt(n[l])"),
    (lambda n_prev, n: 1 / n_prev, "divided by n[l-1]; divide by its square root"),
])
def test_init_scaling_mistakes_are_named(scale, fragment):
    fails(checks.check_initialize_parameters_deep, _init_variant(scale), "W1", fragment)


def test_init_transposed_shape():
    def transposed(layer_dims, seed=1):
        parameters = initialize_parameters_deep(layer_dims, seed)
        return {k: v.T if k.startswith("W") else v for k, v in parameters.items()}

    fails(checks.check_initialize_parameters_deep, transposed, "W1 has shape (4, 3)",
          "expected (3, 4)")


def test_init_drawn_transposed_then_flipped():
    def wrong_order(layer_dims, seed=1):
        rng = np.random.RandomState(seed)
        parameters = {}
        for layer in range(1, len(layer_dims)):
            n_prev, n = layer_dims[layer - 1], layer_dims[layer]
            parameters[f"W{layer}"] = rng.randn(n_prev, n).T / np.sqrt(n_prev)
            parameters[f"b{layer}"] = np.zeros((n, 1))
        return parameters

    fails(checks.check_initialize_parameters_deep, wrong_order, "wrong values", "in layer order")


def test_init_random_biases():
    def random_b(layer_dims, seed=1):
        parameters = initialize_parameters_deep(layer_dims, seed)
        parameters["b2"] = np.full_like(parameters["b2"], 0.1)
        return parameters

    fails(checks.check_initialize_parameters_deep, random_b, "b2 must start at zero")


def test_init_missing_last_layer():
    def off_by_one(layer_dims, seed=1):
        return initialize_parameters_deep(layer_dims[:-1], seed)

    fails(checks.check_initialize_parameters_deep, off_by_one,
          "is missing the key(s) ['W3', 'b3']")


def test_init_ignores_seed():
    def fixed_seed(layer_dims, seed=1):
        return initialize_parameters_deep(layer_dims, 1)

    fails(checks.check_initialize_parameters_deep, fixed_seed, "seed=2", "same weights")


def test_init_uses_unseeded_global_state():
    state = {"calls": 0}

    def unseeded(layer_dims, seed=1):
        state["calls"] += 1
        parameters = initialize_parameters_deep(layer_dims, seed)
        if state["calls"] > 1:  # the first call happens to match, later ones do not
            parameters["W1"] = parameters["W1"] + 0.5
        return parameters

    fails(checks.check_initialize_parameters_deep, unseeded, "same seed gave different weights")


def test_init_float32():
    def float32(layer_dims, seed=1):
        return {k: v.astype(np.float32) for k, v in
                initialize_parameters_deep(layer_dims, seed).items()}

    fails(checks.check_initialize_parameters_deep, float32, "dtype float32")


# --------------------------------------------------------------------------- forward


def test_forward_without_bias():
    def no_b(A_prev, W, b, activation):
        return linear_activation_forward(A_prev, W, np.zeros_like(b), activation)

    # relu is checked first: its values differ, so the generic message appears
    fails(checks.check_linear_activation_forward, no_b, "A (relu) is wrong")


def test_forward_without_bias_sigmoid_only():
    def no_b_sigmoid(A_prev, W, b, activation):
        if activation == "sigmoid":
            b = np.zeros_like(b)
        return linear_activation_forward(A_prev, W, b, activation)

    fails(checks.check_linear_activation_forward, no_b_sigmoid, "forgot to add b")


def test_forward_swapped_activations():
    def swapped(A_prev, W, b, activation):
        return linear_activation_forward(A_prev, W, b,
                                         "sigmoid" if activation == "relu" else "relu")

    fails(checks.check_linear_activation_forward, swapped, "activation='relu'",
          "applied the sigmoid")


def test_forward_cache_order():
    def bad_cache(A_prev, W, b, activation):
        A, (A_prev, W, b, Z) = linear_activation_forward(A_prev, W, b, activation)
        return A, (Z, A_prev, W, b)

    fails(checks.check_linear_activation_forward, bad_cache, "(A_prev, W, b, Z) in that order")


def test_forward_cache_wrong_length():
    def short_cache(A_prev, W, b, activation):
        A, (A_prev, W, b, Z) = linear_activation_forward(A_prev, W, b, activation)
        return A, (A_prev, W, b)

    fails(checks.check_linear_activation_forward, short_cache, "must be the tuple")


def test_forward_upcasts_float32():
    def upcast(A_prev, W, b, activation):
        A, cache = linear_activation_forward(A_prev, W, b, activation)
        return A.astype(np.float64), cache

    fails(checks.check_linear_activation_forward, upcast, "float32", "returned float64")


def test_forward_overflow_is_reported():
    def unsafe(A_prev, W, b, activation):
        A, cache = linear_activation_forward(A_prev, W, b, activation)
        np.exp(np.array([1000.0]))  # an overflow, as an unguarded exp would give
        return A, cache

    fails(checks.check_linear_activation_forward, unsafe, "not numerically safe")


def _model_forward_variant(hidden, last, skip_last_cache=False):
    def forward(X, parameters):
        L = len(parameters) // 2
        A, caches = X, []
        for layer in range(1, L + 1):
            A, cache = linear_activation_forward(A, parameters[f"W{layer}"],
                                                 parameters[f"b{layer}"],
                                                 hidden if layer < L else last)
            if not (skip_last_cache and layer == L):
                caches.append(cache)
        return A, caches
    return forward


def test_model_forward_relu_at_the_end():
    fails(checks.check_L_model_forward, _model_forward_variant("relu", "relu"),
          "apply the sigmoid on the last layer")


def test_model_forward_sigmoid_everywhere():
    fails(checks.check_L_model_forward, _model_forward_variant("sigmoid", "sigmoid"),
          "Z of layer 2 is wrong")


def test_model_forward_missing_last_cache():
    fails(checks.check_L_model_forward, _model_forward_variant("relu", "sigmoid", True),
          "caches has 2 entries")


def test_model_forward_stops_one_layer_early():
    def early(X, parameters):
        trimmed = {k: v for k, v in parameters.items() if not k.endswith("3")}
        return L_model_forward(X, trimmed)

    fails(checks.check_L_model_forward, early, "caches has 2 entries")


# --------------------------------------------------------------------------- cost


def _sigmoid(Z):  # notebook 4's: exp of numbers <= 0 only, so 0 and 1 come from rounding
    E = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1 / (1 + E), E / (1 + E))


def test_cost_sign():
    fails(checks.check_compute_cost, lambda ZL, Y: -compute_cost(ZL, Y), "minus sign")


def test_cost_only_positive_term():
    def half(ZL, Y):
        return float(np.mean(Y * np.logaddexp(0, -ZL)))

    fails(checks.check_compute_cost, half, "only the cats' term")


def test_cost_terms_swapped():
    def swapped(ZL, Y):
        return float(np.mean(Y * np.logaddexp(0, ZL) + (1 - Y) * np.logaddexp(0, -ZL)))

    fails(checks.check_compute_cost, swapped, "swapped")


def test_cost_not_averaged():
    fails(checks.check_compute_cost, lambda ZL, Y: compute_cost(ZL, Y) * Y.shape[1],
          "divide the sum by m")


def test_cost_returns_array():
    def as_array(ZL, Y):
        return np.array([[compute_cost(ZL, Y)]])

    fails(checks.check_compute_cost, as_array, "Python float")


def test_cost_log_of_zero_is_reported():
    def unsafe(ZL, Y):
        np.log(np.zeros(1))
        return compute_cost(ZL, Y)

    fails(checks.check_compute_cost, unsafe, "not numerically safe")


def test_cost_from_probabilities_fails_where_the_sigmoid_rounds_to_0_or_1():
    # The formula of the classic course, log(AL): fine on moderate logits, log(0) at z = 1000.
    def from_AL(ZL, Y):
        AL = _sigmoid(ZL)
        return float(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))

    fails(checks.check_compute_cost, from_AL, "not numerically safe", "log(1 + e^(-z))")


def test_cost_clipped_probabilities_fail():
    def clipped(ZL, Y):
        AL = np.clip(_sigmoid(ZL), 1e-15, 1 - 1e-15)
        return float(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))

    fails(checks.check_compute_cost, clipped, "expected 500", "Clipping")


def test_cost_given_probabilities_instead_of_logits():
    def log_of_Z(ZL, Y):  # treats the logits as probabilities: log of negative numbers
        return float(-np.mean(Y * np.log(ZL) + (1 - Y) * np.log(1 - ZL)))

    fails(checks.check_compute_cost, log_of_Z, "not numerically safe")


def test_cost_changes_its_input():
    def in_place(ZL, Y):
        cost = compute_cost(ZL, Y)
        ZL *= 2
        return cost

    fails(checks.check_compute_cost, in_place, "changed the arrays")


# --------------------------------------------------------------------------- backward


def test_linear_backward_without_1_over_m():
    def no_m(dZ, cache, compute_dA_prev=True):
        dA_prev, dW, db = linear_backward(dZ, cache, compute_dA_prev)
        return dA_prev, dW * dZ.shape[1], db

    fails(checks.check_linear_backward, no_m, "dW is m = 4 times too big")


def test_linear_backward_db_without_keepdims():
    def flat_db(dZ, cache, compute_dA_prev=True):
        dA_prev, dW, db = linear_backward(dZ, cache, compute_dA_prev)
        return dA_prev, dW, db.ravel()

    fails(checks.check_linear_backward, flat_db, "keepdims=True")


def test_linear_backward_dA_prev_divided_by_m():
    def over_m(dZ, cache, compute_dA_prev=True):
        dA_prev, dW, db = linear_backward(dZ, cache, compute_dA_prev)
        return dA_prev / dZ.shape[1], dW, db

    fails(checks.check_linear_backward, over_m, "without 1/m")


def test_linear_backward_uses_W_not_transposed():
    def no_transpose(dZ, cache, compute_dA_prev=True):
        _, dW, db = linear_backward(dZ, cache, compute_dA_prev)
        return dZ.T @ cache[1], dW, db  # (4, 3) instead of (3, 4)

    fails(checks.check_linear_backward, no_transpose, "dA_prev", "shape (4, 3)",
          "did you use W.T?")


def test_linear_backward_always_computes_dA_prev():
    def always(dZ, cache, compute_dA_prev=True):
        return linear_backward(dZ, cache, True)

    fails(checks.check_linear_backward, always, "must be None")


def test_linear_backward_without_the_flag():
    def no_flag(dZ, cache):
        return linear_backward(dZ, cache)

    fails(checks.check_linear_backward, no_flag, "TypeError", "compute_dA_prev")


def test_model_backward_wrong_sign():
    def flipped(AL, Y, caches):
        return L_model_backward(Y, AL, caches)

    fails(checks.check_L_model_backward, flipped, "wrong sign", "dZ = AL - Y")


def test_model_backward_stores_dA0():
    def with_dA0(AL, Y, caches):
        grads = L_model_backward(AL, Y, caches)
        grads["dA0"] = np.zeros_like(caches[0][0])
        return grads

    fails(checks.check_L_model_backward, with_dA0, "'dA0'", "skip it")


def test_model_backward_without_relu_mask():
    def no_mask(AL, Y, caches):
        grads = {}
        dZ = AL - Y
        for layer in range(len(caches), 0, -1):
            dA_prev, grads[f"dW{layer}"], grads[f"db{layer}"] = linear_backward(
                dZ, caches[layer - 1], compute_dA_prev=layer > 1)
            dZ = dA_prev
        return grads

    fails(checks.check_L_model_backward, no_mask, "dW2 is wrong")


def test_model_backward_missing_first_layer():
    def stops_early(AL, Y, caches):
        grads = L_model_backward(AL, Y, caches)
        del grads["dW1"], grads["db1"]
        return grads

    fails(checks.check_L_model_backward, stops_early, "grads is missing the key(s) ['dW1', 'db1']")


# --------------------------------------------------------------------------- update


def test_update_uphill():
    def uphill(parameters, grads, learning_rate):
        return update_parameters(parameters, grads, -learning_rate)

    fails(checks.check_update_parameters, uphill, "W1 moved uphill")


def test_update_in_place_breaks_the_rule():
    def in_place(parameters, grads, learning_rate):
        for layer in range(1, len(parameters) // 2 + 1):
            parameters[f"W{layer}"] -= learning_rate * grads[f"dW{layer}"]
            parameters[f"b{layer}"] -= learning_rate * grads[f"db{layer}"]
        return parameters

    fails(checks.check_update_parameters, in_place,
          "changed the dict parameters you passed in at W1, b1, W2, b2",
          "never modifies an array passed to it")


def test_update_assigning_into_the_callers_dict_breaks_the_rule():
    def same_dict(parameters, grads, learning_rate):
        for key in list(parameters):
            parameters[key] = parameters[key] - learning_rate * grads["d" + key]
        return parameters

    fails(checks.check_update_parameters, same_dict,
          "changed the dict parameters you passed in at W1, b1, W2, b2",
          "never modifies an array passed to it", "new = dict(parameters)")


def test_update_only_first_layer():
    def first_only(parameters, grads, learning_rate):
        new = dict(parameters)
        new["W1"] = parameters["W1"] - learning_rate * grads["dW1"]
        new["b1"] = parameters["b1"] - learning_rate * grads["db1"]
        return new

    fails(checks.check_update_parameters, first_only, "W2 did not change")


def test_update_forgets_bias():
    def no_b(parameters, grads, learning_rate):
        new = dict(parameters)
        for layer in (1, 2):
            new[f"W{layer}"] = parameters[f"W{layer}"] - learning_rate * grads[f"dW{layer}"]
        return new

    fails(checks.check_update_parameters, no_b, "b1 did not change")


def test_update_upcasts_float32():
    def upcast(parameters, grads, learning_rate):
        return {k: np.asarray(v, dtype=np.float64) - 0 for k, v in
                update_parameters(parameters, grads, learning_rate).items()}

    fails(checks.check_update_parameters, upcast, "keep each array's dtype")


def test_update_returns_nothing():
    def returns_none(parameters, grads, learning_rate):
        update_parameters(parameters, grads, learning_rate)

    fails(checks.check_update_parameters, returns_none, "must be a dict")


# ------------------------------------------------------------------- earlier exercises first


def linear_activation_forward_no_bias(A_prev, W, b, activation):
    return linear_activation_forward(A_prev, W, 0 * b, activation)


def linear_backward_without_1_over_m(dZ, cache, compute_dA_prev=True):
    dA_prev, dW, db = linear_backward(dZ, cache, compute_dA_prev)
    m = dZ.shape[1]
    return dA_prev, dW * m, db * m


def test_L_model_forward_with_a_broken_linear_activation_forward_says_to_fix_it_first():
    forward = in_notebook(L_model_forward,
                          linear_activation_forward=linear_activation_forward_no_bias)
    blames_earlier(checks.check_L_model_forward, forward, "linear_activation_forward",
                   "A (relu) is wrong")

    def forward_relu_everywhere(X, parameters):
        A, caches = X, []
        for layer in range(1, len(parameters) // 2 + 1):
            A, cache = linear_activation_forward(A, parameters[f"W{layer}"],
                                                 parameters[f"b{layer}"], "relu")
            caches.append(cache)
        return A, caches

    blames_itself(checks.check_L_model_forward,
                  in_notebook(forward_relu_everywhere,
                              linear_activation_forward=linear_activation_forward),
                  "AL")


def test_L_model_backward_with_linear_backward_missing_1_over_m_says_to_fix_it_first():
    backward = in_notebook(L_model_backward, linear_backward=linear_backward_without_1_over_m)
    message = blames_earlier(checks.check_L_model_backward, backward, "linear_backward",
                             "dW is m = 4 times too big")
    assert "db3" not in message

    def backward_no_relu(AL, Y, caches):
        grads, dZ = {}, AL - Y
        for layer in range(len(caches), 0, -1):
            dA_prev, grads[f"dW{layer}"], grads[f"db{layer}"] = linear_backward(
                dZ, caches[layer - 1], compute_dA_prev=layer > 1)
            dZ = dA_prev
        return grads

    blames_itself(checks.check_L_model_backward,
                  in_notebook(backward_no_relu, linear_backward=linear_backward), "dW2")


# ------------------------------------------------------------------- what the text asks for


def test_linear_activation_forward_raises_a_value_error_for_another_activation():
    def forward_sigmoid_otherwise(A_prev, W, b, activation):
        Z = W @ A_prev + b
        A = np.maximum(Z, 0) if activation == "relu" else 1 / (1 + np.exp(-Z))
        return A, (A_prev, W, b, Z)

    fails(checks.check_linear_activation_forward, forward_sigmoid_otherwise,
          "activation='tanh') returned a result: raise a ValueError")

    def forward_key_error(A_prev, W, b, activation):
        if activation not in ("relu", "sigmoid"):
            raise KeyError(activation)
        return linear_activation_forward(A_prev, W, b, activation)

    fails(checks.check_linear_activation_forward, forward_key_error,
          "activation='tanh') raised KeyError: 'tanh'; raise a ValueError")


def test_linear_activation_forward_cache_is_a_tuple_of_the_given_arrays():
    def forward_list_cache(A_prev, W, b, activation):
        A, cache = linear_activation_forward(A_prev, W, b, activation)
        return A, list(cache)

    fails(checks.check_linear_activation_forward, forward_list_cache,
          "cache must be the tuple (A_prev, W, b, Z); got list")

    def forward_copied_cache(A_prev, W, b, activation):
        A, (_, _, _, Z) = linear_activation_forward(A_prev, W, b, activation)
        return A, (A_prev.copy(), W.copy(), b.copy(), Z)

    fails(checks.check_linear_activation_forward, forward_copied_cache,
          "not copies of them")


def test_L_model_forward_caches_must_be_a_list():
    def forward_tuple(X, parameters):
        AL, caches = L_model_forward(X, parameters)
        return AL, tuple(caches)

    fails(checks.check_L_model_forward, forward_tuple, "caches must be a list, got tuple.")


# --------------------------------------------------------------------------- gradient checking


def _small_problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 8))
    Y = (rng.random((1, 8)) > 0.5).astype(float)
    params = {key: value + 0.1 * rng.standard_normal(value.shape)
              for key, value in initialize_parameters_deep([5, 4, 3, 1], seed=2).items()}
    AL, caches = L_model_forward(X, params)
    epsilon, numerical = 1e-7, {}
    for key, value in params.items():
        numerical["d" + key] = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            costs = []
            for sign in (1, -1):
                nudged = dict(params, **{key: value.copy()})
                nudged[key][index] += sign * epsilon
                costs.append(compute_cost(L_model_forward(X, nudged)[1][-1][3], Y))
            numerical["d" + key][index] = (costs[0] - costs[1]) / (2 * epsilon)
    return numerical, AL, Y, caches


def test_relative_error_is_notebook_1s():
    assert checks.relative_error(np.array([3.0, 0.0]), np.array([1.0, 0.0])) == 0.5
    assert checks.relative_error(np.zeros(2), np.zeros(2)) == 0.0


def test_compare_gradients_passes_a_correct_backward_pass(capsys):
    numerical, AL, Y, caches = _small_problem()
    checks.compare_gradients(numerical, L_model_backward, AL, Y, caches)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{key}: relative error below 1e-7: True" for key in numerical]


def test_compare_gradients_reports_a_crash_instead_of_raising(capsys):
    # The ReLU mask taken from the wrong layer's Z: a broadcasting error inside the backward pass.
    def wrong_mask(AL, Y, caches):
        grads, dZ = {}, AL - Y
        for layer in range(len(caches), 0, -1):
            dA_prev, grads[f"dW{layer}"], grads[f"db{layer}"] = linear_backward(
                dZ, caches[layer - 1], compute_dA_prev=layer > 1)
            if layer > 1:
                dZ = dA_prev * (caches[layer - 1][3] > 0)
        return grads

    numerical, AL, Y, caches = _small_problem()
    checks.compare_gradients(numerical, wrong_mask, AL, Y, caches)
    out = capsys.readouterr().out
    assert out.startswith("✘ wrong_mask raised ValueError: operands could not be broadcast")
    assert "layer index" in out and len(out.splitlines()) == 2


def test_compare_gradients_names_the_gradient_of_the_wrong_shape(capsys):
    # Gradients stored under the wrong layer's key: once a broadcasting crash in the cell.
    def swapped_keys(AL, Y, caches):
        grads = L_model_backward(AL, Y, caches)
        grads["dW2"], grads["dW3"] = grads["dW3"], grads["dW2"]
        return grads

    numerical, AL, Y, caches = _small_problem()
    checks.compare_gradients(numerical, swapped_keys, AL, Y, caches)
    out = capsys.readouterr().out
    assert "dW2: ✘ shape (1, 3), but W2 has shape (3, 4)" in out
    assert "dW3: ✘ shape (3, 4), but W3 has shape (1, 3)" in out
    assert "dW1: relative error below 1e-7: True" in out


def test_compare_gradients_names_the_gradient_that_disagrees(capsys):
    def no_mask(AL, Y, caches):  # the ReLU's mask forgotten in layer 2 only
        grads = L_model_backward(AL, Y, caches)
        grads["db2"] = grads["db2"] * 2
        return grads

    numerical, AL, Y, caches = _small_problem()
    checks.compare_gradients(numerical, no_mask, AL, Y, caches)
    bad = [line for line in capsys.readouterr().out.splitlines() if "✘" in line]
    assert len(bad) == 1 and bad[0].startswith("db2: ✘ relative error 0.33, above 1e-7")


def test_compare_gradients_reports_a_missing_gradient(capsys):
    def without_db1(AL, Y, caches):
        grads = L_model_backward(AL, Y, caches)
        del grads["db1"]
        return grads

    numerical, AL, Y, caches = _small_problem()
    checks.compare_gradients(numerical, without_db1, AL, Y, caches)
    assert "db1: ✘ missing" in capsys.readouterr().out
