"""Prose with ASCII math (the catalogue's summaries and conventions, verdicts, lemma sources and
check details) as LaTeX text with typeset math, and as Markdown for GitHub.

The texts write formulas the way a plain-text file must: ``L_G = -f(-psi theta)``,
``gamma/2 E_{p_D} |grad_x D|^2``, SymPy strings such as ``2*fpp0*psi**2*theta**2``. A word is
math when it holds an operator (``^ _ = * / | < > + ~ { }``), applies a function
(``D(x)``), or is a symbol name (Greek letters, single letters, ``fp0``/``fpp0``); a bare number is
math next to math. Consecutive math words form one span, set in ``$...$`` with the Greek names,
powers, subscripts, ``sqrt(...)``, ``<=`` and the f-derivative symbols translated; the rest is
escaped text. :func:`prose_tex` is tested on every catalogue string and every text the report
prints (tests/test_document.py).
"""
from __future__ import annotations

import re

__all__ = ["prose_tex", "prose_md", "math_tex", "tex_text"]

GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
         "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega",
         "Gamma", "Delta", "Theta", "Lambda", "Sigma", "Phi", "Psi", "Omega"}
_NAMES = {"lam": r"\lambda_{\mathrm{LC}}", "fp0": "f'(0)", "fpp0": "f''(0)", "fppp0": "f'''(0)",
          "grad": r"\nabla", "oo": r"\infty", "I": "I"}
_FUNCTIONS = {"log": r"\log", "exp": r"\exp", "max": r"\max", "min": r"\min", "tanh": r"\tanh",
              "sigmoid": r"\mathrm{sigmoid}", "Sigmoid": r"\mathrm{sigmoid}",
              "diag": r"\mathrm{diag}", "sign": r"\operatorname{sign}", "Abs": "",
              "re": r"\operatorname{Re}", "im": r"\operatorname{Im}"}
_TEXT_LETTERS = {"a", "A"}
_OPERATOR = re.compile(r"[\^_=*/|<>+~{}]|\w\(|^[-+]\w|\w[)\]]")
_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")


def tex_text(text: str) -> str:
    """Plain text escaped for LaTeX."""
    for a, b in (("\\", r"\textbackslash "), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"),
                 ("$", r"\$"), ("_", r"\_"), ("{", r"\{"), ("}", r"\}"),
                 ("^", r"\textasciicircum "), ("~", r"\textasciitilde ")):
        text = text.replace(a, b)
    return text


def _kind(word: str) -> str:
    core = word.strip("([,.;:)]")
    if not core:
        return "text"
    if _NUMBER.match(core):
        return "number"
    if core in _NAMES or core in GREEK:
        return "math"
    if re.fullmatch(r"[A-Za-z]", core):
        return "text" if core in _TEXT_LETTERS else "math"
    if re.fullmatch(r"[a-z]+\d", core) and not core.startswith("r"):
        return "math"  # parameter names such as g0
    if re.match(r"[(\[]*-?f'+\(0\)", word):
        return "math"
    if re.fullmatch(r"[a-z_]{3,}(/[a-z_]{3,})+(\.py)?", core) and (
            ".py" in core or core.count("/") > 1):
        return "code"  # a file of the package
    code = re.fullmatch(r"([A-Za-z]+)_([a-z]{3,})('s)?", core)
    if code and code.group(2) not in GREEK and code.group(2) not in _NAMES and not re.match(
            r"(min|max|grad|alpha|d|h|n)$", code.group(1)):
        return "code"  # reg_param, lazy_every, GAN_stability's
    if "'" in core and not re.fullmatch(r"f'+\(0\)|f'+", core):
        return "text"  # "Goodfellow's"
    if re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)+|[A-Z]+\d+|\d+[a-z]+", core):
        return "text"  # non-saturating, WGAN-GP, R1, 2nd
    return "math" if _OPERATOR.search(core) or core in ("-", "+", "=") else "text"


