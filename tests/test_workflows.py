"""The CI workflows in .github/workflows: linted by zizmor, and running the README's commands."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers.paths import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
ZIZMOR_CONFIG = ROOT / ".github" / "zizmor.yml"
#: The course's own commands in a step's `run:`; anything else is the runner's housekeeping.
COURSE_COMMAND = re.compile(r"^(make |py -3\.\d+ -m course_tools\.)")


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def all_workflows() -> dict[str, dict]:
    return {path.name: workflow(path.name) for path in sorted(WORKFLOWS.glob("*.yml"))}


def zizmor(*paths: Path) -> subprocess.CompletedProcess:
    """zizmor from the venv, offline (no audit that asks GitHub), with the course's settings."""
    binary = shutil.which("zizmor", path=str(Path(sys.executable).parent))
    assert binary, "zizmor is not installed in the venv: make setup"
    return subprocess.run([binary, "--offline", "--no-progress", "--config", str(ZIZMOR_CONFIG),
                           *map(str, paths)], capture_output=True, text=True, timeout=120)


def test_workflows_lint_clean():
    run = zizmor(WORKFLOWS)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No findings to report" in run.stdout + run.stderr


def test_the_linter_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows"
    broken.mkdir(parents=True)
    text = (WORKFLOWS / "ci.yml").read_text(encoding="utf-8")
    (broken / "ci.yml").write_text(text.replace("runs-on:", "runs_on:"), encoding="utf-8")
    assert zizmor(broken).returncode != 0


def readme_platforms() -> dict[str, dict]:
    """{platform: {"pythons", "commands", "weekly"}} from the README's platform table."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n### Platforms\n", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    table = {}
    for row in rows:
        platform, _setup, ci, _numbers = [cell.strip() for cell in row.strip("|").split("|")]
        name, _, pythons = platform.partition(", Python ")
        table[name] = {"pythons": set(re.findall(r"3\.\d+", pythons)) or {"3.12"},
                       "commands": re.findall(r"`([^`]+)`", ci),
                       "weekly": ci.startswith("weekly:")}
    return table


def workflow_platforms() -> dict[str, dict]:
    """The same, from the jobs whose matrix names a README platform."""
    found: dict[str, dict] = {}
    for file, flow in all_workflows().items():
        for job in flow["jobs"].values():
            include = job.get("strategy", {}).get("matrix", {}).get("include", [])
            commands = [step["run"] for step in job["steps"]
                        if COURSE_COMMAND.match(step.get("run", ""))]
            for entry in include:
                if "platform" not in entry:
                    continue
                seen = found.setdefault(entry["platform"], {
                    "pythons": set(), "commands": commands, "weekly": "schedule" in flow[True]})
                assert seen["commands"] == commands, (file, entry["platform"])
                seen["pythons"].add(entry["python"])
    return found


def test_ci_runs_exactly_the_readme_platform_table():
    readme, ci = readme_platforms(), workflow_platforms()
    assert len(readme) == 5
    assert ci == readme


def test_linux_x86_runs_the_readme_commands_of_start_here():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in readme_platforms()["Linux x86-64"]["commands"]:
        assert f"`{command}`" in readme.split("### Platforms")[0], command
    windows = readme_platforms()["Windows x86-64"]["commands"]
    assert windows[0] in readme.split("### Platforms")[0]


@pytest.mark.parametrize("file", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_every_job_has_a_time_limit_and_superseded_runs_are_cancelled(file):
    flow = workflow(file)
    assert flow["concurrency"]["cancel-in-progress"] is True
    assert "github.ref" in flow["concurrency"]["group"]
    for name, job in flow["jobs"].items():
        assert 0 < job["timeout-minutes"] <= 60, (file, name)


@pytest.mark.parametrize("file", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_jobs_that_set_up_cache_uv_and_the_data(file):
    for name, job in workflow(file)["jobs"].items():
        runs = [step.get("run", "") for step in job["steps"]]
        if not any("setup" in run for run in runs if COURSE_COMMAND.match(run)):
            continue
        cached = [step["with"]["path"] for step in job["steps"]
                  if step.get("uses", "").startswith("actions/cache@")]
        assert any("uv-cache" in path for path in cached), (file, name)
        assert any("UV_CACHE_DIR=" in run for run in runs), (file, name)
        if name != "links":  # the link check never reads the data
            assert "datasets/*.h5" in cached, (file, name)


def test_matrix_references_are_defined():
    for file, flow in all_workflows().items():
        for name, job in flow["jobs"].items():
            keys = {key for entry in job.get("strategy", {}).get("matrix", {}).get("include", [])
                    for key in entry}
            used = set(re.findall(r"matrix\.(\w+)", yaml.safe_dump(job)))
            assert used <= keys, (file, name, used - keys)


def test_weekly_runs_colab_and_the_link_check_and_pages_deploy_from_main_only():
    weekly = workflow("weekly.yml")
    assert "schedule" in weekly[True]  # YAML 1.1 reads the key `on` as True
    links = weekly["jobs"]["links"]["steps"]
    assert any(step.get("uses", "").startswith("lycheeverse/lychee-action@") for step in links)
    checked = next(step for step in links if "lychee" in step.get("uses", ""))["with"]["args"]
    for where in ("README.md", "notebooks/*.ipynb", "build/site/**/*.html"):
        assert where in checked
    ci = workflow("ci.yml")
    assert set(ci[True]) >= {"push", "pull_request"}
    deploy = ci["jobs"]["deploy"]
    assert deploy["needs"] == "site" and "refs/heads/main" in deploy["if"]
    assert any(step.get("uses", "").startswith("actions/deploy-pages@")
               for step in deploy["steps"])
    site = [step.get("run") for step in ci["jobs"]["site"]["steps"]]
    assert "make site" in site and "make test-site" in site
