"""Plain-text rendering of results for a person (the CLI without --json)."""
from __future__ import annotations

import sympy as sp

__all__ = ["analysis_text", "methods_text"]


def _pretty(expr) -> str:
    return sp.pretty(expr, use_unicode=True, wrap_line=False)


def analysis_text(a) -> str:
    """The analysis as readable text: field, Jacobian, eigenvalues, verdict."""
    m = a.method
    params = ", ".join(f"{k} = {v}" if k in m.values else f"{k} (symbolic)"
                       for k, v in m.params.items()) or "none"
    lines = [f"method: {m.id} ({m.spec.summary})",
             f"parameters: {params}; f: {m.f}; generator: {m.generator}; scheme: {a.scheme}",
             "", "vector field:",
             "  v_theta = " + sp.sstr(a.vector_field[0]),
             "  v_psi   = " + sp.sstr(a.vector_field[1]), ""]
    if a.jacobian is not None:
        title = "Jacobian at the equilibrium (0, 0):"
        if a.discrete is not None:
            d = a.discrete
            over = f" over one period of {d['period']} steps" if d["period"] > 1 else ""
            title = (f"Jacobian of the update operator{over} at the equilibrium (0, 0), "
                     f"state ({', '.join(d['state'])}):")
        lines += [title, _indent(_pretty(a.jacobian)), "",
                  "eigenvalues:"]
        lines += ["  " + sp.sstr(e) for e in a.eigenvalues]
        lines.append("")
    if a.nonsmooth is not None:
        lines.append("the field jumps at psi = 0: no Jacobian at the equilibrium")
        for side, info in a.nonsmooth["one_sided"].items():
            for eq in info["equilibria"]:
                lines.append(f"  one-sided equilibrium ({eq['theta']['sympy']}, {eq['psi']}): "
                             f"{eq['type']}")
        lines.append("")
    if a.equilibrium.get("isolated") is False:
        lines.append(f"equilibria: {a.equilibrium['set']} (not isolated)")
    lines.append("verdict: " + a.verdict())
    if a.spectral_abscissa is not None:
        lines.append(f"spectral abscissa: {a.spectral_abscissa:.6g}")
    if a.discrete is not None:
        d = a.discrete
        options = ", ".join(f"{k} = {v}" for k, v in d["options"].items())
        lines.insert(2, f"scheme options: {options}")
        if d["spectral_radius"] is not None:
            per = " per step" if d["period"] > 1 else ""
            lines.append(f"spectral radius{per}: {d['spectral_radius']:.12g}")
        bound = d["h_max"]
        if d.get("h_max_status") == "symbolic":
            lines.append("h_max (h_g = h_d = h): not computed while symbols remain; the "
                         "conditions in the verdict give it")
        elif d.get("h_max_status") == "no Jacobian":
            lines.append("h_max (h_g = h_d = h): none: the field jumps at psi = 0, so the "
                         "update has no Jacobian at the equilibrium")
        else:
            lines.append("h_max (h_g = h_d = h): " + ("no step size converges" if bound is None
                         else f"{sp.sstr(bound)} = {float(bound):.12g}"))
        for lo, hi in d["stable_intervals"]:
            lines.append(f"stable again for h in ({float(lo):.12g}, {float(hi):.12g})")
        if d["h_marginal"] is not None:
            lines.append(f"spectrum on the unit circle for h <= {sp.sstr(d['h_marginal'])}"
                         + (", with a defective eigenvalue (Jordan block): the iterates grow "
                            "linearly" if d.get("defective") else ""))
        if d["h_opt"] is not None:
            lines.append(f"fastest step h_opt = {d['h_opt']:.10g}, spectral radius there "
                         f"{d['rate_opt']:.10g}")
        if d.get("ema") is not None:
            e = d["ema"]
            lines.append(f"ema (beta = {sp.sstr(e['beta'])}): adds the eigenvalues "
                         f"{', '.join(sp.sstr(x) for x in e['added_eigenvalues'])}; transfer "
                         f"function G(z) = {sp.sstr(e['transfer_function'])}")
            if e["joint_spectral_radius"] is not None:
                lines.append(f"ema: joint spectral radius {e['joint_spectral_radius']:.12g} "
                             f"per step")
            for g in e["cycle_gains"]:
                lines.append(f"ema: on the cycle z = {g['eigenvalue'][0]:.10g}"
                             f"{g['eigenvalue'][1]:+.10g}i the average keeps "
                             f"|G(z)| = {g['gain']:.10g} of the raw amplitude")
    for name, value in a.critical.items():
        lines.append(f"critical {name}: {sp.sstr(value)}")
    for note in a.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def methods_text(specs) -> str:
    """One line per catalogue entry: id, parameters with defaults, summary."""
    rows = []
    for s in specs:
        params = ", ".join(f"{p.name}={p.to_dict()['default']}" for p in s.parameters) or "-"
        f = "f" if s.takes_f else s.builtin_f
        rows.append((s.id, params, f, s.summary))
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    head = ("id", "defaults", "f")
    width = [max(w, len(h)) for w, h in zip(width, head)]
    out = [f"{head[0]:{width[0]}}  {head[1]:{width[1]}}  {head[2]:{width[2]}}  summary"]
    out += [f"{a:{width[0]}}  {b:{width[1]}}  {c:{width[2]}}  {d}" for a, b, c, d in rows]
    out.append("A parameter left out stays a symbol in analyze (set it with -p NAME=VALUE, or "
               "all with --defaults); simulate, map and report use the defaults.")
    return "\n".join(out)