def _balance(span: str) -> tuple[str, str, str]:
    """Move punctuation and unmatched brackets at the edges of a math span back to text."""
    head = tail = ""
    changed = True
    while changed and span:
        changed = False
        if span[-1] in ",.;:" :
            tail, span, changed = span[-1] + tail, span[:-1], True
        for o, c in ("()", "[]"):
            if span and span[-1] == c and span.count(c) > span.count(o):
                tail, span, changed = c + tail, span[:-1], True
            if span and span[0] == o and span.count(o) > span.count(c):
                head, span, changed = head + o, span[1:], True
    return head, span, tail


_TOKEN = re.compile(r"\*\*|<=|>=|!=|->|\+-|[A-Za-z][A-Za-z0-9]*'*|\d+(?:\.\d+)?|\s+|.")


def _ident(name: str) -> str:
    if name in _NAMES:
        return _NAMES[name]
    if name in GREEK:
        return "\\" + name
    if name in _FUNCTIONS:
        return _FUNCTIONS[name]
    m = re.fullmatch(r"([A-Za-z])(\d+)", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    if len(name.rstrip("'")) == 1:
        return name
    for g in sorted(GREEK, key=len, reverse=True):  # ptheta -> p\theta
        if name.endswith(g) and len(name) > len(g):
            return name[:-len(g)] + "\\" + g
    return r"\text{" + name + "}"


def _closing(tokens: list, start: int) -> int:
    """The index of the ")" that closes the "(" at ``start`` (len(tokens) if none does)."""
    depth, j = 0, start
    while j < len(tokens):
        depth += tokens[j] == "("
        depth -= tokens[j] == ")"
        if depth == 0:
            break
        j += 1
    return j


def math_tex(expr: str, breaks: bool = True) -> str:
    """One ASCII/SymPy formula as LaTeX math (without the dollars); ``breaks``: allow a line
    break after each comma (pdfLaTeX; not for GitHub's MathJax)."""
    tokens = _TOKEN.findall(expr)
    out, i, braces = [], 0, []
    while i < len(tokens):
        t = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if t == "sqrt" and nxt == "(":
            j = _closing(tokens, i + 1)
            out.append(r"\sqrt{" + math_tex("".join(tokens[i + 2:j])) + "}")
            i = j + 1
            continue
        if t == "Abs" and nxt == "(":
            j = _closing(tokens, i + 1)
            out.append(r"\lvert " + math_tex("".join(tokens[i + 2:j])) + r"\rvert ")
            i = j + 1
            continue
        if t == "d" and nxt == "/" and tokens[i + 2:i + 3] == ["dt"]:
            out.append(r"\tfrac{d}{dt}")
            i += 3
            continue
        if t in ("^", "**", "_"):
            op = "^" if t != "_" else "_"
            if nxt == "{":
                out.append(op + "{")
                braces.append(True)
                i += 2
                continue
            if nxt == "(" and op == "^":
                out.append(op)
                i += 1
                continue
            if nxt.strip():
                sub = _ident(nxt) if re.match(r"[A-Za-z]", nxt) else nxt
                out.append(op + "{" + sub + "}")
                i += 2
                continue
        if re.match(r"[A-Za-z]", t):
            if nxt == "~":
                out.append(r"\tilde{" + _ident(t) + "}")
                i += 2
                continue
            out.append(_ident(t) + (" " if re.match(r"\\[A-Za-z]+$", _ident(t)) else ""))
        elif t == "*":
            out.append(r"\, ")
        elif t == "," and not braces:
            out.append(r",\allowbreak " if breaks else ", ")
        elif not t.strip() and out and out[-1][-1:].isdigit() and nxt[:1].isdigit():
            out.append(r"\ ")
        elif t in ("<=", ">=", "!=", "->", "+-"):
            out.append({"<=": r"\le ", ">=": r"\ge ", "!=": r"\ne ", "->": r"\to ",
                        "+-": r"\pm "}[t])
        elif t == "~":
            out.append(r"\sim ")
        elif t == "{":
            braces.append(False)
            out.append(r"\{")
        elif t == "}":
            out.append("}" if braces and braces.pop() else r"\}")
        elif t in "%&#$\\":
            out.append("\\" + t if t != "\\" else r"\backslash ")
        else:
            out.append(t)
        i += 1
    out.extend("}" if b else "" for b in braces)
    return "".join(out).strip()


def _spans(text: str):
    """(is_math, piece) over the text, math spans balanced."""
    words = re.split(r"(\s+)", text)
    kinds = [None if not w.strip() else _kind(w) for w in words]
    idx = [i for i, k in enumerate(kinds) if k is not None]
    for n, i in enumerate(idx):
        if kinds[i] == "number":
            near = [kinds[idx[n + d]] for d in (-1, 1) if 0 <= n + d < len(idx)]
            kinds[i] = "math" if "math" in near else "text"
    pieces, cur, cur_math = [], [], None
    for n, (w, k) in enumerate(zip(words, kinds)):
        if k == "code":
            w = words[n] = re.sub(r"^([(\[]*)", "\\1\x00", w)
            k = kinds[n] = "text"
        if k is None:
            cur.append(w)
            continue
        m = k == "math"
        if cur_math is None or m == cur_math:
            cur.append(w)
            cur_math = m
        else:
            # whitespace goes with the text side
            trail = []
            while cur and not cur[-1].strip():
                trail.insert(0, cur.pop())
            pieces.append((cur_math, "".join(cur)))
            cur, cur_math = trail + [w], m
    if cur:
        pieces.append((cur_math, "".join(cur)))
    for is_math, piece in pieces:
        if not is_math:
            yield False, piece
            continue
        lead = piece[:len(piece) - len(piece.lstrip())]
        head, span, tail = _balance(piece.strip())
        yield False, lead + head
        if span:
            yield True, span
        yield False, tail


def _prepare(text: str) -> str:
    """Quoted formulas ('-I*fp0', Python list and dict reprs) lose their quotes; a name
    applied to arguments that is not a function (``gan(f = general)``) is set apart."""
    # not the apostrophes of "et al.'s" and "the authors' code"
    text = re.sub(r"(?<![A-Za-z'.])'([^']+)'(?![A-Za-z])", r"\1", text)
    text = re.sub(r"\s*\{\}", "", text)  # an empty dict of options
    return re.sub(r"(?<![\w'])([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\(", lambda m: m.group(0)
                  if len(m.group(1)) < 2 or m.group(1) in _FUNCTIONS or m.group(1) in GREEK
                  or m.group(1) in _NAMES or m.group(1) == "sqrt" else m.group(1) + " (", text)


def prose_tex(text: str) -> str:
    """Prose with ASCII math as LaTeX: text escaped, formulas typeset."""
    text = _prepare(text)
    return "".join(("$" + math_tex(p) + "$") if m else _text_code(p) for m, p in _spans(text) if p)


def _text_code(piece: str) -> str:
    """Escaped text; words marked as code (a NUL in front) in typewriter type."""
    return re.sub(r"\x00(\S+?)(?=[,.;:)]*(\s|$))",
                  lambda m: r"\texttt{" + m.group(1) + "}", tex_text(piece))


def prose_md(text: str) -> str:
    """Prose with ASCII math as GitHub Markdown: formulas as ``$...$`` (GitHub's MathJax
    subset: ``\\mathrm`` for sigmoid, no ``\\allowbreak``), code names in backticks."""
    out = []
    for m, p in _spans(_prepare(text)):
        if not p:
            continue
        if m:
            out.append("$" + math_tex(p, breaks=False).replace(r"\operatorname{", r"\mathrm{")
                       + "$")
        else:
            out.append(re.sub(r"\x00(\S+?)(?=[,.;:)]*(\s|$))", lambda c: "`" + c.group(1) + "`",
                              p))
    return "".join(out)
