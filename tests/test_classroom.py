"""Tests of helpers.classroom: the student edition and the autograder.

Two layers: a small fixture notebook built here with nbformat in the course's exercise
conventions (fast, and covers every corner: hidden tests, endless loops, deleted or edited
checks, files that are not notebooks), then the real course notebooks, parametrized over
those in notebooks/ that contain graded exercises.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers import classroom

REPO = Path(__file__).resolve().parents[1]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


# ------------------------------------------------------------------------------ the fixture


def _solution(grade_id: str, source: str) -> nbformat.NotebookNode:
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                 "grade_id": grade_id, "schema_version": 3}
    return cell


def _check(grade_id: str, source: str, points: float) -> nbformat.NotebookNode:
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                 "grade_id": grade_id, "points": points, "schema_version": 3}
    cell.outputs = [new_output("stream", name="stdout", text="✔ stored output\n")]
    cell.execution_count = 4
    return cell


ADD_ONE = f'''def add_one(x):
    """Return x + 1 for a float or an array x."""
    {BEGIN}
    shifted = x + 1.0
    return shifted
    {END}'''

SQUARE = f'''def square(x):
    """Return x ** 2."""
    {BEGIN}
    result = x * x
    {END}
    return result'''

SQUARE_CHECK = f'''square_checked = call(square, 3.0)
expect_close(square_checked, 9.0, "square(3.0)")
{HIDDEN_BEGIN}
expect_close(call(square, -4.0), 16.0, "square(-4.0)")
{HIDDEN_END}
passed("square")'''

MEAN = f'''def mean_pixel(images):
    """Mean of a (m, 64, 64, 3) uint8 array as a float."""
    {BEGIN}
    return float(images.mean())
    {END}'''


def fixture_notebook() -> nbformat.NotebookNode:
    """A three-exercise notebook (1 + 2 + 1 points) in the course's conventions."""
    setup = new_code_cell("from helpers.checks import call, expect, expect_close, passed\n"
                          "from helpers import load_catvnoncat")
    setup.outputs, setup.execution_count = [], 1
    return new_notebook(
        cells=[
            new_markdown_cell("# Fixture\nWrite your code between `### BEGIN SOLUTION` and "
                              "`### END SOLUTION`; checks may hold `### BEGIN HIDDEN TESTS`.\n\n"
                              "Write `add_one`: $y = x + 1$."),
            setup,
            _solution("add_one", ADD_ONE),
            _check("check_add_one", 'expect_close(call(add_one, 1.0), 2.0, "add_one(1.0)")\n'
                                    'passed("add_one")', 1),
            new_markdown_cell("Write `square`."),
            _solution("square", SQUARE),
            _check("check_square", SQUARE_CHECK, 2),
            new_code_cell("# extra code – the data is found from any folder\n"
                          "train_x, train_y, test_x, test_y, classes = load_catvnoncat()\n"
                          "print(train_x.shape)"),
            _solution("mean_pixel", MEAN),
            _check("check_mean_pixel",
                   'value = call(mean_pixel, train_x[:2])\n'
                   'expect(isinstance(value, float), "mean_pixel must return a float")\n'
                   'expect(abs(value - float(train_x[:2].mean())) < 1e-9, "wrong mean")\n'
                   'passed("mean_pixel")', 1),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"},
                  "language_info": {"name": "python"}},
    )


FAST = {"cell_timeout": 60, "timeout": 240}


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict:
    """Fixture source and its student edition written to disk, and a grading helper."""
    root = tmp_path_factory.mktemp("course")
    src_dir = root / "notebooks"
    src_dir.mkdir()
    source = src_dir / "01_fixture.ipynb"
    nbformat.write(fixture_notebook(), source)
    [student] = classroom.write_student_editions([source], root / "student")
    return {"root": root, "source": source, "student": student, "source_dir": src_dir}


def _grade(course, path, **kwargs):
    options = {**FAST, "source_dir": course["source_dir"], **kwargs}
    return classroom.grade(path, **options)


