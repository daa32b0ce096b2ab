"""helpers.environment: the first cell of every notebook."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from helpers.environment import (
    ONEDNN_ISA_OVERRIDE_ENV,
    THREAD_ENV,
    THREADS_ENV,
    prepare_notebook,
    thread_limit,
)


def test_seeds_numpy_reproducibly():
    prepare_notebook(seed=3)
    first = np.random.rand(3)
    prepare_notebook(seed=3)
    assert np.array_equal(first, np.random.rand(3))


#: A fresh interpreter, as in a notebook kernel: the set-up cell and the notebooks' visible
#: float64 + determinism lines, then a seeded Dense layer and a short float64 Keras training
#: (its weights rounded to 12 significant digits, as a digest).
TENSORFLOW_RUN = (
    "from helpers.environment import prepare_notebook, reproducible_keras\n"
    "prepare_notebook(seed=1, tensorflow=True)\n"
    "reproducible_keras()\n"
    "import hashlib, os, keras, numpy as np, tensorflow as tf\n"
    "print(os.environ['ONEDNN_MAX_CPU_ISA'], os.environ['TF_ENABLE_ONEDNN_OPTS'],\n"
    "      tf.config.threading.get_intra_op_parallelism_threads())\n"
    "print(float(keras.random.uniform((1,), seed=1)[0]) ==\n"
    "      float(keras.random.uniform((1,), seed=1)[0]))\n"
    "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\n"
    "print('dense', round(float(m(tf.ones((1, 3)))[0, 0]), 4))\n"
    "x = np.random.default_rng(0).standard_normal((64, 300))\n"
    "y = (x[:, :1] > 0).astype(float)\n"
    "m = keras.Sequential([keras.Input((300,)), keras.layers.Dense(32, activation='relu'),\n"
    "                      keras.layers.Dense(1, activation='sigmoid')])\n"
    "m.compile(optimizer='adam', loss='binary_crossentropy')\n"
    "m.fit(x, y, epochs=3, batch_size=16, verbose=0)\n"
    "w = np.concatenate([v.ravel() for v in m.get_weights()])\n"
    "digest = hashlib.sha256(' '.join(f'{v:.12g}' for v in w).encode()).hexdigest()\n"
    "print('keras', keras.config.floatx(), w.dtype, digest)\n"
)


def _tensorflow_run(**course_env: str) -> list[str]:
    """TENSORFLOW_RUN's stdout lines (prepare_notebook's warnings left out), with the oneDNN
    and thread variables of ``course_env`` only; asserts that it ran and wrote nothing to
    stderr."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("ONEDNN_MAX_CPU_ISA", ONEDNN_ISA_OVERRIDE_ENV, THREADS_ENV, *THREAD_ENV)}
    run = subprocess.run([sys.executable, "-c", TENSORFLOW_RUN], capture_output=True, text=True,
                         timeout=120, env={**env, **course_env})
    assert run.returncode == 0, run.stderr
    assert run.stderr == "", f"stray stderr: {run.stderr!r}"
    return [line for line in run.stdout.splitlines() if not line.startswith("Warning:")]


def test_tensorflow_is_quiet_deterministic_and_independent_of_the_kernel_and_threads():
    """Two fresh interpreters, one TensorFlow start each (they are the slow part): the default
    (every core), and oneDNN capped at AVX with one thread (COURSE_ONEDNN_MAX_CPU_ISA,
    COURSE_THREADS). Both are quiet and print the same seeded weights, and the float64 Keras
    training gives the same weights to 12 digits under both. Why float64: CONTRIBUTING.md,
    "The set-up cell"."""
    default = _tensorflow_run()
    assert default[:2] == ["AVX2 0 0", "True"]  # 0: TensorFlow picks the thread count
    assert default[3].startswith("keras float64 float64 ")
    forced = _tensorflow_run(**{ONEDNN_ISA_OVERRIDE_ENV: "AVX", THREADS_ENV: "1"})
    assert forced[0] == "AVX 0 1"
    assert forced[2] == default[2], "seeded weights differ between two fresh interpreters"
    assert forced[3] == default[3], ("float64 Keras training depends on ONEDNN_MAX_CPU_ISA or "
                                     "on the thread count")


def test_a_preset_onednn_cap_is_replaced_unless_the_course_variable_sets_one(monkeypatch):
    from helpers.environment import ONEDNN_MAX_CPU_ISA, _set_quiet_tensorflow_env

    for variable in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND",
                     ONEDNN_ISA_OVERRIDE_ENV):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX")  # a machine that already sets a cap
    _set_quiet_tensorflow_env()
    assert os.environ["ONEDNN_MAX_CPU_ISA"] == ONEDNN_MAX_CPU_ISA == "AVX2"
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"
    monkeypatch.setenv(ONEDNN_ISA_OVERRIDE_ENV, "AVX")
    _set_quiet_tensorflow_env()
    assert os.environ["ONEDNN_MAX_CPU_ISA"] == "AVX"


