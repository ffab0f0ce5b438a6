"""The catalogue specs against the source papers' own losses (DESIGN.md section 6).

These are independent-oracle tests. For every catalogue id, the loss of the source paper is
written below as a plain mpmath function of (theta, psi), in the PAPER'S OWN convention
(Goodfellow's D = P(real), Roth's D = sigmoid(phi) = P(real), the relativistic critic C as a
logit of real, Arjovsky's and Gulrajani's critic that scores real samples higher, Mao's raw
output with labels a, b, c, ...), with the Dirac-GAN's data delta_0 and generator delta_theta.
The losses are differentiated numerically with ``mpmath.diff`` at 30 digits and assembled into
stabgan's field

    v = (-dL_G/dtheta, +dU_D/dpsi)

(the generator descends its loss L_G; the discriminator ascends its objective U_D, i.e. the
negative of a loss it minimizes). Nothing here reuses an expression of ``stabgan.model.catalogue``: the
only link between the two is the documented sign mapping of each paper onto Mescheder et al.'s
D_psi(x) = psi x, whose sigmoid is the probability of FAKE, and that mapping is what is checked.
A wrong mapping can leave the Jacobian at the equilibrium unchanged and still change every
trajectory (see ``test_roth_wrong_mapping_is_caught_off_equilibrium``), which is why the fields
are compared away from the equilibrium.

The oracle is compared with ``m.field`` (NumPy, float64) to 1e-12 and with the SymPy field
``m.vector_field`` evaluated at 30 digits to 1e-20.
"""
from fractions import Fraction

import pytest
import sympy as sp
from mpmath import mp

import stabgan

#: Off-equilibrium points (theta, psi); psi != 0 everywhere (wgan-gp and dragan jump at psi = 0),
#: |theta| <= 3 and |psi| sigma <= 4.5 for the instance-noise quadrature's stated accuracy.
POINTS = [(0.7, -0.3), (-1.2, 0.8), (0.4, 1.5), (-0.9, -1.1)]

X_REAL = 0  # the data distribution is delta_0; the generator's is delta_theta

FLOAT_TOL = 1e-12       # m.field (float64) against the 30-digit oracle
NOISE_TOL = 1e-12       # instance noise: the quadrature's documented absolute accuracy (_numeric)
SYMPY_TOL = 1e-20       # m.vector_field evaluated at 30 digits against the 30-digit oracle


@pytest.fixture(autouse=True)
def _thirty_digits():
    with mp.workdps(30):
        yield


# ---------------------------------------------------------------------------------------------
# Building blocks, written from scratch (no stabgan code).
# ---------------------------------------------------------------------------------------------

def sigmoid(u):
    return 1 / (1 + mp.exp(-u))


def logistic_f(t):
    """Mescheder et al. 2018's standard f(t) = -log(1 + exp(-t))."""
    return -mp.log(1 + mp.exp(-t))


def cubic_f(t):
    """The custom f = "t - t**3/3" (f'(0) = 1, f''(0) = 0), written directly."""
    return t - t ** 3 / 3


def d_dx(fn, x):
    """The input gradient d fn / dx at x, numerically (mpmath.diff)."""
    return mp.diff(fn, x)


def gaussian_expectation(g, sigma):
    """E[g(eps)] for eps ~ N(0, sigma^2), by mpmath.quad against the Gaussian density.

    The range is cut at |eps| = 30 sigma (the Gaussian tail beyond is below 1e-190): at the far
    nodes of an infinite range 1 - D(x) rounds to 0 and log(1 - D) would give inf * 0 = nan."""
    def density(e):
        return mp.exp(-e ** 2 / (2 * sigma ** 2)) / (mp.sqrt(2 * mp.pi) * sigma)
    return mp.quad(lambda e: g(e) * density(e), [-30 * sigma, 0, 30 * sigma])


