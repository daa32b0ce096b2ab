"""A submission that games the grader earns nothing; one that attacks the machine reaches nothing.

Every attack is a blank student edition of the fixture (tests/grading_tools.py) with a few lines
in its first solution cell, graded through the sandbox.
"""

from __future__ import annotations

import hashlib
import socket
import threading

import pytest
from grading_tools import FAST, cell, grade, make_course, require_sandbox, submission

from course_tools.grading import probes, reference
from course_tools.grading.reference import CACHE_DIR
from helpers.paths import NOTEBOOKS_DIR, ROOT

pytestmark = pytest.mark.slow  # every test grades through the sandbox


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict:
    require_sandbox()
    return make_course(tmp_path_factory.mktemp("course"), __name__)


def attack(course: dict, name: str, code: str, *, keep_stubs: bool = True):
    """Grade the blank student edition with ``code`` at the top of its first solution cell."""
    def edit(nb):
        target = cell(nb, "sigmoid")
        target.source = code + ("\n\n" + target.source if keep_stubs else "")

    return grade(course, submission(course, f"{name}.ipynb", edit, blank=True))


PATCH_CHECKS = """
import helpers.checks.logistic as _logistic
for _name in [n for n in dir(_logistic) if n.startswith("check_")]:
    setattr(_logistic, _name, lambda f, _n=_name[6:]: print(f"✔ {_n}: all checks passed."))
"""


def test_patched_checks_score_zero(course):
    report = attack(course, "patched_checks", PATCH_CHECKS)
    assert report.score == 0, report.to_text()
    assert all("not implemented yet" in r.message for r in report.results), report.to_text()


def test_the_answer_key_cannot_be_read_from_disk(course):
    # Everything the grader knows: the real and the fixture sources, and the reference cache.
    places = [str(NOTEBOOKS_DIR / "02_logistic_regression_numpy.ipynb"), str(course["source"]),
              str(CACHE_DIR)]
    code = f"""
import json, os, pathlib, helpers.paths
found = []
for place in {places!r} + [str(helpers.paths.NOTEBOOKS_DIR)]:
    for path in ([pathlib.Path(place)] + sorted(pathlib.Path(place).rglob("*"))
                 if os.path.isdir(place) else [pathlib.Path(place)]):
        try:
            nb = json.loads(path.read_text())
        except Exception:
            continue
        found.append(str(path))
        for c in nb["cells"]:
            if "BEGIN SOLUTION" in "".join(c["source"]):
                exec("".join(c["source"]))
print("answer keys found:", found)
"""
    report = attack(course, "answer_key", code, keep_stubs=False)
    assert report.score == 0, report.to_text()
    assert "the notebook defines no function named sigmoid" in report.results[0].message


PATCH_NUMPY = """
import numpy as np
for _name in ("allclose", "array_equal", "isclose", "all", "any", "isfinite"):
    setattr(np, _name, lambda *args, **kwargs: True)

def sigmoid(z):
    return z * 0 + 0.5

def predict(w, b, X):
    return (X[:1] * 0).astype(int)
"""


def test_patched_numpy_comparisons_with_wrong_functions_score_zero(course):
    def edit(nb):
        cell(nb, "sigmoid").source = PATCH_NUMPY
        cell(nb, "predict").source = "pass"

    report = grade(course, submission(course, "patched_numpy.ipynb", edit, blank=True))
    assert report.score == 0, report.to_text()
    for result in report.results:
        assert "On hidden inputs:" in result.message, report.to_text()


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_submission_changes_nothing_and_reaches_nothing(course, tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port, connections, stop = listener.getsockname()[1], [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connections.append(listener.accept())
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    outside = tmp_path / "outside.txt"
    project_file = ROOT / "helpers" / "paths.py"
    before = _sha256(project_file)
    code = f"""
import os, pathlib, socket
attempts = {{
    "write outside": lambda: pathlib.Path({str(outside)!r}).write_text("escaped"),
    "edit project": lambda: open({str(project_file)!r}, "a").write("# edited by a submission"),
    "delete project": lambda: os.remove({str(project_file)!r}),
    "connect": lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3).send(b"hi"),
}}
for what, act in attempts.items():
    try:
        act()
        print(what, "succeeded")
    except Exception as err:
        print(what, "failed:", type(err).__name__)
"""
    try:
        report = attack(course, "harm", code)
    finally:
        stop.set()
        thread.join()
        listener.close()
        if _sha256(project_file) != before:  # put the file back before failing
            import subprocess
            subprocess.run(["git", "-C", str(ROOT), "checkout", "--", str(project_file)])
    assert report.status == "graded", report.to_text()
    assert not outside.exists()
    assert _sha256(project_file) == before
    assert connections == []
    assert (ROOT / "datasets").is_dir() and any((ROOT / "datasets").glob("*.h5"))


def test_symbolic_links_to_the_reference_results_are_refused(course):
    # Patched checks, plus the probes' output files replaced by links to the grader's cached
    # reference results (whose path a learner could work out): the grader reads the links'
    # targets only if they lie inside the sandbox folder.
    ids = ["check_sigmoid", "check_predict"]
    reference.reference_results(course["source"], ids, FAST["seed"])
    folder = CACHE_DIR / reference._cache_key(course["source"], FAST["seed"])
    targets = {gid: str(folder / f"{gid}.npz") for gid in ids}
    assert all(isinstance(probes.load(t), dict) for t in targets.values())
    code = PATCH_CHECKS + f"""
import os, course_tools.grading.probes
course_tools.grading.probes.record = lambda *args, **kwargs: None
os.makedirs("/sandbox/out/probes", exist_ok=True)
for gid, target in {targets!r}.items():
    os.symlink(target, f"/sandbox/out/probes/{{gid}}.npz")
"""
    report = attack(course, "symlinks", code)
    assert report.score == 0, report.to_text()
    assert all("produced no result" in r.message for r in report.results), report.to_text()
