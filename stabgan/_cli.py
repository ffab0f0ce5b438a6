"""The command line: a thin ``main(argv) -> int`` over the Python API.

Every subcommand takes ``--json`` (one JSON document on stdout and nothing else).
Bad input: one line on stderr naming the parameter, the value and what is
allowed; exit status 2; nothing on stdout. Any other failure (a file that cannot be
written, a full or non-UTF-8 stdout, an internal error) is one line too, exit status 1
(``--debug`` prints the traceback); SIGINT exits 130 and SIGTERM 143, each with one line.
Every ``--json`` document parses with a strict parser: a non-finite number becomes
``null`` and its JSON Pointer is listed under ``non_finite`` (see :func:`_json_text`).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import sys
from collections.abc import Sequence

from ._errors import InputError
from ._options import int_option as _int_option
from ._options import MEMORY_OPTIONS as _MEMORY_OPTIONS, OPTIMIZER_OPTIONS as _OPTIMIZER, OPTIONS

__all__ = ["main"]


#: At most this many non-finite entries are listed under ``non_finite`` (the count is complete).
_NON_FINITE_LISTED = 100


class _Terminated(BaseException):
    """SIGTERM or SIGHUP (its number is the argument), raised in the main thread like
    KeyboardInterrupt is for SIGINT."""


class _ClosedPipe(Exception):
    """stdout's reader went away (``stabgan ... | head``): stop quietly, as Unix tools do."""


class _StreamError(Exception):
    """stdout cannot take the output (full disk, closed pipe, an encoding without a character)."""


def _sanitize(value, pointer: str, found: list):
    """``value`` with every non-finite float replaced by None; their JSON Pointers in found."""
    if isinstance(value, dict):
        return {k: _sanitize(v, f"{pointer}/{str(k).replace('~', '~0').replace('/', '~1')}",
                             found) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_sanitize(v, f"{pointer}/{i}", found) for i, v in enumerate(value)]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # NumPy scalar/array
        return _sanitize(value.tolist(), pointer, found)
    if isinstance(value, float) and not math.isfinite(value):
        found.append((pointer, "nan" if value != value else "inf" if value > 0 else "-inf"))
        return None
    return value


def _json_text(doc) -> str:
    """The one JSON dump of the command line: strict JSON (no NaN/Infinity), sorted keys.

    A non-finite number becomes ``null``; an object document gains ``non_finite``:
    ``{"count": N, "values": {JSON Pointer: "nan" | "inf" | "-inf"}}`` (the first
    100 pointers), so a reader can tell a number that overflowed from a missing one.
    In a list document each object entry gets its own ``non_finite``.
    """
    def clean(obj):
        found: list = []
        out = _sanitize(obj, "", found)
        if found and isinstance(out, dict):
            out["non_finite"] = {"count": len(found),
                                 "values": dict(found[:_NON_FINITE_LISTED])}
        return out
    doc = [clean(d) for d in doc] if isinstance(doc, list) else clean(doc)
    return json.dumps(doc, sort_keys=True, allow_nan=False)


def _print(text: str = "") -> None:
    """Write one line to stdout, or raise _StreamError naming the stream and the reason."""
    stream = sys.stdout
    if stream is None:
        raise _StreamError("cannot write to stdout: it is closed.")
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding, errors=getattr(stream, "errors", None) or "strict")
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start]
        raise _StreamError(f"cannot write to stdout: its encoding {encoding!r} has no character "
                           f"U+{ord(bad):04X}; set PYTHONIOENCODING=utf-8 (or a UTF-8 locale), "
                           f"or use --json.") from None
    except LookupError:
        pass
    try:
        print(text, file=stream)
    except BrokenPipeError:
        raise _ClosedPipe() from None
    except OSError as exc:
        raise _StreamError(f"cannot write to stdout: {exc.strerror or exc}.") from None


#: Options whose value may start with '-' (an expression, a number, a path).
def _value_options(parser: argparse.ArgumentParser) -> tuple[set, set]:
    """(options that take one value, every option string) over the parser and subparsers."""
    takes, every = set(), set()
    stack = [parser]
    while stack:
        p = stack.pop()
        for action in p._actions:
            every.update(action.option_strings)
            if action.option_strings and action.nargs is None:
                takes.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())
    return takes, every


def _join_negative_values(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """``--f -log(1+exp(-t))`` -> ``--f=-log(1+exp(-t))``: argparse would take a value that
    starts with '-' for an option. Joined only when the value is not itself an option."""
    takes, every = _value_options(parser)
    out, i = [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            out.extend(argv[i:])
            break
        if a in takes and i + 1 < len(argv):
            v = argv[i + 1]
            if (v.startswith("-") and len(v) > 1 and not v.startswith("--")
                    and v.split("=", 1)[0] not in every):
                out.append(f"{a}={v}")
                i += 2
                continue
        out.append(a)
        i += 1
    return out


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str):  # noqa: D102 - argparse hook
        raise InputError(f"{self.prog.removeprefix('stabgan').strip() or 'usage'}: {message}")


def _parse_params(items: list[str] | None) -> dict:
    params: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"The -p option takes NAME=VALUE. Got {item!r} instead"
                             + (f": parameter {name!r} has no value." if name else "."))
        if not value.strip():
            raise InputError(f"The '{name}' parameter has no value: use -p {name}=VALUE.")
        if name in params:
            raise InputError(f"The '{name}' parameter is given twice.")
        params[name] = value.strip()
    return params


