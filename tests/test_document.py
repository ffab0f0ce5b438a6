"""The LaTeX document and the Markdown as a reader sees them (issue 14, section 1): typeset math
in every piece of prose, figures as floats with captions and references, a bibliography with
nothing invented, byte-identical PDFs, no overfull line over 10 pt, lemmas as numbered
statements, and Markdown that GitHub renders. Consistency checks of the generated output."""
import re
import shutil
from pathlib import Path

import pytest

import stabgan
from stabgan.model.references import bibliography, cited_keys
from stabgan.report.export import EXTENSION_SECTION
from stabgan.report.prose import prose_tex

ROOT = Path(__file__).resolve().parents[1]
TEX = ROOT / "derivations" / "stabgan.tex"


def _catalogue_strings():
    for spec in stabgan.methods():
        yield spec.summary
        yield spec.convention
        yield from spec.conversions
    yield from EXTENSION_SECTION[1]
    for s in stabgan.lemmas.statements():
        yield s.source


def _outside_math(tex: str) -> str:
    return re.sub(r"\$[^$]*\$", "", tex)


@pytest.mark.parametrize("text", list(_catalogue_strings()))
def test_prose_has_no_ascii_math_outside_math(text):
    """Every catalogue string: ^, _ (other than escaped code names), ** and the SymPy names
    end up inside $...$; dollars and braces balance."""
    tex = prose_tex(text)
    assert tex.count("$") % 2 == 0
    outside = _outside_math(tex)
    assert "^" not in outside.replace(r"\textasciicircum", "")
    assert "**" not in tex and "fpp0" not in tex and "fp0" not in tex
    for math in re.findall(r"\$([^$]*)\$", tex):
        assert math.count("{") == math.count("}"), math
    # underscores outside math are only in typewriter code names (reg_param)
    for m in re.finditer(r"\\_", outside):
        assert re.search(r"\\texttt\{[^}]*$", outside[:m.start()]), outside


def test_prose_examples():
    assert prose_tex("L_G = -f(-psi theta)") == r"$L_{G} = -f(-\psi  \theta )$"
    assert r"\nabla _{x}" in prose_tex("gamma/2 E_{p_D} |grad_x D|^2")
    assert "f''(0)" in prose_tex("d/dt (theta^2 + psi^2)/2 = 2*fpp0*psi**2*theta**2 + higher")


def test_bibliography_has_every_source_and_nothing_invented():
    bib = (ROOT / "derivations" / "stabgan.bib").read_text()
    works = bibliography()
    for spec in stabgan.methods():
        assert "@" in bib and "{%s," % spec.citation.key in bib
        c = spec.citation
        if c.arxiv_id:
            assert "arXiv:" + c.arxiv_id in bib
    for s in stabgan.lemmas.statements():
        for key in cited_keys(s.source):
            assert key in works and "{%s," % key in bib
        if re.search(r"\b(19|20)\d\d\b", s.source):
            assert cited_keys(s.source), s.source
    assert "n/a" not in bib
    lecture = works["gantraining"]
    assert lecture.arxiv_id == "" and "arXiv" not in str(lecture) and "eprint" not in lecture.bibtex()


