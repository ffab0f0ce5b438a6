"""LaTeX and Markdown documents of the derivations, generated from the analyses.

Every formula comes from :func:`analyze` (``Analysis.to_latex`` and the LaTeX printer);
nothing is typed in. The output is deterministic: methods in catalogue order, parameters
sorted, no dates or versions.
"""
from __future__ import annotations

import sympy as sp

from ..analysis.analyze import Analysis, analyze
from ..model.method import method
from ..model.catalogue import MethodSpec, get_spec
from .._printing import latex

__all__ = ["method_results", "latex_document", "method_markdown", "index_markdown"]


def _tex_text(text: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"),
                 ("_", r"\_"), ("^", r"\^{}"), ("~", r"\~{}"), ("{", r"\{"), ("}", r"\}")):
        text = text.replace(a, b)
    return text


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


def _eigs(a: Analysis) -> str:
    return ",\\quad ".join(latex(e) for e in a.eigenvalues) if a.eigenvalues else r"\text{---}"


def _bound(value) -> str:
    if value is None:
        return r"\text{no } h"
    if value is sp.oo:
        return r"\infty"
    text = latex(value)
    if isinstance(value, sp.CRootOf) or value.has(sp.CRootOf):
        return r"%.10g" % float(value)
    return text + (r" \approx %.6g" % float(value) if not value.is_Rational else "")


def _altgd_cell(a: Analysis) -> str:
    """h_max, or where no step converges but the spectrum stays on the unit circle, that."""
    d = a.discrete
    if a.h_max is None and d and d.get("h_marginal") is not None:
        return r"\text{no } h\ (\lvert\lambda\rvert = 1 \text{ for } h < " + _bound(d["h_marginal"]) + ")"
    return _bound(a.h_max)


def _discrete_verdict_tex(a: Analysis) -> str:
    if a.locally_convergent is None:
        conds = list(a.condition.args) if isinstance(a.condition, sp.And) else [a.condition]
        return (r"locally convergent if and only if (Schur-Cohn, in closed form)"
                r"\begin{gather*}" + r" \\ ".join(latex(c) for c in conds) + r"\end{gather*}")
    return _tex_text(a.verdict()) + r".\par"


def _discrete_verdict_md(a: Analysis) -> list[str]:
    if a.locally_convergent is None:
        conds = list(a.condition.args) if isinstance(a.condition, sp.And) else [a.condition]
        return ["locally convergent if and only if (Schur-Cohn, in closed form)", ""] + \
            [f"$${latex(c)}$$" for c in conds] + [""]
    return [a.verdict() + ".", ""]


def _verdict_short(a: Analysis) -> str:
    if a.nonsmooth is not None:
        return "no (jump)"
    if a.locally_convergent is True:
        return "yes"
    if a.locally_convergent is None:
        return "if $" + latex(a.condition) + "$"
    return "no (marginal)" if a.marginal else "no"


def _losses(spec: MethodSpec, f: str) -> tuple[str, str]:
    from ..model.method import derive
    d = derive(spec, f, "minimax")
    return latex(d.loss_g), latex(d.loss_d)


