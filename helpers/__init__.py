"""Shared code of the Cat or Not notebooks (the README's "Where things live" lists the modules).

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
