"""Convergence figures, drawn reproducibly (Agg backend, fixed size and dpi, fonts shipped
with matplotlib, no metadata that changes between runs)."""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..analysis.analyze import analyze
from .._mathtext import assign_tex, symbol_tex
from ..model.method import Method, method

__all__ = ["FIGURE_RC", "figure_rc", "save", "discrete_runs", "phase_portrait", "distance_plot",
           "eigenvalue_loci", "stability_figure", "nonsmooth_figure"]

#: matplotlib settings every figure is drawn with (independent of the user's matplotlibrc).
FIGURE_RC = {"figure.figsize": (6.4, 4.8), "figure.dpi": 100, "savefig.dpi": 100,
             "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 9,
             "image.cmap": "viridis", "path.simplify": False, "svg.hashsalt": "stabgan",
             "legend.fontsize": "small"}


def figure_rc(width: float = 6.4, height: float = 4.8) -> dict:
    """:data:`FIGURE_RC` for a figure of ``width`` x ``height`` inches whose text stays
    readable at the document's line width (about 6.5 in): the fonts grow with the width
    (9 pt at 8 in and below), legends one step smaller."""
    size = round(max(9.0, 9.0 * width / 8.0), 1)
    return {**FIGURE_RC, "figure.figsize": (width, height), "font.size": size,
            "axes.titlesize": size, "legend.fontsize": "small"}


def _plt():
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    return plt


def save(fig, path) -> None:
    """Write a PNG with no Software/date metadata; close the figure."""
    fig.savefig(path, format="png", dpi=100, metadata={"Software": None})
    _plt().close(fig)


def _label(m: Method) -> str:
    values = m.numeric_params
    params = ", ".join(assign_tex(k, float(v)) for k, v in sorted(values.items()))
    return f"{m.id}" + (f" ({params})" if params else "") + (
        f", $f(t) = {m.f}$" if m.spec.takes_f and m.f == "t" else
        f", f {m.f}" if m.spec.takes_f and m.f != "logistic" else "")


def discrete_runs(m: Method, h: float, steps: int, start) -> dict:
    """The SimGD and AltGD trajectories from ``start`` with every step recorded, by scheme:
    what :func:`phase_portrait` and :func:`distance_plot` draw. Computed once, they serve
    both figures (a run of fewer steps is bit for bit a prefix of a longer one)."""
    from ..oracles.simulate import simulate
    return {scheme: simulate(m, scheme=scheme, h=h, steps=steps, theta0=start[0],
                             psi0=start[1], record_every=1) for scheme in ("simgd", "altgd")}


def _histories(m: Method, h: float, steps: int, start, runs) -> dict:
    """(theta, psi) of steps 0..steps by scheme, from ``runs`` (of :func:`discrete_runs` with
    the same h and start and at least ``steps`` steps) or simulated here."""
    if runs is None:
        runs = discrete_runs(m, h, steps, start)
    out = {}
    for scheme in ("simgd", "altgd"):
        r = runs[scheme]
        if r.steps < steps or r.scheme != scheme:
            raise ValueError(f"runs[{scheme!r}] has {r.steps} {r.scheme} steps; {steps} needed")
        out[scheme] = (r.history_theta[:steps + 1], r.history_psi[:steps + 1])
    return out


