"""Paste-ready LaTeX (``Analysis.to_latex``, ``stabgan analyze --latex``) and the Jupyter displays.

Kinds of evidence:

* independent: pdflatex compiles each block inside a minimal amsmath document, its log has no
  error and no overfull box over 10 pt (the text block of ``article`` is 345 pt), and the text
  pdftotext extracts from the PDF holds no SymPy syntax;
* consistency: the eigenvalue rows of the block are the printer's ``latex()`` of
  ``Analysis.eigenvalues`` (not typed-in strings), the CLI prints what ``to_latex`` returns.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

import stabgan
from stabgan._cli import main
from stabgan._errors import InputError
from stabgan._printing import latex
from stabgan.analysis.latex_block import CONTINUE, PARTS

#: (method id, parameters, scheme, scheme options): continuous methods with smooth, marginal,
#: non-smooth and noisy fields; discrete schemes with h symbolic and numeric; a period of steps.
CASES = [
    ("r1", {}, "continuous", {}),
    ("r1", {"gamma": "3/10"}, "continuous", {}),
    ("gan", {}, "continuous", {}),
    ("gan", {"f": "general"}, "continuous", {}),
    ("wgan-gp", {}, "continuous", {}),
    ("instance-noise", {}, "continuous", {}),
    ("consensus", {}, "continuous", {}),
    ("lecam", {}, "continuous", {}),  # a critical value of alpha_r: a subscripted parameter
    ("lsgan", {}, "continuous", {}),  # a Routh-Hurwitz condition fails for every value
    ("r1", {"gamma": "3/10"}, "simgd", {}),
    ("r1", {"gamma": "3/10"}, "simgd", {"h": "1/2"}),
    ("r1", {}, "altgd", {}),
    ("r1", {"gamma": "3/10"}, "altgd", {"h": "1/10"}),
    ("gan", {}, "simgd", {"h": "1/10"}),
    ("r1", {"gamma": 1}, "lookahead", {}),
    ("r1", {"gamma": 1}, "simgd", {"momentum": "1/2"}),
]
#: Named cases used by the tests below.
R1_SYMBOLIC, R1_NUMERIC, WGAN_GP = CASES[0], CASES[1], CASES[4]
R1_SIMGD_H, R1_ALTGD_H, R1_ALTGD_NUMERIC = CASES[9], CASES[11], CASES[12]
assert (R1_SYMBOLIC[1:3], R1_NUMERIC[1:3], WGAN_GP[0]) == (
    ({}, "continuous"), ({"gamma": "3/10"}, "continuous"), "wgan-gp")
assert (R1_SIMGD_H[2:], R1_ALTGD_H[2:]) == (("simgd", {}), ("altgd", {}))
assert R1_ALTGD_NUMERIC == ("r1", {"gamma": "3/10"}, "altgd", {"h": "1/10"})
IDS = ["-".join([c[0], c[2]] + [f"{k}={v}" for k, v in {**c[1], **c[3]}.items()]) for c in CASES]

#: Overfull boxes allowed, in pt (every case, instance noise's expectations included).
OVERFULL_PT = 10.0

SYMPY_SYNTAX = ("**", "fp0", "fpp0", "Sigmoid(", "sqrt(", "CRootOf(")


def _analysis(case):
    mid, params, scheme, options = case
    return stabgan.analyze(stabgan.method(mid, **params), scheme, **options)


_CACHE: dict = {}


def analysis_of(case):
    key = repr(case)
    if key not in _CACHE:
        _CACHE[key] = _analysis(case)
    return _CACHE[key]


def _compile(tmp_path, body: str):
    """pdflatex a minimal document around ``body``: (log text, text of the PDF)."""
    doc = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
           + body + "\\end{document}\n")
    (tmp_path / "t.tex").write_text(doc)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    log = (tmp_path / "t.log").read_text(errors="replace")
    assert run.returncode == 0, log[-3000:]
    text = ""
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "t.pdf", "-"], cwd=tmp_path, capture_output=True,
                              text=True, timeout=60).stdout
    return log, text


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed "
                    "(.ci/run installs it as root)")
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_block_compiles_without_overfull_boxes_or_sympy_syntax(case, tmp_path):
    a = analysis_of(case)
    block = a.to_latex()
    log, text = _compile(tmp_path, block)
    assert "! " not in log, log
    over = [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide", log)]
    assert max(over, default=0.0) <= OVERFULL_PT, over
    for bad in SYMPY_SYNTAX:
        assert bad not in text, (bad, text)
    if text:
        assert "\\" not in text and "&" not in text, text  # no TeX leaked into the page


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("case", [R1_NUMERIC, R1_ALTGD_H], ids=["r1-numeric", "r1-altgd-h"])
def test_every_part_compiles_alone(case, tmp_path):
    a = analysis_of(case)
    for part in PARTS:
        try:
            body = a.to_latex(part)
        except InputError:
            continue
        _compile(tmp_path, body)


def _rows(block: str) -> list[str]:
    """The align* rows, continuation rows joined back onto the row they continue."""
    inner = block.split("\\begin{align*}\n", 1)[1].split("\n\\end{align*}", 1)[0]
    rows: list[str] = []
    for line in inner.split(" \\\\\n"):
        if line.startswith(CONTINUE):
            rows[-1] += line[len(CONTINUE):]
        else:
            rows.append(line)
    return rows


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eigenvalue_rows_are_the_printers_latex_of_the_eigenvalues(case):
    a = analysis_of(case)
    rows = [r for r in _rows(a.to_latex()) if r.startswith("\\lambda_")]
    assert rows == [f"\\lambda_{{{i + 1}}} &= {latex(e)}" for i, e in enumerate(a.eigenvalues)]
    if a.eigenvalues:
        assert _rows(a.to_latex("eigenvalues")) == rows


def test_block_holds_every_part_in_order():
    a = analysis_of(R1_ALTGD_NUMERIC)  # r1, AltGD, h = 1/10: every part exists
    block = a.to_latex()
    assert block.startswith("% ")
    for part in PARTS:
        if part == "critical":
            continue  # a continuous-time notion
        for row in _rows(a.to_latex(part)):
            assert row in _rows(block), (part, row)


def test_discrete_block_names_the_update_operator_and_has_the_step_results():
    a = analysis_of(R1_SIMGD_H)  # r1 SimGD, h symbolic
    block = a.to_latex()
    assert "F'(0, 0) &= " + latex(a.jacobian) in block
    assert "v'(0, 0)" not in block
    assert "h_{\\max} &= " + latex(a.h_max) in block
    assert "h_{\\mathrm{opt}}" in block
    assert "% F is one step of the update" in block
    numeric = analysis_of(R1_ALTGD_NUMERIC)
    assert "\\rho\\bigl(F'(0, 0)\\bigr) &= " in numeric.to_latex()
    printed = re.search(r"\\rho\\bigl\(F'\(0, 0\)\\bigr\) &= ([\d.]+)", numeric.to_latex())
    assert abs(float(printed.group(1)) - numeric.spectral_radius) < 1e-6


def test_continuous_block_has_the_condition_and_critical_value():
    a = analysis_of(R1_SYMBOLIC)  # r1, gamma symbolic: locally convergent iff gamma > 0
    assert a.to_latex("condition").count("\\iff \\gamma > 0") == 1
    assert "{\\gamma}_{\\mathrm{crit}} &= 1" in a.to_latex()


@pytest.mark.parametrize("part", ["", "Jacobian", "h-max", 3])
def test_bad_part_names_the_parameter_value_and_choices(part):
    a = analysis_of(R1_NUMERIC)
    with pytest.raises(InputError, match=r"'part' parameter .* one of 'field', 'jacobian'.*"
                                         + re.escape(repr(part))):
        a.to_latex(part)


def test_part_the_analysis_lacks_is_refused_with_the_reason():
    with pytest.raises(InputError, match="h_max.*does not have.*discrete"):
        analysis_of(R1_NUMERIC).to_latex("h_max")
    with pytest.raises(InputError, match="jumps at psi = 0"):
        analysis_of(WGAN_GP).to_latex("jacobian")


def test_repr_html_has_verdict_radius_and_h_max_escaped():
    a = analysis_of(R1_ALTGD_NUMERIC)
    html = a._repr_html_()
    assert html.startswith("<table") and html.endswith("</table>")
    assert a.verdict() in html
    assert f"{a.spectral_radius}" in html and "h_max" in html
    b = analysis_of(R1_SIMGD_H)  # the verdict holds "&" and ">": escaped
    assert "&amp;" in b._repr_html_() and "&gt;" in b._repr_html_()
    assert "<td style=\"text-align:left\">-0.15</td>" in analysis_of(R1_NUMERIC)._repr_html_()


def test_repr_latex_is_display_math_with_the_verdict():
    for case in (R1_NUMERIC, R1_ALTGD_NUMERIC):
        a = analysis_of(case)
        text = a._repr_latex_()
        assert text.startswith("$$\\begin{aligned}") and text.endswith("\\end{aligned}$$")
        assert "locally convergent" in text
        assert "%" not in text  # MathJax would swallow a comment line
    assert "F'(0, 0)" in analysis_of(R1_ALTGD_NUMERIC)._repr_latex_()
    assert "h_{\\max}" in analysis_of(R1_ALTGD_NUMERIC)._repr_latex_()


def test_cli_latex_prints_only_the_block(capsys):
    assert main(["analyze", "r1", "-p", "gamma=0.3", "--latex"]) == 0
    out, err = capsys.readouterr()
    assert out == analysis_of(R1_NUMERIC).to_latex()
    assert "\\begin{align*}" in out


def test_cli_latex_part(capsys):
    assert main(["analyze", "r1", "-p", "gamma=0.3", "--scheme", "altgd", "--h", "0.1",
                 "--latex-part", "h_max"]) == 0
    out, _ = capsys.readouterr()
    assert out == analysis_of(R1_ALTGD_NUMERIC).to_latex("h_max")


@pytest.mark.parametrize("flags", [["--latex", "--json"], ["--latex-part", "field", "--json"]])
def test_cli_latex_with_json_is_refused(flags, capsys):
    assert main(["analyze", "r1", *flags]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "--json cannot be combined" in err


def test_cli_bad_latex_part(capsys):
    assert main(["analyze", "r1", "--latex-part", "nope"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "--latex-part" in err and "'nope'" in err and "'eigenvalues'" in err


def test_gaussian_integral_prints_as_an_expectation():
    """The density N(eps; 0, s^2) is recognised and divided out; what is left is E[g]."""
    import sympy as sp

    from stabgan._printing import gaussian_factor, latex
    eps, s, t = sp.symbols("epsilon s t", positive=True)
    eps = sp.Symbol("epsilon", real=True)
    density = sp.exp(-eps ** 2 / (2 * s ** 2)) / (sp.sqrt(2 * sp.pi) * s)
    second = sp.Integral(eps ** 2 * density, (eps, -sp.oo, sp.oo))
    assert sp.simplify(second.doit() - s ** 2) == 0        # E[eps^2] = s^2, by SymPy
    found = gaussian_factor(second)
    assert found is not None and found[0] == eps
    assert sp.simplify(found[1] - s ** 2) == 0 and sp.simplify(found[2] - eps ** 2) == 0
    tex = latex(second)
    assert r"\mathbb{E}_{\epsilon \sim \mathcal{N}\left(0, s^{2}\right)}" in tex
    assert r"\int" not in tex
    # E over a variable the integrand lacks is the integrand itself (E[c] = c)
    assert latex(sp.Integral(t * density, (eps, -sp.oo, sp.oo))) == "t"
    # not a Gaussian expectation: another weight, a finite range
    assert r"\int" in latex(sp.Integral(eps * sp.exp(-eps), (eps, 0, sp.oo)))
    assert r"\int" in latex(sp.Integral(eps ** 2 * density, (eps, 0, 1)))
    assert r"\int" in latex(sp.Integral(eps ** 2 * sp.exp(eps ** 2), (eps, -sp.oo, sp.oo)))
