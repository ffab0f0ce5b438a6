"""The lemma checks' one-line details as document prose: program syntax turned into mathematics.

A check's ``detail`` is plain text for the CLI and the JSON (``stabgan verify``), written with
what Python prints: SymPy reprs (``Matrix([[0, -fp0], [fp0, 0]])``, ``CRootOf(x**6 + ..., 1)``),
lists of SymPy strings, Python complex numbers (``(-0.16-0.47j)``), option dicts
(``{'n_d': 5}``), verdict fields (``locally_convergent=None``), ``True``/``False``/``None`` and
exponents (``4.5e+07``). :func:`detail_tex` typesets each of these from the SymPy object or
the number it stands for, through the package's LaTeX printer, and passes the words around
them to :func:`stabgan.report.prose.prose_tex`. The detail strings themselves are unchanged.
"""
from __future__ import annotations

import ast
import re

import sympy as sp

from .._printing import latex
from .._symbols import Sigmoid
from ..lemmas.checks import _NAMES as CHECK_NAMES
from .prose import GREEK, prose_tex

__all__ = ["detail_tex"]

#: Placeholders for typeset pieces (private-use characters, which the prose leaves alone).
_FIRST = 0xE000

#: Option names of the schemes as words or math (``{'lazy_every': 4}``).
_OPTIONS = {"n_d": "$n_d = {}$", "n_g": "$n_g = {}$", "momentum": r"momentum $\beta = {}$",
            "lazy_every": "the penalty every {} steps",
            "lookahead_alpha": r"lookahead $\alpha = {}$"}

#: The words of a verdict's fields (``locally_convergent=False, marginal=True, ...``).
_VERDICT = re.compile(r"locally_convergent=(\w+), marginal=(\w+), condition=([^;]*)")


#: Characters of LaTeX from which a formula in a detail is displayed rather than inline.
LONG = 220


class _Pieces:
    """The typeset pieces of one detail, each behind a placeholder character."""

    def __init__(self):
        self.tex: list[str] = []

    def put(self, tex: str) -> str:
        """A placeholder for ``tex`` (LaTeX text, math in dollars)."""
        self.tex.append(tex)
        return " " + chr(_FIRST + len(self.tex) - 1) + " "

    def math(self, body: str) -> str:
        """A placeholder for inline math; a formula too long for a line (a field difference
        with four sigmoids) is displayed, scaled to the line's width if need be."""
        if len(body) > LONG:
            return self.put(r"\[\fitmath{" + body + r"}\]")
        return self.put("$" + body + "$")

    def fill(self, tex: str) -> str:
        """``tex`` with the placeholders replaced by their pieces."""
        return re.sub("[\ue000-\uf8ff]", lambda m: self.tex[ord(m.group(0)) - _FIRST], tex)