def game_field(loss_g, objective_d):
    """The field of a game in which the generator DESCENDS loss_g(theta, psi) and the
    discriminator ASCENDS objective_d(theta, psi): v = (-dL_G/dtheta, +dU_D/dpsi)."""
    def v(theta, psi):
        return (-mp.diff(lambda t: loss_g(t, psi), theta),
                mp.diff(lambda p: objective_d(theta, p), psi))
    return v


def jacobian(v, theta, psi):
    """The numeric Jacobian of a field v at (theta, psi), by mpmath.diff."""
    return [[mp.diff(lambda t: v(t, psi)[i], theta), mp.diff(lambda p: v(theta, p)[i], psi)]
            for i in range(2)]


# ---------------------------------------------------------------------------------------------
# The papers' losses, each in the paper's own convention.
# ---------------------------------------------------------------------------------------------

def goodfellow_D(psi, x):
    """Goodfellow et al. 2014: D(x) is the probability that x is REAL. Mescheder's
    sigmoid(D_psi(x)) = sigmoid(psi x) is P(fake), so D(x) = sigmoid(-psi x)."""
    return sigmoid(-psi * x)


def goodfellow_value(theta, psi, x_real=X_REAL, x_fake=None):
    """Goodfellow et al. 2014, eq. (1): V(D, G) = E_data log D(x) + E_z log(1 - D(G(z)))."""
    x_fake = theta if x_fake is None else x_fake
    return mp.log(goodfellow_D(psi, x_real)) + mp.log(1 - goodfellow_D(psi, x_fake))


def goodfellow_ns_loss(theta, psi):
    """Goodfellow et al. 2014, Sec. 3: the generator maximizes log D(G(z)), i.e. descends
    -log D(G(z))."""
    return -mp.log(goodfellow_D(psi, theta))


def gan_field(nonsaturating=False):
    """gan / nsgan (Goodfellow et al. 2014): D ascends V; G descends V (minimax) or -log D(G)."""
    return game_field(goodfellow_ns_loss if nonsaturating else goodfellow_value, goodfellow_value)


def mescheder_objective(f):
    """Mescheder et al. 2018, eq. (1) on the Dirac-GAN, with D_psi(x) = psi x:
    L = E_{p_theta}[f(D_psi(x))] + E_{p_D}[f(-D_psi(x))]."""
    def L(theta, psi):
        return f(psi * theta) + f(-psi * X_REAL)
    return L


def mescheder_ns_loss(f):
    """Mescheder et al. 2018's non-saturating generator loss -f(-D_psi(G))."""
    return lambda theta, psi: -f(-psi * theta)


def mescheder_penalized_field(f, penalty, nonsaturating=False):
    """D ascends L - penalty(theta, psi); G descends L (or the non-saturating loss)."""
    L = mescheder_objective(f)
    loss_g = mescheder_ns_loss(f) if nonsaturating else L
    return game_field(loss_g, lambda t, p: L(t, p) - penalty(t, p))


def r1_field(gamma, f=logistic_f, nonsaturating=False):
    """Mescheder et al. 2018, eq. (9): R1(psi) = gamma/2 E_{p_D} |grad_x D_psi(x)|^2."""
    def R1(theta, psi):
        return gamma / 2 * d_dx(lambda x: psi * x, X_REAL) ** 2
    return mescheder_penalized_field(f, R1, nonsaturating)


def r2_field(gamma, f=logistic_f):
    """Mescheder et al. 2018, eq. (10): R2(theta, psi) = gamma/2 E_{p_theta} |grad_x D_psi(x)|^2."""
    def R2(theta, psi):
        return gamma / 2 * d_dx(lambda x: psi * x, theta) ** 2
    return mescheder_penalized_field(f, R2)


def wgan_field():
    """Arjovsky et al. 2017 (eq. (3), Algorithm 1): the critic f_w maximizes
    E_real f_w(x) - E_fake f_w(x); the generator minimizes -E f_w(g(z)). Arjovsky's critic scores
    REAL higher, so f_w(x) = -psi x (stabgan's psi x scores fake higher)."""
    def critic(psi, x):
        return -psi * x
    return game_field(lambda t, p: -critic(p, t), lambda t, p: critic(p, X_REAL) - critic(p, t))


