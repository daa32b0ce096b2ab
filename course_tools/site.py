"""``make site``: the course website, built from the stored outputs into ``build/site/``.

    python -m course_tools.site [--out build/site]

Nothing is executed and nothing is downloaded: the sources in ``site/`` and the notebooks are
staged in ``build/site-src/`` (each notebook with its launch buttons on top and its check cells
folded), then Sphinx with MyST-NB writes the HTML. CONTRIBUTING.md says why this generator.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import nbformat

from course_tools import colab

ROOT = colab.ROOT
SOURCES = ROOT / "site"
NOTEBOOKS = ROOT / "notebooks"
STAGE = ROOT / "build" / "site-src"
OUT = ROOT / "build" / "site"
#: MyST-NB's cell tag that folds a cell's code behind a "Show code cell source" button and
#: keeps its outputs in view.
FOLD = "hide-input"
LAUNCH_ID = "site-launch-buttons"


def course_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def launch_buttons(repo: str, name: str) -> str:
    """The buttons above a notebook page, as raw HTML in Markdown (MyST passes it through)."""
    exercises = colab.colab_url(repo, f"notebooks/student/{name}")
    solutions = colab.colab_url(repo, f"notebooks/{name}")
    links = [
        (exercises, "Exercises in Colab"),
        (solutions, "Solutions in Colab"),
        (colab.binder_url(repo), "Launch on Binder"),
    ]
    html = "".join(f'<a class="launch-button" href="{href}">{text}</a>' for href, text in links)
    return (f'<div class="launch-buttons">{html}</div>\n\n'
            f"Download: {{download}}`the exercises <../downloads/student/{name}>` · "
            f"{{download}}`the notebook with solutions <../downloads/{name}>`")


def is_check(cell) -> bool:
    """A check cell (nbgrader ``grade``), hidden tests included, or the Colab bootstrap."""
    grade = cell.get("metadata", {}).get("nbgrader", {}).get("grade", False)
    return bool(grade) or cell.get("id") == colab.BOOTSTRAP_ID


def site_notebook(nb, repo: str, name: str):
    """``nb`` as its page shows it: launch buttons under the title (instead of the badge on
    top), check cells and the Colab bootstrap folded."""
    cells = [cell for cell in nb.cells if cell.get("id") not in (colab.BADGE_ID, LAUNCH_ID)]
    for cell in cells:
        if cell.cell_type == "code" and is_check(cell):
            tags = cell.metadata.setdefault("tags", [])
            if FOLD not in tags:
                tags.append(FOLD)
    titled = [i for i, cell in enumerate(cells)
              if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# ")]
    at = titled[0] + 1 if titled else 0
    buttons = nbformat.v4.new_markdown_cell(launch_buttons(repo, name), id=LAUNCH_ID)
    nb.cells = [*cells[:at], buttons, *cells[at:]]
    return nb


def stage(stage_dir: Path = STAGE) -> Path:
    """Copy site/, the README and the notebooks (as pages and as downloads) to ``stage_dir``."""
    repo = colab.repository()
    shutil.rmtree(stage_dir, ignore_errors=True)
    shutil.copytree(SOURCES, stage_dir, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "README.md", stage_dir / "_readme.md")
    (stage_dir / "notebooks").mkdir()
    (stage_dir / "downloads" / "student").mkdir(parents=True)
    for path in course_notebooks():
        shutil.copy(path, stage_dir / "downloads" / path.name)
        shutil.copy(NOTEBOOKS / "student" / path.name, stage_dir / "downloads" / "student")
        nb = site_notebook(nbformat.read(path, as_version=4), repo, path.name)
        nbformat.write(nb, stage_dir / "notebooks" / path.name)
    return stage_dir


def build(out: Path = OUT, stage_dir: Path = STAGE, quiet: bool = True) -> Path:
    """Stage the sources and run Sphinx; raise RuntimeError on a warning. Returns ``out``."""
    from sphinx.cmd.build import build_main

    stage(stage_dir)
    shutil.rmtree(out, ignore_errors=True)
    args = ["-b", "html", "-E", "-W", "--keep-going", "-d", str(stage_dir / ".doctrees"),
            *(["-q"] if quiet else []), str(stage_dir), str(out)]
    if build_main(args) != 0:
        raise RuntimeError("Sphinx reported warnings or errors (above); the site is incomplete")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.site",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the HTML goes")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        out = build(args.out.resolve())
    except RuntimeError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    print(f"{out / 'index.html'}: the course website, built in "
          f"{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
