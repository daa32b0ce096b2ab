"""Reference results: the instructor's functions run on each probe's hidden inputs. Trusted.

    python -m course_tools.grading.reference --seed N \
        --notebook SOURCE.ipynb OUT_DIR check_x,check_y [--notebook ...]

Only the cells that define the graded functions run, each notebook's in a namespace of its own,
all in one process (TensorFlow is imported once); results are cached in
``build/grading/reference/`` (CONTRIBUTING.md, "Reference results").
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from course_tools.colab import BOOTSTRAP_ID
from course_tools.grading import probes
from course_tools.grading.notebooks import is_check, read_notebook
from helpers.paths import BUILD_DIR

CACHE_DIR = BUILD_DIR / "grading" / "reference"
TIMEOUT = 600  # seconds to compute one notebook's reference results
KEEP = 40  # cached (notebook, seed) folders kept; older ones are deleted


def _kept(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.ClassDef |
                  ast.AsyncFunctionDef):
        return True
    if isinstance(statement, ast.Assign):  # NAME = <literal>
        try:
            ast.literal_eval(statement.value)
        except ValueError:
            return False
        return True
    return False


def definitions(source_path: Path) -> str:
    """The code that defines the graded functions: the set-up cell, then every import,
    definition and literal constant of the code cells up to the last check cell."""
    nb = read_notebook(source_path)
    last = max((i for i, cell in enumerate(nb.cells) if is_check(cell)), default=-1)
    parts, first = [], True
    for cell in nb.cells[:last + 1]:
        if cell.cell_type != "code" or is_check(cell) or cell.get("id") == BOOTSTRAP_ID:
            continue  # the Colab bootstrap does nothing here: not part of the reference
        tree = ast.parse(cell.source)
        if first:  # the set-up cell: prepare_notebook(...) seeds and configures
            parts.append(cell.source)
            first = False
            continue
        parts += [ast.get_source_segment(cell.source, s) for s in tree.body if _kept(s)]
    return "\n\n".join(parts) + "\n"


def _cache_key(source_path: Path, seed: int) -> str:
    digest = hashlib.sha256(source_path.read_bytes())
    digest.update(Path(probes.__file__).read_bytes())
    return f"{source_path.stem}-{digest.hexdigest()[:16]}-{seed}"


def reference_results(source_path: str | Path, grade_ids: list[str], seed: int,
                      cache_dir: Path = CACHE_DIR) -> dict[str, dict | str]:
    """{grade id: flattened outputs, or the error text} for the probes of ``grade_ids``.

    Raises ``RuntimeError`` when the instructor code itself cannot be run.
    """
    return reference_results_of({Path(source_path): grade_ids}, seed, cache_dir)[Path(source_path)]


def reference_results_of(wanted: dict[Path, list[str]], seed: int,
                         cache_dir: Path = CACHE_DIR) -> dict[Path, dict[str, dict | str]]:
    """:func:`reference_results` of several notebooks ({source: grade ids}); what is not cached
    yet is computed in one process."""
    wanted = {Path(source): grade_ids for source, grade_ids in wanted.items()}
    folders = {source: cache_dir / _cache_key(source, seed) for source in wanted}
    jobs = []
    for source, grade_ids in wanted.items():
        missing = [gid for gid in grade_ids if not (folders[source] / f"{gid}.npz").is_file()]
        if missing:
            folders[source].mkdir(parents=True, exist_ok=True)
            # Absolute paths: the process runs in a scratch folder.
            jobs += ["--notebook", str(source.resolve()), str(folders[source].resolve()),
                     ",".join(missing)]
    if jobs:
        with tempfile.TemporaryDirectory(prefix="reference-") as cwd:
            done = subprocess.run(
                [sys.executable, "-m", "course_tools.grading.reference", "--seed", str(seed),
                 *jobs],
                cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
        if done.returncode != 0:
            names = ", ".join(source.name for source in wanted)
            raise RuntimeError(f"the reference results of {names} could not be "
                               f"computed:\n{done.stderr[-3000:]}")
        _prune(cache_dir)
    return {source: {gid: probes.load(folders[source] / f"{gid}.npz") for gid in grade_ids}
            for source, grade_ids in wanted.items()}


def _prune(cache_dir: Path) -> None:
    folders = sorted((p for p in cache_dir.iterdir() if p.is_dir()),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.grading.reference")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--notebook", nargs=3, action="append", default=[],
                        metavar=("SOURCE", "OUT_DIR", "PROBES"),
                        help="an instructor notebook, where its results go, and its probes' "
                             "grade ids separated by commas")
    args = parser.parse_args(argv)
    for source, out, grade_ids in args.notebook:
        namespace = {"__name__": "__main__"}
        exec(compile(definitions(Path(source)), source, "exec"), namespace)  # noqa: S102
        for gid in grade_ids.split(","):
            probes.record(namespace, gid, args.seed, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
