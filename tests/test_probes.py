"""The hidden probes and reference results (course_tools.probes / .reference), and the real
notebooks graded once each, together, through the sandbox."""

from __future__ import annotations

import csv
import shutil
import subprocess
import zipfile

import numpy as np
import pytest
from grading_tools import require_sandbox

from course_tools import probes, reference
from course_tools.grade_class import grade_class
from course_tools.notebooks import exercises, read_notebook, source_notebooks

REAL = source_notebooks()
SPEC = probes.Probe("f", lambda f, rng: None, rtol=1e-6, atol=1e-9)


def test_every_real_exercise_has_a_probe():
    missing = [f"{nb.name}: {e.grade_id}" for nb in REAL for e in exercises(read_notebook(nb))
               if e.grade_id not in probes.PROBES]
    assert missing == [], "add a probe to course_tools/probes.py for each of these"


def test_reference_code_is_only_the_definitions():
    code = reference.definitions(REAL[-1])
    assert code.startswith("from helpers.environment import prepare_notebook")
    assert "def initialize_parameters_deep(" in code and "def update_parameters(" in code
    assert "checks.check_" not in code  # no check cells
    assert "deep_dims = " not in code and "plt.show()" not in code  # no experiments or plots


def test_flatten_covers_the_shapes_of_results():
    flat = probes.flatten({"grads": {"dw": np.ones((2, 1)), "db": 0.5}, "costs": [1.0, 2.0],
                           "none": None, "pair": (np.int64(3), "relu")})
    assert set(flat) == {"grads.dw", "grads.db", "costs (length)", "costs[0]", "costs[1]",
                         "none", "pair (length)", "pair[0]", "pair[1]"}
    assert flat["costs (length)"] == 2 and str(flat["none"]) == "None"
    with pytest.raises(TypeError, match="not numbers"):
        probes.flatten({"x": object()})


@pytest.mark.parametrize(("got", "problem"), [
    ({"y": np.ones((2, 1))}, "'y' has shape (2, 1), expected (2,)"),
    ({"y": np.ones(2, dtype=np.float32)}, "dtype float32, expected float64"),
    ({"y": np.array([1.0, 1.1])}, "'y' is wrong: it differs in 1 of 2 entries"),
    ({}, "f: 'y' is missing"),
    ({"y": np.array(["a", "b"])}, "not a number"),
])
def test_compare_says_what_differs(got, problem):
    assert problem in probes.compare({"y": np.ones(2)}, got, SPEC)


def test_compare_accepts_what_is_equal_enough():
    expected = {"y": np.ones(2), "b": np.array(0.0), "labels": np.array([[1, 0]])}
    got = {"y": np.ones(2) + 1e-12, "b": np.array([0.0]), "labels": np.array([[1, 0]], np.int32),
           "extra": np.array(3)}
    assert probes.compare(expected, got, SPEC) == ""
    got["labels"] = np.array([[1.0, 0.0]])
    assert "'labels' is wrong" in probes.compare(expected, got, SPEC)


def test_record_and_load_round_trip_and_refuse_bad_files(tmp_path):
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    probes.record({"sigmoid": sigmoid}, "check_sigmoid", 3, tmp_path)
    loaded = probes.load(tmp_path / "check_sigmoid.npz")
    assert loaded["float64"].shape == (3, 4) and loaded["float32"].dtype == np.float32
    probes.record({}, "check_sigmoid", 3, tmp_path)
    assert "defines no function named sigmoid" in probes.load(tmp_path / "check_sigmoid.npz")
    assert "produced no result" in probes.load(tmp_path / "nothing.npz")
    (tmp_path / "junk.npz").write_text("junk")
    assert "unreadable" in probes.load(tmp_path / "junk.npz")
    with zipfile.ZipFile(tmp_path / "bomb.npz", "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("a0.npy", b"\0" * (probes.MAX_OUTPUT_BYTES + 1))
    assert "too large" in probes.load(tmp_path / "bomb.npz")


def test_reference_results_are_cached_per_seed(tmp_path, monkeypatch):
    source = REAL[1]  # notebook 2: NumPy only, about a second
    ids = [e.grade_id for e in exercises(read_notebook(source))]
    first = reference.reference_results(source, ids, 5, cache_dir=tmp_path)
    assert all(isinstance(first[gid], dict) for gid in ids), first
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("not cached"))
    again = reference.reference_results(source, ids, 5, cache_dir=tmp_path)
    assert all(probes.compare(first[gid], again[gid], probes.PROBES[gid]) == "" for gid in ids)
    other = probes.load(next(tmp_path.glob("*-5")) / "check_model.npz")
    assert other.keys() == first["check_model"].keys()


@pytest.mark.slow
def test_each_real_notebook_gets_full_marks_through_the_sandbox(tmp_path):
    # The four instructor notebooks, graded once, as one class: every probe agrees with its
    # reference on the instructor's own code, and every check passes in the sandbox.
    require_sandbox()
    for notebook in REAL:
        shutil.copy(notebook, tmp_path / f"instructor_{notebook.name}")
    grade_class(tmp_path, tmp_path / "grades", jobs=2, progress=lambda line: None)
    with open(tmp_path / "grades" / "grades.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(REAL) > 0
    for row in rows:
        assert row["status"] == "graded" and row["reason"] == "", row
        assert row["score"] == row["max_score"] != "0", row