def wgan_gp_field(gamma, g0):
    """Gulrajani et al. 2017, eq. (3): the critic MINIMIZES
    E_fake D(x~) - E_real D(x) + lambda E_xhat[(|grad_xhat D(xhat)| - 1)^2], xhat = e x + (1 - e) x~
    with e ~ U[0, 1]; the generator minimizes -E D(G(z)). Their critic scores REAL higher:
    D(x) = -psi x. lambda = gamma/2 and the target 1 is g0."""
    lam = mp.mpf(gamma) / 2

    def critic(psi, x):
        return -psi * x

    def critic_loss(theta, psi):
        def gp(e):
            xhat = e * X_REAL + (1 - e) * theta
            return (abs(d_dx(lambda x: critic(psi, x), xhat)) - g0) ** 2
        return critic(psi, theta) - critic(psi, X_REAL) + lam * mp.quad(gp, [0, 1])

    return game_field(lambda t, p: -critic(p, t), lambda t, p: -critic_loss(t, p))


def dragan_field(gamma, k, delta_sd=mp.mpf("0.5")):
    """Kodali et al. 2017 (Algorithm 1): Goodfellow's discriminator loss plus
    lambda E_{x ~ P_real, delta ~ N(0, c^2)}[(|grad_x D(x + delta)| - k)^2], the gradient of the
    discriminator's logit (Goodfellow's D = sigmoid(logit) = P(real), logit(x) = -psi x);
    lambda = gamma/2. The expectation over the perturbation is taken with quad (its size drops
    out on the Dirac-GAN, which the quadrature confirms rather than assumes)."""
    lam = mp.mpf(gamma) / 2

    def logit(psi, x):
        return -psi * x

    def penalty(psi):
        return lam * gaussian_expectation(
            lambda delta: (abs(d_dx(lambda x: logit(psi, x), X_REAL + delta)) - k) ** 2, delta_sd)

    return game_field(goodfellow_value, lambda t, p: goodfellow_value(t, p) - penalty(p))


def instance_noise_field(sigma, nonsaturating=False):
    """Sonderby et al. 2017 (Sec. 3.x, "instance noise"; also Arjovsky and Bottou 2017): the
    Goodfellow game played on noisy samples, x_real + eps_r and x_fake + eps_f, with independent
    eps ~ N(0, sigma^2) added to BOTH. Expectations by mpmath.quad against the Gaussian density."""
    sigma = mp.mpf(sigma)

    def V(theta, psi):
        real = gaussian_expectation(lambda e: mp.log(goodfellow_D(psi, X_REAL + e)), sigma)
        fake = gaussian_expectation(lambda e: mp.log(1 - goodfellow_D(psi, theta + e)), sigma)
        return real + fake

    def ns_loss(theta, psi):
        return gaussian_expectation(lambda e: -mp.log(goodfellow_D(psi, theta + e)), sigma)

    return game_field(ns_loss if nonsaturating else V, V)


def consensus_field(gamma, base):
    """Mescheder, Nowozin, Geiger 2017 ("The Numerics of GANs", Sec. 3): w = v - gamma grad L,
    L(x) = 1/2 |v(x)|^2, with v the field of the game; grad L by mpmath.diff."""
    def half_norm(theta, psi):
        vt, vp = base(theta, psi)
        return (vt ** 2 + vp ** 2) / 2

    def w(theta, psi):
        vt, vp = base(theta, psi)
        return (vt - gamma * mp.diff(lambda t: half_norm(t, psi), theta),
                vp - gamma * mp.diff(lambda p: half_norm(theta, p), psi))
    return w


