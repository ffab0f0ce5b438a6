"""LaTeX and Markdown documents of the derivations, generated from the analyses.

Every formula comes from :func:`analyze` (``Analysis.to_latex`` and the LaTeX printer);
nothing is typed in. The output is deterministic: methods in catalogue order, parameters
sorted, no dates or versions.
"""
from __future__ import annotations

import re

import sympy as sp

from ..analysis.analyze import Analysis, analyze
from ..model.method import method
from ..model.catalogue import MethodSpec, get_spec
from .._printing import latex
from .document import HEAVISIDE, bound_tex as _bound, condition_tex, marginal_range_tex
from .document import altgd_cell as _altgd_cell, verdict_words
from .prose import prose_md
from .scheme_sections import REGION as _REGION, SCHEME_SECTIONS

__all__ = ["method_results", "latex_document", "method_markdown", "index_markdown"]


def method_results(spec: MethodSpec) -> dict:
    """The analyses the documents show for one method.

    ``general``: continuous time with f general and parameters symbolic (where the method
    takes f); ``logistic``: continuous, SimGD and AltGD with the catalogue defaults (the f the
    method has, logistic by default), with h symbolic so that h_max is given.
    """
    defaults = {p.name: p.default for p in spec.parameters}
    out = {"spec": spec}
    if spec.takes_f:
        out["general"] = analyze(method(spec, f="general"))
        out["general_simgd"] = analyze(method(spec, f="general"), scheme="simgd")
        out["general_altgd"] = analyze(method(spec, f="general"), scheme="altgd")
    out["symbolic"] = analyze(method(spec))
    m = method(spec, **defaults)
    out["continuous"] = analyze(m)
    out["simgd"] = analyze(m, scheme="simgd")
    out["altgd"] = analyze(m, scheme="altgd")
    return out


def _discrete_verdict_md(a: Analysis) -> list[str]:
    if a.locally_convergent is None:
        conds = list(a.condition.args) if isinstance(a.condition, sp.And) else [a.condition]
        return ["locally convergent if and only if (Schur-Cohn, in closed form)", ""] + \
            [f"$${latex(c)}$$" for c in conds] + [""]
    return [verdict_words(a, md=True) + ".", ""]


def _verdict_short(a: Analysis) -> str:
    if a.nonsmooth is not None:
        return "no (jump)"
    if a.locally_convergent is True:
        return "yes"
    if a.locally_convergent is None:
        return "if " + condition_tex(a.condition)
    return "no (marginal)" if a.marginal else "no"




def _region_caption(name: str) -> str:
    """The caption of figures/region_NAME.png, from the panels it draws."""
    from .plots import SCHEME_FIGURES, region_scheme_words
    from .document import figure_caption_axis
    panels = []
    for side, (mid, params, scheme, fixed, xaxis, yaxis) in zip(("left", "right"),
                                                                 SCHEME_FIGURES[name]):
        from .._mathtext import symbol_tex
        axes = {xaxis[0], yaxis and yaxis[0]}
        given = {k: v for k, v in {**method(mid, **params).numeric_params, **fixed}.items()
                 if k not in axes}
        at = ", ".join("$%s = %s$" % (symbol_tex(k), latex(sp.nsimplify(v)))
                       for k, v in sorted(given.items()))
        what = (r"spectral radius per step against " + figure_caption_axis(xaxis)
                if yaxis is None else "spectral radius per step on the (" +
                figure_caption_axis(xaxis) + ", " + figure_caption_axis(yaxis) + ") plane")
        panels.append(r"%s: \texttt{%s} under %s%s, %s" % (
            side, mid, region_scheme_words(scheme, fixed, (xaxis, yaxis)),
            f" ({at})" if at else " (defaults)", what))
    from .plots import _section_momentum
    beta = _section_momentum(name)
    return ("Stability region, " + "; ".join(panels) + ", radius 1 marked" +
            ("" if beta is None else r"; dotted: the section's $\beta = %s$" % latex(beta)) + ".")


