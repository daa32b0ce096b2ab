"""Hidden probes: each graded function called on inputs the learner has never seen.

One :func:`probe` per exercise, keyed by the check cell's grade id; how to write one:
CONTRIBUTING.md, "Probes".
"""

from __future__ import annotations

import json
import os
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: Largest probe-output file the grader reads back (bytes, uncompressed).
MAX_OUTPUT_BYTES = 20_000_000
#: The output key listing the NumPy floating-point errors (overflow, divide by zero, invalid)
#: raised while the probe ran: the checks fail any, so the probes compare them to the
#: reference's (none). The values of the probes' large inputs decide it too, where they can.
FP_ERRORS = "NumPy floating-point errors"


@dataclass(frozen=True)
class Probe:
    function: str  # the name the notebook defines
    run: Callable[[Callable, np.random.Generator], Any]
    rtol: float
    atol: float


PROBES: dict[str, Probe] = {}


def probe(grade_id: str, function: str, *, rtol: float = 1e-6, atol: float = 1e-9):
    """Register ``run(function, rng) -> outputs`` as the probe of the exercise ``grade_id``."""
    def register(run):
        PROBES[grade_id] = Probe(function, run, rtol, atol)
        return run
    return register


def rng_for(seed: int, grade_id: str) -> np.random.Generator:
    """The probe's generator: one stream per exercise, so adding a probe moves no other."""
    return np.random.default_rng([seed, zlib.crc32(grade_id.encode())])


# ------------------------------------------------------------------------- notebook 1


def _column(rng, n, scale=1.0):
    return rng.normal(0, scale, size=(n, 1))


def _listed(costs):
    """An array of costs as the list it holds (flattened, a list and an array have different
    keys): ``check_model`` accepts either. ``check_optimize`` asks for a list, and its probe
    records that apart."""
    return list(costs) if isinstance(costs, np.ndarray) and costs.ndim else costs


def _logistic_data(rng, n, m):
    X = rng.normal(size=(n, m))
    Y = (rng.normal(size=(1, m)) + X[:1] > 0).astype(np.float64)
    return X, Y


@probe("check_perceptron_predict", "perceptron_predict")
def _(perceptron_predict, rng):
    n, m = int(rng.integers(2, 6)), 9
    w, X, b = _column(rng, n), rng.normal(size=(n, m)), float(rng.normal())
    return {"labels": perceptron_predict(w, b, X), "w after the call": w}


@probe("check_perceptron_update", "perceptron_update")
def _(perceptron_update, rng):
    n = int(rng.integers(2, 6))
    w, b, results = _column(rng, n), float(rng.normal()), []
    for y in (0, 1, 1, 0):
        x, learning_rate = _column(rng, n, 2.0), float(rng.uniform(0.1, 1.0))
        results.append(perceptron_update(w, b, x, y, learning_rate))
        results.append(x)  # x after the call
    return {"updates": results, "w after the calls": w}


@probe("check_sigmoid_derivative", "sigmoid_derivative")
def _(sigmoid_derivative, rng):
    z = np.concatenate([rng.normal(0, 4, size=6), [-30.0, 0.0, 30.0]]).reshape(3, 3)
    return {"array": sigmoid_derivative(z), "number": sigmoid_derivative(float(z[0, 0])),
            "z after the call": z}


@probe("check_flatten_images", "flatten_images")
def _(flatten_images, rng):
    m, height, width = (int(k) for k in rng.integers(2, 6, size=3))
    images = rng.integers(0, 256, size=(m, height, width, 3), dtype=np.uint8)
    matrix = flatten_images(images)
    # The check accepts any float dtype (float32 is common for images), so the probe does too.
    if getattr(matrix, "dtype", None) == np.float32:
        matrix = np.asarray(matrix, dtype=np.float64)
    return {"matrix": matrix, "images after the call": images}


