"""The command line: a thin ``main(argv) -> int`` over the Python API.

Every subcommand takes ``--json`` (one JSON document on stdout and nothing else).
Bad input: one line on stderr naming the parameter, the value and what is
allowed; exit status 2; nothing on stdout.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from ._errors import InputError
from ._options import MEMORY_OPTIONS as _MEMORY_OPTIONS, OPTIONS

__all__ = ["main"]


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
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("methods", help="list the catalogue of training methods")
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("analyze", help="closed-form stability analysis of one method")
    _method_options(p)
    p.add_argument("--scheme", default="continuous",
                   help="continuous, simgd, altgd, extragradient, ogda or lookahead")
    _step_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("simulate", help="run a discrete scheme (or the ODE) from one start")
    _method_options(p)
    p.add_argument("--scheme", required=True, help="simgd, altgd, extragradient, ogda, lookahead "
                   "or ode (time span steps x h)")
    _step_options(p)
    p.add_argument("--steps", required=True, help="number of steps (rounds for altgd)")
    p.add_argument("--theta0", required=True, help="starting theta")
    p.add_argument("--psi0", required=True, help="starting psi")
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("report", help="write derivations/ and figures/ (the main job)")
    p.add_argument("--out", default=".", help="directory for derivations/ and figures/")
    p.add_argument("--check", action="store_true",
                   help="only say whether what is on disk is up to date (exit 1 if stale)")
    p.add_argument("--only", nargs="+", metavar="METHOD", default=None,
                   help="only these methods' Markdown and figures")
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
    p.add_argument("--json", action="store_true", help="print one JSON document")

    p = sub.add_parser("verify", help="check the published statements (lemma suite)")
    p.add_argument("ids", nargs="*", help="statement ids (default: all)")
    p.add_argument("--list", action="store_true", help="list the statements, check nothing")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    return parser


def _axis(text: str, flag: str):
    import numpy as np
    name, sep, spec = text.partition("=")
    parts = spec.split(":")
    if not sep or len(parts) != 3 or not name.strip():
        raise InputError(f"The '{flag}' option takes NAME=LO:HI:N (e.g. h=0.01:4:500). "
                         f"Got {text!r} instead.")
    lo = _number(parts[0], flag.lstrip("-"))
    hi = _number(parts[1], flag.lstrip("-"))
    if not parts[2].strip().isdigit() or not 2 <= int(parts[2]) <= 4000:
        raise InputError(f"The N of the '{flag}' option must be an integer in [2, 4000]. "
                         f"Got {parts[2]!r} instead.")
    if not hi > lo:
        raise InputError(f"The '{flag}' option needs HI > LO. Got {text!r} instead.")
    return name.strip(), np.linspace(lo, hi, int(parts[2]))


def _map(args) -> int:
    import os
    import tempfile

    import numpy as np

    import stabgan
    m = _build_method(args)
    (xn, xs), (yn, ys) = _axis(args.x, "--x"), _axis(args.y, "--y")
    if xn == yn:
        raise InputError(f"The --x and --y axes must differ. Got {xn!r} twice.")
    for name in (xn, yn):
        if name in m.values:
            raise InputError(f"The parameter {name!r} is both fixed with -p and an axis.")
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
    s = stabgan.stability_map(m, args.scheme, **n, order=args.order, base=args.base,
                              **fixed, **{xn: xs, yn: ys})
    if args.out:
        from .report.plots import FIGURE_RC, _plt, save
        plt = _plt()
        with plt.rc_context(FIGURE_RC):
            fig, ax = plt.subplots()
            im = ax.pcolormesh(xs, ys, np.minimum(s.spectral_radius.T, 1.5), shading="auto",
                               vmin=0, vmax=1.5)
            ax.contour(xs, ys, s.spectral_radius.T, levels=[1.0], colors="w", linewidths=1)
            ax.set(xlabel=xn, ylabel=yn, title=f"{m!r}: {args.scheme} (n_g={n['n_g']}, "
                   f"n_d={n['n_d']}), spectral radius per step; white: 1")
            fig.colorbar(im, ax=ax, label="spectral radius (clipped at 1.5)")
            directory = os.path.dirname(os.path.abspath(args.out))
            handle, tmp = tempfile.mkstemp(suffix=".png", dir=directory)
            os.close(handle)
            try:
                save(fig, tmp)
                os.replace(tmp, args.out)
            finally:
                if os.path.exists(tmp):
                    os.remove(tmp)
    doc = {"method": m.id, "scheme": args.scheme, **n, "options": fixed,
           "x": {"name": xn, "values": xs.tolist()},
           "y": {"name": yn, "values": ys.tolist()},
           "spectral_radius": s.spectral_radius.tolist(),
           "locally_convergent": s.locally_convergent.tolist(),
           "stable_fraction": float(np.mean(s.locally_convergent))}
    if args.json:
        print(json.dumps(doc, sort_keys=True))
    else:
        print(f"{m.id} {args.scheme}: {xs.size} x {ys.size} grid over {xn} and {yn}; locally "
              f"convergent on {100 * doc['stable_fraction']:.1f}% of it"
              + (f"; map written to {args.out}" if args.out else ""))
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
            print(json.dumps([s.to_dict() for s in chosen], sort_keys=True))
        else:
            width = max(len(s.id) for s in chosen)
            for s in chosen:
                print(f"{s.id:{width}}  {s.source}")
        return 0
    results = verify(args.ids or None)
    failed = sum(not r.passed for r in results)
    if args.json:
        print(json.dumps([r.to_dict() for r in results], sort_keys=True))
    else:
        width = max(len(r.id) for r in results)
        for r in results:
            mark = "PASS" if r.passed else "FAIL"
            print(f"{mark}  {r.id:{width}}  {r.seconds:6.2f} s  {r.source}")
            if not r.passed:
                for kind in ("symbolic", "numeric"):
                    if not getattr(r, kind)["passed"]:
                        print(f"      {kind} failed: {getattr(r, kind)['detail']}")
        total = sum(r.seconds for r in results)
        print(f"{len(results) - failed} passed, {failed} failed ({total:.1f} s)")
    return 1 if failed else 0


def _number(text: str, name: str) -> float:
    from ._options import check_finite_number
    return float(check_finite_number(text, f"The '--{name}' option", "a finite number"))


def _simulate(args) -> dict:
    import numpy as np

    import stabgan
    m = _build_method(args)
    options = _scheme_options(args)
    steps = options.pop("steps", None)
    theta0 = _number(args.theta0, "theta0")
    psi0 = _number(args.psi0, "psi0")
    try:
        steps = int(args.steps)
    except ValueError:
        raise InputError(f"The '--steps' option must be an integer in [0, inf). Got "
                         f"{args.steps!r} instead.") from None
    if steps < 0:
        raise InputError(f"The '--steps' option must be an integer in [0, inf). Got "
                         f"{args.steps!r} instead.")
    h = {k: (None if v is None else _number(v, k.replace("_", "-"))) for k, v in options.items()
         if k in ("h", "h_g", "h_d")}
    for k, v in h.items():
        if v is not None and v <= 0:
            raise InputError(f"The '--{k.replace('_', '-')}' option must be a number in (0, inf). "
                             f"Got {getattr(args, k)!r} instead.")
    n = {k: int(options[k]) if str(options[k]).isdigit() else options[k]
         for k in ("n_g", "n_d") if k in options}
    if args.scheme == "ode":
        if h.get("h") is None:
            raise InputError("The '--h' option is required with --scheme ode (the time span is "
                             "steps x h).")
        if n or options.get("order"):
            raise InputError("The options --n-g, --n-d and --order belong to --scheme altgd.")
        extra = [k for k in _MEMORY_OPTIONS if k in options]
        if extra:
            raise InputError(f"The option --{extra[0].replace('_', '-')} belongs to the discrete "
                             f"schemes; --scheme ode integrates the flow.")
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
    from ._options import SCHEMES
    if args.scheme not in SCHEMES:
        raise InputError(f"The '--scheme' option of simulate must be one of "
                         f"{', '.join(SCHEMES)}, ode. Got {args.scheme!r} instead.")
    import time
    start = time.monotonic()

    def progress(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - start, 1e-9)
        print(f"simulate: {done:,} of {total:,} steps ({100 * done / total:.1f}%), about "
              f"{(total - done) / rate:,.0f} s left", file=sys.stderr, flush=True)

    r = stabgan.simulate(m, scheme=args.scheme, steps=steps, theta0=theta0, psi0=psi0,
                         progress=progress,
                         **{k: v for k, v in h.items() if v is not None}, **n,
                         **({"order": options["order"]} if "order" in options else {}),
                         **{k: options[k] for k in _MEMORY_OPTIONS if k in options})
    return r.to_dict()


def _method_options(p: argparse.ArgumentParser) -> None:
    """METHOD, -p NAME=VALUE, --f and --generator: how every subcommand names a method."""
    p.add_argument("method", help="a catalogue id (stabgan methods)")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                   help="a method parameter, an exact decimal (gamma=0.3 means 3/10)")
    p.add_argument("--f", dest="f", default=None,
                   help="logistic (default), general, or an expression in t")
    p.add_argument("--generator", default="minimax", help="minimax or non-saturating")


def _build_method(args):
    """The Method the command line names."""
    import stabgan
    return stabgan.method(args.method, f=args.f, generator=args.generator,
                          **_parse_params(args.param))


def _step_options(p: argparse.ArgumentParser) -> None:
    """The step sizes, AltGD's rounds and the memory options, from the option table."""
    for name in ("h", "h_g", "h_d", "n_g", "n_d", "order"):
        option = OPTIONS[name]
        p.add_argument(option.flag, dest=name, default=None, help=option.help)
    _memory_options(p)