def nagarajan_kolter_field(eta, f=logistic_f):
    """Nagarajan and Kolter 2017, Sec. 3: V(D, G) = E_data[f(D(x))] + E_latent[f(-D(G(z)))] with f
    concave (f(x) = -log(1 + exp(-x)) for the GAN), so their D is a logit of REAL: D(x) = -psi x.
    The discriminator ascends V; the generator descends V + eta |grad_D V|^2 (no 1/2)."""
    def V(theta, psi):
        def D(x):
            return -psi * x
        return f(D(X_REAL)) + f(-D(theta))

    def generator_loss(theta, psi):
        return V(theta, psi) + eta * mp.diff(lambda p: V(theta, p), psi) ** 2

    return game_field(generator_loss, V)


def roth_field(gamma, phi_sign=-1):
    """Roth et al. 2017 (JS-regularizer, Sec. 3): D = sigmoid(phi) is the probability of REAL;
    the discriminator ascends E_P log D + E_Q log(1 - D) - gamma/2 Omega with
    Omega = E_P[(1 - D)^2 |grad_x phi|^2] + E_Q[D^2 |grad_x phi|^2], P real (x = 0), Q fake
    (x = theta); the generator descends E_Q log(1 - D) (the minimax game). The right mapping is
    phi(x) = -psi x (phi_sign = -1)."""
    def phi(psi, x):
        return phi_sign * psi * x

    def D(psi, x):
        return sigmoid(phi(psi, x))

    def F(theta, psi):
        return mp.log(D(psi, X_REAL)) + mp.log(1 - D(psi, theta))

    def Omega(theta, psi):
        grad_real = d_dx(lambda x: phi(psi, x), X_REAL)
        grad_fake = d_dx(lambda x: phi(psi, x), theta)
        return (1 - D(psi, X_REAL)) ** 2 * grad_real ** 2 + D(psi, theta) ** 2 * grad_fake ** 2

    return game_field(F, lambda t, p: F(t, p) - gamma / 2 * Omega(t, p))


def roth_field_wrong_regularizer(gamma):
    """The mapping bug the design warns about: the game is Mescheder's L (logistic f), right, but
    Omega is computed with phi = +psi x, i.e. treating sigmoid(D_psi) as Roth's P(real)."""
    L = mescheder_objective(logistic_f)

    def Omega_wrong(theta, psi):
        D_real, D_fake = sigmoid(psi * X_REAL), sigmoid(psi * theta)
        return (1 - D_real) ** 2 * psi ** 2 + D_fake ** 2 * psi ** 2

    return game_field(L, lambda t, p: L(t, p) - gamma / 2 * Omega_wrong(t, p))


def relativistic_critic(psi, x):
    """Jolicoeur-Martineau 2018: C(x) is the critic's logit for REAL; stabgan's D_psi is a logit
    for fake, so C(x) = -psi x."""
    return -psi * x


def rsgan_field():
    """Jolicoeur-Martineau 2018, RSGAN: L_D = -E log sigmoid(C(x_r) - C(x_f)) (minimized),
    L_G = -E log sigmoid(C(x_f) - C(x_r))."""
    def loss_d(theta, psi):
        return -mp.log(sigmoid(relativistic_critic(psi, X_REAL) - relativistic_critic(psi, theta)))

    def loss_g(theta, psi):
        return -mp.log(sigmoid(relativistic_critic(psi, theta) - relativistic_critic(psi, X_REAL)))

    return game_field(loss_g, lambda t, p: -loss_d(t, p))


def rasgan_field():
    """Jolicoeur-Martineau 2018, RaSGAN, with the paper's sum of the two terms:
    D~(x_r) = sigmoid(C(x_r) - E C(x_f)), D~(x_f) = sigmoid(C(x_f) - E C(x_r)),
    L_D = -E log D~(x_r) - E log(1 - D~(x_f)), L_G = -E log D~(x_f) - E log(1 - D~(x_r)).
    With one real and one fake point the averages are the points themselves."""
    def tilde_real(theta, psi):
        return sigmoid(relativistic_critic(psi, X_REAL) - relativistic_critic(psi, theta))

    def tilde_fake(theta, psi):
        return sigmoid(relativistic_critic(psi, theta) - relativistic_critic(psi, X_REAL))

    def loss_d(theta, psi):
        return -mp.log(tilde_real(theta, psi)) - mp.log(1 - tilde_fake(theta, psi))

    def loss_g(theta, psi):
        return -mp.log(tilde_fake(theta, psi)) - mp.log(1 - tilde_real(theta, psi))

    return game_field(loss_g, lambda t, p: -loss_d(t, p))


