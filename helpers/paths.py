"""Absolute paths in the project checkout, so that no code depends on the working folder."""

from __future__ import annotations

from pathlib import Path

#: The project checkout: the folder that holds ``helpers/``, ``notebooks/`` and ``Makefile``.
ROOT = Path(__file__).resolve().parent.parent
#: The instructor notebooks.
NOTEBOOKS_DIR = ROOT / "notebooks"
#: Where ``make setup`` puts the ``.h5`` files (never committed).
DATASETS_DIR = ROOT / "datasets"
#: Generated files: saved models, demo images, student editions. Git ignores it.
BUILD_DIR = ROOT / "build"
#: Experiment scripts and their committed results.
EXPERIMENTS_DIR = ROOT / "experiments"


def build_path(name: str) -> Path:
    """The absolute path of ``name`` inside ``build/``, its folders created.

    Raises ValueError if ``name`` leads outside ``build/``.
    """
    path = BUILD_DIR / name
    if BUILD_DIR.resolve() not in path.resolve().parents:  # build/ may be a symlink
        raise ValueError(f"{name!r} leads outside build/; give a name such as 'demo_cat.jpg'.")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