def _section_tex(r: dict) -> list[str]:
    spec = r["spec"]
    c, s, alt = r["continuous"], r["simgd"], r["altgd"]
    params = ", ".join(f"${latex(sp.Symbol(p.name))} = {p.to_dict()['default']}$"
                       for p in spec.parameters) or "none"
    f_used = "general" if spec.takes_f else spec.builtin_f
    lg, ld = _losses(spec, "general" if spec.takes_f else {"t": "t", "logistic": "logistic",
                                                             "none": "t"}[spec.builtin_f])
    lines = [r"\section{\texttt{%s}: %s}" % (spec.id, _tex_text(spec.summary)),
             r"\textbf{Source:} " + _tex_text(str(spec.citation)) + r"\par",
             r"\textbf{Convention:} " + _tex_text(spec.convention) + r"\par",
             r"\textbf{Parameters (defaults):} " + params + r"\par",
             r"\textbf{Losses} (f " + _tex_text(f_used) + r"; the generator descends $L_G$, "
             r"the discriminator ascends $L_D$):",
             r"\begin{align*}", r"L_G &= " + lg + r" \\", r"L_D &= " + ld, r"\end{align*}"]
    if "general" in r:
        g = r["general"]
        lines += [r"\subsection*{Continuous time, general $f$, parameters symbolic}",
                  g.to_latex()]
        for label, key in (("SimGD", "general_simgd"), ("AltGD ($n_g = n_d = 1$)", "general_altgd")):
            a = r[key]
            if a.jacobian is None:
                continue
            lines += [r"\textbf{" + label + r"} (general $f$, step $h = h_g = h_d$): update "
                      r"eigenvalues", r"\[" + _eigs(a) + r"\]", _discrete_verdict_tex(a)]
    lines += [r"\subsection*{Continuous time, " + ("logistic $f$" if f_used != "t" else "$f(t) = t$")
              + ", parameters symbolic}", r["symbolic"].to_latex()]
    if c.nonsmooth is not None:
        lines.append(r"\subsection*{Non-smooth analysis at the defaults}")
        lines.append(_tex_text(c.nonsmooth["behaviour"]) + r"\par")
        for side, info in sorted(c.nonsmooth["one_sided"].items()):
            for e in info["equilibria"]:
                lines.append(r"One-sided equilibrium $(\theta_b, \psi) = (" + e["theta"]["latex"]
                             + ", 0^{" + e["psi"][-1] + r"})$, Jacobian $" + e["jacobian"]["latex"]
                             + r"$, " + _tex_text(e["type"]) + r".\par")
        return lines
    lines += [r"\subsection*{At the defaults}",
              r"Eigenvalues $" + _eigs(c) + r"$; verdict: " + _tex_text(c.verdict()) + r".\par"]
    for name, value in sorted(c.critical.items()):
        lines.append(r"Critical $" + latex(sp.Symbol(name)) + r"$ (other parameters at their "
                     r"defaults): $" + latex(value) + r"$.\par")
    for label, a in (("SimGD", s), ("AltGD ($n_g = n_d = 1$)", alt)):
        lines.append(r"\textbf{" + label + r":} $h_{\max} = " + _bound(a.h_max) + r"$")
        d = a.discrete
        if d["h_marginal"] is not None:
            lines.append(r"; the spectrum stays on the unit circle for $h \le "
                         + _bound(d["h_marginal"]) + "$"
                         + (", with a defective eigenvalue (a Jordan block): the linearized "
                            "iterates grow linearly" if d.get("defective") else ""))
        if d["stable_intervals"]:
            lines.append("; stable again on " + ", ".join(
                r"$(%s, %s)$" % (_bound(lo), _bound(hi)) for lo, hi in d["stable_intervals"]))
        if d["h_opt"] is not None:
            lines.append(r"; fastest step $h_{\mathrm{opt}} \approx %.6g$ with spectral radius "
                         r"$%.6g$" % (d["h_opt"], d["rate_opt"]))
        lines.append(r".\par")
    return lines


