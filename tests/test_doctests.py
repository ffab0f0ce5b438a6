"""The examples in the docstrings of the installed package run and give what they show."""
import doctest
import importlib
import pkgutil

import pytest

import stabgan

MODULES = sorted(name for _, name, _ in pkgutil.walk_packages(stabgan.__path__, "stabgan.")
                 if name != "stabgan.__main__")


def test_walks_subpackages():
    """The collector reaches modules inside the subpackages (the lemma registry's example)."""
    assert "stabgan.lemmas.registry" in MODULES and "stabgan.analysis.analyze" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