@probe("check_gradient_descent", "gradient_descent")
def _(gradient_descent, rng):
    centre, curvature = float(rng.normal(0, 3)), float(rng.uniform(0.5, 2.0))
    number = gradient_descent(lambda v: curvature * (v - centre), float(rng.normal(0, 3)),
                              float(rng.uniform(0.1, 0.9)) / curvature, int(rng.integers(3, 9)))
    n = int(rng.integers(2, 5))
    A, c, w = rng.normal(size=(n, n)), rng.normal(size=n), rng.normal(size=n)
    Q = A @ A.T / n + np.eye(n)  # J(w) = w Q w / 2 - c w, a bowl
    vector = gradient_descent(lambda v: Q @ v - c, w, 0.5 / float(np.linalg.eigvalsh(Q)[-1]),
                              int(rng.integers(3, 9)))
    return {"number": number, "vector": vector, "w after the call": w}


@probe("check_logistic_gradients", "logistic_gradients")
def _(logistic_gradients, rng):
    n, m = int(rng.integers(2, 6)), int(rng.integers(5, 12))
    X, Y = _logistic_data(rng, n, m)
    w, b = _column(rng, n, 0.5), float(rng.normal())
    return {"gradients": logistic_gradients(w, b, X, Y), "w after the call": w,
            "X after the call": X, "Y after the call": Y}


@probe("check_numerical_gradient", "numerical_gradient", rtol=1e-5, atol=1e-6)
def _(numerical_gradient, rng):
    n = int(rng.integers(3, 7))
    A, theta = rng.normal(size=(4, n)), rng.normal(size=n)

    def f(t):
        return float(np.sum(np.sin(A @ t)) + 0.5 * t @ t)

    return {"default epsilon": numerical_gradient(f, theta),
            "epsilon 1e-5": numerical_gradient(f, theta, epsilon=1e-5),
            "theta after the call": theta}


# ------------------------------------------------------------------------- notebook 2


@probe("check_sigmoid", "sigmoid", rtol=1e-5, atol=1e-7)
def _(sigmoid, rng):
    z = np.concatenate([rng.normal(0, 5, size=9), [-1000.0, 0.0, 1000.0]]).reshape(3, 4)
    # Where exp(-z) overflows but sigmoid(z) = exp(z) is still a (subnormal) float64: the
    # naive 1 / (1 + exp(-z)) gives 0 there, a safe sigmoid exp(z).
    far_left = -rng.uniform(712, 730, size=4)
    return {"float64": sigmoid(z), "float32": sigmoid(z.astype(np.float32)),
            "z after the call": z, "far left / exp(z)": sigmoid(far_left) / np.exp(far_left)}


@probe("check_initialize_with_zeros", "initialize_with_zeros")
def _(initialize_with_zeros, rng):
    dim = int(rng.integers(2, 40))
    return {"float64": initialize_with_zeros(dim),
            "float32": initialize_with_zeros(dim + 1, dtype=np.float32)}


@probe("check_propagate", "propagate")
def _(propagate, rng):
    n, m = int(rng.integers(2, 6)), int(rng.integers(5, 12))
    X, Y = _logistic_data(rng, n, m)
    w, b = _column(rng, n, 0.5), float(rng.normal())
    grads, cost = propagate(w, b, X, Y)
    # |z| of 600 to 1000: log(A) of a naive cost is log(0) = -inf; clipping A gives a wrong cost.
    m_far = int(rng.integers(4, 9))
    sign = rng.choice([-1.0, 1.0], size=(1, m_far))
    X_far = rng.uniform(600, 1000, size=(1, m_far)) * sign
    wrong = np.arange(m_far) % 2 == 0  # half the examples wrong with total confidence
    Y_far = np.where(wrong, sign < 0, sign > 0).astype(np.float64)
    far_grads, far_cost = propagate(np.ones((1, 1)), 0.0, X_far, Y_far)
    float32 = propagate(w.astype(np.float32), np.float32(b), X.astype(np.float32),
                        Y.astype(np.float32))  # dw must stay float32
    return {"grads": grads, "cost": cost, "w after the call": w, "X after the call": X,
            "Y after the call": Y, "large |z|": {"grads": far_grads, "cost": far_cost},
            "float32 grads": float32[0]}


@probe("check_optimize", "optimize")
def _(optimize, rng):
    n, m = int(rng.integers(2, 6)), int(rng.integers(8, 20))
    X, Y = _logistic_data(rng, n, m)
    w, b = _column(rng, n, 0.1), float(rng.normal(0, 0.1))
    iterations, learning_rate = int(rng.integers(150, 260)), float(rng.uniform(0.01, 0.1))
    params, grads, costs = optimize(w, b, X, Y, iterations, learning_rate)
    return {"params": params, "grads": grads, "costs": _listed(costs),
            "costs is a list": str(isinstance(costs, list)), "w after the call": w,
            "X after the call": X, "Y after the call": Y}


