"""Google Colab: badges, the bootstrap cell, and a notebook run alone in a simulated Colab."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from course_tools import colab as badges
from helpers import colab
from helpers.paths import NOTEBOOKS_DIR, ROOT

REPO = badges.repository()
SOURCE_NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
STUDENT_NOTEBOOKS = sorted((NOTEBOOKS_DIR / "student").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS + STUDENT_NOTEBOOKS,
                         ids=lambda p: p.relative_to(NOTEBOOKS_DIR).as_posix())
def test_every_notebook_opens_in_colab_and_bootstraps_from_the_template(path):
    nb = nbformat.read(path, as_version=4)
    where = path.relative_to(ROOT).as_posix()
    assert nb.cells[0].get("id") == badges.BADGE_ID, f"{where}: no badge cell on top (make badges)"
    assert nb.cells[0].source == badges.badge_source(REPO, where), (
        f"{where}: the badge does not point at this notebook in {REPO} (make badges)")
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code[0].get("id") == badges.BOOTSTRAP_ID, f"{where}: the bootstrap is not first"
    assert code[0].source == badges.bootstrap_source(REPO), (
        f"{where}: the bootstrap cell differs from course_tools.colab.BOOTSTRAP (make badges)")
    assert "prepare_notebook(" in code[1].source
    assert code[0].outputs == [], f"{where}: the bootstrap cell has a stored output"
    assert code[0].metadata == badges.BOOTSTRAP_METADATA, (
        f"{where}: the bootstrap is not shown collapsed (make badges)")


def test_bootstrap_is_shown_collapsed_under_a_one_line_title():
    source = badges.bootstrap_source(REPO)
    title = source.splitlines()[0]
    assert title == badges.BOOTSTRAP_TITLE and title.startswith("# @title ") and len(title) <= 100
    assert "nothing" in title  # says, collapsed, that it does nothing outside Colab
    assert badges.BOOTSTRAP_METADATA["cellView"] == "form"  # Colab: the form's title only
    assert badges.BOOTSTRAP_METADATA["jupyter"]["source_hidden"] is True  # JupyterLab: folded
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("prepare_notebook(seed=1)")])
    cell = badges.with_colab_cells(nb, REPO, "notebooks/x.ipynb").cells[1]
    nbformat.validate(nb)
    cell.metadata["jupyter"]["source_hidden"] = False  # each cell has a copy of its own
    assert badges.BOOTSTRAP_METADATA["jupyter"]["source_hidden"] is True


def test_both_editions_have_every_notebook():
    assert [p.name for p in STUDENT_NOTEBOOKS] == [p.name for p in SOURCE_NOTEBOOKS]


def test_readme_links_agree_with_the_repository_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert badges.colab_url(REPO, "notebooks/") in readme
    assert badges.binder_url(REPO) in readme
    assert badges.rewrite_markdown(readme, REPO) == readme, "README links are stale: make badges"


def test_badge_command_rewrites_stale_cells_and_is_idempotent(tmp_path):
    path = tmp_path / SOURCE_NOTEBOOKS[0].name
    path.write_bytes(SOURCE_NOTEBOOKS[0].read_bytes())
    command = [sys.executable, "-m", "course_tools.colab", "--published-as", "notebooks",
               str(path)]
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = badges.badge_source("someone/old-name", "x.ipynb")
    nbformat.write(nb, path)
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    once = path.read_bytes()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    assert path.read_bytes() == once == SOURCE_NOTEBOOKS[0].read_bytes()


def test_markdown_rewrite_moves_every_link_to_the_new_repository():
    old = (f"[a]({badges.colab_url('old/name', 'notebooks/01.ipynb')}) "
           f"[b]({badges.binder_url('old/name')}) git clone https://github.com/old/name.git x")
    new = badges.rewrite_markdown(old, "new-owner/course")
    assert "old/name" not in new
    assert badges.colab_url("new-owner/course", "notebooks/01.ipynb") in new
    assert badges.binder_url("new-owner/course") in new and "new-owner/course.git x" in new


def test_repository_setting_must_be_a_github_address(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project.urls]\nRepository = "https://gitlab.com/a/b"\n')
    with pytest.raises(ValueError, match="GitHub address"):
        badges.repository(pyproject)
    pyproject.write_text('[project.urls]\nRepository = "https://github.com/a/b.git"\n')
    assert badges.repository(pyproject) == "a/b"


def test_bootstrap_does_nothing_and_prints_nothing_outside_colab(tmp_path):
    run = subprocess.run([sys.executable, "-c", badges.bootstrap_source(REPO)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout == "" and run.stderr == ""
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------- helpers.colab: what it installs


def test_plan_keeps_colab_numpy_tensorflow_keras_and_installs_only_what_is_missing():
    installed = {"numpy": "2.0.2", "tensorflow": "2.20.0", "keras": "3.10.0", "scipy": "1.16.0",
                 "matplotlib": "3.10.0", "pillow": "11.0.0", "h5py": "3.14.0",
                 "scikit-learn": "1.6.1", "threadpoolctl": "3.6.0", "requests": "2.32.3"}
    missing, keep = colab.plan(installed.get)
    assert missing == ["pooch", "tqdm"]
    assert {"numpy==2.0.2", "tensorflow==2.20.0", "keras==3.10.0"} <= set(keep)
    assert colab.plan(lambda name: None)[0][-1] == "tensorflow"  # no build at all: install one
    cpu_only = dict(installed, tensorflow=None, **{"tensorflow-cpu": "2.21.0"})
    assert "tensorflow" not in colab.plan(cpu_only.get)[0]


def test_install_missing_runs_pip_with_constraints_only_when_needed(monkeypatch):
    calls = []
    def fake_run(command, **kwargs):
        calls.append((command, open(command[-1]).read()))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(colab.subprocess, "run", fake_run)
    assert colab.install_missing(lambda name: "1.0") == []
    assert calls == []
    versions = {"numpy": "2.0.2", "tensorflow": "2.20.0"}
    installed = colab.install_missing(versions.get)
    (command, constraints), = calls
    assert "pooch" in installed and "numpy" not in command and "tensorflow" not in command
    assert "numpy==2.0.2" in constraints and "tensorflow==2.20.0" in constraints
    monkeypatch.setattr(colab.subprocess, "run", lambda command, **kwargs:
                        subprocess.CompletedProcess(command, 1, "", "ResolutionImpossible"))
    with pytest.raises(RuntimeError, match="(?s)pip could not install.*numpy==2.0.2.*Resolution"):
        colab.install_missing(versions.get)


# ------------------------------------------------------------------------ the simulated Colab


@pytest.mark.slow
def test_notebook_2_runs_alone_in_a_simulated_colab():
    """The .ipynb alone in an empty folder, google.colab imported, the course cloned from a
    local repository: every cell runs, helpers come from the clone, nothing is reinstalled,
    and on the pinned packages every output is the stored one."""
    run = subprocess.run([sys.executable, str(ROOT / "tests" / "colab_simulation.py"),
                          "--expect-stored-outputs"],
                         capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "Colab simulation: passed" in run.stdout
