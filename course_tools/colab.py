"""Open-in-Colab badges and the Colab bootstrap cell, written from ``[project.urls] Repository``.

    python -m course_tools.colab notebooks/0*.ipynb notebooks/student/*.ipynb README.md \
        .github/ISSUE_TEMPLATE/*.yml
    python -m course_tools.colab --published-as notebooks/student /tmp/copy/*.ipynb

Rewrites in place each notebook's badge cell (at the top) and bootstrap cell (above the
``prepare_notebook`` cell), and the repository's addresses in Markdown files. Idempotent.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BRANCH = "main"
#: The folder the bootstrap clones into, under Colab's working folder.
CLONE_DIR = "cat-or-not"
BADGE_ID = "colab-badge"
BOOTSTRAP_ID = "colab-bootstrap"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"

#: The bootstrap's first line: the one line a learner sees of it, in Colab (a form's title) and
#: in JupyterLab (the first line of a collapsed cell).
BOOTSTRAP_TITLE = "# @title Colab only: fetch the course's code and data (does nothing elsewhere)"
#: Shown collapsed: Colab displays a cell with ``cellView: form`` as its title, and JupyterLab
#: folds a cell whose ``source_hidden`` is set. One click opens either.
BOOTSTRAP_METADATA = {"cellView": "form", "jupyter": {"source_hidden": True}}

#: The first code cell of every notebook. ``{clone_url}`` comes from the setting.
BOOTSTRAP = BOOTSTRAP_TITLE + '''
import os
import subprocess
import sys

if "google.colab" in sys.modules:
    if not os.path.isdir("{clone_dir}/helpers"):
        repository = os.environ.get("CATORNOT_REPO", "{clone_url}")
        clone = subprocess.run(["git", "clone", "--depth", "1", "--quiet", repository,
                                "{clone_dir}"], capture_output=True, text=True)
        if clone.returncode:
            raise RuntimeError(f"git could not clone {{repository}}: {{clone.stderr}}")
    if os.path.abspath("{clone_dir}") not in sys.path:
        sys.path.insert(0, os.path.abspath("{clone_dir}"))
    import helpers.colab

    helpers.colab.setup()'''


def repository(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """``owner/name`` of the public GitHub repository, from pyproject.toml."""
    with open(pyproject, "rb") as f:
        url = tomllib.load(f)["project"]["urls"]["Repository"]
    found = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?/?", url)
    if not found:
        raise ValueError(f"pyproject.toml: [project.urls] Repository is {url!r}; it must be "
                         "a GitHub address such as https://github.com/owner/name.")
    return found.group(1)


def clone_url(repo: str) -> str:
    return f"https://github.com/{repo}.git"


def colab_url(repo: str, path: str) -> str:
    """The address that opens ``path`` (relative to the checkout) from GitHub in Colab."""
    return f"https://colab.research.google.com/github/{repo}/blob/{BRANCH}/{path}"


def binder_url(repo: str) -> str:
    return f"https://mybinder.org/v2/gh/{repo}/{BRANCH}?urlpath=lab/tree/notebooks"


def bootstrap_source(repo: str) -> str:
    return BOOTSTRAP.format(clone_url=clone_url(repo), clone_dir=CLONE_DIR)


def badge_source(repo: str, path: str) -> str:
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(repo, path)})"


def _is_ours(cell) -> bool:
    return cell.get("id") in (BADGE_ID, BOOTSTRAP_ID)


def with_colab_cells(nb, repo: str, path: str):
    """``nb`` with the badge cell first and the bootstrap just above ``prepare_notebook``.

    Earlier badge and bootstrap cells are replaced, so the result doesn't depend on them.
    """
    cells = [cell for cell in nb.cells if not _is_ours(cell)]
    code = [i for i, cell in enumerate(cells) if cell.cell_type == "code"]
    prepare = [i for i in code if "prepare_notebook(" in cells[i].source]
    if not code:
        raise ValueError(f"{path}: no code cell, so no place for the Colab bootstrap.")
    at = (prepare or code)[0]
    bootstrap = nbformat.v4.new_code_cell(bootstrap_source(repo), id=BOOTSTRAP_ID,
                                          metadata=copy.deepcopy(BOOTSTRAP_METADATA))
    badge = nbformat.v4.new_markdown_cell(badge_source(repo, path), id=BADGE_ID)
    nb.cells = [badge, *cells[:at], bootstrap, *cells[at:]]
    return nb


def rewrite_markdown(text: str, repo: str) -> str:
    """``text`` with every Colab, Binder and git-clone address pointing at ``repo``, and the
    links to its README and its issue forms."""
    text = re.sub(r"https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/[\w.-]+/",
                  colab_url(repo, ""), text)
    text = re.sub(r"https://mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/[\w.-]+\?urlpath=lab/tree/notebooks",
                  binder_url(repo), text)
    text = re.sub(r"https://github\.com/[\w.-]+/[\w.-]+/(issues/new/choose|blob/main/README\.md)",
                  rf"https://github.com/{repo}/\1", text)
    return re.sub(r"git clone https://github\.com/[\w.-]+/[\w.-]+?\.git",
                  f"git clone {clone_url(repo)}", text)


def repo_path(path: Path, published_as: str | None) -> str:
    """Where ``path`` lives in the repository, as a posix path."""
    if published_as:
        return f"{published_as.strip('/')}/{path.name}"
    return path.resolve().relative_to(ROOT).as_posix()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.colab",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="notebooks and Markdown files")
    parser.add_argument("--published-as", metavar="FOLDER",
                        help="the notebooks' folder in the repository, when they are elsewhere "
                             "here (e.g. a temporary copy of notebooks/student)")
    args = parser.parse_args(argv)
    repo = repository()
    for path in args.files:
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(with_colab_cells(nb, repo, repo_path(path, args.published_as)))
            nbformat.write(nb, path)
        else:
            path.write_text(rewrite_markdown(path.read_text(encoding="utf-8"), repo),
                            encoding="utf-8")
        print(f"{path}: badges point at github.com/{repo}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
