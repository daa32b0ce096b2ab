"""The lock (requirements.txt) and `python -m course_tools.make`, which Windows uses for make."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course_tools import make
from helpers.environment import EXPECTED_VERSIONS

VENV_PYTHON = Path(sys.executable)  # tests run in the venv, where uv is installed
LOCK_TEXT = make.LOCK.read_text(encoding="utf-8")
CPU_BUILD = {"x86_64-manylinux_2_28", "x86_64-pc-windows-msvc"}  # where tensorflow-cpu exists


def lock_pins() -> dict[str, set[str]]:
    pins: dict[str, set[str]] = {}
    for name, version in make.re.findall(r"^([A-Za-z0-9._-]+)==([^\s;]+)", LOCK_TEXT, make.re.M):
        pins.setdefault(make.normalize(name), set()).add(version)
    return pins


@pytest.mark.slow
def test_lock_resolves_wheels_only_on_every_platform_and_python():
    results = make.resolve_everywhere(VENV_PYTHON)
    assert len(results) == len(make.LOCK_PLATFORMS) * 3 == 12
    pins = lock_pins()
    for (platform, python), resolved in results.items():
        unpinned = {name: v for name, v in resolved.items() if v not in pins.get(name, ())}
        assert not unpinned, f"{platform}, Python {python}: not pinned by the lock: {unpinned}"
        tf = "tensorflow-cpu" if platform in CPU_BUILD else "tensorflow"
        other = "tensorflow" if platform in CPU_BUILD else "tensorflow-cpu"
        assert tf in resolved and other not in resolved, (platform, python)
        assert resolved["numpy"].startswith(EXPECTED_VERSIONS["numpy"] + ".")


@pytest.mark.slow
def test_make_lock_reproduces_the_committed_file(tmp_path):
    output = tmp_path / "requirements.txt"
    output.write_text(LOCK_TEXT, encoding="utf-8")  # make lock keeps existing pins, as here
    make.subprocess.run([str(p) for p in make.lock_command(VENV_PYTHON, output)], cwd=make.ROOT,
                        check=True, capture_output=True, env=make.UV_ENV)
    assert output.read_text(encoding="utf-8") == LOCK_TEXT, "requirements.txt: run make lock"


def test_lock_pins_what_the_stored_outputs_were_made_with():
    for name, series in EXPECTED_VERSIONS.items():
        names = ("tensorflow-cpu", "tensorflow") if name == "tensorflow" else (name,)
        for dist in names:
            assert make.pinned_version(dist, LOCK_TEXT).startswith(series + "."), dist


def test_supported_pythons_come_from_requires_python():
    assert make.supported_pythons() == [(3, 11), (3, 12), (3, 13)]
    assert make.supported_pythons('requires-python = ">=3.12,<3.14"') == [(3, 12), (3, 13)]
    with pytest.raises(make.SetupError, match="requires-python"):
        make.supported_pythons('requires-python = ">=3.11"')


def test_unsupported_python_gets_a_message_with_the_fix():
    make.check_python((3, 12), make.supported_pythons())
    with pytest.raises(make.SetupError) as err:
        make.check_python((3, 14), make.supported_pythons())
    message = str(err.value)
    assert "3.14" in message and "3.11, 3.12, 3.13" in message
    assert "make setup PYTHON=python3.12" in message and "py -3.12 -m course_tools.make" in message


def test_venv_python_on_windows_and_elsewhere():
    venv = Path("project") / ".venv"
    assert make.venv_python(venv, windows=True) == venv / "Scripts" / "python.exe"
    assert make.venv_python(venv, windows=False) == venv / "bin" / "python"
    assert make.venv_python(make.ROOT / ".venv").resolve() == VENV_PYTHON.resolve()


def test_uv_version_is_read_from_the_lock():
    assert make.pinned_version("uv", LOCK_TEXT).startswith("0.")
    with pytest.raises(make.SetupError, match="make lock"):
        make.pinned_version("uv", "numpy==2.4.6\n")


def test_test_command_runs_nbval_only_with_notebooks():
    assert make.test_command(VENV_PYTHON, [])[-1] == "tests"
    command = [str(part) for part in make.test_command(VENV_PYTHON, make.notebooks(), unit=False)]
    assert "tests" not in command and "--nbval" in command
    assert "notebooks/02_logistic_regression_numpy.ipynb" in command
    assert not any("student" in part for part in command)


def test_test_command_runs_in_parallel_by_module_and_notebook():
    command = [str(part) for part in make.test_command(VENV_PYTHON, make.notebooks(), workers=2)]
    assert command[command.index("-n") + 1] == "2"
    assert command[command.index("--dist") + 1] == "loadscope"
    assert "-m" not in command[2:]  # make test runs the slow tests too
    assert "-n" not in make.test_command(VENV_PYTHON, make.notebooks(), workers=1)
    one = make.test_command(VENV_PYTHON, make.notebooks()[:1], unit=False, workers=4)
    assert "-n" not in one, "one notebook needs one process"
    fast = [str(part) for part in make.test_command(VENV_PYTHON, [], workers=2, skip_slow=True)]
    assert fast[fast.index("-m", 2) + 1] == "not slow" and "--nbval" not in fast


def test_worker_count_comes_from_the_option_the_environment_or_the_cores():
    assert make.default_workers({"TEST_WORKERS": "3"}) == 3
    assert make.default_workers({}) >= 1
    assert make.worker_count("1") == 1
    for bad in ("0", "two", "-1"):
        with pytest.raises(make.SetupError, match=f"TEST_WORKERS={bad} is not a number"):
            make.default_workers({"TEST_WORKERS": bad})
    with pytest.raises(make.SetupError, match="--workers 0 is not a number"):
        make.worker_count("0")


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_clean_removes_every_pycache_but_keeps_the_venv(tmp_path):
    shutil.copy(make.ROOT / "Makefile", tmp_path)
    caches = [tmp_path / "__pycache__", tmp_path / "helpers" / "checks" / "__pycache__",
              tmp_path / "tests" / "__pycache__", tmp_path / "build" / "x"]
    kept = [tmp_path / ".venv" / "lib" / "site" / "__pycache__", tmp_path / "datasets"]
    for folder in caches + kept:
        folder.mkdir(parents=True)
        (folder / "f.pyc").write_bytes(b"")
    subprocess.run(["make", "clean"], cwd=tmp_path, check=True, capture_output=True)
    assert [c for c in caches if c.exists()] == []
    assert all((folder / "f.pyc").is_file() for folder in kept)


def test_second_install_is_a_no_op(tmp_path, capsys, monkeypatch):
    """With the stamp matching the lock, install neither creates nor installs anything."""
    venv = tmp_path / "venv"
    python = make.venv_python(venv)
    python.parent.mkdir(parents=True)
    python.symlink_to(VENV_PYTHON)
    version = ".".join(map(str, sys.version_info[:2]))
    (venv / make.STAMP_NAME).write_text(make.install_key(version) + "\n")
    monkeypatch.setattr(make, "run", lambda *a, **k: pytest.fail(f"ran {a}"))
    assert make.install(venv) == python
    assert "already installed" in capsys.readouterr().out


def test_binder_installs_the_lock_on_a_supported_python_then_the_course_editable():
    binder = make.ROOT / ".binder"
    runtime = (binder / "runtime.txt").read_text().strip()
    major, minor = (int(part) for part in runtime.removeprefix("python-").split("."))
    assert (major, minor) in make.supported_pythons()
    assert "-r ../requirements.txt" in (binder / "requirements.txt").read_text().splitlines()
    post_build = binder / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    steps = post_build.read_text()
    assert "pip install --no-deps --editable ." in steps
    assert steps.index("course_tools.fetch\n") < steps.index("course_tools.fetch --verify-only")


def test_run_notebooks_executes_without_comparing_outputs():
    command = [str(p) for p in make.test_command(VENV_PYTHON, make.notebooks(), unit=False,
                                                 compare=False)]
    assert "--nbval-lax" in command and "--nbval" not in command and "tests" not in command
    assert command[-len(make.notebooks()) - len(make.RUN_ONLY_FLAGS):][:4] == make.notebooks()