def _build_parser() -> _Parser:
    parser = _Parser(prog="stabgan", description="Closed-form convergence analysis of GAN "
                     "training on the Dirac-GAN.")
    parser.add_argument("--debug", action="store_true",
                        help="print the traceback of an unexpected error (any position)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("methods", help="list the catalogue of training methods")
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("analyze", help="closed-form stability analysis of one method")
    _method_options(p)
    p.add_argument("--scheme", default="continuous",
                   help="continuous, simgd, altgd, extragradient, ogda or lookahead")
    _step_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--latex", action="store_true",
                   help="print only a paste-ready LaTeX block (amsmath align*): field, "
                   "Jacobian (the update operator's for a discrete scheme), eigenvalues, "
                   "verdict condition, h_max, spectral radius and h_opt where they apply")
    p.add_argument("--latex-part", metavar="PART",
                   help="print one part of the LaTeX block: field, jacobian, eigenvalues, "
                   "condition, critical, h_max, spectral_radius or h_opt")

    p = sub.add_parser("simulate", help="run a discrete scheme (or the ODE) from one start")
    _method_options(p)
    p.add_argument("--scheme", required=True, help="simgd, altgd, extragradient, ogda, lookahead, "
                   "adam, rmsprop or ode (time span steps x h)")
    _step_options(p)
    p.add_argument("--steps", required=True, help="number of steps (rounds for altgd)")
    p.add_argument("--theta0", required=True, help="starting theta")
    p.add_argument("--psi0", required=True, help="starting psi")
    _executor_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("report", help="write derivations/ and figures/ (the main job)")
    p.add_argument("--out", default=".", help="directory for derivations/ and figures/")
    p.add_argument("--check", action="store_true",
                   help="only say whether what is on disk is up to date (exit 1 if stale)")
    p.add_argument("--only", nargs="*", metavar="METHOD", default=None,
                   help="only these methods' Markdown and figures (none: only the method of "
                        "--method-file)")
    p.add_argument("--method-file", dest="method_file", default=None, metavar="F.toml",
                   help="also (with --only: only) a method of your own, from a TOML file "
                        "(see analyze --method-file)")
    p.add_argument("--penalty", action="append", metavar="ID[:NAME=VALUE,...]",
                   help="add a penalty to each method of --only and --method-file (as on "
                        "analyze); repeatable")
    p.add_argument("--adjustment", action="append", metavar="ID[:NAME=VALUE,...]",
                   help="transform the field of each method of --only and --method-file (as "
                        "on analyze); repeatable, after the penalties")
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("map", help="spectral radius of a discrete scheme on a 2-D grid")
    _method_options(p)
    p.add_argument("--scheme", default="simgd",
                   help="simgd, altgd, extragradient, ogda or lookahead")
    p.add_argument("--n-g", dest="n_g", default="1", help="altgd: generator steps per round")
    p.add_argument("--n-d", dest="n_d", default="1", help="altgd: discriminator steps per round")
    p.add_argument("--order", default="generator-first",
                   help="altgd: generator-first or discriminator-first")
    p.add_argument("--h", default=None, help="a fixed step size (when h is not an axis)")
    _memory_options(p)
    p.add_argument("--x", required=True, metavar="NAME=LO:HI:N", help="first axis")
    p.add_argument("--y", required=True, metavar="NAME=LO:HI:N", help="second axis")
    p.add_argument("--out", default=None, help="write a PNG of the map")
    _executor_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("basins", help="which attractor each start of a grid reaches")
    _method_options(p)
    p.add_argument("--scheme", default="simgd", help="simgd, altgd, extragradient or ode")
    _basin_options(p)
    p.add_argument("--theta", required=True, metavar="LO:HI:N", help="the grid's theta axis")
    p.add_argument("--psi", required=True, metavar="LO:HI:N", help="the grid's psi axis")
    p.add_argument("--out", default=None, help="write a PNG of the basin map")
    _executor_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("bifurcation", help="attractors continued over a parameter")
    _method_options(p, long_param=False)
    p.add_argument("--scheme", default="ode", help="ode (default), simgd, altgd or extragradient")
    _basin_options(p)
    p.add_argument("--param", dest="vary", required=True, metavar="NAME=LO:HI:N",
                   help="the parameter varied: a method parameter, or h (discrete schemes)")
    p.add_argument("--theta", default=None, metavar="LO:HI:N",
                   help="the starts' theta axis (default: 4 on [-2.5, 2.5] for the flow, 12 "
                        "on [-3, 3] for a discrete scheme)")
    p.add_argument("--psi", default=None, metavar="LO:HI:N", help="the starts' psi axis")
    p.add_argument("--xtol", default=None, help="bracket width of each bifurcation point "
                                                "(default: 1e-3 of the range)")
    p.add_argument("--out", default=None, help="write a PNG of the diagram")
    _executor_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("verify", help="check the published statements (lemma suite)")
    p.add_argument("ids", nargs="*", help="statement ids (default: all)")
    p.add_argument("--list", action="store_true", help="list the statements, check nothing")
    _executor_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("explore", help="interactive explorer in the browser (needs the "
                       "explore extra: pip install 'stabgan[explore]')",
                       description="Serve the interactive explorer on 127.0.0.1 (every method, "
                                   "scheme and option, until Ctrl-C), or with --static write "
                                   "one method's explorer as a self-contained HTML page.")
    p.add_argument("--port", default=None, help="the server's loopback port (default 5006)")
    p.add_argument("--no-browser", action="store_true",
                   help="the server: do not open a browser")
    p.add_argument("--method-file", dest="method_file", default=None, metavar="F.toml",
                   help="also offer a method of your own (see analyze --method-file); with "
                        "--static: the page's method")
    p.add_argument("--static", default=None, metavar="OUT.html",
                   help="write one method's explorer as a self-contained page (no server, no "
                        "network; the closed forms evaluated in the page) and exit")
    p.add_argument("--method", dest="method_flag", default=None, metavar="ID",
                   help="with --static: the catalogue method (or give it as METHOD)")
    _method_options(p, method_file=False)
    p.add_argument("--scheme", default="simgd",
                   help="with --static: the scheme shown first (continuous, simgd, altgd or "
                        "extragradient)")
    for name in ("h", "n_g", "n_d", "order"):
        p.add_argument(OPTIONS[name].flag, dest=name, default=None, help="with --static: "
                       + OPTIONS[name].help + (" (the first value of its slider)"
                                               if name == "h" else ""))
    p.add_argument("--steps", default="200", help="with --static: the number of steps shown "
                                                  "first (default 200)")
    p.add_argument("--json", action="store_true", help="with --static: print one JSON document")
    return parser


def _executor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", default=None, metavar="N",
                   help="run the work's fixed-size chunks on N worker processes (a process "
                        "pool; the result is the same bytes as with one)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the chunks on the Dask cluster whose scheduler is at ADDRESS "
                        "(e.g. tcp://10.0.0.5:8786; needs pip install 'stabgan[dask]')")


#: Most worker processes that --workers starts.
MAX_WORKERS = 256