def scheme_results() -> list[dict]:
    """The analyses of the scheme sections: r1 and the unregularized GAN (catalogue defaults,
    h symbolic) under each scheme of :data:`SCHEME_SECTIONS`."""
    out = []
    for title, scheme, options, rule in SCHEME_SECTIONS:
        cases = []
        for mid in ("gan", "r1"):
            spec = get_spec(mid)
            if options.get("lazy_every") and spec.penalty_parameter is None:
                continue
            m = method(mid, **{p.name: p.default for p in spec.parameters})
            cases.append(analyze(m, scheme=scheme, **options))
        out.append({"title": title, "title_tex": title, "scheme": scheme, "options": options,
                    "rule": rule, "cases": cases, "figure": _REGION[title],
                    "caption": _region_caption(_REGION[title])})
    return out


def latex_document(results: list[dict], verification: list, schemes: list | None = None,
                   figures: dict | None = None) -> str:
    """The complete LaTeX document (see :mod:`.document`); ``figures`` maps a method id to
    its per-method figure files."""
    from .document import latex_document as document
    return document(results, verification, schemes, figures, _extension_tex())


def _md_eigs(a: Analysis) -> str:
    return ", \\quad ".join(latex(e) for e in a.eigenvalues)


def method_markdown(r: dict, figures: list[str]) -> str:
    """One method's derivation as GitHub Markdown with math."""
    spec = r["spec"]
    c, s, alt = r["continuous"], r["simgd"], r["altgd"]
    from .titles import title as method_title
    lines = [f"# `{spec.id}`: {method_title(spec)}", "",
             prose_md(spec.summary[0].upper() + spec.summary[1:]) + ".",
             "", f"**Source:** {spec.citation} (BibTeX key `{spec.citation.key}`)", "",
             f"**Convention:** {prose_md(spec.convention)}", ""]
    if spec.parameters:
        lines.append("**Parameters:** " + ", ".join(
            f"`{p.name}` = {p.to_dict()['default']} ({p.meaning}, range {p.interval})"
            for p in spec.parameters))
        lines.append("")
    shown = [("general f, parameters symbolic", r.get("general")),
             ("parameters symbolic", r["symbolic"]), ("catalogue defaults", c)]
    for title, a in shown:
        if a is None:
            continue
        lines += [f"## Continuous time, {title}", "",
                  "$$v_\\theta = " + latex(a.vector_field[0]) + "$$", "",
                  "$$v_\\psi = " + latex(a.vector_field[1]) + "$$", ""]
        if any(c.has(sp.Heaviside) for c in a.vector_field):
            lines += [HEAVISIDE, ""]
        if a.jacobian is not None:
            lines += ["$$v'(0, 0) = " + latex(a.jacobian) + "$$", "",
                      "$$\\lambda_{1,2} = " + _md_eigs(a) + "$$", ""]
        lines += [f"**Verdict:** {verdict_words(a, md=True)}.", ""]
        for name, value in sorted(a.critical.items()):
            symbol = a.method.symbols.get(name, sp.Symbol(name))
            lines += [f"**Critical ${latex(symbol)}$:** ${latex(value)}$", ""]
    for label, key in (("SimGD", "general_simgd"), ("AltGD (n_g = n_d = 1)", "general_altgd")):
        a = r.get(key)
        if a is None or a.jacobian is None:
            continue
        lines += [f"## {label}, general f, one step size", "",
                  "Step $h = h_g = h_d$; the update operator's eigenvalues:", "",
                  "$$\\lambda_{1,2} = " + _md_eigs(a) + "$$", ""] + _discrete_verdict_md(a)
    if c.nonsmooth is None:
        for label, a in (("SimGD", s), ("AltGD (n_g = n_d = 1)", alt)):
            d = a.discrete
            text = f"**{label}** at the defaults: $h_{{\\max}} = {_bound(a.h_max)}$"
            if d["h_marginal"] is not None:
                text += "; spectrum on the unit circle for " + marginal_range_tex(d["h_marginal"])
                if d.get("defective"):
                    text += (", with a defective eigenvalue (a Jordan block): the linearized "
                             "iterates grow linearly")
            if d["h_opt"] is not None:
                text += (f"; fastest step $h_{{\\mathrm{{opt}}}} \\approx {d['h_opt']:.6g}$ "
                         f"(spectral radius {d['rate_opt']:.6g})")
            lines += [text + ".", ""]
    for fig in figures:
        lines += [f"![{fig}](../figures/{fig})", ""]
    return github_math("\n".join(lines))


