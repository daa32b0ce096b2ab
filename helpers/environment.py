"""The first cell of every notebook, :func:`prepare_notebook`: versions, seeds, quiet TensorFlow.

What it sets and why: CONTRIBUTING.md, "The set-up cell".
"""

from __future__ import annotations

import os
import platform
import random
import sys
from pathlib import Path

#: The versions the stored notebook outputs were produced with (see requirements.txt).
EXPECTED_VERSIONS = {"numpy": "2.4", "tensorflow": "2.21", "keras": "3.15"}
MIN_PYTHON = (3, 11)

#: An environment variable that pins NumPy's and SciPy's BLAS, OpenMP (scikit-learn) and
#: TensorFlow to that many threads. Unset, they use every core. The stored outputs re-execute
#: identically with 1, 2 and 4 threads; `make test` and the grader set it to 1 so that parallel
#: workers don't compete for the cores (CONTRIBUTING.md, "Threads").
THREADS_ENV = "COURSE_THREADS"
#: The variables those libraries read when they load (SciPy and scikit-learn load after the cell).
THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
#: The highest instruction set TensorFlow's oneDNN matrix kernels may use.
ONEDNN_MAX_CPU_ISA = "AVX2"
#: An environment variable that sets another cap (e.g. "AVX"), to test the outputs against it.
ONEDNN_ISA_OVERRIDE_ENV = "COURSE_ONEDNN_MAX_CPU_ISA"
#: Keras's dtype for weights and computations in the course (Keras's default is float32): the
#: notebooks set it in a visible cell, so that a learner's numbers match the stored ones.
KERAS_FLOATX = "float64"


def _set_quiet_tensorflow_env() -> None:
    """Set the variables TensorFlow reads once, at import (they are ignored later)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # no C++ start-up chatter on stderr
    # oneDNN off and its cap: why in CONTRIBUTING.md, "The set-up cell".
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
    os.environ["ONEDNN_MAX_CPU_ISA"] = os.environ.get(ONEDNN_ISA_OVERRIDE_ENV) or ONEDNN_MAX_CPU_ISA
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def running_on_colab() -> bool:
    """True inside Google Colab (its kernel imports ``google.colab`` at start-up)."""
    return "google.colab" in sys.modules


def _version_warnings(modules: dict[str, str], on_colab: bool = False) -> list[str]:
    installed = {name: getattr(sys.modules.get(name), "__version__", "?") for name in modules}
    differ = [name for name, expected in modules.items()
              if not (installed[name].startswith(expected + ".") or installed[name] == expected)]
    if on_colab:
        # Colab's own versions are kept on purpose (replacing its NumPy breaks the runtime):
        # one line on what to expect, and no advice to run make setup.
        if not differ:
            return []
        theirs = ", ".join(f"{name} {installed[name]}" for name in modules)
        ours = ", ".join(f"{name} {expected}" for name, expected in modules.items())
        return [f"Colab runs {theirs}; the stored outputs were made with {ours}: printed "
                "numbers may differ slightly from the stored ones. The lessons are the same."]
    return [
        f"{name} {installed[name]} is installed, the course was recorded with "
        f"{modules[name]}.x: printed numbers may differ slightly. Run 'make setup' to get the "
        "pinned versions."
        for name in differ
    ]


def _cpu_warning(machine: str, cpu_flags: set[str] | None) -> str | None:
    """Why TensorFlow may round differently here than where the outputs were stored, or None.

    ``machine``: ``platform.machine()``; ``cpu_flags``: from /proc/cpuinfo, None if unknown.
    """
    if machine.lower() not in ("x86_64", "amd64"):
        reason = f"this is a {machine} CPU"
    elif cpu_flags is not None and "avx2" not in cpu_flags:
        reason = "this CPU has no AVX2 instructions"
    else:
        return None
    return (f"{reason}, and the stored outputs were made on x86-64 CPUs with AVX2: TensorFlow "
            "rounds a little differently here, so numbers printed after long trainings may "
            "differ slightly from the stored ones. The lessons are the same.")


def cpuinfo(field: str, path: str | Path = "/proc/cpuinfo") -> str | None:
    """The first value of ``field`` (e.g. "model name", "flags") in ``path``, or None.

    None where there is no such file (macOS, Windows) or no such field.
    """
    try:
        with open(path) as lines:
            for line in lines:
                key, _, value = line.partition(":")
                if key.strip() == field:
                    return value.strip()
    except OSError:
        pass
    return None


def _cpu_flags() -> set[str] | None:
    """The CPU's feature flags (Linux), or None where they are unknown."""
    flags = cpuinfo("flags")
    return set(flags.split()) if flags is not None else None


