"""Checks that follow each exercise, one module per notebook.

A check calls the learner's function on fixed inputs and either prints one line saying that
all checks passed, or raises :class:`CheckFailed` whose message says plainly what is wrong
(and, where it helps, what was expected). Checks never show the solution.

The tools below are shared by every notebook's check module.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np


class CheckFailed(AssertionError):
    """The learner's function gave a wrong answer. The message says what is wrong."""


def passed(name: str) -> None:
    """Print the one line a passing check shows."""
    print(f"✔ {name}: all checks passed.")


def expect(condition: bool, message: str) -> None:
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def call(function: Callable, *args: Any, name: str | None = None, **kwargs: Any) -> Any:
    """Call the learner's function; turn 'not done yet' and crashes into a clear failure.

    NumPy floating-point warnings (overflow, divide by zero, invalid) also fail the check,
    since they mean the function is not numerically safe on these inputs.
    """
    name = name or getattr(function, "__name__", "your function")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            # Underflow (exp(-1000) -> 0) is harmless and happens in every stable sigmoid.
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
    """Fail unless ``result`` is a tuple (or list) of ``count`` items, e.g. ``grads, cost``.

    ``names`` is the expected ``return`` line's values, as the learner would write them.
    """
    expect(result is not None,
           f"{what} returned None: did you forget the 'return {names}' line?")
    expect(isinstance(result, tuple | list) and len(result) == count,
           f"{what} must return {count} values ({names}), got {type(result).__name__}"
           + (f" of length {len(result)}" if isinstance(result, tuple | list) else "") + ".")
    return tuple(result)


def expect_shape(value: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """Fail unless ``value`` is an array of exactly ``shape``. Returns it as an array."""
    array = np.asarray(value)
    expect(array.shape == tuple(shape),
           f"{what} has shape {array.shape}, expected {tuple(shape)}.")
    return array


def expect_close(value: Any, expected: Any, what: str, *, rtol: float = 1e-6,
                 atol: float = 1e-8) -> None:
    """Fail unless ``value`` matches ``expected`` in shape and (to tolerance) in every entry."""
    expected = np.asarray(expected, dtype=float)
    array = expect_shape(value, expected.shape, what).astype(float)
    expect(bool(np.all(np.isfinite(array))), f"{what} contains NaN or infinity: {array}.")
    if not np.allclose(array, expected, rtol=rtol, atol=atol):
        worst = np.unravel_index(np.argmax(np.abs(array - expected)), expected.shape)
        raise CheckFailed(
            f"{what} is wrong: at index {tuple(int(i) for i in worst)} it is "
            f"{array[worst]:.6g}, expected {expected[worst]:.6g}."
        )
