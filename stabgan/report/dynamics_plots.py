"""Figures of the global dynamics: basin maps (stabgan.basins) and bifurcation diagrams
(stabgan.bifurcation) of the methods whose field jumps at psi = 0 and of the unregularized
GAN under SimGD and AltGD.

Grids are modest so that all of them together take a few seconds; the discrete schemes
stand in for the flow (h = 0.05), and each figure says which scheme it ran.
"""
from __future__ import annotations

import numpy as np

from ..dynamics.basins import basins
from ..dynamics.bifurcation import bifurcation
from ..model.method import method
from .plots import FIGURE_RC, _plt, save

__all__ = ["DYNAMICS_FIGURES", "basins_wgan_gp_figure", "basins_dragan_figure",
           "basins_gan_figure", "bifurcation_wgan_gp_figure", "bifurcation_dragan_figure"]

#: An even count: no start sits exactly at (0, 0), a fixed point of every update here
#: (sign(0) = 0 makes WGAN-GP's and DRAGAN's fields vanish there too).
_GRID = np.linspace(-3.0, 3.0, 24)


def _pair(path, left, right) -> None:
    plt = _plt()
    with plt.rc_context({**FIGURE_RC, "figure.figsize": (11.0, 4.8)}):
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


def basins_gan_figure(path) -> None:
    """The minimax GAN, h = 0.2: SimGD grows the norm at every step (diverged past the
    bound 4); AltGD keeps closed orbits that attract nothing (a centre)."""
    m = method("gan")
    g = np.linspace(-3.0, 3.0, 24)
    simgd = basins(m, "simgd", theta=g, psi=g, steps=2000, tail=256, h=0.2, bound=4.0)
    altgd = basins(m, "altgd", theta=g, psi=g, steps=1000, tail=512, h=0.2)
    _pair(path, simgd, altgd)


def _diagram(path, d) -> None:
    plt = _plt()
    with plt.rc_context(FIGURE_RC):
        fig, ax = plt.subplots()
        d.plot(ax=ax)
        save(fig, path)


def bifurcation_wgan_gp_figure(path) -> None:
    """WGAN-GP (g0 = 1) over gamma, SimGD h = 0.05: the limit cycle gives way to the
    non-Nash points near gamma = 2, where the one-sided equilibria turn into nodes."""
    g = np.linspace(-2.5, 2.5, 2)
    d = bifurcation(method("wgan-gp", g0=1), "gamma", np.linspace(0.5, 3.0, 6), scheme="simgd",
                    h=0.05, steps=1500, tail=512, theta=g, psi=g, xtol=3e-2)
    _diagram(path, d)


def bifurcation_dragan_figure(path) -> None:
    """DRAGAN (k = 1) over gamma, SimGD h = 0.1: points appear near (sqrt 5 - 1)/2, the
    cycle is gone below gamma = 1 (bistable in between)."""
    g = np.linspace(-2.0, 2.0, 4)
    d = bifurcation(method("dragan", k=1), "gamma", np.linspace(0.3, 1.2, 6), scheme="simgd",
                    h=0.1, steps=1000, tail=512, theta=g, psi=g, xtol=3e-2)
    _diagram(path, d)


#: (file name, function): the report draws each into figures/.
DYNAMICS_FIGURES = (("basins_wgan-gp.png", basins_wgan_gp_figure),
                    ("basins_dragan.png", basins_dragan_figure),
                    ("basins_gan.png", basins_gan_figure),
                    ("bifurcation_wgan-gp.png", bifurcation_wgan_gp_figure),
                    ("bifurcation_dragan.png", bifurcation_dragan_figure))
