"""Checks that follow each exercise, one module per notebook, and the tools they share.

A check calls the learner's function on fixed inputs and prints one pass line, or raises
:class:`CheckFailed` saying what is wrong. Checks never show the solution. In a notebook a
failing check shows only "✘ <message>", no traceback (``CheckFailed._render_traceback_``), and
the cell still fails. A check whose function calls earlier exercises first runs their checks
(:func:`require_passing`), so that each check judges its own exercise.
"""

from __future__ import annotations

import contextlib
import dis
import io
import math
import types
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

#: The course's rule on updates (notebook 1), quoted by every check of an update function.
IN_PLACE_RULE = ("The course's rule is no in-place updates (notebook 1): a function never "
                 "modifies an array passed to it, it returns new ones.")


class CheckFailed(AssertionError):
    """The learner's function gave a wrong answer. The message says what is wrong."""

    def _render_traceback_(self) -> list[str]:
        """What IPython (Jupyter, nbclient, the grader) shows for a failing check: the message.

        IPython's public hook for exceptions that format themselves: it replaces the traceback
        through ``helpers/checks`` by one line, while the cell still fails (an ``error``
        output named CheckFailed, an execute_reply of status "error"). Other exceptions keep
        IPython's usual traceback. A custom handler (``set_custom_exc``) would need IPython's
        private ``_showtraceback`` to show anything (IPython ignores its return value) and
        global state to install; this hook needs neither.
        """
        return [f"✘ {self}"]


class PrerequisiteFailed(CheckFailed):
    """The function under test calls an earlier exercise whose own check fails."""


def passed(name: str) -> None:
    """Print the one line a passing check shows."""
    print(f"✔ {name}: all checks passed.")


def expect(condition: bool, message: str) -> None:
    """Raise CheckFailed(message) unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def name_of(function: Callable, default: str) -> str:
    """The function's ``__name__``, or ``default`` for objects without one."""
    return getattr(function, "__name__", default)


@contextlib.contextmanager
def hint_on_failure(hint: str, only_if: str = "") -> Iterator[None]:
    """Append ``hint`` to a CheckFailed raised in the block (whose message holds ``only_if``)."""
    try:
        yield
    except CheckFailed as err:
        if only_if not in str(err) or not hint:
            raise
        raise CheckFailed(f"{err} {hint}") from None


def call(function: Callable, *args: Any, name: str | None = None, **kwargs: Any) -> Any:
    """Call the learner's function; a stub, a crash or a NumPy FP error raises CheckFailed.

    Overflow, divide by zero and invalid operations fail the check; underflow (exp(-1000)
    rounding to 0, as in every stable sigmoid) is allowed.
    """
    name = name or getattr(function, "__name__", "your function")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
                return function(*args, **kwargs)
    except NotImplementedError:
        raise CheckFailed(f"{name} is not implemented yet: replace the "
                          "'raise NotImplementedError' line with your code.") from None
    except (FloatingPointError, RuntimeWarning) as err:
        raise CheckFailed(f"{name} is not numerically safe: NumPy reported '{err}' on the "
                          "check's inputs (overflow, log(0) or 0/0).") from None
    except CheckFailed:
        raise
    except Exception as err:
        raise CheckFailed(f"{name} raised {type(err).__name__}: {err}") from None


def expect_values(result: Any, count: int, what: str, names: str) -> tuple:
    """``result`` as a tuple of ``count`` items (``names``: the expected return line's values)."""
    expect(result is not None,
           f"{what} returned None: did you forget the 'return {names}' line?")
    expect(isinstance(result, tuple | list) and len(result) == count,
           f"{what} must return {count} values ({names}), got {type(result).__name__}"
           + (f" of length {len(result)}" if isinstance(result, tuple | list) else "") + ".")
    return tuple(result)


def expect_dict(value: Any, keys: tuple[str, ...] | list[str], what: str) -> dict:
    """``value`` itself, if it is a dict holding every one of ``keys``."""
    expect(isinstance(value, dict),
           f"{what} must be a dict with keys {list(keys)}, got {type(value).__name__}.")
    missing = [k for k in keys if k not in value]
    expect(not missing,
           f"{what} is missing the key(s) {missing}; it has {sorted(map(str, value))}. "
           f"Use exactly these names: {list(keys)}.")
    return value