class _Executor:
    """``--workers N`` (a process pool) or ``--scheduler ADDRESS`` (a Dask client's executor),
    opened before any work and any file, closed after the command; None without either."""

    def __init__(self, args):
        self.workers = getattr(args, "workers", None)
        self.address = getattr(args, "scheduler", None)
        self.pool = self.client = None
        if self.workers is not None and self.address is not None:
            raise InputError("Give either --workers or --scheduler, not both.")
        if self.workers is not None:
            text = str(self.workers).strip()
            if not (text.isdigit() and len(text) <= 4) or not 1 <= int(text) <= MAX_WORKERS:
                from ._options import _describe
                raise InputError(f"The '--workers' option must be an integer in [1, "
                                 f"{MAX_WORKERS}]. Got {_describe(self.workers)} instead.")
            self.workers = int(text)
        if self.address is not None and not self.address.strip():
            raise InputError("The '--scheduler' option must be the address of a Dask scheduler "
                             "(e.g. tcp://127.0.0.1:8786). Got '' instead.")

    def __enter__(self):
        if self.workers is not None and self.workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor
            # spawn: the command line runs a heartbeat thread, and fork after threads is unsafe
            # Ctrl-C reaches the whole process group; only this command should answer it (one
            # line), not every worker with a traceback. A spawned worker inherits an ignored
            # SIGINT from its very start (before it imports anything), so the workers are
            # started now, with SIGINT ignored here for that moment.
            try:
                previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            except ValueError:  # not the main thread: leave signals alone
                previous = None
            try:
                self.pool = ProcessPoolExecutor(self.workers,
                                                mp_context=multiprocessing.get_context("spawn"))
                for _ in range(self.workers):   # one new process per submit while none is idle
                    self.pool.submit(int)
            finally:
                if previous is not None:
                    signal.signal(signal.SIGINT, previous)
            return self.pool
        if self.address is not None:
            try:
                import distributed
            except ImportError:
                raise InputError("The '--scheduler' option needs Dask's distributed package: "
                                 "pip install 'stabgan[dask]'.") from None
            import logging
            quiet = logging.getLogger("distributed")
            level = quiet.level
            quiet.setLevel(logging.CRITICAL)   # the one line below says it all
            try:
                self.client = distributed.Client(self.address)
            except Exception as exc:  # noqa: BLE001 - any failure to connect is one line
                raise InputError(f"Cannot reach the Dask scheduler at {self.address!r}: "
                                 f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
            finally:
                quiet.setLevel(level)
            return self.client.get_executor()
        return None

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.client is not None:
            self.client.close()


def _axis(text: str, flag: str):
    import numpy as np
    name, sep, spec = text.partition("=")
    parts = spec.split(":")
    if not sep or len(parts) != 3 or not name.strip():
        raise InputError(f"The '{flag}' option takes NAME=LO:HI:N (e.g. h=0.01:4:500). "
                         f"Got {text!r} instead.")
    lo = _number(parts[0], flag.lstrip("-"))
    hi = _number(parts[1], flag.lstrip("-"))
    count = parts[2].strip()
    if not (count.isdigit() and len(count) <= 5) or not 2 <= int(count) <= 4000:
        from ._options import _describe
        raise InputError(f"The N of the '{flag}' option must be an integer in [2, 4000]. "
                         f"Got {_describe(parts[2])} instead.")
    if not hi > lo:
        raise InputError(f"The '{flag}' option needs HI > LO. Got {text!r} instead.")
    return name.strip(), np.linspace(lo, hi, int(parts[2]))


#: Figure formats of ``map --out`` (by extension) and the metadata that would vary per run.
_NO_METADATA = {"png": {"Software": None}, "svg": {"Creator": None, "Date": None},
                "pdf": {"Creator": None, "Producer": None, "CreationDate": None}}


def _open_figure_target(out: str, command: str = "map") -> tuple[str, str]:
    """Check ``map --out`` before any work and create the temporary file next to it.

    Returns (temporary path, format); the format follows the extension (png, pdf, svg).
    Raises InputError naming the path and the reason when it cannot be written.
    """
    import tempfile

    if not out.strip():
        raise InputError(f"The '--out' option of {command} "
                         f"must name a file. Got '' instead.")
    if os.path.isdir(out):
        raise InputError(f"The '--out' option of {command} "
                         f"must name a file. Got {out!r} instead "
                         f"(a directory).")
    ext = os.path.splitext(out)[1].lower().lstrip(".")
    if ext not in _NO_METADATA:
        raise InputError(f"The '--out' option of {command} "
                         f"must name a .png, .pdf or .svg file (the "
                         f"format follows the extension). Got {out!r} instead.")
    directory = os.path.dirname(os.path.abspath(out))
    if not os.path.exists(directory):
        raise InputError(f"The '--out' option of {command} "
                         f"must name a file in an existing directory. "
                         f"Got {out!r} instead (no directory {directory!r}).")
    if not os.path.isdir(directory):
        raise InputError(f"The '--out' option of {command} "
                         f"must name a file in an existing directory. "
                         f"Got {out!r} instead ({directory!r} is not a directory).")
    try:
        handle, tmp = tempfile.mkstemp(suffix="." + ext, prefix=f".stabgan-{command}-",
                                       dir=directory)
    except OSError as exc:
        raise InputError(f"The '--out' option of {command} "
                         f"must name a file in a writable directory. "
                         f"Got {out!r} instead ({exc.strerror}).") from None
    os.close(handle)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; the figure is an ordinary file
    return tmp, ext


def _map(args) -> int:
    import numpy as np

    import stabgan
    m = _build_method(args)
    (xn, xs), (yn, ys) = _axis(args.x, "--x"), _axis(args.y, "--y")
    if xn == yn:
        raise InputError(f"The --x and --y axes must differ. Got {xn!r} twice.")
    from .analysis.maps import SCHEME_AXES
    axes = SCHEME_AXES + tuple(p.name for p in m.spec.parameters)
    for name in (xn, yn):
        if name not in axes:  # the API's message (n_g, n_d, order, ... are no axes)
            raise InputError(f"Unknown axis {name!r} for method '{m.id}': the axes are "
                             f"{', '.join(axes)}.")
    given = _parse_params(args.param)
    for name in (xn, yn):
        if name in given:
            raise InputError(f"The parameter {name!r} is both fixed with -p and an axis.")
    if any(name in m.values for name in (xn, yn)):  # bound by --defaults: the axis wins
        import stabgan as _api
        m = _api.method(m.spec, f=m.f if m.spec.takes_f else None, generator=m.generator,
                        **{k: v for k, v in m.values.items() if k not in (xn, yn)})
    n = {k: int(v) if str(v).isdigit() else v for k, v in (("n_g", args.n_g), ("n_d", args.n_d))}
    n = {k: OPTIONS[k].validate(v) for k, v in n.items()}
    fixed = {k: getattr(args, k) for k in ("h",) + _MEMORY_OPTIONS
             if getattr(args, k) is not None and k != "base"}
    for name in (xn, yn):
        if name in fixed:
            raise InputError(f"The option {name!r} is both fixed with --{name.replace('_', '-')} "
                             f"and an axis.")
    fixed = {k: (_number(v, k.replace("_", "-")) if k not in ("lookahead_steps", "lazy_every")
                 else v) for k, v in fixed.items()}
    with _Executor(args) as executor:   # connected before any file is made
        target = _open_figure_target(args.out) if args.out is not None else None
        try:
            s = stabgan.stability_map(m, args.scheme, **n, order=args.order, base=args.base,
                                      executor=executor, **fixed, **{xn: xs, yn: ys})
            if target:
                _plot_map(s, m, args, n, xn, xs, yn, ys, target)
        finally:
            if target and os.path.exists(target[0]):
                os.remove(target[0])
    doc = {"method": m.id, "scheme": args.scheme, **n, "options": fixed,
           "x": {"name": xn, "values": xs.tolist()},
           "y": {"name": yn, "values": ys.tolist()},
           "spectral_radius": s.spectral_radius.tolist(),
           "locally_convergent": s.locally_convergent.tolist(),
           "stable_fraction": float(np.mean(s.locally_convergent))}
    if args.json:
        _print(_json_text(doc))
    else:
        _print(f"{m.id} {args.scheme}: {xs.size} x {ys.size} grid over {xn} and {yn}; locally "
              f"convergent on {100 * doc['stable_fraction']:.1f}% of it"
              + (f"; map written to {args.out}" if args.out else ""))
    return 0


def _plot_map(s, m, args, n, xn, xs, yn, ys, target) -> None:
    """Draw the map into the temporary file ``target`` and rename it to ``args.out``."""
    import numpy as np

    from ._mathtext import assign_tex, symbol_tex
    from .report.plots import FIGURE_RC, _label, _plt
    plt = _plt()
    with plt.rc_context(FIGURE_RC):
        fig, ax = plt.subplots()
        im = ax.pcolormesh(xs, ys, np.minimum(s.spectral_radius.T, 1.5), shading="auto",
                           vmin=0, vmax=1.5)
        ax.contour(xs, ys, s.spectral_radius.T, levels=[1.0], colors="w", linewidths=1)
        ax.set(xlabel=f"${symbol_tex(xn)}$", ylabel=f"${symbol_tex(yn)}$",
               title=f"{_label(m)}: {args.scheme} ({assign_tex('n_g', n['n_g'])}, "
                     f"{assign_tex('n_d', n['n_d'])}), spectral radius per step; white: 1")
        fig.colorbar(im, ax=ax, label="spectral radius (clipped at 1.5)")
        tmp, fmt = target
        try:
            fig.savefig(tmp, format=fmt, dpi=100, metadata=_NO_METADATA[fmt])
        finally:
            plt.close(fig)
    try:
        os.replace(tmp, args.out)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, args.out) from None