def lsgan_field(a, b, c):
    """Mao et al. 2017, eq. (2), on the raw output D(x) = psi x (no sigmoid):
    D minimizes 1/2 E_data (D(x) - b)^2 + 1/2 E_z (D(G(z)) - a)^2, G minimizes 1/2 E_z (D(G(z)) - c)^2."""
    def D(psi, x):
        return psi * x

    def loss_d(theta, psi):
        return (D(psi, X_REAL) - b) ** 2 / 2 + (D(psi, theta) - a) ** 2 / 2

    def loss_g(theta, psi):
        return (D(psi, theta) - c) ** 2 / 2

    return game_field(loss_g, lambda t, p: -loss_d(t, p))


def bilinear_field():
    """min_theta max_psi theta psi (lecture notes)."""
    return game_field(lambda t, p: t * p, lambda t, p: t * p)


def hinge_field():
    """Lim and Ye 2017 (Geometric GAN) and Miyato et al. 2018 (SN-GAN), with their D~(x) a
    logit for REAL, so D~ = -D_psi: the discriminator minimizes
    L_D = E_data max(0, 1 - D~(x)) + E_z max(0, 1 + D~(G(z))), the generator minimizes
    L_G = -E_z D~(G(z))."""
    def d_paper(psi, x):
        return -psi * x

    def loss_d(theta, psi):
        return max(0, 1 - d_paper(psi, X_REAL)) + max(0, 1 + d_paper(psi, theta))

    return game_field(lambda t, p: -d_paper(p, t), lambda t, p: -loss_d(t, p))


def lecam_field(lam, alpha_r=0, alpha_f=0, f=logistic_f):
    """Tseng et al. 2021, eq. (3): the discriminator's loss gains
    lam R_LC = lam (E_data |D~(x) - alpha_F|^2 + E_z |D~(G(z)) - alpha_R|^2), D~ the logit of
    REAL (-D_psi), the anchors alpha moving averages treated as constants in the gradient; on
    Mescheder et al.'s objective (the discriminator ascends L - lam R_LC)."""
    def R(theta, psi):
        d_real, d_fake = -psi * X_REAL, -psi * theta
        return lam * ((d_real - alpha_f) ** 2 + (d_fake - alpha_r) ** 2)
    return mescheder_penalized_field(f, R)


def lecam_anchors_on_dirac(steps=50, beta=0.99):
    """The anchors as Tseng et al.'s code keeps them: alpha <- beta alpha + (1 - beta) mean D~,
    from 0, along an arbitrary sequence of discriminators psi_k: alpha_R stays exactly 0
    because D~(x_real) = -psi_k * 0 = 0 at every step."""
    alpha_r = mp.mpf(0)
    for k in range(steps):
        psi_k = mp.sin(k) * 3
        alpha_r = beta * alpha_r + (1 - beta) * (-psi_k * X_REAL)
    return alpha_r


def r3gan_field(gamma):
    """Huang et al. 2024, eq. (R3GAN's loss): RpGAN L = E f(D~(x_f) - D~(x_r)) with
    f(t) = softplus(t) = -log sigmoid(-t) for the discriminator (minimized) and the swapped
    pair for the generator, plus gamma/2 R1 + gamma/2 R2 with R1 = E_data |grad_x D~|^2 and
    R2 = E_theta |grad_x D~|^2 on the discriminator."""
    def d_paper(psi, x):
        return -psi * x

    def loss_d(theta, psi):
        rp = -mp.log(sigmoid(d_paper(psi, X_REAL) - d_paper(psi, theta)))
        r1 = d_dx(lambda x: d_paper(psi, x), X_REAL) ** 2
        r2 = d_dx(lambda x: d_paper(psi, x), theta) ** 2
        return rp + gamma / 2 * r1 + gamma / 2 * r2

    def loss_g(theta, psi):
        return -mp.log(sigmoid(d_paper(psi, theta) - d_paper(psi, X_REAL)))

    return game_field(loss_g, lambda t, p: -loss_d(t, p))


