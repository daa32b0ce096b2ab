"""Checks for notebook 4, deep networks from scratch: ``check_<name>(function)`` per exercise.

The notebook's conventions:

- ``parameters`` is a dict ``{"W1": (n1, n0), "b1": (n1, 1), ..., "WL": ..., "bL": ...}``;
- a layer's ``cache`` is the tuple ``(A_prev, W, b, Z)``;
- ``grads`` is a dict ``{"dW1": ..., "db1": ..., ..., "dWL": ..., "dbL": ...}``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.checks import (
    CheckFailed,
    call,
    expect,
    expect_close,
    expect_dict,
    expect_scalar,
    expect_shape,
    expect_unchanged,
    passed,
    require_passing,
)

__all__ = [
    "check_initialize_parameters_deep",
    "check_linear_activation_forward",
    "check_L_model_forward",
    "check_compute_cost",
    "check_linear_backward",
    "check_L_model_backward",
    "check_update_parameters",
    "compare_gradients",
    "relative_error",
]


def _copy(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {key: np.array(value, copy=True) for key, value in arrays.items()}


# --------------------------------------------------------------------------- initialization

#: initialize_parameters_deep([4, 3, 2, 1], seed=1)
INIT_DIMS = [4, 3, 2, 1]
INIT_EXPECTED = {
    "W1": [[0.812172681832, -0.305878206825, -0.264085876132, -0.536484311078],
           [0.432703814662, -1.150769348440, 0.872405882108, -0.380603450448],
           [0.159519548029, -0.124685187739, 0.731053968522, -1.030070354749]],
    "b1": [[0.0], [0.0], [0.0]],
    "W2": [[-0.186147659529, -0.221733885051, 0.654582092731],
           [-0.635022519263, -0.099551472045, -0.506831793897]],
    "b2": [[0.0], [0.0]],
    "W3": [[0.029849626562, 0.412112589797]],
    "b3": [[0.0]],
}


def _diagnose_scale(got: np.ndarray, expected: np.ndarray, n_prev: int, n_this: int) -> str:
    """Name the usual scaling mistakes when ``got`` is ``expected`` times a constant."""
    with np.errstate(all="ignore"):
        ratio = got / expected
    if not np.all(np.isfinite(ratio)) or not np.allclose(ratio, ratio.flat[0], rtol=1e-6):
        return ("The numbers are not the standard normal draws divided by sqrt(n[l-1]), in "
                "layer order, that the exercise describes: one generator made once from seed, "
                "then, layer by layer, W[l] drawn whole with shape (n[l], n[l-1]) (rows = this "
                "layer's units) before moving on to the next layer.")
    r = float(ratio.flat[0])
    hints = [
        (0.01 * np.sqrt(n_prev), "you multiplied by 0.01: divide by np.sqrt(n[l-1]) instead."),
        (np.sqrt(2.0), "that is He initialization, sqrt(2 / n[l-1]); this exercise uses "
                       "1 / sqrt(n[l-1]) to reproduce the classic numbers."),
        (np.sqrt(n_prev), "you did not divide by np.sqrt(n[l-1])."),
        (np.sqrt(n_prev / n_this), "you divided by sqrt(n[l]); divide by sqrt(n[l-1]), the "
                                   "number of inputs of the layer."),
        (1.0 / np.sqrt(n_prev), "you divided by n[l-1]; divide by its square root."),
    ]
    for value, hint in hints:
        if np.isclose(r, value, rtol=1e-6):
            return f"They are {r:.4g} times the expected values: {hint}"
    return f"They are {r:.4g} times the expected values: scale by 1 / np.sqrt(n[l-1])."


def check_initialize_parameters_deep(initialize_parameters_deep: Callable) -> None:
    """``initialize_parameters_deep(layer_dims, seed=1)`` -> {"W1", "b1", ...}."""
    name = "initialize_parameters_deep"
    keys = list(INIT_EXPECTED)
    params = call(initialize_parameters_deep, list(INIT_DIMS), name=name)
    expect_dict(params, keys, f"what {name}({INIT_DIMS}) returned")
    extra = sorted(set(params) - set(keys))
    expect(not extra, f"{name}({INIT_DIMS}) returned the extra keys {extra}: a network with "
                      f"layer_dims {INIT_DIMS} has {len(INIT_DIMS) - 1} layers, W1..W3 and b1..b3.")
    for layer in range(1, len(INIT_DIMS)):
        n_prev, n_this = INIT_DIMS[layer - 1], INIT_DIMS[layer]
        W = expect_shape(params[f"W{layer}"], (n_this, n_prev), f"W{layer}")
        expect_shape(params[f"b{layer}"], (n_this, 1), f"b{layer}")
        expect(W.dtype == np.float64, f"W{layer} has dtype {W.dtype}; draw the weights in "
                                      "float64 (cast them later, if you want float32).")
        expect(not np.any(params[f"b{layer}"]),
               f"b{layer} must start at zero, shape (n[l], 1).")
        expected = np.array(INIT_EXPECTED[f"W{layer}"])
        if not np.allclose(W, expected, rtol=1e-6, atol=1e-9):
            raise CheckFailed(f"W{layer} has the right shape but the wrong values. "
                              + _diagnose_scale(W, expected, n_prev, n_this))
    again = call(initialize_parameters_deep, list(INIT_DIMS), name=name)
    expect(np.array_equal(again["W1"], params["W1"]),
           f"Two calls of {name} with the same seed gave different weights: make the generator "
           "from `seed` inside the function, not from NumPy's global state.")
    other = call(initialize_parameters_deep, list(INIT_DIMS), seed=2, name=name)
    expect(not np.allclose(other["W1"], params["W1"]),
           f"{name}(layer_dims, seed=2) gave the same weights as seed=1: use the `seed` argument.")
    passed(name)


# --------------------------------------------------------------------------- forward pass

FWD_A_PREV = [[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25]]
FWD_W = [[0.2, -0.4, 0.1], [-0.3, 0.5, 0.6]]
FWD_B = [[0.3], [0.4]]
FWD_Z = [[0.15, -1.275], [-0.55, 2.65]]
FWD_RELU = [[0.15, 0.0], [0.0, 2.65]]
FWD_SIGMOID = [[0.537429845344, 0.218402536098], [0.365864408989, 0.934010990509]]
FWD_SIGMOID_NO_B = [[0.462570154656, 0.171504769975], [0.278884821977, 0.904650535101]]


def _expect_cache(cache, what: str) -> tuple:
    ok = isinstance(cache, tuple) and len(cache) == 4
    expect(ok, f"{what} must be the tuple (A_prev, W, b, Z); got {type(cache).__name__} "
               f"{cache!r:.60}.")
    return tuple(cache)


def check_linear_activation_forward(linear_activation_forward: Callable) -> None:
    """``linear_activation_forward(A_prev, W, b, activation)`` -> (A, (A_prev, W, b, Z))."""
    name = "linear_activation_forward"
    A_prev, W, b = np.array(FWD_A_PREV), np.array(FWD_W), np.array(FWD_B)
    for activation, expected in (("relu", FWD_RELU), ("sigmoid", FWD_SIGMOID)):
        given = A_prev.copy(), W.copy(), b.copy()
        result = call(linear_activation_forward, *given, activation, name=name)
        expect(isinstance(result, tuple) and len(result) == 2,
               f"{name} must return two things, (A, cache).")
        A, cache = result
        A = expect_shape(A, (2, 2), f"A ({activation})")
        if activation == "sigmoid" and np.allclose(A, FWD_SIGMOID_NO_B, rtol=1e-6):
            raise CheckFailed("A (sigmoid) is sigmoid(W @ A_prev): you forgot to add b.")
        if activation == "relu" and np.allclose(A, FWD_SIGMOID, rtol=1e-6):
            raise CheckFailed("With activation='relu' you applied the sigmoid.")
        if activation == "sigmoid" and np.allclose(A, FWD_RELU, rtol=1e-6):
            raise CheckFailed("With activation='sigmoid' you applied the ReLU.")
        expect_close(A, expected, f"A ({activation})", rtol=1e-6)
        A_c, W_c, b_c, Z = _expect_cache(cache, "cache")
        expect(np.array_equal(A_c, A_prev) and np.array_equal(W_c, W) and np.array_equal(b_c, b),
               "cache must hold (A_prev, W, b, Z) in that order, the inputs unchanged.")
        expect(all(kept is array for kept, array in zip((A_c, W_c, b_c), given, strict=True)),
               "cache must hold the arrays A_prev, W and b you were given, not copies of them: "
               "a cache keeps references to arrays that exist anyway.")
        expect_close(Z, FWD_Z, "Z in the cache", rtol=1e-6)
    try:
        linear_activation_forward(A_prev.copy(), W.copy(), b.copy(), "tanh")
    except ValueError:
        pass
    except Exception as err:  # noqa: BLE001 - any other error is the learner's to fix
        raise CheckFailed(f"{name}(..., activation='tanh') raised {type(err).__name__}: "
                          f"{err}; raise a ValueError for an activation other than 'relu' "
                          "or 'sigmoid'.") from None
    else:
        raise CheckFailed(f"{name}(..., activation='tanh') returned a result: raise a "
                          "ValueError for an activation other than 'relu' or 'sigmoid'.")
    A32, _ = call(linear_activation_forward, A_prev.astype(np.float32), W.astype(np.float32),
                  b.astype(np.float32), "sigmoid", name=name)
    expect(np.asarray(A32).dtype == np.float32,
           f"Given float32 arrays, {name} returned {np.asarray(A32).dtype}: keep the input's "
           "dtype (avoid np.float64 constants such as np.float64(1)).")
    passed(name)


#: a [3, 2, 2, 1] network and 4 examples
NET_X = [[0.5, -1.0, 2.0, 0.0], [1.5, 0.5, -0.5, 1.0], [-1.0, 2.0, 0.5, -0.5]]
NET_PARAMS = {
    "W1": [[0.4, -0.2, 0.3], [-0.5, 0.6, 0.1]], "b1": [[0.1], [0.2]],
    "W2": [[0.7, -0.3], [0.2, 0.8]], "b2": [[-0.1], [0.05]],
    "W3": [[1.2, -0.9]], "b3": [[0.3]],
}
NET_Z = {
    1: [[-0.3, 0.2, 1.15, -0.25], [0.75, 1.2, -1.05, 0.75]],
    2: [[-0.325, -0.32, 0.705, -0.325], [0.65, 1.05, 0.28, 0.65]],
    3: [[-0.285, -0.645, 0.894, -0.285]],
}
NET_AL = [[0.429228388106, 0.344117158792, 0.709714941905, 0.429228388106]]
NET_Y = [[1, 0, 1, 0]]
NET_GRADS = {
    "dW1": [[-0.080308797026, 0.016205881220, -0.054919061584],
            [0.113310533653, 0.045876681061, -0.187990512377]],
    "db1": [[-0.063382306731], [-0.036463308301]],
    "dW2": [[-0.100148345043, 0.0], [0.059625986636, -0.069026213859]],
    "db2": [[-0.087085517429], [0.019735002696]],
    "dW3": [[-0.051162741489, 0.047010026251]],
    "db3": [[-0.021927780773]],
}


def _net_params() -> dict[str, np.ndarray]:
    return {key: np.array(value) for key, value in NET_PARAMS.items()}


def _net_caches() -> list[tuple]:
    params = _net_params()
    A_prev = np.array(NET_X)
    caches = []
    for layer in (1, 2, 3):
        Z = np.array(NET_Z[layer])
        caches.append((A_prev, params[f"W{layer}"], params[f"b{layer}"], Z))
        A_prev = np.maximum(Z, 0)
    return caches


def check_L_model_forward(L_model_forward: Callable) -> None:
    """``L_model_forward(X, parameters)`` -> (AL, caches), caches[l-1] = (A_prev, W, b, Z)."""
    name = "L_model_forward"
    require_passing(L_model_forward, ("linear_activation_forward", check_linear_activation_forward))
    result = call(L_model_forward, np.array(NET_X), _net_params(), name=name)
    expect(isinstance(result, tuple) and len(result) == 2,
           f"{name} must return two things, (AL, caches).")
    AL, caches = result
    expect(isinstance(caches, list), f"caches must be a list, got {type(caches).__name__}.")
    expect(len(caches) == 3, f"caches has {len(caches)} entries for a 3-layer network; "
                             "append one cache per layer, the last layer included.")
    AL = expect_shape(AL, (1, 4), "AL")
    expect(bool(np.all((AL > 0) & (AL < 1))),
           "AL must be probabilities strictly between 0 and 1: apply the sigmoid on the last "
           "layer (and only there).")
    for layer, cache in enumerate(caches, start=1):
        A_prev, W, _, Z = _expect_cache(cache, f"caches[{layer - 1}]")
        expect(np.array_equal(W, NET_PARAMS[f"W{layer}"]),
               f"caches[{layer - 1}] should belong to layer {layer} (its W is W{layer}); keep "
               "the caches in layer order.")
        expect_close(Z, NET_Z[layer], f"Z of layer {layer}", rtol=1e-6)
        if layer > 1:
            prev_Z = np.asarray(caches[layer - 2][3])
            expect(np.allclose(A_prev, np.maximum(prev_Z, 0)),
                   f"The input of layer {layer} should be relu(Z{layer - 1}): hidden layers "
                   "use ReLU.")
    expect_close(AL, NET_AL, "AL", rtol=1e-6)
    passed(name)


# --------------------------------------------------------------------------- cost

def check_compute_cost(compute_cost: Callable) -> None:
    """``compute_cost(ZL, Y)`` -> the cross-entropy cost from the logits, a float."""
    from helpers.checks import hint_on_failure

    name = "compute_cost"
    ZL, Y = np.array(COST_ZL), np.array(COST_LABELS)  # passed in, then compared with the lists
    cost = call(compute_cost, ZL, Y, name=name)
    expect(isinstance(cost, float),
           f"{name} returned {type(cost).__name__} {cost!r:.40}: return the cost as a Python "
           "float (float(...)).")
    expect(np.isfinite(cost), f"{name} returned {cost}, expected a finite number.")
    if np.isclose(cost, -COST_FROM_Z):
        raise CheckFailed(f"{name} returned {cost:.6f}: the cost is the *negative* mean "
                          "log-likelihood, so it is never negative. Check the minus sign.")
    if np.isclose(cost, COST_ONLY_CATS):
        raise CheckFailed(f"{name} returned {cost:.6f}: only the cats' term is there; add the "
                          "loss of the non-cats, -log(1 - sigmoid(z)) = log(1 + e^z).")
    if np.isclose(cost, COST_TERMS_SWAPPED):
        raise CheckFailed(f"{name} returned {cost:.6f}: the two terms are swapped. For y = 1 "
                          "the loss is -log(sigmoid(z)) = log(1 + e^(-z)); for y = 0 it is "
                          "log(1 + e^z).")
    if np.isclose(cost, COST_FROM_Z * ZL.shape[1]):
        raise CheckFailed(f"{name} returned {cost:.6f}, m = {ZL.shape[1]} times too much: "
                          "divide the sum by m (the cost is a mean).")
    expect(np.isclose(cost, COST_FROM_Z, rtol=1e-6),
           f"{name}(ZL, Y) returned {cost:.6f} for ZL = {COST_ZL} and Y = {COST_LABELS}, "
           f"expected {COST_FROM_Z:.6f}. ZL holds the logits z, not probabilities: the loss "
           "of one example is -[y log(sigmoid(z)) + (1 - y) log(1 - sigmoid(z))].")
    expect(np.array_equal(ZL, COST_ZL) and np.array_equal(Y, COST_LABELS),
           f"{name} changed the arrays passed to it: compute new ones instead.")
    with hint_on_failure(
            f"On ZL = {COST_EXTREME_ZL}, sigmoid(z) rounds to exactly 1 or 0, so log(A) or "
            "log(1 - A) is log(0). Write each log in terms of z itself: "
            "-log(sigmoid(z)) = log(1 + e^(-z)) and -log(1 - sigmoid(z)) = log(1 + e^z).",
            only_if="not numerically safe"):
        extreme = call(compute_cost, np.array(COST_EXTREME_ZL), np.array(COST_EXTREME_LABELS),
                       name=name)
    extreme = expect_scalar(extreme, f"{name}(ZL, Y) for ZL = {COST_EXTREME_ZL}")
    expect(np.isclose(extreme, COST_EXTREME, rtol=1e-9),
           f"{name}(ZL, Y) returned {extreme:.6g} for ZL = {COST_EXTREME_ZL} and "
           f"Y = {COST_EXTREME_LABELS}, expected {COST_EXTREME:g}: two examples are wrong with "
           "|z| = 1000 and each of their losses is exactly 1000. Clipping A into [eps, 1 - eps] "
           "caps a loss at -log(eps); compute each loss from z instead.")
    cost32 = call(compute_cost, ZL.astype(np.float32), Y.astype(np.float32), name=name)
    expect(np.isclose(float(cost32), COST_FROM_Z, rtol=1e-5),
           f"With float32 inputs {name} returned {float(cost32):.6f}, expected "
           f"{COST_FROM_Z:.6f}.")
    passed(name)


# --------------------------------------------------------------------------- backward pass

LB_DZ = [[0.3, -0.6, 0.9, 0.2], [-0.4, 0.1, 0.5, -0.8]]
LB_A_PREV = [[1.0, 0.5, -1.0, 2.0], [0.0, -1.5, 0.5, 1.0], [2.0, 1.0, 0.0, -0.5]]
LB_W = [[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]]
LB_B = [[0.0], [0.1]]
LB_DA_PREV = [[0.05, -0.17, 0.32, -0.02], [-0.22, 0.16, 0.02, -0.36], [0.39, -0.36, 0.15, 0.58]]
LB_DW = [[-0.125, 0.3875, -0.025], [-0.6125, -0.175, -0.075]]
LB_DB = [[0.2], [-0.15]]


def check_linear_backward(linear_backward: Callable) -> None:
    """``linear_backward(dZ, cache, compute_dA_prev=True)`` -> (dA_prev, dW, db)."""
    name = "linear_backward"
    A_prev, W, b = np.array(LB_A_PREV), np.array(LB_W), np.array(LB_B)
    cache = (A_prev, W, b, W @ A_prev + b)
    result = call(linear_backward, np.array(LB_DZ), cache, name=name)
    expect(isinstance(result, tuple) and len(result) == 3,
           f"{name} must return three things, (dA_prev, dW, db).")
    dA_prev, dW, db = result
    dW = expect_shape(dW, (2, 3), "dW (it has the shape of W)")
    if np.allclose(dW, np.array(LB_DW) * 4):
        raise CheckFailed("dW is m = 4 times too big: average over the examples (divide by m).")
    expect_close(dW, LB_DW, "dW")
    if np.shape(db) == (2,):
        raise CheckFailed("db has shape (2,), expected (2, 1): sum with keepdims=True.")
    db = expect_shape(db, (2, 1), "db (it has the shape of b)")
    if np.allclose(db, np.array(LB_DB) * 4):
        raise CheckFailed("db is m = 4 times too big: average over the examples (divide by m).")
    expect_close(db, LB_DB, "db")
    expect(dA_prev is not None, "dA_prev is None although compute_dA_prev is True.")
    expect_shape(dA_prev, (3, 4), "dA_prev (it has the shape of A_prev; did you use W.T?)")
    if np.allclose(dA_prev, np.array(LB_DA_PREV) / 4):
        raise CheckFailed("dA_prev is W.T @ dZ, without 1/m: dZ is already per example.")
    expect_close(dA_prev, LB_DA_PREV, "dA_prev")
    skipped = call(linear_backward, np.array(LB_DZ), cache, compute_dA_prev=False, name=name)
    expect(isinstance(skipped, tuple) and len(skipped) == 3,
           f"{name}(..., compute_dA_prev=False) must still return (None, dW, db).")
    expect(skipped[0] is None,
           "With compute_dA_prev=False, dA_prev must be None (that is the work we want to skip).")
    expect_close(skipped[1], LB_DW, "dW (with compute_dA_prev=False)")
    passed(name)


def check_L_model_backward(L_model_backward: Callable) -> None:
    """``L_model_backward(AL, Y, caches)`` -> {"dW1", "db1", ..., "dWL", "dbL"}."""
    name = "L_model_backward"
    require_passing(L_model_backward, ("linear_backward", check_linear_backward))
    keys = list(NET_GRADS)
    grads = call(L_model_backward, np.array(NET_AL), np.array(NET_Y), _net_caches(), name=name)
    expect_dict(grads, keys, "grads")
    expect("dA0" not in grads,
           "grads has 'dA0', the gradient with respect to the input images. Nothing uses it "
           "and it is the most expensive product of all: skip it (compute_dA_prev=False).")
    for layer in (3, 2, 1):
        for kind in ("dW", "db"):
            key = f"{kind}{layer}"
            expected = np.array(NET_GRADS[key])
            got = expect_shape(grads[key], expected.shape, key)
            if np.allclose(got, -expected) and np.any(expected):
                raise CheckFailed(f"{key} has the wrong sign. At the output, dZ = AL - Y.")
            expect_close(got, expected, key, rtol=1e-6, atol=1e-9)
    passed(name)


# --------------------------------------------------------------------------- update

UPD_PARAMS = {
    "W1": [[0.5, -0.2], [0.1, 0.3], [-0.4, 0.6]], "b1": [[0.1], [0.0], [-0.1]],
    "W2": [[0.7, -0.5, 0.2]], "b2": [[0.05]],
}
UPD_GRADS = {
    "dW1": [[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]], "db1": [[0.01], [-0.02], [0.03]],
    "dW2": [[-0.2, 0.1, 0.3]], "db2": [[0.4]],
}
UPD_RATE = 0.5
UPD_EXPECTED = {
    "W1": [[0.45, -0.3], [0.25, 0.1], [-0.65, 0.9]], "b1": [[0.095], [0.01], [-0.115]],
    "W2": [[0.8, -0.55, 0.05]], "b2": [[-0.15]],
}


def check_update_parameters(update_parameters: Callable) -> None:
    """``update_parameters(parameters, grads, learning_rate)`` -> a new dict of new arrays."""
    name = "update_parameters"
    start = {key: np.array(value) for key, value in UPD_PARAMS.items()}
    grads = {key: np.array(value) for key, value in UPD_GRADS.items()}
    given = _copy(start)
    result = call(update_parameters, given, _copy(grads), UPD_RATE, name=name)
    expect_unchanged(start, given, "parameters", name)
    expect_dict(result, list(UPD_EXPECTED), f"what {name} returned")
    for key, expected in UPD_EXPECTED.items():
        got = expect_shape(result[key], np.shape(expected), key)
        if np.allclose(got, start[key]):
            raise CheckFailed(f"{key} did not change: update every layer, 1 to L, W and b.")
        uphill = start[key] + UPD_RATE * grads["d" + key]
        if np.allclose(got, uphill):
            raise CheckFailed(f"{key} moved uphill: subtract learning_rate * d{key}.")
        expect_close(got, expected, key)
    start32 = {key: value.astype(np.float32) for key, value in start.items()}
    grads32 = {key: value.astype(np.float32) for key, value in grads.items()}
    result32 = call(update_parameters, start32, grads32, UPD_RATE, name=name)
    dtypes = {key: str(np.asarray(value).dtype) for key, value in result32.items()}
    expect(all(dtype == "float32" for dtype in dtypes.values()),
           f"Given float32 parameters, {name} returned {dtypes}: keep each array's dtype.")
    passed(name)


# ------------------------------------------------------------- inputs of check_compute_cost

#: compute_cost(ZL, Y) from the logits: the mean of y log(1 + e^-z) + (1 - y) log(1 + e^z)
COST_ZL = [[2.0, -1.5, 0.4, -0.8, 3.0]]
COST_LABELS = [[1, 0, 1, 1, 0]]
COST_FROM_Z = 1.012208911789
COST_ONLY_CATS = 0.362208785878  # the y = 1 term alone
COST_TERMS_SWAPPED = 1.032208911789  # log(1 + e^z) for the cats, log(1 + e^-z) for the others
#: two confident right answers and two confident mistakes, each mistake costing exactly 1000
COST_EXTREME_ZL = [[1000.0, -1000.0, 1000.0, -1000.0]]
COST_EXTREME_LABELS = [[1, 0, 0, 1]]
COST_EXTREME = 500.0


# --------------------------------------------------------------------------- gradient checking


def relative_error(derived: np.ndarray, numerical: np.ndarray) -> float:
    """Notebook 1's relative error ||d - n|| / (||d|| + ||n||); 0 when both are zero."""
    derived, numerical = np.asarray(derived, dtype=float), np.asarray(numerical, dtype=float)
    scale = np.linalg.norm(derived) + np.linalg.norm(numerical)
    return float(np.linalg.norm(derived - numerical) / scale) if scale else 0.0