def github_math(text: str) -> str:
    """Markdown math that GitHub's MathJax renders: ``\\operatorname`` (which the LaTeX printer
    emits for sigmoid) is not in GitHub's subset; ``\\mathrm`` is."""
    return text.replace("\\operatorname{", "\\mathrm{")


#: The section on the entries and optimizers added through the extension API: (heading,
#: paragraphs, figure files). What each says was found by the analyses and oracles and is
#: checked by the statements named (``stabgan verify``). ``[[st: id, id]]`` refers to lemma
#: statements by id: numbered references in the LaTeX document (:func:`statement_refs`).
EXTENSION_SECTION = (
    "Methods and optimizers added through the extension API",
    ("The hinge, LeCam and R3GAN entries of the catalogue are built from the public "
     "extension API alone: a method given by its losses, penalties, and the sum of a method "
     "and a penalty.",
     "Hinge loss: with H the Heaviside step (H(t) = 1 for t > 0, else 0), the field "
     "(-psi, theta H(1 - theta psi)) is the rotation near (0, 0): eigenvalues "
     "+-i and orbits on circles for theta^2 + psi^2 <= 2; from outside, orbits slide along "
     "theta psi = 1 and reach the circle theta^2 + psi^2 = 2 in finite time (the ODE oracle "
     "slides by Filippov's rule) [[st: hinge-eigenvalues, hinge-centre-and-cycle]].",
     "LeCam: with the published anchors (alpha_r = 0 on the Dirac-GAN) the penalty is "
     "lam (psi theta)^2: the Jacobian is the unregularized GAN's (+-i f'(0)), and "
     "d|x|^2/dt = -4 lam theta^2 psi^2, so the flow converges like |x|^2 ~ 2/(lam t), slower "
     "than any exponential [[st: tseng21-lecam-jacobian, tseng21-lecam-slow-convergence]].",
     "R3GAN: R1 and R2 penalize the same psi^2 here, so R3GAN at gamma is the non-saturating "
     "GAN with R1 at 2 gamma; locally convergent for every gamma > 0 "
     "[[st: hgkt24-r3gan-converges, r3gan-is-r1-at-twice-gamma]].",
     "SGA with weight lambda_SGA turns the rotation into a focus with real part "
     "-lambda_SGA f'(0)^2; unrolling K steps of size h adds -2 K h f'(0)^2 to "
     "dv_theta/dtheta; TTUR on R1 converges if and only if h_g f'(0)^2 < gamma and "
     "h_d (2 gamma - h_g f'(0)^2) < 4 "
     "[[st: bgrlt18-sga-hamiltonian, mpps17-unrolled-damping, hrunh17-ttur-r1]].",
     "EMA adds the eigenvalue beta twice and scales a cycle's amplitude by "
     "|(1 - beta) z / (z - beta)| [[st: ema-adds-beta]]. Adam and RMSprop are simulated "
     "only: their step is 0/0 at the equilibrium, and near it the small constant that "
     "Adam adds to the denominator, not the field, sets the step's size."),
    ("ext_hinge_flow.png", "ext_ema.png", "ext_adaptive.png"))


DYNAMICS_SECTION = (
    "Basins of attraction and bifurcations",
    ("The basins are computed by following every start of a grid (with the vectorized "
     "simulator, or with the ODE oracle start by start) and classifying the tail of each "
     "trajectory: a point when the whole tail lies within a stated tolerance of it, a closed "
     "invariant set when the tail's envelope is stationary to that tolerance and a 5% push "
     "comes back towards it, divergence past the bound, or undecided; a closed orbit that "
     "attracts nothing (a centre) is labelled as such. Each attractor is reported once, with "
     "its position or its crossing of psi = 0 and period.",
     "WGAN-GP under SimGD (h = 0.05): at gamma = 0.7 every start reaches one limit cycle; at "
     "gamma = 3 the side of psi = 0 on which a trajectory settles decides between the "
     "non-Nash points (-gamma g0, 0+) and (gamma g0, 0-). DRAGAN (k = 1, gamma = 0.7) is "
     "bistable: two non-Nash points inside a limit cycle. The unregularized GAN grows under "
     "SimGD from every start (|x + h v|^2 = |x|^2 + h^2 |v|^2) and keeps closed orbits under "
     "AltGD that attract nothing.",
     "The bifurcation diagrams continue the attractors over a parameter and bisect where "
     "their kinds change. The non-smooth analysis predicts where non-Nash points start to "
     "attract: where the one-sided equilibria turn from foci into nodes, gamma = 2 for "
     "WGAN-GP and gamma = (sqrt(5) - 1)/2 for DRAGAN with the logistic f; for a discrete "
     "scheme over h the equilibrium is lost at h_max. Each derived point is compared with "
     "the bisected one within a stated allowance [[st: wgan-gp-bifurcation-gamma-2, "
     "dragan-points-appear, r1-simgd-bifurcation-at-h-max, hinge-basin-boundary]]."),
    ("basins_wgan-gp.png", "basins_dragan.png", "basins_gan.png", "bifurcation_wgan-gp.png",
     "bifurcation_dragan.png"))

