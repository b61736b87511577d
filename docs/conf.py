"""
Sphinx configuration for Imaginary's documentation (built by C{bin/docs}).

The pages are Markdown, read by MyST.  The API reference is made by
pydoctor, which reads the code's epytext docstrings as they are, through
its Sphinx extension: it runs during the build, writes its HTML into
C{api/} of the output, and hands Sphinx an inventory of every documented
name, so the pages can link to the API with C{{py:class}} and friends and
a reference that names nothing is a warning (and C{-W} makes it an error).
"""

import pathlib
import tomllib

docs = pathlib.Path(__file__).resolve().parent
root = docs.parent

project = "Imaginary"
author = "Imaginary's authors"
copyright = "Imaginary's authors"
release = version = tomllib.loads(
    (root / "pyproject.toml").read_text(encoding="utf-8")
)["project"]["version"]

extensions = [
    "myst_parser",
    "sphinx.ext.intersphinx",
    "pydoctor.sphinx_ext.build_apidocs",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "README.md"]

# Every cross-reference must name something that exists.
nitpicky = True

# Headings get anchors, so pages can link to a section (operating.md#mail).
myst_heading_anchors = 3
myst_enable_extensions = ["deflist"]

html_theme = "furo"
html_title = f"Imaginary {release}"

# No inventories from other sites: the build runs offline (CI reaches no
# documentation host).  pydoctor's own inventory is added to this mapping
# by its extension.
intersphinx_mapping = {}

pydoctor_args = [
    "--project-name=Imaginary",
    f"--project-version={release}",
    "--project-url=../index.html",
    "--docformat=epytext",
    "--html-output={outdir}/api",
    f"--project-base-dir={root}",
    str(root / "imaginary"),
]
# Where the API reference is, relative to the pages.
pydoctor_url_path = "api/"


def _listUnlistedPages(app, docname, source):
    """
    Add to the front page's contents any page that no toctree lists yet.

    A new page in docs/ then shows up under "More" at once, and never
    fails the C{-W} build as a document that is in no toctree; moving it
    to its place in C{index.md} is the page author's next step.
    """
    if docname != root_doc:
        return
    text = source[0]
    listed = {line.strip() for line in text.splitlines()}
    pages = sorted(
        str(path.relative_to(docs).with_suffix(""))
        for path in docs.rglob("*.md")
        if not path.relative_to(docs).parts[0].startswith("_"))
    unlisted = [page for page in pages
                if page != root_doc and page != "README"
                and page not in listed]
    if unlisted:
        source[0] = (text + "\n```{toctree}\n:caption: More\n:maxdepth: 1\n\n"
                     + "\n".join(unlisted) + "\n```\n")


def setup(app):
    """Connect the front page's contents to the pages on disk."""
    app.connect("source-read", _listUnlistedPages)
