"""The issue forms in .github/ISSUE_TEMPLATE ask for what a helper needs to answer."""

from __future__ import annotations

import pytest
import yaml

from course_tools import colab
from helpers.paths import ROOT

TEMPLATES = ROOT / ".github" / "ISSUE_TEMPLATE"
REPO = colab.repository()


def form(name: str) -> dict:
    return yaml.safe_load((TEMPLATES / name).read_text(encoding="utf-8"))


def field_ids(name: str) -> list[str]:
    return [item["id"] for item in form(name)["body"] if "id" in item]


def test_bug_report_asks_for_notebook_cell_error_and_doctor():
    assert {"notebook", "cell", "error", "doctor"} <= set(field_ids("bug_report.yml"))
    doctor = next(item for item in form("bug_report.yml")["body"] if item.get("id") == "doctor")
    assert "make doctor" in doctor["attributes"]["description"]
    assert "python -m course_tools.doctor" in doctor["attributes"]["description"]
    assert doctor["validations"]["required"]


def test_numbers_form_points_to_the_readme_platform_table():
    assert {"notebook", "cell", "numbers", "doctor"} <= set(field_ids("numbers_differ.yml"))
    intro = form("numbers_differ.yml")["body"][0]["attributes"]["value"]
    assert f"https://github.com/{REPO}/blob/main/README.md#platforms" in intro
    assert "\n### Platforms\n" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["bug_report.yml", "numbers_differ.yml"])
def test_forms_follow_the_repository_setting_and_list_every_notebook(name):
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    assert colab.rewrite_markdown(text, REPO) == text, f"{name}: stale links, run make badges"
    notebook = next(item for item in form(name)["body"] if item.get("id") == "notebook")
    numbered = [option for option in notebook["attributes"]["options"] if option[0].isdigit()]
    assert len(numbered) == len(sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))


def test_readme_troubleshooting_gives_each_problem_its_doctor_line():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Troubleshooting\n", 1)[1].split("\n## ", 1)[0]
    for topic in ("kernel", "python", "data", "system"):
        assert f"PROBLEM {topic}" in section or f"note {topic}" in section, topic
    assert section.count("\n1. ") + section.count("\n2. ") + section.count("\n5. ") == 3