def phase_portrait(m: Method, path, h: float = 0.1, steps: int = 300, start=(1.0, 1.0),
                   runs=None) -> None:
    """Streamplot of the field with ODE, SimGD and AltGD trajectories from one start.

    ``runs``: the discrete trajectories from :func:`discrete_runs` (same ``h`` and ``start``,
    at least ``steps`` steps) when the caller already has them."""
    from ..oracles.ode import integrate
    histories = _histories(m, h, steps, start, runs)
    plt = _plt()
    with plt.rc_context(figure_rc(*METHOD_FIGSIZE)):
        fig, ax = plt.subplots()
        g = np.linspace(-2.5, 2.5, 41)
        TH, PS = np.meshgrid(g, g)
        vt, vp = m.field(TH, PS)
        ax.streamplot(TH, PS, vt, vp, color="0.75", density=1.0, linewidth=0.7)
        o = integrate(m, t_span=(0.0, steps * h), theta0=start[0], psi0=start[1],
                      t_eval=np.linspace(0.0, steps * h, 1201))
        ax.plot(o.theta, o.psi, color="k", lw=1.2, label="ODE")
        for scheme, color in (("simgd", "tab:red"), ("altgd", "tab:blue")):
            theta, psi = histories[scheme]
            ax.plot(theta, psi, ".-", ms=2, lw=0.6, color=color,
                    label=f"{scheme.replace('gd', 'GD').replace('sim', 'Sim').replace('alt', 'Alt')}"
                          f" ($h = {h:g}$)")
        ax.plot([0], [0], marker="*", ms=12, color="gold", mec="k", ls="none",
                label="equilibrium (0, 0)")
        ax.set(xlim=(-2.5, 2.5), ylim=(-2.5, 2.5), xlabel=r"$\theta$ (generator)",
               ylabel=r"$\psi$ (discriminator)",
               title=f"{_label(m)}: phase portrait")
        ax.legend(loc="upper right")
        fig.tight_layout()
        save(fig, path)


#: The size of the per-method figures: the document sets a method's phase portrait and
#: distance plot side by side (half the line width each), so they are drawn small.
METHOD_FIGSIZE = (4.4, 3.9)


def distance_plot(m: Method, path, h: float = 0.1, steps: int = 500, start=(1.0, 1.0),
                  runs=None) -> None:
    """Distance to the equilibrium against the step (log scale): SimGD, AltGD and the ODE.

    ``runs``: as in :func:`phase_portrait`."""
    from ..oracles.ode import integrate
    histories = _histories(m, h, steps, start, runs)
    plt = _plt()
    with plt.rc_context(figure_rc(*METHOD_FIGSIZE)):
        fig, ax = plt.subplots()
        k = np.arange(steps + 1)
        for scheme, color in (("simgd", "tab:red"), ("altgd", "tab:blue")):
            d = np.hypot(*histories[scheme])
            ax.semilogy(k, np.maximum(d, 1e-300), color=color, lw=1,
                        label=("SimGD" if scheme == "simgd" else "AltGD") + f" ($h = {h:g}$)")
        o = integrate(m, t_span=(0.0, steps * h), theta0=start[0], psi0=start[1],
                      t_eval=k * h)
        ax.semilogy(k, np.maximum(np.hypot(o.theta, o.psi), 1e-300), "k--", lw=1,
                    label="ODE at $t = k h$")
        ax.set(xlabel="step $k$", ylabel=r"$\|(\theta_k, \psi_k)\|$",
               title=f"{_label(m)}: distance to (0, 0)")
        ax.legend()
        ax.grid(True, which="both", lw=0.3)
        fig.tight_layout()
        save(fig, path)


def eigenvalue_loci(method_id: str, parameter: str, values, path, h: float = 0.5) -> None:
    """Eigenvalues of v'(0,0) (left) and of the SimGD operator I + hJ (right, unit circle)
    as a parameter varies, with the critical value marked."""
    from ..codegen.kernels import lambdify_numpy
    plt = _plt()
    a = analyze(method(method_id))
    symbol = method(method_id).symbols[parameter]
    others = {p.symbol: p.default for p in a.method.spec.parameters if p.name != parameter}
    J = a.jacobian.subs({s: sp.Rational(v.numerator, v.denominator) for s, v in others.items()})
    Jf = lambdify_numpy([symbol], J)
    crit = a.method.subs(a.critical[parameter]) if parameter in a.critical else None
    crit_value = float(crit.subs(others)) if crit is not None else None
    eig = np.array([np.linalg.eigvals(np.array(Jf(v), dtype=float)) for v in values])
    with plt.rc_context(figure_rc(9.6, 4.4)):
        fig, (ax1, ax2) = plt.subplots(1, 2)
        for ax, shift, title in ((ax1, 0.0, "continuous: eigenvalues of $v'(0, 0)$"),
                                 (ax2, 1.0, f"SimGD $h = {h:g}$: eigenvalues of $I + hJ$")):
            z = eig * (h if shift else 1.0) + shift
            sc = None
            for j in range(2):
                sc = ax.scatter(z[:, j].real, z[:, j].imag, c=values, s=8, cmap="viridis")
            if crit_value is not None:
                zc = np.linalg.eigvals(np.array(Jf(crit_value), dtype=float)) * \
                    (h if shift else 1.0) + shift
                ax.plot(zc.real, zc.imag, "r*", ms=12,
                        label=f"critical {assign_tex(parameter, float(f'{crit_value:.6g}'))}")
                ax.legend(loc="lower left")
            if shift:
                t = np.linspace(0, 2 * np.pi, 400)
                ax.plot(np.cos(t), np.sin(t), "k-", lw=0.8)
                ax.set_aspect("equal")
            else:
                ax.axvline(0, color="k", lw=0.8)
            ax.set(xlabel="Re", ylabel="Im", title=f"{method_id}: {title}")
            fig.colorbar(sc, ax=ax, label=f"${symbol_tex(parameter)}$")
        fig.tight_layout()
        save(fig, path)


