"""The cat / non-cat dataset: fetch it, verify it and load it.

Command line: ``python -m helpers.data fetch|verify [--dir DIR]``. The files live in
``$CATVNONCAT_DIR`` if set, else in the project's ``datasets/``, whatever the working folder.
Every problem with a file raises DatasetError, naming the file, the problem and the fix.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from helpers.paths import DATASETS_DIR

#: Environment variable that points the loader (and ``verify``/``fetch``) at another folder.
DATA_DIR_ENV = "CATVNONCAT_DIR"
#: Environment variable that gives ``fetch`` its source (a folder or a base URL).
DATA_SOURCE_ENV = "DATA_SOURCE"

#: A public copy of the original files, pinned to one commit so the bytes never change.
DEFAULT_SOURCE = (
    "https://raw.githubusercontent.com/Hiren2002/Logistic-Regression/"
    "a6139a838a0e624f4ab923377df0c5d3386fdf1f/datasets/"
)

FETCH_HINT = "make setup   (or: python -m helpers.data fetch --source DIR_OR_URL)"


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


# --------------------------------------------------------------------------- fetch


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _copy_verified(src: Path, target: Path, expected_sha256: str) -> None:
    """Copy ``src`` to ``target`` through a temporary file; it lands only if the hash matches."""
    if not src.is_file():
        raise DatasetError(f"{src}: source file not found. Check --source / DATA_SOURCE.")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out, 1 << 20)
        actual = sha256_of(tmp)
        if actual != expected_sha256:
            raise DatasetError(
                f"{src}: SHA-256 is {actual[:16]}..., expected {expected_sha256[:16]}...; "
                "not installed. Use a source with the original bytes."
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _download_verified(url: str, target: Path, expected_sha256: str) -> None:
    """Download with pooch, which writes to a temporary file and checks the hash first."""
    import pooch
    import requests

    try:
        pooch.retrieve(
            url,
            known_hash=f"sha256:{expected_sha256}",
            fname=target.name,
            path=target.parent,
            progressbar=False,
        )
    except ValueError as err:  # pooch's hash mismatch
        raise DatasetError(
            f"{url}: downloaded file failed its checksum; not installed ({err})"
        ) from None
    except requests.exceptions.RequestException as err:
        raise DatasetError(
            f"{url}: download failed ({err}). Check the address and your connection, "
            "or point --source / DATA_SOURCE at a folder that holds the files."
        ) from None


def fetch_file(source: str, spec: SplitSpec, directory: Path,
               expected_sha256: str | None = None) -> str:
    """Make sure ``directory/spec.filename`` is the verified file. Returns a one-line summary."""
    expected_sha256 = expected_sha256 or spec.sha256
    target = directory / spec.filename
    if target.exists():
        if target.is_file() and sha256_of(target) == expected_sha256:
            return f"OK  {target.name}: already present and verified"
        raise DatasetError(
            f"{target}: already exists but does not match the expected SHA-256; it was not "
            "overwritten. If it is your own dataset, move it elsewhere and point "
            f"{DATA_DIR_ENV} at it; otherwise delete it, then fetch again."
        )
    if _is_url(source):
        url = source if source.endswith(".h5") else source.rstrip("/") + "/" + spec.filename
        _download_verified(url, target, expected_sha256)
        origin = url
    else:
        folder = Path(source.removeprefix("file://")).expanduser()
        src = folder / spec.filename if folder.is_dir() else folder
        _copy_verified(src, target, expected_sha256)
        origin = str(src)
    read_split(target, spec.split)  # the bytes are right; make sure h5py can read them here too
    return f"OK  {target.name}: fetched from {origin} and verified"


def fetch(source: str | None = None, directory: str | os.PathLike | None = None,
          expected: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """Fetch both files from ``source`` (folder or base URL) into ``directory``.

    ``expected`` ({filename: sha256}) overrides the official sums.
    Returns (ok_lines, problem_lines).
    """
    source = source or os.environ.get(DATA_SOURCE_ENV) or DEFAULT_SOURCE
    folder = data_dir(directory)
    folder.mkdir(parents=True, exist_ok=True)
    expected = expected or {}
    ok, problems = [], []
    for spec in SPLITS:
        try:
            ok.append(fetch_file(source, spec, folder, expected.get(spec.filename)))
        except DatasetError as err:
            problems.append(f"FAIL {err}")
    return ok, problems


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.data",
                                     description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p_fetch = commands.add_parser("fetch", help="copy or download the two files, verified")
    p_fetch.add_argument("--source", help=f"folder or base URL (default: ${DATA_SOURCE_ENV}, "
                                          "else the pinned public copy)")
    p_fetch.add_argument("--dir", help=f"target folder (default: ${DATA_DIR_ENV} or datasets/)")
    p_verify = commands.add_parser("verify", help="check both files: sums, keys, shapes, labels")
    p_verify.add_argument("--dir", help=f"folder to check (default: ${DATA_DIR_ENV} or datasets/)")
    args = parser.parse_args(argv)

    if args.command == "fetch":
        ok, problems = fetch(args.source, args.dir)
    else:
        ok, problems = verify(args.dir)
    for line in ok:
        print(line)
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