@probe("check_predict", "predict")
def _(predict, rng):
    n, m = int(rng.integers(2, 6)), 11
    w, b, X = _column(rng, n), float(rng.normal()), rng.normal(size=(n, m))
    far = rng.uniform(600, 1000, size=(1, 6)) * np.array([[1, -1, 1, -1, -1, 1]])
    return {"labels": predict(w, b, X), "w after the call": w, "X after the call": X,
            "labels at |z| of 600 to 1000": predict(np.ones((1, 1)), 0.0, far)}


@probe("check_model", "model")
def _(model, rng):
    n = int(rng.integers(2, 5))
    X_train, Y_train = _logistic_data(rng, n, 30)
    X_test, Y_test = _logistic_data(rng, n, 10)
    d = model(X_train, Y_train, X_test, Y_test, num_iterations=int(rng.integers(100, 220)),
              learning_rate=float(rng.uniform(0.02, 0.2)))
    if isinstance(d, dict) and "costs" in d:
        d = {**d, "costs": _listed(d["costs"])}
    return {"model": d}


@probe("check_choose_learning_rate", "choose_learning_rate")
def _(choose_learning_rate, rng):
    def noisy_data(n, m):  # label noise, so that accuracy and cost often rank rates apart
        X = rng.normal(size=(n, m))
        return X, (2 * rng.normal(size=(1, m)) + X[:1] > 0).astype(np.float64)

    choices, lists = [], []
    for _ in range(5):  # five problems: a wrong rule seldom picks the right rate in all five
        n = int(rng.integers(2, 5))
        (X_train, Y_train), (X_val, Y_val) = noisy_data(n, 24), noisy_data(n, 12)
        rates = [float(rate) for rate in 10.0 ** rng.uniform(-2, 1.5, size=5)]  # in no order
        choices.append(choose_learning_rate(X_train, Y_train, X_val, Y_val, rates,
                                            int(rng.integers(50, 150))))
        lists.append(rates)
    return {"choices": choices, "learning_rates after the calls": lists}


# ------------------------------------------------------------------------- notebook 3


def _network_values(rng, n_x, n_h, n_y):
    shapes = {"W1": (n_h, n_x), "b1": (n_h, 1), "W2": (n_y, n_h), "b2": (n_y, 1)}
    return {key: rng.normal(0, 0.5, size=shape) for key, shape in shapes.items()}


def _tf_parameters(rng, n_x, n_h, n_y):
    import tensorflow as tf

    return {key: tf.Variable(value) for key, value in _network_values(rng, n_x, n_h, n_y).items()}


@probe("check_propagate_tf", "propagate_tf")
def _(propagate_tf, rng):
    import tensorflow as tf

    n, m = int(rng.integers(2, 6)), int(rng.integers(5, 12))
    X, Y = _logistic_data(rng, n, m)
    w, b = tf.Variable(_column(rng, n, 0.5)), tf.Variable(float(rng.normal()), dtype=tf.float64)
    grads, cost = propagate_tf(w, b, tf.constant(X), tf.constant(Y))
    return {"grads": grads, "cost": cost, "w after the call": w}


@probe("check_initialize_parameters", "initialize_parameters")
def _(initialize_parameters, rng):
    n_x, n_h, n_y = (int(k) for k in rng.integers(1, 7, size=3))
    return {"parameters": initialize_parameters(n_x, n_h, n_y, seed=int(rng.integers(1000)))}


@probe("check_forward_propagation", "forward_propagation")
def _(forward_propagation, rng):
    import tensorflow as tf

    n_x, n_h, m = int(rng.integers(2, 5)), int(rng.integers(2, 6)), 7
    parameters, X = _tf_parameters(rng, n_x, n_h, 1), tf.constant(rng.normal(size=(n_x, m)))
    return {"tanh": forward_propagation(X, parameters),
            "relu": forward_propagation(X, parameters, activation=tf.nn.relu),
            "parameters after the calls": parameters}


