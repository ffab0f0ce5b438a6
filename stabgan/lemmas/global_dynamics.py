r"""Statements about the global dynamics (basins of attraction, bifurcations), each checked
symbolically (the closed form derived by the package against the value stored here) and
numerically (:func:`stabgan.basins` / :func:`stabgan.bifurcation` on the oracles).

Derived by hand and stored as the statement:

* the one-sided Jacobian of WGAN-GP (f(t) = t) at :math:`(\mp\gamma g_0, 0^\pm)` is
  :math:`\begin{pmatrix}0 & -1\\ 1 & -\gamma\end{pmatrix}`, discriminant
  :math:`\gamma^2 - 4`: foci below :math:`\gamma = 2`, nodes above, where non-Nash points
  start to attract (a focus on the switching line sends nearby orbits across it);
* DRAGAN with the logistic f and k = 1: :math:`\begin{pmatrix}0 & -1/2\\ 1/2 &
  -\gamma(\gamma + 1)\end{pmatrix}`, discriminant :math:`\gamma^2(\gamma+1)^2 - 1`, zero at
  :math:`\gamma = (\sqrt 5 - 1)/2`;
* R1 (gamma = 3/10) under SimGD: :math:`h_{\max} = -2\,\mathrm{Re}\lambda/|\lambda|^2 =
  6/5` (Mescheder et al. 2017's step-size lemma);
* the hinge loss: on the circle of radius r the largest :math:`\theta\psi` is
  :math:`r^2/2`, so circles with :math:`r \le \sqrt 2` never meet the switching curve
  :math:`\theta\psi = 1` (the centre's basin), and wider ones slide onto the limit cycle
  :math:`r = \sqrt 2`.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..analysis.analyze import analyze
from ..dynamics.basins import LABELS, NO_ATTRACTOR, basins
from ..dynamics.bifurcation import bifurcation
from .checks import Custom, Ref
from .statement import Statement

#: The statements of this module, in order; the registry registers them when first asked.
STATEMENTS: list[Statement] = []


def S(id, statement, source, symbolic, numeric):  # noqa: N802 - reads like a table row
    STATEMENTS.append(Statement(id, statement, source, symbolic, numeric))


def onset_is(ref: Ref, parameter: str, stored: str) -> Custom:
    """Symbolic: the one-sided equilibria's discriminant tr^2 - 4 det (from analyze's
    ``nonsmooth``, the parameter left a symbol) vanishes at ``stored`` (the positive root)."""
    def run():
        m = ref.build()
        a = analyze(m)
        if a.nonsmooth is None:
            return False, f"{m!r}: no jump at psi = 0, no one-sided equilibria"
        sym = next(p.symbol for p in m.spec.parameters if p.name == parameter)
        roots = set()
        for side in a.nonsmooth["one_sided"].values():
            for eq in side["equilibria"]:
                J = sp.Matrix([[sp.sympify(e, locals={parameter: sym}) for e in row]
                               for row in eq["jacobian"]["sympy"]])
                disc = sp.factor(J.trace() ** 2 - 4 * J.det())
                roots |= {r for r in sp.solve(disc, sym) if r.is_real and r.is_positive}
        want = sp.sympify(stored)
        ok = len(roots) == 1 and sp.simplify(next(iter(roots)) - want) == 0
        return ok, f"discriminant roots > 0: {sorted(map(str, roots))}; stored {stored}"
    return Custom(run)


def bifurcation_agrees(ref: Ref, parameter: str, values, stored: str, **kwargs) -> Custom:
    """Numeric: :func:`bifurcation` over ``values`` finds the derived change point and it
    lies within the stated allowance of ``stored`` (the derived value the routine reports
    must equal ``stored`` too)."""
    def run():
        d = bifurcation(ref.build(), parameter, values, **kwargs)
        want = float(sp.sympify(stored))
        matched = [p for p in d.predicted if "found" in p]
        if not matched:
            return False, f"no bifurcation found over {parameter} in {list(values)}: {d.signatures}"
        p = matched[0]
        ok = (abs(p["value"] - want) < 1e-12 and abs(p["found"] - want) <= p["allowance"])
        return ok, (f"{parameter}: derived {p['sympy']} = {p['value']:.6g}, found "
                    f"{p['found']:.6g} +- {p['found_tol']:.2g}, stored {stored}, allowance "
                    f"{p['allowance']:.3g} ({p['allowance_reason']})")
    return Custom(run)


def h_max_is(ref: Ref, scheme: str, stored: str) -> Custom:
    """Symbolic: analyze's h_max equals -2 Re(lambda)/|lambda|^2 computed here from the
    continuous eigenvalues, and ``stored``."""
    def run():
        m = ref.build()
        lam = analyze(m).eigenvalues
        lemma = sp.nsimplify(min(-2 * sp.re(x) / sp.Abs(x) ** 2 for x in lam))
        h_max = analyze(m, scheme=scheme).h_max
        ok = sp.simplify(h_max - lemma) == 0 and sp.simplify(h_max - sp.sympify(stored)) == 0
        return ok, f"h_max {h_max}, step-size lemma {lemma}, stored {stored}"
    return Custom(run)


def hinge_circle_bound(stored: str) -> Custom:
    """Symbolic: the largest theta psi on the circle of radius r is r^2/2 (Lagrange), equal
    to 1 (the switching curve) at r = ``stored``."""
    def run():
        r, t = sp.symbols("r t", positive=True)
        top = sp.maximum(r ** 2 * sp.cos(t) * sp.sin(t), t, sp.Interval(0, sp.pi / 2))
        radius = sp.solve(sp.Eq(top, 1), r)
        ok = len(radius) == 1 and sp.simplify(radius[0] - sp.sympify(stored)) == 0
        return ok, f"max theta psi on the circle: {top}; = 1 at r = {radius}; stored {stored}"
    return Custom(run)


def _label_words(b, label: int) -> str:
    """What a basin label means, in words: the attractor's kind, or the negative label's
    meaning up to its colon ("no attractor")."""
    if label >= 0:
        return b.attractors[label].kind.replace("_", " ")
    return LABELS[label].split(":")[0]


def hinge_basin_split(stored: str, gap: float = 0.015) -> Custom:
    """Numeric: starts on psi = 0 just inside the stored radius stay on their circles (no
    attractor), just outside reach the limit cycle crossing psi = 0 at the stored radius
    with period 2 pi (the ODE oracle, to 1e-6)."""
    def run():
        r = float(sp.sympify(stored))
        b = basins(Ref.of("hinge").build(), "ode", theta=[r - gap, r + gap], psi=[0.0])
        inside, outside = int(b.labels[0, 0]), int(b.labels[1, 0])
        cyc = b.attractors[outside] if outside >= 0 else None
        ok = (inside == NO_ATTRACTOR and cyc is not None and cyc.kind == "limit_cycle"
              and abs(cyc.theta_crossing - r) < 1e-6 and abs(cyc.period - 2 * np.pi) < 1e-6)
        return ok, (f"start ({r - gap:.4g}, 0): {_label_words(b, inside)}; start "
                    f"({r + gap:.4g}, 0): {_label_words(b, outside)}"
                    + ("" if cyc is None else f", crossing {cyc.theta_crossing:.10g}, period "
                                              f"{cyc.period:.10g}"))
    return Custom(run)


_NS = "derived (the non-smooth analysis of Mescheder et al. 2018, Section 3, continued)"

S("wgan-gp-bifurcation-gamma-2",
  r"WGAN-GP ($g_0 = 1$): the one-sided equilibria $(\mp\gamma, 0^\pm)$ are foci for "
  r"$\gamma < 2$ and nodes for $\gamma > 2$; the flow's limit cycle gives way to non-Nash "
  r"points at $\gamma = 2$",
  _NS,
  onset_is(Ref.of("wgan-gp", g0=1), "gamma", "2"),
  bifurcation_agrees(Ref.of("wgan-gp", g0=1), "gamma", [1.8, 2.2], "2", theta=[1.0],
                     psi=[1.0], xtol=2e-3))

S("dragan-points-appear",
  r"DRAGAN ($k = 1$, logistic f): non-Nash points attract from $\gamma = (\sqrt 5 - 1)/2$ "
  r"on, where the one-sided equilibria turn from foci into nodes (SimGD, $h = 0.05$, within "
  r"the stated allowance)",
  _NS,
  onset_is(Ref.of("dragan", k=1), "gamma", "(sqrt(5) - 1)/2"),
  bifurcation_agrees(Ref.of("dragan", k=1), "gamma", [0.5, 0.8], "(sqrt(5) - 1)/2",
                     scheme="simgd", h=0.05, steps=3000, tail=1024,
                     theta=np.linspace(-2, 2, 4), psi=np.linspace(-2, 2, 4), xtol=1e-2))

S("r1-simgd-bifurcation-at-h-max",
  r"R1 ($\gamma = 3/10$) under SimGD: the equilibrium stops attracting at "
  r"$h_{\max} = -2\,\mathrm{Re}\lambda/|\lambda|^2 = 6/5$, where the continuation loses it",
  "Mescheder, Nowozin, Geiger 2017 (step-size lemma), continued by bifurcation",
  h_max_is(Ref.of("r1", gamma="3/10"), "simgd", "6/5"),
  bifurcation_agrees(Ref.of("r1", gamma="3/10"), "h", [1.0, 1.4], "6/5", scheme="simgd",
                     steps=3000, tail=512, theta=[0.1], psi=[0.1], xtol=2e-3))

S("hinge-basin-boundary",
  r"Hinge loss: the boundary between the centre's basin and the limit cycle's is the circle "
  r"$\theta^2 + \psi^2 = 2$ (the largest circle inside $\theta\psi \le 1$)",
  "derived (hinge loss of Lim and Ye 2017 / Miyato et al. 2018 on the Dirac-GAN)",
  hinge_circle_bound("sqrt(2)"),
  hinge_basin_split("sqrt(2)"))
