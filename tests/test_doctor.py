"""make doctor (course_tools.doctor): every problem is named, with its fix on one line."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys

import pytest

from course_tools import doctor, make
from helpers.data import SPLITS, data_dir

LOCK = doctor.lock_pins(make.LOCK.read_text(encoding="utf-8"))
VENV = make.ROOT / ".venv"


def healthy(**changes) -> doctor.Facts:
    """What a working Linux x86-64 set-up looks like, with ``changes``."""
    dists = {name: version for name, version, marker in LOCK if not marker}
    specs = [(spec.filename, spec.sha256) for spec in SPLITS]
    facts = doctor.Facts(
        system="Linux 6.1", machine="x86_64", cpu="Some CPU", avx2=True, windows=False,
        runtime="local", supported=[(3, 11), (3, 12), (3, 13)], venv=VENV,
        runner_python=(3, 12), lock=LOCK, data_specs=specs,
        data_hashes={name: sha for name, sha in specs}, bwrap="/usr/bin/bwrap",
        probe={"python": [3, 12, 8], "executable": str(VENV / "bin" / "python"),
               "dists": dists, "markers": {marker: False for _, _, marker in LOCK if marker},
               "kernel": {"argv": ["python", "-m", "ipykernel_launcher"],
                          "dir": str(VENV / "share/jupyter/kernels/python3")}})
    return dataclasses.replace(facts, **changes)


def problems(facts: doctor.Facts) -> dict[str, doctor.Finding]:
    return {f.topic: f for f in doctor.diagnose(facts) if f.status == "PROBLEM"}


def test_a_healthy_set_up_is_all_ok():
    findings = doctor.diagnose(healthy())
    assert [f.status for f in findings] == ["ok"] * len(doctor.CHECKS)
    text = doctor.report(findings)
    assert "0 problems found." in text and "fix:" not in text


def test_the_data_specs_are_read_from_helpers_data():
    source = doctor.DATA_SOURCE.read_text(encoding="utf-8")
    assert doctor.data_specs(source) == [(spec.filename, spec.sha256) for spec in SPLITS]


def test_a_missing_data_file_is_named_with_its_fix():
    facts = healthy()
    facts.data_hashes["test_catvnoncat.h5"] = None
    found = problems(facts)
    assert list(found) == ["data"]
    assert "test_catvnoncat.h5 missing" in found["data"].text
    assert found["data"].fix.startswith("make setup;")
    assert "DATA_SOURCE=" in found["data"].fix
    windows = problems(dataclasses.replace(facts, windows=True))["data"]
    assert windows.fix.startswith("py -3.12 -m course_tools.make setup;")


def test_a_changed_data_file_is_named_with_its_fix():
    facts = healthy()
    facts.data_hashes["train_catvnoncat.h5"] = "0" * 64
    found = problems(facts)["data"]
    assert "not the course's bytes" in found.text and "delete train_catvnoncat.h5" in found.fix


def test_another_package_version_is_named_with_its_fix():
    facts = healthy()
    facts.probe["dists"]["numpy"] = "2.3.0"
    del facts.probe["dists"]["keras"]
    found = problems(facts)
    assert list(found) == ["packages"]
    assert "numpy 2.3.0 installed, the lock pins 2.4." in found["packages"].text
    assert "keras missing" in found["packages"].text
    assert found["packages"].fix.endswith(".installed (it says the lock is installed), "
                                          "then make setup")


def test_no_kernel_is_named_with_its_fix():
    facts = healthy()
    facts.probe["kernel"] = {"error": "NoSuchKernel: No such kernel named python3"}
    found = problems(facts)
    assert list(found) == ["kernel"] and "no Jupyter kernel 'python3'" in found["kernel"].text
    assert found["kernel"].fix.endswith("then make setup")


def test_a_kernel_that_runs_another_python_is_named_with_its_fix():
    facts = healthy()
    facts.probe["kernel"] = {"argv": ["/usr/bin/python3.9", "-m", "ipykernel_launcher"],
                             "dir": "/home/me/.local/share/jupyter/kernels/python3"}
    found = problems(facts)["kernel"]
    assert "runs /usr/bin/python3.9" in found.text
    assert found.fix.startswith("delete the folder /home/me/.local/share/jupyter/kernels/python3")


def test_python_3_14_without_a_venv_says_which_python_to_install():
    facts = healthy(probe=None, probe_error=".venv/bin/python does not exist",
                    runner_python=(3, 14))
    found = problems(facts)
    assert set(found) == {"python", "packages", "kernel"}
    assert "Python 3.14 can't make one" in found["python"].text
    assert found["python"].fix == "install Python 3.12, then make setup PYTHON=python3.12"
    assert problems(dataclasses.replace(facts, runner_python=(3, 12)))["python"].fix == (
        "make setup")


def test_a_venv_of_an_unsupported_python_must_be_remade():
    facts = healthy()
    facts.probe["python"] = [3, 14, 0]
    found = problems(facts)["python"]
    assert "needs Python 3.11, 3.12, 3.13" in found.text
    assert found.fix.endswith("then make setup PYTHON=python3.12")


def test_arm_and_colab_get_a_note_not_a_problem():
    arm = doctor.diagnose(healthy(machine="aarch64", avx2=None))
    assert arm[0].status == "note" and "make run-notebooks" in arm[0].fix
    colab = healthy(runtime="colab")
    colab.probe["kernel"] = {"argv": ["/usr/bin/python3"], "dir": "/usr/local/share/jupyter"}
    findings = {f.topic: f for f in doctor.diagnose(colab)}
    assert findings["packages"].status == "note" and not problems(colab)


def test_every_problem_ends_with_one_fix_line():
    facts = healthy(probe=None, probe_error="gone", runner_python=(3, 14), bwrap=None)
    facts.data_hashes["train_catvnoncat.h5"] = None
    lines = doctor.report(doctor.diagnose(facts)).splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("PROBLEM", "note")):
            assert lines[i + 1].strip().startswith("fix: "), line
            assert not lines[i + 2].strip().startswith("fix:")


def test_runtime_is_told_from_the_environment():
    assert doctor.detect_runtime({}, {}) == "local"
    assert doctor.detect_runtime({"COLAB_RELEASE_TAG": "x"}, {}) == "colab"
    assert doctor.detect_runtime({"BINDER_REQUEST": "v2/gh/x"}, {}) == "binder"


@pytest.mark.slow
def test_doctor_on_this_machine_finds_nothing_wrong():
    run = subprocess.run([sys.executable, "-m", "course_tools.doctor"], cwd=make.ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    statuses = [line.split()[0] for line in run.stdout.splitlines()[2:-2]]
    assert statuses == ["ok"] * len(doctor.CHECKS), run.stdout


@pytest.mark.slow
def test_doctor_names_a_broken_set_up_for_real(tmp_path):
    """A data folder missing one file and a kernel that hides the venv's (JUPYTER_PATH comes
    first), without touching the real venv or data."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(data_dir() / SPLITS[0].filename, data)
    kernel = tmp_path / "jupyter" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps(
        {"argv": ["/opt/other/bin/python3", "-m", "ipykernel_launcher", "-f",
                  "{connection_file}"], "display_name": "Python 3", "language": "python"}))
    env = {**doctor.os.environ, "CATVNONCAT_DIR": str(data),
           "JUPYTER_PATH": str(tmp_path / "jupyter")}
    run = subprocess.run([sys.executable, "-m", "course_tools.doctor"], cwd=make.ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"PROBLEM  data      {SPLITS[1].filename} missing in {data}" in run.stdout
    assert f"fix: delete the folder {kernel}" in run.stdout
    assert "2 problems found." in run.stdout


@pytest.mark.parametrize("line, expected", [
    ("numpy==2.4.6", ("numpy", "2.4.6", "")),
    ("soupsieve==4.1.2 ; python_full_version >= '3.11.5'",
     ("soupsieve", "4.1.2", "python_full_version >= '3.11.5'")),
    ("    # via jupyter", None),
])
def test_lock_lines_are_parsed_with_their_markers(line, expected):
    assert doctor.lock_pins(line) == ([expected] if expected else [])


def test_windows_commands_use_the_py_launcher():
    assert doctor.command("setup", True) == "py -3.12 -m course_tools.make setup"
    assert doctor.command("setup", False) == "make setup"
