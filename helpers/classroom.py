"""Classroom editions: the student notebooks, and an autograder for submitted ones.

The notebooks in ``notebooks/`` are the instructor source: solutions between
``### BEGIN SOLUTION`` / ``### END SOLUTION``, stored outputs, and check cells carrying nbgrader
metadata (see CONTRIBUTING.md). This module turns them into what learners get and grades what
they hand back. Both halves reuse nbgrader's own preprocessors rather than re-implementing its
rules, so a notebook that works here also works with a full nbgrader course::

    python -m helpers.classroom student                  # -> build/student/*.ipynb
    python -m helpers.classroom grade alice/02_logistic_regression_numpy.ipynb [--json]

**Student edition** (:func:`student_edition`): nbgrader's ``LockCells``, ``ClearSolutions``
(each solution region becomes ``# YOUR CODE HERE`` + ``raise NotImplementedError()``),
``ClearOutput``, ``ClearHiddenTests`` (drops ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN
TESTS`` from check cells), ``ComputeChecksums`` and ``CheckCellMetadata``, in the order
``nbgrader generate_assignment`` uses. One difference: Markdown cells that merely mention the
markers are left alone (nbgrader would cut them).

**Grading** (:func:`grade`), in the spirit of ``nbgrader autograde`` but without its database:

1. The submission is matched to its source notebook by the grade ids it contains (or, failing
   that, by file name). Unreadable files and unmatched notebooks give a report, not a crash.
2. Every check cell of the source (``grade: true``) is looked up by grade id. A missing one
   fails: "check cell <id> was deleted or changed". A present one is compared by nbgrader
   checksum with the student edition (and with the source); if it was edited, that is reported,
   and, as nbgrader does, the original check (hidden tests included) is put back and run.
3. All outputs are cleared and the notebook is run from the top, up to its last check cell
   (later cells cannot change the score; ``run_all`` runs them too), in this Python's own
   kernel (nbclient, errors allowed) in a fresh temporary folder. Each cell has
   ``cell_timeout`` seconds; the whole run has ``timeout`` seconds. A cell that runs out of
   time fails, the kernel is interrupted and the following cells still run (a later exercise
   can still earn its points), each with the time that is left. Once the overall limit is
   reached, or if the kernel dies, the remaining cells are marked "not run" and their checks
   fail.
4. Each check scores with nbgrader's ``determine_grade``: full points if its cell ran without an
   error (and without stderr), else zero with the check's own message (the ``CheckFailed`` text).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from helpers.paths import BUILD_DIR, NOTEBOOKS_DIR

#: The instructor notebooks: ``<repo>/notebooks``.
NOTEBOOK_DIR = NOTEBOOKS_DIR
#: Where ``make student`` writes the student editions.
STUDENT_DIR = BUILD_DIR / "student"
#: What replaces each solution region (nbgrader's ``ClearSolutions.code_stub``). The checks'
#: ``call`` turns the NotImplementedError into "<name> is not implemented yet".
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"

CELL_TIMEOUT = 300.0  # seconds per cell
TIMEOUT = 1800.0  # seconds for the whole notebook, kernel start-up included
#: Cells with one of these tags are not run by the grader (as nbval / nbclient skip them).
SKIP_TAGS = ("nbval-skip", "skip-execution")
#: Output a single cell may produce before the rest is dropped (an endless ``print`` loop).
MAX_OUTPUT_CHARS = 200_000
MAX_OUTPUTS = 2_000
#: Cells with errors listed in the text report (the JSON report lists them all).
MAX_NOTES = 5
AFTER_LAST_CHECK = "not run: it comes after the last check, so it cannot change the score"


# --------------------------------------------------------------------------- reading notebooks


def _nbgrader(cell: NotebookNode) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _grade_id(cell: NotebookNode) -> str | None:
    grade_id = _nbgrader(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) and grade_id else None


def _is_check(cell: NotebookNode) -> bool:
    return bool(_nbgrader(cell).get("grade")) and _grade_id(cell) is not None


def _is_solution(cell: NotebookNode) -> bool:
    return bool(_nbgrader(cell).get("solution")) and _grade_id(cell) is not None


def read_notebook(path: str | Path) -> NotebookNode:
    """Read a notebook as nbformat 4. Raises ``ValueError`` saying why it is not one."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path} does not exist or is not a file.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a Jupyter notebook: it is not UTF-8 text.") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not a Jupyter notebook: it is not valid JSON ({err}).") \
            from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells", raw.get("worksheets")), list):
        raise ValueError(f"{path} is not a Jupyter notebook: the JSON has no list of cells.")
    try:
        nb = nbformat.reads(text, as_version=4, capture_validation_error={})
    except Exception as err:  # nbformat raises several types for malformed notebooks
        raise ValueError(f"{path} is not a readable Jupyter notebook: {err}") from None
    for index, cell in enumerate(nb.cells):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise ValueError(f"{path} is not a readable Jupyter notebook: cell {index} has no "
                             "valid cell_type.")
        cell.setdefault("metadata", NotebookNode())
        cell.setdefault("source", "")
        if cell.cell_type == "code":
            cell.setdefault("outputs", [])
    return nb


