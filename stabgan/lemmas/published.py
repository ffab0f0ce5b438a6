"""The published statements of the lemma suite (data: formulas as the papers state them).

Sources: Mescheder, Geiger, Nowozin 2018 (MGN18, arXiv:1801.04406); Mescheder, Nowozin,
Geiger 2017 (MNG17, The Numerics of GANs, arXiv:1705.10461); Nagarajan and Kolter 2017 (NK17,
arXiv:1706.04156); Roth et al. 2017 (arXiv:1705.09367); Jolicoeur-Martineau 2018
(arXiv:1807.00734); the lecture notes "GAN training pathologies". ``derived`` marks facts
the package proves about the Dirac-GAN; their formulas were worked out by hand and are
stored here as the statement the package's own derivation is compared with.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..analysis.analyze import analyze
from .checks import (AttractorIs, Conserved, ContractionRate, CriticalIs, Custom, EigenvaluesAre,
                     FieldsEqual, JacobianIs, NormGrowsEveryStep, NumericJacobianEigenvalues,
                     OdeConserves, Ref, StepBoundIs, TrajectoriesAtBound, VerdictIs, _fd_jacobian,
                     expr)
from .statement import Statement
from .._symbols import PSI, THETA

MGN18 = "Mescheder, Geiger, Nowozin 2018"
LOGISTIC = (("fp0", "1/2"), ("fpp0", "-1/4"))


#: The statements of this module, in order; the registry registers them when first asked.
STATEMENTS: list[Statement] = []


def S(id, statement, source, symbolic, numeric):  # noqa: N802 - reads like a table row
    STATEMENTS.append(Statement(id, statement, source, symbolic, numeric))


# -- helpers for the few statements that need a custom comparison ---------------------------

def _nonsmooth_side(ref: Ref, side: str):
    a = analyze(ref.build())
    if a.nonsmooth is None:
        return None
    return a.nonsmooth["one_sided"][side]["equilibria"]


def _one_sided(ref: Ref, theta_b: str, psipsi: str, kind: str):
    def run():
        eqs = _nonsmooth_side(ref, "psi->0+")
        if not eqs:
            return False, f"{ref}: no one-sided equilibrium on psi -> 0+ (or no jump)"
        e = eqs[0]
        got_theta = sp.sympify(e["theta"]["sympy"])
        got_pp = sp.sympify(e["jacobian"]["sympy"][1][1])
        ok = (sp.simplify(got_theta - expr(theta_b)) == 0
              and sp.simplify(got_pp - expr(psipsi)) == 0 and e["type"] == kind)
        return ok, (f"{ref}: Jacobian null; one-sided equilibrium (theta_b, 0+) = ({got_theta}, 0), "
                    f"psi-psi entry {got_pp}, type {e['type']}; published theta_b = {theta_b}, "
                    f"entry {psipsi}, {kind}")
    return Custom(run)


def _no_jacobian_but_cycle(ref: Ref):
    def run():
        a = analyze(ref.build())
        return (a.jacobian is None and a.locally_convergent is False
                and a.nonsmooth is not None), (f"{ref}: jacobian {a.jacobian}, locally_convergent "
                                               f"{a.locally_convergent}, nonsmooth present: "
                                               f"{a.nonsmooth is not None}")
    return Custom(run)


def _fields_agree_numerically(a: Ref, b: Ref, factor: float = 1.0):
    def run():
        rng = np.random.default_rng(3)
        th, ps = rng.uniform(-3, 3, (2, 50))
        va, vb = a.build().field(th, ps), b.build().field(th, ps)
        err = max(float(np.max(np.abs(x - factor * y))) for x, y in zip(va, vb))
        return err < 1e-12, (f"numeric fields of {a} and {factor:g} x {b} at 50 random points: "
                             f"max difference {err:.1e}")
    return Custom(run)


def _critical_numeric(ref_of, parameter: str, value: float):
    """Eigenvalues of the finite-difference Jacobian are complex just below the critical value
    and real just above."""
    def run():
        below = np.linalg.eigvals(_fd_jacobian(ref_of(0.98 * value).build()))
        above = np.linalg.eigvals(_fd_jacobian(ref_of(1.02 * value).build()))
        ok = np.all(np.abs(below.imag) > 1e-4) and np.all(np.abs(above.imag) < 1e-9)
        return bool(ok), (f"finite-difference eigenvalues at {parameter} = 0.98 x {value:g}: "
                          f"{np.round(below, 6).tolist()}; at 1.02 x: {np.round(above, 6).tolist()}")
    return Custom(run)


def _hurwitz_structure(full_rank: bool):
    """MGN18 Theorem A.7 on J = [[0, -B^T], [B, -Q]]: symbolic (2 x 2, the package's Routh-Hurwitz
    routine) and numeric (random 4 x 4 blocks)."""
    def symbolic():
        from ..analysis.criteria import decide, hurwitz_conditions
        b, q = sp.symbols("b q", positive=True)
        J = sp.Matrix([[0, -b], [b, -q]]) if full_rank else sp.Matrix([[0, 0], [0, -q]])
        verdict, cond = decide(hurwitz_conditions(J.charpoly(sp.Symbol("x")).all_coeffs()))
        ok = verdict is True if full_rank else verdict is False
        scope = ("only the scalar case (B = b, Q = q, J 2 x 2; the numeric check takes 2 x 2 "
                 "blocks): ")
        return ok, (scope + f"Routh-Hurwitz on J = {sp.sstr(J)} with q > 0"
                    + (", b != 0" if full_rank else ", B = 0 (rank 0)") + f": verdict {verdict}")

    def numeric():
        rng = np.random.default_rng(11)
        worst = []
        for _ in range(200):
            A = rng.normal(size=(2, 2))
            Q = A @ A.T + 0.1 * np.eye(2)
            B = rng.normal(size=(2, 2))
            if not full_rank:
                B[:, 1] = 0.7 * B[:, 0]
            J = np.block([[np.zeros((2, 2)), -B.T], [B, -Q]])
            worst.append(np.max(np.linalg.eigvals(J).real))
        worst = float(np.max(worst))
        ok = worst < 0 if full_rank else worst > -1e-12
        return ok, (f"200 random J with Q SPD and B {'of full column rank' if full_rank else 'of rank 1'}: "
                    f"largest real part of any eigenvalue {worst:.2e}")
    return Custom(symbolic), Custom(numeric)


def _simgd_step_lemma(ref: Ref):
    """MNG17: SimGD converges iff h < -2 Re(lambda)/|lambda|^2 for every eigenvalue of J."""
    def run():
        a = analyze(ref.build())
        bound = sp.Min(*[sp.simplify(-2 * sp.re(l) / sp.Abs(l) ** 2) for l in a.eigenvalues])
        h_max = analyze(ref.build(), scheme="simgd").h_max
        ok = abs(float(bound) - float(h_max)) < 1e-12
        return ok, f"{ref}: min over eigenvalues of -2 Re(lambda)/|lambda|^2 = {sp.nsimplify(bound)}, h_max = {h_max}"
    return Custom(run)


def _altgd_order_independent():
    def symbolic():
        r = Ref.of("r1", f="general")
        a = analyze(r.build(), scheme="altgd", n_g=2, n_d=3)
        b = analyze(r.build(), scheme="altgd", n_g=2, n_d=3, order="discriminator-first")
        x = sp.Symbol("x")
        pa, pb = a.jacobian.charpoly(x).as_expr(), b.jacobian.charpoly(x).as_expr()
        ok = sp.simplify(pa - pb) == 0
        return ok, "characteristic polynomials of F' for generator-first and discriminator-first " \
                   f"(r1, general f, n_g = 2, n_d = 3, h symbolic) agree: {ok}"

    def numeric():
        from ..oracles.simulate import simulate
        m = Ref.of("r1", gamma=0.3).build()
        rates = []
        for order in ("generator-first", "discriminator-first"):
            r = simulate(m, scheme="altgd", h=0.3, n_g=2, n_d=3, order=order, steps=300,
                         theta0=1e-6, psi0=1e-6, record_every=1)
            d = np.hypot(r.history_theta, r.history_psi)
            rates.append(float(np.exp(np.polyfit(np.arange(150, 301), np.log(d[150:]), 1)[0])))
        ok = abs(rates[0] - rates[1]) < 1e-3 * rates[0]
        return ok, f"fitted contraction rates, generator-first {rates[0]:.8f}, discriminator-first {rates[1]:.8f}"
    return Custom(symbolic), Custom(numeric)


def _altgd_defective():
    def symbolic():
        a = analyze(Ref.of("gan").build(), scheme="altgd", h=4)
        M = a.jacobian
        eig = [sp.simplify(e) for e in a.eigenvalues]
        defective = (M + sp.eye(2)) != sp.zeros(2)
        ok = eig == [-1, -1] and defective
        return ok, f"AltGD on the GAN (logistic) at h = 4 (alpha = 2): F' = {sp.sstr(M)}, eigenvalues {eig}, F' + I != 0: {defective}"

    def numeric():
        from ..oracles.simulate import simulate
        r = simulate(Ref.of("gan").build(), scheme="altgd", h=4.0, steps=2000, theta0=1e-6,
                     psi0=0.0, record_every=1000)
        d = np.hypot(r.history_theta, r.history_psi)
        ratio = float(d[2] / d[1])
        return abs(ratio - 2) < 0.05, f"|x_2000| / |x_1000| = {ratio:.4f} (linear growth: about 2)"
    return Custom(symbolic), Custom(numeric)


def _altgd_invariant():
    q = "theta**2 + psi**2 - h*theta*psi"

    def symbolic():
        from .._symbols import H_SYMBOL
        a = analyze(Ref.of("bilinear").build(), scheme="altgd")
        M = a.jacobian  # linear field: the update is exactly x -> M x
        Q = expr(q)
        x = sp.Matrix([THETA, PSI])
        new = M * x
        after = Q.subs({THETA: new[0], PSI: new[1]}, simultaneous=True)
        ok = sp.simplify(after - Q) == 0
        return ok, (f"Q = {q} after one AltGD step of the linear field ({H_SYMBOL} symbolic): "
                    f"Q(F(x)) - Q(x) = {sp.simplify(after - Q)}")

    def numeric():
        from ..oracles.simulate import simulate
        r = simulate(Ref.of("bilinear").build(), scheme="altgd", h=0.5, steps=5000, theta0=0.7,
                     psi0=-0.2, record_every=1)
        Q = r.history_theta ** 2 + r.history_psi ** 2 - 0.5 * r.history_theta * r.history_psi
        drift = float(np.max(np.abs(Q - Q[0])))
        return drift < 1e-12, f"AltGD h = 0.5, 5000 steps: max drift of Q {drift:.1e}"
    return Custom(symbolic), Custom(numeric)


def _noise_r1_equivalence(spec_variant=None, damping_factor: str = "1"):
    """Instance noise (both sides) has the Jacobian of R1 with gamma = -2 f''(0) sigma^2."""
    def symbolic():
        from ..model.method import method
        noise = analyze(method(spec_variant, f="general") if spec_variant is not None
                        else Ref.of("instance-noise", f="general").build()).jacobian
        r1 = analyze(Ref.of("r1", f="general").build()).jacobian
        gamma = sp.Symbol("gamma", nonnegative=True)
        sigma, fpp0 = expr("sigma"), expr("fpp0")
        r1 = r1.subs(gamma, expr(damping_factor) * -2 * fpp0 * sigma ** 2)
        ok = sp.simplify(noise - r1) == sp.zeros(2)
        return ok, f"J(instance noise) = {sp.sstr(noise)} vs J(R1, gamma = {damping_factor} x (-2 f''(0) sigma^2)) = {sp.sstr(r1)}"

    def numeric():
        from ..model.method import method
        m = (method(spec_variant, sigma=0.8) if spec_variant is not None
             else Ref.of("instance-noise", sigma=0.8).build())
        gamma = float(expr(damping_factor)) * 2 * 0.25 * 0.64
        Jn = _fd_jacobian(m)
        Jr = _fd_jacobian(Ref.of("r1", gamma=gamma).build())
        err = float(np.max(np.abs(Jn - Jr)))
        return err < 1e-8, f"finite-difference Jacobians, sigma = 0.8 vs gamma = {gamma:g}: max difference {err:.1e}"
    return Custom(symbolic), Custom(numeric)


def _two_step_sizes():
    """SimGD with R1, gamma = 3/10, h_g = 1/10: convergent iff h_d < 160/23 (by hand:
    p(-1) = 4 - 2 h_d gamma + h_g h_d f'(0)^2 > 0 binds)."""
    def symbolic():
        a = analyze(Ref.of("r1", gamma="3/10").build(), scheme="simgd", h_g="1/10")
        hd = sp.Symbol("h_d", positive=True)
        conds = a.discrete["stability_conditions"]
        region = sp.solve(list(conds), hd) if conds else None
        want = hd < sp.Rational(160, 23)
        ok = region is not None and sp.simplify(sp.Equivalent(region, want)) is sp.true
        return ok, f"conditions {[sp.sstr(c) for c in conds]} give {region}; published h_d < 160/23"

    def numeric():
        from ..oracles.simulate import simulate
        bound = 160 / 23
        r = simulate(Ref.of("r1", gamma=0.3).build(), scheme="simgd", h_g=0.1,
                     h_d=np.array([0.97 * bound, 1.03 * bound]), steps=20000, theta0=1e-4,
                     psi0=1e-4)
        start = np.hypot(1e-4, 1e-4)
        ok = r.distance[0] < 1e-3 * start and (r.distance[1] > 10 * start or r.diverged[1])
        return bool(ok), f"h_d = 0.97 / 1.03 x 160/23: distance {r.distance[0]:.1e} / {r.distance[1]:.1e} from {start:.1e}"
    return Custom(symbolic), Custom(numeric)


def _nsgan_slow_decay():
    def symbolic():
        a = analyze(Ref.of("nsgan").build())
        v = a.vector_field
        rate = THETA * v[0] + PSI * v[1]
        s = sp.Symbol("s", positive=True)
        lead = sp.series(rate.subs({THETA: s * THETA, PSI: s * PSI}, simultaneous=True), s, 0, 5)
        lead = sp.simplify(lead.removeO().coeff(s, 4))
        ok = (a.marginal is True and sp.simplify(lead + THETA ** 2 * PSI ** 2 / 2) == 0
              and "slower than any exponential" in (a.marginal_reason or ""))
        return ok, f"nsgan (logistic): marginal {a.marginal}; d/dt |x|^2 / 2 = {lead} + O(|x|^6); reason: {a.marginal_reason}"

    def numeric():
        from ..oracles.ode import integrate
        o = integrate(Ref.of("nsgan").build(), t_span=(0, 4000), theta0=1.0, psi0=1.0,
                      t_eval=np.array([1000.0, 2000.0, 4000.0]))
        r = np.hypot(o.theta, o.psi).ravel()
        # exponential decay would give r(4000)/r(2000) = (r(2000)/r(1000))^2
        ok = r[1] < r[0] and r[2] < r[1] and r[2] / r[1] > (r[1] / r[0]) ** 1.5
        return bool(ok), (f"ODE: |x| at t = 1000, 2000, 4000: {r[0]:.4g}, {r[1]:.4g}, {r[2]:.4g} "
                          f"(decreasing; ratios {r[1] / r[0]:.4f}, {r[2] / r[1]:.4f}: not exponential)")
    return Custom(symbolic), Custom(numeric)


def _positive_hmax(ref: Ref, scheme: str, options: tuple = ()):
    def run():
        h = analyze(ref.build(), scheme=scheme, **dict(options)).h_max
        return (h is not None and float(h) > 0), f"h_max of {ref} under {scheme} {dict(options)}: {h}"
    return Custom(run)


def _nk_converges(f):
    def run():
        from ..oracles.ode import attractor
        a = attractor(Ref.of("nk", eta=0.5, f=f).build(), theta0=0.3, psi0=0.3, t_max=400)
        return a.kind == "equilibrium", f"ODE of nk (eta = 0.5, f = {f}) from (0.3, 0.3): {a.kind} ({a.detail})"
    return Custom(run)


def _bounded_altgd_bilinear():
    def run():
        from ..oracles.simulate import simulate
        r = simulate(Ref.of("bilinear").build(), scheme="altgd", h=np.array([0.1, 1.0, 1.9]),
                     steps=20000, theta0=1.0, psi0=0.0)
        ok = bool(np.all(r.distance < 10) and np.all(r.distance > 0.1))
        return ok, f"AltGD on x y, h = 0.1, 1, 1.9, 20000 steps from (1, 0): final |x| {np.round(r.distance, 4).tolist()}"
    return Custom(run)


def _wrong_roth_mapping():
    """The wrong mapping phi = +D_psi in Roth's Omega: same Jacobian, different field."""
    import dataclasses

    from .._symbols import Sigmoid
    from ..model.catalogue import D, get_spec, grad_D
    spec = get_spec("roth")
    g = sp.Symbol("gamma", nonnegative=True)
    wrong = dataclasses.replace(spec, id="roth-wrong-mapping", d_penalty=g / 2 * (
        (1 - Sigmoid(D(0))) ** 2 * grad_D(0) ** 2 + Sigmoid(D(THETA)) ** 2 * grad_D(THETA) ** 2))

    def symbolic():
        from ..model.method import method
        right, bad = method(spec), method(wrong)
        same_j = sp.simplify(analyze(right).jacobian - analyze(bad).jacobian) == sp.zeros(2)
        diff = [sp.simplify(a - b) for a, b in zip(right.vector_field, bad.vector_field)]
        ok = same_j and any(d != 0 for d in diff)
        return ok, f"Jacobians equal: {same_j}; field difference {[sp.sstr(d) for d in diff]}"

    def numeric():
        from ..model.method import method
        a = method(spec, gamma=1).field(0.7, -0.3)
        b = method(wrong, gamma=1).field(0.7, -0.3)
        Ja, Jb = _fd_jacobian(method(spec, gamma=1)), _fd_jacobian(method(wrong, gamma=1))
        gap = float(np.max(np.abs(np.array(a) - np.array(b))))
        jgap = float(np.max(np.abs(Ja - Jb)))
        return gap > 1e-3 and jgap < 1e-8, (f"at (0.7, -0.3) the fields differ by {gap:.3g}; "
                                            f"finite-difference Jacobians at 0 differ by {jgap:.1e}")
    return Custom(symbolic), Custom(numeric)


# -- Mescheder, Geiger, Nowozin 2018 -----------------------------------------------------------

S("mgn18-lemma-2.2-jacobian",
  r"$(0, 0)$ is an equilibrium of the Dirac-GAN and $v'(0,0) = \begin{pmatrix}0 & -f'(0)\\ f'(0) & 0\end{pmatrix}$",
  f"{MGN18}, Lemma 2.2",
  JacobianIs(Ref.of("gan", f="general"), (("0", "-fp0"), ("fp0", "0"))),
  NumericJacobianEigenvalues(Ref.of("gan"), ("-I*fp0", "I*fp0"), LOGISTIC))
S("mgn18-lemma-2.2-eigenvalues",
  r"The eigenvalues of $v'(0,0)$ are $\lambda_{1,2} = \pm f'(0) i$",
  f"{MGN18}, Lemma 2.2",
  EigenvaluesAre(Ref.of("gan", f="general"), ("-I*fp0", "I*fp0")),
  NumericJacobianEigenvalues(Ref.of("gan", f="t - t**3/3"), ("-I", "I")))
S("mgn18-lemma-2.3",
  r"Integral curves of the unregularized field satisfy $\theta(t)^2 + \psi(t)^2 = \mathrm{const}$",
  f"{MGN18}, Lemma 2.3",
  Conserved(Ref.of("gan", f="general"), "theta**2 + psi**2"),
  OdeConserves(Ref.of("gan"), T=100.0))
S("mgn18-lemma-2.4",
  r"SimGD on the unregularized Dirac-GAN: $\|x_{k+1}\| > \|x_k\|$ for every $h > 0$ (eigenvalues $1 \pm h f'(0) i$)",
  f"{MGN18}, Lemma 2.4",
  EigenvaluesAre(Ref.of("gan", f="general"), ("1 - I*h*fp0", "1 + I*h*fp0"), scheme="simgd"),
  NormGrowsEveryStep(Ref.of("gan")))
S("mgn18-lemma-2.5",
  r"AltGD with $n_g$, $n_d$ steps: the eigenvalues lie on the unit circle iff $\alpha = \sqrt{n_g n_d}\, h |f'(0)| \le 2$ (logistic: $h \le 4/\sqrt{n_g n_d}$)",
  f"{MGN18}, Lemma 2.5",
  StepBoundIs(Ref.of("gan"), "altgd", "h_marginal", "4/sqrt(5)", (("n_d", 5),)),
  Custom(lambda: _lemma_25_numeric()))
S("mgn18-lemma-2.5-outside",
  r"AltGD: for $\alpha > 2$ an eigenvalue lies outside the unit circle",
  f"{MGN18}, Lemma 2.5",
  VerdictIs(Ref.of("gan"), False, "altgd", (("h", "22/5"),)),
  Custom(lambda: _outside_numeric()))
S("mgn18-lemma-3.2",
  r"Instance noise: $\lambda_{1,2} = f''(0)\sigma^2 \pm \sqrt{f''(0)^2\sigma^4 - f'(0)^2}$",
  f"{MGN18}, Lemma 3.2",
  EigenvaluesAre(Ref.of("instance-noise", f="general"),
                 ("fpp0*sigma**2 - sqrt(fpp0**2*sigma**4 - fp0**2)",
                  "fpp0*sigma**2 + sqrt(fpp0**2*sigma**4 - fp0**2)")),
  NumericJacobianEigenvalues(Ref.of("instance-noise", sigma=0.8),
                             ("fpp0*sigma**2 - sqrt(fpp0**2*sigma**4 - fp0**2)",
                              "fpp0*sigma**2 + sqrt(fpp0**2*sigma**4 - fp0**2)"),
                             LOGISTIC + (("sigma", "4/5"),)))
S("mgn18-critical-noise",
  r"Instance noise: the critical noise level is $\sigma_c = \sqrt{|f'(0)/f''(0)|}$ (logistic: $\sqrt 2$)",
  f"{MGN18}, Section 3 (instance noise)",
  CriticalIs(Ref.of("instance-noise"), "sigma", "sqrt(2)"),
  _critical_numeric(lambda s: Ref.of("instance-noise", sigma=s), "sigma", float(np.sqrt(2))))
S("mgn18-lemma-3.3-r1",
  r"R1: $\lambda_{1,2} = -\frac{\gamma}{2} \pm \sqrt{\frac{\gamma^2}{4} - f'(0)^2}$",
  f"{MGN18}, Lemma 3.3",
  EigenvaluesAre(Ref.of("r1", f="general"), ("-gamma/2 - sqrt(gamma**2/4 - fp0**2)",
                                             "-gamma/2 + sqrt(gamma**2/4 - fp0**2)")),
  NumericJacobianEigenvalues(Ref.of("r1", gamma=0.3), ("-gamma/2 - sqrt(gamma**2/4 - fp0**2)",
                                                       "-gamma/2 + sqrt(gamma**2/4 - fp0**2)"),
                             LOGISTIC + (("gamma", "3/10"),)))
S("mgn18-lemma-3.3-r2",
  r"R2: $\lambda_{1,2} = -\frac{\gamma}{2} \pm \sqrt{\frac{\gamma^2}{4} - f'(0)^2}$",
  f"{MGN18}, Lemma 3.3",
  EigenvaluesAre(Ref.of("r2", f="general"), ("-gamma/2 - sqrt(gamma**2/4 - fp0**2)",
                                             "-gamma/2 + sqrt(gamma**2/4 - fp0**2)")),
  NumericJacobianEigenvalues(Ref.of("r2", gamma=1.7), ("-gamma/2 - sqrt(gamma**2/4 - fp0**2)",
                                                       "-gamma/2 + sqrt(gamma**2/4 - fp0**2)"),
                             LOGISTIC + (("gamma", "17/10"),)))
S("mgn18-critical-gamma",
  r"Gradient penalties: the critical weight is $\gamma_c = 2|f'(0)|$ (a locally rotation-free field)",
  f"{MGN18}, Section 3 (zero-centered gradient penalties)",
  CriticalIs(Ref.of("r1", f="general"), "gamma", "2*Abs(fp0)"),
  _critical_numeric(lambda g: Ref.of("r1", gamma=g), "gamma", 1.0))
S("mgn18-r1-equals-r2",
  r"On the Dirac-GAN the R1 and R2 penalties give the same vector field",
  f"{MGN18}, Section 4 (R1 and R2)",
  FieldsEqual(Ref.of("r1", f="general"), Ref.of("r2", f="general")),
  _fields_agree_numerically(Ref.of("r1", gamma=0.3), Ref.of("r2", gamma=0.3)))
S("mgn18-theorem-4.1-simgd",
  r"SimGD with R1 (R2) is locally convergent for small enough steps: $h_{\max} > 0$",
  f"{MGN18}, Theorem 4.1 (on the Dirac-GAN)",
  _positive_hmax(Ref.of("r1", gamma=0.3), "simgd"),
  TrajectoriesAtBound(Ref.of("r1", gamma=0.3), "simgd"))
S("mgn18-theorem-4.1-altgd",
  r"AltGD with R1 (R2) is locally convergent for small enough steps: $h_{\max} > 0$",
  f"{MGN18}, Theorem 4.1 (on the Dirac-GAN)",
  _positive_hmax(Ref.of("r2", gamma=1), "altgd", (("n_d", 5),)),
  TrajectoriesAtBound(Ref.of("r2", gamma=1), "altgd", (("n_d", 5),)))
_sym, _num = _hurwitz_structure(True)
S("mgn18-theorem-a.7",
  r"$J = \begin{pmatrix}0 & -B^T\\ B & -Q\end{pmatrix}$ with $Q$ symmetric positive definite and $B$ of full column rank has only eigenvalues with negative real part",
  f"{MGN18}, Theorem A.7", _sym, _num)
_sym, _num = _hurwitz_structure(False)
S("mgn18-theorem-a.7-rank",
  r"Without full column rank of $B$ the conclusion of Theorem A.7 fails (an eigenvalue with zero real part)",
  f"{MGN18}, Theorem A.7 (necessity of the rank condition)", _sym, _num)
S("mgn18-wgan",
  r"WGAN does not converge: $\lambda = \pm i$ and $\theta^2 + \psi^2$ is conserved (clipping inactive near the equilibrium)",
  f"{MGN18}, Section 3 (WGAN, WGAN-GP, DRAGAN)",
  EigenvaluesAre(Ref.of("wgan"), ("-I", "I")),
  OdeConserves(Ref.of("wgan", c=10), T=100.0))
S("mgn18-wgan-gp-limit-cycle",
  r"WGAN-GP has no Jacobian at the equilibrium (the field jumps at $\psi = 0$); for $\gamma = 0.7$ the flow settles on a limit cycle",
  f"{MGN18}, Section 3 (WGAN, WGAN-GP, DRAGAN)",
  _no_jacobian_but_cycle(Ref.of("wgan-gp", gamma=0.7, g0=1)),
  AttractorIs(Ref.of("wgan-gp", gamma=0.7, g0=1), ((0.0, 1e-6), (2.0, 2.0)),
              ("limit_cycle", "limit_cycle")))
S("mgn18-wgan-gp-non-nash",
  r"WGAN-GP with large $\gamma$ converges to a non-Nash point $(\mp\gamma g_0/f'(0), 0^{\pm})$: $\theta = \mp 3$ for $\gamma = 3$",
  f"{MGN18}, Section 3 (WGAN, WGAN-GP, DRAGAN)",
  _one_sided(Ref.of("wgan-gp", gamma=3, g0=1), "-3", "-3", "stable node"),
  AttractorIs(Ref.of("wgan-gp", gamma=3, g0=1), ((0.5, 1.0), (0.5, -1.0)), ("point", "point"),
              (-3.0, 3.0)))
S("mgn18-dragan-k0-is-r1",
  r"DRAGAN with target $k = 0$ is R1",
  f"{MGN18}, Section 3 (WGAN, WGAN-GP, DRAGAN)",
  FieldsEqual(Ref.of("dragan", k=0, f="general"), Ref.of("r1", f="general")),
  _fields_agree_numerically(Ref.of("dragan", k=0, gamma=0.4), Ref.of("r1", gamma=0.4)))
S("mgn18-dragan-non-nash",
  r"DRAGAN with $k = 1$: the field jumps at $\psi = 0$; a one-sided equilibrium at $\theta_b = -\gamma k/f'(0)$ with $\partial v_\psi/\partial\psi = \theta_b^2 f''(0) - \gamma$ (a non-Nash attractor at $\gamma = 1$)",
  f"{MGN18}, Section 3 (DRAGAN)",
  _one_sided(Ref.of("dragan", gamma=1, k=1), "-2", "-2", "stable node"),
  AttractorIs(Ref.of("dragan", gamma=1, k=1), ((0.5, 1.0),), ("point",), (-2.0,)))
S("dragan-limit-cycle",
  r"DRAGAN with $k = 1$, $\gamma = 0.3$: the one-sided equilibrium is a focus and the flow settles on a limit cycle",
  "derived (cf. Mescheder et al. 2018, Figure 2)",
  _one_sided(Ref.of("dragan", gamma="3/10", k=1), "-3/5", "-39/100", "stable focus"),
  AttractorIs(Ref.of("dragan", gamma=0.3, k=1), ((0.5, 1.0), (0.0, 1e-6)),
              ("limit_cycle", "limit_cycle")))
S("dragan-bistable",
  r"DRAGAN with $k = 1$, $\gamma = 0.7$: a non-Nash point attractor and a limit cycle, from different starts",
  "derived (cf. Mescheder et al. 2018, Figure 2)",
  _one_sided(Ref.of("dragan", gamma="7/10", k=1), "-7/5", "-119/100", "stable node"),
  AttractorIs(Ref.of("dragan", gamma=0.7, k=1), ((-1.0, 0.2), (-1.5, 0.05)),
              ("point", "limit_cycle"), (-1.4, None)))

# -- Mescheder, Nowozin, Geiger 2017 (The Numerics of GANs) ------------------------------------

S("mng17-consensus-jacobian",
  r"Consensus optimization: $v' = J - \gamma J^T J$, on the Dirac-GAN $\begin{pmatrix}-\gamma f'(0)^2 & -f'(0)\\ f'(0) & -\gamma f'(0)^2\end{pmatrix}$",
  "Mescheder, Nowozin, Geiger 2017 (consensus optimization)",
  JacobianIs(Ref.of("consensus", f="general"),
             (("-gamma*fp0**2", "-fp0"), ("fp0", "-gamma*fp0**2"))),
  NumericJacobianEigenvalues(Ref.of("consensus", gamma=0.5),
                             ("-gamma*fp0**2 - I*fp0", "-gamma*fp0**2 + I*fp0"),
                             LOGISTIC + (("gamma", "1/2"),)))
S("mng17-consensus-eigenvalues",
  r"Consensus optimization on the Dirac-GAN: $\lambda = -\gamma f'(0)^2 \pm f'(0) i$",
  "Mescheder, Nowozin, Geiger 2017 (consensus optimization)",
  EigenvaluesAre(Ref.of("consensus", f="general"), ("-gamma*fp0**2 - I*fp0", "-gamma*fp0**2 + I*fp0")),
  ContractionRate(Ref.of("consensus", gamma=0.5), "simgd", 0.5))
S("mng17-step-size-lemma",
  r"SimGD with step $h$ converges iff $h < -2\,\mathrm{Re}\,\lambda / |\lambda|^2$ for every eigenvalue $\lambda$ of $J$ (all $\mathrm{Re}\,\lambda < 0$)",
  "Mescheder, Nowozin, Geiger 2017 (the step-size lemma for SimGD)",
  _simgd_step_lemma(Ref.of("nk", eta=0.7)),
  TrajectoriesAtBound(Ref.of("consensus", gamma=0.5), "simgd"))

# -- Nagarajan and Kolter 2017 -----------------------------------------------------------------

S("nk17-stable-logistic",
  r"The gradient-norm regularizer makes the equilibrium locally exponentially stable for every $\eta > 0$ (standard GAN)",
  "Nagarajan, Kolter 2017 (the gradient-norm regularizer; on the Dirac-GAN; derived)",
  VerdictIs(Ref.of("nk"), "eta > 0"),
  _nk_converges("logistic"))
S("nk17-stable-wgan",
  r"The same for the WGAN objective ($f(t) = t$): stable for every $\eta > 0$",
  "Nagarajan, Kolter 2017 (regularized WGAN; on the Dirac-GAN; derived)",
  VerdictIs(Ref.of("nk", f="t"), "eta > 0"),
  _nk_converges("t"))
S("nk17-critical-eta",
  r"NK regularizer: $v'(0,0) = \begin{pmatrix}-2\eta f'(0)^2 & -f'(0)\\ f'(0) & 0\end{pmatrix}$, critical $\eta_c = 1/|f'(0)|$",
  "Nagarajan, Kolter 2017 (on the Dirac-GAN; derived)",
  CriticalIs(Ref.of("nk", f="general"), "eta", "1/Abs(fp0)"),
  _critical_numeric(lambda e: Ref.of("nk", eta=e), "eta", 2.0))

# -- Roth et al. 2017 ---------------------------------------------------------------------------

S("roth17-jacobian",
  r"JS regularizer ($D = \mathrm{sigmoid}(\varphi)$ is $P(\mathrm{real})$, $\varphi = -D_\psi$): $v'(0,0) = \begin{pmatrix}0 & -1/2\\ 1/2 & -\gamma/2\end{pmatrix}$",
  "Roth et al. 2017 (on the Dirac-GAN)",
  JacobianIs(Ref.of("roth"), (("0", "-1/2"), ("1/2", "-gamma/2"))),
  NumericJacobianEigenvalues(Ref.of("roth", gamma=3), ("-3/4 - sqrt(5)/4", "-3/4 + sqrt(5)/4")))
S("roth17-convergent",
  r"The JS regularizer is locally convergent for every $\gamma > 0$",
  "Roth et al. 2017 (on the Dirac-GAN)",
  VerdictIs(Ref.of("roth"), "gamma > 0"),
  AttractorIs(Ref.of("roth", gamma=1), ((0.5, 0.5),), ("equilibrium",)))
_sym, _num = _wrong_roth_mapping()
S("roth17-sign-mapping",
  r"Mapping Roth's $D$ as $P(\mathrm{fake})$ ($\varphi = +D_\psi$) gives the same Jacobian but a different field away from the equilibrium",
  "derived (Roth et al. 2017 vs Mescheder et al. 2018 conventions)", _sym, _num)

# -- Jolicoeur-Martineau 2018 -------------------------------------------------------------------

S("jm18-rsgan-is-nsgan",
  r"On the Dirac-GAN the relativistic standard GAN's field equals the non-saturating GAN's, for every $f$",
  "Jolicoeur-Martineau 2018 (on the Dirac-GAN; derived)",
  FieldsEqual(Ref.of("rsgan", f="general"), Ref.of("nsgan", f="general")),
  _fields_agree_numerically(Ref.of("rsgan"), Ref.of("nsgan")))
S("jm18-rasgan-twice-rsgan",
  r"RaSGAN (the paper's sum of the two terms): its field is twice RSGAN's on the Dirac-GAN",
  "Jolicoeur-Martineau 2018, RaSGAN (on the Dirac-GAN; derived)",
  FieldsEqual(Ref.of("rasgan", f="general"), Ref.of("rsgan", f="general"), "2"),
  _fields_agree_numerically(Ref.of("rasgan"), Ref.of("rsgan"), 2.0))

# -- Lecture notes -----------------------------------------------------------------------------

S("lecture-simgd-spirals-out",
  r"Simultaneous gradient descent-ascent on $\min_x \max_y xy$ spirals outward (eigenvalues $1 \pm h i$)",
  "Lecture notes, GAN training pathologies: oscillation",
  EigenvaluesAre(Ref.of("bilinear"), ("1 - I*h", "1 + I*h"), scheme="simgd"),
  NormGrowsEveryStep(Ref.of("bilinear")))
S("lecture-altgd-bounded",
  r"Alternating updates on $\min_x \max_y xy$ stay bounded (spectrum on the unit circle for $h \le 2$)",
  "Lecture notes, GAN training pathologies: oscillation",
  StepBoundIs(Ref.of("bilinear"), "altgd", "h_marginal", "2"),
  _bounded_altgd_bilinear())

# -- derived facts -----------------------------------------------------------------------------

_sym, _num = _nsgan_slow_decay()
S("derived-nsgan-slow-decay",
  r"Non-saturating GAN, logistic $f$: not a centre; $\frac{d}{dt}\frac{|x|^2}{2} = -\frac{\theta^2\psi^2}{2} + O(|x|^6)$, so the norm decays slower than any exponential",
  "derived", _sym, _num)
S("derived-nsgan-cubic-conserved",
  r"Non-saturating GAN with $f(t) = t - t^3/3$: $\theta^2 + \psi^2$ is conserved ($f'$ is even)",
  "derived",
  Conserved(Ref.of("nsgan", f="t - t**3/3"), "theta**2 + psi**2"),
  OdeConserves(Ref.of("nsgan", f="t - t**3/3"), T=50.0))
_sym, _num = _altgd_order_independent()
S("derived-altgd-order", r"The AltGD spectrum does not depend on which player moves first",
  "derived", _sym, _num)
_sym, _num = _altgd_defective()
S("derived-altgd-alpha-2",
  r"At $\alpha = 2$ the AltGD eigenvalue $-1$ is double and defective: the iterates grow linearly",
  "derived", _sym, _num)
_sym, _num = _altgd_invariant()
S("derived-altgd-invariant",
  r"AltGD ($n_g = n_d = 1$, $h_g = h_d = h$, generator first) on the linear field has the invariant $\theta^2 + \psi^2 - h\theta\psi$: iterates stay on ellipses",
  "derived", _sym, _num)
_sym, _num = _noise_r1_equivalence()
S("derived-noise-is-r1",
  r"Instance noise with $\gamma = -2 f''(0)\sigma^2$ has the Jacobian of R1 with weight $\gamma$",
  "derived (Mescheder et al. 2018, Lemmas 3.2 and 3.3)", _sym, _num)


def _fake_only_spec():
    import dataclasses

    from ..model.catalogue import EPS_FAKE, EPS_REAL, get_spec
    spec = get_spec("instance-noise")
    return dataclasses.replace(
        spec, id="instance-noise-fake-only",
        objective=spec.objective.subs(EPS_REAL, 0),
        nonsaturating_loss_g=spec.nonsaturating_loss_g,
        noise=tuple((e, s) for e, s in spec.noise if e == EPS_FAKE))


_sym, _num = _noise_r1_equivalence(_fake_only_spec(), "1/2")
S("derived-noise-fake-only-half",
  r"Noise on fake samples only has half the damping: the Jacobian of R1 with $\gamma = -f''(0)\sigma^2$",
  "derived", _sym, _num)
S("derived-r1-simgd-hmax",
  r"SimGD with R1, $\gamma \le 2|f'(0)|$: $h_{\max} = \gamma / f'(0)^2$ (logistic, $\gamma = 0.3$: $6/5$)",
  "derived (the step-size lemma of Mescheder, Nowozin, Geiger 2017 applied to Lemma 3.3)",
  StepBoundIs(Ref.of("r1", gamma="3/10"), "simgd", "h_max", "6/5"),
  TrajectoriesAtBound(Ref.of("r1", gamma=0.3), "simgd"))
S("derived-r1-altgd-hmax",
  r"AltGD with R1 ($n_g = n_d = 1$): $h_{\max} = (\sqrt{\gamma^2 + 4 f'(0)^2} - \gamma)/f'(0)^2$ (logistic, $\gamma = 1$: $4\sqrt 2 - 4$)",
  "derived (the Jury conditions on the update operator F')",
  StepBoundIs(Ref.of("r1", gamma=1), "altgd", "h_max", "4*sqrt(2) - 4"),
  TrajectoriesAtBound(Ref.of("r1", gamma=1), "altgd"))
_sym, _num = _two_step_sizes()
S("derived-two-step-sizes",
  r"SimGD with R1, $\gamma = 3/10$, $h_g = 1/10$: locally convergent iff $h_d < 160/23$",
  "derived (the Jury conditions on I + diag(h_g, h_d) J)", _sym, _num)
S("derived-r1-contraction",
  r"The contraction rate of SimGD with R1 is the spectral radius of $I + hJ$",
  "derived",
  EigenvaluesAre(Ref.of("r1", gamma="3/10"), ("1 - 3*h/20 - sqrt(91)*I*h/20",
                                              "1 - 3*h/20 + sqrt(91)*I*h/20"), scheme="simgd"),
  ContractionRate(Ref.of("r1", gamma=0.3), "simgd", 0.2))


def _lemma_25_numeric():
    """Spectral radius exactly 1 just below alpha = 2, above 1 just above; trajectories stay
    bounded below (n_g = 1, n_d = 5, logistic: h_c = 4/sqrt(5))."""
    from ..oracles.simulate import simulate
    hc = 4 / np.sqrt(5)
    below = analyze(Ref.of("gan").build(), scheme="altgd", n_d=5, h=sp.Rational(0.99 * hc)).spectral_radius
    above = analyze(Ref.of("gan").build(), scheme="altgd", n_d=5, h=sp.Rational(1.01 * hc)).spectral_radius
    r = simulate(Ref.of("gan").build(), scheme="altgd", n_d=5, h=0.99 * hc, steps=5000,
                 theta0=1e-3, psi0=0.0)
    ok = abs(below - 1) < 1e-12 and above > 1 and r.distance < 1e-1
    return ok, (f"n_d = 5: spectral radius {below:.15f} at 0.99 h_c, {above:.6f} at 1.01 h_c; "
                f"5000 AltGD steps at 0.99 h_c from |x| = 1e-3 end at |x| = {float(r.distance):.2e}")


def _outside_numeric():
    from ..oracles.simulate import simulate
    r = simulate(Ref.of("gan").build(), scheme="altgd", h=4.4, steps=200, theta0=1e-6, psi0=0.0)
    return bool(r.distance > 1e-3), (f"AltGD at h = 4.4 (alpha = 2.2) from |x| = 1e-6: |x| = "
                                     f"{float(r.distance):.2e} after 200 steps")
