"""The cat / non-cat dataset: load it, verify it, split it into stratified folds.

The files live in ``$CATVNONCAT_DIR`` if set, else in the project's ``datasets/``; fetching them
is ``python -m course_tools.fetch``. Every problem with a file raises DatasetError.
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from helpers.paths import DATASETS_DIR

#: Environment variable that points the loader (and ``verify``/``fetch``) at another folder.
DATA_DIR_ENV = "CATVNONCAT_DIR"

FETCH_HINT = "make setup   (or: python -m course_tools.fetch --source DIR_OR_URL)"


@dataclass(frozen=True)
class SplitSpec:
    """What one of the two files must contain."""

    split: str  # "train" or "test"
    filename: str
    sha256: str  # of the official file
    count: int  # number of images in the official file

    @property
    def x_key(self) -> str:
        return f"{self.split}_set_x"

    @property
    def y_key(self) -> str:
        return f"{self.split}_set_y"


TRAIN = SplitSpec(
    "train",
    "train_catvnoncat.h5",
    "fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242",
    209,
)
TEST = SplitSpec(
    "test",
    "test_catvnoncat.h5",
    "6a9d39ce52fa85953c5834695b8534a30ed8cfd54971fb2f080b5a24d002b951",
    50,
)
SPLITS = (TRAIN, TEST)
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


class DatasetError(Exception):
    """A dataset file is missing, unreadable or not what the course expects."""


class CatData(NamedTuple):
    """The dataset as the course uses it. Unpacks like the classic five-tuple."""

    train_x: np.ndarray  # (m_train, num_px, num_px, 3) uint8
    train_y: np.ndarray  # (1, m_train) int64, 0 = non-cat, 1 = cat
    test_x: np.ndarray  # (m_test, num_px, num_px, 3) uint8
    test_y: np.ndarray  # (1, m_test) int64
    classes: list[str]  # ["non-cat", "cat"]: classes[label] is the label's name


# --------------------------------------------------------------------------- locations


def data_dir(directory: str | os.PathLike | None = None) -> Path:
    """The folder to read from: ``directory``, else ``$CATVNONCAT_DIR``, else ``datasets/``."""
    if directory is not None:
        return Path(directory).expanduser().resolve()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser().resolve()
    return DATASETS_DIR


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, as 64 hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- reading


def _check_is_hdf5(path: Path) -> None:
    """Raise a clear DatasetError unless ``path`` looks like an HDF5 file."""
    if not path.exists():
        raise DatasetError(f"{path}: file not found. Fetch the dataset with: {FETCH_HINT}")
    if path.is_dir():
        raise DatasetError(f"{path}: is a folder, not an HDF5 file. Move it aside and run: "
                           f"{FETCH_HINT}")
    size = path.stat().st_size
    if size == 0:
        raise DatasetError(
            f"{path}: file is empty (0 bytes), probably an interrupted download. "
            f"Delete it and run: {FETCH_HINT}"
        )
    with open(path, "rb") as f:
        head = f.read(512)
    if head.startswith(HDF5_SIGNATURE):
        return
    text = head.lstrip().lower()
    if text.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
        raise DatasetError(
            f"{path}: is an HTML/XML page, not HDF5 (a download saved an error page instead "
            f"of the data). Delete it and run: {FETCH_HINT}"
        )
    if text.startswith(b"version https://git-lfs"):
        raise DatasetError(
            f"{path}: is a Git LFS pointer, not the data. Delete it and fetch a real copy: "
            f"{FETCH_HINT}"
        )
    raise DatasetError(
        f"{path}: is not an HDF5 file (it does not start with the HDF5 signature). "
        f"Delete it and run: {FETCH_HINT}"
    )


def read_split(path: str | os.PathLike, split: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Read and check one file of the course schema (any m, any square size).

    Returns images (m, px, px, 3) uint8, labels (m,) int64 in {0, 1}, classes (2 names).
    Raises DatasetError naming the file, the problem and the fix.
    """
    import h5py  # imported here so `import helpers` stays light

    path = Path(path)
    _check_is_hdf5(path)
    x_key, y_key = f"{split}_set_x", f"{split}_set_y"
    refetch = f"Delete it and run: {FETCH_HINT}"
    try:
        with h5py.File(path, "r") as f:
            missing = [k for k in (x_key, y_key, "list_classes") if k not in f]
            if missing:
                found = ", ".join(sorted(f.keys())) or "none"
                other = "test" if split == "train" else "train"
                hint = (
                    f" This looks like the {other} file: check the file names."
                    if f"{other}_set_x" in f
                    else f" {refetch}"
                )
                raise DatasetError(
                    f"{path}: missing key(s) {', '.join(missing)} (found: {found}).{hint}"
                )
            images = f[x_key][()]
            labels = f[y_key][()]
            raw_classes = f["list_classes"][()]
    except DatasetError:
        raise
    except (OSError, KeyError, ValueError, RuntimeError) as err:
        raise DatasetError(
            f"{path}: HDF5 file is truncated or corrupt ({err}). {refetch}"
        ) from None

    problems = []
    if images.dtype != np.uint8:
        problems.append(f"{x_key} has dtype {images.dtype}, expected uint8")
    if images.ndim != 4 or images.shape[3] != 3 or images.shape[1] != images.shape[2]:
        problems.append(f"{x_key} has shape {images.shape}, expected (m, num_px, num_px, 3)")
    if labels.ndim == 2 and labels.shape[0] == 1:
        labels = labels[0]  # accept (1, m) as well as (m,)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        problems.append(f"{y_key} has shape {labels.shape} and dtype {labels.dtype}, "
                        "expected (m,) integers")
    elif images.ndim >= 1 and labels.shape[0] != images.shape[0]:
        problems.append(f"{y_key} has {labels.shape[0]} labels for {images.shape[0]} images")
    elif labels.size and not np.isin(labels, (0, 1)).all():
        bad = sorted(set(np.unique(labels).tolist()) - {0, 1})
        problems.append(f"{y_key} has labels {bad[:5]} outside {{0, 1}}")
    if raw_classes.shape != (2,):
        problems.append(f"list_classes has shape {raw_classes.shape}, expected (2,)")
    if problems:
        raise DatasetError(f"{path}: " + "; ".join(problems) + f". {refetch}")
    classes = [c.decode("utf-8") if isinstance(c, bytes) else str(c) for c in raw_classes]
    return images, labels.astype(np.int64), classes


