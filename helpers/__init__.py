"""Shared code for the Cat or Not course notebooks.

Modules, one job each:

- ``helpers.environment``: the first cell of every notebook (versions, seeds, quiet TensorFlow).
- ``helpers.data``: fetch, verify and load the cat / non-cat dataset.
- ``helpers.images``: turn any image file into the model's input; build a dataset from photos.
- ``helpers.plots``: the figures the notebooks share.
- ``helpers.checks``: the checks that follow each exercise.
- ``helpers.cnn``: notebook 4's convolutional network and the procedure that trains it.
- ``helpers.layers``: Keras layers fixed for float64 (import after ``prepare_notebook``).
- ``helpers.paths``: where things live in the checkout (``build_path`` for generated files).

``import helpers`` is light: NumPy and friends load only when a module needs them, so
``helpers.environment.prepare_notebook`` can still set thread and logging variables first.
"""

_LAZY = {
    "load_catvnoncat": "helpers.data",
    "CatData": "helpers.data",
    "DatasetError": "helpers.data",
    "prepare_notebook": "helpers.environment",
    "build_path": "helpers.paths",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
