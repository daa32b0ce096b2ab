"""helpers.checks: the shared tools every check module builds on."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.checks import (
    CheckFailed,
    PrerequisiteFailed,
    call,
    expect_close,
    expect_dict,
    expect_number,
    expect_scalar,
    expect_shape,
    expect_unchanged,
    hint_on_failure,
    passed,
    require_passing,
)


def test_passed_prints_one_line(capsys):
    passed("sigmoid")
    assert capsys.readouterr().out == "✔ sigmoid: all checks passed.\n"


def test_call_returns_the_result():
    assert call(lambda x: x + 1, 1) == 2


def test_call_reports_stub():
    def sigmoid(z):
        raise NotImplementedError

    with pytest.raises(CheckFailed, match="sigmoid is not implemented yet"):
        call(sigmoid, 0.0)


def test_call_turns_overflow_into_a_failure():
    def unsafe(z):
        return 1 / (1 + np.exp(-z))

    with pytest.raises(CheckFailed, match="unsafe is not numerically safe"):
        call(unsafe, np.array([-1000.0]))


def test_call_reports_crashes_with_their_type():
    with pytest.raises(CheckFailed, match="raised KeyError"):
        call(lambda d: d["w"], {}, name="propagate")


def test_expect_shape():
    expect_shape(np.zeros((2, 1)), (2, 1), "w")
    with pytest.raises(CheckFailed, match=r"w has shape \(2,\), expected \(2, 1\)"):
        expect_shape(np.zeros(2), (2, 1), "w")


def test_expect_close_names_the_worst_entry():
    expect_close([[0.5, 0.25]], [[0.5, 0.25]], "A")
    message = r"A is wrong: at index \(0, 1\) it is 0.3, expected 0.25"
    with pytest.raises(CheckFailed, match=message):
        expect_close([[0.5, 0.3]], [[0.5, 0.25]], "A")


def test_expect_close_rejects_nan():
    with pytest.raises(CheckFailed, match="NaN"):
        expect_close([np.nan], [1.0], "cost")


def test_call_allows_harmless_underflow():
    def stable_sigmoid(z):
        return np.exp(-np.logaddexp(0.0, -z))

    assert call(stable_sigmoid, np.array([-1000.0]))[0] == 0.0


def test_expect_scalar_is_strict_unless_one_entry_will_do():
    assert expect_scalar(np.float32(0.5), "b") == 0.5
    with pytest.raises(CheckFailed, match=r"b must be a single number, got ndarray of shape \(1,"):
        expect_scalar(np.array([[0.5]]), "b")
    assert expect_scalar(np.array([[0.5]]), "b", one_entry=True) == 0.5
    with pytest.raises(CheckFailed, match=r"b should be a single number, got an array of shape"):
        expect_scalar(np.zeros(2), "b", one_entry=True)
    for bad, message in ((None, "b is None"), ("0.5", "must hold numbers"),
                         (np.inf, "expected a finite number")):
        with pytest.raises(CheckFailed, match=message):
            expect_scalar(bad, "b")


def test_expect_number_and_dict():
    expect_number(1.0 + 1e-7, 1.0, "cost")
    with pytest.raises(CheckFailed, match="cost is 1.1, expected 1. Average the losses."):
        expect_number(1.1, 1.0, "cost", "Average the losses.")
    assert expect_dict({"w": 1, "b": 2}, ("w", "b"), "params") == {"w": 1, "b": 2}
    with pytest.raises(CheckFailed, match=r"params is missing the key\(s\) \['w'\]; it has \['W',"):
        expect_dict({"W": 1, "b": 2}, ("w", "b"), "params")


def test_expect_unchanged_names_what_changed_and_the_rule():
    w = np.array([1.0, 2.0])
    expect_unchanged(w, w.copy(), "w", "step")
    with pytest.raises(CheckFailed, match=r"^step changed the array w you passed in .*no in-place"):
        expect_unchanged(w, w * 2, "w", "step")
    before = {"W1": w, "b1": np.zeros(1)}
    expect_unchanged(before, {"W1": w.copy(), "b1": np.zeros(1)}, "parameters", "update")
    after = {"W1": w, "b1": np.ones(1), "W9": w}
    with pytest.raises(CheckFailed, match=r"^update changed the dict parameters you passed in "
                                          r"at b1, W9 .*no in-place"):
        expect_unchanged(before, after, "parameters", "update")


def test_hint_on_failure_adds_the_hint_only_where_it_applies():
    with pytest.raises(CheckFailed, match=r"^A is wrong.*expected 0.25\. Use the sigmoid\.$"):
        with hint_on_failure("Use the sigmoid."):
            expect_close([0.3], [0.25], "A")
    with pytest.raises(CheckFailed, match=r"expected 0.25\.$"):
        with hint_on_failure("Use np.logaddexp.", only_if="not numerically safe"):
            expect_close([0.3], [0.25], "A")


# --------------------------------------------------------------------------- in a notebook


def _run_in_kernel(*sources: str, allow_errors: bool = True):
    """Execute a notebook of these code cells in a fresh kernel of this Python (the venv's),
    from the repository's root; return (notebook, execute_reply of each cell)."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    from helpers.paths import ROOT

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    # kernel_dirs=[]: only the native kernel, this very Python, as course_tools.kernel does
    km = KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[]))
    replies = []
    client = NotebookClient(nb, km=km, allow_errors=allow_errors, timeout=120,
                            resources={"metadata": {"path": str(ROOT)}},
                            on_cell_executed=lambda execute_reply, **_: replies.append(
                                execute_reply))
    client.execute()
    return nb, replies


