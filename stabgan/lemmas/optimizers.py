r"""Statements about the optimizers proposed against non-convergence: extragradient, OGDA,
heavy-ball momentum, lookahead and lazy regularization (each checked symbolically and
numerically, like ``stabgan.lemmas.published``).

Sources: Korpelevich 1976 and Gidel, Berard, Vignoud, Vincent, Lacoste-Julien (ICLR 2019,
"A Variational Inequality Perspective on GANs") for extragradient; Daskalakis, Ilyas,
Syrgkanis, Zeng (ICLR 2018, "Training GANs with Optimism") for OGDA; Gidel, Askari Hemmat,
Pezeshki, Le Priol, Huang, Lacoste-Julien, Mitliagkas (AISTATS 2019, "Negative Momentum for
Improved Game Dynamics"); Chavdarova, Pagliardini, Stich, Fleuret, Jaggi (ICLR 2021,
"Taming GANs with Lookahead-Minmax"); Karras et al. (CVPR 2020, StyleGAN2) for lazy
regularization. The formulas marked ``derived`` were worked out by hand for the Dirac-GAN
(J = [[0, -f'(0)], [f'(0), 0]] for the unregularized GAN) and are stored as the statement.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..analysis.analyze import analyze
from .checks import (ContractionRate, Custom, EigenvaluesAre, Ref, StepBoundIs,
                     TrajectoriesAtBound, VerdictIs)
from .statement import Statement

GIDEL19 = "Gidel, Berard, Vignoud, Vincent, Lacoste-Julien, ICLR 2019"


#: The statements of this module, in order; the registry registers them when first asked.
STATEMENTS: list[Statement] = []


def S(id, statement, source, symbolic, numeric):  # noqa: N802 - reads like a table row
    STATEMENTS.append(Statement(id, statement, source, symbolic, numeric))


def _both(*checks):
    """All of the checks (a statement has one symbolic and one numeric slot)."""
    def run():
        results = [c() for c in checks]
        return all(ok for ok, _ in results), "; ".join(text for _, text in results)
    return Custom(run)


def _simulated(ref: Ref, scheme: str, h: float, expect: str, steps: int = 3000, **options):
    """Trajectories from 4 starts near the equilibrium converge (``expect="converge"``) or
    end farther out than they started (``"grow"``)."""
    def run():
        from ..oracles.simulate import simulate
        th0 = np.array([1e-3, -1e-3, 5e-4, 0.0])
        ps0 = np.array([0.0, 1e-3, -5e-4, 1e-3])
        r = simulate(ref.build(), scheme=scheme, h=h, steps=steps, theta0=th0, psi0=ps0,
                     **options)
        start = np.hypot(th0, ps0)
        if expect == "converge":
            ok = bool(np.all(r.distance < 1e-6 * start))
        else:
            ok = bool(np.all((r.distance > start) | r.diverged))
        return ok, (f"{scheme} {options} h={h} on {ref}, {steps} steps from |x0| <= 1.4e-3: "
                    f"final |x| {np.array2string(r.distance, precision=2)}, expected to {expect}")
    return Custom(run)


# -- extragradient ------------------------------------------------------------------------------
S("eg-gan-converges",
  r"Extragradient converges on the unregularized Dirac-GAN for small steps: with $h_e = h$ the "
  r"eigenvalues are $1 - f'(0)^2 h^2 \pm i h |f'(0)|$, so $h_{\max} = 1/|f'(0)|$ (logistic: 2), "
  r"while SimGD converges for no $h > 0$",
  f"Korpelevich 1976; {GIDEL19}; eigenvalues derived",
  _both(EigenvaluesAre(Ref.of("gan", f="general"),
                       ("1 - fp0**2*h**2 - I*h*Abs(fp0)", "1 - fp0**2*h**2 + I*h*Abs(fp0)"),
                       scheme="extragradient"),
        StepBoundIs(Ref.of("gan"), "extragradient", "h_max", "2"),
        StepBoundIs(Ref.of("gan"), "simgd", "h_max", None)),
  _both(TrajectoriesAtBound(Ref.of("gan"), "extragradient"),
        _simulated(Ref.of("gan"), "simgd", 0.5, "grow", steps=500),
        _simulated(Ref.of("gan"), "extragradient", 0.5, "converge")))


# -- OGDA ---------------------------------------------------------------------------------------
def _ogda_symbolic():
    """On the bilinear game (J = [[0, -1], [1, 0]]) OGDA's update operator on (x, g_prev) has
    the eigenvalues z with z^2 - (1 + 2 i h w) z + i h w = 0, w = +-1 (derived from the
    scalar recurrence); inside the unit circle for small h (h_max = sqrt(3)/3)."""
    def run():
        a = analyze(Ref.of("bilinear").build(), scheme="ogda")
        z = sp.Symbol("z")
        h = sp.Symbol("h", positive=True)
        want = sp.expand(sp.prod([z ** 2 - (1 + 2 * sp.I * h * w) * z + sp.I * h * w
                                  for w in (1, -1)]))
        got = a.discrete["charpoly"]
        same = sp.expand(got - want) == 0
        bound = a.h_max
        ok = same and bound is not None and sp.simplify(bound - sp.sqrt(3) / 3) == 0
        return ok, (f"OGDA on bilinear: derived characteristic polynomial {sp.sstr(got)} "
                    f"{'equals' if same else 'differs from'} prod_w (z^2 - (1 + 2ihw) z + ihw); "
                    f"h_max = {bound} (expected sqrt(3)/3)")
    return Custom(run)


S("ogda-bilinear-last-iterate",
  r"OGDA's last iterate converges on the bilinear game $\theta\psi$: "
  r"$x_{k+1} = x_k + 2h v(x_k) - h v(x_{k-1})$ has $\rho < 1$ for $0 < h < \sqrt 3/3$, where "
  r"SimGD diverges",
  "Daskalakis, Ilyas, Syrgkanis, Zeng, ICLR 2018 (h_max derived)",
  _ogda_symbolic(),
  _both(ContractionRate(Ref.of("bilinear"), "ogda", 0.3, steps=600),
        _simulated(Ref.of("bilinear"), "ogda", 0.3, "converge", steps=1500),
        _simulated(Ref.of("bilinear"), "simgd", 0.3, "grow", steps=300)))


# -- heavy-ball momentum ------------------------------------------------------------------------
def _momentum_simgd_symbolic():
    """The update operator's characteristic polynomial (derived by the package from the rule)
    factors over Q(i) into z^2 - (1 + beta + i h w) z + beta per eigenvalue i w of J; the
    Schur-Cohn quantity (1 - |a_0|^2)^2 - |a_1 - conj(a_1) a_0|^2 of that quadratic is
    -(1 + beta)^2 h^2 w^2 < 0 (derived by hand), so no beta, h > 0 gives convergence; the
    package's own decision on the quartic says False for every real beta."""
    def run():
        beta = sp.Symbol("beta", real=True)
        a = analyze(Ref.of("gan", f="general").build(), scheme="simgd", momentum=beta)
        z, h = sp.Symbol("z"), sp.Symbol("h", positive=True)
        w = sp.Symbol("fp0", real=True)   # f'(0); the eigenvalues of J are +- i w
        got = a.discrete["charpoly"]
        want = sp.expand((z ** 2 - (1 + beta + sp.I * h * w) * z + beta)
                         * (z ** 2 - (1 + beta - sp.I * h * w) * z + beta))
        got_ = sp.expand(got.subs({s: w for s in got.free_symbols if s.name == "fp0"}))
        same = sp.expand(got_ - want) == 0
        a1, a0 = -(1 + beta + sp.I * h * w), beta
        quantity = sp.expand((1 - a0 ** 2) ** 2 - sp.expand((a1 - sp.conjugate(a1) * a0)
                                                            * sp.conjugate(a1 - sp.conjugate(a1) * a0)))
        published = -(1 + beta) ** 2 * h ** 2 * w ** 2
        ok_q = sp.simplify(quantity - sp.expand(published)) == 0
        logistic = analyze(Ref.of("gan").build(), scheme="simgd", momentum=beta)
        ok = same and ok_q and logistic.locally_convergent is False
        return ok, (f"simultaneous heavy ball on gan: charpoly {'=' if same else '!='} product of "
                    f"the two complex quadratics; Schur-Cohn quantity {sp.factor(quantity)} "
                    f"(published -(1 + beta)^2 h^2 f'(0)^2); package verdict for all real beta "
                    f"and h > 0 (logistic): {logistic.locally_convergent}")
    return Custom(run)


