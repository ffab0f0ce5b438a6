"""Sphinx configuration of the stabgan documentation site.

Build: ``pip install '.[docs]'`` then ``sphinx-build -W -b html docs docs/_build/html`` (about
30 s); the tutorials' code runs with ``sphinx-build -W -b doctest docs docs/_build/doctest``.

Before Sphinx reads the sources, :mod:`_generate` (beside this file) writes the pages that come
from the package's own output into ``docs/generated/``: the catalogue (``stabgan methods
--json``), the lemma statements (``stabgan verify --list --json``, without running the checks),
the conventions page, the gallery and the "which regularizer, which scheme" guide (tables
derived with ``stabgan.analyze`` at build time).

Math renders offline: MathJax 2.7 comes from the Debian package ``libjs-mathjax``
(``/usr/share/javascript/mathjax``); the part the pages use (TeX input, CommonHTML output, its
fonts) is copied into ``_static/mathjax`` of the built site, so the site needs no network when
it is read either (1.6 MB). Without that package the build stops with a warning that says how
to install it (``-W`` turns it into an error). MathJax rather than ``sphinx.ext.imgmath``:
imgmath runs latex and dvipng once per formula (the generated pages hold hundreds), which
would take most of the minute the build may take and needs dvipng besides LaTeX, while the
MathJax copy costs nothing at build time.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
if os.environ.get("STABGAN_DOCS_FROM_SOURCE", "1") == "1":
    sys.path.insert(0, str(ROOT))  # document this checkout, not an older installed copy

import stabgan  # noqa: E402

project = "stabgan"
author = "the stabgan authors"
copyright = "2026, the stabgan authors"
release = version = stabgan.__version__ if hasattr(stabgan, "__version__") else "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "numpydoc",
]
exclude_patterns = ["_build"]
templates_path: list[str] = []
html_theme = "alabaster"
html_static_path: list[str] = []

autosummary_generate = True
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()

#: Where the Debian package ``libjs-mathjax`` puts MathJax 2.7.
MATHJAX_SOURCE = Path(os.environ.get("STABGAN_MATHJAX", "/usr/share/javascript/mathjax"))
#: The parts of MathJax that the ``TeX-AMS_CHTML`` configuration loads.
MATHJAX_PARTS = ("MathJax.js", "config/TeX-AMS_CHTML.js", "jax/input/TeX",
                 "jax/output/CommonHTML", "jax/output/PreviewHTML", "jax/element", "extensions",
                 "fonts/HTML-CSS/TeX/woff", "localization/en")
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS_CHTML"
mathjax3_config = None

doctest_global_setup = "import stabgan"
#: Only the ``.. doctest::`` blocks of the pages run here; the docstrings' examples run in
#: tests/test_doctests.py, in their own modules' namespaces.
doctest_test_doctest_blocks = ""


def _generate_pages(app) -> None:
    from _generate import generate
    generate(HERE / "generated", ROOT)


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        src = MATHJAX_SOURCE / part
        dst = target / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)


def _check_mathjax(app) -> None:
    if app.builder.format == "html" and not (MATHJAX_SOURCE / "MathJax.js").is_file():
        from sphinx.util import logging
        logging.getLogger(__name__).warning(
            "MathJax is missing at %s: install the Debian package libjs-mathjax (apt-get install "
            "libjs-mathjax) or set STABGAN_MATHJAX to a MathJax 2.7 directory; the site renders "
            "its math offline from that copy", MATHJAX_SOURCE)


def setup(app):
    app.connect("builder-inited", _check_mathjax)
    app.connect("builder-inited", _generate_pages)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True}
