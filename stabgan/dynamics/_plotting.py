"""Drawing basin maps and bifurcation diagrams (matplotlib, Agg backend, imported only here)."""
from __future__ import annotations

import numpy as np

_RC = {"figure.figsize": (6.4, 4.8), "figure.dpi": 100, "savefig.dpi": 100,
       "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 9,
       "legend.fontsize": "small",
       "path.simplify": False, "svg.hashsalt": "stabgan"}
_PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3",
            "#8c8c8c", "#ccb974", "#64b5cd")
#: colours of the negative labels: -3 no attractor, -2 undecided, -1 diverged
_NEGATIVE = {-3: "#ffffff", -2: "#d9d9d9", -1: "#222222"}
#: scheme ids as the figures name them
_SCHEME_NAMES = {"simgd": "SimGD", "altgd": "AltGD", "extragradient": "extragradient",
                 "ode": "flow (ODE)"}


def plt_agg():
    """pyplot on the Agg backend."""
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    return plt


def _title(m, leave_out: str | None = None) -> str:
    from .._mathtext import assign_tex
    values = {k: v for k, v in m.numeric_params.items() if k != leave_out}
    params = ", ".join(assign_tex(k, float(v)) for k, v in sorted(values.items()))
    return m.id + (f" ({params})" if params else "")


def _options(options: dict) -> str:
    """A scheme's options in mathtext: ``$h = 0.05$``."""
    from .._mathtext import assign_tex
    return ", ".join(assign_tex(k, v) if isinstance(v, (int, float)) else f"{k} {v}"
                     for k, v in sorted(options.items()))


def _describe(a) -> str:
    if a.kind == "limit_cycle":
        per = "" if a.period is None else f", period {a.period:.3g}"
        cross = "" if a.theta_crossing is None else f" crossing {a.theta_crossing:.3g}"
        return f"limit cycle{cross}{per}"
    if a.kind == "equilibrium":
        return "Nash equilibrium"
    return f"point ({a.theta:.3g}, {a.psi:.2g})"


def basin_map(result, ax=None, field: bool = True):
    """The labels as coloured cells, the attractors on top, streamlines of the field."""
    plt = plt_agg()
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch
    # on the caller's axes the caller's settings (font sizes) hold
    with plt.rc_context(_RC if ax is None else {}):
        if ax is None:
            fig, ax = plt.subplots()
        else:
            fig = ax.figure
        n = len(result.attractors)
        colours = [_NEGATIVE[-3], _NEGATIVE[-2], _NEGATIVE[-1]] + [
            _PALETTE[i % len(_PALETTE)] for i in range(n)]
        th, ps = result.theta, result.psi
        ax.pcolormesh(th, ps, (result.labels + 3).T, cmap=ListedColormap(colours), vmin=-0.5,
                      vmax=len(colours) - 0.5, shading="nearest")
        if field and th.size > 1 and ps.size > 1:
            g_t = np.linspace(th.min(), th.max(), 25)
            g_p = np.linspace(ps.min(), ps.max(), 25)
            T, P = np.meshgrid(g_t, g_p)
            with np.errstate(all="ignore"):
                vt, vp = result.method.field(T, P)
            vt, vp = np.broadcast_to(vt, T.shape), np.broadcast_to(vp, T.shape)
            if np.all(np.isfinite(vt)) and np.all(np.isfinite(vp)):
                ax.streamplot(T, P, vt, vp, color="0.35", density=0.7, linewidth=0.5,
                              arrowsize=0.6)
        handles = []
        for i, a in enumerate(result.attractors):
            colour = _PALETTE[i % len(_PALETTE)]
            if a.kind == "limit_cycle" and i in result.orbits:
                x, y = result.orbits[i]
                ax.plot(x, y, color="k", lw=1.6)
                ax.plot(x, y, color=colour, lw=0.8)
            elif a.theta is not None:
                ax.plot([a.theta], [a.psi], marker="o", color=colour, mec="k", ms=7)
            handles.append(Patch(facecolor=colour, edgecolor="k",
                                 label=f"{_describe(a)}: {100 * result.fraction(i):.0f}%"))
        for lab, name in ((-1, "diverged"), (-2, "undecided"), (-3, "no attractor (centre)")):
            frac = result.fraction(lab)
            if frac > 0:
                handles.append(Patch(facecolor=_NEGATIVE[lab], edgecolor="k",
                                     label=f"{name}: {100 * frac:.0f}%"))
        opts = _options(result.options)
        how = "flow (ODE)" if result.scheme == "ode" else (
            f"{_SCHEME_NAMES.get(result.scheme, result.scheme)}" + (f" {opts}" if opts else "")
            + f", {result.steps} steps")
        ax.set(xlim=(th.min(), th.max()), ylim=(ps.min(), ps.max()), xlabel=r"$\theta_0$",
               ylabel=r"$\psi_0$", title=f"basins: {_title(result.method)}, {how}")
        ax.legend(handles=handles, loc="lower right", framealpha=0.85)
        fig.tight_layout()
    return fig


def bifurcation_diagram(result, ax=None):
    """Attractor positions (points: theta) and cycle amplitudes (the crossing) against the
    parameter, the bifurcation points found as vertical lines, the predicted ones dashed."""
    from .._mathtext import expr_tex, symbol_tex
    plt = plt_agg()
    par = f"${symbol_tex(result.parameter)}$"
    # on the caller's axes the caller's settings (font sizes) hold
    with plt.rc_context(_RC if ax is None else {}):
        if ax is None:
            fig, ax = plt.subplots()
        else:
            fig = ax.figure
        styles = {"equilibrium": ("tab:green", "s", "Nash equilibrium"),
                  "point": ("tab:red", "o", r"non-Nash point ($\theta$)"),
                  "limit_cycle": ("tab:blue", "^", r"limit cycle ($\theta$ where it crosses $\psi = 0$ upwards)")}
        seen = set()
        for value, atts in zip(result.values, result.attractors):
            for a in atts:
                colour, marker, label = styles.get(a.kind, ("k", "x", a.kind))
                y = a.theta_crossing if a.kind == "limit_cycle" else a.theta
                if y is None:
                    continue
                ax.plot([value], [y], marker=marker, color=colour, ms=4, ls="none",
                        label=None if a.kind in seen else label)
                seen.add(a.kind)
        for b in result.points:
            ax.axvline(b["value"], color="k", lw=0.8,
                       label=f"found: {par[:-1]} = {b['value']:.4g} \\pm {b['tol']:.1g}$")
        for p in result.predicted:
            if p.get("value") is not None:
                ax.axvline(p["value"], color="tab:orange", lw=1.2, ls="--",
                           label=f"derived: {par[:-1]} = {expr_tex(p['sympy'])[1:-1]} "
                                 f"= {p['value']:.4g}$")
        numeric = {k: v for k, v in result.options.items() if isinstance(v, (int, float))}
        ax.set(xlabel=par, ylabel=r"$\theta$ of the attractor",
               title=f"bifurcation: {_title(result.method, result.parameter)} over "
                     f"{par}, {_SCHEME_NAMES.get(result.scheme, result.scheme)}"
                     + ("" if not numeric else " " + _options(numeric)))
        ax.legend(loc="best")
        fig.tight_layout()
    return fig