def source_notebooks(source_dir: str | Path = NOTEBOOK_DIR) -> list[Path]:
    """The instructor notebooks ``0N_*.ipynb`` in ``source_dir``, in course order."""
    return sorted(Path(source_dir).glob("[0-9][0-9]_*.ipynb"))


@dataclass
class Exercise:
    """One graded check of a source notebook."""

    grade_id: str  # the check cell's grade id, e.g. "check_sigmoid"
    points: float
    solution_id: str | None  # grade id of the solution cell just before it, if any


def exercises(nb: NotebookNode) -> list[Exercise]:
    """The graded checks of an instructor notebook, in order."""
    found, last_solution = [], None
    for cell in nb.cells:
        if _is_check(cell):
            points = float(_nbgrader(cell).get("points", 0))
            found.append(Exercise(_grade_id(cell), points, last_solution))
        elif _is_solution(cell):
            last_solution = _grade_id(cell)
    return found


# ------------------------------------------------------------------------- the student edition


def _preprocessors() -> tuple[list, list]:
    """nbgrader's generate_assignment pipeline, split where the source checksums are taken."""
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearHiddenTests,
        ClearOutput,
        ClearSolutions,
        ComputeChecksums,
        LockCells,
    )
    from nbgrader.utils import is_grade, is_solution

    # nbgrader looks for the markers in every cell, so a Markdown cell that *explains* them
    # ("write your code between `### BEGIN SOLUTION` and `### END SOLUTION`") would be cut.
    # Here Markdown is left alone unless it is itself a solution or grade cell.
    class CodeClearSolutions(ClearSolutions):
        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type != "code" and not is_solution(cell):
                return cell, resources
            return super().preprocess_cell(cell, resources, index)

    class CodeClearHiddenTests(ClearHiddenTests):
        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type != "code" and not is_grade(cell):
                return cell, resources
            return super().preprocess_cell(cell, resources, index)

    before_hidden = [LockCells(), CodeClearSolutions(code_stub={"python": CODE_STUB}),
                     ClearOutput(), CheckCellMetadata(), ComputeChecksums()]
    after_hidden = [CodeClearHiddenTests(), ComputeChecksums(), CheckCellMetadata()]
    return before_hidden, after_hidden


def student_edition(source: NotebookNode) -> NotebookNode:
    """The learner's copy of an instructor notebook (the source is not modified).

    Solution regions become the code stub, outputs and execution counts are cleared, hidden
    tests are removed, solution and check cells are locked against deletion (check cells also
    against editing) and carry the nbgrader checksums of the student edition.
    """
    nb = copy.deepcopy(source)
    resources: dict[str, Any] = {}
    before_hidden, after_hidden = _preprocessors()
    for preprocessor in before_hidden + after_hidden:
        nb, resources = preprocessor.preprocess(nb, resources)
    return nb