def _momentum_simgd_numeric():
    """The simulator: no (beta, h) on a grid converges; every trajectory ends at least as far
    out as it started."""
    def run():
        from ..oracles.simulate import simulate
        betas = np.array([-0.9, -0.5, -0.2, 0.0, 0.3, 0.6, 0.9])
        hs = np.array([0.05, 0.2, 0.5, 1.0, 2.0])
        worst = np.inf
        for beta in betas:
            r = simulate(Ref.of("gan").build(), scheme="simgd", momentum=float(beta), h=hs,
                         steps=2000, theta0=1e-3, psi0=0.0)
            worst = min(worst, float(np.min(np.where(r.diverged, np.inf, r.distance))))
        ok = worst >= 1e-3 * (1 - 1e-9)
        return ok, (f"simultaneous heavy ball on gan, beta in {betas.tolist()}, h in "
                    f"{hs.tolist()}, 2000 steps from |x0| = 1e-3: smallest final |x| {worst:.4e}")
    return Custom(run)


S("momentum-simgd-never",
  r"Simultaneous heavy-ball momentum does not converge on the unregularized Dirac-GAN for any "
  r"$\beta \in (-1, 1)$ and $h > 0$",
  "Gidel et al., AISTATS 2019 (Schur-Cohn quantity derived)",
  _momentum_simgd_symbolic(), _momentum_simgd_numeric())