def stability_figure(path, gammas=None, hs=None) -> None:
    """R1: spectral radius on the (gamma, h) plane for SimGD, AltGD n_d = 1 and 5, with the
    h_max curve from ``analyze`` over it."""
    from ..analysis.maps import stability_map
    plt = _plt()
    gammas = np.linspace(0.05, 3.0, 300) if gammas is None else gammas
    hs = np.linspace(0.01, 4.0, 300) if hs is None else hs
    m = method("r1")
    panels = (("simgd", 1, "SimGD"), ("altgd", 1, r"AltGD $n_d = 1$"),
              ("altgd", 5, r"AltGD $n_d = 5$"))
    curve_g = np.array([0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0])
    with plt.rc_context(figure_rc(12.0, 4.2)):
        fig, axes = plt.subplots(1, 3, sharey=True)
        for ax, (scheme, n_d, title) in zip(axes, panels):
            s = stability_map(m, scheme, n_d=n_d, gamma=gammas, h=hs)
            im = ax.pcolormesh(gammas, hs, np.minimum(s.spectral_radius.T, 1.5), shading="auto",
                               vmin=0, vmax=1.5, cmap="viridis")
            ax.contour(gammas, hs, s.spectral_radius.T, levels=[1.0], colors="w", linewidths=1)
            hmax = []
            for g in curve_g:
                a = analyze(method("r1", gamma=sp.Rational(str(g))), scheme=scheme, n_d=n_d)
                hmax.append(np.nan if a.h_max is None else min(float(a.h_max), 10.0))
            ax.plot(curve_g, hmax, "ro", ms=4, label=r"closed-form $h_{\max}$")
            ax.set(xlabel=r"$\gamma$", title=title, ylim=(hs[0], hs[-1]))
            ax.legend(loc="upper right")
        axes[0].set_ylabel("step size $h$")
        fig.suptitle(r"r1 (logistic $f$): spectral radius on the $(\gamma, h)$ plane; white: "
                     r"radius 1; red: closed-form $h_{\max}$")
        fig.subplots_adjust(left=0.07, right=0.76, top=0.84, bottom=0.14, wspace=0.12)
        fig.colorbar(im, ax=axes, label="spectral radius (clipped at 1.5)")
        save(fig, path)


