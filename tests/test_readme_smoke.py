"""The README's examples run as doctests (pytest --doctest-glob=README.md); this file checks
that the README opens with the two commands a new user needs (a consistency check)."""
from pathlib import Path


def test_readme_opens_with_install_and_test_commands():
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    assert "pip install . && stabgan" in block
    assert "pip install '.[test]' && pytest" in block


def test_readme_formulas_are_the_generated_ones():
    """The formulas the README shows are copied from derivations/r1.md (consistency)."""
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    generated = (root / "derivations" / "r1.md").read_text().splitlines()
    shown = [line for line in readme.splitlines() if line.startswith("$$")]
    assert shown and all(line in generated for line in shown)


def test_readme_cli_transcript_is_what_the_cli_prints(capsys):
    """The README's `stabgan analyze r1 -p gamma=0.3` transcript is the real output."""
    from stabgan._cli import main
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    shown = readme.split("$ stabgan analyze r1 -p gamma=0.3\n", 1)[1].split("```", 1)[0]
    assert main(["analyze", "r1", "-p", "gamma=0.3"]) == 0
    assert capsys.readouterr().out == shown
