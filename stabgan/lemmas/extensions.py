r"""Statements about the methods and optimizers added through the extension API: the hinge
loss, LeCam regularization, R3GAN, symplectic gradient adjustment, unrolled GANs, the
weight average (EMA) and two time-scale updates (TTUR). Each is checked symbolically (what
SymPy derives against the formula stored here) and numerically (an oracle: the ODE, the
simulator, finite differences), like :mod:`stabgan.lemmas.published`.

On the Dirac-GAN with f'(0) = a the unregularized Jacobian is J = [[0, -a], [a, 0]]; the
formulas marked *derived* were worked out by hand from it and are stored as the statement:

* SGA: v + lam A^T v with A = (v' - v'^T)/2 has Jacobian J + lam J^2 = J - lam a^2 I;
* unrolling K discriminator steps of size h: to first order psi_K = psi + K h a theta, and
  the generator's gradient through psi_K(theta) gets 2 K h a^2 theta (K h a^2 from psi_K in
  the loss, K h a^2 from d psi_K / d theta); without differentiating through the steps only
  the first half remains;
* TTUR on R1: the SimGD operator I + H J, H = diag(h_g, h_d), has characteristic polynomial
  z^2 - (2 - h_d gamma) z + 1 - h_d gamma + h_g h_d a^2, inside the unit circle (Jury) iff
  h_g a^2 < gamma and h_d (2 gamma - h_g a^2) < 4.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from .._symbols import HD_SYMBOL, HG_SYMBOL, PSI, THETA, derivative_symbol
from ..analysis.analyze import analyze
from ..analysis.continuous import norm_rate
from .checks import (AttractorIs, ContractionRate, Custom, EigenvaluesAre, NumericJacobianEigenvalues,
                     Ref, VerdictIs)
from .statement import Statement

#: The statements of this module, in order; the registry registers them when first asked.
STATEMENTS: list[Statement] = []

_A = derivative_symbol(1)   # f'(0)


def S(id, statement, source, symbolic, numeric):  # noqa: N802 - reads like a table row
    STATEMENTS.append(Statement(id, statement, source, symbolic, numeric))


def _same(a, b) -> bool:
    return sp.simplify(sp.expand(a - b)) == 0


# -- the hinge loss ----------------------------------------------------------------------------

def _hinge_regions():
    """Symbolic: inside theta psi < 1 the hinge's field is the rotation (-psi, theta), which
    conserves theta^2 + psi^2; outside it is (-psi, 0), along which theta psi decreases
    (d/dt (theta psi) = -psi^2), so the flow returns to the hyperbola; the circle
    theta^2 + psi^2 = 2 meets theta psi = 1 only at (1, 1) and (-1, -1)."""
    v = Ref.of("hinge").build().vector_field
    inside = [c.replace(sp.Heaviside, lambda x, *_: sp.S.One) for c in v]
    outside = [c.replace(sp.Heaviside, lambda x, *_: sp.S.Zero) for c in v]
    conserved = sp.simplify(THETA * inside[0] + PSI * inside[1]) == 0
    back = _same(PSI * outside[0] + THETA * outside[1], -PSI ** 2)
    touch = sp.solve([THETA ** 2 + PSI ** 2 - 2, THETA * PSI - 1], [THETA, PSI], dict=True)
    points = sorted((float(s[THETA]), float(s[PSI])) for s in touch)
    ok = conserved and back and points == [(-1.0, -1.0), (1.0, 1.0)]
    return ok, (f"hinge field inside theta psi < 1: {inside}, d|x|^2/dt = 0: {conserved}; "
                f"outside: {outside}, d(theta psi)/dt = -psi^2: {back}; circle r = sqrt(2) "
                f"meets the hyperbola at {points}")


S("hinge-centre-and-cycle",
  r"Hinge loss on the Dirac-GAN: $v = (-\psi,\ \theta H(1 - \theta\psi))$. Orbits with "
  r"$\theta^2 + \psi^2 \le 2$ are circles (a centre: no convergence); every orbit that starts "
  r"outside slides along $\theta\psi = 1$ and reaches the circle $\theta^2 + \psi^2 = 2$ in "
  r"finite time, a limit cycle attracting from outside",
  "derived (hinge loss of Lim and Ye 2017 / Miyato et al. 2018 on the Dirac-GAN)",
  Custom(_hinge_regions),
  AttractorIs(Ref.of("hinge"), ((0.5, 0.6), (2.0, 1.5), (-2.5, 0.5)),
              ("none", "limit_cycle", "limit_cycle")))

S("hinge-eigenvalues",
  r"Hinge loss: $v'(0,0) = \begin{pmatrix}0 & -1\\ 1 & 0\end{pmatrix}$, "
  r"$\lambda = \pm i$: not locally convergent for any step size of SimGD",
  "derived (hinge loss of Lim and Ye 2017 / Miyato et al. 2018 on the Dirac-GAN)",
  EigenvaluesAre(Ref.of("hinge"), ("-I", "I")),
  NumericJacobianEigenvalues(Ref.of("hinge"), ("-I", "I")))


# -- LeCam ------------------------------------------------------------------------------------

def _lecam_rate():
    """d/dt |x|^2 / 2 = -2 lam theta^2 psi^2 exactly, for every f, with the published anchors."""
    m = Ref.of("lecam", f="general", alpha_r=0).build()
    lam = m.symbols["lam"]
    rate = norm_rate(m.vector_field)
    want = -2 * lam * THETA ** 2 * PSI ** 2
    return _same(rate, want), f"d/dt |x|^2/2 under {m!r}: {rate}; stated {want}"


def _lecam_decay(lam: float = 1.0, T: float = 4000.0, r0sq: float = 0.5):
    """ODE: |x|^2 never increases and |x(T)|^2 = 1 / (1/|x0|^2 + lam T / 2) within 3% (the
    quartic rate averaged over the rotation: theta^2 psi^2 averages to |x|^4 / 8)."""
    from ..oracles.ode import integrate
    m = Ref.of("lecam", lam=lam, alpha_r=0).build()
    x0 = np.sqrt(r0sq / 2)
    o = integrate(m, t_span=(0.0, T), theta0=x0, psi0=x0, t_eval=np.linspace(0.0, T, 2001))
    r2 = o.theta ** 2 + o.psi ** 2
    predicted = 1 / (1 / r0sq + lam * T / 2)
    monotone = bool(np.all(np.diff(r2) <= 1e-15))
    ok = monotone and abs(r2[-1] / predicted - 1) < 0.03
    return ok, (f"ODE of lecam(lam={lam}) from |x0|^2 = {r0sq}: |x(T)|^2 = {r2[-1]:.6g} at T = "
                f"{T:g}, averaged prediction {predicted:.6g}; never increases: {monotone}")


S("tseng21-lecam-jacobian",
  r"LeCam regularization with its published anchors ($\alpha_r = 0$ on the Dirac-GAN) leaves "
  r"the Jacobian of the unregularized GAN unchanged: $\lambda = \pm i f'(0)$ for every "
  r"$\lambda_{LC}$ (the penalty is $\lambda_{LC} (\psi\theta)^2$ + const, quartic)",
  "derived (Tseng et al. CVPR 2021, eq. 3, on the Dirac-GAN)",
  EigenvaluesAre(Ref.of("lecam", f="general", alpha_r=0), ("-I*fp0", "I*fp0")),
  NumericJacobianEigenvalues(Ref.of("lecam", lam=5, alpha_r=0), ("-I/2", "I/2")))

S("tseng21-lecam-slow-convergence",
  r"LeCam on the Dirac-GAN: $\frac{d}{dt}\frac{|x|^2}{2} = -2\lambda_{LC}\theta^2\psi^2 \le 0$, "
  r"so the flow converges, but not exponentially: $|x(t)|^2 \approx 2/(\lambda_{LC} t)$",
  "derived (Tseng et al. CVPR 2021 on the Dirac-GAN)",
  Custom(_lecam_rate), Custom(_lecam_decay))


# -- R3GAN ------------------------------------------------------------------------------------

def _r3gan_is_r1_twice():
    """Fields equal everywhere: r3gan(gamma) = nsgan + R1 at 2 gamma, for every f."""
    r3 = Ref.of("r3gan", f="general").build()
    r1 = Ref.of("r1", f="general", generator="non-saturating").build()
    g3, g1 = r3.symbols["gamma"], r1.symbols["gamma"]
    want = [c.subs(g1, 2 * g3) for c in r1.vector_field]
    ok = all(_same(a, b) for a, b in zip(r3.vector_field, want))
    return ok, f"v[r3gan(gamma)] - v[nsgan + R1(2 gamma)] simplifies to zero: {ok}"


S("hgkt24-r3gan-converges",
  r"R3GAN (relativistic pairing loss + $\frac{\gamma}{2}R_1 + \frac{\gamma}{2}R_2$) is "
  r"locally convergent for every $\gamma > 0$: $\lambda = -\gamma \pm \sqrt{\gamma^2 - "
  r"f'(0)^2}$",
  "Huang, Gokaslan, Kuleshov, Tompkin, NeurIPS 2024 (local convergence of the regularized "
  "RpGAN)",
  EigenvaluesAre(Ref.of("r3gan", f="general"),
                 ("-gamma - sqrt(gamma**2 - fp0**2)", "-gamma + sqrt(gamma**2 - fp0**2)")),
  ContractionRate(Ref.of("r3gan", gamma="0.3"), "simgd", 0.1, steps=1600))

S("r3gan-is-r1-at-twice-gamma",
  r"On the Dirac-GAN R3GAN cannot be told from the non-saturating GAN with $R_1$ at weight "
  r"$2\gamma$: $\nabla_x D = \psi$ at every $x$, so $R_1 = R_2$",
  "derived (Huang et al. 2024 on the Dirac-GAN)",
  Custom(_r3gan_is_r1_twice),
  VerdictIs(Ref.of("r3gan", gamma="0.01"), True))


# -- SGA --------------------------------------------------------------------------------------

_SGA = Ref.of("gan", f="general").plus("adjustment", "sga")

S("bgrlt18-sga-hamiltonian",
  r"Symplectic gradient adjustment on the unregularized GAN (a Hamiltonian game at the "
  r"equilibrium): $\lambda = -\lambda_{SGA} f'(0)^2 \pm i f'(0)$, so SGA with "
  r"$\lambda_{SGA} > 0$ converges where gradient play cycles",
  "Balduzzi, Racaniere, Martens, Foerster, Tuyls, Graepel, ICML 2018 (SGA on Hamiltonian "
  "games)",
  EigenvaluesAre(_SGA, ("-lam*fp0**2 - I*fp0", "-lam*fp0**2 + I*fp0")),
  ContractionRate(Ref.of("gan").plus("adjustment", "sga", lam=1), "simgd", 0.1, steps=1600))


# -- unrolled GANs ----------------------------------------------------------------------------

def _unrolled_jacobian(steps: int, factor: int = 2):
    """v'(0, 0) of gan + unrolled(steps) against the stated matrix with -factor K h f'(0)^2
    in the corner (2: differentiating through the steps; 1 would be the stop-gradient
    variant, a wrong statement the check must refuse)."""
    def run():
        m = Ref.of("gan", f="general").plus("adjustment", "unrolled", steps=steps).build()
        h = m.symbols["h_unroll"]
        J = analyze(m).jacobian
        want = sp.Matrix([[-factor * steps * h * _A ** 2, -_A], [_A, 0]])
        ok = all(_same(a, b) for a, b in zip(J, want))
        return ok, f"v'(0,0) of gan + unrolled(steps={steps}): {J.tolist()}; stated {want.tolist()}"
    return Custom(run)


S("mpps17-unrolled-damping",
  r"Unrolling $K$ discriminator steps of size $h$ and differentiating through them damps "
  r"the generator: $v'(0,0) = \begin{pmatrix}-2Khf'(0)^2 & -f'(0)\\ f'(0) & 0\end{pmatrix}$, "
  r"locally convergent for every $h > 0$",
  "derived (Metz, Poole, Pfau, Sohl-Dickstein, ICLR 2017, on the Dirac-GAN)",
  _unrolled_jacobian(3),
  ContractionRate(Ref.of("gan").plus("adjustment", "unrolled", steps=2, h="0.2"), "simgd",
                  0.1, steps=1600))


# -- the weight average (EMA) -----------------------------------------------------------------

def _ema_spectrum(times: int = 2):
    """The joint operator of (raw, average) has the raw operator's eigenvalues and beta twice;
    on a cycle z = e^{i w} the average's amplitude is |(1 - beta) z / (z - beta)| times the
    raw one."""
    beta = sp.Rational(9, 10)
    a = analyze(Ref.of("bilinear").build(), scheme="altgd", h="0.5", ema=beta)
    ema = a.discrete["ema"]
    added = sorted(sp.nsimplify(e) for e in ema["added_eigenvalues"])
    z = sp.Symbol("z")
    transfer = sp.sympify(ema["transfer_function"]["sympy"]) if isinstance(
        ema["transfer_function"], dict) else ema["transfer_function"]
    free = sorted(transfer.free_symbols, key=str)
    zz = free[0] if free else z
    want = (1 - beta) * zz / (zz - beta)
    ok = added == [beta] * times and _same(transfer, want)
    return ok, f"EMA beta = 9/10: added eigenvalues {added}; transfer function {transfer}"


def _ema_cycle_amplitude():
    """AltGD on the bilinear game with h = 1/2 cycles (spectrum on the unit circle); over
    30000 steps the average's amplitude over the raw one matches |(1 - beta) z / (z - beta)|
    at the operator's eigenvalue z (to 1e-2)."""
    from ..oracles.simulate import simulate
    beta, h = 0.9, 0.5
    r = simulate(Ref.of("bilinear").build(), scheme="altgd", h=h, steps=30000, theta0=1.0,
                 psi0=0.0, ema=beta, record_every=1)
    raw = np.hypot(np.ravel(r.history_theta), np.ravel(r.history_psi))[5000:]
    avg = np.hypot(np.ravel(r.history_theta_ema), np.ravel(r.history_psi_ema))[5000:]
    measured = float(np.sqrt(np.mean(avg ** 2) / np.mean(raw ** 2)))
    M = np.array([[1.0, -h], [h, 1.0 - h * h]])   # AltGD on V = theta psi, generator first
    z = np.linalg.eigvals(M)[0]
    gain = abs((1 - beta) * z / (z - beta))
    ok = abs(z) == abs(z) and abs(abs(z) - 1) < 1e-12 and abs(measured - gain) < 1e-2
    return ok, (f"AltGD h = {h} on bilinear, |z| = {abs(z):.12f}: amplitude ratio average/raw "
                f"{measured:.4f}, |(1 - beta) z/(z - beta)| = {gain:.4f}")


