"""``stabgan report``: the derivations (LaTeX, Markdown) and the convergence figures.

Everything is generated into a temporary directory next to the output first; only when all
of it has been written are the files renamed into place, one ``os.replace`` each (with
SIGINT/SIGTERM held for those few renames), so an interrupted or failing run leaves the
previous files intact and no file is ever half written. An error, SIGINT or SIGTERM ends
the figure process and removes the temporary directory. Two runs on one directory do not
mix: each holds an ``flock`` on the directory (exclusive to write, shared to check) and a
second one waits. ``check=True`` regenerates into a temporary directory and compares: text byte for
byte, figures with :func:`matplotlib.testing.compare.compare_images` at RMS tolerance
:data:`IMAGE_TOLERANCE` (another FreeType or matplotlib build may shift pixels while the
content is the same; on one machine two runs are byte-identical).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .._errors import InputError
from ..model.catalogue import MethodSpec, get_spec, methods

__all__ = ["report", "build_pdf", "IMAGE_TOLERANCE", "cross_method_figures", "METHOD_FIGURES", "MethodFigure"]

#: RMS tolerance (0-255 grey levels) for figures in ``--check``.
IMAGE_TOLERANCE = 2.0


@dataclass(frozen=True)
class MethodFigure:
    """A figure drawn for every method of the catalogue: its file name and how to draw it.

    ``draw(m, path, runs)`` draws the figure of method ``m`` (at its defaults) into ``path``;
    ``runs`` are the SimGD/AltGD trajectories shared by every figure of the method. A new
    per-method figure is one such function and one entry of :data:`METHOD_FIGURES`: the report
    draws it and each method's Markdown links it, in this order.
    """

    prefix: str
    draw: Callable
    smooth_only: bool = False

    def name(self, spec) -> str:
        """The file name under figures/."""
        return f"{self.prefix}_{spec.id}.png"


def _phase(m, path, runs) -> None:
    from .plots import phase_portrait
    phase_portrait(m, path, h=0.1, steps=300, start=(1.0, 1.0), runs=runs)


def _distance(m, path, runs) -> None:
    from .plots import distance_plot
    distance_plot(m, path, h=0.1, steps=500, start=(1.0, 1.0), runs=runs)


#: The per-method figures: the phase portrait (fields without a jump) and the distance curve.
METHOD_FIGURES = (MethodFigure("phase", _phase, smooth_only=True),
                  MethodFigure("distance", _distance))


def _figure_names(spec, smooth: bool) -> list[str]:
    return [f.name(spec) for f in METHOD_FIGURES if smooth or not f.smooth_only]


def _method_figures(spec, figures: Path, log) -> None:
    """Every figure of :data:`METHOD_FIGURES` for one method at its defaults."""
    from ..analysis.analyze import analyze
    from ..model.method import method
    from .plots import discrete_runs
    t0 = time.perf_counter()
    m = method(spec, **{p.name: p.default for p in spec.parameters})
    # SimGD and AltGD from (1, 1) with h = 0.1, simulated once for every figure: the phase
    # portrait draws the first 300 steps, the distance plot all 500
    runs = discrete_runs(m, h=0.1, steps=500, start=(1.0, 1.0))
    smooth = analyze(m).nonsmooth is None
    for figure in METHOD_FIGURES:
        if smooth or not figure.smooth_only:
            figure.draw(m, figures / figure.name(spec), runs)
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
    t0 = time.perf_counter()
    from .extension_plots import EXTENSION_FIGURES
    for name, draw in EXTENSION_FIGURES:
        draw(figures / name)
    log(f"extension API figures (hinge flow, EMA, Adam/RMSprop): {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    from .dynamics_plots import DYNAMICS_FIGURES
    for name, draw in DYNAMICS_FIGURES:
        draw(figures / name)
    log(f"basins and bifurcations (wgan-gp, dragan, gan): {time.perf_counter() - t0:.1f} s")


def _take_statements(queue, log) -> dict:
    """Check statements of the lemma suite taken one at a time from ``queue`` (shared with the
    other process of the report, so that whichever is free takes the next): {index: result}.

    ``queue`` is (the statements, as both processes have them after the fork; the next
    index: a shared integer with a lock). Each statement's result is
    the same whichever process checks it (the checks are deterministic), so the document is
    the same bytes however the two processes share them."""
    from ..lemmas.registry import _check_one
    chosen, counter = queue
    out = {}
    t0 = time.perf_counter()
    while True:
        with counter.get_lock():
            i = counter.value
            counter.value = i + 1
        if i >= len(chosen):
            break
        out[i] = _check_one(chosen[i])
    if out:
        log(f"{len(out)} lemma statements checked here: {time.perf_counter() - t0:.1f} s")
    return out


def _figure_child(conn, figures: Path, specs, cross: bool, queue=None) -> None:
    """The figure process: draw, then check lemma statements from ``queue`` while there are
    any left (see :func:`_take_statements`), then send ({index: result}, the results the
    figures drew, which the captions describe) or the exception back through ``conn``.

    It ignores SIGINT (Ctrl-C reaches the whole process group; the parent decides and ends
    it), dies on SIGTERM, and exits when its parent is gone (e.g. killed with SIGKILL).
    """
    import signal
    import threading
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)
    threading.Thread(target=watch, daemon=True).start()
    try:
        _all_figures(figures, specs, cross)
        from .dynamics_plots import computed_results
        drawn = computed_results()   # the captions describe them: sent, not computed again
        checked = {} if queue is None else _take_statements(
            queue, lambda line: print(line, file=sys.stderr, flush=True))
        conn.send((checked, drawn))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
        import pickle
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        conn.send(exc)
    finally:
        conn.close()


def _end(proc) -> None:
    """End a child process now: SIGTERM, then SIGKILL after 1 s."""
    if proc.is_alive():
        proc.terminate()
        proc.join(1.0)
    if proc.is_alive():
        proc.kill()
        proc.join(1.0)


def _generate(root: Path, only, log) -> None:
    """Write everything under root. Two processes share the work: a second one draws the
    figures (independent of the documents) while this one derives the analyses, Markdown and
    the scheme sections; then both check the lemma suite's statements, each taking the next
    unchecked one when it is free (the results are put back in the suite's order), and this
    one writes the LaTeX document. Whatever stops this process (an error, SIGINT, SIGTERM)
    ends the figure process too."""
    import multiprocessing

    from ..analysis.analyze import shared_analyses
    derivations, figures = root / "derivations", root / "figures"
    derivations.mkdir(parents=True)
    figures.mkdir(parents=True)
    specs = [i if isinstance(i, MethodSpec) else get_spec(i) for i in only] if only \
        else methods()
    context = multiprocessing.get_context("fork")
    with shared_analyses():   # both processes (forked inside the block) keep their analyses
        _generate_shared(derivations, figures, specs, only, context, log)


def _generate_shared(derivations, figures, specs, only, context, log) -> None:
    """:func:`_generate` inside its :func:`~stabgan.analysis.analyze.shared_analyses` block."""
    from .export import index_markdown, latex_document
    from ..lemmas.registry import statements
    queue = None if only else (statements(), context.Value("i", 0))
    receive, send = context.Pipe(duplex=False)
    drawing = context.Process(target=_figure_child,
                              args=(send, figures, specs, not only, queue), daemon=True)
    drawing.start()
    send.close()
    try:
        results = [_method_text(spec, derivations, log) for spec in specs]
        if not only:
            t0 = time.perf_counter()
            from .export import scheme_results
            schemes = scheme_results()
            log(f"schemes with memory and periods: {time.perf_counter() - t0:.1f} s")
            checked = _take_statements(queue, log)
        try:
            outcome = receive.recv()
        except EOFError:
            drawing.join(1.0)
            outcome = RuntimeError(f"the figure process ended without a result (exit code "
                                   f"{drawing.exitcode})")
        drawing.join()
        if isinstance(outcome, BaseException):
            raise outcome
        if not only:
            from .dynamics_plots import adopt_results
            checked.update(outcome[0])
            adopt_results(outcome[1])
            verification = [checked[i] for i in range(len(queue[0]))]
            from ..model.references import bibtex
            figures_of = {r["spec"].id: _figure_names(r["spec"], r["continuous"].nonsmooth is None)
                          for r in results}
            (derivations / "stabgan.tex").write_text(
                latex_document(results, verification, schemes, figures_of), encoding="utf-8")
            (derivations / "stabgan.bib").write_text(bibtex(), encoding="utf-8")
            (derivations / "README.md").write_text(index_markdown(results, verification),
                                                   encoding="utf-8")
    finally:
        receive.close()
        _end(drawing)


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


#: The pdflatex and bibtex passes: LaTeX, BibTeX, then LaTeX twice for the references. The
#: first two LaTeX passes only write .aux (``-draftmode``: no PDF, the figures are not read),
#: so the PNGs are embedded once.
PDF_PASSES = ("pdflatex-draft", "bibtex", "pdflatex-draft", "pdflatex")


def build_pdf(derivations: Path, log=None) -> str | None:
    """Build derivations/stabgan.pdf from stabgan.tex and stabgan.bib (pdflatex, bibtex,
    pdflatex, pdflatex) in a temporary directory, then rename it into place (never half
    copied). Reproducible: the document sets ``\\pdfinfoomitdate``, an empty
    ``\\pdftrailerid`` and ``\\pdfsuppressptexinfo``, and the passes run with
    SOURCE_DATE_EPOCH = 0, so two builds are byte-identical wherever they run. Returns the
    text of the last pass's .log (overfull boxes, warnings), or None without pdflatex."""
    log = log or (lambda line: None)
    exe, bib = shutil.which("pdflatex"), shutil.which("bibtex")
    if exe is None or bib is None:
        log("pdflatex or bibtex not found: the PDF was not built (apt-get install "
            "texlive-latex-base texlive-latex-recommended)")
        return None
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1",
           "BIBINPUTS": str(derivations.resolve()) + os.pathsep}
    with tempfile.TemporaryDirectory() as tmp:
        for step in PDF_PASSES:
            latex_pass = step.startswith("pdflatex")
            cmd = ([exe, "-interaction=nonstopmode", "-halt-on-error"]
                   + (["-draftmode"] if step.endswith("draft") else [])
                   + [f"-output-directory={tmp}", "stabgan.tex"] if latex_pass else
                   [bib, "stabgan"])
            proc = subprocess.run(cmd, cwd=derivations if latex_pass else tmp,
                                  capture_output=True, text=True, timeout=600, env=env)
            if proc.returncode != 0 and not (step == "bibtex" and proc.returncode == 1):
                tail = "\n".join(proc.stdout.splitlines()[-15:])
                raise RuntimeError(f"{step} failed on derivations/stabgan.tex:\n{tail}")
        part = derivations / ".stabgan.pdf.part"
        shutil.copyfile(Path(tmp) / "stabgan.pdf", part)
        os.replace(part, derivations / "stabgan.pdf")
        text = (Path(tmp) / "stabgan.log").read_text(encoding="latin-1")
    log("derivations/stabgan.pdf built with pdflatex and bibtex")
    return text