def q(x):
    """An exact decimal as an mpf (the same number stabgan receives as an exact rational)."""
    return mp.mpf(Fraction(x).numerator) / Fraction(x).denominator


# ---------------------------------------------------------------------------------------------
# The cases: (stabgan method id, options for stabgan.method, oracle field (built lazily)).
# Non-default parameters catch parameters in the wrong place.
# ---------------------------------------------------------------------------------------------

CASES = [
    ("gan", {}, lambda: gan_field()),
    ("gan", {"generator": "non-saturating"}, lambda: gan_field(nonsaturating=True)),
    ("gan", {"f": "t - t**3/3"}, lambda: game_field(mescheder_objective(cubic_f),
                                                    mescheder_objective(cubic_f))),
    ("nsgan", {}, lambda: gan_field(nonsaturating=True)),
    ("wgan", {}, lambda: wgan_field()),
    ("wgan", {"c": "0.5"}, lambda: wgan_field()),  # clipping is a projection, not in the field
    ("wgan-gp", {}, lambda: wgan_gp_field(1, 1)),
    ("wgan-gp", {"gamma": "0.3", "g0": "1.3"}, lambda: wgan_gp_field(q("0.3"), q("1.3"))),
    ("dragan", {}, lambda: dragan_field(1, 1)),
    ("dragan", {"gamma": "0.3", "k": "0.5"}, lambda: dragan_field(q("0.3"), q("0.5"))),
    ("dragan", {"gamma": "0.3", "k": 0}, lambda: dragan_field(q("0.3"), 0)),
    ("instance-noise", {}, lambda: instance_noise_field(1)),
    ("instance-noise", {"sigma": "0.8"}, lambda: instance_noise_field(q("0.8"))),
    ("instance-noise", {"sigma": "0.8", "generator": "non-saturating"},
     lambda: instance_noise_field(q("0.8"), nonsaturating=True)),
    ("r1", {}, lambda: r1_field(1)),
    ("r1", {"gamma": "0.3"}, lambda: r1_field(q("0.3"))),
    ("r1", {"gamma": "0.3", "f": "t - t**3/3"}, lambda: r1_field(q("0.3"), f=cubic_f)),
    ("r1", {"gamma": "0.3", "generator": "non-saturating"},
     lambda: r1_field(q("0.3"), nonsaturating=True)),
    ("r2", {}, lambda: r2_field(1)),
    ("r2", {"gamma": "0.3"}, lambda: r2_field(q("0.3"))),
    ("consensus", {}, lambda: consensus_field(1, gan_field())),
    ("consensus", {"gamma": "0.3"}, lambda: consensus_field(q("0.3"), gan_field())),
    ("consensus", {"gamma": "0.3", "generator": "non-saturating"},
     lambda: consensus_field(q("0.3"), gan_field(nonsaturating=True))),
    ("nk", {}, lambda: nagarajan_kolter_field(1)),
    ("nk", {"eta": "0.7"}, lambda: nagarajan_kolter_field(q("0.7"))),
    ("nk", {"eta": "0.7", "f": "t"}, lambda: nagarajan_kolter_field(q("0.7"), f=lambda t: t)),
    ("roth", {}, lambda: roth_field(1)),
    ("roth", {"gamma": "0.3"}, lambda: roth_field(q("0.3"))),
    ("rsgan", {}, lambda: rsgan_field()),
    ("rasgan", {}, lambda: rasgan_field()),
    ("lsgan", {}, lambda: lsgan_field(0, 1, 1)),
    ("lsgan", {"a": "0.2", "b": 1, "c": "0.9"}, lambda: lsgan_field(q("0.2"), 1, q("0.9"))),
    ("lsgan", {"a": "0.2", "b": "0.4", "c": "0.9"}, lambda: lsgan_field(q("0.2"), q("0.4"), q("0.9"))),
    ("bilinear", {}, lambda: bilinear_field()),
    ("hinge", {}, lambda: hinge_field()),
    ("lecam", {}, lambda: lecam_field(1)),
    ("lecam", {"lam": "0.3"}, lambda: lecam_field(q("0.3"))),
    ("lecam", {"lam": "0.3", "alpha_r": "0.2", "alpha_f": "-0.7"},
     lambda: lecam_field(q("0.3"), q("0.2"), q("-0.7"))),
    ("r3gan", {}, lambda: r3gan_field(1)),
    ("r3gan", {"gamma": "0.3"}, lambda: r3gan_field(q("0.3"))),
]

