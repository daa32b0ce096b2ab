"""The four instructor notebooks graded once, as one class, through the sandbox.

A module of its own, so that ``make test``'s parallel workers can run it beside test_probes.
"""

import csv
import shutil

import pytest
from grading_tools import require_sandbox

from course_tools.grading.grade_class import grade_class
from course_tools.grading.notebooks import source_notebooks

REAL = source_notebooks()


@pytest.mark.slow
def test_each_real_notebook_gets_full_marks_through_the_sandbox(tmp_path):
    # The four instructor notebooks, graded once, as one class: every probe agrees with its
    # reference on the instructor's own code, and every check passes in the sandbox.
    require_sandbox()
    for notebook in REAL:
        shutil.copy(notebook, tmp_path / f"instructor_{notebook.name}")
    # Explicit limits: the default (5 times each source's own run time) would first time all
    # four sources, doubling the test; test_grading_holes tests that default on a fixture.
    grade_class(tmp_path, tmp_path / "grades", jobs=2, progress=lambda line: None,
                timeout=1800, cell_timeout=300)
    with open(tmp_path / "grades" / "grades.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(REAL) > 0
    for row in rows:
        assert row["status"] == "graded" and row["reason"] == "", row
        assert row["score"] == row["max_score"] != "0", row