S("ema-adds-beta",
  r"An exponential moving average $\bar x_{k+1} = \beta\bar x_k + (1-\beta)x_{k+1}$ adds the "
  r"eigenvalue $\beta$ (twice) to the update operator and leaves the raw iterate's "
  r"convergence unchanged; on a cycle with eigenvalue $z$, $|z| = 1$, it scales the "
  r"amplitude by $\left|\frac{(1-\beta)z}{z-\beta}\right|$",
  "derived (the weight average of Yazici et al., ICLR 2019, as a linear filter)",
  Custom(_ema_spectrum), Custom(_ema_cycle_amplitude))


# -- TTUR -------------------------------------------------------------------------------------

def _ttur_symbolic(h_g_in_second: bool = True):
    """The derived condition is c1 & c2 with c1 = k1 (gamma - a^2 h_g) > 0 and
    c2 = k2 (gamma - a^2 h_g)(4 - 2 gamma h_d + a^2 h_g h_d) > 0 for positive constants k1, k2:
    given c1, c2 holds iff 4 - 2 gamma h_d + a^2 h_g h_d > 0, the stated condition."""
    m = Ref.of("r1", f="general").build()
    gamma = m.symbols["gamma"]
    a = analyze(m, scheme="simgd", h_g=HG_SYMBOL, h_d=HD_SYMBOL)
    first = gamma - _A ** 2 * HG_SYMBOL
    second = 4 - 2 * gamma * HD_SYMBOL + (_A ** 2 * HG_SYMBOL * HD_SYMBOL if h_g_in_second else 0)
    parts = list(a.condition.args) if isinstance(a.condition, sp.And) else [a.condition]
    ratios = []
    for part in parts:
        if not isinstance(part, sp.StrictGreaterThan) or part.rhs != 0:
            return False, f"derived condition {a.condition} is not of the form (...) > 0 & ..."
        ratios.append([sp.simplify(part.lhs / d) for d in (first, first * second)])
    # each part is a positive constant times one of the two stated factors' products
    found = sorted(next((k for k, r in enumerate(rs) if r.is_number and r > 0), -1)
                   for rs in ratios)
    ok = found == [0, 1]
    return ok, (f"derived condition for SimGD on {m!r} with (h_g, h_d): {a.condition}; stated "
                f"({first} > 0) & ({second} > 0): each derived part is a positive multiple of "
                f"the stated ones: {ok}")


