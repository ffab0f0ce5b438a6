"""The vocabulary: the state symbols, the step-size symbols, and SymPy function classes for f.

Three kinds of f reach the symbolic engine:

* the logistic f(t) = -log(1 + e^{-t}) = -softplus(-t), written with the
  :class:`Softplus` and :class:`Sigmoid` classes below so that every derivative
  stays in a form that NumPy can evaluate without overflow
  (``softplus -> logaddexp(0, x)``, ``sigmoid -> scipy.special.expit``);
* a general f, whose derivatives are the undefined functions
  f, f', f'', ... (:func:`general_f_derivative`) that evaluate at 0 to the
  symbols ``f0, fp0, fpp0, ...`` (LaTeX: f(0), f'(0), f''(0));
* a custom f(t) given by the user as an expression in t (see ``stabgan.model.fparse``).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

__all__ = ["Sigmoid", "Softplus", "general_f_derivative", "derivative_symbol", "F_SYMBOL_LATEX",
           "T", "THETA", "PSI", "F", "H_SYMBOL", "HG_SYMBOL", "HD_SYMBOL"]

#: The argument of f in user expressions.
T = sp.Symbol("t", real=True)


class Sigmoid(sp.Function):
    r"""The logistic sigmoid :math:`\operatorname{sigmoid}(x) = 1 / (1 + e^{-x})`.

    Its derivative is :math:`\operatorname{sigmoid}(x)(1 - \operatorname{sigmoid}(x))`;
    at 0 it evaluates to 1/2.
    """

    is_real = True
    is_positive = True

    @classmethod
    def eval(cls, x):  # noqa: D102 - SymPy hook
        if x.is_zero:
            return sp.Rational(1, 2)
        if x.is_Number and x.is_negative:
            return 1 - cls(-x)
        return None

    def fdiff(self, argindex=1):  # noqa: D102 - SymPy hook
        s = Sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0]))).evalf(prec)

    def _latex(self, printer, exp=None):
        body = r"\operatorname{sigmoid}\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)


class Softplus(sp.Function):
    r"""The softplus :math:`\operatorname{softplus}(x) = \log(1 + e^{x})`.

    Its derivative is :math:`\operatorname{sigmoid}(x)`; at 0 it is :math:`\log 2`.
    The logistic f is :math:`f(t) = -\operatorname{softplus}(-t)`.
    """

    is_real = True
    is_positive = True

    @classmethod
    def eval(cls, x):  # noqa: D102 - SymPy hook
        if x.is_zero:
            return sp.log(2)
        return None

    def fdiff(self, argindex=1):  # noqa: D102 - SymPy hook
        return Sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return sp.log(1 + sp.exp(x))

    def _eval_evalf(self, prec):
        return sp.log(1 + sp.exp(self.args[0])).evalf(prec)

    def _latex(self, printer, exp=None):
        body = r"\operatorname{softplus}\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)


def _primes(order: int) -> str:
    return "'" * order if order <= 3 else "^{(%d)}" % order


@lru_cache(maxsize=None)
def derivative_symbol(order: int) -> sp.Symbol:
    """The symbol for the ``order``-th derivative of a general f at 0.

    ``fp0`` is f'(0) (real and nonzero: every result assumes f'(0) != 0, as
    Mescheder et al. 2018 do), ``fpp0`` is f''(0), ``fppp0`` is f'''(0), and
    ``f0`` is f(0).
    """
    name = "f" + "p" * order + "0"
    if order == 1:
        return sp.Symbol(name, real=True, nonzero=True)
    return sp.Symbol(name, real=True)


def _latex_of_derivative_symbol(order: int) -> str:
    return "f%s(0)" % _primes(order)


#: LaTeX names of the general-f symbols, for ``sympy.latex(..., symbol_names=...)``.
F_SYMBOL_LATEX = {derivative_symbol(n): _latex_of_derivative_symbol(n) for n in range(0, 9)}


@lru_cache(maxsize=None)
def general_f_derivative(order: int) -> type:
    """The SymPy function class of the ``order``-th derivative of a general f.

    ``general_f_derivative(1)(x)`` is f'(x); it differentiates to f''(x) and
    evaluates at x = 0 to the symbol ``fp0``.
    """

    def eval_(cls, x):
        if x.is_zero:
            return derivative_symbol(order)
        return None

    def fdiff(self, argindex=1):
        return general_f_derivative(order + 1)(self.args[0])

    def latex(self, printer, exp=None):
        body = r"f%s\left(%s\right)" % (_primes(order), printer._print(self.args[0]))
        return body if exp is None else r"\left(%s\right)^{%s}" % (body, exp)

    name = "f" + "p" * order
    return type(name, (sp.Function,), {
        "eval": classmethod(eval_), "fdiff": fdiff, "_latex": latex, "is_real": True,
        "__module__": __name__,
    })


# -- the state and the step sizes --------------------------------------------------------------

#: The generator's parameter theta and the discriminator's parameter psi (D(x) = psi x).
THETA = sp.Symbol("theta", real=True)
PSI = sp.Symbol("psi", real=True)
#: Placeholder for the loss function f; replaced by the chosen f when a method is built.
F = sp.Function("f")
#: The step sizes when left out: positive symbols.
H_SYMBOL = sp.Symbol("h", positive=True)
HG_SYMBOL = sp.Symbol("h_g", positive=True)
HD_SYMBOL = sp.Symbol("h_d", positive=True)