def expect_unchanged(before: np.ndarray | dict, after: np.ndarray | dict, what: str,
                     function_name: str) -> None:
    """Fail unless the caller's ``after`` (an array or a dict of arrays) still equals ``before``."""
    if isinstance(before, dict):
        changed = [key for key in before
                   if key not in after or not np.array_equal(before[key], after[key])]
        changed += [key for key in after if key not in before]
        kind, where = "dict", f" at {', '.join(map(str, changed))}"
        updates = f"'{what}[key] -= ...' or '{what}[key] = ...'"
        build = (f"Build a new dict with new arrays (for example 'new = dict({what})', then "
                 f"'new[key] = {what}[key] - ...')")
    else:
        changed = [] if np.array_equal(before, after) else [what]
        kind, where = "array", ""
        updates = f"'{what} -= ...', '{what} += ...' or '{what}[i] = ...'"
        build = f"Build a new array (for example '{what} = {what} - ...')"
    expect(not changed,
           f"{function_name} changed the {kind} {what} you passed in{where} (an in-place update "
           f"such as {updates}). {IN_PLACE_RULE} {build} and leave the caller's {what} as it was.")


def as_numbers(value: Any, what: str) -> np.ndarray:
    """A number, NumPy array or TensorFlow tensor as a float64 array; CheckFailed if it is not."""
    expect(value is not None, f"{what} is None.")
    try:
        array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    except Exception as err:  # a symbolic tensor, a ragged list...
        raise CheckFailed(f"{what} is not a number or an array of numbers "
                          f"({type(value).__name__}: {err}).") from None
    expect(array.dtype.kind in "fiub",
           f"{what} must hold numbers, got {type(value).__name__} of dtype {array.dtype}.")
    return array.astype(np.float64)


def expect_scalar(value: Any, what: str, hint: str = "", *, one_entry: bool = False) -> float:
    """``value`` as a finite float: shape () or, with ``one_entry``, any array of one entry."""
    array = as_numbers(value, what)
    if one_entry:
        expect(array.size == 1, f"{what} should be a single number, got an array of shape "
                                f"{array.shape}. {hint}".strip())
    else:
        expect(array.ndim == 0, f"{what} must be a single number, got {type(value).__name__} "
                                f"of shape {array.shape}. {hint}".strip())
    number = float(array.reshape(()))
    expect(math.isfinite(number), f"{what} is {number}, expected a finite number. {hint}".strip())
    return number


