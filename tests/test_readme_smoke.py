"""The README's examples run as doctests (pytest --doctest-glob=README.md); this file checks
that the README opens with the two commands a new user needs (a consistency check)."""
from pathlib import Path


def test_readme_opens_with_install_and_test_commands():
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    assert "pip install . && stabgan" in block
    assert "pip install '.[test]' && pytest" in block
