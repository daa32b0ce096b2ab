"""Build a dataset in the course's format from a folder of photos.

Command line: ``python -m course_tools.photos build SRC_DIR OUT_DIR`` (``--help`` lists the
options; the README's "Bring your own photos" explains labelling, conversion and the split).
Memory stays bounded: photos are decoded one at a time (:func:`helpers.images.load_image`) and
the small results go to a temporary file.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import shlex
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from helpers.data import stratified_folds
from helpers.images import ImageError, available_formats, check_size, load_image

#: File names the build writes into OUT_DIR.
TRAIN_FILE, TEST_FILE = "train_catvnoncat.h5", "test_catvnoncat.h5"
SOURCES_FILE = "catvnoncat_sources.csv"
OUTPUT_FILES = (TRAIN_FILE, TEST_FILE, SOURCES_FILE)
LAYOUTS = ("auto", "names", "folders")
#: Bytes of images copied from the temporary file to an output at a time (64 x 64: 682 images).
CHUNK_BYTES = 8 * 2**20


class BuildError(Exception):
    """A dataset cannot be built from this folder; ``report`` holds the skipped files so far."""

    def __init__(self, message: str, *, report: BuildReport | None = None):
        super().__init__(message)
        self.report = report



# --------------------------------------------------------------------------- labels and files


def matches_class(name: str, word: str) -> bool:
    """True if ``name`` starts with ``word`` (any case, plural "s" allowed) and no letter follows.

    >>> [matches_class(n, "cat") for n in ("cat.1.jpg", "Cats_2.png", "caterpillar.jpg")]
    [True, True, False]
    """
    name, word = name.casefold(), word.casefold()
    if not name.startswith(word):
        return False
    rest = name[len(word):]
    if rest.startswith("s") and not rest[1:2].isalpha():
        return True
    return not rest[:1].isalpha()


def _visible(names: list[str]) -> list[str]:
    return sorted(n for n in names if not n.startswith("."))


def _walk_files(folder: Path, exclude: Path | None) -> Iterator[Path]:
    """Every non-hidden file below ``folder``, sorted, skipping the output folder ``exclude``."""
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = [d for d in _visible(dirs) if (here / d).resolve() != exclude]
        outputs_here = here.resolve() == exclude
        for name in _visible(files):
            if not (outputs_here and name in OUTPUT_FILES):
                yield here / name


def _looks_like_image(path: Path) -> bool:
    """True if the extension is one of a format :func:`load_image` opens (.jpg, .png, ...)."""
    return Image.registered_extensions().get(path.suffix.lower()) in available_formats()


def find_images(src: Path, positive: str = "cat", layout: str = "auto",
                exclude: Path | None = None) -> tuple[str, list[tuple[Path, int]], list[Path]]:
    """The layout used, [(file, label 0 or 1)] sorted, and files outside any class folder.

    Raises BuildError: ``src`` is not a folder, the layout is ambiguous, or a class is empty.
    """
    if not src.exists():
        raise BuildError(f"{src}: folder not found. Check SRC_DIR.")
    if not src.is_dir():
        raise BuildError(f"{src}: is a file, not a folder. SRC_DIR must be a folder of images.")
    exclude = exclude.resolve() if exclude is not None else None
    entries = [src / n for n in _visible(os.listdir(src))]
    subfolders = [p for p in entries if p.is_dir() and p.resolve() != exclude]
    top_files = [p for p in entries if p.is_file()
                 and not (src.resolve() == exclude and p.name in OUTPUT_FILES)]
    if layout == "auto":
        top_images = [p for p in top_files if _looks_like_image(p)]
        if subfolders and top_images:
            raise BuildError(
                f"{src}: ambiguous layout, it has both image files ({top_images[0].name}, ...) "
                f"and sub-folders ({subfolders[0].name}, ...). Pass --layout names (label by "
                "file name, sub-folders included) or --layout folders (one sub-folder per class, "
                "files directly in SRC_DIR skipped).")
        layout = "folders" if subfolders else "names"

    if layout == "names":
        labelled = [(p, int(matches_class(p.name, positive)))
                    for p in _walk_files(src, exclude)]
        outside: list[Path] = []
        where = f"no file name in {src} starts with '{positive}'"
        what = "file names"
    elif layout == "folders":
        labelled = [(p, int(matches_class(folder.name, positive)))
                    for folder in subfolders for p in _walk_files(folder, exclude)]
        outside = top_files
        names = ", ".join(p.name for p in subfolders[:6]) or "none"
        where = f"no sub-folder of {src} is named '{positive}' (found: {names})"
        what = "folder names"
    else:
        raise BuildError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}.")

    if not labelled:
        raise BuildError(f"{src}: no files found (layout: {layout}). Put the photos there, "
                         "or check SRC_DIR.")
    n_pos = sum(label for _, label in labelled)
    if n_pos == 0:
        raise BuildError(f"{src}: only one class: {where}, so there are no positive examples. "
                         f"Rename them (e.g. {positive}.1.jpg or a '{positive}' sub-folder) or "
                         "pass --positive NAME.")
    if n_pos == len(labelled):
        raise BuildError(
            f"{src}: only one class: all {n_pos} files are labelled '{positive}' by their "
            f"{what}. Add negative examples (any other name), or check --positive.")
    return layout, labelled, outside


def stratified_split(labels: np.ndarray, test_fraction: float,
                     seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Reproducible per-class split of labels (m,) in {0, 1} into shuffled (train, test) indices.

    Each class of n gives round(test_fraction * n) (halves up, between 1 and n - 1) to the test
    set: fold 0 of :func:`helpers.data.stratified_folds`, the rest is train.
    """
    rng = np.random.default_rng(seed)
    fold = stratified_folds(labels, 2, rng, first_fold_fraction=test_fraction)
    train = rng.permutation(np.flatnonzero(fold == 1))
    test = rng.permutation(np.flatnonzero(fold == 0))
    return train.astype(np.int64), test.astype(np.int64)