#: The stability-region figures of the report: one per scheme, a panel for r1 and one for the
#: unregularized GAN (lazy regularization needs a penalty: its second panel is r1 again).
#: Each panel: (method id, fixed method parameters, scheme, fixed scheme options,
#: x axis (name, lo, hi), y axis (name, lo, hi)).
SCHEME_FIGURES = {
    "simgd": [("r1", {}, "simgd", {}, ("gamma", 0.02, 3.0), ("h", 0.01, 4.0)),
              ("gan", {}, "simgd", {}, ("h_g", 0.01, 3.0), ("h_d", 0.01, 3.0))],
    "altgd": [("r1", {}, "altgd", {}, ("gamma", 0.02, 3.0), ("h", 0.01, 4.0)),
              ("gan", {}, "altgd", {}, ("h_g", 0.01, 3.0), ("h_d", 0.01, 3.0))],
    "extragradient": [("r1", {}, "extragradient", {}, ("gamma", 0.02, 3.0), ("h", 0.01, 4.0)),
                      ("gan", {}, "extragradient", {"h": 1.0}, ("h_e", 0.01, 4.0), None)],
    "ogda": [("r1", {}, "ogda", {}, ("gamma", 0.02, 3.0), ("h", 0.01, 2.0)),
             ("gan", {}, "ogda", {}, ("h_g", 0.01, 2.0), ("h_d", 0.01, 2.0))],
    "momentum-simgd": [("r1", {}, "simgd", {}, ("momentum", -0.95, 0.95),
                        ("h", 0.01, 3.0)),
                       ("gan", {}, "simgd", {}, ("momentum", -0.95, 0.95), ("h", 0.01, 3.0))],
    "momentum-altgd": [("r1", {}, "altgd", {}, ("momentum", -0.95, 0.95),
                        ("h", 0.01, 3.0)),
                       ("gan", {}, "altgd", {}, ("momentum", -0.95, 0.95), ("h", 0.01, 3.0))],
    "lookahead": [("r1", {}, "lookahead", {}, ("gamma", 0.02, 3.0), ("h", 0.01, 5.0)),
                  ("gan", {}, "lookahead", {}, ("lookahead_alpha", 0.02, 1.0), ("h", 0.01, 3.0))],
    "lazy": [("r1", {}, "simgd", {"lazy_every": 4}, ("gamma", 0.02, 3.0), ("h", 0.01, 4.0)),
             ("r1", {"gamma": 1}, "simgd", {}, ("lazy_every", 1, 8), ("h", 0.01, 4.0))],
}
_AXIS_TEX = {"gamma": r"$\gamma$", "h": "step size $h$", "h_g": r"$h_g$", "h_d": r"$h_d$",
             "h_e": r"extrapolation $h_e$", "momentum": r"momentum $\beta$",
             "lookahead_alpha": r"lookahead $\alpha$", "lazy_every": r"lazy period $k$ (R1 every $k$-th step)"}


_SCHEME_WORDS = {"simgd": "SimGD", "altgd": "AltGD", "extragradient": "extragradient",
                 "ogda": "optimistic GD", "lookahead": "lookahead over SimGD"}


def region_scheme_words(scheme: str, fixed: dict, axes) -> str:
    """The update a stability-region panel shows, in words: "heavy ball over SimGD" when
    momentum is an axis or fixed, "lazy R1 over SimGD" for lazy regularization."""
    names = set(fixed) | {a[0] for a in axes if a is not None}
    words = _SCHEME_WORDS.get(scheme, scheme)
    if "momentum" in names:
        return "heavy ball over " + words
    if "lazy_every" in names:
        return "lazy R1 over " + words
    return words


def region_panel_title(mid, params, scheme, fixed, xaxis, yaxis) -> str:
    """A stability-region panel's title: the method, its parameters and the update."""
    m = method(mid, **params)
    given = {k: v for k, v in {**m.numeric_params, **fixed}.items()
             if k not in (xaxis[0], yaxis and yaxis[0])}
    at = ", ".join(assign_tex(k, float(v)) for k, v in sorted(given.items()))
    return f"{mid}" + (f" ({at})" if at else "") + ", " + region_scheme_words(
        scheme, fixed, (xaxis, yaxis))


def _section_momentum(name: str):
    """The momentum the scheme section of figure ``name`` analyses (None if it has none)."""
    from .scheme_sections import REGION, SCHEME_SECTIONS
    for title, _, options, _ in SCHEME_SECTIONS:
        if REGION[title] == name and "momentum" in options:
            return sp.sympify(options["momentum"])
    return None


