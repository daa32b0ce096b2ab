"""The hidden probes and reference results (course_tools.grading.probes / .reference), and the real
notebooks graded once each, together, through the sandbox."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_tools.grading import probes, reference
from course_tools.grading.notebooks import exercises, grade_id_of, read_notebook, source_notebooks

REAL = source_notebooks()
SPEC = probes.Probe("f", lambda f, rng: None, rtol=1e-6, atol=1e-9)


def test_every_real_exercise_has_a_probe():
    missing = [f"{nb.name}: {e.grade_id}" for nb in REAL for e in exercises(read_notebook(nb))
               if e.grade_id not in probes.PROBES]
    assert missing == [], "add a probe to course_tools/grading/probes.py for each of these"


def test_no_two_notebooks_share_a_grade_id_by_accident():
    # A grade id keys one probe. compute_cost is shared on purpose: its probe's inputs are
    # valid for notebook 3 (logits) and 4 (probabilities). Any other clash needs a new id.
    notebooks_of: dict[str, list[str]] = {}
    for nb in REAL:
        for e in exercises(read_notebook(nb)):
            notebooks_of.setdefault(e.grade_id, []).append(nb.name)
    shared = {gid: names for gid, names in notebooks_of.items() if len(names) > 1}
    assert set(shared) == {"check_compute_cost"}, shared


def test_reference_code_is_only_the_definitions():
    code = reference.definitions(REAL[-1])
    assert code.startswith("from helpers.environment import prepare_notebook")
    assert "def initialize_parameters_deep(" in code and "def update_parameters(" in code
    assert "checks.check_" not in code  # no check cells
    assert "deep_dims = " not in code and "plt.show()" not in code  # no experiments or plots


def test_flatten_covers_the_shapes_of_results():
    flat = probes.flatten({"grads": {"dw": np.ones((2, 1)), "db": 0.5}, "costs": [1.0, 2.0],
                           "none": None, "pair": (np.int64(3), "relu")})
    assert set(flat) == {"grads.dw", "grads.db", "costs (length)", "costs[0]", "costs[1]",
                         "none", "pair (length)", "pair[0]", "pair[1]"}
    assert flat["costs (length)"] == 2 and str(flat["none"]) == "None"
    with pytest.raises(TypeError, match="not numbers"):
        probes.flatten({"x": object()})


@pytest.mark.parametrize(("got", "problem"), [
    ({"y": np.ones((2, 1))}, "'y' has shape (2, 1), expected (2,)"),
    ({"y": np.ones(2, dtype=np.float32)}, "dtype float32, expected float64"),
    ({"y": np.array([1.0, 1.1])}, "'y' is wrong: it differs in 1 of 2 entries"),
    ({}, "f: 'y' is missing"),
    ({"y": np.array(["a", "b"])}, "not a number"),
])
def test_compare_says_what_differs(got, problem):
    assert problem in probes.compare({"y": np.ones(2)}, got, SPEC)


def test_compare_accepts_what_is_equal_enough():
    expected = {"y": np.ones(2), "b": np.array(0.0), "labels": np.array([[1, 0]])}
    got = {"y": np.ones(2) + 1e-12, "b": np.array([0.0]), "labels": np.array([[1, 0]], np.int32),
           "extra": np.array(3)}
    assert probes.compare(expected, got, SPEC) == ""
    got["labels"] = np.array([[1.0, 0.0]])
    assert "'labels' is wrong" in probes.compare(expected, got, SPEC)


def test_record_and_load_round_trip_and_refuse_bad_files(tmp_path):
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    probes.record({"sigmoid": sigmoid}, "check_sigmoid", 3, tmp_path)
    loaded = probes.load(tmp_path / "check_sigmoid.npz")
    assert loaded["float64"].shape == (3, 4) and loaded["float32"].dtype == np.float32
    probes.record({}, "check_sigmoid", 3, tmp_path)
    assert "defines no function named sigmoid" in probes.load(tmp_path / "check_sigmoid.npz")
    assert "produced no result" in probes.load(tmp_path / "nothing.npz")
    (tmp_path / "junk.npz").write_text("junk")
    assert "unreadable" in probes.load(tmp_path / "junk.npz")
    with zipfile.ZipFile(tmp_path / "bomb.npz", "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("a0.npy", b"\0" * (probes.MAX_OUTPUT_BYTES + 1))
    assert "too large" in probes.load(tmp_path / "bomb.npz")


# ------------------------------------------------- the probes of single exercises, end to end


def _variant(source, folder, solutions: dict[str, str]):
    """A copy of ``source`` in ``folder`` with the solution cells ``solutions`` (grade id ->
    code) replaced, as a learner would have written them."""
    nb = read_notebook(source)
    for cell in nb.cells:
        if grade_id_of(cell) in solutions:
            cell.source = solutions.pop(grade_id_of(cell))
    assert solutions == {}, f"no such solution cells: {list(solutions)}"
    folder.mkdir()
    nbformat.write(nb, folder / source.name)
    return folder / source.name


NOTEBOOK_1, NOTEBOOK_2, NOTEBOOK_3 = (next(nb for nb in REAL if nb.name.startswith(f"0{k}_"))
                                      for k in (1, 2, 3))


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    """(variants {name: (instructor notebook, learner's copy, grade ids)}, the probes' results
    {notebook: {grade id: ...}}, the cache folder) for every learner variant below and the
    notebooks they come from (with all of notebook 2's exercises). They run through the grader's
    reference runner, all in one process (one TensorFlow start), each notebook in a namespace of
    its own."""
    root = tmp_path_factory.mktemp("probes")
    variants = {name: (source, _variant(source, root / name, solutions()), ids)
                for name, (source, solutions, ids) in VARIANTS.items()}
    wanted = {path: ids for _, path, ids in variants.values()}
    wanted[NOTEBOOK_2] = [e.grade_id for e in exercises(read_notebook(NOTEBOOK_2))]
    for source, _, ids in variants.values():
        wanted[source] = list(dict.fromkeys(wanted.get(source, []) + ids))
    results = reference.reference_results_of(wanted, 11, cache_dir=root / "cache")
    for source in set(wanted) & set(REAL):
        assert all(isinstance(result, dict) for result in results[source].values()), source
    return variants, results, root / "cache"


@pytest.fixture(scope="module")
def probe_differences(reference_run):
    """{variant: {grade id: what the probe finds different from the instructor's notebook ('' when
    it matches)}}."""
    variants, results, _ = reference_run
    return {name: {gid: results[path][gid] if isinstance(results[path][gid], str) else
                   probes.compare(results[source][gid], results[path][gid], probes.PROBES[gid])
                   for gid in ids}
            for name, (source, path, ids) in variants.items()}


@pytest.mark.slow
def test_reference_results_are_cached_per_seed(reference_run, monkeypatch):
    _, first, cache = reference_run
    assert len(list(cache.glob("*-11"))) == len(first) == len(VARIANTS) + 3
    ids = list(first[NOTEBOOK_2])
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("not cached"))
    again = reference.reference_results(NOTEBOOK_2, ids, 11, cache_dir=cache)
    assert all(probes.compare(first[NOTEBOOK_2][gid], again[gid], probes.PROBES[gid]) == ""
               for gid in ids)


def test_the_reference_process_is_given_absolute_paths(tmp_path, monkeypatch):
    # It runs in a scratch folder, so a relative notebook or cache path would point nowhere.
    monkeypatch.chdir(NOTEBOOK_2.parent)
    calls = []

    def refuse(args, **kwargs):
        calls.append(args)
        return subprocess.CompletedProcess(args, 1, "", "stopped by the test")

    monkeypatch.setattr(subprocess, "run", refuse)
    with pytest.raises(RuntimeError, match="stopped by the test"):
        reference.reference_results(NOTEBOOK_2.name, ["check_sigmoid"], 3,
                                    cache_dir=Path(os.path.relpath(tmp_path)))
    source, out = calls[0][calls[0].index("--notebook") + 1:][:2]
    assert Path(source) == NOTEBOOK_2.resolve() and Path(out).is_absolute()
    assert Path(out).parent == tmp_path.resolve()


def _costs_as_arrays() -> dict[str, str]:
    solutions = {grade_id_of(c): c.source for c in read_notebook(NOTEBOOK_2).cells
                 if grade_id_of(c) in ("optimize", "model")}
    returns = [("optimize", "grads, costs\n", "grads, np.array(costs)\n"),
               ("model", '{"costs": costs,', '{"costs": np.array(costs),')]
    for grade_id, old, new in returns:
        assert solutions[grade_id].count(old) == 1
        solutions[grade_id] = solutions[grade_id].replace(old, new)
    return solutions


@pytest.mark.slow
def test_costs_as_an_array_pass_for_model_but_not_for_optimize_as_the_checks_say(
        probe_differences):
    # check_model accepts an array of costs with the right values; check_optimize asks for a
    # list, so a submission that switches its checks off still loses optimize's point
    assert probe_differences["costs as arrays"] == {
        "check_optimize": "optimize: 'costs is a list' is False, expected True",
        "check_model": ""}

FLATTEN_FLOAT32 = '''
def flatten_images(images):
    return images.reshape(len(images), -1).T.astype(np.float32) / np.float32(255)
'''
DESCENT_IN_PLACE = '''
def gradient_descent(gradient, w, learning_rate, num_steps):
    history = [np.copy(w)]
    for _ in range(num_steps):
        w -= learning_rate * gradient(w)  # modifies the caller's array
        history.append(np.copy(w))
    return w, np.array(history)
'''
GRADIENTS_WITHOUT_MEAN = '''
def logistic_gradients(w, b, X, Y):
    A = sigmoid(w.T @ X + b)
    return X @ (A - Y).T, np.sum(A - Y)  # sums where the mean is wanted
'''


@pytest.mark.slow
def test_notebook_1_probes_catch_in_place_updates_and_wrong_values(probe_differences):
    found = probe_differences["notebook 1 learner"]
    assert found["check_flatten_images"] == ""  # float32 is accepted, as the check does
    # the history and final w are right: only the caller's array shows the in-place update
    assert "gradient_descent: 'w after the call' is wrong" in found["check_gradient_descent"]
    assert "logistic_gradients: 'gradients[0]' is wrong" in found["check_logistic_gradients"]


INITIALIZE_NUMPY = '''
def initialize_parameters(n_x, n_h, n_y, seed=1):  # valid, but not the instructor's numbers
    rng = np.random.default_rng(seed)
    return {"W1": tf.Variable(rng.normal(0, 0.01, (n_h, n_x))),
            "b1": tf.Variable(np.zeros((n_h, 1))),
            "W2": tf.Variable(rng.normal(0, 0.01, (n_y, n_h))),
            "b2": tf.Variable(np.zeros((n_y, 1)))}
'''
NN_MODEL_EAGER = '''
def nn_model(X, Y, n_h, num_iterations, learning_rate, activation=tf.tanh, seed=1,
             print_cost=False):  # eager steps: slower, still right
    parameters = initialize_parameters(X.shape[0], n_h, Y.shape[0], seed=seed)
    X, Y = tf.constant(X), tf.constant(Y)
    costs = []
    for i in range(num_iterations):
        cost = train_step(X, Y, parameters, learning_rate, activation)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs
'''
PREDICT_PROBABILITIES = '''
def predict(parameters, X, activation=tf.tanh):
    return tf.sigmoid(forward_propagation(tf.constant(X), parameters, activation)).numpy()
'''
NN_MODEL_FIXED_RATE = '''
def nn_model(X, Y, n_h, num_iterations, learning_rate, activation=tf.tanh, seed=1,
             print_cost=False):
    X, Y = tf.constant(X, tf.float64), tf.constant(Y, tf.float64)
    parameters = initialize_parameters(X.shape[0], n_h, Y.shape[0], seed)
    costs = []
    for i in range(num_iterations):
        cost = train_step(X, Y, parameters, 0.5, activation)  # ignores learning_rate
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs
'''


PROPAGATE_CLIPPED = '''
def propagate(w, b, X, Y):  # right on ordinary inputs; log(A + eps) hides the overflow
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = -np.mean(Y * np.log(A + 1e-12) + (1 - Y) * np.log(1 - A + 1e-12))
    return {"dw": X @ (A - Y).T / m, "db": np.sum(A - Y) / m}, float(cost)
'''
PROPAGATE_FLOAT64 = '''
def propagate(w, b, X, Y):  # right values, but float32 inputs come back as float64
    X, Y, w = X.astype(float), Y.astype(float), w.astype(float)
    m, Z = X.shape[1], w.T @ X + b
    A = sigmoid(Z)
    cost = np.mean(Y * np.logaddexp(0, -Z) + (1 - Y) * np.logaddexp(0, Z))
    return {"dw": X @ (A - Y).T / m, "db": np.sum(A - Y) / m}, float(cost)
'''
OPTIMIZE_SHUFFLING = '''
def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w, b = w - learning_rate * grads["dw"], b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    X *= 1.0
    Y[...] = Y[:, ::-1]  # changes the caller's labels
    return {"w": w, "b": b}, grads, costs
'''
NAIVE_SIGMOID = '''
def sigmoid(z):  # right values; exp(-z) overflows for z < -709
    return 1 / (1 + np.exp(-z))
'''

NOTEBOOK_3_IDS = ["check_initialize_parameters", "check_nn_model", "check_predict_nn"]
#: name: (instructor notebook, () -> {grade id: the learner's solution}, probes compared)
VARIANTS = {
    "costs as arrays": (NOTEBOOK_2, _costs_as_arrays, ["check_optimize", "check_model"]),
    "notebook 1 learner": (NOTEBOOK_1, lambda: {
        "flatten_images": FLATTEN_FLOAT32, "gradient_descent": DESCENT_IN_PLACE,
        "logistic_gradients": GRADIENTS_WITHOUT_MEAN},
        ["check_flatten_images", "check_gradient_descent", "check_logistic_gradients"]),
    "notebook 3 learner": (NOTEBOOK_3, lambda: {
        "initialize_parameters": INITIALIZE_NUMPY, "nn_model": NN_MODEL_EAGER,
        "predict_nn": PREDICT_PROBABILITIES}, NOTEBOOK_3_IDS),
    "fixed rate": (NOTEBOOK_3, lambda: {"nn_model": NN_MODEL_FIXED_RATE}, NOTEBOOK_3_IDS[1:]),
    "notebook 2 unsafe learner": (NOTEBOOK_2, lambda: {
        "sigmoid": NAIVE_SIGMOID, "optimize": OPTIMIZE_SHUFFLING},
        ["check_sigmoid", "check_optimize"]),
    "clipped cost": (NOTEBOOK_2, lambda: {"propagate": PROPAGATE_CLIPPED}, ["check_propagate"]),
    "float64 propagate": (NOTEBOOK_2, lambda: {"propagate": PROPAGATE_FLOAT64},
                          ["check_propagate"]),
}


@pytest.mark.slow
def test_notebook_2_probes_enforce_what_the_checks_enforce_beyond_values(probe_differences):
    # Safe sigmoid and cost, dtype kept, inputs unmodified: decided from the probes' outputs,
    # so a submission that switches its checks off still cannot score with them.
    found = probe_differences["notebook 2 unsafe learner"]
    assert "sigmoid is not numerically safe: NumPy reported overflow" in found["check_sigmoid"]
    assert "propagate: 'large |z|.cost' is wrong" in \
        probe_differences["clipped cost"]["check_propagate"]
    assert "optimize: 'Y after the call' is wrong" in found["check_optimize"]
    assert "'float32 grads.dw' has dtype float64, expected float32" in \
        probe_differences["float64 propagate"]["check_propagate"]


@pytest.mark.slow
def test_notebook_3_probes_fix_the_start_and_catch_wrong_training_and_labels(probe_differences):
    found = probe_differences["notebook 3 learner"]
    assert "initialize_parameters: 'parameters.W1' is wrong" in found[NOTEBOOK_3_IDS[0]]
    # nn_model trains from the probe's start, not the learner's own (different) random one
    assert found["check_nn_model"] == ""
    assert "predict: 'tanh' is wrong" in found["check_predict_nn"]

    found = probe_differences["fixed rate"]
    assert found["check_predict_nn"] == ""
    assert "nn_model: 'default activation.parameters.W1' is wrong" in found["check_nn_model"]


TRACKED_NN_MODEL = '''
def initialize_parameters(n_x, n_h, n_y, seed=1):
    raise AssertionError("the probe replaces this function while nn_model runs")


def nn_model(X, Y, n_h, num_iterations, learning_rate, seed=1, **settings):
    parameters = initialize_parameters(X.shape[0], n_h, Y.shape[0], seed)
    if FAIL:
        raise RuntimeError("a bug of the learner's")
    return parameters, [1.0, 2.0]
'''


def test_nn_model_probe_starts_from_its_own_network_and_puts_back_the_learners(tmp_path):
    namespace = {"FAIL": False}
    exec(TRACKED_NN_MODEL, namespace)  # noqa: S102 - as the kernel defines it
    learners = namespace["initialize_parameters"]
    probes.record(namespace, "check_nn_model", 4, tmp_path)
    result = probes.load(tmp_path / "check_nn_model.npz")
    assert namespace["initialize_parameters"] is learners
    n_h, n_x = result["relu.parameters.W1"].shape
    assert result["relu.initialize_parameters calls (length)"] == 1
    assert [int(result[f"relu.initialize_parameters calls[0][{i}]"]) for i in range(3)] == \
        [n_x, n_h, 1]

    namespace["FAIL"] = True
    probes.record(namespace, "check_nn_model", 4, tmp_path)
    assert "a bug of the learner's" in probes.load(tmp_path / "check_nn_model.npz")
    assert namespace["initialize_parameters"] is learners

    del namespace["initialize_parameters"]
    probes.record(namespace, "check_nn_model", 4, tmp_path)
    assert "initialize_parameters is not defined" in probes.load(tmp_path / "check_nn_model.npz")


def test_choose_learning_rate_probe_tells_the_rule_from_the_usual_slips():
    # Notebook 2's decision on a validation set: the right rule matches itself, and the two
    # slips that look most like it (the lowest validation cost alone; the highest accuracy with
    # ties left to the order of the list) do not, on the probe's inputs for this seed.
    from test_checks_selection import choose_learning_rate, rule

    spec = probes.PROBES["check_choose_learning_rate"]

    def outputs(choose):
        return probes.flatten(spec.run(choose, probes.rng_for(3, "check_choose_learning_rate")))

    right = outputs(choose_learning_rate)
    assert probes.compare(right, outputs(choose_learning_rate), spec) == ""
    for slip in (rule(lambda s: s[2]), rule(lambda s: -s[1])):
        assert "choose_learning_rate: 'choices[" in probes.compare(right, outputs(slip), spec)
