"""The holes of the second red-team round (issue 19), each closed and kept closed.

Every test here failed on the grader before its fix. Grading runs through the sandbox on the
small fixture course of tests/grading_tools.py.
"""

from __future__ import annotations

import pytest
from grading_tools import by_id, cell, grade, make_course, require_sandbox, submission
from nbformat.v4 import new_code_cell

from course_tools.grading import grader as grading

pytestmark = pytest.mark.slow  # every test grades through the sandbox

#: Right values on every input, but exp(-z) overflows at z = -1000: the check fails it.
NAIVE_SIGMOID = "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict:
    require_sandbox()
    return make_course(tmp_path_factory.mktemp("course"), __name__)


def test_a_check_whose_outcome_was_not_observed_fails(course, monkeypatch):
    # The executed notebook comes back over the size cap (as a 56 MB raw cell or a huge
    # display made it): the check cells' outcomes are unknown, so no check counts as passed.
    def naive(nb):
        cell(nb, "sigmoid").source = NAIVE_SIGMOID

    monkeypatch.setattr(grading, "MAX_READ_BYTES", 2_000)
    report = grade(course, submission(course, "unobserved.ipynb", naive))
    assert report.score == 0, report.to_text()
    for result in report.results:
        assert result.status == "failed" and "not observed" in result.message, report.to_text()


def test_the_output_cap_counts_the_real_size_of_rich_outputs(tmp_path):
    # One display of 3 MB of HTML used to count as 1,000 characters and was kept whole.
    from nbformat.v4 import new_notebook

    from course_tools.grading import kernel

    nb = new_notebook(cells=[new_code_cell(
        "from IPython.display import HTML, display\n"
        "for _ in range(3):\n    display(HTML('<b>x</b>' * 120_000))\n"
        "raise ValueError('y' * 3_000_000)")])
    kernel.execute(nb, cwd=tmp_path, cell_timeout=60, timeout=60)
    size = len(str(nb.cells[0].outputs))
    assert size < kernel.MAX_OUTPUT_CHARS + 20_000, size
    assert nb.cells[0].outputs[-1].output_type == "error"  # the error is kept, shortened


def test_symbolic_links_and_special_files_in_a_class_folder_are_refused(course, tmp_path):
    # A zip or tar keeps symbolic links: one to the instructor notebook scored full marks, one
    # to another student's file copied their work.
    import csv
    import os

    from course_tools.grading.grade_class import grade_class

    folder = tmp_path / "class"
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / "02_fixture.ipynb").write_text("my homework, as text")
    for student, target in (("mallory", course["source"]),
                            ("eve", folder / "alice" / "02_fixture.ipynb")):
        (folder / student).mkdir()
        (folder / student / "02_fixture.ipynb").symlink_to(target)
    (folder / "trudy").symlink_to(course["source_dir"], target_is_directory=True)
    os.mkfifo(folder / "oscar_02_fixture.ipynb")
    grade_class(folder, tmp_path / "grades", jobs=1, source_dir=course["source_dir"],
                progress=lambda line: None, seed=12345, cell_timeout=60, timeout=240)
    with open(tmp_path / "grades" / "grades.csv", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"alice", "mallory", "eve", "trudy", "oscar"}, rows
    for student in ("mallory", "eve", "trudy"):
        assert rows[student]["status"] == "refused", rows[student]
        assert rows[student]["score"] == "0" and "symbolic link" in rows[student]["reason"]
    assert rows["oscar"]["status"] == "refused" and "not a regular file" in rows["oscar"]["reason"]
    assert rows["alice"]["status"] == "error"  # a regular file, graded (not a notebook)
    single = grading.grade(folder / "mallory" / "02_fixture.ipynb",
                           source_dir=course["source_dir"], seed=1)
    assert single.status == "refused" and single.score == 0, single.to_text()


READ_THE_HIDDEN_TESTS = """
import pathlib
found, marker = [], "BEGIN " + "HIDDEN TESTS"
for path in pathlib.Path("/sandbox").rglob("*.ipynb"):
    text = path.read_text()
    if marker in text:
        found.append(text[text.index(marker):][:200])
raise ValueError(" | ".join(found) or "no hidden tests in the sandbox")
"""


def test_the_hidden_tests_never_enter_the_sandbox(course):
    # The restored check cells used to carry their BEGIN HIDDEN TESTS part into the notebook
    # the sandbox runs; a cell error then brought 200 characters of it into the feedback.
    def snoop(nb):
        nb.cells.append(new_code_cell(READ_THE_HIDDEN_TESTS + "\nprint(In)"))
        nb.cells.insert(len(nb.cells) - 1, new_code_cell("pass"))

    report = grade(course, submission(course, "snoop.ipynb", snoop), run_all=True)
    text = report.to_text() + report.to_markdown() + report.to_json()
    assert "no hidden tests in the sandbox" in text, text
    assert "BEGIN HIDDEN" not in text and "0.85, -2.35" not in text, text
    assert by_id(report)["check_predict"].status == "passed"


SPOOF = '''
_fake = ("\\n  ✔ check_sigmoid  1/1  passed\\n  ✔ check_predict  2/2  passed\\nScore: 3 / 3 (100 %)"
         "\\x1b[2J\\x1b[H\\r\\u202e")
class Spoof(Exception):
    pass
Spoof.__name__ = Spoof.__qualname__ = "Error\\n**Score: 3 / 3**\\n- ✔ check_predict"
def sigmoid(z):
    raise Spoof(_fake)
'''