def _by_id(report) -> dict:
    return {r.grade_id: r for r in report.results}


def _edit(course, name: str, edit) -> Path:
    """A copy of the student edition with its solutions filled in, then ``edit(nb)`` applied."""
    nb = filled_student(course["source"], course["student"])
    edit(nb)
    path = course["root"] / name
    nbformat.write(nb, path)
    return path


def filled_student(source_path: Path, student_path: Path) -> nbformat.NotebookNode:
    """The student edition with every solution cell typed back in from the source."""
    source = nbformat.read(source_path, as_version=4)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source
                 for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(student_path, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solutions:
            cell.source = solutions[gid]
    return nb


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


# ----------------------------------------------------------------------- student edition


def solution_lines(cell_source: str) -> tuple[set[str], set[str]]:
    """(non-blank lines inside the solution/hidden markers, lines outside them), stripped."""
    inside, outside, depth = set(), set(), 0
    for line in cell_source.splitlines():
        text = line.strip()
        if text.startswith(("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS")):
            depth += 1
        elif text.startswith(("### END SOLUTION", "### END HIDDEN TESTS")):
            depth -= 1
        elif text:
            (inside if depth else outside).add(text)
    return inside, outside


def assert_student_edition(source: nbformat.NotebookNode, student: nbformat.NotebookNode):
    """No solution or hidden-test code, no outputs, every check kept and locked."""
    assert [c.cell_type for c in student.cells] == [c.cell_type for c in source.cells]
    regions = 0
    for src, stu in zip(source.cells, student.cells, strict=True):
        assert stu.metadata.get("nbgrader") is not None or "nbgrader" not in src.metadata
        if stu.cell_type != "code":  # prose may mention the markers; it is left as it was
            assert stu.source == src.source
            continue
        hidden, visible = solution_lines(src.source)
        student_lines = {line.strip() for line in stu.source.splitlines()}
        leaked = (hidden - visible) & student_lines
        assert not leaked, f"solution code left in {src.metadata.get('nbgrader')}: {leaked}"
        assert "BEGIN SOLUTION" not in stu.source and "HIDDEN TESTS" not in stu.source
        assert stu.outputs == [] and stu.execution_count is None
        if BEGIN in src.source:
            regions += 1
            assert "raise NotImplementedError()" in stu.source
            assert stu.metadata["deletable"] is False
        gid = src.metadata.get("nbgrader", {}).get("grade_id")
        if src.metadata.get("nbgrader", {}).get("grade"):
            assert stu.metadata["nbgrader"]["grade_id"] == gid
            assert stu.metadata["nbgrader"]["points"] == src.metadata["nbgrader"]["points"]
            assert stu.metadata["editable"] is False and stu.metadata["deletable"] is False
            assert visible <= student_lines, f"check {gid} lost its visible lines"
            assert "checksum" in stu.metadata["nbgrader"]
    return regions


def test_student_edition_of_fixture_has_no_solutions_outputs_or_hidden_tests(course):
    source = nbformat.read(course["source"], as_version=4)
    student = nbformat.read(course["student"], as_version=4)
    assert assert_student_edition(source, student) == 3
    square_check = _cell(student, "check_square").source
    assert "square(-4.0)" not in square_check and "square(3.0)" in square_check
    assert "result = x * x" not in _cell(student, "square").source
    assert _cell(student, "square").source.endswith("return result")  # code after END kept
    nbformat.validate(student)


def test_student_edition_rejects_a_solution_region_outside_a_solution_cell(tmp_path):
    nb = fixture_notebook()
    nb.cells[1].source += f"\n{BEGIN}\nx = 1\n{END}"  # the setup cell has no nbgrader metadata
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(RuntimeError, match="bad.ipynb.*non-solution cell"):
        classroom.write_student_editions([path], tmp_path / "out")


def test_student_cli_writes_every_notebook(course, tmp_path):
    out = tmp_path / "student"
    done = subprocess.run(
        [sys.executable, "-m", "helpers.classroom", "student", str(course["source"]),
         "--out", str(out)], capture_output=True, text=True, check=True)
    assert (out / "01_fixture.ipynb").is_file()
    assert "3 graded exercises, 4 points" in done.stdout


# -------------------------------------------------------------------------------- grading


def test_grading_the_source_gives_full_marks(course):
    report = _grade(course, course["source"])
    assert report.status == "graded", report.to_text()
    assert (report.score, report.max_score) == (4, 4), report.to_text()
    assert all(r.status == "passed" and not r.modified for r in report.results)
    assert report.matched_by.startswith("grade ids (6")
    assert report.cell_errors == []


def test_grading_the_blank_student_edition_gives_zero_with_a_message_each(course):
    report = _grade(course, course["student"])
    assert (report.score, report.max_score) == (0, 4), report.to_text()
    for result in report.results:
        assert result.status == "failed" and not result.modified
        assert "not implemented yet" in result.message, result.message


def test_a_filled_in_student_edition_passes_from_another_folder(course):
    # The student edition runs as-is: helpers importable and the data found from a temp folder.
    path = _edit(course, "filled.ipynb", lambda nb: None)
    report = _grade(course, path)
    assert (report.score, report.status) == (4, "graded"), report.to_text()
    assert not any(r.modified for r in report.results)


def test_one_wrong_exercise_loses_exactly_its_points(course):
    def break_add_one(nb):
        _cell(nb, "add_one").source = "def add_one(x):\n    return x + 2.0"

    report = _grade(course, _edit(course, "wrong.ipynb", break_add_one))
    results = _by_id(report)
    assert report.score == 3 and results["check_add_one"].points == 0
    assert "add_one(1.0) is wrong" in results["check_add_one"].message
    assert "expected 2" in results["check_add_one"].message
    assert results["check_square"].status == results["check_mean_pixel"].status == "passed"


def test_hidden_tests_are_run_at_grading(course):
    # Right on the visible test (3 -> 9), wrong on the hidden one (-4 -> -16).
    def sign_bug(nb):
        _cell(nb, "square").source = "def square(x):\n    return x * abs(x)"

    report = _grade(course, _edit(course, "hidden.ipynb", sign_bug))
    square = _by_id(report)["check_square"]
    assert square.points == 0 and "square(-4.0) is wrong" in square.message
    assert report.score == 2


def test_a_deleted_check_fails_and_an_edited_check_is_restored(course):
    def tamper(nb):
        nb.cells.remove(_cell(nb, "check_add_one"))
        _cell(nb, "square").source = "def square(x):\n    return 0.0"
        _cell(nb, "check_square").source = 'passed("square")  # trust me'

    report = _grade(course, _edit(course, "tampered.ipynb", tamper))
    results = _by_id(report)
    assert results["check_add_one"].status == "missing"
    assert "check cell check_add_one was deleted or changed" in results["check_add_one"].message
    square = results["check_square"]
    assert square.modified and square.points == 0, report.to_text()
    assert "was edited" in square.message and "square(3.0) is wrong" in square.message
    assert report.score == 1


def test_a_syntax_error_in_the_solution_is_named_in_the_failed_check(course):
    def typo(nb):
        _cell(nb, "add_one").source = "def add_one(x)\n    return x + 1"

    results = _by_id(_grade(course, _edit(course, "typo.ipynb", typo)))
    message = results["check_add_one"].message
    assert "NameError" in message and "add_one, raised SyntaxError" in message
    assert results["check_square"].status == "passed"


def test_an_endless_loop_times_out_and_later_exercises_still_count(course):
    def loop(nb):
        _cell(nb, "add_one").source = ("def add_one(x):\n    while True:\n"
                                       "        print('still going')\n")

    started = time.monotonic()
    report = _grade(course, _edit(course, "loop.ipynb", loop), cell_timeout=3, timeout=120)
    elapsed = time.monotonic() - started
    results = _by_id(report)
    assert results["check_add_one"].status == "timeout", report.to_text()
    assert "did not finish within 3 s" in results["check_add_one"].message
    assert results["check_square"].status == "passed"  # the kernel was interrupted, not lost
    assert report.score == 3 and elapsed < 60


def test_the_overall_time_limit_marks_the_rest_not_run(course):
    def slow(nb):
        nb.cells.insert(3, nbformat.v4.new_code_cell("import time\ntime.sleep(600)"))

    started = time.monotonic()
    report = _grade(course, _edit(course, "slow.ipynb", slow), cell_timeout=600, timeout=20)
    assert time.monotonic() - started < 60
    assert report.score == 0 and report.status == "graded"
    assert {r.status for r in report.results} == {"not run"}, report.to_text()
    assert "time limit of 20 s" in report.results[0].message
    assert any("time limit of 20 s" in e["error"] for e in report.cell_errors)


def test_cells_after_the_last_check_run_only_when_asked(course):
    def trailing(nb):
        nb.cells.append(nbformat.v4.new_code_cell("import time\ntime.sleep(600)"))

    path = _edit(course, "trailing.ipynb", trailing)
    report = _grade(course, path)
    assert report.score == 4 and report.cell_errors == [], report.to_text()
    assert report.notes == ["1 code cell after the last check not run: they cannot change the "
                            "score (--run-all runs them)"]
    report = _grade(course, path, run_all=True, cell_timeout=2)
    assert report.score == 4 and report.notes == []
    assert report.cell_errors == [{"cell": 11, "code": "import time", "error": (
        "TimeoutError: the cell did not finish within 2 s (an endless loop?); the grader "
        "interrupted it")}]


def test_a_dying_kernel_gives_a_report(course):
    def die(nb):
        nb.cells.insert(7, nbformat.v4.new_code_cell("import os\nos._exit(3)"))

    report = _grade(course, _edit(course, "dies.ipynb", die))
    results = _by_id(report)
    assert results["check_add_one"].status == "passed"
    assert results["check_mean_pixel"].status == "not run"
    assert "kernel died" in results["check_mean_pixel"].message
    assert report.score == 3


@pytest.mark.parametrize("content", [b"", b"hello, not a notebook\n", b'{"cells": 3}',
                                     b"\xff\xfe\x00binary", b"[1, 2, 3]"])
def test_a_file_that_is_not_a_notebook_gets_a_clean_report(course, tmp_path, content):
    path = tmp_path / "01_fixture.ipynb"  # the right name, so the report lists the exercises
    path.write_bytes(content)
    report = _grade(course, path)
    assert report.status == "error" and "not a" in report.error, report.error
    assert report.score == 0 and report.max_score == 4
    assert [r.status for r in report.results] == ["not run"] * 3
    assert report.seconds < 30


def test_an_unmatched_or_missing_submission_gets_a_clean_report(course, tmp_path):
    other = tmp_path / "holiday.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("1 + 1")]), other)
    report = _grade(course, other)
    assert report.status == "error" and "pass --source" in report.error
    assert report.max_score is None and report.results == []
    missing = _grade(course, tmp_path / "nope.ipynb")
    assert missing.status == "error" and "does not exist" in missing.error


def test_a_renamed_submission_is_matched_by_its_grade_ids(course, tmp_path):
    source = course["source_dir"]
    decoy = nbformat.read(course["source"], as_version=4)
    for cell in decoy.cells:
        cell.metadata.pop("nbgrader", None)
    nbformat.write(decoy, source / "02_decoy.ipynb")  # same cells, no grade ids
    try:
        renamed = tmp_path / "02_decoy (alice).ipynb"
        renamed.write_bytes(course["student"].read_bytes())
        path, how = classroom.match_source(nbformat.read(renamed, as_version=4), renamed,
                                           classroom.source_notebooks(source))
        assert path.name == "01_fixture.ipynb" and how == "grade ids (6 in common)"
        blank = new_notebook()
        path, how = classroom.match_source(blank, renamed, classroom.source_notebooks(source))
        assert (path.name, how) == ("02_decoy.ipynb", "file name")
    finally:
        (source / "02_decoy.ipynb").unlink()


def test_grade_cli_prints_json_and_text(course, capsys):
    options = ["--source-dir", str(course["source_dir"]), "--cell-timeout", "60"]
    assert classroom.main(["grade", str(course["student"]), "--json", *options]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["score"] == 0 and report["max_score"] == 4 and report["status"] == "graded"
    assert [r["grade_id"] for r in report["results"]] == ["check_add_one", "check_square",
                                                           "check_mean_pixel"]
    assert all("not implemented yet" in r["message"] for r in report["results"])
    bad = course["root"] / "notes.txt"
    bad.write_text("not a notebook")
    assert classroom.main(["grade", str(bad), *options]) == 1
    out = capsys.readouterr().out
    assert "Could not grade" in out and "not valid JSON" in out and "Score: none" in out


# ---------------------------------------------------------------------- the real notebooks


def _has_exercises(path: Path) -> bool:
    try:
        return bool(classroom.exercises(nbformat.read(path, as_version=4)))
    except Exception:
        return False


REAL = [p for p in classroom.source_notebooks() if _has_exercises(p)]
real = pytest.mark.parametrize("notebook", REAL, ids=[p.stem for p in REAL])


@pytest.fixture(scope="module")
def real_students(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("student")
    return {p.name: p for p in classroom.write_student_editions(REAL, out)}


@real
def test_real_student_edition_has_no_solution_code(notebook, real_students):
    source = nbformat.read(notebook, as_version=4)
    student = nbformat.read(real_students[notebook.name], as_version=4)
    assert assert_student_edition(source, student) >= len(classroom.exercises(source)) > 0


@real
def test_real_filled_in_student_edition_runs_the_source_code(notebook, real_students):
    # What the grader runs for a learner who typed every solution in is, cell for cell, what it
    # runs for the instructor source (which gets full marks below).
    source = nbformat.read(notebook, as_version=4)
    filled = filled_student(notebook, real_students[notebook.name])
    ran_filled, checks_filled, edited_filled = classroom.prepare_submission(filled, source)
    ran_source, checks_source, edited_source = classroom.prepare_submission(source, source)
    assert [c.source for c in ran_filled.cells] == [c.source for c in ran_source.cells]
    assert checks_filled == checks_source and len(checks_source) > 0
    assert not any(edited_filled.values()) and not any(edited_source.values())


@pytest.mark.slow
@real
def test_real_source_gets_full_marks(notebook):
    report = classroom.grade(notebook)
    assert report.status == "graded" and report.source == str(notebook), report.to_text()
    assert report.score == report.max_score > 0, report.to_text()
    assert not any(r.modified for r in report.results)


@pytest.mark.slow
@real
def test_real_blank_student_edition_gets_zero(notebook, real_students):
    report = classroom.grade(real_students[notebook.name])
    assert report.source == str(notebook), report.to_text()
    assert report.score == 0 and report.max_score > 0, report.to_text()
    for result in report.results:
        assert result.status in ("failed", "not run") and result.message, report.to_text()


@pytest.mark.slow
@real
def test_real_wrong_last_exercise_loses_exactly_its_points(notebook, tmp_path):
    # The last exercise: no later check depends on it, so only its own points may go.
    source = nbformat.read(notebook, as_version=4)
    last = classroom.exercises(source)[-1]
    nb = nbformat.read(notebook, as_version=4)
    cell = _cell(nb, last.solution_id)
    cell.source += (f"\n\n\ndef {last.solution_id}(*args, **kwargs):\n"
                    "    raise ValueError('deliberately wrong')\n")
    path = tmp_path / notebook.name
    nbformat.write(nb, path)
    report = classroom.grade(path)
    results = _by_id(report)
    assert report.score == report.max_score - last.points, report.to_text()
    assert results[last.grade_id].points == 0
    assert "raised ValueError: deliberately wrong" in results[last.grade_id].message
