"""Figures of the methods and optimizers added through the extension API: the hinge loss's
flow (centre, sliding, limit cycle), the weight average (EMA) against the raw iterate, and
Adam / RMSprop against SimGD.

Each function draws one PNG from the package's oracles (``integrate``, ``simulate``) and the
closed form (``analyze``); nothing is typed in.
"""
from __future__ import annotations

import numpy as np

import sympy as sp

from .._mathtext import assign_tex, expr_tex
from .._options import OPTIONS
from ..analysis.analyze import analyze
from ..model.method import method
from ..oracles.ode import integrate
from ..oracles.simulate import simulate
from .plots import FIGURE_RC, _plt, figure_rc, save

__all__ = ["EXTENSION_FIGURES", "hinge_flow_figure", "ema_figure", "adaptive_figure"]


#: The hinge flow's starts (one inside the circle, three outside) and its horizon.
HINGE_STARTS = ((0.6, 0.3), (2.6, 0.9), (-2.5, 0.4), (0.4, 2.8))
HINGE_T = 30.0


def hinge_flow_figure(path) -> None:
    r"""The hinge loss's flow: circles inside :math:`\theta^2 + \psi^2 \le 2`, sliding along
    :math:`\theta\psi = 1` and the limit cycle :math:`\theta^2 + \psi^2 = 2` from outside."""
    plt = _plt()
    m = method("hinge")
    with plt.rc_context(FIGURE_RC):
        fig, ax = plt.subplots()
        g = np.linspace(-3.0, 3.0, 41)
        TH, PS = np.meshgrid(g, g)
        vt, vp = m.field(TH, PS)
        ax.streamplot(TH, PS, vt, vp, color="0.8", density=0.9, linewidth=0.6)
        x = np.linspace(1 / 3.0, 3.0, 200)
        for sign in (1, -1):
            ax.plot(sign * x, sign / x, color="tab:orange", lw=1,
                    label=r"switch $\theta\psi = 1$" if sign == 1 else None)
        t = np.linspace(0, 2 * np.pi, 200)
        ax.plot(np.sqrt(2) * np.cos(t), np.sqrt(2) * np.sin(t), "k--", lw=1,
                label=r"limit cycle $\theta^2 + \psi^2 = 2$")
        colours = ("tab:blue", "tab:red", "tab:purple", "tab:green")
        for (th0, ps0), color in zip(HINGE_STARTS, colours):
            o = integrate(m, t_span=(0.0, HINGE_T), theta0=th0, psi0=ps0,
                          t_eval=np.linspace(0.0, HINGE_T, 3001))
            ax.plot(o.theta, o.psi, color=color, lw=1.1)
            ax.plot([th0], [ps0], "o", color=color, ms=4)
        ax.set(xlim=(-3, 3), ylim=(-3, 3), xlabel=r"$\theta$", ylabel=r"$\psi$", aspect="equal",
               title=f"hinge: circles inside $r = {expr_tex(sp.sqrt(2))[1:]}; from outside, "
                     "sliding onto it")
        ax.legend(loc="lower right")
        fig.tight_layout()
        save(fig, path)


