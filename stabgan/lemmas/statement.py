"""A statement of the lemma suite (data) and the result of checking it."""
from __future__ import annotations

from dataclasses import dataclass

from .checks import Check

__all__ = ["Statement", "VerificationResult"]


@dataclass(frozen=True)
class Statement:
    """A published (or derived) statement with its two checks.

    Attributes
    ----------
    id : str
        A short unique id (``mgn18-lemma-2.2``).
    statement : str
        The statement in LaTeX.
    source : str
        Paper and lemma/theorem/equation number, or ``"derived"``.
    symbolic, numeric : Check
        The checks; each returns (passed, one-line detail).
    """

    id: str
    statement: str
    source: str
    symbolic: Check
    numeric: Check

    def to_dict(self) -> dict:
        """id, statement and source (what ``stabgan verify --list`` prints)."""
        return {"id": self.id, "statement": self.statement, "source": self.source}


@dataclass(frozen=True)
class VerificationResult:
    """The outcome of checking one statement: both checks' results and the time taken.

    Attributes
    ----------
    id, statement, source : str
        As in the registry.
    symbolic, numeric : dict
        ``{"passed": bool, "detail": str}`` for each check.
    passed : bool
        Both checks passed.
    seconds : float
        Wall time of the two checks.
    """

    id: str
    statement: str
    source: str
    symbolic: dict
    numeric: dict
    passed: bool
    seconds: float

    def to_dict(self) -> dict:
        """The JSON form (DESIGN.md section 4)."""
        return {"id": self.id, "statement": self.statement, "source": self.source,
                "symbolic": self.symbolic, "numeric": self.numeric, "passed": self.passed,
                "seconds": round(self.seconds, 3)}
