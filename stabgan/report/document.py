"""derivations/stabgan.tex: the derivations as a LaTeX article with figures, statements and a
bibliography (derivations/stabgan.bib, run through BibTeX by ``stabgan report``).

Every formula is printed from the SymPy objects with the package's LaTeX printer; prose that
carries ASCII math (catalogue summaries and conventions, verdicts, check details) goes through
:func:`.prose.prose_tex`. Long formulas are broken at the top-level terms of a sum (an
``align*`` with continuation lines); a square root whose argument is too long is named
(``\\Delta_1 = ...``) and printed below, broken the same way. The PDF is built in derivations/
and finds the figures in ../figures/.
"""
from __future__ import annotations

import re

import sympy as sp

from .._printing import latex
from ..analysis.analyze import Analysis
from ..model.references import cited_keys
from .details import detail_tex
from .prose import prose_md, prose_tex, tex_text

__all__ = ["latex_document", "WIDTH", "figure_tex"]

#: Estimated characters of typeset math that fit on one line of the text block.
WIDTH = 62


def _width(tex: str) -> int:
    """A rough width of typeset math in characters (commands count as one glyph)."""
    t = re.sub(r"\\(left|right|,|;|quad|qquad|displaystyle)", "", tex)
    t = re.sub(r"\\frac\{", "{", t)
    t = re.sub(r"\\[A-Za-z]+", "x", t)
    t = re.sub(r"[{}^_ ]", "", t)
    return len(t)


def _terms(expr) -> list[str]:
    """The LaTeX of the top-level terms of a sum, signs attached (``+ a``, ``- b``)."""
    out = []
    for i, term in enumerate(sp.Add.make_args(expr)):
        tex = latex(term)
        if i and not tex.startswith("-"):
            tex = "+ " + tex
        out.append(tex)
    return out


