"""``stabgan report``: the derivations (LaTeX, Markdown) and the convergence figures.

Everything is generated into a temporary directory next to the output first; only when all
of it has been written are the files renamed into place, one ``os.replace`` each, so an
interrupted or failing run leaves the previous files intact and no file is ever half
written. ``check=True`` regenerates into a temporary directory and compares: text byte for
byte, figures with :func:`matplotlib.testing.compare.compare_images` at RMS tolerance
:data:`IMAGE_TOLERANCE` (another FreeType or matplotlib build may shift pixels while the
content is the same; on one machine two runs are byte-identical).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .._errors import InputError
from ..model.catalogue import CATALOGUE, get_spec

__all__ = ["report", "IMAGE_TOLERANCE", "cross_method_figures"]

#: RMS tolerance (0-255 grey levels) for figures in ``--check``.
IMAGE_TOLERANCE = 2.0


def _figure_names(spec, smooth: bool) -> list[str]:
    return ([f"phase_{spec.id}.png"] if smooth else []) + [f"distance_{spec.id}.png"]


def _method_figures(spec, figures: Path, log) -> None:
    """Phase portrait (smooth fields) and distance curve of one method at its defaults."""
    from ..analysis.analyze import analyze
    from ..model.method import method
    from .plots import distance_plot, phase_portrait
    t0 = time.perf_counter()
    m = method(spec.id, **{p.name: p.default for p in spec.parameters})
    if analyze(m).nonsmooth is None:
        phase_portrait(m, figures / f"phase_{spec.id}.png")
    distance_plot(m, figures / f"distance_{spec.id}.png")
    log(f"{spec.id}: figures {time.perf_counter() - t0:.1f} s")


def _method_text(spec, derivations: Path, log) -> dict:
    """The analyses of one method and its Markdown file."""
    from .export import method_markdown, method_results
    t0 = time.perf_counter()
    r = method_results(spec)
    names = _figure_names(spec, r["continuous"].nonsmooth is None)
    (derivations / f"{spec.id}.md").write_text(method_markdown(r, names), encoding="utf-8")
    log(f"{spec.id}: derivations {time.perf_counter() - t0:.1f} s")
    return r


def _all_figures(figures: Path, specs, cross: bool) -> None:
    """Every figure (run in a second process while the first derives the documents)."""
    def log(line):
        print(line, file=sys.stderr, flush=True)
    for spec in specs:
        _method_figures(spec, figures, log)
    if cross:
        cross_method_figures(figures, log)


def cross_method_figures(figures: Path, log) -> None:
    """Eigenvalue loci, the R1 stability maps and the non-smooth flows."""
    import numpy as np

    from .plots import eigenvalue_loci, nonsmooth_figure, stability_figure
    t0 = time.perf_counter()
    eigenvalue_loci("r1", "gamma", np.linspace(0.0, 3.0, 121), figures / "eigloci_r1_gamma.png")
    eigenvalue_loci("instance-noise", "sigma", np.linspace(0.05, 3.0, 119),
                    figures / "eigloci_instance-noise_sigma.png")
    eigenvalue_loci("nk", "eta", np.linspace(0.0, 5.0, 101), figures / "eigloci_nk_eta.png")
    log(f"eigenvalue loci: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    stability_figure(figures / "stability_r1_gamma_h.png")
    log(f"stability maps (r1, SimGD and AltGD n_d = 1, 5): {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    from .plots import SCHEME_FIGURES, scheme_region_figure
    for name in SCHEME_FIGURES:
        scheme_region_figure(name, figures / f"region_{name}.png")
    log(f"stability regions of {len(SCHEME_FIGURES)} schemes: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    nonsmooth_figure("wgan-gp", [
        ({"gamma": 0.7, "g0": 1}, [(0.0, 1e-6), (2.5, 2.5)], "limit cycle"),
        ({"gamma": 3, "g0": 1}, [(0.5, 1.0), (0.5, -1.0), (-2.0, 2.5)], "non-Nash attractors"),
    ], figures / "nonsmooth_wgan-gp.png")
    nonsmooth_figure("dragan", [
        ({"gamma": 0.3, "k": 1}, [(0.5, 1.0), (0.0, 1e-6)], "limit cycle"),
        ({"gamma": 0.7, "k": 1}, [(-1.0, 0.2), (-1.5, 0.05)], "non-Nash point and cycle"),
        ({"gamma": 1, "k": 1}, [(0.5, 1.0), (0.5, -1.0)], "non-Nash attractors"),
    ], figures / "nonsmooth_dragan.png", t_max=80.0)
    log(f"non-smooth flows (wgan-gp, dragan): {time.perf_counter() - t0:.1f} s")


def _generate(root: Path, only, log) -> None:
    """Write everything under root: the figures in a second process (they are independent of
    the documents), the analyses, Markdown, LaTeX and the lemma suite in this one."""
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    from .export import index_markdown, latex_document
    from ..lemmas.registry import verify
    derivations, figures = root / "derivations", root / "figures"
    derivations.mkdir(parents=True)
    figures.mkdir(parents=True)
    specs = [get_spec(i) for i in only] if only else list(CATALOGUE)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        drawing = pool.submit(_all_figures, figures, specs, not only)
        results = [_method_text(spec, derivations, log) for spec in specs]
        if not only:
            t0 = time.perf_counter()
            verification = verify()
            log(f"lemma suite ({len(verification)} statements): {time.perf_counter() - t0:.1f} s")
            t0 = time.perf_counter()
            from .export import scheme_results
            schemes = scheme_results()
            log(f"schemes with memory and periods: {time.perf_counter() - t0:.1f} s")
            (derivations / "stabgan.tex").write_text(
                latex_document(results, verification, schemes), encoding="utf-8")
            (derivations / "README.md").write_text(index_markdown(results, verification),
                                                   encoding="utf-8")
        drawing.result()


def _files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def _differs(new: Path, old: Path) -> bool:
    if not old.is_file():
        return True
    if new.suffix != ".png":
        return new.read_bytes() != old.read_bytes()
    if new.read_bytes() == old.read_bytes():
        return False
    from matplotlib.testing.compare import compare_images
    try:
        return compare_images(str(old), str(new), tol=IMAGE_TOLERANCE) is not None
    except Exception:  # different sizes or unreadable: stale
        return True


def _build_pdf(derivations: Path, log) -> None:
    exe = shutil.which("pdflatex")
    if exe is None:
        log("pdflatex not found: the PDF was not built (apt-get install texlive-latex-base "
            "texlive-latex-recommended)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error",
                               f"-output-directory={tmp}", "stabgan.tex"], cwd=derivations,
                              capture_output=True, text=True, timeout=600,
                              env={**os.environ, "SOURCE_DATE_EPOCH": "0",
                                   "FORCE_SOURCE_DATE": "1"})
        if proc.returncode != 0:
            tail = "\n".join(proc.stdout.splitlines()[-15:])
            raise RuntimeError(f"pdflatex failed on derivations/stabgan.tex:\n{tail}")
        shutil.copyfile(Path(tmp) / "stabgan.pdf", derivations / "stabgan.pdf")
    log("derivations/stabgan.pdf built with pdflatex")


def report(out: str | os.PathLike = ".", check: bool = False, only=None, pdf: bool = True,
           log=None) -> int:
    """Write (or check) derivations/ and figures/ under ``out``.

    Parameters
    ----------
    out : path
        The directory that holds derivations/ and figures/.
    check : bool
        Regenerate into a temporary directory and compare with what is in ``out``; write
        nothing. Returns 1 and names the stale files if anything differs.
    only : list of str, optional
        Method ids: write (or check) only their Markdown and figures; the combined documents
        and the cross-method figures are left alone.
    pdf : bool
        Build derivations/stabgan.pdf when pdflatex is on the PATH (not with ``check``).
    log : callable, optional
        Receives one progress line per step (default: stderr).

    Returns
    -------
    int
        0 on success (or up to date), 1 when ``check`` finds stale files.
    """
    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    if only:
        for i in only:
            get_spec(i)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"The '--out' option must be a directory. Got {str(out)!r}, a file.")
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=".stabgan-report-", dir=None if check else out))
    try:
        _generate(tmp, only, log)
        names = _files(tmp)
        if check:
            stale = [str(n) for n in names if _differs(tmp / n, out / n)]
            if stale:
                print("stale (regenerate with `stabgan report`): " + ", ".join(stale),
                      file=sys.stderr)
                return 1
            log(f"up to date: {len(names)} files checked in {time.perf_counter() - t0:.1f} s")
            return 0
        for n in names:
            (out / n).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / n, out / n)
        log(f"wrote {len(names)} files to {out}/derivations and {out}/figures in "
            f"{time.perf_counter() - t0:.1f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if pdf and not only:
        _build_pdf(out / "derivations", log)
    return 0