_STATEMENT_REFS = re.compile(r"\s*\[\[st:\s*([^\]]*)\]\]")


def statement_refs(text: str, md: bool = False) -> str:
    """A section paragraph with its ``[[st: id, ...]]`` references typeset: in LaTeX as
    "(Statements 51 and 52)" with ``\\ref`` to the statements' labels, in Markdown as the
    statements' ids in code type; the rest through :func:`prose_tex` (:func:`prose_md`)."""
    from .prose import prose_md, prose_tex
    out, at = [], 0
    for m in _STATEMENT_REFS.finditer(text):
        ids = [i.strip() for i in m.group(1).split(",")]
        out.append((prose_md if md else prose_tex)(text[at:m.start()]))
        if md:
            out.append(" (statements " + ", ".join(f"`{i}`" for i in ids) + ")")
        else:
            refs = [r"\ref{st:%s}" % i for i in ids]
            words = refs[0] if len(refs) == 1 else ", ".join(refs[:-1]) + " and " + refs[-1]
            out.append((" (Statement~" if len(refs) == 1 else " (Statements~") + words + ")")
        at = m.end()
    return "".join(out) + (prose_md if md else prose_tex)(text[at:])


def _extension_markdown() -> list[str]:
    lines = []
    for heading, paragraphs, figures in (EXTENSION_SECTION, DYNAMICS_SECTION):
        lines += ["", f"## {heading}", ""]
        for text in paragraphs:
            lines += [statement_refs(text, md=True), ""]
        lines += [f"![{name}](../figures/{name})" for name in figures]
    return lines


#: Captions of the basins and bifurcation section's figures.
DYNAMICS_CAPTIONS = {
    "basins_wgan-gp.png": r"\texttt{wgan-gp} ($g_0 = 1$) under SimGD, $h = 0.05$, $24 \times "
                          r"24$ starts in $[-3, 3]^2$: $\gamma = 0.7$ (left), one limit cycle; "
                          r"$\gamma = 3$ (right), the two non-Nash points.",
    "basins_dragan.png": r"\texttt{dragan} ($k = 1$, $\gamma = 0.7$) under SimGD, $h = 0.05$, "
                         r"$24 \times 24$ starts in $[-3, 3]^2$: bistable, two non-Nash points "
                         r"inside a limit cycle.",
}



def _basins_gan_caption() -> str:
    """The caption of figures/basins_gan.png, with the labels' shares the maps found."""
    from .dynamics_plots import GAN_BASINS, gan_basins
    from ..dynamics.basins import DIVERGED, NO_ATTRACTOR, UNDECIDED
    simgd, altgd = gan_basins()
    lo, hi, n = GAN_BASINS["grid"]
    names = {DIVERGED: "diverged", UNDECIDED: "undecided", NO_ATTRACTOR: "no attractor (centre)"}

    def shares(b):
        return ", ".join(r"%s %.0f\%%" % (name, 100 * b.fraction(lab))
                         for lab, name in names.items() if b.fraction(lab) > 0) or "none"
    s, a = GAN_BASINS["simgd"], GAN_BASINS["altgd"]
    return (r"\texttt{gan} (minimax, logistic $f$), $h = %g$ for both schemes, $%d \times %d$ "
            r"starts in $[%g, %g]^2$. Left, SimGD, %d steps: the norm grows at every step "
            r"($|x + hv|^2 = |x|^2 + h^2 |v|^2$; near $(0, 0)$ the eigenvalues $1 \pm i h f'(0)$ "
            r"have modulus above 1), so every start but $(0, 0)$ spirals out; it grows slowly "
            r"where $f'(\theta\psi)$ is small, hence the long run and the bound "
            r"$\max(|\theta|, |\psi|) = %g$ just above the starts, past which a start is "
            r"labelled diverged. The map: %s. Right, AltGD, %d steps and a tail of %d classified at "
            r"tolerance $%s$: closed orbits whose 5\%% neighbours stay on their own orbits, "
            r"labelled no attractor (centre). The map: %s."
            % (GAN_BASINS["h"], n, n, lo, hi, s["steps"] + s["tail"], s["bound"], shares(simgd),
               a["steps"], a["tail"], latex(sp.Float(a["tol"], 2)), shares(altgd)))