def write_student_editions(sources: list[Path], out_dir: str | Path = STUDENT_DIR) -> list[Path]:
    """Write the student edition of each source notebook into ``out_dir``; return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sources:
        try:
            student = student_edition(read_notebook(path))
        except Exception as err:
            raise RuntimeError(f"{path}: cannot make the student edition: {err}") from err
        target = out_dir / Path(path).name
        nbformat.validate(student)
        nbformat.write(student, target)
        written.append(target)
    return written


# ------------------------------------------------------------------------------------ grading


@dataclass
class Result:
    """The outcome of one check."""

    grade_id: str
    points: float
    max_points: float
    status: str  # passed | failed | missing | timeout | not run
    message: str
    modified: bool = False  # the check cell had been edited; the original was run instead


@dataclass
class Report:
    """What :func:`grade` found. ``to_text()`` for people, ``to_dict()`` for tools."""

    submission: str
    source: str | None = None
    matched_by: str | None = None
    status: str = "graded"  # graded | error
    error: str | None = None
    score: float = 0.0
    max_score: float | None = None
    results: list[Result] = field(default_factory=list)
    # Other cells that raised: {"cell": number counted from 1, Markdown included, "code": its
    # first line, "error": "ExceptionName: message"}.
    cell_errors: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cell_timeout: float = CELL_TIMEOUT
    timeout: float = TIMEOUT
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        lines = [f"Submission: {self.submission}"]
        if self.source:
            lines.append(f"Graded against: {self.source} (matched by {self.matched_by})")
        if self.status == "error":
            lines.append(f"✘ Could not grade: {self.error}")
        width = max([len(r.grade_id) for r in self.results] + [8])
        for r in self.results:
            mark = "✔" if r.status == "passed" else "✘"
            pts = f"{_fmt(r.points)}/{_fmt(r.max_points)}"
            text = f"  {mark} {r.grade_id:<{width}}  {pts:>7}  {r.status}"
            if r.status != "passed" or r.modified:
                text += f": {r.message}"
            lines.append(text)
        shown = self.cell_errors[:MAX_NOTES]
        for err in shown:
            lines.append(f"  note: cell {err['cell']} ({err['code']}) raised {err['error']}")
        if len(self.cell_errors) > len(shown):
            lines.append(f"  note: ... and {len(self.cell_errors) - len(shown)} more cells "
                         "raised errors (--json lists them all)")
        lines.extend(f"  note: {note}" for note in self.notes)
        if self.max_score is not None:
            percent = f" ({100 * self.score / self.max_score:.0f} %)" if self.max_score else ""
            lines.append(f"Score: {_fmt(self.score)} / {_fmt(self.max_score)}{percent}"
                         f"   [{self.seconds:.0f} s]")
        else:
            lines.append("Score: none")
        return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:g}"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def match_source(submission: NotebookNode | None, submission_path: str | Path,
                 sources: list[Path]) -> tuple[Path | None, str | None]:
    """The source notebook a submission belongs to, and how it was matched.

    The source sharing the most grade ids wins (ties go to the file name); with no grade ids in
    common, the file name decides: the same name, or a name containing the source's stem
    (``alice_02_logistic_regression_numpy.ipynb``, ``02_logistic_regression_numpy (1).ipynb``).
    """
    name = Path(submission_path).name
    ids = {_grade_id(c) for c in submission.cells} - {None} if submission is not None else set()

    def by_name(path: Path) -> bool:
        return name == path.name or path.stem in name

    best, best_overlap = None, 0
    for path in sources:
        try:
            source_ids = {_grade_id(c) for c in read_notebook(path).cells} - {None}
        except ValueError:
            continue
        overlap = len(ids & source_ids)
        if overlap > best_overlap or (overlap == best_overlap and overlap and by_name(path)):
            best, best_overlap = path, overlap
    if best is not None:
        return best, f"grade ids ({best_overlap} in common)"
    for path in sources:
        if by_name(path):
            return path, "file name"
    return None, None


def prepare_submission(submission: NotebookNode, source: NotebookNode) -> tuple[
        NotebookNode, dict[str, int], dict[str, bool]]:
    """The notebook the grader runs: outputs cleared, check cells restored from the source.

    Returns the notebook, the cell index of each source check present in it, and for each of
    those whether the submitted check cell had been edited (nbgrader checksum differs from both
    the student edition and the source).
    """
    from nbgrader.utils import compute_checksum

    nb = copy.deepcopy(submission)
    student = student_edition(source)
    source_checks = {_grade_id(c): c for c in source.cells if _is_check(c)}
    allowed = {gid: {compute_checksum(cell)} for gid, cell in source_checks.items()}
    for cell in student.cells:
        if _is_check(cell):
            allowed[_grade_id(cell)].add(compute_checksum(cell))

    # As nbgrader's DeduplicateIds: if a grade id occurs more than once, the last one counts.
    where: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        grade_id = _grade_id(cell)
        if grade_id is None:
            continue
        if grade_id in where:
            nb.cells[where[grade_id]].metadata.pop("nbgrader", None)
        where[grade_id] = index

    present, modified = {}, {}
    for grade_id, original in source_checks.items():
        if grade_id not in where:
            continue
        index = where[grade_id]
        cell = nb.cells[index]
        try:
            modified[grade_id] = compute_checksum(cell) not in allowed[grade_id]
        except Exception:  # nbgrader metadata damaged beyond computing a checksum
            modified[grade_id] = True
        restored = copy.deepcopy(original)
        restored.outputs, restored.execution_count = [], None
        if "id" in cell:
            restored["id"] = cell["id"]
        nb.cells[index] = restored
        present[grade_id] = index
    return nb, present, modified


@dataclass
class _Run:
    status: str = "ok"  # ok | error | timeout | not run | skipped
    reason: str = ""


def _make_client(nb: NotebookNode, cwd: str):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    class LimitedOutputClient(NotebookClient):
        """Drops the output of a cell beyond a size limit (an endless print loop)."""

        def output(self, outs, msg, display_id, cell_index):
            size = self._sizes.get(cell_index, 0)
            content = msg.get("content", {})
            size += len(str(content.get("text", ""))) if msg["msg_type"] == "stream" else 1000
            self._sizes[cell_index] = size
            if msg["msg_type"] != "error" and (size > MAX_OUTPUT_CHARS or len(outs) > MAX_OUTPUTS):
                if not self._truncated.get(cell_index):
                    self._truncated[cell_index] = True
                    outs.append(nbformat.v4.new_output(
                        "stream", name="stdout",
                        text="\n[the grader dropped the rest of this cell's output: too long]\n"))
                return None
            return super().output(outs, msg, display_id, cell_index)

    # kernel_dirs=[] leaves only the native kernel: this very Python (the venv), even if a
    # user-level "python3" kernel spec points somewhere else.
    km = AsyncKernelManager(kernel_name="python3",
                            kernel_spec_manager=KernelSpecManager(kernel_dirs=[]))
    client = LimitedOutputClient(
        nb, km=km, allow_errors=True, interrupt_on_timeout=False, startup_timeout=120,
        shutdown_kernel="immediate", skip_cells_with_tag="grader-never-skips",
        resources={"metadata": {"path": cwd}},
    )
    client._sizes, client._truncated = {}, {}
    return client


def execute(nb: NotebookNode, *, cwd: str | Path, cell_timeout: float = CELL_TIMEOUT,
            timeout: float = TIMEOUT, started: float | None = None,
            stop_after: int | None = None) -> list[_Run]:
    """Run ``nb`` in place in a fresh kernel; return what happened to each cell.

    Cells after index ``stop_after`` are not run (status "not run").
    """
    from jupyter_core.utils import run_sync
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    deadline = (started if started is not None else time.monotonic()) + timeout
    runs = [_Run() for _ in nb.cells]
    client = _make_client(nb, str(cwd))
    stopped = ""
    # The kernel process's own stdout/stderr (start-up chatter) are not part of the notebook.
    with client.setup_kernel(cleanup_kc=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            if stop_after is not None and index > stop_after and not stopped:
                stopped = AFTER_LAST_CHECK
            if stopped:
                runs[index] = _Run("not run", stopped)
                continue
            if set(cell.metadata.get("tags", [])) & set(SKIP_TAGS):
                runs[index] = _Run("skipped", "tagged " + "/".join(SKIP_TAGS))
                continue
            left = deadline - time.monotonic()
            if left < 1:
                stopped = (f"not run: the whole notebook reached the grader's time limit of "
                           f"{timeout:g} s before this cell")
                runs[index] = _Run("not run", stopped)
                continue
            limit = min(cell_timeout, left)
            client.timeout = max(1, math.ceil(limit))
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                reason = (f"the cell did not finish within {limit:.0f} s (an endless loop?); "
                          "the grader interrupted it")
                if limit < cell_timeout:
                    reason = (f"the cell was still running when the whole notebook reached the "
                              f"grader's time limit of {timeout:g} s")
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename="TimeoutError", evalue=reason, traceback=[]))
                runs[index] = _Run("timeout", reason)
                try:
                    run_sync(client.km.interrupt_kernel)()
                except Exception:
                    stopped = "not run: the kernel could not be interrupted after a time-out"
                continue
            except DeadKernelError:
                reason = "the kernel died while running this cell (out of memory, or exit()?)"
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename="DeadKernelError", evalue=reason, traceback=[]))
                runs[index] = _Run("error", reason)
                stopped = f"not run: the kernel died in cell {index}"
                continue
            if any(o.get("output_type") == "error" for o in cell.outputs):
                runs[index] = _Run("error")
    return runs


def _error_text(cell: NotebookNode) -> str | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            ename, evalue = output.get("ename", "Error"), str(output.get("evalue", "")).strip()
            return f"{ename}: {evalue}" if evalue else ename
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            text = str(output.get("text", "")).strip()
            return "the check wrote to stderr: " + (text[:300] + "…" if len(text) > 300 else text)
    return None


def grade(submission_path: str | Path, *, source_path: str | Path | None = None,
          source_dir: str | Path = NOTEBOOK_DIR, cell_timeout: float = CELL_TIMEOUT,
          timeout: float = TIMEOUT, cwd: str | Path | None = None,
          run_all: bool = False) -> Report:
    """Run one submitted notebook and grade its checks. Never raises for a bad submission.

    The notebook runs in ``cwd`` (default: a fresh temporary folder), up to its last check cell
    (every cell with ``run_all``), within ``cell_timeout`` seconds per cell and ``timeout``
    seconds in all.
    """
    started = time.monotonic()
    report = Report(submission=str(submission_path), cell_timeout=cell_timeout, timeout=timeout)
    try:
        _grade(report, Path(submission_path), source_path, Path(source_dir), cell_timeout,
               timeout, cwd, run_all, started)
    except Exception as err:  # the grader must report, not crash
        report.status, report.error = "error", f"internal grader error: {type(err).__name__}: {err}"
    report.score = sum(r.points for r in report.results)
    report.seconds = round(time.monotonic() - started, 1)
    return report


def _grade(report: Report, submission_path: Path, source_path, source_dir: Path,
           cell_timeout: float, timeout: float, cwd, run_all: bool, started: float) -> None:
    from nbgrader.utils import determine_grade

    try:
        submission = read_notebook(submission_path)
    except ValueError as err:
        submission, report.status, report.error = None, "error", str(err)

    if source_path is not None:
        source_path, report.matched_by = Path(source_path), "--source"
    else:
        candidates = source_notebooks(source_dir)
        source_path, report.matched_by = match_source(submission, submission_path, candidates)
    if source_path is None:
        if report.error is None:
            report.status = "error"
            names = ", ".join(p.name for p in source_notebooks(source_dir)) or "none found"
            report.error = (f"no source notebook in {source_dir} shares a grade id or a file name "
                            f"with this submission (sources: {names}); pass --source.")
        return
    report.source = str(source_path)
    source = read_notebook(source_path)
    wanted = exercises(source)
    report.max_score = sum(e.points for e in wanted)
    if not wanted:
        report.notes.append("the source notebook has no graded exercises")

    if submission is None:  # unreadable: every check fails with the reason
        report.results = [Result(e.grade_id, 0.0, e.points, "not run", report.error)
                          for e in wanted]
        return

    nb, present, modified = prepare_submission(submission, source)
    stop_after = None if run_all else max(present.values(), default=-1)
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        # A folder named like the checkout's, for code that looks at its working folder.
        # Generated files go to the checkout's build/ (helpers.paths.build_path), not here.
        workdir = Path(tmp) / "notebooks"
        workdir.mkdir()
        runs = execute(nb, cwd=cwd or workdir, cell_timeout=cell_timeout, timeout=timeout,
                       started=started, stop_after=stop_after)
    skipped = sum(run.reason == AFTER_LAST_CHECK for run in runs)
    if skipped:
        report.notes.append(f"{skipped} code cell{'s' if skipped > 1 else ''} after the last "
                            "check not run: they cannot change the score (--run-all runs them)")

    solution_at = {_grade_id(c): i for i, c in enumerate(nb.cells) if _is_solution(c)}
    check_cells = set(present.values())
    for index, (cell, run) in enumerate(zip(nb.cells, runs, strict=True)):
        if index not in check_cells and run.status in ("error", "timeout"):
            first = next((line.strip() for line in cell.source.splitlines()
                          if line.strip() and not line.startswith("#")), "")
            report.cell_errors.append({"cell": index + 1, "code": _shorten(first, 50),
                                       "error": _shorten(_error_text(cell) or run.reason, 200)})

    for exercise in wanted:
        gid = exercise.grade_id
        if gid not in present:
            report.results.append(Result(
                gid, 0.0, exercise.points, "missing",
                f"check cell {gid} was deleted or changed (its nbgrader metadata is gone), so "
                "the check could not run. Start from a fresh student edition and copy your "
                "code into it."))
            continue
        cell, run = nb.cells[present[gid]], runs[present[gid]]
        edited = (f"check cell {gid} was edited in the submission; the original check was "
                  "restored and run. ") if modified[gid] else ""
        if run.status in ("not run", "skipped"):
            report.results.append(Result(gid, 0.0, exercise.points, "not run",
                                         edited + run.reason, modified[gid]))
            continue
        points, _ = determine_grade(cell)
        points = float(points or 0.0)
        if points >= exercise.points:
            report.results.append(Result(gid, exercise.points, exercise.points, "passed",
                                         edited + "all checks passed", modified[gid]))
            continue
        message = _error_text(cell) or "the check did not pass"
        if run.status != "timeout" and exercise.solution_id in solution_at:
            solution_cell = nb.cells[solution_at[exercise.solution_id]]
            cause = _error_text(solution_cell)
            if cause and "NotImplementedError" not in cause:
                message += f" (the cell defining it, {exercise.solution_id}, raised {cause})"
        status = "timeout" if run.status == "timeout" else "failed"
        report.results.append(Result(gid, points, exercise.points, status, edited + message,
                                     modified[gid]))


# ------------------------------------------------------------------------------------- the CLI


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.classroom",
        description="Student editions of the course notebooks, and an autograder.")
    sub = parser.add_subparsers(dest="command", required=True)

    p_student = sub.add_parser("student", help="write the student editions")
    p_student.add_argument("notebooks", nargs="*", type=Path,
                           help=f"source notebooks (default: all in {NOTEBOOK_DIR})")
    p_student.add_argument("--out", type=Path, default=STUDENT_DIR,
                           help="output folder (default: %(default)s)")

    p_grade = sub.add_parser("grade", help="run and grade one submitted notebook")
    p_grade.add_argument("submission", type=Path)
    p_grade.add_argument("--source", type=Path, default=None,
                         help="the instructor notebook to grade against (default: matched by "
                              "grade ids or file name)")
    p_grade.add_argument("--source-dir", type=Path, default=NOTEBOOK_DIR,
                         help="where the instructor notebooks are (default: %(default)s)")
    p_grade.add_argument("--cell-timeout", type=float, default=CELL_TIMEOUT,
                         help="seconds a single cell may run (default: %(default)g)")
    p_grade.add_argument("--timeout", type=float, default=TIMEOUT,
                         help="seconds the whole notebook may run (default: %(default)g)")
    p_grade.add_argument("--run-all", action="store_true",
                         help="also run the cells after the last check (they cannot change "
                              "the score, so by default they are not run)")
    p_grade.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    if args.command == "student":
        sources = args.notebooks or source_notebooks()
        if not sources:
            print(f"No notebooks found in {NOTEBOOK_DIR}.", file=sys.stderr)
            return 1
        started = time.monotonic()
        try:
            written = write_student_editions(sources, args.out)
        except RuntimeError as err:
            print(err, file=sys.stderr)
            return 1
        for path in written:
            found = exercises(read_notebook(path))
            print(f"{path}: {len(found)} graded exercises, "
                  f"{_fmt(sum(e.points for e in found))} points")
        print(f"{len(written)} student editions in {time.monotonic() - started:.1f} s")
        return 0

    report = grade(args.submission, source_path=args.source, source_dir=args.source_dir,
                   cell_timeout=args.cell_timeout, timeout=args.timeout, run_all=args.run_all)
    print(report.to_json() if args.json else report.to_text())
    return 0 if report.status == "graded" else 1


if __name__ == "__main__":
    sys.exit(main())