def _balanced(text: str, start: int) -> int:
    """The index just after the bracket that closes the one at ``start``."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    depth = []
    for i in range(start, len(text)):
        if text[i] in pairs:
            depth.append(pairs[text[i]])
        elif depth and text[i] == depth[-1]:
            depth.pop()
            if not depth:
                return i + 1
    return len(text)


def _locals(detail: str) -> dict:
    """The names a detail's SymPy strings use, as the checks' symbols; ``lam`` is LeCam's
    weight where the detail is about LeCam, else the SGA weight."""
    names = dict(CHECK_NAMES, Sigmoid=Sigmoid)
    names["lam"] = (sp.Symbol("lam", nonnegative=True) if "lecam" in detail
                    else sp.Symbol(r"\lambda_{\mathrm{SGA}}", real=True))
    return names


def number_tex(value) -> str:
    """A Python number as LaTeX: ``4.5e+07`` as :math:`4.5 \\times 10^{7}`, a complex number
    as :math:`a \\pm bi` (no ``j``), an integer-valued float without its ``.0``."""
    if isinstance(value, complex):
        if value.imag == 0:
            return number_tex(value.real)
        im = number_tex(abs(value.imag)) + "i"
        im = "i" if im == "1i" else im
        if value.real == 0:
            return ("-" if value.imag < 0 else "") + im
        return number_tex(value.real) + (" - " if value.imag < 0 else " + ") + im
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    text = repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, float) and abs(value) >= 1e6:
        text = "%.6g" % value
    return _exponent_tex(text[:-2] if text.endswith(".0") else text)


def _exponent_tex(text: str) -> str:
    """``1.4e-04`` as ``1.4 \\times 10^{-4}`` (``0.0e+00`` as 0); other text unchanged."""
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)e([+-]?\d+)", text)
    if not m:
        return text
    mantissa, power = m.group(1), int(m.group(2))
    if float(mantissa) == 0:
        return "0"
    if power == 0:
        return mantissa
    return (mantissa + r" \times " if mantissa not in ("1", "1.0") else "") + "10^{%d}" % power


def _value_tex(value, names: dict) -> str:
    """A Python literal (number, tuple, list, string of SymPy) as LaTeX math."""
    if isinstance(value, tuple):
        return r"\left(" + ", ".join(_value_tex(v, names) for v in value) + r"\right)"
    if isinstance(value, list):
        if value and all(isinstance(v, list) for v in value):
            return latex(sp.Matrix(value).applyfunc(lambda e: sp.sympify(e, locals=names)))
        return r"\{" + ",\\allowbreak\\ ".join(_value_tex(v, names) for v in value) + r"\}"
    if isinstance(value, str):
        return latex(sp.sympify(value, locals=names))
    return number_tex(value)


def _is_words(item: str) -> bool:
    """Whether a quoted list item is words (``limit_cycle``, ``point theta=-3``), not math."""
    m = re.match(r"[a-z_]{3,}", item)
    return bool(m) and m.group(0) not in GREEK and m.group(0) not in CHECK_NAMES and \
        m.group(0) not in ("sqrt", "exp", "log")


def _list(text: str, pieces: _Pieces, names: dict, interval: bool) -> str:
    """A bracketed Python list (or numpy array) as math, or as words where its items are."""
    body = text
    if re.fullmatch(r"\[\s*[-+\d.e]+(\s+[-+\d.e]+)+\s*\]", body):  # numpy's array repr
        body = "[" + ", ".join(body[1:-1].split()) + "]"
    try:
        value = ast.literal_eval(body)
    except (ValueError, SyntaxError):
        try:
            value = sp.sympify(body, locals=names)
            value = [list(v) if isinstance(v, (list, tuple, sp.Tuple)) else v for v in value]
            if value and all(isinstance(v, list) for v in value):
                return pieces.math(latex(sp.Matrix(value)))
            return pieces.math(r"\{" + ",\\allowbreak\\ ".join(latex(v) for v in value) + r"\}")
        except Exception:  # noqa: BLE001 - not SymPy either: left as text
            return text
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value) and \
            all(_is_words(v) for v in value):
        return ", ".join(v.replace("_", " ") for v in value)
    if interval and isinstance(value, list) and len(value) == 2 and \
            all(isinstance(v, (int, float)) for v in value):
        return pieces.math("[%s, %s]" % tuple(number_tex(v) for v in value))
    if not isinstance(value, (list, tuple)):
        return text
    return pieces.math(_value_tex(value, names))


def _dict(text: str, pieces: _Pieces) -> str:
    """A scheme's options dict as words: ``{'n_d': 5}`` is "with n_d = 5"; ``{}`` is ""."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if not value:
        return ""
    return "with " + pieces.put(", ".join(_OPTIONS.get(k, r"\texttt{%s} = {}" % k).format(v)
                                          for k, v in sorted(value.items())))


def _sympy_call(text: str, pieces: _Pieces, names: dict, roots: list) -> str:
    """``Matrix(...)`` or an expression with ``CRootOf(...)`` as math; a root is named r_k
    and stated after the detail (:func:`_roots_tex`)."""
    expr = sp.sympify(text, locals=names)
    for root in sorted(expr.atoms(sp.CRootOf), key=sp.default_sort_key):
        sym = sp.Symbol("r_{%d}" % (len(roots) + 1))
        roots.append((sym, root))
        expr = expr.xreplace({root: sym})
    return pieces.math(latex(expr))


def _roots_tex(roots: list) -> str:
    """", where r_1 = 1.907 is the root ... of x^6 + ... = 0" for the named roots."""
    out = []
    for sym, root in roots:
        x = sp.Symbol("x")
        out.append(r"$%s \approx %s$ is a real root of $%s = 0$" % (
            latex(sym), "%.10g" % float(root), latex(root.expr.subs(root.poly.gen, x))))
    return (", where " + " and ".join(out)) if out else ""


