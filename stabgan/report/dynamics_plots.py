"""Figures of the global dynamics: basin maps (stabgan.basins) and bifurcation diagrams
(stabgan.bifurcation) of the methods whose field jumps at psi = 0 and of the unregularized
GAN under SimGD and AltGD.

Grids are modest so that all of them together take a few seconds; the discrete schemes
stand in for the flow in the basin maps (h = 0.05), the bifurcation diagrams run the
settings of the statements that check them, and each figure says which scheme it ran.
"""
from __future__ import annotations


import numpy as np

from ..dynamics.basins import basins
from ..dynamics.bifurcation import bifurcation
from ..model.method import method
from .plots import FIGURE_RC, _plt, figure_rc, save

__all__ = ["DYNAMICS_FIGURES", "GAN_BASINS", "BIFURCATIONS", "gan_basins", "bifurcation_result",
           "basins_wgan_gp_figure", "basins_dragan_figure", "basins_gan_figure",
           "bifurcation_wgan_gp_figure", "bifurcation_dragan_figure"]

#: An even count: no start sits exactly at (0, 0), a fixed point of every update here
#: (sign(0) = 0 makes WGAN-GP's and DRAGAN's fields vanish there too).
_GRID = np.linspace(-3.0, 3.0, 24)


def _pair(path, left, right) -> None:
    plt = _plt()
    with plt.rc_context(figure_rc(11.0, 4.8)):
        fig, axes = plt.subplots(1, 2)
        left.plot(ax=axes[0])
        right.plot(ax=axes[1])
        fig.tight_layout()
        save(fig, path)


def basins_wgan_gp_figure(path) -> None:
    """WGAN-GP under SimGD h = 0.05: gamma = 0.7, one limit cycle; gamma = 3, the two
    non-Nash points (-+ gamma g0, 0+-)."""
    runs = [basins(method("wgan-gp", gamma=g, g0=1), "simgd", theta=_GRID, psi=_GRID,
                   steps=1500, tail=512, h=0.05) for g in ("0.7", "3")]
    _pair(path, *runs)


def basins_dragan_figure(path) -> None:
    """DRAGAN (k = 1) under SimGD h = 0.05 at gamma = 0.7: bistable, two non-Nash points
    inside a limit cycle."""
    b = basins(method("dragan", gamma="0.7", k=1), "simgd", theta=_GRID, psi=_GRID,
               steps=1500, tail=1024, h=0.05)
    plt = _plt()
    with plt.rc_context(FIGURE_RC):
        fig, ax = plt.subplots()
        b.plot(ax=ax)
        save(fig, path)


#: The unregularized GAN's basin maps: one step size for both schemes, the grid [-2, 2]^2
#: (from farther out an orbit crawls through theta psi >> 0, where f'(theta psi) ~ e^(-theta psi),
#: for tens of thousands of steps per turn). SimGD: the norm grows at every step
#: (|x + h v|^2 = |x|^2 + h^2 |v|^2), slowly where f'(theta psi) is small, so the run is long
#: and the bound low (3, above every start's max-norm 2): every start passes it. AltGD: the
#: orbits are closed; a tail of 8192 steps covers a turn from every start and tol = 3e-3 is
#: above the envelope's sampling error at this h, so every start is labelled a centre.
GAN_BASINS = {"grid": (-2.0, 2.0, 24), "h": 0.05,
              "simgd": {"steps": 20000, "tail": 256, "bound": 3.0},
              "altgd": {"steps": 2000, "tail": 8192, "tol": 3e-3}}


#: The results the figures draw and the captions describe, computed once per process:
#: {("gan_basins",): ..., ("bifurcation", method id): ...}. The report's figure process
#: sends its own to the process that writes the captions (:func:`adopt_results`).
_RESULTS: dict = {}


def _kept(key, compute):
    if key not in _RESULTS:
        _RESULTS[key] = compute()
    return _RESULTS[key]