#: The schemes of the LaTeX document's scheme sections: (title, scheme, options, update rule).
SCHEME_SECTIONS = (
    ("SimGD", "simgd", {}, r"x_{k+1} = x_k + H v(x_k),\quad H = \operatorname{diag}(h_g, h_d)"),
    ("AltGD", "altgd", {}, r"\theta_{k+1} = \theta_k + h_g v_\theta(\theta_k, \psi_k),\quad "
     r"\psi_{k+1} = \psi_k + h_d v_\psi(\theta_{k+1}, \psi_k)"),
    ("Extragradient (Korpelevich 1976; Gidel et al. 2019)", "extragradient", {},
     r"y_k = x_k + h_e v(x_k),\quad x_{k+1} = x_k + h\, v(y_k),\quad h_e = h"),
    ("Optimistic gradient (Daskalakis et al. 2018)", "ogda", {},
     r"x_{k+1} = x_k + 2h\, v(x_k) - h\, v(x_{k-1})"),
    (r"Simultaneous heavy ball, $\beta = -1/2$ (Gidel et al. 2019)", "simgd",
     {"momentum": "-1/2"}, r"x_{k+1} = x_k + h\, v(x_k) + \beta (x_k - x_{k-1})"),
    (r"Alternating heavy ball, $\beta = -1/2$ (Gidel et al. 2019)", "altgd",
     {"momentum": "-1/2"}, r"\theta_{k+1} = \theta_k + h v_\theta(\theta_k, \psi_k) + \beta"
     r"(\theta_k - \theta_{k-1}),\ \psi_{k+1} = \psi_k + h v_\psi(\theta_{k+1}, \psi_k) + "
     r"\beta (\psi_k - \psi_{k-1})"),
    (r"Lookahead over SimGD, $k = 5$, $\alpha = 1/2$ (Chavdarova et al. 2021)", "lookahead", {},
     r"s \leftarrow x;\ 5 \text{ SimGD steps from } x;\ x \leftarrow s + \alpha (x - s)"),
    ("Lazy R1 under SimGD, every 4th step (Karras et al. 2020)", "simgd", {"lazy_every": 4},
     r"\gamma_k = 4\gamma \text{ if } k \equiv 3 \pmod 4, \text{ else } 0;\quad "
     r"x_{k+1} = x_k + h\, v_{\gamma_k}(x_k)"),
)


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
        out.append({"title": title, "scheme": scheme, "options": options, "rule": rule,
                    "cases": cases})
    return out


def _scheme_section_tex(s: dict) -> list[str]:
    lines = [r"\subsection{" + s["title"] + "}", r"\[" + s["rule"] + r"\]"]
    for a in s["cases"]:
        d = a.discrete
        m = a.method
        params = ", ".join(f"${latex(sp.Symbol(k))} = {latex(v)}$" for k, v in m.params.items())
        state = ", ".join(r"\texttt{%s}" % _tex_text(c) for c in d["state"])
        period = (f" over one period of {d['period']} steps" if d["period"] > 1 else "")
        lines += [r"\paragraph{\texttt{%s}%s} Update operator%s on the state (%s):"
                  % (m.id, f" ({params})" if params else "", period, state)]
        if a.jacobian.rows <= 4 and len(latex(a.jacobian)) < 1500:
            lines.append(r"\[" + latex(a.jacobian) + r"\]")
        lines.append(r"characteristic polynomial \[" + latex(d["charpoly"]) + r"\]")
        if a.eigenvalues and sum(len(latex(e)) for e in a.eigenvalues) < 1200:
            lines.append(r"eigenvalues \[" + _eigs(a) + r"\]")
        lines.append(_discrete_verdict_tex(a))
        lines.append(r"$h_{\max} = " + _altgd_cell(a) + "$")
        if d["h_opt"] is not None:
            lines.append(r"; fastest step $h_{\mathrm{opt}} \approx %.6g$ with spectral radius "
                         r"$%.6g$ per step" % (d["h_opt"], d["rate_opt"]))
        lines.append(r".\par")
    return lines