def compare_gradients(numerical: dict[str, np.ndarray], L_model_backward: Callable, AL, Y,
                      caches, tolerance: float = 1e-7) -> None:
    """Print, per gradient, whether ``L_model_backward(AL, Y, caches)`` agrees with ``numerical``.

    Args:
        numerical: {"dW1": ..., "db1": ...}, two-sided differences of the cost, each of its
            parameter's shape.
        L_model_backward: the learner's backward pass; AL, Y, caches: its arguments.
        tolerance: the largest relative error (notebook 1's) that counts as agreement.

    Prints one line per gradient. A crash of ``L_model_backward``, a missing gradient, a wrong
    shape or a relative error above ``tolerance`` is printed as one short line marked ✘ that
    names the gradient; nothing is raised.
    """
    try:
        with np.errstate(all="ignore"):
            grads = L_model_backward(AL, Y, caches)
    except Exception as err:  # the learner's code: any error is reported, not raised
        first_line = (str(err).strip().splitlines() or [""])[0]
        print(f"✘ {getattr(L_model_backward, '__name__', 'L_model_backward')} raised "
              f"{type(err).__name__}: {first_line}\n  A shape error there usually means a wrong "
              "layer index: layer l's cache is caches[l - 1].")
        return
    if not isinstance(grads, dict):
        print(f"✘ L_model_backward returned {type(grads).__name__}, not a dict of gradients.")
        return
    limit = f"{tolerance:g}".replace("e-0", "e-")  # 1e-7, as notebook 1 writes it
    for key, expected in numerical.items():
        expected = np.asarray(expected)
        if key not in grads:
            print(f"{key}: ✘ missing from the gradients L_model_backward returned "
                  f"(it has {sorted(map(str, grads))}).")
            continue
        got = np.asarray(grads[key])
        if got.shape != expected.shape:
            print(f"{key}: ✘ shape {got.shape}, but {key[1:]} has shape {expected.shape}: a "
                  "wrong layer index or a missing transpose.")
            continue
        if not np.all(np.isfinite(got)):
            print(f"{key}: ✘ contains NaN or infinity.")
            continue
        error = relative_error(got, expected)
        if error < tolerance:
            print(f"{key}: relative error below {limit}: True")
        else:
            print(f"{key}: ✘ relative error {error:.2g}, above {limit}: this gradient "
                  "disagrees with the numerical one.")