def test_a_submission_cannot_write_lines_of_the_report(course):
    def spoof(nb):
        cell(nb, "sigmoid").source = SPOOF
        nb.cells.insert(3, new_code_cell("raise ValueError(_fake)"))

    report = grade(course, submission(course, "spoof.ipynb", spoof))
    assert report.score == 0, report.to_text()  # predict calls the spoofing sigmoid
    for text in (report.to_text(), report.to_markdown()):
        assert not any(ch in text for ch in "\x1b\r\u202e"), repr(text)
        lines = text.splitlines()
        assert sum(line.lstrip("*").startswith("Score:") for line in lines) == 1, text
        assert not any(line.lstrip("- ").startswith("✔") for line in lines), text
    assert "raised ValueError: “" in report.to_text()  # learner-supplied text is quoted


SILENCE_THE_CHECKS = """
import helpers.checks as _checks
import helpers.checks.logistic as _logistic
_checks.call = lambda function, *args, name=None, **kwargs: function(*args, **kwargs)
for _name in [n for n in dir(_logistic) if n.startswith("check_")]:
    setattr(_logistic, _name, lambda f, _n=_name[6:]: print(f"✔ {_n}: all checks passed."))
"""


def test_the_checks_rules_hold_when_the_checks_are_switched_off(course):
    # No-op checks, and a sigmoid whose values are right but which overflows at z = -1000
    # (the check's rule): the probe decides that rule too, outside the sandbox.
    def silenced(nb):
        cell(nb, "sigmoid").source = SILENCE_THE_CHECKS + NAIVE_SIGMOID

    report = grade(course, submission(course, "silenced.ipynb", silenced))
    results = by_id(report)
    assert results["check_sigmoid"].points == 0, report.to_text()
    assert "sigmoid is not numerically safe" in results["check_sigmoid"].message
    assert results["check_predict"].points == 0  # predict calls that sigmoid


FORK_HAPPY = """
import subprocess
sleepers = []
for _ in range(150):
    try:
        sleepers.append(subprocess.Popen(["sleep", "600"]))
    except OSError as err:
        print("refused:", err)
        break
print(len(sleepers), "sleepers")
import time
time.sleep(2)  # they stay, as a fork-happy notebook's do, while it goes on running
"""
FILL_SHM = """
written = 0
try:
    for index in range(16):  # files of 32 MB, each under the file-size limit
        with open(f"/dev/shm/filler{index}", "wb") as handle:
            for _ in range(32):
                handle.write(b"x" * 2**20)
                handle.flush()
                written += 1
except OSError as err:
    print("refused:", err)
print(written, "MB in /dev/shm")
"""


def test_shared_memory_is_private_and_small(course):
    def fill(nb):
        nb.cells.insert(2, new_code_cell(FILL_SHM + "\nassert written < 512, written"))

    report = grade(course, submission(course, "shm.ipynb", fill))
    assert report.status == "graded" and report.score == 3, report.to_text()
    assert report.cell_errors == [], report.to_text()  # the write was refused before 512 MB


def test_a_fork_happy_notebook_is_capped_and_leaves_nothing_behind(course):
    import subprocess

    def fork(nb):
        nb.cells.insert(2, new_code_cell(FORK_HAPPY + "\nassert len(sleepers) < 150"))

    report = grade(course, submission(course, "fork.ipynb", fork))
    text = report.to_text()
    # Refused in the sandbox (RLIMIT_NPROC in its user namespace), or, where the kernel exempts
    # the grader (run as root), stopped by the grader's watchdog.
    assert "Resource temporarily unavailable" in text or "process limit" in text, text
    assert report.score < 3 or report.status == "graded", text
    leftovers = subprocess.run(["pgrep", "-f", "sleep 600"], capture_output=True, text=True)
    assert leftovers.stdout == "", leftovers.stdout


def test_a_stopped_runner_does_not_hold_its_slot(course):
    import time

    def stop(nb):
        nb.cells.insert(2, new_code_cell("import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)"))

    started = time.monotonic()
    report = grade(course, submission(course, "stopped.ipynb", stop), cell_timeout=600,
                   timeout=900)
    assert time.monotonic() - started < 120, report.to_text()
    assert report.status == "stopped" and "SIGSTOP" in report.error, report.to_text()


def test_the_default_time_limit_follows_the_instructor_notebook(course, monkeypatch):
    # It was a fixed half hour (34 minutes with the grace): now five times the instructor
    # notebook's own run time, at least a minute, measured once and cached.
    monkeypatch.setattr(grading, "TIMING_DIR", course["root"] / "timing")
    first = grading.default_timeout(course["source"])
    assert grading.MIN_TIMEOUT <= first < 600, first
    [cached] = (course["root"] / "timing").glob("02_fixture-*.json")
    monkeypatch.setattr(grading, "_run", lambda *a, **k: pytest.fail("not cached"))
    assert grading.default_timeout(course["source"]) == first
    cached.write_text('{"seconds": 30.0}')
    assert grading.default_timeout(course["source"]) == 150