def _verdict_words(m: re.Match, pieces: _Pieces, names: dict) -> str:
    """A verdict's fields in words (the condition typeset)."""
    lc, marginal, condition = m.group(1), m.group(2), m.group(3).strip()
    if lc == "None" and condition != "None":
        return "locally convergent if and only if " + pieces.math(
            latex(sp.sympify(condition, locals=names)))
    words = {"True": "locally convergent", "False": "not locally convergent"}.get(lc, "undecided")
    return words + (", marginal" if marginal == "True" else "")


def _calls(detail: str, pieces: _Pieces, names: dict, roots: list) -> str:
    """Every ``Matrix(...)``/``CRootOf(...)`` (with a factor in front: ``2*CRootOf``),
    bracketed list and dict replaced."""
    out, i = [], 0
    call = re.compile(r"(?:\d+\*)?(?:Matrix|CRootOf)\(|\[|\{")
    while True:
        m = call.search(detail, i)
        if not m:
            return "".join(out) + detail[i:]
        start, end = m.start(), _balanced(detail, m.end() - 1)
        piece = detail[start:end]
        if m.group(0).endswith("("):
            piece = _sympy_call(piece, pieces, names, roots)
        elif m.group(0) == "[" and start and detail[start - 1].isalnum():
            piece = detail[start:start + 1]  # an index (v[r1]), not a list
            end = start + 1
        elif m.group(0) == "[":
            piece = _list(piece, pieces, names, bool(re.search(r"\bin $", detail[:start])))
        else:
            piece = _dict(piece, pieces)
        out += [detail[i:start], piece]
        i = end


def _words(detail: str, pieces: _Pieces, names: dict) -> str:
    """Verdict fields, Booleans, None, exponents, ``x`` as times, ``!=`` and code names."""
    detail = _VERDICT.sub(lambda m: _verdict_words(m, pieces, names), detail)
    detail = re.sub(r"stabgan\.method\('([\w-]+)',?\s*([^)]*)\)",
                    lambda m: m.group(1) + ("(" + m.group(2).replace("'", "") + ")"
                                            if m.group(2) else ""), detail)
    detail = re.sub(r"\b(verdict|published) (True|False)\b", lambda m: m.group(1) + ": " + (
        "locally convergent" if m.group(2) == "True" else "not locally convergent"), detail)
    detail = re.sub(r"\bjacobian None\b", "no Jacobian", detail)
    detail = re.sub(r"\blocally_convergent (True|False)\b", lambda m: (
        "locally convergent" if m.group(1) == "True" else "not locally convergent"), detail)
    detail = detail.replace("nonsmooth present:", "non-smooth analysis:")
    detail = detail.replace("sga(lam=", "sga(lambda_SGA=").replace(") & (", ") and (")
    detail = detail.replace("J(instance noise)", "the Jacobian of instance noise")
    detail = re.sub(r"lazy_every = (\d+)", r"the penalty every \1 steps", detail)
    detail = re.sub(r"\bTrue\b", "yes", detail)
    detail = re.sub(r"\bFalse\b", "no", detail)
    detail = re.sub(r"\bNone\b", "none", detail)
    detail = detail.replace("psi-psi entry", "(psi, psi) entry")
    detail = re.sub(r"F' \+ I != 0", lambda m: pieces.math(r"F' + I \ne 0"), detail)
    detail = re.sub(r"F' = ", lambda m: pieces.math("F'") + " = ", detail)
    detail = re.sub(r"(?<![\w.])-?\d+(?:\.\d+)?e[+-]?\d+\b",
                    lambda m: pieces.math(_exponent_tex(m.group(0))), detail)
    return re.sub(r"(?<=\d) x(?= |:)", lambda m: pieces.math(r"\times"), detail)


def detail_tex(detail: str) -> str:
    """A check's detail as LaTeX prose: SymPy objects, numbers and Python syntax typeset as
    mathematics (see the module docstring), the rest through :func:`prose_tex`."""
    pieces, names, roots = _Pieces(), _locals(detail), []
    text = _calls(detail, pieces, names, roots)
    text = _words(text, pieces, names)
    text = re.sub(r"\s*\n\s*", " ", text)
    out = pieces.fill(prose_tex(text))
    out = re.sub(r" +", " ", out)
    out = re.sub(r" ([,.;:)])", r"\1", out).replace("( ", "(")
    return out.strip() + _roots_tex(roots)
