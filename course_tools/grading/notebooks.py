"""Instructor notebooks and what learners get from them: reading, exercises, student editions.

Student editions are made by nbgrader's own preprocessors (README, "Why nbgrader").
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from helpers.paths import NOTEBOOKS_DIR

#: Where ``make student`` writes the student editions (committed, for Colab).
STUDENT_DIR = NOTEBOOKS_DIR / "student"
#: What replaces each solution region (nbgrader's ``ClearSolutions.code_stub``). The checks'
#: ``call`` turns the NotImplementedError into "<name> is not implemented yet".
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


# --------------------------------------------------------------------------- reading notebooks


def nbgrader_meta(cell: NotebookNode) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def grade_id_of(cell: NotebookNode) -> str | None:
    grade_id = nbgrader_meta(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) and grade_id else None


def is_check(cell: NotebookNode) -> bool:
    return bool(nbgrader_meta(cell).get("grade")) and grade_id_of(cell) is not None


def is_solution(cell: NotebookNode) -> bool:
    return bool(nbgrader_meta(cell).get("solution")) and grade_id_of(cell) is not None


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


def source_notebooks(source_dir: str | Path = NOTEBOOKS_DIR) -> list[Path]:
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
        if is_check(cell):
            points = float(nbgrader_meta(cell).get("points", 0))
            found.append(Exercise(grade_id_of(cell), points, last_solution))
        elif is_solution(cell):
            last_solution = grade_id_of(cell)
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
    from nbgrader.utils import is_grade as nbgrader_is_grade
    from nbgrader.utils import is_solution as nbgrader_is_solution

    # nbgrader looks for the markers in every cell, so a Markdown cell that *explains* them
    # ("write your code between `### BEGIN SOLUTION` and `### END SOLUTION`") would be cut.
    # Here Markdown is left alone unless it is itself a solution or grade cell.
    class CodeClearSolutions(ClearSolutions):
        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type != "code" and not nbgrader_is_solution(cell):
                return cell, resources
            return super().preprocess_cell(cell, resources, index)

    class CodeClearHiddenTests(ClearHiddenTests):
        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type != "code" and not nbgrader_is_grade(cell):
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


# ----------------------------------------------------------------- matching a submission


def match_source(submission: NotebookNode | None, submission_path: str | Path,
                 sources: list[Path]) -> tuple[Path | None, str | None]:
    """The source notebook a submission belongs to, and how it was matched.

    The source sharing the most grade ids wins (ties go to the file name); with no grade ids in
    common, the file name decides: the same name, or a name containing the source's stem
    (``alice_02_logistic_regression_numpy.ipynb``, ``02_logistic_regression_numpy (1).ipynb``).
    """
    name = Path(submission_path).name
    ids = {grade_id_of(c) for c in submission.cells} - {None} if submission is not None else set()

    def by_name(path: Path) -> bool:
        return name == path.name or path.stem in name

    best, best_overlap = None, 0
    for path in sources:
        try:
            source_ids = {grade_id_of(c) for c in read_notebook(path).cells} - {None}
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
    """The notebook the grader runs: outputs cleared, check cells restored from the student
    edition of the source (so without their hidden tests: nothing the learner must not see
    enters the sandbox, where the submission's code could read it and print it back).

    Returns the notebook, the cell index of each source check present in it, and for each of
    those whether the submitted check cell had been edited (nbgrader checksum differs from both
    the student edition and the source).
    """
    from nbgrader.utils import compute_checksum

    nb = copy.deepcopy(submission)
    student = student_edition(source)
    source_checks = {grade_id_of(c): c for c in source.cells if is_check(c)}
    allowed = {gid: {compute_checksum(cell)} for gid, cell in source_checks.items()}
    student_checks = {}
    for cell in student.cells:
        if is_check(cell):
            allowed[grade_id_of(cell)].add(compute_checksum(cell))
            student_checks[grade_id_of(cell)] = cell

    # As nbgrader's DeduplicateIds: if a grade id occurs more than once, the last one counts.
    where: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        grade_id = grade_id_of(cell)
        if grade_id is None:
            continue
        if grade_id in where:
            nb.cells[where[grade_id]].metadata.pop("nbgrader", None)
        where[grade_id] = index

    present, modified = {}, {}
    for grade_id in source_checks:
        if grade_id not in where:
            continue
        index = where[grade_id]
        cell = nb.cells[index]
        try:
            modified[grade_id] = compute_checksum(cell) not in allowed[grade_id]
        except Exception:  # nbgrader metadata damaged beyond computing a checksum
            modified[grade_id] = True
        restored = copy.deepcopy(student_checks[grade_id])
        restored.outputs, restored.execution_count = [], None
        if "id" in cell:
            restored["id"] = cell["id"]
        nb.cells[index] = restored
        present[grade_id] = index
    return nb, present, modified
