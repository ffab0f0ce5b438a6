"""The lemma suite's public face: statements, check kinds, :func:`register` and :func:`verify`.

Register a statement of your own in a few lines (see the README) and check it the same way
as the published ones.
"""
from .checks import (AttractorIs as AttractorIs, Check as Check, Conserved as Conserved,
                     ContractionRate as ContractionRate, CriticalIs as CriticalIs,
                     Custom as Custom, EigenvaluesAre as EigenvaluesAre,
                     FieldsEqual as FieldsEqual, JacobianIs as JacobianIs,
                     NormGrowsEveryStep as NormGrowsEveryStep,
                     NumericJacobianEigenvalues as NumericJacobianEigenvalues,
                     OdeConserves as OdeConserves, Ref as Ref, StepBoundIs as StepBoundIs,
                     TrajectoriesAtBound as TrajectoriesAtBound, VerdictIs as VerdictIs)
from .statement import Statement as Statement, VerificationResult as VerificationResult
from .registry import (register as register, statements as statements, unregister as unregister,
                       verify as verify)

__all__ = ["Statement", "VerificationResult", "register", "unregister", "statements", "verify",
           "Ref", "Check", "EigenvaluesAre", "JacobianIs", "CriticalIs", "VerdictIs",
           "FieldsEqual", "Conserved", "StepBoundIs", "Custom", "NumericJacobianEigenvalues",
           "OdeConserves", "NormGrowsEveryStep", "TrajectoriesAtBound", "AttractorIs",
           "ContractionRate"]