def _build_pdf(derivations: Path, log) -> None:
    build_pdf(derivations, log)


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
            if not isinstance(i, MethodSpec):
                get_spec(i)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"The '--out' option must be a directory. Got {str(out)!r}, a file.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"The '--out' option must be a directory that can be created. Got "
                         f"{str(out)!r} instead ({exc.strerror}).") from None
    with _locked(out, shared=check, log=log):
        return _report_locked(out, check, only, pdf, log)


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM for a short critical section (they are delivered after it)."""
    import signal
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):
        old = None
    try:
        yield
    finally:
        if old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def _locked(out: Path, shared: bool, log):
    """Hold a lock on the directory ``out`` itself (flock on its descriptor: nothing is left
    behind): exclusive to write, shared to check. A second run waits for the first, so
    the result is always one complete report, never a mixture."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    fd = os.open(out, os.O_RDONLY)
    try:
        kind = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting for another stabgan report writing to {out}")
            fcntl.flock(fd, kind)
        yield
    finally:
        os.close(fd)


def _report_locked(out: Path, check: bool, only, pdf: bool, log) -> int:
    if not check:  # left by a run that was killed (SIGKILL): nobody else holds the lock
        for old in out.glob(".stabgan-report-*"):
            shutil.rmtree(old, ignore_errors=True)
    t0 = time.perf_counter()
    try:
        tmp = Path(tempfile.mkdtemp(prefix=".stabgan-report-", dir=None if check else out))
    except OSError as exc:
        raise InputError(f"The '--out' option must be a writable directory. Got {str(out)!r} "
                         f"instead ({exc.strerror}).") from None
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
        with _signals_held():  # all files renamed, or none: never a mixture
            for n in names:
                (out / n).parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp / n, out / n)
        log(f"wrote {len(names)} files to {out}/derivations and {out}/figures in "
            f"{time.perf_counter() - t0:.1f} s")
    finally:
        with _signals_held():
            shutil.rmtree(tmp, ignore_errors=True)
    if pdf and not only:
        _build_pdf(out / "derivations", log)
    return 0