def test_methods_json_gives_the_bibtex_key(capsys):
    from stabgan._cli import main
    import json
    assert main(["methods", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    keys = {m["id"]: m["bibtex_key"] for m in doc}
    assert keys["r1"] == "mescheder2018which" and keys["gan"] == "goodfellow2014generative"
    assert all("arXiv:n/a" not in m["citation"]["text"] for m in doc)


def test_document_cites_figures_and_statements():
    tex = TEX.read_text()
    cited = set(k for group in re.findall(r"\\cite\{([^}]*)\}", tex) for k in group.split(","))
    assert cited <= set(bibliography()) and "mescheder2018which" in cited
    assert r"\bibliography{stabgan}" in tex
    labels = re.findall(r"\\label\{(fig:[^}]*)\}", tex)
    refs = set(re.findall(r"\\ref\{(fig:[^}]*)\}", tex))
    assert labels and set(labels) <= refs
    # one caption, one image and one label per PNG (a method's phase portrait and distance
    # plot share a float, side by side, each with its own caption and label)
    pngs = len(list((ROOT / "figures").glob("*.png")))
    assert tex.count(r"\caption{") == tex.count(r"\includegraphics") == len(labels) == pngs
    assert tex.count(r"\begin{figure}") <= pngs
    for spec in stabgan.methods():  # each method's own figures sit in its section
        section = tex.split(r"\section{\texttt{%s}" % spec.id)[1].split(r"\section")[0]
        assert "../figures/distance_%s.png" % spec.id in section
    assert tex.count(r"\begin{statement}") == len(stabgan.lemmas.statements())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The committed document built twice with BibTeX, in two directories of different names."""
    if shutil.which("pdflatex") is None or shutil.which("bibtex") is None:
        pytest.skip("pdflatex/bibtex are not installed here; .ci/run installs them")
    from stabgan.report.build import build_pdf
    out = []
    for name in ("first", "second-build"):
        root = tmp_path_factory.mktemp(name)
        shutil.copytree(ROOT / "derivations", root / "derivations",
                        ignore=shutil.ignore_patterns("*.pdf"))
        shutil.copytree(ROOT / "figures", root / "figures")
        log = build_pdf(root / "derivations")
        out.append((root / "derivations" / "stabgan.pdf", log))
    return out


def test_two_builds_are_byte_identical(built):
    (a, _), (b, _) = built
    assert a.read_bytes() == b.read_bytes()
    assert not list(a.parent.glob("*.part"))


def test_no_overfull_line_over_10pt(built):
    log = built[0][1]
    widths = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert max(widths, default=0.0) <= 10.0, sorted(widths)[-5:]
    assert "Citation" not in log or "undefined" not in log


def test_pdf_text_has_no_program_syntax(built, tmp_path):
    import subprocess
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed here")
    pdf = built[0][0]
    subprocess.run(["pdftotext", str(pdf), str(tmp_path / "t.txt")], check=True)
    text = (tmp_path / "t.txt").read_text()
    for bad in ("**", "fpp0", "fp0", "Sigmoid(", "sqrt(", r"\textbackslash", "{}", r"\_",
                "arXiv:n/a", "??", "Eq(", "Matrix(", "CRootOf(", "None", "lazy_every", "!=",
                "! =", "stabgan report", "custom_method"):
        assert bad not in text, (bad, text[max(0, text.find(bad) - 200):text.find(bad) + 100])
    # SymPy's spelling of LeCam's weight, a Python complex number (0.5j), an exponent as
    # Python prints it (4.5e+07, which the PDF shows as "4.5e + 07"), an underscore between
    # letters (a code name) and a ligature lost to a bitmap font ("field" read as "eld")
    # (the identifiers of the source papers' own code, in typewriter type, are the exception)
    prose = re.sub(r"GAN_stability|reg_param", "", text)
    for pattern in (r"\blam\b", r"\d(\.\d+)?j\b", r"\de ?[+\u2212-] ?\d", r"[A-Za-z]_[A-Za-z]",
                    r"\beld\b"):
        found = re.search(pattern, prose)
        assert not found, (pattern, prose[max(0, found.start() - 200):found.end() + 100])
    assert "References" in text and "Mescheder" in text.split("References")[-1]
    pages = text.split("\f")[:-1]
    assert all(len(re.sub(r"\s", "", page)) > 40 for page in pages), "a blank page"


def test_markdown_renders_on_github():
    for md in sorted((ROOT / "derivations").glob("*.md")):
        text = md.read_text()
        assert r"\operatorname" not in text and r"\allowbreak" not in text, md.name
        assert "fpp0" not in text and not re.search(r"\w\*\*\d", text), md.name
        assert "Eq(" not in text and "Matrix(" not in text, md.name
        for line in text.splitlines():
            if line.startswith("#"):
                assert "$" not in line, (md.name, line)


def test_methods_with_one_field_say_so():
    """R2's field is R1's on the Dirac-GAN (Mescheder et al. 2018, Statement
    mgn18-r1-equals-r2): the document says so in R2's section; every pair it names has the
    same numeric field at random points, and methods with other fields are not named."""
    import numpy as np

    from stabgan.report.document import same_field_as
    from stabgan.report.export import method_results
    results = [method_results(s) for s in stabgan.methods()]
    same = same_field_as(results)
    assert same.get("r2") == "r1"
    assert not {"gan", "nsgan", "r1", "wgan-gp", "dragan"} & set(same)
    rng = np.random.default_rng(3)
    th, ps = rng.normal(size=50), rng.normal(size=50)
    for later, earlier in same.items():
        a = np.array(stabgan.method(later).field(th, ps), dtype=float)
        b = np.array(stabgan.method(earlier).field(th, ps), dtype=float)
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
    tex = (ROOT / "derivations" / "stabgan.tex").read_text()
    r2 = tex.split(r"\section{\texttt{r2}")[1].split(r"\section")[0]
    assert r"is the same as that of \texttt{r1}" in r2
