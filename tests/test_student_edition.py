"""The student edition committed in notebooks/student/: up to date, and without solutions."""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pytest

from course_tools.notebooks import STUDENT_DIR, source_notebooks
from helpers.paths import ROOT

SOURCES = source_notebooks()
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


@pytest.mark.slow
def test_committed_student_edition_is_what_make_student_writes(tmp_path):
    """Regenerated as `make student` does, into a temporary folder: the same bytes."""
    subprocess.run([sys.executable, "-m", "course_tools.classroom", "student", *map(str, SOURCES),
                    "--out", str(tmp_path)], check=True, capture_output=True, cwd=ROOT)
    fresh = sorted(tmp_path.glob("*.ipynb"))
    subprocess.run([sys.executable, "-m", "course_tools.colab", "--published-as",
                    "notebooks/student", *map(str, fresh)], check=True, capture_output=True,
                   cwd=ROOT)
    committed = sorted(STUDENT_DIR.glob("*.ipynb"))
    assert [p.name for p in committed] == [p.name for p in fresh]
    stale = [p.name for p, q in zip(committed, fresh, strict=True)
             if p.read_bytes() != q.read_bytes()]
    assert not stale, f"notebooks/student/ is out of date for {stale}: run make student"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_no_solution_line_reaches_the_student_edition(source):
    student = nbformat.read(STUDENT_DIR / source.name, as_version=4)
    text = "\n".join(cell.source for cell in student.cells)
    assert "BEGIN SOLUTION" not in text.replace("`### BEGIN SOLUTION`", "")
    assert "BEGIN HIDDEN TESTS" not in text.replace("`### BEGIN HIDDEN TESTS`", "")
    student_code = {line.strip() for cell in student.cells if cell.cell_type == "code"
                    for line in cell.source.splitlines()}
    source_code = [cell.source for cell in nbformat.read(source, as_version=4).cells
                   if cell.cell_type == "code"]
    solution_lines = {line.strip() for code in source_code for region in SOLUTION.findall(code)
                      for line in region.splitlines()}
    # Lines that the source also has outside its solutions (a shared idiom) prove nothing.
    elsewhere = {line.strip() for code in source_code
                 for line in SOLUTION.sub("", code).splitlines()}
    leaked = {line for line in (solution_lines - elsewhere) & student_code
              if line and not line.startswith("#")}
    assert not leaked, f"solution lines in the student edition: {sorted(leaked)[:5]}"
    assert all(not cell.get("outputs") for cell in student.cells if cell.cell_type == "code")


@pytest.mark.parametrize("notebook", [*SOURCES, *sorted(STUDENT_DIR.glob("*.ipynb"))],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_cell_stores_when_the_author_ran_it(notebook):
    """nbconvert records each cell's start and end times unless told not to: noise in every
    diff, and the author's clock in the learner's copy."""
    timed = [i for i, cell in enumerate(nbformat.read(notebook, as_version=4).cells)
             if "execution" in cell.metadata]
    assert not timed, (f"{notebook.name}: cells {timed} store execution times; execute with "
                       "--ExecutePreprocessor.record_timing=False (CONTRIBUTING.md)")
