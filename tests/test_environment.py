"""helpers.environment: the first cell of every notebook."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from helpers.environment import prepare_notebook


def test_seeds_numpy_reproducibly():
    prepare_notebook(seed=3)
    first = np.random.rand(3)
    prepare_notebook(seed=3)
    assert np.array_equal(first, np.random.rand(3))


def test_tensorflow_start_is_quiet_and_deterministic():
    """In a fresh interpreter, as in a notebook kernel: nothing reaches stderr."""
    code = (
        "from helpers.environment import prepare_notebook\n"
        "prepare_notebook(seed=1, tensorflow=True)\n"
        "import os, keras, tensorflow as tf\n"
        "print(os.environ['TF_ENABLE_ONEDNN_OPTS'],"
        " tf.config.threading.get_intra_op_parallelism_threads())\n"
        "print(float(keras.random.uniform((1,), seed=1)[0]) ==\n"
        "      float(keras.random.uniform((1,), seed=1)[0]))\n"
        "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\n"
        "print(round(float(m(tf.ones((1, 3)))[0, 0]), 4))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=120) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert run.stderr == "", f"stray stderr: {run.stderr!r}"
        assert run.stdout.splitlines()[:2] == ["0 1", "True"]
    assert runs[0].stdout == runs[1].stdout, "seeded weights differ between two runs"


def test_blas_runs_on_one_thread():
    from threadpoolctl import threadpool_info

    prepare_notebook(seed=1)
    blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and set(blas) == {1}
