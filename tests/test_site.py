"""make site: the course website, built offline from the stored outputs (course_tools/site.py)."""

from __future__ import annotations

import json
import re
import socket
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from course_tools import colab, site

# The site takes about 15 s of CPU to build. MyST's own calls into Sphinx warn of an API that
# Sphinx 11 removes: nothing the course can change.
pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::sphinx.deprecation.RemovedInSphinx11Warning")]
REPO = colab.repository()
NOTEBOOKS = [path.stem for path in site.course_notebooks()]
#: Lines each notebook prints that the README's course map quotes as its headline results.
HEADLINES = {
    "01_foundations": ["relative error < 1e-7: True", "largest difference below 1e-12: True"],
    "02_logistic_regression_numpy": ["train accuracy: 99.04 %", "test accuracy:  70.00 %"],
    "03_shallow_networks_tensorflow": ["train  94.33 %,  test  92.00 %",
                                       "logistic regression : train  61.67 %,  test  55.50 %",
                                       "train accuracy: 100.00 %", "test accuracy:  72.00 %"],
    "04_deep_networks_keras": ["train accuracy: 98.56 %", "test accuracy:  80.00 %",
                               "median test accuracy over 5 seeds: 90 %"],
}


class Page(HTMLParser):
    """What the tests need from one HTML page: links, ids and visible text."""

    def __init__(self, path: Path):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("id", "name"):
            if attrs.get(name):
                self.ids.add(attrs[name])
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The site, built once, with every network connection refused while Sphinx runs."""
    where = tmp_path_factory.mktemp("site")
    real_connect = socket.socket.connect

    def no_network(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise OSError(f"the site build tried to reach {address}")
        return real_connect(self, address)

    socket.socket.connect = no_network
    try:
        out = site.build(where / "html", where / "src")
    finally:
        socket.socket.connect = real_connect
    return out


@pytest.fixture(scope="module")
def pages(built) -> dict[str, Page]:
    return {path.relative_to(built).as_posix(): Page(path) for path in built.rglob("*.html")
            if "_static" not in path.parts}  # the theme's templates, not pages


def test_the_site_has_a_home_page_a_page_per_notebook_and_a_running_page(pages):
    expected = {"index.html", "running.html", *(f"notebooks/{name}.html" for name in NOTEBOOKS)}
    assert expected <= set(pages)


def test_every_internal_link_and_anchor_resolves(built, pages):
    broken = []
    for name, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue
            target = (built / name).parent / unquote(parts.path) if parts.path else built / name
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{name}: {link}")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target.resolve().relative_to(built.resolve()).as_posix()].ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{name}: {link} (no such anchor)")
    assert not broken, "\n".join(broken)


def stored_output_text(name: str) -> str:
    nb = json.loads((site.NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_notebook_page_shows_its_headline_numbers_from_the_stored_outputs(name, pages):
    stored = stored_output_text(name)
    shown = "".join(pages[f"notebooks/{name}.html"].text)
    for line in HEADLINES[name]:
        assert line in stored, f"{name}: the stored outputs no longer print {line!r}"
        assert line in shown, f"{name}'s page does not show {line!r}"


def test_the_home_page_is_the_course_map_with_its_headline_results(pages):
    home = "".join(pages["index.html"].text)
    assert "Course map" in home and "headline result" in home
    for number in ("98.56 % train, 80 % test", "99.04 % train, 70 % test", "92 % test"):
        assert number in home
    links = pages["index.html"].links
    for name in NOTEBOOKS:
        assert f"notebooks/{name}.html" in links


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_math_is_renderable_markup(name, built, pages):
    html = (built / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
    inline = re.findall(r'<span class="math notranslate nohighlight">\\\((.+?)\\\)</span>', html)
    assert len(inline) >= 10, f"{name}: {len(inline)} inline formulas"
    prose = re.sub(r"<[^>]+>", "", re.sub(r"<pre.*?</pre>", "", html, flags=re.S))
    leftover = re.search(r"(?<![\\$])\$[^$\s][^$]*?\$", prose)
    assert not leftover, f"{name}: {leftover.group(0)!r} was not turned into math"
    assert any("mathjax" in src for src in pages[f"notebooks/{name}.html"].scripts)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_display_math_is_renderable_markup(name, built):
    html = (built / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
    display = re.findall(r'<div class="math notranslate nohighlight">\s*\\\[(.+?)\\\]', html,
                         re.S)
    assert display, f"{name}: no displayed formula"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_notebook_page_has_colab_binder_and_download_links(name, built, pages):
    page = pages[f"notebooks/{name}.html"]
    ipynb = f"{name}.ipynb"
    assert colab.colab_url(REPO, f"notebooks/student/{ipynb}") in page.links
    assert colab.colab_url(REPO, f"notebooks/{ipynb}") in page.links
    assert colab.binder_url(REPO) in page.links
    downloads = [link for link in page.links if link.startswith("../_downloads/")]
    files = {(built / "notebooks" / link).resolve().read_bytes() for link in downloads}
    assert (site.NOTEBOOKS / ipynb).read_bytes() in files
    assert (site.NOTEBOOKS / "student" / ipynb).read_bytes() in files


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_check_cells_and_hidden_tests_are_folded_not_removed(name, built):
    html = (built / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
    nb = nbformat.read(site.NOTEBOOKS / f"{name}.ipynb", as_version=4)
    checks = [cell for cell in nb.cells if cell.cell_type == "code" and site.is_check(cell)]
    assert html.count('class="cell tag_hide-input') == len(checks) >= 2
    hidden = sum("### BEGIN HIDDEN TESTS" in cell.source for cell in checks)
    assert html.count("### BEGIN HIDDEN TESTS") == hidden