def _basin_options(p: argparse.ArgumentParser) -> None:
    """The options basins and bifurcation share: steps, tail, tol, the memoryless schemes'
    step options."""
    for name in ("h", "h_g", "h_d", "n_g", "n_d", "order"):
        option = OPTIONS[name]
        p.add_argument(option.flag, dest=name, default=None, help=option.help)
    p.add_argument("--steps", default="4000", help="updates before the recorded tail "
                                                   "(discrete schemes; default 4000)")
    p.add_argument("--tail", default="2048", help="recorded updates that are classified "
                                                  "(default 2048)")
    p.add_argument("--tol", default="1e-3", help="classification tolerance, max-norm "
                                                 "(default 1e-3)")


#: The command line's limits on a basin grid (the API takes any size within memory): N per
#: axis, and starts followed by the ODE oracle (each takes 0.05 to 2 s: 2500 starts are
#: at most about an hour and a half).
MAX_GRID_AXIS = 4000
MAX_CLI_ODE_STARTS = 2500


def _range(text: str, flag: str):
    """LO:HI:N as a NumPy grid (N in [1, MAX_GRID_AXIS]; N = 1 is the single value LO)."""
    import numpy as np
    parts = (text or "").split(":")
    if len(parts) != 3:
        raise InputError(f"The '{flag}' option takes LO:HI:N (e.g. -3:3:200). Got {text!r} "
                         f"instead.")
    lo = _number(parts[0], flag.lstrip("-"))
    hi = _number(parts[1], flag.lstrip("-"))
    count = parts[2].strip()
    if not (count.isdigit() and len(count) <= 5) or not 1 <= int(count) <= MAX_GRID_AXIS:
        from ._options import _describe
        raise InputError(f"The N of the '{flag}' option must be an integer in [1, "
                         f"{MAX_GRID_AXIS}]. Got {_describe(parts[2])} instead.")
    if int(count) > 1 and not hi > lo:
        raise InputError(f"The '{flag}' option needs HI > LO. Got {text!r} instead.")
    return np.linspace(lo, hi, int(count))


def _basin_run_options(args) -> dict:
    """steps, tail, tol and the step options of basins and bifurcation, checked."""
    from ._options import _describe
    out = {}
    for name in ("steps", "tail"):
        text = str(getattr(args, name)).strip()
        if not (text.isdigit() and len(text) <= 12) or int(text) > MAX_CLI_STEPS:
            raise InputError(f"The '--{name}' option must be an integer in [0, "
                             f"{MAX_CLI_STEPS}]. Got {_describe(getattr(args, name))} instead.")
        out[name] = int(text)
    out["tol"] = _number(args.tol, "tol")
    options = {k: _number(getattr(args, k), k.replace("_", "-")) for k in ("h", "h_g", "h_d")
               if getattr(args, k) is not None}
    for k in ("n_g", "n_d"):
        if getattr(args, k) is not None:
            options[k] = OPTIONS[k].validate(int(getattr(args, k)) if str(getattr(args, k))
                                             .isdigit() else getattr(args, k))
    if args.order is not None:
        options["order"] = args.order
    return out, options


def _progress_line(command: str):
    """A callback that prints ``command: done of total`` with the time left on stderr (the
    API calls it at most about once a second)."""
    import time
    start = time.monotonic()

    def progress(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - start, 1e-9)
        left = (total - done) / rate if rate > 0 else float("inf")
        print(f"{command}: {done:,} of {total:,} ({100 * done / max(total, 1):.1f}%), about "
              f"{left:,.0f} s left", file=sys.stderr, flush=True)
    return progress


def _write_figure(fig, out: str, target) -> None:
    """Save ``fig`` to the temporary file of :func:`_open_figure_target` and rename it into
    place (nothing half-written is ever at ``out``)."""
    from .dynamics._plotting import plt_agg
    tmp, fmt = target
    try:
        fig.savefig(tmp, format=fmt, dpi=100, metadata=_NO_METADATA[fmt])
    finally:
        plt_agg().close(fig)
    try:
        os.replace(tmp, out)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, out) from None


def _check_ode_starts(starts: int, values: int) -> None:
    """Refuse up front an ODE run the command line would follow for hours."""
    if starts * values > MAX_CLI_ODE_STARTS:
        raise InputError(f"--scheme ode follows each start with the ODE oracle (0.05 to 2 s "
                         f"each): {starts:,} starts x {values:,} values is more than the "
                         f"command line's limit of {MAX_CLI_ODE_STARTS:,}; use a coarser grid, "
                         f"a discrete scheme with a small --h, or stabgan.basins in Python.")


def _basins(args) -> int:
    import stabgan
    m = _build_method(args)
    theta, psi = _range(args.theta, "--theta"), _range(args.psi, "--psi")
    run, options = _basin_run_options(args)
    if args.scheme == "ode":
        given = sorted(options)
        if given:
            raise InputError(f"The option --{given[0].replace('_', '-')} belongs to the "
                             f"discrete schemes; --scheme ode follows the flow.")
        _check_ode_starts(theta.size * psi.size, 1)
    with _Executor(args) as executor:   # connected before any file is made
        target = _open_figure_target(args.out, "basins") if args.out is not None else None
        try:
            b = stabgan.basins(m, args.scheme, theta=theta, psi=psi,
                               progress=_progress_line("basins"), executor=executor, **run,
                               **options)
            if target:
                _write_figure(b.plot(), args.out, target)
        finally:
            if target and os.path.exists(target[0]):
                os.remove(target[0])
    if args.json:
        _print(_json_text(b.to_dict()))
        return 0
    _print(f"{m.id} {args.scheme}: {theta.size} x {psi.size} starts"
           + ("" if args.scheme == "ode" else f", {b.steps} steps + a tail of {b.tail}")
           + f", tol {b.tol:g}")
    used = _parameters_used(m)
    if used:
        _print(f"parameters: {used}")
    for i, (a, c) in enumerate(zip(b.attractors, b.counts)):
        what = (f"limit cycle, crossing psi = 0 upwards at theta = {a.theta_crossing:.6g}, "
                f"period {a.period:.6g}" if a.kind == "limit_cycle" and a.period is not None
                else a.kind + ("" if a.theta is None else f" ({a.theta:.6g}, {a.psi:.3g})"))
        _print(f"  [{i}] {what}: {c} starts ({100 * c / b.labels.size:.1f}%)")
    from .dynamics.basins import LABELS
    for label, text in sorted(LABELS.items(), reverse=True):
        c = int((b.labels == label).sum())
        if c:
            _print(f"  [{label}] {text.split(':')[0]}: {c} starts "
                   f"({100 * c / b.labels.size:.1f}%)")
    if args.out:
        _print(f"basin map written to {args.out}")
    return 0


