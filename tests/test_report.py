"""stabgan report: reproducible bytes, --check, nothing half-written, LaTeX that compiles, and
stability_map against per-point eigenvalues."""
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import stabgan
from stabgan._cli import main
from stabgan.report.build import report

ROOT = Path(__file__).resolve().parents[1]


def _quiet(_line):
    pass


def _tree(root: Path) -> dict:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def r1_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    assert report(out, only=["r1", "wgan-gp"], log=_quiet) == 0
    return out


def test_only_writes_the_methods_files(r1_report):
    names = set(_tree(r1_report))
    assert names == {"derivations/r1.md", "derivations/wgan-gp.md", "figures/phase_r1.png",
                     "figures/distance_r1.png", "figures/distance_wgan-gp.png"}
    md = (r1_report / "derivations" / "r1.md").read_text()
    assert "$$v'(0, 0) = " in md and "**Critical $\\gamma$:**" in md and "../figures/phase_r1.png" in md


def test_two_runs_are_byte_identical(r1_report, tmp_path):
    assert report(tmp_path, only=["r1", "wgan-gp"], log=_quiet) == 0
    assert _tree(tmp_path) == _tree(r1_report)


def test_png_has_no_software_or_date_metadata(r1_report):
    data = (r1_report / "figures" / "phase_r1.png").read_bytes()
    assert b"Software" not in data and b"matplotlib" not in data.lower()
    assert b"Creation Time" not in data


def test_check_passes_then_names_a_stale_file_and_writes_nothing(r1_report, tmp_path, capsys,
                                                                 monkeypatch):
    """The first check regenerates for real. The second, on a hand-edited copy, compares with
    a copy of the fixture's files instead of a third regeneration: what it proves (the stale
    file is named, nothing is written, no temporary directory is left) does not depend on
    how the fresh files were made, and test_two_runs_are_byte_identical proves that a
    regeneration gives exactly the fixture's bytes."""
    out = tmp_path / "copy"
    shutil.copytree(r1_report, out)
    assert report(out, check=True, only=["r1", "wgan-gp"], log=_quiet) == 0

    def regenerated(root, only, log):
        assert only == ["r1", "wgan-gp"]
        shutil.copytree(r1_report, root, dirs_exist_ok=True)
    monkeypatch.setattr("stabgan.report.build._generate", regenerated)
    (out / "derivations" / "r1.md").write_text("edited by hand\n")
    before = _tree(out)
    assert report(out, check=True, only=["r1", "wgan-gp"], log=_quiet) == 1
    assert "derivations/r1.md" in capsys.readouterr().err
    assert _tree(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".stabgan-report-")]


def test_a_failing_run_leaves_the_previous_files_intact(r1_report, tmp_path, monkeypatch):
    out = tmp_path / "copy"
    shutil.copytree(r1_report, out)
    before = _tree(out)

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure half-way")
    monkeypatch.setattr("stabgan.report.plots.distance_plot", broken)
    with pytest.raises(RuntimeError, match="half-way"):
        report(out, only=["r1", "wgan-gp"], log=_quiet)
    assert _tree(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".stabgan-report-")]


