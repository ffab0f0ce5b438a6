"""The public surface (DESIGN.md section 4) exists and is documented (numpydoc)."""
import inspect

import stabgan

CONTRACT = {"method", "analyze", "methods"}


def test_all_contains_the_contract_names():
    assert CONTRACT <= set(stabgan.__all__)
    for name in stabgan.__all__:
        assert hasattr(stabgan, name), name


def test_public_functions_have_numpydoc_docstrings():
    for name in stabgan.__all__:
        obj = getattr(stabgan, name)
        doc = inspect.getdoc(obj)
        assert doc and len(doc) > 40, name
        if inspect.isfunction(obj):
            params = [p for p in inspect.signature(obj).parameters
                      if not p.startswith("_")]
            if params:
                assert "Parameters\n----------" in doc, name
                for p in params:
                    assert p in doc, (name, p)
            assert "Returns\n-------" in doc, name


def test_version():
    assert isinstance(stabgan.__version__, str)
