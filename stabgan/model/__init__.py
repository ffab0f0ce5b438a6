"""What is trained: the catalogue of methods as data, the f parser, the derived field and its
jumps, :class:`Method` and :func:`method` (layer 3). Importing the package registers the
entries written with the extension API (:mod:`.contributed`)."""
from . import contributed as contributed  # noqa: F401 - registers hinge, lecam, r3gan
