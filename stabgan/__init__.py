"""stabgan: closed-form convergence analysis of GAN training on the Dirac-GAN."""
from ._analysis import Analysis as Analysis, analyze as analyze
from ._errors import InputError as InputError
from ._game import Method as Method, method as method
from ._methods import MethodSpec as MethodSpec, methods as methods