def scheme_region_figure(name: str, path, n: int = 240) -> None:
    """The stability region of one scheme (a key of :data:`SCHEME_FIGURES`): spectral radius
    per step on a grid (``stability_map``), the radius-1 contour, for r1 and the GAN."""
    from ..analysis.maps import stability_map
    plt = _plt()
    with plt.rc_context(figure_rc(10.0, 4.4)):
        fig, axes = plt.subplots(1, 2)
        for ax, (mid, params, scheme, fixed, xaxis, yaxis) in zip(axes, SCHEME_FIGURES[name]):
            m = method(mid, **params)
            xn, xlo, xhi = xaxis
            xs = (np.arange(xlo, xhi + 1) if xn == "lazy_every" else np.linspace(xlo, xhi, n))
            if yaxis is None:  # one axis: the radius as a curve
                s = stability_map(m, scheme, **fixed, **{xn: xs})
                ax.plot(xs, s.spectral_radius, lw=1.2)
                ax.axhline(1.0, color="k", lw=0.6, ls="--")
                ax.set(xlabel=_AXIS_TEX[xn], ylabel="spectral radius per step")
            else:
                yn, ylo, yhi = yaxis
                ys = np.linspace(ylo, yhi, n)
                s = stability_map(m, scheme, **fixed, **{xn: xs, yn: ys})
                rho = np.minimum(s.spectral_radius.T, 1.5)
                im = ax.pcolormesh(xs, ys, rho, shading="auto", vmin=0, vmax=1.5,
                                   cmap="viridis")
                if np.any(s.spectral_radius < 1) and np.any(s.spectral_radius >= 1):
                    ax.contour(xs, ys, s.spectral_radius.T, levels=[1.0], colors="w",
                               linewidths=1)
                ax.set(xlabel=_AXIS_TEX[xn], ylabel=_AXIS_TEX[yn])
                fig.colorbar(im, ax=ax, label="spectral radius per step (clipped at 1.5)")
            if "momentum" in (xn, yaxis and yaxis[0]):
                beta = _section_momentum(name)
                if beta is not None:
                    ax.axvline(float(beta), color="r", lw=1.0, ls=":",
                               label=f"{assign_tex('momentum', beta)} (the section's)")
                    ax.legend(loc="upper left")
            share = 100 * float(np.mean(s.locally_convergent))
            ax.set_title(region_panel_title(mid, params, scheme, fixed, xaxis, yaxis)
                         + f": stable on {share:.0f}%")
        fig.suptitle(f"{name}: where the update operator contracts (white contour: spectral "
                     f"radius 1)", fontsize="large")
        fig.tight_layout()
        save(fig, path)


def nonsmooth_figure(method_id: str, cases, path, t_max: float = 60.0) -> None:
    """The flow of a method whose field jumps at psi = 0: one panel per parameter set, with
    trajectories from several starts and the one-sided equilibria marked."""
    from ..oracles.ode import integrate
    plt = _plt()
    with plt.rc_context(figure_rc(4.8 * len(cases), 4.6)):
        fig, axes = plt.subplots(1, len(cases), squeeze=False)
        for ax, (params, starts, note) in zip(axes[0], cases):
            m = method(method_id, **params)
            g = np.linspace(-3.5, 3.5, 41)
            TH, PS = np.meshgrid(g, g)
            vt, vp = m.field(TH, PS)
            ax.streamplot(TH, PS, vt, vp, color="0.8", density=0.9, linewidth=0.6)
            for k, (th, ps) in enumerate(starts):
                o = integrate(m, t_span=(0.0, t_max), theta0=th, psi0=ps,
                              t_eval=np.linspace(0.0, t_max, 3001))
                ax.plot(o.theta, o.psi, lw=1.1, label=f"ODE from ({th:g}, {ps:g})")
                ax.plot([th], [ps], "ko", ms=3)
            a = analyze(m)
            for side in a.nonsmooth["one_sided"].values():
                for e in side["equilibria"]:
                    ax.plot([e["theta"]["value"]], [0], "rx", ms=9, mew=2)
            ax.plot([0], [0], marker="*", ms=12, color="gold", mec="k", ls="none")
            ax.axhline(0, color="k", lw=0.5)
            ax.set(xlim=(-3.5, 3.5), ylim=(-3.5, 3.5), xlabel=r"$\theta$", ylabel=r"$\psi$",
                   title=f"{_label(m)}: {note}")
            ax.legend(loc="upper right")
        fig.tight_layout()
        save(fig, path)