CASE_IDS = [f"{mid}-" + ",".join(f"{k}={v}" for k, v in opts.items()) if opts else mid
            for mid, opts, _ in CASES]


def _close(got, want, tol):
    return abs(mp.mpf(got) - want) <= tol * max(1, abs(want))


def test_every_catalogue_method_is_checked():
    """Coverage: every catalogue id has a paper-loss oracle here."""
    assert {mid for mid, _, _ in CASES} == {m.id for m in stabgan.methods()}


@pytest.mark.parametrize("method_id, options, oracle", CASES, ids=CASE_IDS)
def test_numeric_field_matches_paper_loss(method_id, options, oracle):
    """Independent oracle: m.field (float64) equals the paper's loss, numerically differentiated
    at 30 digits, at off-equilibrium points."""
    m = stabgan.method(method_id, **options)
    v = oracle()
    tol = NOISE_TOL if method_id == "instance-noise" else FLOAT_TOL
    for theta, psi in POINTS:
        want = v(mp.mpf(theta), mp.mpf(psi))
        got = m.field(theta, psi)
        for name, g, w in zip(("v_theta", "v_psi"), got, want):
            assert _close(float(g), w, tol), (method_id, options, (theta, psi), name,
                                              float(g), mp.nstr(w, 20))


def _sympy_value(m, expr, theta, psi):
    """A component of m.vector_field at (theta, psi), the omitted parameters at their catalogue
    defaults, evaluated by SymPy at 30 digits."""
    subs = {m.symbols[p.name]: sp.Rational(p.default.numerator, p.default.denominator)
            for p in m.spec.parameters if p.name not in m.values}
    named = {s.name: s for s in expr.free_symbols}
    if "theta" in named:
        subs[named["theta"]] = sp.Rational(theta)  # the exact binary value of the float
    if "psi" in named:
        subs[named["psi"]] = sp.Rational(psi)
    value = sp.sympify(expr).subs(subs).evalf(30)
    assert value.is_number, (expr, value)
    return mp.mpf(str(value))


@pytest.mark.parametrize("method_id, options, oracle",
                         [c for c in CASES if c[0] != "instance-noise"],
                         ids=[i for i, c in zip(CASE_IDS, CASES) if c[0] != "instance-noise"])
def test_symbolic_field_matches_paper_loss(method_id, options, oracle):
    """The SymPy field m.vector_field, evaluated at 30 digits, against the same oracle (to 1e-20).

    Against the paper's loss this is independent evidence for the symbolic field; that it and
    m.field agree is only a consistency check (m.field is lambdified from the same expressions).
    Instance noise is skipped: its components are unevaluated double integrals."""
    m = stabgan.method(method_id, **options)
    v = oracle()
    for theta, psi in POINTS:
        want = v(mp.mpf(theta), mp.mpf(psi))
        for name, expr, w in zip(("v_theta", "v_psi"), m.vector_field, want):
            got = _sympy_value(m, expr, theta, psi)
            assert _close(got, w, SYMPY_TOL), (method_id, options, (theta, psi), name,
                                               mp.nstr(got, 25), mp.nstr(w, 25))