def latex_document(results: list[dict], verification: list, schemes: list | None = None) -> str:
    """The complete LaTeX document (article class; amsmath, amssymb, booktabs, hyperref)."""
    head = [r"\documentclass[10pt]{article}", r"\usepackage[T1]{fontenc}",
            r"\usepackage{amsmath,amssymb,booktabs,graphicx}", r"\usepackage[hidelinks]{hyperref}",
            r"\allowdisplaybreaks", r"\setlength{\emergencystretch}{3em}",
            r"\title{stabgan: convergence of GAN training on the Dirac-GAN}",
            r"\author{generated by \texttt{stabgan report}}", r"\date{}",
            r"\begin{document}", r"\maketitle",
            r"Conventions of Mescheder, Geiger and Nowozin (2018): data at 0, generator "
            r"$\delta_\theta$, discriminator $D_\psi(x) = \psi x$, "
            r"$L(\theta, \psi) = f(\psi\theta) + f(0)$, field "
            r"$v = (-\partial L_G/\partial\theta,\ \partial L_D/\partial\psi)$. Verdicts are "
            r"decided in exact arithmetic; $h_{\max}$ is the supremum of the step sizes "
            r"$h = h_g = h_d$ for which the scheme converges locally for every smaller step.",
            r"\section*{Summary (catalogue defaults)}", r"\begin{center}\small",
            r"\begin{tabular}{llll}", r"\toprule",
            r"method & continuous & $h_{\max}$ SimGD & $h_{\max}$ AltGD \\", r"\midrule"]
    for r in results:
        head.append(r"\texttt{%s} & %s & $%s$ & $%s$ \\" % (
            r["spec"].id, _verdict_short(r["continuous"]), _bound(r["simgd"].h_max),
            _altgd_cell(r["altgd"])))
    head += [r"\bottomrule", r"\end{tabular}", r"\end{center}"]
    body = []
    for r in results:
        body += _section_tex(r)
    if schemes:
        body += [r"\section{Schemes with memory and periods}",
                 r"Each scheme is one update rule over an abstract field; run on $v(x) = Jx$ it "
                 r"gives the update operator's Jacobian at the equilibrium on the augmented "
                 r"state (the velocity $u$ of momentum, OGDA's previous field value "
                 r"$g_{\mathrm{prev}}$). Periodic schemes (lookahead, lazy) are analyzed over "
                 r"one period; the rate is per step. Defaults of the catalogue, $h = h_g = h_d$ "
                 r"symbolic; stability regions in \texttt{figures/region\_*.png}."]
        for s in schemes:
            body += _scheme_section_tex(s)
    body += _extension_tex()
    tail = [r"\section{The lemma suite}", r"\begin{center}\small",
            r"\begin{tabular}{lll}", r"\toprule", r"statement & source & result \\",
            r"\midrule"]
    for v in verification:
        tail.append(r"\texttt{%s} & %s & %s \\" % (v.id, _tex_text(v.source),
                                                   "pass" if v.passed else "FAIL"))
    tail += [r"\bottomrule", r"\end{tabular}", r"\end{center}"]
    for v in verification:
        tail.append(r"\paragraph{\texttt{%s}} %s \emph{(%s)}" % (v.id, v.statement,
                                                                _tex_text(v.source)))
    tail.append(r"\end{document}")
    return "\n".join(head + body + tail) + "\n"


def _md_eigs(a: Analysis) -> str:
    return ", \\quad ".join(latex(e) for e in a.eigenvalues)