def _lines(expr, width: int = WIDTH) -> list[str]:
    """``expr`` in lines of at most ``width`` (estimated): a sum broken between its terms (a
    term too wide itself broken the same way), a product with a long sum as
    ``c \\Bigl( ... \\Bigr)``, a fraction with a long numerator as (1/den)(numerator)."""
    tex = latex(expr)
    if _width(tex) <= width:
        return [tex]
    if expr.is_Add:
        out = []
        for i, term in enumerate(sp.Add.make_args(expr)):
            sign = "" if i == 0 else "+ "
            t = latex(term)
            if _width(t) <= width:
                out.append(sign + t if not t.startswith("-") else t)
                continue
            sub = _lines(term, width)
            if i and not sub[0].startswith("-"):
                sub[0] = "+ " + sub[0]
            out += sub
        return _pack(out, width)
    if expr.is_Mul:
        wide = [a for a in expr.args if a.is_Add and _width(latex(a)) > width // 2]
        if wide:
            rest = expr / wide[0]
            head = ("-" if rest == -1 else "" if rest == 1 else latex(rest)) + r" \Bigl("
            inner = _lines(wide[0], width - 4)
            inner[0] = head + inner[0]
            inner[-1] += r"\Bigr)"
            return inner
    num, den = sp.fraction(expr)
    if den != 1 and num.is_Add:
        inner = _lines(num, width - 6)
        inner[0] = r"\frac{1}{" + latex(den) + r"} \Bigl(" + inner[0]
        inner[-1] += r"\Bigr)"
        return inner
    return [tex]


def _pack(terms: list[str], width: int) -> list[str]:
    lines, cur = [], ""
    for t in terms:
        if cur and _width(cur + t) > width:
            lines.append(cur)
            cur = t
        else:
            cur = (cur + " " + t).strip()
    return lines + [cur] if cur else lines


def _fit(line: str) -> str:
    """A line still wider than the text block after breaking: scaled down (the last resort)."""
    if _width(line) <= WIDTH - 12:
        return line
    return r"\fitmath{" + line + "}"


def _name_roots(expr, names: list):
    """Replace each square root with a long argument by sqrt(Delta_k); ``names`` collects
    (symbol, argument)."""
    def wide(e):
        return isinstance(e, sp.Pow) and e.exp == sp.S.Half and _width(latex(e.base)) > WIDTH // 2
    for root in sorted(expr.atoms(sp.Pow), key=sp.default_sort_key):
        if wide(root):
            known = [s for s, b in names if b == root.base]
            sym = known[0] if known else sp.Symbol(r"\Delta_{%d}" % (len(names) + 1))
            if not known:
                names.append((sym, root.base))
            expr = expr.xreplace({root: sp.sqrt(sym)})
    return expr


def display(rows: list[tuple[str, object]], relation: str = "=") -> str:
    """An ``align*`` of ``lhs = expr`` rows, each broken into lines that fit; long square
    roots named and defined after the rows."""
    names: list = []
    body = []
    for lhs, expr in rows:
        expr = _name_roots(sp.sympify(expr), names) if not isinstance(expr, str) else expr
        lines = [expr] if isinstance(expr, str) else _lines(expr)
        body.append(lhs + " &" + relation + " " + _fit(lines[0]))
        body += [r"&\quad " + _fit(line) for line in lines[1:]]
    out = [r"\begin{align*}", " \\\\\n".join(body)]
    if names:
        defs = []
        for sym, base in names:
            lines = _lines(base)
            defs.append(latex(sym) + " &= " + _fit(lines[0]))
            defs += [r"&\quad " + _fit(line) for line in lines[1:]]
        out.append(r"\\ \intertext{where} " + " \\\\\n".join(defs))
    out.append(r"\end{align*}")
    return "\n".join(out)


def _relation_display(rel) -> str:
    """A relation (a Schur-Cohn or Routh-Hurwitz condition) broken like :func:`display`."""
    if isinstance(rel, sp.core.relational.Relational):
        op = {"<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "==": "=", "!=": r"\ne"}[rel.rel_op]
        lines = _lines(rel.lhs - rel.rhs) if rel.rhs != 0 else _lines(rel.lhs)
        lines[-1] += f" {op} 0"
        return "\n".join([r"\begin{align*}", " \\\\\n".join(
            ["& " + _fit(lines[0])] + [r"&\quad " + _fit(x) for x in lines[1:]]), r"\end{align*}"])
    return r"\[" + latex(rel) + r"\]"


def _conditions(cond) -> list:
    return list(cond.args) if isinstance(cond, sp.And) else [cond]


def condition_tex(cond) -> str:
    """A condition as math in running text: each conjunct (disjunct) in ``$...$``, joined by
    the words "and" ("or"), never SymPy's ``Eq(g0, 0) & (gamma > 0)`` or a logical wedge."""
    if isinstance(cond, (sp.And, sp.Or)):
        word = " and " if isinstance(cond, sp.And) else " or "
        return word.join(condition_tex(c) for c in cond.args)
    return "$" + latex(cond) + "$"


def condition_scope(a: Analysis) -> str:
    """The parameters of ``a`` that its Jacobian has but its condition drops because their
    range makes the factor positive (instance noise's sigma in ``-2 f''(0) sigma^2 > 0``), as
    " for every $\\sigma > 0$"; "" where there are none."""
    if a.condition is None or a.jacobian is None:
        return ""
    dropped = [s for s in a.jacobian.free_symbols - a.condition.free_symbols
               if s.is_positive and s in set(getattr(a.method, "symbols", {}).values())]
    return "".join(" for every $" + latex(s) + " > 0$"
                   for s in sorted(dropped, key=sp.default_sort_key))


def verdict_words(a: Analysis, md: bool = False) -> str:
    """The verdict as prose with math (LaTeX, or GitHub Markdown with ``md``): the condition
    typeset from SymPy (:func:`condition_tex`), the rest of :meth:`Analysis.verdict`'s words."""
    prose = prose_md if md else prose_tex
    if a.locally_convergent is not None or a.condition is None:
        return prose(a.verdict())
    out = "locally convergent if and only if " + condition_tex(a.condition) + \
        condition_scope(a)
    if a.nonsmooth is not None:
        out += (" (then the field has no jump at $\\psi = 0$); otherwise "
                + prose(a.nonsmooth["behaviour"]))
    return out


def _verdict(a: Analysis) -> str:
    """The verdict: the condition typeset from SymPy where it has one, else the words."""
    if a.locally_convergent is None and a.nonsmooth is None and a.condition is not None:
        conds = _conditions(a.condition)
        if len(conds) == 1 and _width(latex(conds[0])) < WIDTH:
            return verdict_words(a) + "."
        return ("locally convergent if and only if" + ("" if a.scheme == "continuous" else
                " (Schur-Cohn, in closed form)") + condition_scope(a) + "\n" +
                "\n".join(_relation_display(c) for c in conds))
    return verdict_words(a) + "."


def parameter_symbol(a: Analysis, name: str) -> sp.Symbol:
    """The symbol of ``a``'s parameter ``name``, with its assumptions (so the printer names it
    as the document does: LeCam's ``lam`` is :math:`\\lambda_{\\mathrm{LC}}`)."""
    return a.method.symbols.get(name, sp.Symbol(name))


def _eig_rows(a: Analysis) -> list:
    n = len(a.eigenvalues)
    return [(r"\lambda_{%d}" % (i + 1) if n > 1 else r"\lambda", e)
            for i, e in enumerate(a.eigenvalues)]


#: What H in a field is (the printer writes SymPy's Heaviside step as H).
HEAVISIDE = (r"Here $H$ is the Heaviside step: $H(t) = 1$ for $t > 0$ and $H(t) = 0$ for "
             r"$t < 0$.")


def analysis_tex(a: Analysis, field: bool = True) -> list[str]:
    """Field, Jacobian, eigenvalues (each broken to fit) and the verdict of one analysis."""
    rows = []
    if field:
        rows += [(r"v_\theta", a.vector_field[0]), (r"v_\psi", a.vector_field[1])]
    if a.jacobian is not None:
        rows.append(("v'(0, 0)", latex(a.jacobian)))
        rows += _eig_rows(a)
    out = [display(rows)]
    if field and any(c.has(sp.Heaviside) for c in a.vector_field):
        out.append(HEAVISIDE + r"\par")
    out.append(r"\textbf{Verdict:} " + _verdict(a) + r"\par")
    for name, value in sorted(a.critical.items()):
        out.append(r"Critical $" + latex(parameter_symbol(a, name)) + "$: $" + latex(value)
                   + r"$.\par")
    return out


def bound_tex(value) -> str:
    """A step-size bound as LaTeX: exact (with its value where irrational), a decimal for a
    CRootOf, infinity, or 'no h'."""
    if value is None:
        return r"\text{no } h"
    if value is sp.oo:
        return r"\infty"
    if isinstance(value, sp.CRootOf) or value.has(sp.CRootOf):
        return r"%.10g" % float(value)
    return latex(value) + (r" \approx %.6g" % float(value) if not value.is_Rational else "")


def altgd_cell(a: Analysis) -> str:
    """The summary tables' AltGD cell (LaTeX math): h_max, or where no step converges but
    the spectrum stays on the unit circle, up to which step (as the sections say it)."""
    d = a.discrete
    if a.h_max is None and d and d.get("h_marginal") is sp.oo:
        return r"\text{no } h\ (\lvert\lambda\rvert = 1 \text{ for every } h > 0)"
    if a.h_max is None and d and d.get("h_marginal") is not None:
        return (r"\text{no } h\ (\lvert\lambda\rvert = 1 \text{ for } h \le "
                + bound_tex(d["h_marginal"]) + ")")   # as the sections say (marginal_range_tex)
    return bound_tex(a.h_max)


def _verdict_short(a: Analysis) -> str:
    if a.nonsmooth is not None:
        return "no (jump)"
    if a.locally_convergent is True:
        return "yes"
    if a.locally_convergent is None:
        return "if " + condition_tex(a.condition)
    return "no (marginal)" if a.marginal else "no"


def cite(keys) -> str:
    return r"\cite{" + ",".join(keys) + "}" if keys else ""


def figure_tex(name: str, caption: str, label: str | None = None) -> list[str]:
    """A figure float with the PNG from ../figures/ (the PDF is built in derivations/; a copy
    of the .tex elsewhere names the file instead)."""
    label = label or "fig:" + name[:-4]
    return [r"\begin{figure}[htbp]", r"\centering",
            r"\IfFileExists{../figures/%s}{\includegraphics[width=\linewidth,height=0.42\textheight,"
            r"keepaspectratio]{../figures/%s}}{\fbox{\texttt{figures/%s}}}"
            % (name, name, tex_text(name)),
            r"\caption{" + caption + "}", r"\label{" + label + "}", r"\end{figure}"]


def figure_pair_tex(items) -> list[str]:
    """Two figures side by side in one float, each with its own caption and label (a
    method's phase portrait and distance plot: with the section's text they fit on its
    pages, where two full-width floats would leave a page with one figure)."""
    out = [r"\begin{figure}[htbp]", r"\centering"]
    for i, (name, caption, label) in enumerate(items):
        out += [r"\begin{minipage}[t]{0.49\linewidth}", r"\centering",
                r"\IfFileExists{../figures/%s}{\includegraphics[width=\linewidth]{../figures/%s}}"
                r"{\fbox{\texttt{figures/%s}}}" % (name, name, tex_text(name)),
                r"\caption{" + caption + "}", r"\label{" + label + "}", r"\end{minipage}"]
        if i == 0:
            out.append(r"\hfill")
    return out + [r"\end{figure}"]


def _params_tex(spec) -> str:
    return ", ".join(f"${latex(p.symbol)} = {p.to_dict()['default']}$"
                     for p in spec.parameters) or "none"


def _method_figures_tex(spec, names: list[str]) -> tuple[list[str], str]:
    """The per-method figures and the sentence that refers to them."""
    params = _params_tex(spec)
    at = f"catalogue defaults ({params})" if spec.parameters else "no parameters"
    pairs, refs = [], []
    for name in names:
        kind = name.split("_", 1)[0]
        label = "fig:" + name[:-4]
        refs.append(r"\ref{%s}" % label)
        if kind == "phase":
            cap = (r"\texttt{%s}, %s: phase portrait of the field with the ODE, SimGD and AltGD "
                   r"($n_g = n_d = 1$) trajectories from $(\theta, \psi) = (1, 1)$, step "
                   r"$h = 0.1$, 300 steps." % (tex_text(spec.id), at))
        elif kind == "distance":
            cap = (r"\texttt{%s}, %s: distance to the equilibrium against the step for SimGD, "
                   r"AltGD ($n_g = n_d = 1$) and the ODE from $(1, 1)$, $h = 0.1$, 500 steps."
                   % (tex_text(spec.id), at))
        else:
            cap = r"\texttt{%s}, %s: \texttt{%s}." % (tex_text(spec.id), at, tex_text(name))
        if kind in ("phase", "distance") and spec.constraints:
            box = "; ".join(r"$%s \in [%s, %s]$" % (latex(sp.Symbol(c)), latex(lo), latex(hi))
                            for c, lo, hi in spec.constraints)
            cap += (r" SimGD and AltGD project onto %s after each step; the ODE curve is the "
                    r"flow without the projection (the ODE oracle integrates the field only), "
                    r"so it may leave the box." % box)
        pairs.append((name, cap, label))
    out = figure_pair_tex(pairs) if len(pairs) == 2 else [
        line for name, cap, label in pairs for line in figure_tex(name, cap, label)]
    text = ("Figures " + ", ".join(refs[:-1]) + " and " + refs[-1] if len(refs) > 1 else
            "Figure " + refs[0]) + (" show" if len(refs) > 1 else " shows") + \
        " the training runs at the defaults." if refs else ""
    return out, text


#: Cross-method figures placed in a method's section: id -> [(file, caption)].
CROSS_FIGURES = {
    "r1": [("eigloci_r1_gamma.png", r"\texttt{r1}, logistic $f$: eigenvalues of $v'(0, 0)$ "
            r"(left) and of the SimGD operator $I + hJ$ at $h = 0.5$ (right) for "
            r"$\gamma \in [0, 3]$, the critical $\gamma$ marked."),
           ("stability_r1_gamma_h.png", r"\texttt{r1}, logistic $f$: spectral radius of the "
            r"update operator on the $(\gamma, h)$ plane for SimGD and AltGD with $n_d = 1$ and "
            r"$n_d = 5$ ($n_g = 1$, $h = h_g = h_d$), with the closed-form $h_{\max}$ over it.")],
    "instance-noise": [("eigloci_instance-noise_sigma.png", r"\texttt{instance-noise}, "
                        r"logistic $f$: eigenvalues of $v'(0, 0)$ (left) and of $I + hJ$ at "
                        r"$h = 0.5$ (right) for $\sigma \in [0.05, 3]$.")],
    "nk": [("eigloci_nk_eta.png", r"\texttt{nk}, logistic $f$: eigenvalues of $v'(0, 0)$ "
            r"(left) and of $I + hJ$ at $h = 0.5$ (right) for $\eta \in [0, 5]$.")],
    "wgan-gp": [("nonsmooth_wgan-gp.png", r"\texttt{wgan-gp}, $g_0 = 1$: ODE trajectories at "
                 r"$\gamma = 0.7$ (a limit cycle) and $\gamma = 3$ (non-Nash attractors on "
                 r"$\psi = 0$).")],
    "dragan": [("nonsmooth_dragan.png", r"\texttt{dragan}, logistic $f$, $k = 1$: ODE "
                r"trajectories at $\gamma = 0.3$ (a limit cycle), $\gamma = 0.7$ (a non-Nash "
                r"point and a cycle) and $\gamma = 1$ (non-Nash attractors), up to $t = 80$.")],
}


def _losses(spec) -> tuple[str, str]:
    from ..model.method import derive
    f = "general" if spec.takes_f else {"t": "t", "logistic": "logistic", "none": "t"}[
        spec.builtin_f]
    d = derive(spec, f, "minimax")
    return d.loss_g, d.loss_d


def _source_words(c) -> str:
    """"Goodfellow et al. (2014)": the first author and the year, before the citation."""
    if not c.names_authors:
        return tex_text(c.title)
    names = [a.strip() for a in c.authors.split(",")]
    who = names[0] + (" et al." if len(names) > 2 else f" and {names[1]}" if len(names) == 2
                      else "")
    return tex_text(who) + (f" ({c.year})" if c.year else "")


def same_field_as(results: list[dict]) -> dict[str, str]:
    """{method id: the id of an earlier method with the same vector field}, fields compared
    in their most general derived form (general f where the method takes one, parameters
    symbolic) by expanding their difference to 0: e.g. R2's field is R1's on the Dirac-GAN
    (Mescheder et al. 2018), and WGAN's (its clipping aside) is the bilinear game's."""
    out: dict[str, str] = {}
    seen: list[tuple[str, tuple]] = []
    for r in results:
        field = r.get("general", r["symbolic"]).vector_field
        for earlier, other in seen:
            if all(sp.expand(a - b) == 0 for a, b in zip(field, other)):
                out[r["spec"].id] = earlier
                break
        else:
            seen.append((r["spec"].id, field))
    return out


def _section_tex(r: dict, figures: list[str], same_as: str | None = None) -> list[str]:
    from .titles import title_tex
    spec = r["spec"]
    c, s, alt = r["continuous"], r["simgd"], r["altgd"]
    f_used = "general" if spec.takes_f else spec.builtin_f
    lg, ld = _losses(spec)
    key = spec.citation.key
    figs, fig_text = _method_figures_tex(spec, figures)
    cross = CROSS_FIGURES.get(spec.id, [])
    for name, cap in cross:
        figs += figure_tex(name, cap)
    if cross:
        fig_text += (" " if fig_text else "") + ("Figure" if len(cross) == 1 else "Figures") + \
            " " + " and ".join(r"\ref{fig:%s}" % n[:-4] for n, _ in cross) + \
            (" shows" if len(cross) == 1 else " show") + " the " + ("parameter sweeps." if spec.id not in ("wgan-gp", "dragan")
                            else "non-smooth flow away from the equilibrium.")
    lines = [r"\section{\texttt{%s}: %s}" % (tex_text(spec.id), title_tex(spec)),
             r"\label{sec:%s}" % spec.id,
             prose_tex(spec.summary[0].upper() + spec.summary[1:]) + r".\par",
             r"\textbf{Source:} " + _source_words(spec.citation) + " " + cite([key]) + r".\par",
             r"\textbf{Convention:} " + prose_tex(spec.convention) + r"\par"]
    if spec.conversions:
        lines.append(r"\textbf{Conversions:} " + " ".join(prose_tex(x) for x in spec.conversions)
                     + r"\par")
    lines += [r"\textbf{Parameters (defaults):} " + _params_tex(spec) + r"\par",
              r"\textbf{Losses} (" + ("general $f$" if f_used == "general" else
                                      "logistic $f$" if f_used == "logistic" else "$f(t) = t$"
                                      if f_used == "t" else "no $f$") +
              r"; the generator descends $L_G$, the discriminator ascends $L_D$):",
              display([("L_G", lg), ("L_D", ld)])]
    if same_as is not None:
        lines.append(r"On the Dirac-GAN the vector field of \texttt{%s} is the same as that of "
                     r"\texttt{%s} (Section \ref{sec:%s}), so the closed forms below repeat "
                     r"that section's.\par" % (tex_text(spec.id), tex_text(same_as), same_as))
    if fig_text:
        lines.append(fig_text + r"\par")
    if "general" in r:
        lines += [r"\subsection*{Continuous time, general $f$, parameters symbolic}"]
        lines += analysis_tex(r["general"])
        for label, key2 in (("SimGD", "general_simgd"), (r"AltGD ($n_g = n_d = 1$)",
                                                        "general_altgd")):
            a = r[key2]
            if a.jacobian is None:
                continue
            lines += [r"\textbf{" + label + r"} (general $f$, step $h = h_g = h_d$): update "
                      r"eigenvalues", display(_eig_rows(a)), _verdict(a) + r"\par"]
    f_words = {"logistic": "logistic $f$, ", "t": "$f(t) = t$, "}.get(f_used, "")
    lines += [r"\subsection*{Continuous time, " + f_words + "parameters symbolic}"]
    lines += analysis_tex(r["symbolic"])
    if c.nonsmooth is not None:
        lines.append(r"\subsection*{Non-smooth analysis at the defaults}")
        lines.append(prose_tex(c.nonsmooth["behaviour"][0].upper() + c.nonsmooth["behaviour"][1:])
                     + r".\par")
        for side, info in sorted(c.nonsmooth["one_sided"].items()):
            for e in info["equilibria"]:
                lines.append(r"One-sided equilibrium $(\theta_b, \psi) = (" + e["theta"]["latex"]
                             + ", 0^{" + e["psi"][-1] + r"})$, Jacobian $" + e["jacobian"]["latex"]
                             + r"$, " + prose_tex(e["type"]) + r".\par")
        return lines + figs
    lines += [r"\subsection*{At the defaults}", display(_eig_rows(c)) if c.eigenvalues else "",
              r"\textbf{Verdict:} " + _verdict(c) + r"\par"]
    for name, value in sorted(c.critical.items()):
        lines.append(r"Critical $" + latex(parameter_symbol(c, name))
                     + r"$ (other parameters at their defaults): $" + latex(value) + r"$.\par")
    for label, a in (("SimGD", s), (r"AltGD ($n_g = n_d = 1$)", alt)):
        lines.append(r"\textbf{" + label + r":} " + _defaults_steps(a) + r".\par")
    return lines + figs


def marginal_range_tex(bound) -> str:
    """The step sizes for which the spectrum stays on the unit circle: ``h \\le b``, or
    "every h > 0" where the bound is infinite."""
    if bound is sp.oo:
        return "every $h > 0$"
    return "$h \\le " + bound_tex(bound) + "$"


def _defaults_steps(a: Analysis) -> str:
    """One sentence (without its period) on a scheme's step sizes at the defaults."""
    d = a.discrete
    out = r"$h_{\max} = " + bound_tex(a.h_max) + r"$"
    if d["h_marginal"] is not None:
        out += ("; the spectrum stays on the unit circle for " + marginal_range_tex(
            d["h_marginal"]) + (", with a defective eigenvalue (a Jordan block): the linearized "
                                "iterates grow linearly" if d.get("defective") else ""))
    if d["stable_intervals"]:
        out += "; stable again on " + ", ".join(
            r"$(%s, %s)$" % (bound_tex(lo), bound_tex(hi)) for lo, hi in d["stable_intervals"])
    if d["h_opt"] is not None:
        out += (r"; fastest step $h_{\mathrm{opt}} \approx %.6g$ with spectral radius "
                r"$%.6g$" % (d["h_opt"], d["rate_opt"]))
    return out


#: The works each scheme section cites (by its stability-region figure's name).
SCHEME_CITES = {"extragradient": ("korpelevich1976extragradient", "gidel2019variational"),
                "ogda": ("daskalakis2018training",), "momentum-simgd": ("gidel2019negative",),
                "momentum-altgd": ("gidel2019negative",), "lookahead": ("chavdarova2021taming",),
                "lazy": ("karras2020analyzing",)}


def state_tex(name: str) -> str:
    """A component of a scheme's augmented state as LaTeX: OGDA's ``g_prev_theta`` is
    :math:`g^{\\mathrm{prev}}_\\theta`, others as the printer writes the symbol."""
    m = re.fullmatch(r"g_prev_(\w+)", name)
    if m:
        return r"g^{\mathrm{prev}}_{%s}" % latex(sp.Symbol(m.group(1)))
    return latex(sp.Symbol(name))


def _scheme_section_tex(s: dict) -> list[str]:
    from .plots import SCHEME_FIGURES
    keys = SCHEME_CITES.get(s["figure"], ())
    lines = [r"\subsection{" + s["title_tex"] + "}"]
    if keys:
        lines.append(r"\textbf{Source:} " + cite(keys) + r".\par")
    lines.append(r"\[" + s["rule"] + r"\]")
    for a in s["cases"]:
        d = a.discrete
        m = a.method
        params = ", ".join(f"${latex(m.symbols.get(k, sp.Symbol(k)))} = {latex(v)}$"
                           for k, v in m.params.items())
        state = ", ".join("$" + state_tex(c) + "$" for c in d["state"])
        period = (f" over one period of {d['period']} steps" if d["period"] > 1 else "")
        lines += [r"\paragraph{\texttt{%s}%s} Update operator%s on the state (%s):"
                  % (m.id, f" ({params})" if params else "", period, state)]
        if a.jacobian.rows <= 4 and len(latex(a.jacobian)) < 1500:
            lines.append(r"\[" + _fit(latex(a.jacobian)) + r"\]")
        lines += ["characteristic polynomial", display([("p(z)", d["charpoly"])])]
        if a.eigenvalues and sum(len(latex(e)) for e in a.eigenvalues) < 1200:
            lines += ["eigenvalues", display(_eig_rows(a))]
        lines.append(_verdict(a))
        bound = r"$h_{\max} = " + altgd_cell(a) + "$"
        if d["h_opt"] is not None:
            bound += (r"; fastest step $h_{\mathrm{opt}} \approx %.6g$ with spectral radius "
                      r"$%.6g$ per step" % (d["h_opt"], d["rate_opt"]))
        lines.append(bound + r".\par")
    name = s["figure"]
    if name in SCHEME_FIGURES:
        lines.append(r"Figure \ref{fig:region_%s} shows the stability region.\par" % name)
        lines += figure_tex(f"region_{name}.png", s["caption"])
    return lines


def _statement_tex(v) -> list[str]:
    keys = cited_keys(v.source)
    source = prose_tex(v.source)
    out = [r"\begin{statement}[\texttt{%s}]\label{st:%s}" % (tex_text(v.id), v.id), v.statement,
           r"\end{statement}",
           r"\noindent\textbf{Source:} " + source + (" " + cite(keys) if keys else "") + r".\par",
           r"\noindent\textbf{Checks:} symbolic " + ("passed" if v.symbolic["passed"] else
                                                   "FAILED") + ": " +
           detail_tex(v.symbolic["detail"]) + r"; numeric " +
           ("passed" if v.numeric["passed"] else "FAILED") + ": " +
           detail_tex(v.numeric["detail"]) + r".\par"]
    return out


def stabgan_version() -> str:
    """The installed package's version (what ``stabgan --version`` prints)."""
    from .. import __version__
    return __version__


def latex_document(results: list[dict], verification: list, schemes: list | None = None,
                   figures: dict | None = None, extension=None) -> str:
    """The complete LaTeX document (article; amsmath, amsthm, booktabs, graphicx, hyperref;
    bibliography stabgan.bib). ``figures`` maps a method id to its per-method figure files."""
    figures = figures or {}
    head = [r"\pdfinfoomitdate=1", r"\pdftrailerid{}", r"\pdfsuppressptexinfo=-1",
            r"\documentclass[10pt,a4paper]{article}", r"\usepackage[T1]{fontenc}",
            # Latin Modern: T1 outline fonts (without it T1 falls back to bitmap Type 3 fonts,
            # whose ligatures are lost when the text is extracted)
            r"\usepackage{lmodern}",
            r"\usepackage[margin=2.2cm,footskip=1cm]{geometry}",
            r"\usepackage{amsmath,amssymb,amsthm,booktabs,graphicx,longtable}",
            r"\usepackage[hidelinks]{hyperref}", r"\hypersetup{pdfcreator={},pdfproducer={}}",
            r"\newtheorem{statement}{Statement}",
            r"\setlength{\parindent}{0pt}", r"\setlength{\parskip}{3pt plus 1pt}",
            # a formula wider than the text block is scaled down to fit (never up): the last
            # resort after the breaks at the terms of a sum
            r"\newsavebox{\fitbox}",
            r"\newcommand{\fitmath}[1]{\sbox{\fitbox}{$\displaystyle #1$}%",
            r"\ifdim\wd\fitbox>\dimexpr\linewidth-5em\relax"
            r"\resizebox{\dimexpr\linewidth-5em\relax}{!}{\usebox{\fitbox}}%",
            r"\else\usebox{\fitbox}\fi}",
            r"\allowdisplaybreaks", r"\setlength{\emergencystretch}{3em}",
            r"\title{stabgan: convergence of GAN training on the Dirac-GAN}",
            r"\author{Generated by stabgan (version %s)}" % tex_text(stabgan_version()), r"\date{}",
            r"\begin{document}", r"\maketitle",
            r"Conventions of Mescheder, Geiger and Nowozin \cite{mescheder2018which}: data at 0, "
            r"generator $\delta_\theta$, discriminator $D_\psi(x) = \psi x$, "
            r"$L(\theta, \psi) = f(\psi\theta) + f(0)$, field "
            r"$v = (-\partial L_G/\partial\theta,\ \partial L_D/\partial\psi)$. "
            r"\emph{Locally convergent} means here: convergent at a linear rate "
            r"from every start near the equilibrium: every eigenvalue of $v'(0, 0)$ has "
            r"negative real part (of the update operator: modulus below 1). A flow whose "
            r"eigenvalues lie on the imaginary axis is therefore called not locally "
            r"convergent even where it does converge, more slowly than any exponential; its "
            r"verdict then says what decides (a conserved norm, or a decay of higher order). "
            r"Verdicts are "
            r"decided in exact arithmetic; $h_{\max}$ is the supremum of the step sizes "
            r"$h = h_g = h_d$ for which the scheme converges locally for every smaller step. "
            r"Section \ref{sec:lemmas} states the lemma suite with the result of its checks.",
            r"\section*{Summary (catalogue defaults)}", r"\begin{center}\small",
            r"\begin{tabular}{llll}", r"\toprule",
            r"method & continuous & $h_{\max}$ SimGD & $h_{\max}$ AltGD \\", r"\midrule"]
    for r in results:
        head.append(r"\hyperref[sec:%s]{\texttt{%s}} & %s & $%s$ & $%s$ \\" % (
            r["spec"].id, r["spec"].id, _verdict_short(r["continuous"]),
            bound_tex(r["simgd"].h_max), altgd_cell(r["altgd"])))
    head += [r"\bottomrule", r"\end{tabular}", r"\end{center}"]
    body = []
    same = same_field_as(results)
    for r in results:
        body += [r"\clearpage"] + _section_tex(r, figures.get(r["spec"].id, []),
                                                 same.get(r["spec"].id))
    if schemes:
        body += [r"\clearpage", r"\section{Schemes with memory and periods}",
                 r"Each scheme is one update rule over an abstract field; run on $v(x) = Jx$ it "
                 r"gives the update operator's Jacobian at the equilibrium on the augmented "
                 r"state (the velocity $u$ of momentum, OGDA's previous field value "
                 r"$g^{\mathrm{prev}}$). Periodic schemes (lookahead, lazy) are analyzed over "
                 r"one period; the rate is per step. Defaults of the catalogue, $h = h_g = h_d$ "
                 r"symbolic."]
        for s in schemes:
            body += _scheme_section_tex(s)
    if extension is not None:
        body += [r"\clearpage"] + extension
    tail = [r"\clearpage", r"\section{The lemma suite}", r"\label{sec:lemmas}",
            "Each statement is checked twice: symbolically (SymPy) and numerically (an "
            "independent oracle). Results of this run:",
            r"\begin{center}\small",
            r"\begin{longtable}{@{}r p{0.52\linewidth} l l@{}}", r"\toprule",
            r"& statement & symbolic & numeric \\", r"\midrule", r"\endhead"]
    for i, v in enumerate(verification, 1):
        tail.append(r"%d & \texttt{%s} & %s & %s \\" % (
            i, tex_text(v.id), "pass" if v.symbolic["passed"] else "FAIL",
            "pass" if v.numeric["passed"] else "FAIL"))
    tail += [r"\bottomrule", r"\end{longtable}", r"\end{center}"]
    for v in verification:
        tail += _statement_tex(v)
    tail += [r"\bibliographystyle{plain}", r"\bibliography{stabgan}", r"\end{document}"]
    return "\n".join(head + body + tail) + "\n"


def figure_caption_axis(axis) -> str:
    """An axis of a stability-region panel in a caption: ``$h \\in [0.01, 4]$``."""
    name, lo, hi = axis
    sym = {"momentum": r"\beta", "lookahead_alpha": r"\alpha", "lazy_every": "k"}.get(
        name, latex(sp.Symbol(name)))
    return "$%s \\in [%g, %g]$" % (sym, lo, hi)