# --------------------------------------------------------------------------- building


@dataclass
class BuildReport:
    """What a build did. ``skipped`` holds (file, ImageError) for every file left out."""

    layout: str
    size: int
    class_names: tuple[str, str]
    train_counts: tuple[int, int] = (0, 0)  # (negatives, positives)
    test_counts: tuple[int, int] = (0, 0)
    skipped: list[tuple[Path, ImageError]] = field(default_factory=list)
    outputs: tuple[Path, ...] = ()

    def skipped_summary(self, limit: int = 20) -> list[str]:
        """Lines describing the skipped files: a count per reason, then the first ``limit``."""
        if not self.skipped:
            return []
        kinds = Counter(err.kind for _, err in self.skipped)
        lines = [f"Skipped {len(self.skipped):,} file(s): "
                 + ", ".join(f"{n:,} {kind}" for kind, n in kinds.most_common())]
        lines += [f"  {err}" for _, err in self.skipped[:limit]]
        if len(self.skipped) > limit:
            lines.append(f"  ... and {len(self.skipped) - limit:,} more")
        return lines


def _progress(total: int, enabled: bool):
    from tqdm import tqdm  # the text bar: tqdm.auto would want ipywidgets in Jupyter

    return tqdm(total=total, unit="img", desc="Reading images", file=sys.stderr,
                disable=not enabled, leave=False)


