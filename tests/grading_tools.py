"""Shared tools of the grading tests: a small fixture course, and the sandbox requirement.

The fixture is a two-exercise slice of notebook 2 (its real ``sigmoid`` and ``predict`` cells
and checks, hidden tests included) plus a cell that loads the data, so grading it through the
sandbox takes seconds, not the minutes of a real notebook.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_tools.grading import grader as grading
from course_tools.grading import sandbox
from course_tools.grading.notebooks import grade_id_of, write_student_editions
from helpers.paths import NOTEBOOKS_DIR

NOTEBOOK_2 = NOTEBOOKS_DIR / "02_logistic_regression_numpy.ipynb"
FAST = {"cell_timeout": 60, "timeout": 240, "seed": 12345}


def require_sandbox() -> None:
    """Fail on Linux without a working bubblewrap (never a silent skip); skip elsewhere."""
    problem = sandbox.problem()
    if problem and sys.platform.startswith("linux"):
        pytest.fail(f"the grading tests need the sandbox: {problem}. 'make setup' installs it "
                    "where it can.")
    if problem:
        pytest.skip(problem)


def real_cell(grade_id: str, path: Path = NOTEBOOK_2) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    return next(c for c in nb.cells if grade_id_of(c) == grade_id)


def fixture_notebook(title: str = "Fixture") -> nbformat.NotebookNode:
    """sigmoid (1 point) and predict (2 points) with notebook 2's own cells and checks."""
    setup = new_code_cell("import numpy as np\nfrom helpers.checks import logistic as checks")
    predict_check = real_cell("check_predict")
    predict_check.metadata.nbgrader["points"] = 2
    data = new_code_cell("# extra code – the data is found from any folder\n"
                         "from helpers import load_catvnoncat\n"
                         "train_x, train_y, *_ = load_catvnoncat()\nprint(train_x.shape)")
    return new_notebook(
        cells=[new_markdown_cell(f"# {title}\nWrite your code between `### BEGIN SOLUTION` and "
                                 "`### END SOLUTION`."),
               setup, real_cell("sigmoid"), real_cell("check_sigmoid"), data,
               real_cell("predict"), predict_check],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"},
                  "language_info": {"name": "python"}})


def make_course(root: Path, owner: str) -> dict:
    """The fixture source in ``root/notebooks`` and its student edition in ``root/student``.

    ``owner`` (the test module) goes into the title, so that each module's source has its own
    entry in the shared reference cache: modules run at the same time under pytest-xdist, and
    two processes writing one cache entry at once could read each other's half-written files.
    """
    src_dir = root / "notebooks"
    src_dir.mkdir()
    source = src_dir / "02_fixture.ipynb"
    nbformat.write(fixture_notebook(f"Fixture of {owner}"), source)
    [student] = write_student_editions([source], root / "student")
    return {"root": root, "source": source, "student": student, "source_dir": src_dir}


def cell(nb, grade_id):
    return next(c for c in nb.cells if grade_id_of(c) == grade_id)


def filled_student(source_path: Path, student_path: Path) -> nbformat.NotebookNode:
    """The student edition with every solution cell typed back in from the source."""
    source = nbformat.read(source_path, as_version=4)
    solutions = {grade_id_of(c): c.source for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(student_path, as_version=4)
    for c in nb.cells:
        if grade_id_of(c) in solutions:
            c.source = solutions[grade_id_of(c)]
    return nb


def submission(course: dict, name: str, edit=None, *, blank: bool = False) -> Path:
    """A copy of the (filled-in, unless ``blank``) student edition with ``edit(nb)`` applied."""
    nb = nbformat.read(course["student"], as_version=4) if blank else \
        filled_student(course["source"], course["student"])
    if edit is not None:
        edit(nb)
    path = course["root"] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def grade(course: dict, path: Path, **options) -> grading.Report:
    return grading.grade(path, **{**FAST, "source_dir": course["source_dir"], **options})


def by_id(report) -> dict:
    return {r.grade_id: r for r in report.results}
