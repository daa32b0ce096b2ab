"""Small dataset files in the course schema, for tests/test_data.py and tests/test_fetch.py."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from helpers import data
from helpers.data import TEST, TRAIN


def write_split(path: Path, split: str, m: int = 6, px: int = 8, *, seed: int = 0,
                x_dtype=np.uint8, labels=None, keys=None, classes=(b"non-cat", b"cat")) -> Path:
    """Write a small file in the course schema (or a broken variant of it)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(m, px, px, 3)).astype(x_dtype)
    y = np.array(labels if labels is not None else [i % 2 for i in range(m)], dtype=np.int64)
    keys = keys or (f"{split}_set_x", f"{split}_set_y", "list_classes")
    with h5py.File(path, "w") as f:
        f.create_dataset(keys[0], data=x)
        f.create_dataset(keys[1], data=y)
        f.create_dataset(keys[2], data=np.array(classes, dtype="S7"))
    return path


def good_folder(tmp_path: Path) -> Path:
    """tmp_path/good with a valid 6-image train file and 4-image test file."""
    folder = tmp_path / "good"
    folder.mkdir()
    write_split(folder / TRAIN.filename, "train", m=6, seed=1)
    write_split(folder / TEST.filename, "test", m=4, seed=2)
    return folder


def sums(folder: Path) -> dict[str, str]:
    return {spec.filename: data.sha256_of(folder / spec.filename) for spec in data.SPLITS}
