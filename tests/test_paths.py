"""helpers.paths: absolute locations, so nothing depends on the folder a notebook runs from."""

from __future__ import annotations

import nbformat
import pytest

from helpers import paths


def test_locations_are_the_checkout_folders():
    assert (paths.ROOT / "Makefile").is_file() and (paths.ROOT / "helpers").is_dir()
    assert paths.NOTEBOOKS_DIR.is_dir() and paths.EXPERIMENTS_DIR.is_dir()
    for path in (paths.NOTEBOOKS_DIR, paths.DATASETS_DIR, paths.BUILD_DIR, paths.EXPERIMENTS_DIR):
        assert path.is_absolute() and path.parent == paths.ROOT


def test_build_path_creates_its_folders_inside_build(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "BUILD_DIR", tmp_path / "build")
    path = paths.build_path("models/net.keras")
    assert path == tmp_path / "build" / "models" / "net.keras"
    assert path.parent.is_dir() and not path.exists()
    with pytest.raises(ValueError, match="outside build/"):
        paths.build_path("../escaped.txt")


def test_no_notebook_writes_relative_to_its_working_folder():
    """A student edition runs from notebooks/student/, a graded one from a temporary folder:
    "../build" would land somewhere else each time. Generated files go through build_path."""
    for notebook in sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert '"../' not in cell.source and "'../" not in cell.source, (
                    f"{notebook.name}: a path relative to the working folder in:\n{cell.source}")