def _bifurcation(args) -> int:
    import stabgan
    m = _build_method(args)
    name, values = _axis(args.vary, "--param")
    if name in _parse_params(args.param):
        raise InputError(f"The parameter {name!r} is both fixed with -p and varied with --param.")
    if name in m.values:   # bound by --defaults: the varied value wins
        m = stabgan.method(m.spec, f=m.f if m.spec.takes_f else None, generator=m.generator,
                           **{k: v for k, v in m.values.items() if k != name})
    run, options = _basin_run_options(args)
    if args.scheme == "ode":
        given = sorted(options)
        if given:
            raise InputError(f"The option --{given[0].replace('_', '-')} belongs to the "
                             f"discrete schemes; --scheme ode follows the flow.")
        run = {"tol": run["tol"]}
    grid = {k: _range(getattr(args, k), "--" + k) for k in ("theta", "psi")
            if getattr(args, k) is not None}
    if args.scheme == "ode":
        starts = 1
        for k in ("theta", "psi"):
            starts *= grid[k].size if k in grid else 4
        _check_ode_starts(starts, values.size)
    xtol = None if args.xtol is None else _number(args.xtol, "xtol")
    with _Executor(args) as executor:   # connected before any file is made
        target = (_open_figure_target(args.out, "bifurcation") if args.out is not None
                  else None)
        try:
            d = stabgan.bifurcation(m, name, values, scheme=args.scheme, xtol=xtol,
                                    progress=_progress_line("bifurcation"), executor=executor,
                                    **grid, **run, **options)
            if target:
                _write_figure(d.plot(), args.out, target)
        finally:
            if target and os.path.exists(target[0]):
                os.remove(target[0])
    if args.json:
        _print(_json_text(d.to_dict()))
        return 0
    _print(f"{m.id} {args.scheme} over {name} in [{values[0]:g}, {values[-1]:g}] "
           f"({values.size} values)")
    previous = None
    for v, sig in zip(d.values, d.signatures):
        if sig != previous:
            _print(f"  from {name} = {v:.6g}: {', '.join(sig) or 'nothing settled'}")
            previous = sig
    for p in d.points:
        _print(f"  bifurcation at {name} = {p['value']:.6g} +- {p['tol']:.2g}: "
               f"{', '.join(p['left']) or 'nothing'} -> {', '.join(p['right']) or 'nothing'}")
    for p in d.predicted:
        found = (f"; found {p['found']:.6g}, difference {p['difference']:.3g}, allowance "
                 f"{p['allowance']:.3g}: {'agrees' if p['agrees'] else 'DISAGREES'}"
                 if "found" in p else "")
        _print(f"  derived: {name} = {p['sympy']} = {p['value']:.6g} ({p['what']}){found}")
    if args.out:
        _print(f"diagram written to {args.out}")
    return 0


def _verify(args) -> int:
    from .lemmas.registry import statements, verify
    if args.list:
        chosen = statements()
        if args.ids:
            known = {s.id for s in chosen}
            bad = [i for i in args.ids if i not in known]
            if bad:
                raise InputError(f"Unknown statement id {bad[0]!r}: see stabgan verify --list.")
            chosen = [s for s in chosen if s.id in args.ids]
        if args.json:
            _print(_json_text([s.to_dict() for s in chosen]))
        else:
            width = max(len(s.id) for s in chosen)
            for s in chosen:
                _print(f"{s.id:{width}}  {s.source}")
        return 0
    with _Executor(args) as executor:
        results = verify(args.ids or None, executor=executor)
    failed = sum(not r.passed for r in results)
    if args.json:
        _print(_json_text([r.to_dict() for r in results]))
    else:
        width = max(len(r.id) for r in results)
        for r in results:
            mark = "PASS" if r.passed else "FAIL"
            _print(f"{mark}  {r.id:{width}}  {r.seconds:6.2f} s  {r.source}")
            if not r.passed:
                for kind in ("symbolic", "numeric"):
                    if not getattr(r, kind)["passed"]:
                        _print(f"      {kind} failed: {getattr(r, kind)['detail']}")
        total = sum(r.seconds for r in results)
        _print(f"{len(results) - failed} passed, {failed} failed ({total:.1f} s)")
    return 1 if failed else 0


def _number(text: str, name: str) -> float:
    from ._options import check_finite_number
    return float(check_finite_number(text, f"The '--{name}' option", "a finite number"))


#: The command line's limits on one simulated trajectory (the API takes any size).
MAX_CLI_STEPS = 10**7
MAX_ODE_TIME = 1e5


def _simulate(args, m) -> dict:
    import numpy as np

    import stabgan
    options = _scheme_options(args)
    steps = options.pop("steps", None)
    theta0 = _number(args.theta0, "theta0")
    psi0 = _number(args.psi0, "psi0")
    text = args.steps.strip()
    if not (text.isdigit() and len(text) <= 12) or int(text) > MAX_CLI_STEPS:
        from ._options import _describe
        raise InputError(f"The '--steps' option must be an integer in [0, {MAX_CLI_STEPS}] (the "
                         f"command line's limit for one trajectory, about a minute; "
                         f"stabgan.simulate in Python takes more, with a progress callback). "
                         f"Got {_describe(args.steps)} instead.")
    steps = int(text)
    h = {k: (None if v is None else _number(v, k.replace("_", "-"))) for k, v in options.items()
         if k in ("h", "h_g", "h_d")}
    for k, v in h.items():
        if v is not None and v <= 0:
            raise InputError(f"The '--{k.replace('_', '-')}' option must be a number in (0, inf). "
                             f"Got {getattr(args, k)!r} instead.")
    n = {k: int(options[k]) if str(options[k]).isdigit() else options[k]
         for k in ("n_g", "n_d") if k in options}
    if args.scheme == "ode":
        if args.workers is not None or args.scheduler is not None:
            raise InputError("The options --workers and --scheduler run the discrete schemes' "
                             "chunks; --scheme ode integrates one trajectory here.")
        if h.get("h") is None:
            raise InputError("The '--h' option is required with --scheme ode (the time span is "
                             "steps x h).")
        if n or options.get("order"):
            raise InputError("The options --n-g, --n-d and --order belong to --scheme altgd.")
        extra = [k for k in _MEMORY_OPTIONS + _OPTIMIZER if k in options]
        if extra:
            raise InputError(f"The option --{extra[0].replace('_', '-')} belongs to the discrete "
                             f"schemes; --scheme ode integrates the flow.")
        if steps * h["h"] > MAX_ODE_TIME:
            raise InputError(f"With --scheme ode the time span steps x h must be at most "
                             f"{MAX_ODE_TIME:g} (the command line's limit, tens of seconds of "
                             f"integration; stabgan.integrate in Python takes longer spans). "
                             f"Got {steps} x {args.h} = {steps * h['h']:g} instead.")
        o = stabgan.integrate(m, t_span=(0.0, max(steps * h["h"], 1e-300)), theta0=theta0,
                              psi0=psi0, t_eval=np.array([max(steps * h["h"], 1e-300)]))
        theta, psi = float(o.theta[-1]), float(o.psi[-1])
        distance = float(np.hypot(theta, psi))
        diverged = not np.isfinite(distance) or distance > 1e8
        converged = not diverged and distance <= 1e-6
        status = "diverged" if diverged else "converged" if converged else "bounded"
        return {"method": m.id, "scheme": "ode", "steps": steps, "t_end": steps * h["h"],
                "theta": theta, "psi": psi, "distance": distance, "converged": converged,
                "diverged": diverged, "status": status, "solver_status": str(o.status[()]),
                "message": str(o.message[()])}
    from ._options import SIMULATE_SCHEMES
    if args.scheme not in SIMULATE_SCHEMES:
        raise InputError(f"The '--scheme' option of simulate must be one of "
                         f"{', '.join(SIMULATE_SCHEMES)}, ode. Got {args.scheme!r} instead.")
    import time
    start = time.monotonic()

    def progress(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - start, 1e-9)
        print(f"simulate: {done:,} of {total:,} steps ({100 * done / total:.1f}%), about "
              f"{(total - done) / rate:,.0f} s left", file=sys.stderr, flush=True)

    with _Executor(args) as executor:
        r = stabgan.simulate(m, scheme=args.scheme, steps=steps, theta0=theta0, psi0=psi0,
                             progress=progress, executor=executor,
                             **{k: v for k, v in h.items() if v is not None}, **n,
                             **({"order": options["order"]} if "order" in options else {}),
                             **{k: options[k] for k in _MEMORY_OPTIONS + _OPTIMIZER
                                if k in options})
    return r.to_dict()