def _copy_rows(staging, rows: np.ndarray, size: int, dataset) -> None:
    """Copy staging rows ``rows`` (in that order) into ``dataset``, CHUNK_BYTES at a time."""
    nbytes = size * size * 3
    per_chunk = max(1, CHUNK_BYTES // nbytes)
    for start in range(0, rows.size, per_chunk):
        chunk = rows[start:start + per_chunk]
        buffer = np.empty((chunk.size, size, size, 3), dtype=np.uint8)
        for j, row in enumerate(chunk):
            staging.seek(int(row) * nbytes)
            if staging.readinto(buffer[j]) != nbytes:
                raise BuildError(f"{staging.name}: temporary file is short; is the disk full?")
        dataset[start:start + chunk.size] = buffer


def _write_h5(path: Path, split: str, staging, rows: np.ndarray, labels: np.ndarray,
              size: int, class_names: tuple[str, str], attrs: dict) -> None:
    import h5py

    with h5py.File(path, "w") as f:
        x = f.create_dataset(f"{split}_set_x", shape=(rows.size, size, size, 3), dtype=np.uint8)
        _copy_rows(staging, rows, size, x)
        f.create_dataset(f"{split}_set_y", data=labels[rows].astype(np.int64))
        f.create_dataset("list_classes", data=np.array([n.encode() for n in class_names]))
        f.attrs.update(attrs)


def _temp_path(out: Path, name: str) -> Path:
    """A new empty file ``out/.name.XXXXXXXX.part``, with the usual permissions (umask)."""
    while True:
        path = out / f".{name}.{secrets.token_hex(4)}.part"
        try:
            path.open("xb").close()  # unlike mkstemp (0600), respects the umask like any file
            return path
        except FileExistsError:
            continue


def build_dataset(src: str | os.PathLike, out: str | os.PathLike, *, size: int = 64,
                  test_fraction: float = 0.2, seed: int = 0, positive: str = "cat",
                  negative: str | None = None, layout: str = "auto", overwrite: bool = False,
                  progress: bool = False) -> BuildReport:
    """Write ``train_catvnoncat.h5`` and ``test_catvnoncat.h5`` in ``out`` from photos in ``src``.

    Outputs appear only when complete. Returns a BuildReport (class counts, skipped files).
    Raises BuildError (one line) for a problem with the folder or the arguments.
    """
    src, out = Path(src).expanduser(), Path(out).expanduser()
    size = check_size(size)
    if not 0 < test_fraction < 1:
        raise BuildError(f"test fraction must be strictly between 0 and 1, got {test_fraction}.")
    positive = positive.strip()
    negative = (negative or f"non-{positive}").strip()
    if not positive or not any(c.isalpha() for c in positive):
        raise BuildError(f"the positive class name must contain a letter, got {positive!r}.")
    if not negative or negative.casefold() == positive.casefold():
        raise BuildError(f"the negative class name must differ from the positive one "
                         f"({positive!r}), got {negative!r}.")
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out}: exists and is not a folder. OUT_DIR must be a folder.")
    existing = [name for name in OUTPUT_FILES if (out / name).exists()]
    if existing and not overwrite:
        raise BuildError(f"{out}: already has {', '.join(existing)}; not overwritten. Pass "
                         "--overwrite to replace, or choose another OUT_DIR.")

    layout, labelled, outside = find_images(src, positive, layout, exclude=out)
    class_names = (negative, positive)
    report = BuildReport(layout, size, class_names)
    report.skipped = [(p, ImageError(f"{p}: not in a class sub-folder (layout: folders).",
                                     kind="outside class folders")) for p in outside]

    out.mkdir(parents=True, exist_ok=True)
    temps = {name: _temp_path(out, name) for name in ("staging", *OUTPUT_FILES)}
    try:
        labels, sources = [], []
        with open(temps["staging"], "w+b") as staging:
            with _progress(len(labelled), progress) as bar:
                for path, label in labelled:
                    try:
                        image = load_image(path, size)
                    except ImageError as err:
                        report.skipped.append((path, err))
                    else:
                        staging.write(image.tobytes())
                        labels.append(label)
                        sources.append(path.relative_to(src).as_posix())
                    bar.update()
            labels = np.array(labels, dtype=np.int64)
            counts = np.bincount(labels, minlength=2)
            if counts.sum() == 0:
                raise BuildError(f"{src}: no usable images: all {len(report.skipped):,} files "
                                 "were skipped (reasons listed above).", report=report)
            if counts.min() < 2:
                raise BuildError(
                    f"{src}: need at least 2 usable images of each class (one for train, one "
                    f"for test), found {counts[1]} '{positive}' and {counts[0]} '{negative}'.",
                    report=report)

            train, test = stratified_split(labels, test_fraction, seed)
            attrs = {"created_by": "course_tools.photos build", "size": size, "seed": seed,
                     "test_fraction": test_fraction, "layout": layout}
            _write_h5(temps[TRAIN_FILE], "train", staging, train, labels, size, class_names,
                      attrs)
            _write_h5(temps[TEST_FILE], "test", staging, test, labels, size, class_names, attrs)
        with open(temps[SOURCES_FILE], "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["split", "index", "label", "class", "source"])
            for split, rows in (("train", train), ("test", test)):
                for index, row in enumerate(rows):
                    writer.writerow([split, index, labels[row], class_names[labels[row]],
                                     sources[row]])
        for name in OUTPUT_FILES:
            os.replace(temps[name], out / name)
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)

    report.train_counts = tuple(int(n) for n in np.bincount(labels[train], minlength=2))
    report.test_counts = tuple(int(n) for n in np.bincount(labels[test], minlength=2))
    report.outputs = tuple(out / name for name in OUTPUT_FILES)
    return report