def method_markdown(r: dict, figures: list[str]) -> str:
    """One method's derivation as GitHub Markdown with math."""
    spec = r["spec"]
    c, s, alt = r["continuous"], r["simgd"], r["altgd"]
    lines = [f"# `{spec.id}`: {spec.summary}", "", f"**Source:** {spec.citation}", "",
             f"**Convention:** {spec.convention}", ""]
    if spec.parameters:
        lines.append("**Parameters:** " + ", ".join(
            f"`{p.name}` = {p.to_dict()['default']} ({p.meaning}, range {p.interval})"
            for p in spec.parameters))
        lines.append("")
    shown = [("general $f$, parameters symbolic", r.get("general")),
             ("parameters symbolic", r["symbolic"]), ("catalogue defaults", c)]
    for title, a in shown:
        if a is None:
            continue
        lines += [f"## Continuous time, {title}", "",
                  "$$v_\\theta = " + latex(a.vector_field[0]) + "$$", "",
                  "$$v_\\psi = " + latex(a.vector_field[1]) + "$$", ""]
        if a.jacobian is not None:
            lines += ["$$v'(0, 0) = " + latex(a.jacobian) + "$$", "",
                      "$$\\lambda_{1,2} = " + _md_eigs(a) + "$$", ""]
        lines += [f"**Verdict:** {a.verdict()}.", ""]
        for name, value in sorted(a.critical.items()):
            lines += [f"**Critical {name}:** ${latex(value)}$", ""]
    for label, key in (("SimGD", "general_simgd"), ("AltGD (n_g = n_d = 1)", "general_altgd")):
        a = r.get(key)
        if a is None or a.jacobian is None:
            continue
        lines += [f"## {label}, general $f$, step $h = h_g = h_d$", "",
                  "$$\\lambda_{1,2} = " + _md_eigs(a) + "$$", ""] + _discrete_verdict_md(a)
    if c.nonsmooth is None:
        for label, a in (("SimGD", s), ("AltGD (n_g = n_d = 1)", alt)):
            d = a.discrete
            text = f"**{label}** at the defaults: $h_{{\\max}} = {_bound(a.h_max)}$"
            if d["h_marginal"] is not None:
                text += f"; spectrum on the unit circle for $h \\le {_bound(d['h_marginal'])}$"
                if d.get("defective"):
                    text += (", with a defective eigenvalue (a Jordan block): the linearized "
                             "iterates grow linearly")
            if d["h_opt"] is not None:
                text += (f"; fastest step $h_{{\\mathrm{{opt}}}} \\approx {d['h_opt']:.6g}$ "
                         f"(spectral radius {d['rate_opt']:.6g})")
            lines += [text + ".", ""]
    for fig in figures:
        lines += [f"![{fig}](../figures/{fig})", ""]
    return "\n".join(lines)


#: The section on the entries and optimizers added through the extension API: (heading,
#: paragraphs, figure files). What each says was found by the analyses and oracles and is
#: checked by the statements named (``stabgan verify``).
EXTENSION_SECTION = (
    "Methods and optimizers added through the extension API",
    ("hinge, lecam and r3gan are catalogue entries written with custom_method, penalty and "
     "Method + penalty only (stabgan/model/contributed.py).",
     "hinge: the field (-psi, theta H(1 - theta psi)) is the rotation near (0, 0): eigenvalues "
     "+-i and orbits on circles for theta^2 + psi^2 <= 2; from outside, orbits slide along "
     "theta psi = 1 and reach the circle theta^2 + psi^2 = 2 in finite time (statements "
     "hinge-eigenvalues, hinge-centre-and-cycle; the ODE oracle slides by Filippov's rule).",
     "lecam: with the published anchors (alpha_R = 0 on the Dirac-GAN) the penalty is "
     "lam (psi theta)^2: the Jacobian is the unregularized GAN's (+-i f'(0)), and "
     "d|x|^2/dt = -4 lam theta^2 psi^2, so the flow converges like |x|^2 ~ 2/(lam t), slower "
     "than any exponential (tseng21-lecam-jacobian, tseng21-lecam-slow-convergence).",
     "r3gan: R1 and R2 penalize the same psi^2 here, so R3GAN at gamma is the non-saturating "
     "GAN with R1 at 2 gamma; locally convergent for every gamma > 0 "
     "(hgkt24-r3gan-converges, r3gan-is-r1-at-twice-gamma).",
     "SGA turns the rotation into a focus with real part -lam f'(0)^2; unrolling K steps of "
     "size h adds -2 K h f'(0)^2 to dv_theta/dtheta; TTUR on R1 converges iff "
     "h_g f'(0)^2 < gamma and h_d (2 gamma - h_g f'(0)^2) < 4 (bgrlt18-sga-hamiltonian, "
     "mpps17-unrolled-damping, hrunh17-ttur-r1).",
     "EMA adds the eigenvalue beta twice and scales a cycle's amplitude by "
     "|(1 - beta) z / (z - beta)| (ema-adds-beta). Adam and RMSprop are simulated only: "
     "their step is 0/0 at the equilibrium, and near it eps, not the field, sets its size."),
    ("ext_hinge_flow.png", "ext_ema.png", "ext_adaptive.png"))


