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

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str):  # noqa: D102 - argparse hook
        raise InputError(f"{self.prog}: {message}")


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
    p.add_argument("method", help="a catalogue id (stabgan methods)")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                   help="a method parameter, an exact decimal (gamma=0.3 means 3/10)")
    p.add_argument("--f", dest="f", default=None,
                   help="logistic (default), general, or an expression in t")
    p.add_argument("--generator", default="minimax", help="minimax or non-saturating")
    p.add_argument("--scheme", default="continuous", help="continuous, simgd or altgd")
    _step_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON document")
    return parser


def _step_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--h", default=None, help="step size of both players (exact decimal)")
    p.add_argument("--h-g", dest="h_g", default=None, help="the generator's step size")
    p.add_argument("--h-d", dest="h_d", default=None, help="the discriminator's step size")
    p.add_argument("--n-g", dest="n_g", default=None, help="altgd: generator steps per round")
    p.add_argument("--n-d", dest="n_d", default=None, help="altgd: discriminator steps per round")
    p.add_argument("--order", default=None, help="altgd: generator-first or discriminator-first")


def _scheme_options(args) -> dict:
    """The step options given on the command line (None where left out)."""
    out = {k: getattr(args, k) for k in ("h", "h_g", "h_d")}
    for k in ("n_g", "n_d"):
        if getattr(args, k) is not None:
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
        params = _parse_params(args.param)
        m = stabgan.method(args.method, f=args.f, generator=args.generator, **params)
        options = _scheme_options(args)
        if args.scheme == "continuous":
            given = sorted(k for k, v in options.items() if v is not None)
            if given:
                raise InputError(f"The options {', '.join('--' + g.replace('_', '-') for g in given)}"
                                 f" belong to --scheme simgd or altgd, not continuous.")
            options = {}
        a = stabgan.analyze(m, scheme=args.scheme, **options)
        if args.json:
            print(json.dumps(a.to_dict(), sort_keys=True))
        else:
            print(str(a))
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
