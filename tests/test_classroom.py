"""Tests of the student edition and of grading one submission (course_tools).

Grading runs through the sandbox on a small fixture (a slice of notebook 2, tests/grading_tools
.py); the real notebooks are graded once each, in tests/test_probes.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from grading_tools import (
    FAST,
    by_id,
    cell,
    filled_student,
    grade,
    make_course,
    require_sandbox,
    submission,
)
from nbformat.v4 import new_code_cell, new_notebook

from course_tools.grading import classroom, sandbox
from course_tools.grading import grader as grading
from course_tools.grading.notebooks import (
    exercises,
    match_source,
    prepare_submission,
    source_notebooks,
    write_student_editions,
)

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict:
    return make_course(tmp_path_factory.mktemp("course"), __name__)


@pytest.fixture()
def sandboxed():
    require_sandbox()


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
        if src.metadata.get("nbgrader", {}).get("grade"):
            assert stu.metadata["nbgrader"]["points"] == src.metadata["nbgrader"]["points"]
            assert stu.metadata["editable"] is False and stu.metadata["deletable"] is False
            assert visible <= student_lines
            assert "checksum" in stu.metadata["nbgrader"]
    return regions


def test_student_edition_of_fixture_has_no_solutions_outputs_or_hidden_tests(course):
    source = nbformat.read(course["source"], as_version=4)
    student = nbformat.read(course["student"], as_version=4)
    assert assert_student_edition(source, student) == 2
    assert "[[1, 0, 0, 1, 1, 0]]" in cell(source, "check_predict").source
    assert "[[1, 0, 0, 1, 1, 0]]" not in cell(student, "check_predict").source
    nbformat.validate(student)


def test_student_edition_rejects_a_solution_region_outside_a_solution_cell(course, tmp_path):
    nb = nbformat.read(course["source"], as_version=4)
    nb.cells[1].source += f"\n{BEGIN}\nx = 1\n{END}"  # the setup cell has no nbgrader metadata
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(RuntimeError, match="bad.ipynb.*non-solution cell"):
        write_student_editions([path], tmp_path / "out")


def test_student_cli_writes_every_notebook(course, tmp_path, capsys):
    out = tmp_path / "student"
    assert classroom.main(["student", str(course["source"]), "--out", str(out)]) == 0
    assert (out / "02_fixture.ipynb").is_file()
    assert "2 graded exercises, 3 points" in capsys.readouterr().out


REAL = source_notebooks()


@pytest.mark.parametrize("notebook", REAL, ids=[p.stem for p in REAL])
def test_real_student_edition_hides_solutions_and_runs_the_source_code(notebook, tmp_path):
    # What the grader runs for a learner who typed every solution in is, cell for cell, what it
    # runs for the instructor source.
    [student] = write_student_editions([notebook], tmp_path)
    source = nbformat.read(notebook, as_version=4)
    assert assert_student_edition(source, nbformat.read(student, as_version=4)) \
        >= len(exercises(source)) > 0
    ran_filled, checks_filled, edited_filled = prepare_submission(
        filled_student(notebook, student), source)
    ran_source, checks_source, edited_source = prepare_submission(source, source)
    assert [c.source for c in ran_filled.cells] == [c.source for c in ran_source.cells]
    assert checks_filled == checks_source and len(checks_source) > 0
    assert not any(edited_filled.values()) and not any(edited_source.values())


# ------------------------------------------------------------------ matching and bad files


@pytest.mark.parametrize("content", [b"", b"hello, not a notebook\n", b'{"cells": 3}',
                                     b"\xff\xfe\x00binary", b"[1, 2, 3]"])
def test_a_file_that_is_not_a_notebook_gets_a_clean_report(course, tmp_path, content, sandboxed):
    path = tmp_path / "02_fixture.ipynb"  # the right name, so the report lists the exercises
    path.write_bytes(content)
    report = grade(course, path)
    assert report.status == "error" and "not a" in report.error, report.error
    assert report.score == 0 and report.max_score == 3
    assert [r.status for r in report.results] == ["not run"] * 2


def test_an_unmatched_or_missing_submission_gets_a_clean_report(course, tmp_path, sandboxed):
    other = tmp_path / "holiday.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("1 + 1")]), other)
    report = grade(course, other)
    assert report.status == "error" and "belongs to no assignment" in report.error
    assert report.max_score is None and report.results == []
    missing = grade(course, tmp_path / "nope.ipynb")
    assert missing.status == "error" and "does not exist" in missing.error


def test_a_renamed_submission_is_matched_by_its_grade_ids(course, tmp_path):
    source = course["source_dir"]
    decoy = nbformat.read(course["source"], as_version=4)
    for c in decoy.cells:
        c.metadata.pop("nbgrader", None)
    nbformat.write(decoy, source / "03_decoy.ipynb")  # same cells, no grade ids
    try:
        renamed = tmp_path / "03_decoy (alice).ipynb"
        renamed.write_bytes(course["student"].read_bytes())
        path, how = match_source(nbformat.read(renamed, as_version=4), renamed,
                                 source_notebooks(source))
        assert path.name == "02_fixture.ipynb" and how == "grade ids (4 in common)"
        path, how = match_source(new_notebook(), renamed, source_notebooks(source))
        assert (path.name, how) == ("03_decoy.ipynb", "file name")
    finally:
        (source / "03_decoy.ipynb").unlink()


# ------------------------------------------------------------------- grading in the sandbox


@pytest.mark.slow
def test_source_full_marks_and_an_exercise_without_a_probe_scores_zero(course, tmp_path,
                                                                       sandboxed):
    # The source with a copy of its sigmoid exercise under a grade id no probe knows: one
    # sandbox run shows both.
    nb = nbformat.read(course["source"], as_version=4)
    extra = nbformat.read(course["source"], as_version=4)
    solution, check = cell(extra, "sigmoid"), cell(extra, "check_sigmoid")
    solution.metadata.nbgrader["grade_id"], check.metadata.nbgrader["grade_id"] = \
        "sigmoid_again", "check_sigmoid_again"
    solution["id"], check["id"] = "sigmoid-again", "check-sigmoid-again"
    nb.cells += [solution, check]
    path = tmp_path / "02_fixture.ipynb"
    nbformat.write(nb, path)
    report = grading.grade(path, source_path=path, **FAST)
    assert report.status == "graded" and report.sandboxed, report.to_text()
    assert (report.score, report.max_score) == (3, 4), report.to_text()
    assert report.cell_errors == [] and report.limits_hit == []  # the data was found
    results = by_id(report)
    assert {results[gid].status for gid in ("check_sigmoid", "check_predict")} == {"passed"}
    result = results["check_sigmoid_again"]
    assert (result.status, result.points) == ("no probe", 0), report.to_text()
    assert "no hidden probe in course_tools/grading/probes.py" in result.message


@pytest.mark.slow
def test_one_wrong_exercise_loses_exactly_its_points(course, sandboxed):
    def break_predict(nb):  # right on the visible check's inputs, wrong on others
        cell(nb, "predict").source = ("def predict(w, b, X):\n"
                                      "    return (w.T @ X + b > 0.1).astype(int)")

    report = grade(course, submission(course, "wrong.ipynb", break_predict))
    results = by_id(report)
    assert report.score == 1 and results["check_predict"].points == 0, report.to_text()
    assert results["check_sigmoid"].status == "passed"
    assert "On hidden inputs:" in results["check_predict"].message


@pytest.mark.slow
def test_a_deleted_check_fails_and_an_edited_check_is_restored(course, sandboxed):
    def tamper(nb):
        nb.cells.remove(cell(nb, "check_sigmoid"))
        cell(nb, "predict").source = "def predict(w, b, X):\n    return np.zeros((1, X.shape[1]))"
        cell(nb, "check_predict").source = 'print("✔ predict: all checks passed.")'

    report = grade(course, submission(course, "tampered.ipynb", tamper))
    results = by_id(report)
    assert results["check_sigmoid"].status == "missing"
    assert results["check_predict"].modified and results["check_predict"].points == 0
    assert "was edited" in results["check_predict"].message
    assert report.score == 0


@pytest.mark.slow
def test_a_syntax_error_is_named_and_an_endless_loop_is_interrupted(course, sandboxed):
    def break_both(nb):
        cell(nb, "sigmoid").source = "def sigmoid(z)\n    return z"
        cell(nb, "predict").source += "\nwhile True:\n    pass"

    started = time.monotonic()
    report = grade(course, submission(course, "broken.ipynb", break_both), cell_timeout=3)
    results = by_id(report)
    assert "sigmoid, raised SyntaxError" in results["check_sigmoid"].message, report.to_text()
    # predict was defined before the loop, the loop was interrupted, the check still ran;
    # it fails only because predict uses the broken sigmoid.
    assert any(hit.startswith("time limit: cell 6") for hit in report.limits_hit)
    assert results["check_predict"].status == "failed" and report.score == 0
    assert time.monotonic() - started < 90


@pytest.mark.slow
def test_a_dying_kernel_and_the_overall_time_limit_are_reported(course, sandboxed):
    def die(nb):
        nb.cells.insert(4, new_code_cell("import os\nos._exit(3)"))

    report = grade(course, submission(course, "dies.ipynb", die))
    results = by_id(report)
    assert results["check_sigmoid"].status == "passed"
    assert results["check_predict"].status == "not run" and report.score == 1
    assert "kernel died" in results["check_predict"].message

    def slow(nb):
        nb.cells.insert(2, new_code_cell("import time\ntime.sleep(600)"))

    report = grade(course, submission(course, "slow.ipynb", slow), cell_timeout=600, timeout=4)
    assert report.score == 0 and {r.status for r in report.results} == {"not run"}
    assert "time limit of 4 s" in report.results[0].message


@pytest.mark.slow
def test_grade_cli_prints_json_for_a_blank_edition_scoring_zero_and_refuses_without_a_sandbox(
        course, capsys, monkeypatch, sandboxed):
    options = ["--source-dir", str(course["source_dir"]), "--cell-timeout", "60", "--seed", "1"]
    assert classroom.main(["grade", str(course["student"]), "--json", *options]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["score"] == 0 and report["max_score"] == 3 and report["sandboxed"]
    assert [r["grade_id"] for r in report["results"]] == ["check_sigmoid", "check_predict"]
    for result in report["results"]:
        assert result["status"] == "failed" and "not implemented yet" in result["message"]

    monkeypatch.setattr(sandbox, "problem", lambda: "bubblewrap (bwrap) is not installed")
    assert classroom.main(["grade", str(course["student"]), *options]) == 2
    err = capsys.readouterr().err
    assert "Refusing to run untrusted notebooks" in err and "--no-sandbox" in err
    assert classroom.main(["grade", str(course["source"]), "--no-sandbox", *options]) == 0
    out = capsys.readouterr().out
    assert "NOT SANDBOXED" in out and "Score: 3 / 3" in out


def test_the_sandbox_sees_no_instructor_files(tmp_path, sandboxed):
    # Run a short script the way the grader runs a kernel, and list what it can see.
    folder = tmp_path / "box"
    sandbox.prepare_folder(folder)
    script = ("import os, helpers.paths as p\n"
              "print(sorted(os.listdir(p.ROOT)), p.NOTEBOOKS_DIR.exists())")
    from helpers.data import data_dir
    env = sandbox.environment(sandbox.INSIDE, 1)
    cmd = sandbox.command([sys.executable, "-c", script], folder=folder, data_dir=data_dir(),
                          env=env)
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "['.venv', 'course_tools', 'datasets', 'helpers'] False", \
        done.stdout
    assert Path(folder / "home").is_dir()


def test_setup_says_how_to_get_a_sandbox_where_it_cannot_install_one(monkeypatch, capsys):
    monkeypatch.setattr(sys, "platform", "darwin")
    sandbox.problem.cache_clear()
    try:
        assert sandbox.problem().startswith("bubblewrap runs on Linux only")
        assert sandbox.install() == 0  # never fails make setup
    finally:
        monkeypatch.undo()
        sandbox.problem.cache_clear()
    out = capsys.readouterr().out
    assert "grading cannot be sandboxed here" in out
    assert "docker run" in out


def test_the_sandbox_pins_every_library_to_the_job_s_share_of_the_cores():
    # prepare_notebook reads COURSE_THREADS (TensorFlow too); the BLAS variables cover the rest.
    from helpers.environment import THREAD_ENV, THREADS_ENV, thread_limit

    env = sandbox.environment(sandbox.INSIDE, 2)
    assert thread_limit(env) == 2
    assert {env[name] for name in (THREADS_ENV, *THREAD_ENV)} == {"2"}
