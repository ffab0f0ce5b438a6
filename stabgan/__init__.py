"""stabgan: closed-form convergence analysis of GAN training on the Dirac-GAN.

The public API: :func:`method` builds a catalogue method, :func:`methods` lists the
catalogue, :func:`analyze` derives the stability analysis (:class:`Analysis`).
"""
from importlib.metadata import PackageNotFoundError, version

from .analysis.analyze import Analysis as Analysis, analyze as analyze
from ._errors import InputError as InputError
from ._executor import ExecutorError as ExecutorError
from .model.adjustments import Adjustment as Adjustment, adjustment as adjustment
from .model.custom import custom_method as custom_method
from .model.method import Method as Method, method as method
from .model.penalties import Penalty as Penalty, penalty as penalty
from . import lemmas as lemmas
from .lemmas.statement import VerificationResult as VerificationResult
from .lemmas.registry import verify as verify
from .analysis.maps import StabilityMap as StabilityMap, stability_map as stability_map
from .model.catalogue import MethodSpec as MethodSpec, methods as methods
from .oracles.ode import (Attractor as Attractor, IntegrationResult as IntegrationResult,
                          attractor as attractor, integrate as integrate)
from .oracles.simulate import SimulationResult as SimulationResult, simulate as simulate
from .schemes.user import RuleSpec as RuleSpec, update_rule as update_rule
from .dynamics.basins import BasinsResult as BasinsResult, basins as basins
from .dynamics.bifurcation import (BifurcationResult as BifurcationResult,
                                   bifurcation as bifurcation)

try:
    __version__ = version("stabgan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = ["method", "methods", "custom_method", "penalty", "adjustment", "analyze", "simulate", "integrate", "attractor",
           "verify", "stability_map", "Analysis", "VerificationResult", "StabilityMap", "Method",
           "MethodSpec", "Penalty", "Adjustment", "SimulationResult", "IntegrationResult", "Attractor", "InputError",
           "ExecutorError",
           "update_rule", "RuleSpec", "basins", "bifurcation", "BasinsResult",
           "BifurcationResult"]