S("momentum-altgd-negative",
  r"Alternating updates with negative momentum converge on the unregularized Dirac-GAN for a "
  r"range of $h$: logistic f, $\beta = -1/2$: $h_{\max} = 2$; with $\beta = 0$ AltGD stays on "
  r"the unit circle",
  "Gidel et al., AISTATS 2019 (h_max derived)",
  _both(StepBoundIs(Ref.of("gan"), "altgd", "h_max", "2", (("momentum", "-1/2"),)),
        VerdictIs(Ref.of("gan"), "marginal", "altgd", (("h", "1/2"),))),
  _both(TrajectoriesAtBound(Ref.of("gan"), "altgd", (("momentum", -0.5),), steps=6000),
        ContractionRate(Ref.of("gan"), "altgd", 1.0, (("momentum", -0.5),), steps=600)))


# -- lookahead ----------------------------------------------------------------------------------
S("lookahead-simgd-gan",
  r"Lookahead over SimGD converges on the unregularized Dirac-GAN where SimGD alone diverges: "
  r"the eigenvalues are $1 - \alpha + \alpha (1 \pm i h f'(0))^k$ (k = 5, $\alpha = 1/2$, "
  r"logistic f)",
  "Chavdarova, Pagliardini, Stich, Fleuret, Jaggi, ICLR 2021 (eigenvalues derived)",
  _both(EigenvaluesAre(Ref.of("gan"), ("1/2 + (1 + I*h/2)**5/2", "1/2 + (1 - I*h/2)**5/2"),
                       scheme="lookahead"),
        VerdictIs(Ref.of("gan"), True, "lookahead", (("h", "1/2"),)),
        VerdictIs(Ref.of("gan"), False, "simgd", (("h", "1/2"),))),
  _both(ContractionRate(Ref.of("gan"), "lookahead", 0.5, steps=1000),
        _simulated(Ref.of("gan"), "lookahead", 0.5, "converge", steps=4000),
        _simulated(Ref.of("gan"), "simgd", 0.5, "grow", steps=500)))


# -- extragradient = SimGD on the consensus field -----------------------------------------------
def _eg_consensus_symbolic():
    """M_EG = I + h J (I + h_e J) (derived by the package from the rule) against I + h J_c
    with J_c = J - gamma J^T J, gamma = h_e (Mescheder, Nowozin, Geiger 2017): equal for
    the unregularized GAN (J^T = -J), different for R1 by h h_e (J + J^T) J."""
    def run():
        he = sp.Symbol("h_e", positive=True)
        h = sp.Symbol("h", positive=True)
        out, texts = [], []
        for ref, equal in ((Ref.of("gan", f="general"), True), (Ref.of("r1", f="general"), False)):
            m = ref.build()
            J = analyze(m).jacobian
            eg = analyze(m, scheme="extragradient", h_e=he).jacobian
            consensus = sp.eye(2) + h * (J - he * J.T * J)
            diff = (eg - consensus).applyfunc(sp.simplify)
            predicted = (h * he * (J + J.T) * J).applyfunc(sp.simplify)
            out.append((diff == sp.zeros(2, 2)) is equal and
                       (diff - predicted).applyfunc(sp.simplify) == sp.zeros(2, 2))
            texts.append(f"{ref}: M_EG - (I + h J_c) = {sp.sstr(diff)}")
        # and the consensus method's own derivation at gamma = h_e
        c = analyze(Ref.of("consensus", f="general").build(), scheme="simgd").jacobian
        gamma = [s for s in c.free_symbols if s.name == "gamma"][0]
        eg_gan = analyze(Ref.of("gan", f="general").build(), scheme="extragradient",
                         h_e=he).jacobian
        same = (c.subs(gamma, he) - eg_gan).applyfunc(sp.simplify) == sp.zeros(2, 2)
        texts.append(f"consensus method under SimGD at gamma = h_e equals EG on gan: {same}")
        return all(out) and same, "; ".join(texts)
    return Custom(run)