def test_cpu_warning_only_where_tensorflow_rounds_differently():
    from helpers.environment import _cpu_warning

    assert _cpu_warning("x86_64", {"sse4_1", "avx", "avx2", "fma"}) is None
    assert _cpu_warning("x86_64", None) is None  # unknown flags (macOS on Intel): no false alarm
    assert "no AVX2" in _cpu_warning("x86_64", {"sse4_1", "avx"})
    assert "arm64 CPU" in _cpu_warning("arm64", None)


def test_cpuinfo_reads_the_first_value_of_a_field(tmp_path):
    from helpers.environment import cpuinfo

    fake = tmp_path / "cpuinfo"
    fake.write_text("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse2 avx2\n"
                    "cpu MHz\t\t: 2450.000: boost\n\nprocessor\t: 1\nmodel name\t: Other\n"
                    "flags\t\t: fpu\n")
    assert cpuinfo("model name", fake) == "AMD EPYC 7B13"
    assert cpuinfo("flags", fake) == "fpu sse2 avx2"
    assert cpuinfo("cpu MHz", fake) == "2450.000: boost"  # split at the first colon only
    assert cpuinfo("model", fake) is None  # a whole key, not a prefix
    assert cpuinfo("no such field", fake) is None
    assert cpuinfo("flags", tmp_path / "missing") is None  # macOS, Windows


#: A fresh interpreter: the set-up cell, then SciPy's own OpenBLAS and scikit-learn's OpenMP,
#: which load after it (in a notebook's import cell); prints each pool's threads, then the
#: thread variables as prepare_notebook left them.
THREADS_RUN = (
    "import os\n"
    "from helpers.environment import THREAD_ENV, prepare_notebook\n"
    "prepare_notebook(seed=1)\n"
    "import scipy.linalg, sklearn.linear_model\n"
    "from threadpoolctl import threadpool_info\n"
    "for pool in threadpool_info(): print(pool['user_api'], pool['num_threads'])\n"
    "print('env', *(os.environ.get(v, '-') for v in THREAD_ENV))\n"
)


def _threads_run(**course_env: str) -> tuple[list[list[str]], list[str]]:
    env = {k: v for k, v in os.environ.items() if k not in (THREADS_ENV, *THREAD_ENV)}
    result = subprocess.run([sys.executable, "-c", THREADS_RUN], capture_output=True, text=True,
                            env={**env, **course_env}, check=True)
    *pools, variables = [line.split() for line in result.stdout.splitlines()]
    assert {api for api, _ in pools} == {"blas", "openmp"}, pools
    return pools, variables


def test_course_threads_pins_blas_and_openmp_also_when_loaded_after_the_cell():
    pools, variables = _threads_run(**{THREADS_ENV: "1"})
    assert len(pools) >= 3 and {threads for _, threads in pools} == {"1"}, pools
    assert variables == ["env", "1", "1", "1"]


def test_without_course_threads_the_libraries_keep_every_core():
    pools, variables = _threads_run()
    assert variables == ["env", "-", "-", "-"]  # nothing set for the libraries loaded later
    cores = len(os.sched_getaffinity(0))
    assert {int(threads) for api, threads in pools if api == "blas"} == {cores}, pools


def test_thread_limit_reads_course_threads_and_names_a_bad_value():
    assert thread_limit({}) is None
    assert thread_limit({THREADS_ENV: " "}) is None
    assert thread_limit({THREADS_ENV: "4"}) == 4
    for bad in ("0", "two", "-1", "1.5"):
        with pytest.raises(ValueError, match=f"{THREADS_ENV}=.*unset it to use every core"):
            thread_limit({THREADS_ENV: bad})


def test_version_warnings_locally_advise_make_setup_and_on_colab_say_one_line():
    from helpers.environment import _version_warnings

    expected = {"numpy": "2.4", "tensorflow": "2.21", "keras": "3.15"}
    colab = {"numpy": "2.0.2", "tensorflow": "2.20.0", "keras": "3.10.0"}
    fake = {name: type("M", (), {"__version__": v}) for name, v in colab.items()}
    saved = {name: sys.modules.get(name) for name in fake}
    try:
        sys.modules.update(fake)
        local = _version_warnings(expected)
        on_colab = _version_warnings(expected, on_colab=True)
    finally:
        for name, module in saved.items():
            sys.modules[name] = module
    assert len(local) == 3 and all("make setup" in w for w in local)
    assert len(on_colab) == 1 and "\n" not in on_colab[0]
    assert "make setup" not in on_colab[0]
    assert "numpy 2.0.2" in on_colab[0] and "differ slightly from the stored ones" in on_colab[0]
    assert _version_warnings({"numpy": np.__version__[:3]}, on_colab=True) == []


def test_running_on_colab_follows_the_google_colab_module(monkeypatch):
    from helpers.environment import running_on_colab

    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert not running_on_colab()
    monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    assert running_on_colab()
