"""analyze inside shared_analyses(): one derivation per distinct (method, scheme, options),
the same results as without it, and nothing kept after the block."""
import json

import stabgan
from stabgan.analysis.analyze import shared_analyses


def test_same_object_inside_the_block_fresh_outside():
    m = stabgan.method("r1", gamma=0.5)
    with shared_analyses():
        a = stabgan.analyze(m)
        assert stabgan.analyze(stabgan.method("r1", gamma=0.5)) is a
        s = stabgan.analyze(m, scheme="simgd", h=0.1)
        assert stabgan.analyze(m, scheme="simgd", h=0.1) is s
        assert s is not a
    assert stabgan.analyze(m) is not a


def test_shared_results_equal_fresh_ones():
    m = stabgan.method("dragan", gamma=0.3)
    fresh = stabgan.analyze(m, scheme="altgd", n_d=2).to_dict()
    with shared_analyses():
        stabgan.analyze(m, scheme="altgd", n_d=2)
        again = stabgan.analyze(m, scheme="altgd", n_d=2).to_dict()
    assert json.dumps(again, sort_keys=True, default=str) == \
        json.dumps(fresh, sort_keys=True, default=str)


def test_other_values_or_options_are_other_analyses():
    with shared_analyses():
        base = stabgan.analyze(stabgan.method("r1", gamma=1), scheme="simgd", h=0.5)
        other_gamma = stabgan.analyze(stabgan.method("r1", gamma=2), scheme="simgd", h=0.5)
        other_h = stabgan.analyze(stabgan.method("r1", gamma=1), scheme="simgd", h=0.25)
        other_scheme = stabgan.analyze(stabgan.method("r1", gamma=1), scheme="altgd", h=0.5)
    assert len({id(base), id(other_gamma), id(other_h), id(other_scheme)}) == 4
    # R1 (Mescheder et al. 2018, Thm 4.1): eigenvalues -gamma/2 +- sqrt(gamma^2/4 - f'(0)^2),
    # with f'(0) = 1/2 and gamma = 1 the double eigenvalue -1/2; SimGD converges iff
    # |1 - h/2| < 1, so h_max = 4 whatever h was given
    assert base.h_max == 4 and other_h.h_max == 4


def test_bad_input_is_refused_inside_the_block_too():
    import pytest
    with shared_analyses():
        with pytest.raises(stabgan.InputError, match="'h'"):
            stabgan.analyze(stabgan.method("r1"), scheme="simgd", h=-1)
        with pytest.raises(stabgan.InputError, match="'h'"):
            stabgan.analyze(stabgan.method("r1"), scheme="simgd", h=-1)