def _method_options(p: argparse.ArgumentParser, long_param: bool = True,
                    method_file: bool = True) -> None:
    """METHOD, -p NAME=VALUE, --f and --generator: how every subcommand names a method
    (``bifurcation`` keeps ``--param`` for the parameter it varies: there -p has no long
    form; ``explore`` has its own --method-file, whose help says what it does there)."""
    p.add_argument("method", nargs="?", default=None,
                   help="a catalogue id (stabgan methods), or leave it out and give --method-file")
    if method_file:
        p.add_argument("--method-file", dest="method_file", default=None, metavar="F.toml",
                       help="a method of your own: custom_method's arguments as TOML keys (id, "
                            "loss_d, loss_g, d_penalty, g_penalty, parameters, f, summary, "
                            "citation, penalties)")
    p.add_argument(*(("-p", "--param") if long_param else ("-p",)), dest="param",
                   action="append", metavar="NAME=VALUE",
                   help="a method parameter, an exact decimal (gamma=0.3 means 3/10)")
    p.add_argument("--f", dest="f", default=None,
                   help="logistic (default), general, or an expression in t")
    p.add_argument("--generator", default="minimax", help="minimax or non-saturating")
    p.add_argument("--defaults", action="store_true",
                   help="bind every parameter not given with -p to its catalogue default "
                        "(otherwise it stays a symbol in closed-form results)")
    p.add_argument("--penalty", action="append", metavar="ID[:NAME=VALUE,...]",
                   help="add a penalty of the catalogue (r1, r2, gp, dragan, nk, weight-decay) "
                        "with its parameters; repeatable. A parameter whose name the method "
                        "already has is renamed NAME_ID (gamma_r2); -p sets it by that name")
    p.add_argument("--adjustment", action="append", metavar="ID[:NAME=VALUE,...]",
                   help="transform the field: consensus (gamma), sga (lam) or unrolled (steps, "
                        "h); repeatable, applied after the penalties in the order given")


def _parameters_used(m) -> str:
    """The parameter values a numeric command used, defaults said as such."""
    return ", ".join(f"{p.name} = {m.numeric_params[p.name]}"
                     + ("" if p.name in m.values else " (default)") for p in m.spec.parameters)


#: At most this many --penalty and --adjustment terms on one command line.
MAX_TERMS = 8


def _parse_term(text: str, kind: str = "penalty"):
    """``ID`` or ``ID:NAME=VALUE[,NAME=VALUE...]`` as a Penalty (or an Adjustment)."""
    from .model.custom import parse_term
    return parse_term(text, kind)


def _report_methods(args):
    """What ``report --only`` names: catalogue ids, plus the --method-file method, each with
    the --penalty and --adjustment terms added (then as composed specs, written under their
    composed ids, e.g. gan+lecam.md); None for the whole catalogue."""
    import stabgan
    terms = [_parse_term(t) for t in (args.penalty or [])]
    terms += [_parse_term(t, "adjustment") for t in (args.adjustment or [])]
    if len(terms) > MAX_TERMS:
        raise InputError(f"At most {MAX_TERMS} penalties and adjustments in all (each adds a "
                         f"term to the field). Got {len(terms)} instead.")
    if args.only == [] and not args.method_file:
        raise InputError("The '--only' option of report takes METHOD ids, or none with "
                         "--method-file (then only that method). Got neither.")
    bases: list = list(args.only or [])
    extra = []
    if args.method_file:
        from .model.custom import load_method_file
        spec, texts = load_method_file(args.method_file)
        bases.append(spec)
        extra = [_parse_term(t) for t in texts]
    if not bases:
        if terms:
            raise InputError("The '--penalty' and '--adjustment' options of report act on the "
                             "methods of --only or --method-file; give one of them.")
        return None
    out = []
    for base in bases:
        if not terms and not (extra and not isinstance(base, str)):
            out.append(base)
            continue
        m = stabgan.method(base)
        for term in (extra if not isinstance(base, str) else []) + terms:
            m = m + term
        out.append(m.spec)
    return out


def _build_method(args):
    """The Method the command line names: the catalogue method, plus each --penalty, with the
    -p values (by the composed method's parameter names) and, with --defaults, the defaults."""
    import stabgan
    params = _parse_params(args.param)
    base = args.method
    penalties = []
    if getattr(args, "method_file", None):
        from .model.custom import load_method_file
        if args.method:
            raise InputError(f"Give a METHOD or --method-file, not both. Got {args.method!r} and "
                             f"--method-file {args.method_file!r}.")
        base, texts = load_method_file(args.method_file)
        penalties = [_parse_term(t) for t in texts]
    elif not args.method:
        raise InputError("A METHOD (see stabgan methods) or --method-file F.toml is required.")
    penalties += [_parse_term(t) for t in (getattr(args, "penalty", None) or [])]
    penalties += [_parse_term(t, "adjustment")
                  for t in (getattr(args, "adjustment", None) or [])]
    if len(penalties) > MAX_TERMS:
        raise InputError(f"At most {MAX_TERMS} penalties and adjustments in all (each adds a "
                         f"term to the field). Got {len(penalties)} instead.")
    if not penalties and isinstance(base, str):
        if getattr(args, "defaults", False):
            from .model.catalogue import get_spec
            spec = get_spec(base)
            params = {**{p.name: p.default for p in spec.parameters}, **params}
        return stabgan.method(base, f=args.f, generator=args.generator, **params)
    m = stabgan.method(base, f=args.f, generator=args.generator)
    for pen in penalties:
        m = m + pen
    values = dict(m.values)
    if getattr(args, "defaults", False):
        values = {**{p.name: p.default for p in m.spec.parameters}, **values}
    return stabgan.method(m.spec, f=m.f if m.spec.takes_f else None, generator=m.generator,
                          **{**values, **params})


