"""Sphinx settings of the course website. Build it with `make site` (course_tools/site.py),
which stages these sources and the notebooks in build/site-src/ and writes build/site/."""

from course_tools import colab

REPO = colab.repository()  # the one setting behind every badge, button and link

project = "Cat or Not"
author = "the Cat or Not contributors"
copyright = "the Cat or Not contributors"
html_title = "Cat or Not"

extensions = ["myst_nb"]
# The stored outputs are the content: nothing is executed while building.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
# Jupyter shows $$...$$ inside a paragraph or list item as displayed math; so must the site.
myst_dmath_double_inline = True
exclude_patterns = ["_build", "_readme.md", "downloads", "**.ipynb_checkpoints"]
# The notebooks go from a title straight to ### headings in places; the site still renders them.
suppress_warnings = ["myst.header"]

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_theme_options = {
    "repository_url": f"https://github.com/{REPO}",
    "repository_branch": colab.BRANCH,
    "use_repository_button": True,
    "use_download_button": False,  # each notebook page has its own download links
    "home_page_in_toc": True,
    "show_toc_level": 2,
}
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
# The visitor's light or dark preference; left empty, the theme logs an error on every page.
html_context = {"default_mode": "auto"}