def expect_number(value: Any, expected: float, what: str, hint: str = "", *,
                  rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Fail unless ``value`` is a single number within the tolerances of ``expected``."""
    number = expect_scalar(value, what, hint)
    if not math.isclose(number, expected, rel_tol=rtol, abs_tol=atol):
        raise CheckFailed(f"{what} is {number:.6g}, expected {expected:.6g}. {hint}".strip())


def expect_not_m_times(value: Any, expected: Any, m: int, what: str, fix: str) -> None:
    """Fail with ``fix`` if ``value`` is ``m`` times ``expected`` (a sum where a mean belongs)."""
    value, expected = np.asarray(value, dtype=float), np.asarray(expected, dtype=float)
    if value.shape == expected.shape and np.allclose(value, m * expected, rtol=1e-6):
        raise CheckFailed(f"{what} is {m} times too large (m = {m} examples): {fix}")


def expect_shape(value: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """``value`` as an array, if it has exactly ``shape``."""
    array = np.asarray(value)
    expect(array.shape == tuple(shape),
           f"{what} has shape {array.shape}, expected {tuple(shape)}.")
    return array


def expect_close(value: Any, expected: Any, what: str, *, rtol: float = 1e-6,
                 atol: float = 1e-8) -> None:
    """Fail unless ``value`` has ``expected``'s shape and every entry within tolerance."""
    expected = np.asarray(expected, dtype=float)
    array = expect_shape(value, expected.shape, what).astype(float)
    expect(bool(np.all(np.isfinite(array))), f"{what} contains NaN or infinity: {array}.")
    if not np.allclose(array, expected, rtol=rtol, atol=atol):
        worst = np.unravel_index(np.argmax(np.abs(array - expected)), expected.shape)
        raise CheckFailed(
            f"{what} is wrong: at index {tuple(int(i) for i in worst)} it is "
            f"{array[worst]:.6g}, expected {expected[worst]:.6g}."
        )


# --------------------------------------------------------------------------- prerequisites

#: While a check runs its prerequisites' checks: {(check, function): the failure or None}, so
#: that each earlier check runs once per check cell (``None`` outside a check).
_verdicts: dict[tuple[int, int], CheckFailed | None] | None = None


def _python_function(function: Any) -> Any:
    """The plain Python function behind ``function`` (a ``tf.function``'s own code)."""
    return getattr(function, "python_function", function)


def _global_names(function: Any, namespace: dict, skip: set[str]) -> set[str]:
    """The global names ``function`` reads, including through the plain functions it calls
    from the same namespace (the learner's own helpers), except those named in ``skip``."""
    names: set[str] = set()
    todo, seen_code = [getattr(_python_function(function), "__code__", None)], set()
    while todo:
        code = todo.pop()
        if not isinstance(code, types.CodeType) or code in seen_code:
            continue
        seen_code.add(code)
        todo += [const for const in code.co_consts if isinstance(const, types.CodeType)]
        for instruction in dis.get_instructions(code):
            if instruction.opname not in ("LOAD_GLOBAL", "LOAD_NAME"):
                continue
            name = instruction.argval
            if name in names:
                continue
            names.add(name)
            helper = _python_function(namespace.get(name))
            if (name not in skip and isinstance(helper, types.FunctionType)
                    and helper.__globals__ is namespace):
                todo.append(helper.__code__)
    return names


def require_passing(function: Callable, *prerequisites: tuple[str, Callable]) -> None:
    """Run, silently, the checks of the earlier exercises that ``function`` calls.

    ``prerequisites`` are ``(name, check)`` pairs, in the notebook's order. The learner's
    earlier functions are looked up by name where ``function`` was defined (the notebook's
    namespace, its ``__globals__``); only those its code uses, directly or through helpers of
    its own, are checked. The first that fails raises :class:`PrerequisiteFailed` naming it
    (the deepest one, if that check has prerequisites of its own), so the check of
    ``function`` never blames ``function`` for an earlier exercise's bug.
    """
    global _verdicts
    code = _python_function(function)
    namespace = getattr(code, "__globals__", None)
    if not isinstance(namespace, dict):
        return
    used = _global_names(code, namespace, {name for name, _ in prerequisites})
    outermost = _verdicts is None
    if outermost:
        _verdicts = {}
    try:
        for name, check in prerequisites:
            if name not in used:
                continue
            earlier = namespace.get(name)
            uses = f"{name_of(function, 'your function')} calls {name}"
            expect(earlier is not None,
                   f"{uses}, but there is no function {name} in your notebook: run the cell "
                   f"that defines {name} (its exercise comes earlier), and keep that name.")
            if earlier is function:
                continue
            expect(callable(earlier),
                   f"{uses}, but {name} in your notebook is now of type "
                   f"{type(earlier).__name__}, not a function: a later cell reused the name. "
                   f"Run the cell that defines {name} again.")
            key = (id(check), id(earlier))
            if key not in _verdicts:
                _verdicts[key] = None
                try:
                    with contextlib.redirect_stdout(io.StringIO()):
                        check(earlier)
                except CheckFailed as err:
                    _verdicts[key] = err
            failure = _verdicts[key]
            if isinstance(failure, PrerequisiteFailed):
                raise PrerequisiteFailed(str(failure)) from None
            if failure is not None:
                raise PrerequisiteFailed(f"fix {name} first: its check fails ({failure})"
                                         ) from None
    finally:
        if outermost:
            _verdicts = None