BROKEN_SIGMOID = ("import numpy as np\n"
                  "from helpers.checks import logistic as checks\n"
                  "def sigmoid(z):\n"
                  "    return 0.5 * np.ones_like(z)\n")


@pytest.mark.slow
def test_a_failing_check_shows_its_message_not_a_traceback_and_the_cell_fails():
    """What a learner, nbval and the grader see: one '✘' line, yet an error output."""
    nb, replies = _run_in_kernel(BROKEN_SIGMOID, "checks.check_sigmoid(sigmoid)",
                                 "print('after')", "1 / 0")
    setup, check, after, other = nb.cells
    assert not any(o.output_type == "error" for o in setup.outputs)
    errors = [o for o in check.outputs if o.output_type == "error"]
    assert len(errors) == 1, check.outputs
    error = errors[0]
    # what course_tools/kernel.py and grading.py read: an error output, its name and message
    assert error.ename == "CheckFailed"
    assert error.evalue.startswith("sigmoid(z) for z = ")
    text = "\n".join(error.traceback)
    assert text == f"✘ {error.evalue}"
    assert "helpers/checks" not in text and "Traceback" not in text
    assert len(text.splitlines()) <= 5
    # nbclient's execute_reply, which nbval and allow_errors=False go by: the cell failed
    assert replies[1]["content"]["status"] == "error"
    assert replies[1]["content"]["ename"] == "CheckFailed"
    # the kernel goes on; other errors keep IPython's full traceback
    assert replies[2]["content"]["status"] == "ok"
    assert after.outputs[0].text == "after\n"
    other_error = next(o for o in other.outputs if o.output_type == "error")
    assert other_error.ename == "ZeroDivisionError"
    assert len(other_error.traceback) > 1 and "Traceback" in "".join(other_error.traceback)


@pytest.mark.slow
def test_a_failing_check_stops_a_run_that_allows_no_errors():
    """nbclient with allow_errors=False (nbconvert --execute, make test) raises at the check."""
    from nbclient.exceptions import CellExecutionError

    with pytest.raises(CellExecutionError) as info:
        _run_in_kernel(BROKEN_SIGMOID, "checks.check_sigmoid(sigmoid)", allow_errors=False)
    assert info.value.ename == "CheckFailed"
    assert "✘ sigmoid(z) for z = " in str(info.value) and "helpers/checks" not in str(info.value)


@pytest.mark.slow
def test_a_prerequisite_failure_reads_the_same_in_a_notebook():
    nb, _ = _run_in_kernel(
        BROKEN_SIGMOID + "def propagate(w, b, X, Y):\n"
                         "    A = sigmoid(w.T @ X + b)\n"
                         "    return {'dw': X @ (A - Y).T, 'db': 0.0}, 0.0\n",
        "checks.check_propagate(propagate)")
    error = next(o for o in nb.cells[1].outputs if o.output_type == "error")
    assert error.ename == "PrerequisiteFailed"
    assert error.traceback == [f"✘ {error.evalue}"]
    assert error.evalue.startswith("fix sigmoid first: its check fails (sigmoid(z) for z = ")