def ema_figure(path, beta: float = 0.9) -> None:
    r"""Left: AltGD on the bilinear game cycles; the average's orbit is the raw one scaled by
    the derived gain :math:`|(1-\beta) z / (z - \beta)|`. Right: on R1 the average converges
    at the rate :math:`\max(\rho, \beta)`."""
    plt = _plt()
    with plt.rc_context(figure_rc(10.0, 4.4)):
        fig, (left, right) = plt.subplots(1, 2)
        h = 0.5
        m = method("bilinear")
        r = simulate(m, scheme="altgd", h=h, steps=400, theta0=1.0, psi0=0.0, ema=beta,
                     record_every=1)
        gains = analyze(m, scheme="altgd", h=str(h), ema=str(beta)).discrete["ema"]["cycle_gains"]
        gain = float(gains[0]["gain"]) if gains and isinstance(gains[0], dict) else None
        left.plot(np.ravel(r.history_theta), np.ravel(r.history_psi), color="tab:blue", lw=0.8,
                  label="raw iterate")
        left.plot(np.ravel(r.history_theta_ema), np.ravel(r.history_psi_ema), color="tab:red",
                  lw=0.8, label=f"EMA, {assign_tex('ema', beta)}")
        left.set(xlabel=r"$\theta$", ylabel=r"$\psi$", aspect="equal",
                 title=f"bilinear, AltGD $h = {h:g}$: a cycle"
                       + (f"; derived gain {gain:.3f}" if gain is not None else ""))
        left.legend()
        m1 = method("r1", gamma=0.3)
        r1 = simulate(m1, scheme="simgd", h=0.2, steps=300, theta0=1.0, psi0=1.0, ema=beta,
                      record_every=1)
        rho = float(analyze(m1, scheme="simgd", h="0.2").spectral_radius)
        k = np.arange(301)
        right.semilogy(k, np.hypot(np.ravel(r1.history_theta), np.ravel(r1.history_psi)),
                       color="tab:blue", lw=1, label="raw iterate")
        right.semilogy(k, np.hypot(np.ravel(r1.history_theta_ema),
                                   np.ravel(r1.history_psi_ema)),
                       color="tab:red", lw=1, label=f"EMA, {assign_tex('ema', beta)}")
        right.semilogy(k, 2 * max(rho, beta) ** k, "k:", lw=1,
                       label=rf"$2\max(\rho, \beta)^k$, $\rho = {rho:.4f}$")
        right.set(xlabel="step $k$", ylabel="distance to (0, 0)",
                  title=r"r1 ($\gamma = 0.3$), SimGD $h = 0.2$")
        right.legend()
        right.grid(True, which="both", lw=0.3)
        fig.tight_layout()
        save(fig, path)


_OPTIMIZER_NAMES = {"simgd": "SimGD", "adam": "Adam", "rmsprop": "RMSprop"}
#: The hyperparameters of each optimizer in the figure (all at the simulator's defaults).
ADAPTIVE_OPTIONS = {"simgd": (), "adam": ("beta1", "beta2", "eps"), "rmsprop": ("beta2", "eps")}


def adaptive_default(option: str, scheme: str):
    """The simulator's default of an Adam/RMSprop option (a SymPy number)."""
    return OPTIONS[option].default_for(scheme)


def adaptive_figure(path) -> None:
    """Distance to the equilibrium of SimGD, Adam and RMSprop (same h) on R1 and on the
    unregularized GAN."""
    plt = _plt()
    with plt.rc_context(figure_rc(10.0, 4.4)):
        fig, axes = plt.subplots(1, 2)
        for ax, (mid, params) in zip(axes, (("r1", {"gamma": 0.3}), ("gan", {}))):
            m = method(mid, **params)
            steps = 2000
            k = np.arange(steps + 1)
            for scheme, color in (("simgd", "tab:blue"), ("adam", "tab:red"),
                                  ("rmsprop", "tab:green")):
                r = simulate(m, scheme=scheme, h=0.01, steps=steps, theta0=1.0, psi0=1.0,
                             record_every=1)
                d = np.hypot(np.ravel(r.history_theta), np.ravel(r.history_psi))
                ax.semilogy(k[:d.size], np.maximum(d, 1e-300), color=color, lw=1,
                            label=f"{_OPTIMIZER_NAMES[scheme]} ($h = 0.01$"
                                  + "".join(f", {assign_tex(o, adaptive_default(o, scheme))}"
                                            for o in ADAPTIVE_OPTIONS[scheme]) + ")")
            ax.set(xlabel="step $k$", ylabel="distance to (0, 0)",
                   title=f"{mid}" + (f" ({', '.join(assign_tex(a, b) for a, b in params.items())})"
                                     if params else "") + ": SimGD, Adam, RMSprop")
            ax.legend()
            ax.grid(True, which="both", lw=0.3)
        fig.tight_layout()
        save(fig, path)


#: (file name, function): the report draws each into figures/.
EXTENSION_FIGURES = (("ext_hinge_flow.png", hinge_flow_figure), ("ext_ema.png", ema_figure),
                     ("ext_adaptive.png", adaptive_figure))