DYNAMICS_SECTION = (
    "Basins of attraction and bifurcations",
    ("stabgan.basins follows every start of a grid (the simulator, vectorized, or the ODE "
     "oracle start by start) and classifies the tail of each trajectory: a point when the "
     "whole tail lies within tol of it, a closed invariant set when the tail's envelope is "
     "stationary to tol and a 5% push comes back towards it, divergence past the bound, or "
     "undecided; a closed orbit that attracts nothing (a centre) is labelled as such. Each "
     "attractor is reported once, with its position or its crossing of psi = 0 and period.",
     "WGAN-GP under SimGD (h = 0.05): at gamma = 0.7 every start reaches one limit cycle; at "
     "gamma = 3 the side of psi = 0 on which a trajectory settles decides between the "
     "non-Nash points (-gamma g0, 0+) and (gamma g0, 0-). DRAGAN (k = 1, gamma = 0.7) is "
     "bistable: two non-Nash points inside a limit cycle. The unregularized GAN grows under "
     "SimGD from every start (|x + h v|^2 = |x|^2 + h^2 |v|^2) and keeps closed orbits under "
     "AltGD that attract nothing.",
     "stabgan.bifurcation continues the attractors over a parameter and bisects where their "
     "kinds change. The non-smooth analysis predicts where non-Nash points start to attract: "
     "where the one-sided equilibria turn from foci into nodes, gamma = 2 for WGAN-GP and "
     "gamma = (sqrt(5) - 1)/2 for DRAGAN with the logistic f; for a discrete scheme over h "
     "the equilibrium is lost at h_max. Each derived point is compared with the bisected one "
     "within a stated allowance (statements wgan-gp-bifurcation-gamma-2, "
     "dragan-points-appear, r1-simgd-bifurcation-at-h-max, hinge-basin-boundary)."),
    ("basins_wgan-gp.png", "basins_dragan.png", "basins_gan.png", "bifurcation_wgan-gp.png",
     "bifurcation_dragan.png"))


def _extension_markdown() -> list[str]:
    lines = []
    for heading, paragraphs, figures in (EXTENSION_SECTION, DYNAMICS_SECTION):
        lines += ["", f"## {heading}", ""]
        for text in paragraphs:
            lines += [text, ""]
        lines += [f"![{name}](../figures/{name})" for name in figures]
    return lines


def _extension_tex() -> list[str]:
    out = []
    for section in (EXTENSION_SECTION, DYNAMICS_SECTION):
        out += _prose_section_tex(*section)
    return out


def _prose_section_tex(heading, paragraphs, figures) -> list[str]:
    out = [r"\section{%s}" % heading]
    for text in paragraphs:
        out += [_tex_text(text), ""]
    for name in figures:
        # the PDF is built in derivations/; a copy of the .tex elsewhere names the file instead
        out += [r"\begin{center}",
                r"\IfFileExists{../figures/%s}{\includegraphics[width=\linewidth]"
                r"{../figures/%s}}{\texttt{figures/%s}}" % (name, name, _tex_text(name)),
                r"\end{center}"]
    return out


def index_markdown(results: list[dict], verification: list) -> str:
    """derivations/README.md: the summary table, links, and the lemma-suite results."""
    lines = ["# Derivations", "",
             "Generated by `stabgan report` (do not edit). The complete LaTeX document is "
             "[stabgan.tex](stabgan.tex) (`pdflatex stabgan.tex` builds the PDF; `stabgan "
             "report` does it when `pdflatex` is installed).", "",
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
    return "\n".join(lines) + "\n"
