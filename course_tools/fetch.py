"""Fetch the two dataset files into ``datasets/`` (or ``$CATVNONCAT_DIR``), verified.

Command line: ``python -m course_tools.fetch [--source FOLDER_OR_URL] [--dir DIR]``, and
``python -m course_tools.fetch --verify-only`` to check the files already there.
A file lands only once its SHA-256 matches; an existing file is never overwritten.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from helpers.data import (
    DATA_DIR_ENV,
    SPLITS,
    DatasetError,
    SplitSpec,
    data_dir,
    read_split,
    sha256_of,
    verify,
)

#: Environment variable that gives ``fetch`` its source (a folder or a base URL).
DATA_SOURCE_ENV = "DATA_SOURCE"

#: A public copy of the original files, pinned to one commit so the bytes never change.
DEFAULT_SOURCE = (
    "https://raw.githubusercontent.com/Hiren2002/Logistic-Regression/"
    "a6139a838a0e624f4ab923377df0c5d3386fdf1f/datasets/"
)


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
    parser = argparse.ArgumentParser(prog="python -m course_tools.fetch",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--source", help=f"folder or base URL (default: ${DATA_SOURCE_ENV}, "
                                         "else the pinned public copy)")
    parser.add_argument("--dir", help=f"target folder (default: ${DATA_DIR_ENV} or datasets/)")
    parser.add_argument("--verify-only", action="store_true",
                        help="fetch nothing; check the files there: sums, keys, shapes, labels")
    args = parser.parse_args(argv)
    if args.verify_only and args.source:
        parser.error("--verify-only fetches nothing; drop --source")

    ok, problems = verify(args.dir) if args.verify_only else fetch(args.source, args.dir)
    for line in ok:
        print(line)
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