def _bifurcation_caption(method_id: str) -> str:
    """The caption of figures/bifurcation_ID.png: the settings, the points found and how
    the derived one compares (from the result the figure draws)."""
    from .dynamics_plots import BIFURCATIONS, bifurcation_result
    params, values, options, statement = BIFURCATIONS[method_id]
    d = bifurcation_result(method_id)
    at = ", ".join("$%s = %s$" % (latex(sp.Symbol(k)), v) for k, v in sorted(params.items()))
    if options["scheme"] == "ode":
        how = r"the flow (ODE oracle) from $(%g, %g)$" % (options["theta"][0], options["psi"][0])
    else:
        how = (r"SimGD $h = %g$, %d + %d steps from $%d \times %d$ starts in $[%g, %g]^2$" % (
            options["h"], options["steps"], options["tail"], len(options["theta"]),
            len(options["psi"]), min(options["theta"]), max(options["theta"])))
    text = (r"\texttt{%s} (%s) over $\gamma \in [%g, %g]$, %s, bisected to brackets of width "
            r"$%s$: the settings of statement \texttt{%s}, so the point found is the one it "
            r"checks." % (method_id, at, values[0], values[-1], how,
                          latex(sp.Float(options["xtol"], 2)), statement))
    gone = [q for q in d.points if "limit_cycle" in q["left"] and "limit_cycle" not in q["right"]]
    for p in d.predicted:
        if "found" not in p:
            continue
        step = 0.0 if options["scheme"] == "ode" else options["h"]
        lag = p["allowance"] - p["found_tol"] - step
        diff = p["difference"]
        derived = sp.together(sp.sympify(p["sympy"]))
        text += (r" Non-Nash points appear at $\gamma = %.4g \pm %.1g$ (found); derived: "
                 r"$\gamma = %s$, where the one-sided equilibria turn from foci "
                 r"into nodes. The found point is %.3g %s it, %s the stated allowance %.3g "
                 r"(the bracket, plus %.3g within which a spiral reaches the point to the "
                 r"oracle's resolution before it can cross $\psi = 0$%s)."
                 % (p["found"], p["found_tol"], latex(derived) + (
                     "" if derived.is_Rational else r" \approx %.4g" % p["value"]), abs(diff), "above" if diff > 0 else "below",
                    "within" if p["agrees"] else "outside", p["allowance"], lag,
                    r", plus $h = %g$: SimGD follows the flow only to $O(h)$" % step if step else ""))
    for q in gone:
        if "point" in q["left"]:
            text += (r" The limit cycle is gone above $\gamma = %.4g \pm %.1g$; in between "
                     r"both attract (bistable)." % (q["value"], q["tol"]))
    return text


#: Captions computed from the results the figures draw.
DYNAMICS_CAPTIONS.update({
    "basins_gan.png": _basins_gan_caption,
    "bifurcation_wgan-gp.png": lambda: _bifurcation_caption("wgan-gp"),
    "bifurcation_dragan.png": lambda: _bifurcation_caption("dragan"),
})

#: Captions of the extension section's figures.
EXTENSION_CAPTIONS = {
    "ext_ema.png": r"EMA of the weights with $\beta = 0.9$ against the raw iterate. Left: "
                   r"\texttt{bilinear} under AltGD, $h = 0.5$, 400 steps from $(1, 0)$, a "
                   r"cycle, with the derived gain. Right: \texttt{r1} ($\gamma = 0.3$) under "
                   r"SimGD, $h = 0.2$, 300 steps from $(1, 1)$, with $\max(\rho, \beta)^k$.",
}


