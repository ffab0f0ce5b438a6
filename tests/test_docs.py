"""The documentation site builds with warnings as errors, and its tutorials' doctests pass.

Skipped (with the reason) where Sphinx or the Debian MathJax copy is missing: ``.ci/run``
installs both before the test suite, so in CI they run.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MATHJAX = Path(os.environ.get("STABGAN_MATHJAX", "/usr/share/javascript/mathjax"))

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("sphinx") is None
                       or importlib.util.find_spec("numpydoc") is None,
                       reason="sphinx/numpydoc are not installed (pip install '.[docs]'; "
                       ".ci/run installs them)"),
    pytest.mark.skipif(not (MATHJAX / "MathJax.js").is_file(),
                       reason=f"MathJax is not at {MATHJAX} (apt-get install libjs-mathjax; "
                       ".ci/run installs it)"),
]


def _sphinx(builder: str, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", builder,
                           str(ROOT / "docs"), str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_html_builds_with_warnings_as_errors_and_serves_mathjax(tmp_path):
    run = _sphinx("html", tmp_path / "html")
    assert run.returncode == 0, run.stderr[-4000:]
    html = tmp_path / "html"
    assert (html / "_static" / "mathjax" / "MathJax.js").is_file()
    # Sphinx adds the script to the pages that hold math
    assert "_static/mathjax/MathJax.js" in (html / "getting-started.html").read_text()
    for page in ("getting-started", "generated/catalogue", "generated/lemmas",
                 "generated/conventions", "generated/guide", "generated/gallery/index", "api"):
        assert (html / f"{page}.html").is_file(), page
    import stabgan
    catalogue = (html / "generated" / "catalogue.html").read_text()
    assert all(s.id in catalogue for s in stabgan.methods())
    assert "<img" in (html / "generated" / "gallery" / "phase.html").read_text()


def test_tutorial_doctests_pass(tmp_path):
    run = _sphinx("doctest", tmp_path / "doctest")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