def test_roth_wrong_mapping_is_caught_off_equilibrium():
    """Roth et al.'s D = sigmoid(phi) is P(real), so phi = -D_psi. Using phi = +psi x inside the
    regularizer (treating sigmoid(D_psi) as P(real)) leaves the Jacobian at the equilibrium
    unchanged (Omega is even in psi theta to second order) but changes the field away from it:
    only an off-equilibrium comparison tells the two apart."""
    gamma = q("0.3")
    right, wrong = roth_field(gamma), roth_field_wrong_regularizer(gamma)
    zero = mp.mpf(0)
    J_right, J_wrong = jacobian(right, zero, zero), jacobian(wrong, zero, zero)
    for i in range(2):
        for j in range(2):
            assert abs(J_right[i][j] - J_wrong[i][j]) < mp.mpf("1e-20"), (i, j, J_right, J_wrong)

    m = stabgan.method("roth", gamma="0.3")
    theta, psi = 0.7, -0.3
    got = m.field(theta, psi)
    want_right = right(mp.mpf(theta), mp.mpf(psi))
    want_wrong = wrong(mp.mpf(theta), mp.mpf(psi))
    for g, r in zip(got, want_right):
        assert _close(float(g), r, FLOAT_TOL)
    assert max(abs(mp.mpf(float(g)) - w) for g, w in zip(got, want_wrong)) > 1e-3


def test_roth_full_sign_flip_is_a_reparametrization():
    """Flipping the sign in the WHOLE of Roth's game (phi = +psi x in the objective and in Omega)
    is the change of variable psi -> -psi: v_wrong(theta, psi) = (v(theta, -psi)_theta,
    -v(theta, -psi)_psi). It has the same eigenvalues at the equilibrium but a different Jacobian
    (the off-diagonal entries change sign), so it is not a trap the Jacobian would miss; the
    partial flip of the test above is."""
    gamma = q("0.3")
    right, flipped = roth_field(gamma), roth_field(gamma, phi_sign=+1)
    for theta, psi in POINTS:
        theta, psi = mp.mpf(theta), mp.mpf(psi)
        ft, fp = flipped(theta, psi)
        rt, rp = right(theta, -psi)
        assert abs(ft - rt) < mp.mpf("1e-20") and abs(fp + rp) < mp.mpf("1e-20")


#: Points where the hinge discriminator's loss is flat in psi (theta psi > 1): the field there
#: is (-psi, 0), which the shared POINTS (all with theta psi < 1) do not reach.
HINGE_FLAT_POINTS = [(1.5, 1.2), (-2.0, -0.8), (0.6, 2.5)]


def test_hinge_field_matches_paper_loss_where_the_margin_is_met():
    """Independent oracle off the kink on its other side: where theta psi > 1 the fake
    sample's hinge is inactive, so the discriminator's gradient vanishes."""
    m = stabgan.method("hinge")
    v = hinge_field()
    for theta, psi in HINGE_FLAT_POINTS:
        want = v(mp.mpf(theta), mp.mpf(psi))
        got = m.field(theta, psi)
        assert want[1] == 0
        for g, w in zip(got, want):
            assert _close(float(g), w, FLOAT_TOL), ((theta, psi), float(g), mp.nstr(w, 20))


def test_lecam_published_anchors_are_zero_on_the_dirac_gan():
    """The anchors as published (moving averages from 0): the real-data anchor alpha_R is 0
    at every step on the Dirac-GAN, and the field does not depend on alpha_F at all, so the
    catalogue's defaults alpha_r = 0 (any alpha_f) are the published regularizer exactly."""
    assert lecam_anchors_on_dirac() == 0
    for theta, psi in POINTS:
        a = lecam_field(1, 0, 0)(mp.mpf(theta), mp.mpf(psi))
        b = lecam_field(1, 0, q("5.5"))(mp.mpf(theta), mp.mpf(psi))
        assert all(abs(x - y) < mp.mpf(10) ** -25 for x, y in zip(a, b))