def _ttur_numeric():
    """SimGD on R1 (gamma = 1, f'(0) = 1/2): with h_d = 0.5 the generator's step converges
    just below gamma / f'(0)^2 = 4 and grows just above it; with h_g = 1 the
    discriminator's converges below 4 / (2 gamma - h_g f'(0)^2) = 16/7 and grows above."""
    from ..oracles.simulate import simulate
    m = Ref.of("r1", gamma=1).build()
    th0 = np.array([1e-3, -1e-3, 5e-4])
    ps0 = np.array([0.0, 1e-3, -5e-4])
    start = np.hypot(th0, ps0)
    cases = [((3.96, 0.5), True), ((4.04, 0.5), False),
             ((1.0, 16 / 7 * 0.99), True), ((1.0, 16 / 7 * 1.01), False)]
    out, ok = [], True
    for (hg, hd), converges in cases:
        r = simulate(m, scheme="simgd", h_g=hg, h_d=hd, steps=20000, theta0=th0, psi0=ps0)
        got = bool(np.all(r.distance < 1e-3 * start)) if converges else bool(
            np.all((r.distance > start) | r.diverged))
        ok &= got
        out.append(f"(h_g, h_d) = ({hg:.4g}, {hd:.4g}): |x| {np.max(r.distance):.1e}")
    return ok, "SimGD on r1(gamma=1): " + "; ".join(out)


S("hrunh17-ttur-r1",
  r"Two time-scale SimGD on R1 ($H = \mathrm{diag}(h_g, h_d)$) is locally convergent iff "
  r"$h_g f'(0)^2 < \gamma$ and $h_d(2\gamma - h_g f'(0)^2) < 4$: the generator's step is "
  r"capped by $\gamma/f'(0)^2$ whatever the discriminator's",
  "derived (two time-scale updates of Heusel et al., NeurIPS 2017, on the Dirac-GAN)",
  Custom(_ttur_symbolic),
  Custom(_ttur_numeric))