def _symbolic_note(m, args, options: dict) -> str | None:
    """The line that says which parameters stayed symbols in a text result, and how to set
    them (on the command line a parameter left out stays a symbol, section 4)."""
    names = [p.name for p in m.spec.parameters if p.name not in m.values]
    how = []
    if names:
        flags = " ".join(f"-p {n}=VALUE" for n in names)
        how.append(f"{', '.join(names)} with {flags} or --defaults")
    if args.scheme != "continuous" and all(options.get(k) is None for k in ("h", "h_g", "h_d")):
        names.append("h")
        how.append("h with --h H")
    if not names:
        return None
    return f"symbolic: {', '.join(names)} (set {'; '.join(how)})"


def _step_options(p: argparse.ArgumentParser) -> None:
    """The step sizes, AltGD's rounds, the memory options and the optimizer options (the
    weight average, Adam's and RMSprop's constants: no map axes), from the option table."""
    for name in ("h", "h_g", "h_d", "n_g", "n_d", "order"):
        option = OPTIONS[name]
        p.add_argument(option.flag, dest=name, default=None, help=option.help)
    _memory_options(p)
    for name in _OPTIMIZER:
        option = OPTIONS[name]
        p.add_argument(option.flag, dest=name, default=None, help=option.help)


def _memory_options(p: argparse.ArgumentParser) -> None:
    """The options of the schemes with memory or a period, from the option table."""
    for name in _MEMORY_OPTIONS:
        option = OPTIONS[name]
        p.add_argument(option.flag, dest=name, default=None, help=option.help)


def _scheme_options(args) -> dict:
    """The step options given on the command line (None where left out)."""
    out = {k: getattr(args, k) for k in ("h", "h_g", "h_d")}
    for k in ("n_g", "n_d") + _MEMORY_OPTIONS + _OPTIMIZER:
        if getattr(args, k, None) is not None:
            out[k] = getattr(args, k)
    if args.order is not None:
        out["order"] = args.order
    return out


def _run(args) -> int:
    import stabgan

    if args.command == "explore":
        if args.static is not None:
            server_only = [flag for flag, value in (("--port", args.port is not None),
                                                    ("--no-browser", args.no_browser)) if value]
            if server_only:
                raise InputError(f"The option {server_only[0]} of explore belongs to the "
                                 f"server; --static writes a page and serves nothing.")
            return _explore_static(args)
        given = [flag for flag, value in (
            ("METHOD", args.method), ("--method", args.method_flag),
            ("-p", args.param), ("--f", args.f),
            ("--penalty", args.penalty), ("--adjustment", args.adjustment),
            ("--defaults", args.defaults), ("--json", args.json), ("--h", args.h),
            ("--n-g", args.n_g), ("--n-d", args.n_d), ("--order", args.order),
            ("--scheme", args.scheme != "simgd"), ("--steps", args.steps != "200"),
            ("--generator", args.generator != "minimax")) if value]
        if given:
            raise InputError(f"The option {given[0]} of explore belongs to --static OUT.html "
                             f"(the server explores every method from its page).")
        from .explore import serve
        return serve(_int_option("5006" if args.port is None else args.port, "port", 1, 65535),
                     not args.no_browser,
                     method_file=args.method_file)
    if args.command == "methods":
        specs = stabgan.methods()
        if args.json:
            _print(_json_text([s.to_dict() for s in specs]))
        else:
            from ._text import methods_text
            _print(methods_text(specs))
        return 0
    if args.command == "analyze":
        latex_out = args.latex or args.latex_part is not None
        if latex_out and args.json:
            given = "--latex" if args.latex else "--latex-part"
            raise InputError(f"{given} and --json cannot be combined: {given} prints LaTeX, "
                             f"--json one JSON document (whose fields hold the LaTeX too).")
        if args.latex_part is not None:  # refused before the analysis, which can be long
            from .analysis.latex_block import check_part
            check_part(args.latex_part, "The --latex-part option")
        m = _build_method(args)
        options = _scheme_options(args)
        if args.scheme == "continuous":
            given = sorted(k for k, v in options.items() if v is not None)
            if given:
                flags = ", ".join("--" + g.replace("_", "-") for g in given)
                raise InputError(f"The step options ({flags}) apply to the discrete schemes; "
                                 f"the continuous analysis (the default scheme) takes none.")
            options = {}
        else:
            _warn_long_period(args.scheme, options)
        a = stabgan.analyze(m, scheme=args.scheme, **options)
        if latex_out:
            _print(a.to_latex(args.latex_part).rstrip("\n"))
        elif args.json:
            _print(_json_text(a.to_dict()))
        else:
            note = _symbolic_note(m, args, options)
            _print(str(a) + (f"\n{note}" if note else ""))
        return 0
    if args.command == "verify":
        return _verify(args)
    if args.command == "map":
        return _map(args)
    if args.command == "basins":
        return _basins(args)
    if args.command == "bifurcation":
        return _bifurcation(args)
    if args.command == "report":
        from .report.build import report
        status = report(args.out, check=args.check, only=_report_methods(args))
        if args.json:
            _print(_json_text({"out": args.out, "check": args.check, "up_to_date":
                              status == 0 if args.check else None, "status": status}))
        return status
    if args.command == "simulate":
        m = _build_method(args)
        doc = _simulate(args, m)
        if args.json:
            _print(_json_text(doc))
        else:
            _print(f"{doc['method']} {doc['scheme']}, {doc['steps']} steps: status {doc['status']}")
            used = _parameters_used(m)
            if used:
                _print(f"parameters: {used}")
            _print(f"final (theta, psi) = ({doc['theta']:.12g}, {doc['psi']:.12g}), distance to "
                  f"(0, 0) {doc['distance']:.6g}")
            if "theta_ema" in doc:
                _print(f"weight average (ema {doc['ema']:g}): ({doc['theta_ema']:.12g}, "
                       f"{doc['psi_ema']:.12g}), distance to (0, 0) {doc['distance_ema']:.6g}")
        return 0
    raise InputError(f"unknown command {args.command!r}")


def _explore_static(args) -> int:
    """``explore --static OUT.html``: the method as ``analyze`` builds it, on one page."""
    if args.method_flag is not None:
        if args.method is not None and args.method != args.method_flag:
            raise InputError(f"Give the method once: METHOD {args.method!r} and --method "
                             f"{args.method_flag!r} differ.")
        args.method = args.method_flag
    m = _build_method(args)
    from .explore import write_static_page
    from .explore._target import MAX_STEPS
    options = {"scheme": args.scheme, "steps": _int_option(args.steps, "steps", 1, MAX_STEPS)}
    if args.h is not None:
        options["h"] = _number(args.h, "h")
        if options["h"] <= 0:
            raise InputError(f"The '--h' option must be a number in (0, inf). Got {args.h!r} "
                             f"instead.")
    for k in ("n_g", "n_d"):
        if getattr(args, k) is not None:
            value = getattr(args, k)
            options[k] = OPTIONS[k].validate(int(value) if str(value).isdigit() else value)
    if args.order is not None:
        options["order"] = args.order
    path = write_static_page(m, args.static, **options)
    if args.json:
        _print(_json_text({"method": m.id, "out": path, "bytes": os.path.getsize(path)}))
    else:
        _print(f"static explorer page of {m!r} written to {path}")
    return 0