@probe("check_compute_cost", "compute_cost")
def _(compute_cost, rng):
    # One grade id, two notebooks, both computing the cost from the logits: notebook 3's Z2
    # (tensors or arrays), notebook 4's ZL (arrays). Both notebooks' checks try z = +-1000.
    m = int(rng.integers(5, 15))
    values = rng.uniform(0.05, 0.95, size=(1, m))
    Y = (rng.random((1, m)) > 0.5).astype(np.float64)
    return {"cost": compute_cost(values, Y), "values after the call": values}


@probe("check_train_step", "train_step")
def _(train_step, rng):
    import tensorflow as tf

    n_x, n_h, m = int(rng.integers(2, 5)), int(rng.integers(2, 6)), 9
    parameters = _tf_parameters(rng, n_x, n_h, 1)
    X, Y = _logistic_data(rng, n_x, m)
    cost = train_step(tf.constant(X), tf.constant(Y), parameters, float(rng.uniform(0.1, 1)))
    # Variables are updated in place on purpose (the notebook's one exception to the rule).
    return {"cost": cost, "parameters after the step": parameters}


def _with_fixed_start(nn_model, start, *args, **kwargs):
    """nn_model(*args, **kwargs) with the ``initialize_parameters`` it calls replaced by one
    that returns fresh variables holding ``start`` (as the check does), so that the result
    does not depend on the learner's random initialisation. Returns (result, the arguments of
    each call); the learner's function is put back afterwards."""
    import tensorflow as tf

    function = getattr(nn_model, "python_function", nn_model)  # a tf.function: its Python code
    namespace = getattr(function, "__globals__", {})
    if "initialize_parameters" not in namespace:
        raise NameError("initialize_parameters is not defined where nn_model is")
    original, calls = namespace["initialize_parameters"], []

    def initialize_parameters(n_x, n_h, n_y, seed=1):
        calls.append([n_x, n_h, n_y, seed])
        return {key: tf.Variable(value, name=key) for key, value in start.items()}

    namespace["initialize_parameters"] = initialize_parameters
    try:
        return nn_model(*args, **kwargs), calls
    finally:
        namespace["initialize_parameters"] = original


@probe("check_nn_model", "nn_model", atol=1e-8)
def _(nn_model, rng):
    import tensorflow as tf

    n_x, n_h, m = int(rng.integers(2, 4)), int(rng.integers(2, 5)), 12
    X, Y = _logistic_data(rng, n_x, m)
    outputs = {}
    for name, activation in [("default activation", None), ("relu", tf.nn.relu)]:
        start = _network_values(rng, n_x, n_h, 1)
        settings = {"num_iterations": int(rng.integers(101, 220)),
                    "learning_rate": float(rng.uniform(0.1, 1.0)), "seed": int(rng.integers(1000))}
        if activation is not None:
            settings["activation"] = activation
        (parameters, costs), calls = _with_fixed_start(nn_model, start, X, Y, n_h, **settings)
        outputs[name] = {"parameters": parameters, "costs": costs,  # a list, as its check demands
                         "initialize_parameters calls": calls}  # [n_x, n_h, n_y, seed] each
    return {**outputs, "X after the calls": X, "Y after the calls": Y}


@probe("check_predict_nn", "predict")
def _(predict, rng):
    import tensorflow as tf

    n_x, n_h, m = int(rng.integers(2, 5)), int(rng.integers(2, 6)), 16
    parameters, X = _tf_parameters(rng, n_x, n_h, 1), rng.normal(0, 2, size=(n_x, m))
    return {"tanh": predict(parameters, X),
            "relu": predict(parameters, X, activation=tf.nn.relu),
            "X after the calls": X}


# ------------------------------------------------------------------------- notebook 4


def _deep_parameters(rng, dims):
    parameters = {}
    for layer in range(1, len(dims)):
        parameters[f"W{layer}"] = rng.normal(0, 0.7, size=(dims[layer], dims[layer - 1]))
        parameters[f"b{layer}"] = rng.normal(0, 0.3, size=(dims[layer], 1))
    return parameters


def _deep_dims(rng):
    return [int(rng.integers(2, 6)) for _ in range(int(rng.integers(2, 4)))] + [1]