def _memory_options(p: argparse.ArgumentParser) -> None:
    """The options of the schemes with memory or a period, from the option table."""
    for name in _MEMORY_OPTIONS:
        option = OPTIONS[name]
        p.add_argument(option.flag, dest=name, default=None, help=option.help)


def _scheme_options(args) -> dict:
    """The step options given on the command line (None where left out)."""
    out = {k: getattr(args, k) for k in ("h", "h_g", "h_d")}
    for k in ("n_g", "n_d") + _MEMORY_OPTIONS:
        if getattr(args, k, None) is not None:
            out[k] = getattr(args, k)
    if args.order is not None:
        out["order"] = args.order
    return out


def _run(args) -> int:
    import stabgan

    if args.command == "methods":
        specs = stabgan.methods()
        if args.json:
            print(json.dumps([s.to_dict() for s in specs], sort_keys=True))
        else:
            from ._text import methods_text
            print(methods_text(specs))
        return 0
    if args.command == "analyze":
        m = _build_method(args)
        options = _scheme_options(args)
        if args.scheme == "continuous":
            given = sorted(k for k, v in options.items() if v is not None)
            if given:
                flags = ", ".join("--" + g.replace("_", "-") for g in given)
                raise InputError(f"The step options ({flags}) apply to the discrete schemes; "
                                 f"the continuous analysis (the default scheme) takes none.")
            options = {}
        a = stabgan.analyze(m, scheme=args.scheme, **options)
        if args.json:
            print(json.dumps(a.to_dict(), sort_keys=True))
        else:
            print(str(a))
        return 0
    if args.command == "verify":
        return _verify(args)
    if args.command == "map":
        return _map(args)
    if args.command == "report":
        from .report.build import report
        status = report(args.out, check=args.check, only=args.only)
        if args.json:
            print(json.dumps({"out": args.out, "check": args.check, "up_to_date":
                              status == 0 if args.check else None, "status": status},
                             sort_keys=True))
        return status
    if args.command == "simulate":
        doc = _simulate(args)
        if args.json:
            print(json.dumps(doc, sort_keys=True))
        else:
            print(f"{doc['method']} {doc['scheme']}, {doc['steps']} steps: status {doc['status']}")
            print(f"final (theta, psi) = ({doc['theta']:.12g}, {doc['psi']:.12g}), distance to "
                  f"(0, 0) {doc['distance']:.6g}")
        return 0
    raise InputError(f"unknown command {args.command!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name.

    Returns
    -------
    int
        0 on success, 2 for bad input (one line on stderr), 1 for a failure.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _build_parser().parse_args(argv)
        return _run(args)
    except InputError as exc:
        print(f"stabgan: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except NotImplementedError as exc:
        print(f"stabgan: not available yet: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