def test_cli_report_rejects_an_unknown_method(capsys, tmp_path):
    assert main(["report", "--out", str(tmp_path), "--only", "r3"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "r3" in err
    assert list(tmp_path.iterdir()) == []


def test_committed_latex_document_compiles(tmp_path):
    """The committed derivations/stabgan.tex compiles with pdflatex without errors (CI installs
    texlive when pdflatex is missing)."""
    exe = shutil.which("pdflatex")
    if exe is None:
        pytest.skip("pdflatex is not installed here; .ci/run installs it")
    proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error",
                           f"-output-directory={tmp_path}", "stabgan.tex"],
                          cwd=ROOT / "derivations", capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert (tmp_path / "stabgan.pdf").stat().st_size > 10_000


def test_committed_documents_hold_every_method_and_statement():
    tex = (ROOT / "derivations" / "stabgan.tex").read_text()
    index = (ROOT / "derivations" / "README.md").read_text()
    for spec in stabgan.methods():
        assert r"\section{\texttt{%s}" % spec.id in tex
        assert (ROOT / "derivations" / f"{spec.id}.md").is_file()
        assert f"[`{spec.id}`]({spec.id}.md)" in index
    for s in stabgan.lemmas.statements():
        assert s.id in tex and s.id in index
    assert len(list((ROOT / "figures").glob("*.png"))) >= 12


@pytest.mark.parametrize("scheme, n_d", [("simgd", 1), ("altgd", 1), ("altgd", 5)])
def test_stability_map_agrees_with_per_point_eigvals(scheme, n_d):
    """Independent oracle: numpy.linalg.eigvals of the update matrix built here from the
    continuous Jacobian (the product of the sub-step matrices), relative 1e-12. Points next to
    a double eigenvalue (|tr^2 - 4 det| < 1e-6 tr^2) are left out: there an eigenvalue moves
    by sqrt(perturbation), so neither eigvals nor any float formula is good to 1e-12; they
    must stay rare."""
    m = stabgan.method("r1")
    hs, gs = np.linspace(0.01, 4, 37), np.linspace(0, 3, 23)
    s = stabgan.stability_map(m, scheme, n_d=n_d, h=hs, gamma=gs)
    worst, skipped = 0.0, 0
    for j, g in enumerate(gs):
        J = np.array([[0, -0.5], [0.5, -g]])
        for i, h in enumerate(hs):
            if scheme == "simgd":
                M = np.eye(2) + h * J
            else:
                G = np.array([[1 + h * J[0, 0], h * J[0, 1]], [0, 1]])
                D = np.array([[1, 0], [h * J[1, 0], 1 + h * J[1, 1]]])
                M = np.linalg.matrix_power(D, n_d) @ G
            tr, det = np.trace(M), np.linalg.det(M)
            if abs(tr * tr - 4 * det) < 1e-6 * max(tr * tr, 1e-300):
                skipped += 1
                continue
            rho = np.max(np.abs(np.linalg.eigvals(M)))
            worst = max(worst, abs(rho - s.spectral_radius[i, j]) / max(1.0, rho))
    assert worst < 1e-12
    assert skipped < 0.02 * hs.size * gs.size
    assert np.array_equal(s.locally_convergent, s.spectral_radius < 1)


def test_stability_map_boundary_matches_h_max():
    a = stabgan.analyze(stabgan.method("r1", gamma=sp.Rational(3, 10)), scheme="simgd")
    h = float(a.h_max)
    s = stabgan.stability_map(stabgan.method("r1"), "simgd", h=[0.99 * h, 1.01 * h], gamma=[0.3])
    assert s.locally_convergent[:, 0].tolist() == [True, False]


def test_stability_map_bad_axis():
    with pytest.raises(stabgan.InputError, match="Unknown axis 'sigma'"):
        stabgan.stability_map(stabgan.method("r1"), "simgd", h=[0.1], sigma=[1.0])
    with pytest.raises(stabgan.InputError, match="must lie in"):
        stabgan.stability_map(stabgan.method("r1"), "simgd", h=[0.1], gamma=[-1.0])


def test_a_per_method_figure_is_one_function_and_one_list_entry(tmp_path, monkeypatch):
    """Adding an entry to METHOD_FIGURES is all it takes: the report draws it for each method
    (with the shared trajectories) and the method's Markdown links it after the others."""
    import stabgan.report.build as build
    from stabgan.report.plots import FIGURE_RC, _plt, save

    def final_states(m, path, runs):
        plt = _plt()
        with plt.rc_context(FIGURE_RC):
            fig, ax = plt.subplots()
            for scheme, r in sorted(runs.items()):
                ax.plot(r.history_theta[-1], r.history_psi[-1], label=scheme)
            save(fig, path)

    extra = build.MethodFigure("trajectory", final_states)
    monkeypatch.setattr(build, "METHOD_FIGURES", build.METHOD_FIGURES + (extra,))
    assert report(tmp_path, only=["r1"], log=_quiet) == 0
    assert (tmp_path / "figures" / "trajectory_r1.png").read_bytes().startswith(b"\x89PNG")
    text = (tmp_path / "derivations" / "r1.md").read_text()
    links = [line for line in text.splitlines() if line.startswith("![")]
    assert [link.split("(")[-1] for link in links] == [
        "../figures/phase_r1.png)", "../figures/distance_r1.png)",
        "../figures/trajectory_r1.png)"]