@probe("check_initialize_parameters_deep", "initialize_parameters_deep")
def _(initialize_parameters_deep, rng):
    dims = [int(rng.integers(2, 30))] + _deep_dims(rng)
    return {"parameters": initialize_parameters_deep(dims, seed=int(rng.integers(1000))),
            "layer_dims after the call": dims}


@probe("check_linear_activation_forward", "linear_activation_forward")
def _(linear_activation_forward, rng):
    n_prev, n, m = int(rng.integers(2, 6)), int(rng.integers(2, 6)), 7
    A_prev, W, b = rng.normal(size=(n_prev, m)), rng.normal(size=(n, n_prev)), _column(rng, n)
    return {"relu": linear_activation_forward(A_prev, W, b, "relu"),
            "sigmoid": linear_activation_forward(A_prev, W, b, "sigmoid"),
            "A_prev after the calls": A_prev}


@probe("check_L_model_forward", "L_model_forward")
def _(L_model_forward, rng):
    dims = _deep_dims(rng)
    parameters, X = _deep_parameters(rng, dims), rng.normal(size=(dims[0], 8))
    return {"forward": L_model_forward(X, parameters), "X after the call": X}


@probe("check_linear_backward", "linear_backward")
def _(linear_backward, rng):
    n_prev, n, m = int(rng.integers(2, 6)), int(rng.integers(2, 6)), 7
    cache = (rng.normal(size=(n_prev, m)), rng.normal(size=(n, n_prev)), _column(rng, n),
             rng.normal(size=(n, m)))
    dZ = rng.normal(size=(n, m))
    return {"with dA_prev": linear_backward(dZ, cache),
            "without dA_prev": linear_backward(dZ, cache, compute_dA_prev=False),
            "dZ after the calls": dZ}


@probe("check_L_model_backward", "L_model_backward")
def _(L_model_backward, rng):
    dims, m = _deep_dims(rng), 8
    parameters = _deep_parameters(rng, dims)
    A, caches, L = rng.normal(size=(dims[0], m)), [], len(dims) - 1
    for layer in range(1, L + 1):
        W, b = parameters[f"W{layer}"], parameters[f"b{layer}"]
        Z = W @ A + b
        caches.append((A, W, b, Z))
        A = np.maximum(Z, 0) if layer < L else 1 / (1 + np.exp(-Z))
    Y = (rng.random((1, m)) > 0.5).astype(np.float64)
    return {"grads": L_model_backward(A, Y, caches)}


@probe("check_update_parameters", "update_parameters")
def _(update_parameters, rng):
    dims = _deep_dims(rng)
    parameters = _deep_parameters(rng, dims)
    grads = {"d" + key: value for key, value in _deep_parameters(rng, dims).items()}
    returned = update_parameters(parameters, grads, float(rng.uniform(0.01, 0.5)))
    return {"returned": returned, "parameters after the call": parameters,
            "grads after the call": grads}


# ----------------------------------------------------------------- running and comparing


def flatten(value: Any, key: str = "") -> dict[str, np.ndarray]:
    """Nested dicts / lists / tuples of arrays, tensors and numbers as {path: array}."""
    if isinstance(value, dict):
        flat = {}  # extra keys are allowed; each expected one is compared
        for name, item in value.items():
            flat.update(flatten(item, f"{key}.{name}" if key else str(name)))
        return flat
    if isinstance(value, list | tuple):
        flat = {f"{key} (length)": np.array(len(value))}
        for index, item in enumerate(value):
            flat.update(flatten(item, f"{key}[{index}]"))
        return flat
    if value is None:
        return {key: np.array("None")}
    if callable(getattr(value, "numpy", None)):  # a TensorFlow tensor or variable
        value = value.numpy()
    array = np.asarray(value)
    if array.dtype.kind not in "biufUS":
        raise TypeError(f"{key or 'the result'} is a {type(value).__name__}, not numbers")
    return {key: array}