@pytest.mark.slow
def test_the_grader_scores_a_failing_check_cell_as_failed():
    """course_tools.grading.kernel, which runs a submission, records the check cell as an error."""
    import nbformat

    from course_tools.grading.kernel import execute
    from helpers.paths import ROOT

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(BROKEN_SIGMOID),
        nbformat.v4.new_code_cell("checks.check_sigmoid(sigmoid)")])
    runs = execute(nb, cwd=ROOT, cell_timeout=120, timeout=300)
    assert [run.status for run in runs] == ["ok", "error"]
    error = next(o for o in nb.cells[1].outputs if o.output_type == "error")
    assert error.ename == "CheckFailed" and error.traceback == [f"✘ {error.evalue}"]


# --------------------------------------------------------------------------- prerequisites


def _namespace(source: str) -> dict:
    """The functions ``source`` defines, in one namespace of their own, like a notebook's."""
    namespace: dict = {}
    exec(source, namespace)  # noqa: S102 - test code written here
    return namespace


def _check_positive(function):
    """A check of an 'earlier exercise': f(1) must be positive."""
    print("✔ earlier: all checks passed.")
    if function(1) <= 0:
        raise CheckFailed(f"{function.__name__}(1) must be positive.")


def test_require_passing_runs_the_earlier_check_silently(capsys):
    ns = _namespace("def earlier(x):\n    return x\n"
                    "def later(x):\n    return earlier(x) + 1\n")
    require_passing(ns["later"], ("earlier", _check_positive))
    assert capsys.readouterr().out == ""


def test_require_passing_names_the_earlier_exercise_and_its_message():
    ns = _namespace("def earlier(x):\n    return -x\n"
                    "def later(x):\n    return earlier(x) + 1\n")
    with pytest.raises(PrerequisiteFailed) as info:
        require_passing(ns["later"], ("earlier", _check_positive))
    assert str(info.value) == "fix earlier first: its check fails (earlier(1) must be positive.)"
    assert isinstance(info.value, CheckFailed)


def test_require_passing_ignores_earlier_exercises_the_function_does_not_use():
    ns = _namespace("def earlier(x):\n    return -x\n"
                    "def later(x):\n    earlier = 3\n    return x.earlier + earlier\n")
    require_passing(ns["later"], ("earlier", _check_positive))  # a local and an attribute


def test_require_passing_follows_the_learners_own_helpers_and_inner_functions():
    ns = _namespace("def earlier(x):\n    return -x\n"
                    "def helper(x):\n    return [earlier(v) for v in x]\n"
                    "def later(x):\n    return (lambda: helper(x))()\n")
    with pytest.raises(PrerequisiteFailed, match="^fix earlier first"):
        require_passing(ns["later"], ("earlier", _check_positive))


def test_require_passing_reports_the_deepest_failure_and_runs_each_check_once():
    ns = _namespace("def first(x):\n    return -x\n"
                    "def second(x):\n    return first(x)\n"
                    "def third(x):\n    return second(x) + first(x)\n")
    runs = []

    def check_first(function):
        runs.append("first")
        _check_positive(function)

    def check_second(function):
        runs.append("second")
        require_passing(function, ("first", check_first))

    with pytest.raises(PrerequisiteFailed, match="^fix first first: its check fails"):
        require_passing(ns["third"], ("second", check_second))
    assert runs == ["second", "first"]
    ns["first"] = lambda x: x
    runs.clear()
    require_passing(ns["third"], ("first", check_first), ("second", check_second))
    assert runs == ["first", "second"]  # check_second's own require_passing reuses the verdict


def test_require_passing_says_when_the_earlier_function_is_missing_or_not_a_function():
    ns = _namespace("def later(x):\n    return earlier(x)\n")
    with pytest.raises(CheckFailed, match=r"^later calls earlier, but there is no function "
                                          r"earlier in your notebook: run the cell"):
        require_passing(ns["later"], ("earlier", _check_positive))
    ns["earlier"] = np.zeros(3)
    with pytest.raises(CheckFailed, match=r"^later calls earlier, but earlier in your notebook "
                                          r"is now of type ndarray, not a function"):
        require_passing(ns["later"], ("earlier", _check_positive))


def test_require_passing_accepts_functions_without_a_namespace():
    require_passing(len, ("earlier", _check_positive))
    require_passing(np.sum, ("earlier", _check_positive))
