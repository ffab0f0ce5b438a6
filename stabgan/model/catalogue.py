"""The catalogue of training methods, each a declarative :class:`MethodSpec`.

Conventions (Mescheder, Geiger, Nowozin 2018): the data distribution is
delta_0, the generator's is delta_theta, the discriminator is D_psi(x) = psi x,
and the objective is

    L(theta, psi) = E_{p_theta}[f(D_psi(x))] + E_{p_D}[f(-D_psi(x))] = f(psi theta) + f(0).

With the logistic f(t) = -log(1 + e^{-t}), sigmoid(D_psi(x)) is the probability
that x is FAKE. The generator descends L_G, the discriminator ascends
L_D - (penalty); the vector field is v = (-dL_G/dtheta, +dL_D/dpsi).

A spec is data: SymPy expressions in ``THETA``, ``PSI``, the noise symbols, the
parameter symbols and a placeholder function ``F`` that the chosen f replaces.
The discriminator enters only through :func:`D` and :func:`grad_D`, so every
loss reads as in its paper, with the sign mapping stated in ``convention``.
Nothing here is a result: fields, Jacobians and eigenvalues are derived in
``stabgan.model.method`` and ``stabgan.analysis.analyze``.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from .._errors import InputError
from .._symbols import Sigmoid
from .._symbols import F, PSI, THETA
from .._options import Parameter

__all__ = ["MethodSpec", "Citation", "CATALOGUE", "EPS_REAL", "EPS_FAKE",
           "D", "grad_D", "methods", "get_spec"]

#: Instance noise on the real sample and on the fake sample.
EPS_REAL = sp.Symbol("epsilon_r", real=True)
EPS_FAKE = sp.Symbol("epsilon_f", real=True)
_X = sp.Symbol("x", real=True)
_D_OF_X = PSI * _X


def D(x: sp.Expr) -> sp.Expr:
    """The Dirac-GAN discriminator D_psi(x) = psi x (a logit for FAKE)."""
    return _D_OF_X.subs(_X, x)


def grad_D(x: sp.Expr) -> sp.Expr:
    """The input gradient d D_psi / dx evaluated at ``x`` (psi, wherever x is)."""
    return sp.diff(_D_OF_X, _X).subs(_X, x)


#: BibTeX escapes of the accented letters in the authors' names.
_BIBTEX_ACCENTS = {"ø": r"{\o}", "á": r"{\'a}", "è": r"{\`e}", "é": r"{\'e}", "ü": r'{\"u}'}


def _bibtex_accents(name: str) -> str:
    """A name with its accented letters as BibTeX escapes (Sønderby: S{\\o}nderby)."""
    return "".join(_BIBTEX_ACCENTS.get(c, c) for c in name)


def _ascii(name: str) -> str:
    """A name without its accents (for BibTeX keys): Sønderby is Sonderby."""
    import unicodedata
    name = name.replace("ø", "o").replace("Ø", "O")
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


@dataclass(frozen=True)
class Citation:
    """Where a method comes from."""

    authors: str
    year: int | None
    title: str
    venue: str
    arxiv: str
    journal: str = ""
    volume: str = ""
    pages: str = ""

    @property
    def arxiv_id(self) -> str:
        """The arXiv identifier, or "" where the source has none (the data may say "n/a")."""
        return self.arxiv if re.fullmatch(r"\d{4}\.\d{4,5}(v\d+)?", self.arxiv or "") else ""

    @property
    def names_authors(self) -> bool:
        """Whether ``authors`` lists people (the lecture notes name a course instead)."""
        return bool(self.authors) and "(" not in self.authors

    @property
    def key(self) -> str:
        """The BibTeX key: first author's surname (or, without authors, the title's first
        word), the year, and the first word of the title that is not an article."""
        words = [re.sub(r"[^a-z0-9]", "", w.lower()) for w in self.title.split()]
        words = [w for w in words if w and w not in ("a", "an", "the", "on", "of")]
        if self.names_authors:
            first = re.sub(r"[^a-z]", "", _ascii(self.authors.split(",")[0].split()[-1].lower()))
            return f"{first}{self.year or ''}{words[0]}"
        return f"{words[0]}{self.year or ''}{words[1] if len(words) > 1 else ''}"

    def bibtex(self) -> str:
        """The BibTeX entry: only the fields the citation has (no arXiv id where it has none)."""
        conference = re.fullmatch(r"(ICML|NIPS|NeurIPS|ICLR|CVPR|ICCV|AISTATS) (\d{4})",
                                  self.venue or "")
        kind = "inproceedings" if conference else ("article" if self.journal else "misc")
        fields = []
        if self.names_authors:
            fields.append(("author", " and ".join(_bibtex_accents(a.strip())
                                                  for a in self.authors.split(","))))
        else:
            fields.append(("key", self.title))
        fields.append(("title", "{" + self.title + "}"))
        if conference:  # the venue's name; its year is the year field
            fields.append(("booktitle", conference.group(1)))
        elif self.journal:
            fields.append(("journal", self.journal))
        elif self.venue:
            fields.append(("howpublished", self.venue[0].upper() + self.venue[1:]))
        if self.volume:
            fields.append(("volume", self.volume))
        if self.pages:
            fields.append(("pages", self.pages.replace("-", "--")))
        if conference or self.year:  # a conference's year, not the preprint's
            fields.append(("year", conference.group(2) if conference else str(self.year)))
        if self.arxiv_id:
            fields += [("eprint", self.arxiv_id), ("archiveprefix", "arXiv"),
                       ("note", "arXiv:" + self.arxiv_id)]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@{kind}{{{self.key},\n{body}\n}}\n"

    def __str__(self) -> str:
        title = self.title if self.title[-1] in ".?!" else self.title + "."
        parts = ([f"{self.authors} ({self.year})."] if self.authors else []) + [title]
        parts += ([f"{self.venue}."] if self.venue else []) + (
            [f"arXiv:{self.arxiv_id}"] if self.arxiv_id else [])
        return " ".join(parts)

    def to_dict(self) -> dict:
        """The JSON form."""
        return {"authors": self.authors, "year": self.year, "title": self.title,
                "venue": self.venue, "arxiv": self.arxiv, "text": str(self)}


@dataclass(frozen=True)
class MethodSpec:
    r"""What a training method is, as data.

    Attributes
    ----------
    id : str
        The catalogue id (part of the contract).
    summary : str
        One line that says what the method is.
    citation : Citation
        The source paper.
    parameters : tuple of Parameter
        The method's parameters, with defaults and ranges.
    objective : sympy.Expr
        The game value L(theta, psi) in the placeholder f.
    loss_g, loss_d : sympy.Expr or None
        The generator's (descended) and discriminator's (ascended) losses where
        they differ from ``objective``.
    d_penalty : sympy.Expr
        Subtracted from the discriminator's objective.
    penalty_weight : sympy.Symbol or None
        The parameter that ``d_penalty`` is proportional to (declared, the one lazy
        regularization scales).
    g_penalty : sympy.Expr
        Added to the generator's loss.
    lazy_note : str
        Why lazy regularization cannot scale this method's penalty, where it cannot
        (e.g. a sum of penalties with several weights); empty otherwise.
    adjustments : tuple
        Transforms of the field applied in order after it is derived, each called as
        ``adjust(v, loss_g, loss_d) -> v`` (see :mod:`stabgan.model.adjustments`).
    g_grad_penalty : sympy.Symbol or None
        Weight w of the term :math:`w\,|\partial L/\partial\psi|^2` added to the
        generator's loss (Nagarajan and Kolter 2017).
    consensus : sympy.Symbol or None
        Weight of the consensus term: :math:`v \leftarrow v - \gamma\nabla\tfrac12|v|^2`.
    noise : tuple of (Symbol, Expr)
        Gaussian noise variables and their standard deviations; losses are
        expectations over them.
    builtin_f : str or None
        ``"t"`` or ``"logistic"`` where f is fixed, ``"none"`` where the method has
        no f; ``None`` where the user chooses f.
    nonsaturating_loss_g : sympy.Expr or None
        The generator's loss under ``generator="non-saturating"``, where the
        method accepts that option.
    constraints : tuple of (str, Expr, Expr)
        Box constraints (coordinate, low, high) applied as a projection after each step.
    convention : str
        How the source paper's sign convention was mapped onto Mescheder et al.'s.
    conversions : tuple of str
        The parameters in the source papers' own conventions.
    """

    id: str
    summary: str
    citation: Citation
    parameters: tuple[Parameter, ...]
    objective: sp.Expr
    convention: str
    loss_g: sp.Expr | None = None
    loss_d: sp.Expr | None = None
    d_penalty: sp.Expr = sp.S.Zero
    penalty_weight: sp.Symbol | None = None
    g_penalty: sp.Expr = sp.S.Zero
    lazy_note: str = ""
    adjustments: tuple = ()
    g_grad_penalty: sp.Symbol | None = None
    consensus: sp.Symbol | None = None
    noise: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
    builtin_f: str | None = None
    nonsaturating_loss_g: sp.Expr | None = None
    constraints: tuple[tuple[str, sp.Expr, sp.Expr], ...] = ()
    conversions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def takes_f(self) -> bool:
        """Whether the user chooses f."""
        return self.builtin_f is None

    @property
    def penalty_parameter(self) -> str | None:
        """The parameter that weighs the method's penalty (the one lazy regularization scales):
        the declared weight of the discriminator's penalty, the weight of the generator's
        gradient penalty or of the consensus term; None without a penalty."""
        if self.lazy_note:
            return None
        for weight in (self.penalty_weight, self.g_grad_penalty, self.consensus):
            if weight is not None:
                return weight.name
        return None

    @property
    def generator_options(self) -> tuple[str, ...]:
        """The accepted values of ``generator=``."""
        return ("minimax", "non-saturating") if self.nonsaturating_loss_g is not None else ()

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def to_dict(self) -> dict:
        """The JSON form used by ``stabgan methods --json``."""
        return {
            "id": self.id, "summary": self.summary, "citation": self.citation.to_dict(),
            "parameters": [p.to_dict() for p in self.parameters],
            "f": "user's choice (default logistic)" if self.takes_f else
                 {"t": "f(t) = t (built in)", "logistic": "logistic (built in)",
                  "none": "no f: raw discriminator output"}[self.builtin_f],
            "generator_options": list(self.generator_options),
            "convention": self.convention, "conversions": list(self.conversions),
            "bibtex_key": self.citation.key,
        }


def _p(name: str, default, meaning: str, low=None, high=None, low_closed=True) -> Parameter:
    to_f = (lambda x: None if x is None else Fraction(x))
    return Parameter(name=name, default=Fraction(default), meaning=meaning, low=to_f(low),
                     high=to_f(high), low_closed=low_closed)


_GAMMA = _p("gamma", 1, "regularization weight", low=0)
_SIGMA = _p("sigma", 1, "standard deviation of the instance noise", low=0, low_closed=False)
_ETA = _p("eta", 1, "weight of the generator's gradient-norm penalty", low=0)
g, sig, eta = _GAMMA.symbol, _SIGMA.symbol, _ETA.symbol

_MESCHEDER = Citation("Mescheder, Geiger, Nowozin", 2018, "Which Training Methods for GANs do "
                      "actually Converge?", "ICML 2018", "1801.04406")
_GOODFELLOW = Citation("Goodfellow, Pouget-Abadie, Mirza, Xu, Warde-Farley, Ozair, Courville, "
                       "Bengio", 2014, "Generative Adversarial Nets", "NIPS 2014", "1406.2661")
_RELATIVISTIC = Citation("Jolicoeur-Martineau", 2018, "The relativistic discriminator: a key "
                         "element missing from standard GAN", "ICLR 2019", "1807.00734")
_FAKE = ("Mescheder et al.'s convention: sigmoid(D_psi(x)) is the probability that x is FAKE; "
         "the discriminator ascends L.")

# The standard objective, written as in Mescheder et al. eq. (1).
_L = F(D(THETA)) + F(-D(0))
_NS = -F(-D(THETA))

CATALOGUE: tuple[MethodSpec, ...] = (
    MethodSpec(
        id="gan", summary="unregularized minimax GAN, L = f(psi theta) + f(0)",
        citation=_GOODFELLOW, parameters=(), objective=_L, nonsaturating_loss_g=_NS,
        convention=_FAKE + " Goodfellow's D(x) = P(real) = sigmoid(-D_psi(x)).",
        conversions=("Goodfellow's value function V(D, G) = L with D(x) = sigmoid(-psi x).",)),
    MethodSpec(
        id="nsgan", summary="non-saturating generator loss L_G = -f(-psi theta)",
        citation=_GOODFELLOW, parameters=(), objective=_L, loss_g=_NS,
        convention=_FAKE + " The generator maximizes log D(G(z)) with Goodfellow's D = P(real) "
                   "= sigmoid(-D_psi), i.e. descends -f(-psi theta).",
        conversions=("Goodfellow's -log D(G(z)) = -f(-psi theta) for the logistic f.",)),
    MethodSpec(
        id="wgan", summary="WGAN: f(t) = t, weight clipping psi in [-c, c] after each step",
        citation=Citation("Arjovsky, Chintala, Bottou", 2017, "Wasserstein Generative Adversarial "
                          "Networks", "ICML 2017", "1701.07875"),
        parameters=(_p("c", 1, "clip bound: psi is projected onto [-c, c]", low=0, low_closed=False),),
        objective=_L, builtin_f="t",
        constraints=(("psi", -sp.Symbol("c", positive=True), sp.Symbol("c", positive=True)),),
        convention="f(t) = t, so L = psi theta; the critic's output psi x scores FAKE higher, the "
                   "negative of Arjovsky et al.'s critic.",
        conversions=("Arjovsky et al.'s clipping c is the same c.",)),
    MethodSpec(
        id="wgan-gp",
        summary="WGAN-GP: f(t) = t, discriminator penalty gamma/2 (|grad_x D| - g0)^2",
        citation=Citation("Gulrajani, Ahmed, Arjovsky, Dumoulin, Courville", 2017, "Improved "
                          "Training of Wasserstein GANs", "NIPS 2017", "1704.00028"),
        parameters=(_GAMMA, _p("g0", 1, "target gradient norm", low=0)),
        objective=_L, builtin_f="t",
        penalty_weight=g,
        d_penalty=g / 2 * (sp.Abs(grad_D(sp.Symbol("alpha") * 0 + (1 - sp.Symbol("alpha")) * THETA))
                           - sp.Symbol("g0", nonnegative=True)) ** 2,
        convention="f(t) = t; the penalty is taken at interpolates of real and fake samples, where "
                   "grad_x D_psi = psi everywhere.",
        conversions=("Gulrajani et al.'s lambda = gamma/2; their target 1 is g0.",)),
    MethodSpec(
        id="dragan",
        summary="DRAGAN: penalty gamma/2 E_{x ~ p_D + noise} (|grad_x D| - k)^2",
        citation=Citation("Kodali, Abernethy, Hays, Kira", 2017, "On Convergence and Stability of "
                          "GANs", "arXiv preprint", "1705.07215"),
        parameters=(_GAMMA, _p("k", 1, "target gradient norm (k = 0 is R1)", low=0)),
        objective=_L, nonsaturating_loss_g=_NS,
        penalty_weight=g,
        d_penalty=g / 2 * (sp.Abs(grad_D(EPS_REAL)) - sp.Symbol("k", nonnegative=True)) ** 2,
        convention=_FAKE + " The penalty is taken at perturbed real samples, where grad_x D_psi = "
                   "psi, so the perturbation's size drops out.",
        conversions=("Kodali et al.'s lambda = gamma/2 and their target 1 is k.",)),
    MethodSpec(
        id="instance-noise",
        summary="instance noise N(0, sigma^2) added to real and fake samples",
        citation=Citation("Sønderby, Caballero, Theis, Shi, Huszár", 2017, "Amortised MAP "
                          "Inference for Image Super-resolution", "ICLR 2017", "1610.04490"),
        parameters=(_SIGMA,),
        objective=F(D(THETA + EPS_FAKE)) + F(-D(0 + EPS_REAL)),
        nonsaturating_loss_g=-F(-D(THETA + EPS_FAKE)),
        noise=((EPS_REAL, sig), (EPS_FAKE, sig)),
        convention=_FAKE + " Both real and fake samples are perturbed by independent N(0, sigma^2).",
        conversions=("Same Jacobian at the equilibrium as R1 with gamma = -2 f''(0) sigma^2 "
                     "(Mescheder et al. Lemma 3.2 vs 3.3).",)),
    MethodSpec(
        id="r1", summary="R1: gamma/2 E_{p_D} |grad_x D|^2 on the discriminator",
        citation=_MESCHEDER, parameters=(_GAMMA,), objective=_L, nonsaturating_loss_g=_NS,
        penalty_weight=g, d_penalty=g / 2 * grad_D(0) ** 2, convention=_FAKE,
        conversions=("GAN_stability's reg_param = gamma/2.",)),
    MethodSpec(
        id="r2", summary="R2: gamma/2 E_{p_theta} |grad_x D|^2 on the discriminator",
        citation=_MESCHEDER, parameters=(_GAMMA,), objective=_L, nonsaturating_loss_g=_NS,
        penalty_weight=g, d_penalty=g / 2 * grad_D(THETA) ** 2, convention=_FAKE,
        conversions=("GAN_stability's reg_param = gamma/2.",)),
    MethodSpec(
        id="consensus", summary="consensus optimization: v - gamma grad(1/2 |v|^2)",
        citation=Citation("Mescheder, Nowozin, Geiger", 2017, "The Numerics of GANs",
                          "NIPS 2017", "1705.10461"),
        parameters=(_GAMMA,), objective=_L, nonsaturating_loss_g=_NS, consensus=g,
        convention=_FAKE + " The consensus term acts on the joint field of both players.",
        conversions=("Mescheder et al. 2017's gamma is the same gamma.",)),
    MethodSpec(
        id="nk",
        summary="Nagarajan-Kolter: the generator descends L + eta |grad_psi L|^2",
        citation=Citation("Nagarajan, Kolter", 2017, "Gradient descent GAN optimization is locally "
                          "stable", "NIPS 2017", "1706.04156"),
        parameters=(_ETA,), objective=_L, g_grad_penalty=eta,
        convention=_FAKE + " Weight eta with no 1/2, as in the authors' code; f = 't' gives their "
                   "regularized WGAN.",
        conversions=("Nagarajan and Kolter's eta is the same eta.",)),
    MethodSpec(
        id="roth",
        summary="Roth et al. JS regularizer gamma/2 Omega on the discriminator (logistic f)",
        citation=Citation("Roth, Lucchi, Nowozin, Hofmann", 2017, "Stabilizing Training of "
                          "Generative Adversarial Networks through Regularization", "NIPS 2017",
                          "1705.09367"),
        parameters=(_GAMMA,), objective=_L, builtin_f="logistic",
        # Roth's D = sigmoid(phi) is P(real): phi = -D_psi. Omega = E_P[(1-D)^2 |grad phi|^2]
        # + E_Q[D^2 |grad phi|^2], P real (x = 0), Q fake (x = theta).
        penalty_weight=g, d_penalty=g / 2 * ((1 - Sigmoid(-D(0))) ** 2 * (-grad_D(0)) ** 2
                           + Sigmoid(-D(THETA)) ** 2 * (-grad_D(THETA)) ** 2),
        convention="Roth et al.'s D = sigmoid(phi) is the probability of REAL, so phi = -D_psi; "
                   "their objective E_P log D + E_Q log(1 - D) is then L with the logistic f.",
        conversions=("Roth et al.'s gamma is the same gamma.",)),
    MethodSpec(
        id="rsgan", summary="relativistic standard GAN; on the Dirac-GAN its field equals nsgan's",
        citation=_RELATIVISTIC, parameters=(), objective=F(D(THETA) - D(0)),
        loss_g=-F(D(0) - D(THETA)),
        convention="Jolicoeur-Martineau's critic C(x) is a logit for REAL: C = -D_psi. The "
                   "discriminator maximizes f(C(x_r) - C(x_f)) = f(D_psi(x_f) - D_psi(x_r)), the "
                   "generator minimizes -f(C(x_f) - C(x_r)).",
        conversions=("For the logistic f, f(u) = log sigmoid(u) as in the paper's RSGAN.",)),
    MethodSpec(
        id="rasgan",
        summary="relativistic average standard GAN (sum of the real and fake terms)",
        citation=_RELATIVISTIC, parameters=(),
        objective=F(D(THETA) - D(0)) + F(D(THETA) - D(0)),
        loss_d=F(D(THETA) - D(0)) + F(D(THETA) - D(0)),
        loss_g=-F(D(0) - D(THETA)) - F(D(0) - D(THETA)),
        convention="C = -D_psi as for rsgan; with one real and one fake point the averages are the "
                   "points: the discriminator maximizes f(C(x_r) - E C(x_f)) + f(E C(x_r) - C(x_f)), "
                   "the generator minimizes -f(C(x_f) - E C(x_r)) - f(E C(x_f) - C(x_r)).",
        conversions=("The paper's normalization: the two terms are summed, not averaged.",)),
    MethodSpec(
        id="lsgan", summary="least squares GAN on the raw output D_psi (labels a, b, c)",
        citation=Citation("Mao, Li, Xie, Lau, Wang, Smolley", 2017, "Least Squares Generative "
                          "Adversarial Networks", "ICCV 2017", "1611.04076"),
        parameters=(_p("a", 0, "label of fake samples"), _p("b", 1, "label of real samples"),
                    _p("c", 1, "the generator's target label")),
        objective=sp.S.Zero, builtin_f="none",
        loss_d=-(sp.Rational(1, 2) * (D(0) - sp.Symbol("b", real=True)) ** 2
                 + sp.Rational(1, 2) * (D(THETA) - sp.Symbol("a", real=True)) ** 2),
        loss_g=sp.Rational(1, 2) * (D(THETA) - sp.Symbol("c", real=True)) ** 2,
        convention="Raw discriminator output D_psi(x) = psi x, no sigmoid, so no sign mapping: the "
                   "discriminator minimizes 1/2 E_pD[(D - b)^2] + 1/2 E_ptheta[(D - a)^2] (ascends "
                   "its negative), the generator minimizes 1/2 E_ptheta[(D - c)^2].",
        conversions=("Mao et al.'s a, b, c are the same labels.",)),
    MethodSpec(
        id="bilinear", summary="the bilinear game min_theta max_psi theta psi (lecture notes)",
        citation=Citation("GAN Training Pathologies (lecture notes)", None, "GAN Training "
                          "Pathologies", "lecture notes, section Oscillation (no author or "
                          "date given)", "n/a"),
        parameters=(), objective=THETA * PSI, builtin_f="t",
        convention="x = theta (minimizing player), y = psi (maximizing player), V = x y.",
        conversions=()),
)

_BY_ID = {spec.id: spec for spec in CATALOGUE}
_ADDED: list[MethodSpec] = []


def register(spec: MethodSpec) -> MethodSpec:
    """Add an entry written with the public extension API (:mod:`.contributed`) to the
    catalogue, after the hand-written entries; an id that is taken is refused."""
    if spec.id in _BY_ID:
        raise ValueError(f"catalogue id {spec.id!r} is taken")
    _BY_ID[spec.id] = spec
    _ADDED.append(spec)
    return spec


def is_catalogue_id(name) -> bool:
    """Whether ``name`` is the id of a catalogue entry."""
    return isinstance(name, str) and name in _BY_ID


def get_spec(method_id: str) -> MethodSpec:
    """The spec of ``method_id``; an unknown id raises :class:`InputError` with a suggestion."""
    if not isinstance(method_id, str) or method_id not in _BY_ID:
        close = difflib.get_close_matches(str(method_id), list(_BY_ID), n=2, cutoff=0.5)
        hint = (" Did you mean " + " or ".join(f"'{c}'" for c in close) + "?") if close else ""
        raise InputError(f"Unknown method {method_id!r}: the method must be one of "
                         f"{', '.join(_BY_ID)}.{hint}")
    return _BY_ID[method_id]


def methods() -> list[MethodSpec]:
    """The catalogue: one :class:`MethodSpec` per method id, in catalogue order (the
    hand-written entries, then those written with the extension API: hinge, lecam, r3gan).

    Returns
    -------
    list of MethodSpec
        Entries with ``.id``, ``.parameters``, ``.citation`` and ``.summary``.

    Examples
    --------
    >>> [m.id for m in methods()][:3]
    ['gan', 'nsgan', 'wgan']
    """
    return [*CATALOGUE, *_ADDED]