def record(namespace: dict, grade_id: str, seed: int, out_dir: str | Path) -> None:
    """Run the probe of ``grade_id`` on ``namespace[function]``; save ``<grade_id>.npz``."""
    path = Path(out_dir) / f"{grade_id}.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    spec = PROBES[grade_id]
    try:
        function = namespace.get(spec.function)
        if not callable(function):
            arrays = {"__error__": np.array(f"the notebook defines no function named "
                                            f"{spec.function}")}
        else:
            errors: set[str] = set()
            with warnings.catch_warnings(), np.errstate(
                    over="call", divide="call", invalid="call", under="ignore",
                    call=lambda kind, flag: errors.add(kind)):
                warnings.simplefilter("ignore")
                flat = flatten(spec.run(function, rng_for(seed, grade_id)))
            flat[FP_ERRORS] = np.array(", ".join(sorted(errors)) or "none")
            keys = list(flat)
            arrays = {"__keys__": np.array(json.dumps(keys)),
                      **{f"a{index}": flat[key] for index, key in enumerate(keys)}}
    except NotImplementedError:
        arrays = {"__error__": np.array(f"{spec.function} is not implemented yet")}
    except Exception as err:
        text = f"{spec.function} raised {type(err).__name__}: {err}"[:500]
        arrays = {"__error__": np.array(text)}
    # Written whole, then renamed: a reader never sees half a file.
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as file:
        np.savez(file, **arrays)
    os.replace(partial, path)


def load(path: str | Path) -> dict[str, np.ndarray] | str:
    """What :func:`record` saved: {path: array}, or the error text. Untrusted files welcome."""
    path = Path(path)
    if not path.is_file():
        return ("the probe produced no result (the kernel stopped before it, or it ran out of "
                "time)")
    try:
        with zipfile.ZipFile(path) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_OUTPUT_BYTES:
                return "the probe's output is too large to compare"
        with np.load(path, allow_pickle=False) as data:
            if "__error__" in data:
                return str(data["__error__"])
            keys = json.loads(str(data["__keys__"]))
            return {str(key): data[f"a{index}"] for index, key in enumerate(keys)}
    except Exception as err:
        return f"the probe's result is unreadable ({type(err).__name__})"


def compare(expected: dict[str, np.ndarray], got: dict[str, np.ndarray], spec: Probe) -> str:
    """'' if ``got`` matches ``expected``, else what differs first (in plain words)."""
    if FP_ERRORS in expected and str(got.get(FP_ERRORS)) != str(expected[FP_ERRORS]):
        return (f"{spec.function} is not numerically safe: NumPy reported "
                f"{_short(got.get(FP_ERRORS, 'nothing'))} on the hidden inputs (overflow, log(0) "
                f"or 0/0), expected {_short(expected[FP_ERRORS])}")
    for key, want in expected.items():
        what = f"{spec.function}: '{key}'" if key else f"{spec.function}'s result"
        if key not in got:
            return f"{what} is missing"
        have = got[key]
        if key.endswith(" (length)") or want.dtype.kind in "US":
            if have.dtype.kind != want.dtype.kind or str(have) != str(want):
                return f"{what} is {_short(have)}, expected {_short(want)}"
            continue
        if have.dtype.kind not in "biuf":
            return f"{what} is not a number or an array of numbers"
        if have.shape != want.shape and not (have.size == want.size == 1 and
                                             min(have.ndim, want.ndim) == 0):
            return f"{what} has shape {have.shape}, expected {want.shape}"
        if want.dtype.kind in "biu":
            if have.dtype.kind not in "biu" or not np.array_equal(have, want):
                return f"{what} is wrong: it differs in {_count_differences(have, want)}"
            continue
        if want.ndim and have.dtype != want.dtype:
            return f"{what} has dtype {have.dtype}, expected {want.dtype}"
        have, want = have.astype(np.float64).reshape(want.shape), want.astype(np.float64)
        if not np.allclose(have, want, rtol=spec.rtol, atol=spec.atol, equal_nan=True):
            return f"{what} is wrong: it differs in {_count_differences(have, want, spec)}"
    return ""


def _count_differences(have, want, spec: Probe | None = None) -> str:
    if spec is None:
        wrong = np.asarray(have != want)
    else:
        wrong = ~np.isclose(have, want, rtol=spec.rtol, atol=spec.atol, equal_nan=True)
    return f"{int(np.count_nonzero(wrong))} of {want.size} entries"


def _short(array: np.ndarray) -> str:
    text = str(array)
    return text if len(text) < 80 else text[:77] + "..."