def load_catvnoncat(directory: str | os.PathLike | None = None) -> CatData:
    """Load the train and test sets from ``directory`` (default: see :func:`data_dir`).

    Returns CatData: train_x (m_train, px, px, 3) uint8, train_y (1, m_train) int64, test_x,
    test_y likewise, classes (2 names). Raises DatasetError.
    """
    folder = data_dir(directory)
    train_x, train_y, classes = read_split(folder / TRAIN.filename, TRAIN.split)
    test_x, test_y, test_classes = read_split(folder / TEST.filename, TEST.split)
    if train_x.shape[1:] != test_x.shape[1:]:
        raise DatasetError(
            f"{folder}: train images are {train_x.shape[1:]} but test images are "
            f"{test_x.shape[1:]}; both files must come from the same dataset."
        )
    if classes != test_classes:
        raise DatasetError(
            f"{folder}: train classes {classes} differ from test classes {test_classes}; "
            "both files must come from the same dataset."
        )
    return CatData(train_x, train_y.reshape(1, -1), test_x, test_y.reshape(1, -1), classes)


# --------------------------------------------------------------------------- splitting


def stratified_folds(y: np.ndarray, k: int, seed: int | np.random.Generator, *,
                     first_fold_fraction: float | None = None) -> np.ndarray:
    """Assign each example to one of ``k`` folds, each class spread evenly: (m,) -> (m,) ints.

    Each class (0, then 1) is shuffled with ``np.random.default_rng(seed)`` (a Generator is used
    as is) and dealt round-robin, continuing where the previous class stopped, so fold sizes
    differ by at most one. With ``first_fold_fraction`` (and k = 2), fold 0 instead takes the
    first round(fraction * n) of each class's n (halves up, between 1 and n - 1): a train/test
    split. Raises ValueError if k < 2 or a class has fewer than k examples.
    """
    y = np.asarray(y).ravel()
    if k < 2:
        raise ValueError(f"need at least 2 folds, got {k}.")
    if first_fold_fraction is not None and k != 2:
        raise ValueError(f"first_fold_fraction splits into 2 folds, got k={k}.")
    counts = np.bincount(y, minlength=2)
    if counts.min() < k:
        raise ValueError(f"each class needs at least {k} examples for {k} folds; "
                         f"got {counts.tolist()} (non-cat, cat).")
    rng = np.random.default_rng(seed)
    fold = np.empty(y.size, dtype=np.int64)
    start = 0
    for label in (0, 1):
        idx = rng.permutation(np.flatnonzero(y == label))
        if first_fold_fraction is None:
            fold[idx] = (start + np.arange(idx.size)) % k
            start = (start + idx.size) % k
        else:
            n_first = min(max(math.floor(first_fold_fraction * idx.size + 0.5), 1), idx.size - 1)
            fold[idx] = np.arange(idx.size) >= n_first
    return fold


# --------------------------------------------------------------------------- verify


def verify_file(path: Path, spec: SplitSpec) -> str:
    """Check one official file completely. Returns a one-line summary or raises DatasetError."""
    images, labels, classes = read_split(path, spec.split)  # structure first: clearer messages
    actual = sha256_of(path)
    if actual != spec.sha256:
        raise DatasetError(
            f"{path}: SHA-256 is {actual[:16]}..., expected {spec.sha256[:16]}... "
            "(the file is corrupt, re-encoded or a different dataset). It was not changed; "
            f"move it aside and run: {FETCH_HINT}"
        )
    n_cats = int(labels.sum())
    return (
        f"OK  {path.name}: {images.shape[0]} images {images.shape[1:]} uint8, "
        f"{n_cats} cat / {labels.size - n_cats} non-cat, classes {classes}, sha256 {actual[:12]}"
    )


def verify(directory: str | os.PathLike | None = None) -> tuple[list[str], list[str]]:
    """Verify both official files. Returns (ok_lines, problem_lines)."""
    folder = data_dir(directory)
    ok, problems = [], []
    for spec in SPLITS:
        try:
            ok.append(verify_file(folder / spec.filename, spec))
        except DatasetError as err:
            problems.append(f"FAIL {err}")
    return ok, problems
