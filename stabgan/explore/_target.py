"""The static page's inputs checked before any work (the target path; the scheme, step size
and number of steps shown first), and the page written atomically (a temporary file in the
same directory, renamed onto the target), so that the target is never half-written. No
Bokeh here: bad input is named before Bokeh is needed."""
from __future__ import annotations

import math
import os
import tempfile

from .._errors import InputError

__all__ = ["PAGE_SCHEMES", "MAX_STEPS", "check_target", "check_options", "write_atomically"]

#: The schemes of the page: the flow, and the discrete schemes whose update operator acts on
#: (theta, psi) alone (a 2 x 2 matrix, whose eigenvalues the page takes from trace and
#: determinant).
PAGE_SCHEMES = ("continuous", "simgd", "altgd", "extragradient")
#: The steps slider's end (the page recomputes every trajectory on each change).
MAX_STEPS = 5000

_WHAT = "The '--static' option of explore"


def check_target(out: str) -> str:
    """The absolute path of ``out``, an .html file in an existing, writable directory.

    Parameters
    ----------
    out : str
        The path given.

    Returns
    -------
    str
        The absolute path.

    Raises
    ------
    InputError
        Naming ``out`` and the reason (not .html, a directory, no such directory, not
        writable).
    """
    if not str(out).strip():
        raise InputError(f"{_WHAT} must name an .html file. Got '' instead.")
    path = os.path.abspath(out)
    if os.path.isdir(path):
        raise InputError(f"{_WHAT} must name an .html file. Got {out!r} instead (a directory).")
    if os.path.splitext(path)[1].lower() not in (".html", ".htm"):
        raise InputError(f"{_WHAT} must name an .html file. Got {out!r} instead.")
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise InputError(f"{_WHAT} must name a file in an existing directory. Got {out!r} "
                         f"instead (no directory {directory!r}).")
    if not os.access(directory, os.W_OK):
        raise InputError(f"{_WHAT} must name a file in a writable directory. Got {out!r} "
                         f"instead.")
    return path


def check_options(scheme: str, h: float, steps: int) -> None:
    """Refuse a first scheme, step size or number of steps the page cannot show.

    Parameters
    ----------
    scheme : str
        One of :data:`PAGE_SCHEMES`.
    h : float
        A number in (0, inf).
    steps : int
        An integer in [1, :data:`MAX_STEPS`].

    Raises
    ------
    InputError
        Naming the option, the value and what is allowed.
    """
    if scheme not in PAGE_SCHEMES:
        raise InputError(f"The 'scheme' option of explore --static must be one of "
                         f"{', '.join(PAGE_SCHEMES)}. Got {scheme!r} instead.")
    if isinstance(h, bool) or not isinstance(h, (int, float)) or not (math.isfinite(h)
                                                                       and h > 0):
        raise InputError(f"The 'h' option of explore --static must be a number in (0, inf). "
                         f"Got {h!r} instead.")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise InputError(f"The 'steps' option of explore --static must be an integer in "
                         f"[1, {MAX_STEPS}]. Got {steps!r} instead.")


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in its directory and
    ``os.replace``; on any failure the temporary file is removed and ``path`` is untouched."""
    handle, tmp = tempfile.mkstemp(suffix=".html", prefix=".stabgan-explore-",
                                   dir=os.path.dirname(path))
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp makes 0600; the page is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