def _adaptive_caption() -> str:
    """figures/ext_adaptive.png: the optimizers' hyperparameters are the simulator's."""
    from .extension_plots import ADAPTIVE_OPTIONS, adaptive_default
    from .._mathtext import assign_tex

    def opts(scheme):
        return ", ".join(assign_tex(o, adaptive_default(o, scheme))
                         for o in ADAPTIVE_OPTIONS[scheme])
    return (r"Distance to the equilibrium under SimGD, Adam (%s, with the bias correction of "
            r"Kingma and Ba) and RMSprop (%s, no momentum, not centred), all with $h = 0.01$, "
            r"2000 steps from $(1, 1)$: \texttt{r1} ($\gamma = 0.3$, left) and \texttt{gan} "
            r"(right)." % (opts("adam"), opts("rmsprop")))


def _hinge_caption() -> str:
    """figures/ext_hinge_flow.png, with the starts and horizon the figure integrates."""
    from .extension_plots import HINGE_STARTS, HINGE_T
    starts = ", ".join("$(%g, %g)$" % s for s in HINGE_STARTS)
    return (r"\texttt{hinge}: the flow $(-\psi, \theta H(1 - \theta\psi))$: circles inside "
            r"$\theta^2 + \psi^2 \le 2$, sliding along $\theta\psi = 1$ from outside onto the "
            r"limit cycle $\theta^2 + \psi^2 = 2$ (ODE oracle with Filippov sliding), from "
            r"%s (dots) up to $t = %g$." % (starts, HINGE_T))


EXTENSION_CAPTIONS.update({"ext_adaptive.png": _adaptive_caption,
                           "ext_hinge_flow.png": _hinge_caption})


def _extension_tex() -> list[str]:
    out = []
    for label, section in (("sec:extension", EXTENSION_SECTION),
                           ("sec:dynamics", DYNAMICS_SECTION)):
        out += _prose_section_tex(*section, label)
    return out


def _prose_section_tex(heading, paragraphs, figures, label) -> list[str]:
    from .document import figure_tex
    out = [r"\section{%s}" % heading, r"\label{%s}" % label]
    for text in paragraphs:
        out += [statement_refs(text), ""]
    out.append("Figures " + ", ".join(r"\ref{fig:%s}" % n[:-4] for n in figures[:-1]) +
               r" and \ref{fig:%s} show them." % figures[-1][:-4])
    for name in figures:
        caption = {**EXTENSION_CAPTIONS, **DYNAMICS_CAPTIONS}[name]
        out += figure_tex(name, caption() if callable(caption) else caption)
    return out


def index_markdown(results: list[dict], verification: list) -> str:
    """derivations/README.md: the summary table, links, and the lemma-suite results."""
    lines = ["# Derivations", "",
             "Generated by `stabgan report` (do not edit). The complete LaTeX document is "
             "[stabgan.tex](stabgan.tex), with the bibliography [stabgan.bib](stabgan.bib) "
             "(`pdflatex stabgan`, `bibtex stabgan`, then `pdflatex stabgan` twice build the "
             "PDF; `stabgan report` does it when `pdflatex` and `bibtex` are installed).", "",
             "| method | continuous (defaults) | eigenvalues | $h_{\\max}$ SimGD | $h_{\\max}$ AltGD |",
             "| --- | --- | --- | --- | --- |"]
    for r in results:
        c = r["continuous"]
        eig = ("$" + _md_eigs(c) + "$") if c.eigenvalues else "(jump at $\\psi = 0$)"
        lines.append(f"| [`{r['spec'].id}`]({r['spec'].id}.md) | {_verdict_short(c)} | {eig} | "
                     f"${_bound(r['simgd'].h_max)}$ | ${_altgd_cell(r['altgd'])}$ |")
    lines += _extension_markdown()
    lines += ["", "## Lemma suite", "", "| statement | source | result |", "| --- | --- | --- |"]
    for v in verification:
        lines.append(f"| `{v.id}` | {v.source} | {'pass' if v.passed else 'FAIL'} |")
    return github_math("\n".join(lines) + "\n")