def _one_line(text: str, limit: int = 1000) -> str:
    """The message on one line, cut to ``limit`` characters (an echoed input can be huge)."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[:limit - 40] + f" ... ({len(line)} characters)"


def _silence_stdout() -> None:
    """After stdout failed, send what is still buffered to /dev/null so that the interpreter's
    final flush does not print a second error (only for the process's real stdout)."""
    if sys.stdout is not sys.__stdout__ or sys.stdout is None:
        return
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError):
        pass


def _on_sigterm(signum, frame):  # noqa: ARG001 - signal handler
    raise _Terminated(signum)


def _describe_error(exc: BaseException) -> str:
    """One line for an unexpected error: what failed, on which path, and why."""
    if isinstance(exc, MemoryError):
        return "out of memory (the request is larger than this machine can hold)."
    if isinstance(exc, OSError):
        path = f" {exc.filename!r}" if exc.filename else ""
        return f"cannot use{path}: {exc.strerror or exc}."
    return f"{type(exc).__name__}: {exc}"


#: From this many factors on, an update operator with h symbolic takes tens of seconds or more.
_LONG_PERIOD = 16


def _warn_long_period(scheme: str, options: dict) -> None:
    """Say up front when a symbolic analysis will be long: a period (AltGD rounds, lookahead,
    lazy) of many steps with the step size left a symbol."""
    from .schemes.scheme import make_scheme
    if any(options.get(k) is not None for k in ("h", "h_g", "h_d")):
        return
    try:
        rule = make_scheme(scheme, **{k: v for k, v in options.items() if v is not None})
    except InputError:
        return  # analyze says what is wrong
    factors = rule.period * len(rule.substeps)
    if factors >= _LONG_PERIOD:
        print(f"stabgan analyze: the update operator is a product of {factors} steps with h "
              f"symbolic, which can take minutes (lookahead over 50 steps took about a minute "
              f"on 2 cores); give --h for a numeric step, which is faster",
              file=sys.stderr, flush=True)


def _exit_now(status: int) -> None:
    """End the program with ``status`` now, its streams flushed. After a handled
    KeyboardInterrupt CPython sometimes still ends the process by resetting SIGINT to its
    default and sending it to itself (seen under strace in about one run of eight of an
    interrupted report), so the status was -2 instead of 130. Everything that must be cleaned
    up has been by then (child processes ended, the temporary directory removed)."""
    import os
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


def _ignore_further_signals() -> None:
    """Once the command has stopped for a signal, a second SIGINT or SIGTERM (a process group
    signalled twice, an impatient Ctrl-C) must not kill it half-way through its last line
    and its exit status."""
    import signal
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        try:
            signal.signal(sig, signal.SIG_IGN)
        except ValueError:  # not the main thread
            pass


class _Heartbeat:
    """A line on stderr every :attr:`every` seconds while a command runs, so that no input
    keeps the command line silent for minutes (a symbolic period of 50 steps, a map of
    millions of points). The commands' own progress lines (simulate, report) come on top."""

    every = 20.0

    def __init__(self, command: str, hint: str = ""):
        import threading
        self.command, self.hint = command, hint
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        import time
        start = time.monotonic()
        while not self.stop.wait(self.every):
            print(f"stabgan {self.command}: still working, {time.monotonic() - start:.0f} s so "
                  f"far{self.hint}", file=sys.stderr, flush=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name. ``--debug`` anywhere (before ``--``) prints
        the traceback of an unexpected error.

    Returns
    -------
    int
        0 on success, 2 for bad input (one line on stderr), 1 for a failure (one line),
        130 after SIGINT and 143 after SIGTERM (one line).
    """
    as_program = argv is None
    if hasattr(sys, "set_int_max_str_digits") and as_program:
        # exact results (h = 1e-400 under 13 AltGD sub-steps has 5000-digit integers) are
        # printed in full; the inputs are bounded by the parser (800 characters, exponent 400)
        sys.set_int_max_str_digits(0)
    argv = list(sys.argv[1:] if argv is None else argv)
    end = argv.index("--") if "--" in argv else len(argv)
    debug = "--debug" in argv[:end]
    argv = [a for a in argv[:end] if a != "--debug"] + argv[end:]
    previous = {}
    try:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            previous[sig] = signal.signal(sig, _on_sigterm)
    except ValueError:  # not the main thread: leave signals alone
        pass
    try:
        parser = _build_parser()
        if not argv:
            parser.print_help(sys.stderr)
            return 2
        args = parser.parse_args(_join_negative_values(argv, parser))
        symbolic_h = (args.command == "analyze" and getattr(args, "scheme", "") != "continuous"
                      and all(getattr(args, k, None) is None for k in ("h", "h_g", "h_d")))
        # the explorer serves until interrupted: the server's own lines say it is running
        beat = contextlib.nullcontext() if args.command == "explore" else _Heartbeat(
            args.command, " (symbolic work grows with the period and the number of steps; a "
            "numeric --h is faster)" if symbolic_h else "")
        with beat:
            status = _run(args)
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            raise _ClosedPipe() from None
        except OSError as exc:
            raise _StreamError(f"cannot write to stdout: {exc.strerror or exc}.") from None
        return status
    except InputError as exc:
        print(f"stabgan: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except NotImplementedError as exc:
        print(f"stabgan: not available yet: {_one_line(exc)}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        try:
            sys.stdout.flush()
        except (OSError, AttributeError) as flush_error:
            _silence_stdout()
            print(f"stabgan: error: cannot write to stdout: "
                  f"{getattr(flush_error, 'strerror', None) or flush_error}.", file=sys.stderr)
            return 1
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    except _StreamError as exc:
        _silence_stdout()
        print(f"stabgan: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except _ClosedPipe:
        _silence_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a tool stopped by a closed pipe
    except KeyboardInterrupt:
        _ignore_further_signals()
        print("stabgan: interrupted (SIGINT): stopped, nothing half-written left behind",
              file=sys.stderr)
        if as_program:
            _exit_now(130)
        return 130
    except _Terminated as exc:
        _ignore_further_signals()
        signum = exc.args[0] if exc.args else signal.SIGTERM
        name = signal.Signals(signum).name
        print(f"stabgan: terminated ({name}): stopped, nothing half-written left behind",
              file=sys.stderr)
        if as_program:
            _exit_now(128 + signum)
        return 128 + signum
    except Exception as exc:  # noqa: BLE001 - the one place that turns a failure into a line
        if debug:
            import traceback
            traceback.print_exc()
        hint = "" if debug else " (run with --debug for the traceback)"
        print(f"stabgan: error: {_one_line(_describe_error(exc))}{hint}", file=sys.stderr)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