# --------------------------------------------------------------------------- CLI


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be strictly between 0 and 1, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.photos",
        description="Build a cat / non-cat dataset in the course's format from your own photos.",
        epilog="Labelling rules, image conversion and split: see `pydoc course_tools.photos`.")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser(
        "build", help="folder of photos -> train_catvnoncat.h5 and test_catvnoncat.h5",
        description="Read every image in SRC_DIR, label it, resize it and write the course's "
                    "two .h5 files into OUT_DIR. Then: CATVNONCAT_DIR=OUT_DIR make lab")
    p.add_argument("src", metavar="SRC_DIR", help="folder of photos")
    p.add_argument("out", metavar="OUT_DIR", help="where the .h5 files go (created if needed)")
    p.add_argument("--size", type=_positive_int, default=64,
                   help="side of the square images in pixels (default: 64)")
    p.add_argument("--test-fraction", type=_fraction, default=0.2,
                   help="share of each class put in the test set (default: 0.2)")
    p.add_argument("--seed", type=int, default=0, help="seed of the split (default: 0)")
    p.add_argument("--positive", default="cat", metavar="NAME",
                   help="class word of label 1, matched at the start of file or folder names "
                        "(default: cat)")
    p.add_argument("--negative", metavar="NAME",
                   help="name stored for label 0 (default: non-<positive>)")
    p.add_argument("--layout", choices=LAYOUTS, default="auto",
                   help="label by file names or by sub-folders (default: auto)")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"argument --seed: must be 0 or more, got {args.seed}")

    try:
        report = build_dataset(args.src, args.out, size=args.size,
                               test_fraction=args.test_fraction, seed=args.seed,
                               positive=args.positive, negative=args.negative,
                               layout=args.layout, overwrite=args.overwrite,
                               progress=not args.quiet)
    except BuildError as err:
        for line in err.report.skipped_summary() if err.report else []:
            print(line, file=sys.stderr)
        print(f"error: {err}", file=sys.stderr)
        return 1
    for line in report.skipped_summary():
        print(line, file=sys.stderr)

    negative, positive = report.class_names
    for path, (n_neg, n_pos) in zip(report.outputs[:2], (report.train_counts,
                                                        report.test_counts), strict=True):
        print(f"OK  {path}: {n_neg + n_pos:,} images ({report.size}, {report.size}, 3) uint8, "
             f"{n_pos:,} {positive} / {n_neg:,} {negative}")
    print(f"OK  {report.outputs[2]}: the source file of every row")
    folder = shlex.quote(str(report.outputs[0].parent.resolve()))
    print(f"Use it: CATVNONCAT_DIR={folder} make lab   (or set it before starting Jupyter)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