def computed_results() -> dict:
    """The results computed (or adopted) in this process so far."""
    return dict(_RESULTS)


def adopt_results(results: dict) -> None:
    """Take results computed elsewhere (another process drew the figures) as this process's,
    so the captions describe exactly what the figures draw without computing it again."""
    _RESULTS.update(results)


def gan_basins():
    """The basin maps of the minimax GAN under SimGD and AltGD (:data:`GAN_BASINS`)."""
    def compute():
        m = method("gan")
        g = np.linspace(*GAN_BASINS["grid"])
        return tuple(basins(m, scheme, theta=g, psi=g, h=GAN_BASINS["h"],
                            **GAN_BASINS[scheme]) for scheme in ("simgd", "altgd"))
    return _kept(("gan_basins",), compute)


def basins_gan_figure(path) -> None:
    """The minimax GAN: SimGD spirals out from every start (diverged past the bound),
    AltGD keeps closed orbits that attract nothing (a centre)."""
    _pair(path, *gan_basins())


def _diagram(path, d) -> None:
    plt = _plt()
    with plt.rc_context(FIGURE_RC):
        fig, ax = plt.subplots()
        d.plot(ax=ax)
        save(fig, path)


#: The bifurcation diagrams run with the settings of the statements that check the same
#: change point (stabgan/lemmas/global_dynamics.py), over a wider grid that has the
#: statement's bracket as two neighbouring values, so the bisection and the point found
#: are the statement's: WGAN-GP (g0 = 1) as wgan-gp-bifurcation-gamma-2 (the flow, from
#: (1, 1), xtol 2e-3); DRAGAN (k = 1) as dragan-points-appear (SimGD h = 0.05, 3000 + 1024
#: steps, 4 x 4 starts on [-2, 2]^2, xtol 1e-2).
BIFURCATIONS = {
    "wgan-gp": ({"g0": 1}, (0.5, 1.0, 1.4, 1.8, 2.2, 2.6, 3.0),
                {"scheme": "ode", "theta": (1.0,), "psi": (1.0,), "xtol": 2e-3},
                "wgan-gp-bifurcation-gamma-2"),
    "dragan": ({"k": 1}, (0.2, 0.35, 0.5, 0.8, 0.95, 1.1, 1.25),
               {"scheme": "simgd", "h": 0.05, "steps": 3000, "tail": 1024,
                "theta": tuple(np.linspace(-2, 2, 4)), "psi": tuple(np.linspace(-2, 2, 4)),
                "xtol": 1e-2}, "dragan-points-appear"),
}


def bifurcation_result(method_id: str):
    """The bifurcation diagram of ``method_id`` over gamma (:data:`BIFURCATIONS`)."""
    params, values, options, _ = BIFURCATIONS[method_id]
    return _kept(("bifurcation", method_id), lambda: bifurcation(
        method(method_id, **params), "gamma", np.array(values), **options))


def bifurcation_wgan_gp_figure(path) -> None:
    """WGAN-GP (g0 = 1) over gamma, the flow from (1, 1): the limit cycle gives way to the
    non-Nash points near gamma = 2, where the one-sided equilibria turn into nodes."""
    _diagram(path, bifurcation_result("wgan-gp"))


def bifurcation_dragan_figure(path) -> None:
    """DRAGAN (k = 1) over gamma, SimGD h = 0.05: points appear near (sqrt 5 - 1)/2, the
    cycle is gone a little above (bistable in between)."""
    _diagram(path, bifurcation_result("dragan"))


#: (file name, function): the report draws each into figures/.
DYNAMICS_FIGURES = (("basins_wgan-gp.png", basins_wgan_gp_figure),
                    ("basins_dragan.png", basins_dragan_figure),
                    ("basins_gan.png", basins_gan_figure),
                    ("bifurcation_wgan-gp.png", bifurcation_wgan_gp_figure),
                    ("bifurcation_dragan.png", bifurcation_dragan_figure))
