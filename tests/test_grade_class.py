"""make grade-class: a folder of mixed submissions gives grades.csv and one feedback file each."""

from __future__ import annotations

import csv
import subprocess

import nbformat
import pytest
from grading_tools import FAST, cell, make_course, require_sandbox, submission
from nbformat.v4 import new_code_cell, new_notebook, new_raw_cell
from test_grading_holes import FORK_HAPPY, NAIVE_SIGMOID, SPOOF

from course_tools.grading import sandbox
from course_tools.grading.grade_class import find_submissions, grade_class
from helpers.paths import ROOT

pytestmark = pytest.mark.slow  # every test grades through the sandbox


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class of eight, graded once: (rows of grades.csv by student, output folder, lines)."""
    require_sandbox()
    course = make_course(tmp_path_factory.mktemp("course"), __name__)
    root = course["root"]

    def wrong_predict(nb):
        cell(nb, "predict").source = "def predict(w, b, X):\n    return (X[:1] > 9).astype(int)"

    def syntax_error(nb):
        cell(nb, "sigmoid").source = "def sigmoid(z)\n    return z"
        cell(nb, "predict").source = "def predict(w, b, X)\n    return X"

    def memory_hog(nb):
        nb.cells.insert(2, new_code_cell("hog = []\nwhile True:\n    hog.append(np.zeros(10**8))"))

    def endless_loop(nb):
        cell(nb, "predict").source += "\n\nwhile True:\n    pass"

    submission(course, "class/alice/02_fixture.ipynb")
    submission(course, "class/bob/02_fixture.ipynb", wrong_predict)
    submission(course, "class/carol/02_fixture.ipynb", syntax_error)
    submission(course, "class/dave_02_fixture.ipynb", memory_hog)
    submission(course, "class/erin/02_fixture.ipynb", endless_loop)
    (root / "class" / "frank").mkdir()
    (root / "class" / "frank" / "02_fixture.ipynb").write_text("my homework, as text")
    (root / "class" / "grace").mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell("print('hello')")]),
                   root / "class" / "grace" / "holiday.ipynb")
    submission(course, "class/heidi/02_fixture.ipynb", blank=True)
    # The attacks of issue 19: a link to the instructor notebook, a padded notebook (a raw cell
    # and a huge display, with a sigmoid that is right but unsafe), a report-spoofing one and a
    # fork-happy one.
    (root / "class" / "mallory").mkdir()
    (root / "class" / "mallory" / "02_fixture.ipynb").symlink_to(course["source"])

    def padded(nb):
        cell(nb, "sigmoid").source = NAIVE_SIGMOID
        nb.cells.insert(1, new_raw_cell("padding " * 250_000))
        nb.cells.append(new_code_cell("from IPython.display import HTML, display\n"
                                      "display(HTML('<b>x</b>' * 400_000))"))

    def spoofing(nb):
        cell(nb, "sigmoid").source = SPOOF

    def fork_happy(nb):
        nb.cells.insert(2, new_code_cell(FORK_HAPPY))

    submission(course, "class/ivan/02_fixture.ipynb", padded)
    submission(course, "class/judy/02_fixture.ipynb", spoofing)
    submission(course, "class/ken/02_fixture.ipynb", fork_happy)
    (root / "class" / "heidi" / ".ipynb_checkpoints").mkdir()
    (root / "class" / "heidi" / ".ipynb_checkpoints" / "02_fixture-checkpoint.ipynb") \
        .write_text("{}")
    lines = []
    limits = sandbox.Limits(memory_bytes=int(1.5 * 1024**3))
    out = root / "grades"
    grade_class(root / "class", out, jobs=2, source_dir=course["source_dir"],
                progress=lines.append, limits=limits, **{**FAST, "cell_timeout": 3})
    with open(out / "grades.csv", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return rows, out, lines


def test_students_are_found_by_folder_or_file_name(tmp_path):
    (tmp_path / "ann").mkdir()
    for name in ("ann/02_fixture.ipynb", "bo_02_fixture.ipynb", "02_fixture (cy).ipynb",
                 ".hidden.ipynb"):
        (tmp_path / name).write_text("{}")
    sources = [tmp_path / "02_fixture.ipynb"]
    found = {s.student for s in find_submissions(tmp_path, sources)}
    assert found == {"ann", "bo", "cy"}


def test_grades_csv_has_the_right_totals(graded):
    rows, _, _ = graded
    assert set(rows) == {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
                         "mallory", "ivan", "judy", "ken"}
    expected = {"alice": ("graded", "3", "1", "2"), "bob": ("graded", "1", "1", "0"),
                "carol": ("graded", "0", "0", "0"), "heidi": ("graded", "0", "0", "0"),
                "frank": ("error", "0", "0", "0")}
    for student, (status, score, sigmoid, predict) in expected.items():
        row = rows[student]
        assert (row["status"], row["score"], row["check_sigmoid"], row["check_predict"]) == \
            (status, score, sigmoid, predict), row
        assert row["max_score"] == "3"
    assert "not a Jupyter notebook" in rows["frank"]["reason"]
    assert rows["grace"]["status"] == "error" and rows["grace"]["max_score"] == ""
    assert "belongs to no assignment" in rows["grace"]["reason"]


def test_the_attacks_of_issue_19_get_the_right_rows_and_leave_nothing_running(graded):
    rows, out, _ = graded
    assert rows["mallory"]["status"] == "refused" and "symbolic link" in rows["mallory"]["reason"]
    ivan = rows["ivan"]
    assert ivan["status"] == "graded" and ivan["score"] == "0", ivan  # unsafe sigmoid
    judy = (out / "feedback" / "judy" / "judy__02_fixture.ipynb.md").read_text()
    assert [line for line in judy.splitlines() if line.lstrip("*- ").startswith(("Score", "✔"))] \
        == ["**Score: 0 / 3 (0 %)**"], judy
    assert "\x1b" not in judy and rows["judy"]["score"] == "0"
    ken = rows["ken"]
    assert ken["status"] == "stopped" and "process limit" in ken["reason"], ken
    leftovers = subprocess.run(["pgrep", "-f", "sleep 600"], capture_output=True, text=True)
    assert leftovers.stdout == ""
    canvas = (out / "gradebook_canvas.csv").read_text().splitlines()
    assert canvas[1].startswith("Points Possible,") and len(canvas) == 2 + 12
    summary = (out / "summary.md").read_text()
    assert "| 02_fixture: check_predict |" in summary and (out / "summary.png").is_file()


def test_a_memory_hog_and_an_endless_loop_get_a_clear_row(graded):
    rows, _, _ = graded
    dave, erin = rows["dave"], rows["erin"]
    assert "memory limit (1.5 GB)" in dave["reason"] and "MemoryError" in dave["reason"], dave
    assert "time limit: cell 6" in erin["reason"] and "did not finish within 3 s" in erin["reason"]
    assert erin["check_sigmoid"] == "1"


def test_feedback_files_and_progress(graded):
    _, out, lines = graded
    files = sorted(p.relative_to(out / "feedback").as_posix() for p in
                   (out / "feedback").rglob("*.md"))
    assert len(files) == 12 and "bob/bob__02_fixture.ipynb.md" in files
    bob = (out / "feedback" / "bob" / "bob__02_fixture.ipynb.md").read_text()
    assert "Score: 1 / 3" in bob and "check_predict" in bob and "On hidden inputs:" in bob
    assert len(lines) == 13 and lines[-2].startswith("[12/12] ")
    assert lines[-1].startswith("warning: no roster given")


def test_make_grade_class_needs_a_folder():
    done = subprocess.run(["make", "-s", "grade-class"], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 2 and "SUBMISSIONS=folder/" in done.stdout
