"""The one exception type for bad user input."""
from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """Bad user input: the message names the parameter, the value and what is allowed.

    It is a ``ValueError``, so ``except ValueError`` catches it; the command line
    prints its message as one line on stderr and exits with status 2.
    """