def thread_limit(environ: dict | None = None) -> int | None:
    """The thread count :data:`THREADS_ENV` asks for, or None (unset: every core).

    Raises ValueError naming the variable when it is not a whole number of 1 or more.
    """
    value = (os.environ if environ is None else environ).get(THREADS_ENV, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{THREADS_ENV}={value!r} is not a number of threads: set it to 1 or "
                         f"more, or unset it to use every core.")
    return int(value)


def _pin_threads(threads: int) -> None:
    """NumPy's, SciPy's and OpenMP's thread pools, loaded now or later, to ``threads``."""
    for variable in THREAD_ENV:  # libraries loaded from now on
        os.environ[variable] = str(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)  # those already loaded


def prepare_notebook(seed: int = 1, *, tensorflow: bool = False) -> None:
    """Check versions, seed ``random`` and NumPy; warn where numbers may differ.

    With ``tensorflow``, also import TensorFlow quietly (no start-up messages, oneDNN's
    CPU-specific kernels off) and seed it and Keras. Run it before importing TensorFlow
    yourself; calling it again re-seeds, and with ``tensorflow`` sets TensorFlow up if an
    earlier call did not (notebooks 1 and 4 do that after their exercises). Keras's float64
    and op determinism are set by the notebooks themselves, in a visible cell (or by
    :func:`reproducible_keras`). Libraries use every core unless :data:`THREADS_ENV` is set.
    Raises RuntimeError on a Python older than :data:`MIN_PYTHON`.
    """
    if sys.version_info < MIN_PYTHON:
        raise RuntimeError(
            f"This course needs Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer; this kernel runs "
            f"{sys.version.split()[0]}. Select the project's .venv kernel (see README)."
        )
    threads = thread_limit()
    if tensorflow:
        _set_quiet_tensorflow_env()
    if threads is not None:
        _pin_threads(threads)
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    checked = {"numpy": EXPECTED_VERSIONS["numpy"]}

    if tensorflow:
        import keras
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
        if threads is not None:
            try:
                tf.config.threading.set_intra_op_parallelism_threads(threads)
                tf.config.threading.set_inter_op_parallelism_threads(threads)
            except RuntimeError:
                pass  # already initialised by an earlier call: the threads are already set
        keras.utils.set_random_seed(seed)  # seeds random, NumPy and TensorFlow together
        checked.update(tensorflow=EXPECTED_VERSIONS["tensorflow"], keras=EXPECTED_VERSIONS["keras"])

    warnings = _version_warnings(checked, running_on_colab())
    cpu_warning = _cpu_warning(platform.machine(), _cpu_flags()) if tensorflow else None
    if cpu_warning:
        warnings.append(cpu_warning)
    for warning in warnings:
        print("Warning:", warning)


def reproducible_keras() -> None:
    """What notebooks 3 and 4 set in a visible cell, for scripts and tests: Keras in
    :data:`KERAS_FLOATX` and deterministic TensorFlow ops. Call after ``prepare_notebook``."""
    import keras
    import tensorflow as tf

    keras.config.set_floatx(KERAS_FLOATX)
    tf.config.experimental.enable_op_determinism()