def _eg_consensus_numeric():
    """Simulated: EG on the GAN and SimGD on the consensus method (gamma = h_e) from the same
    starts near the equilibrium agree to second order; for R1 and R1 + consensus (by the
    formula) they do not."""
    def run():
        from ..oracles.simulate import simulate
        th0 = np.array([1e-4, -2e-4, 5e-5])
        ps0 = np.array([1e-4, 1e-4, -1e-4])
        eg = simulate(Ref.of("gan").build(), scheme="extragradient", h=0.5, h_e=0.3, steps=20,
                      theta0=th0, psi0=ps0)
        cons = simulate(Ref.of("consensus", gamma=0.3).build(), scheme="simgd", h=0.5,
                        steps=20, theta0=th0, psi0=ps0)
        scale = np.hypot(eg.theta, eg.psi)
        rel = float(np.max(np.hypot(eg.theta - cons.theta, eg.psi - cons.psi) / scale))
        eg_r1 = simulate(Ref.of("r1", gamma=1).build(), scheme="extragradient", h=0.5, h_e=0.3,
                         steps=20, theta0=th0, psi0=ps0)
        # SimGD on R1's field plus the consensus term, linearized: I + h (J - h_e J^T J)
        J = np.array([[0.0, -0.5], [0.5, -1.0]])
        A = np.eye(2) + 0.5 * (J - 0.3 * J.T @ J)
        x = np.vstack([th0, ps0])
        for _ in range(20):
            x = A @ x
        rel_r1 = float(np.max(np.hypot(eg_r1.theta - x[0], eg_r1.psi - x[1])
                              / np.hypot(x[0], x[1])))
        ok = rel < 1e-6 and rel_r1 > 1e-2
        return ok, (f"20 steps from |x0| ~ 1e-4, h = 0.5, h_e = gamma = 0.3: relative gap EG(gan) "
                    f"vs SimGD(consensus) {rel:.1e}; EG(r1) vs SimGD on r1 + consensus "
                    f"{rel_r1:.1e}")
    return Custom(run)


S("eg-is-consensus",
  r"At the unregularized equilibrium, extragradient with extrapolation $h_e$ equals SimGD on "
  r"the consensus field with $\gamma = h_e$; with R1 it does not (the gap is "
  r"$h h_e (J + J^T) J$)",
  "derived (cf. Mescheder, Nowozin, Geiger 2017; Gidel et al. ICLR 2019)",
  _eg_consensus_symbolic(), _eg_consensus_numeric())


# -- lazy regularization ------------------------------------------------------------------------
def _lazy_symbolic():
    def run():
        m = Ref.of("r1", gamma=1).build()
        every = analyze(m, scheme="simgd")
        lazy = analyze(m, scheme="simgd", lazy_every=4)
        h = sp.Rational(1, 2)
        v_every = analyze(m, scheme="simgd", h=h).locally_convergent
        v_lazy = analyze(m, scheme="simgd", h=h, lazy_every=4).locally_convergent
        ok = (every.h_max == 4 and lazy.h_max is not None and lazy.h_max < 1 / 2
              and v_every is True and v_lazy is False)
        return ok, (f"R1 (gamma = 1) under SimGD: h_max = {every.h_max} every step, "
                    f"{sp.sstr(lazy.h_max)} = {float(lazy.h_max):.6f} with lazy_every = 4; at "
                    f"h = 1/2 every-step {v_every}, lazy {v_lazy}")
    return Custom(run)


S("lazy-r1-loses",
  r"Lazy R1 (penalty $4\gamma$ on every 4th step) loses convergence at step sizes where "
  r"every-step R1 converges: $\gamma = 1$, SimGD: $h_{\max}$ drops from 4 to 0.4502",
  "Karras et al., CVPR 2020 (StyleGAN2's lazy regularization); derived",
  _lazy_symbolic(),
  _both(TrajectoriesAtBound(Ref.of("r1", gamma=1), "simgd", (("lazy_every", 4),), steps=4000),
        _simulated(Ref.of("r1", gamma=1), "simgd", 0.5, "converge", steps=2000),
        _simulated(Ref.of("r1", gamma=1), "simgd", 0.5, "grow", steps=2000, lazy_every=4)))
