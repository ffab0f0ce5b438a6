"""The scheme-option table is the one place an option is spelled: every entry point reads it.

Generated from the table (as scikit-learn's ``generate_invalid_param_val`` does): for every
option, a value outside its range is refused by ``make_scheme``, ``simulate``, ``analyze``
and the command line with the one message template; an option given to a scheme that does
not take it is refused; each axis option is an axis of ``stability_map`` and refused there
outside its range. Adding a row to the table is what makes a new option reach all of them.
"""
import inspect
import re

import numpy as np
import pytest

import stabgan
from stabgan._cli import _build_parser, main
from stabgan._options import OPTIONS, SCHEME_OPTIONS, SCHEMES
from stabgan.analysis.maps import SCHEME_AXES
from stabgan.schemes.scheme import make_scheme

R1 = stabgan.method("r1", gamma=1)


def _invalid(option):
    """A value just outside the option's range, and one of the wrong kind."""
    if option.kind == "step":
        return [-0.5, 0]
    if option.kind == "count":
        return [0, option.high + 1]
    if option.kind == "choice":
        return ["no-such-" + option.name]
    out = [option.low - 1]
    if option.high is not None:
        out.append(option.high + 1)
    if option.low_open:
        out.append(option.low)
    return out


def _home(option):
    """A scheme that takes ``option`` (lookahead over altgd for AltGD's rounds)."""
    return option.schemes[0]


def _message(option, value):
    return re.escape(f"The '{option.name}' option must be {option.allowed}. "
                     f"Got {value!r} instead.")


@pytest.mark.parametrize("option", SCHEME_OPTIONS, ids=lambda o: o.name)
def test_make_scheme_refuses_values_outside_the_range(option):
    for value in _invalid(option):
        with pytest.raises(stabgan.InputError, match=_message(option, value)):
            make_scheme(_home(option), **{option.name: value})


@pytest.mark.parametrize("option", SCHEME_OPTIONS, ids=lambda o: o.name)
def test_make_scheme_accepts_the_default_and_refuses_foreign_schemes(option):
    if option.default is not None:
        make_scheme(_home(option), **{option.name: option.default})
    foreign = [s for s in SCHEMES if s not in option.schemes]
    value = option.default if option.default is not None else 1
    for scheme in foreign:
        if option.name in ("n_g", "n_d", "order"):
            continue  # AltGD's rounds: refused by what one step moves (test below)
        with pytest.raises(stabgan.InputError, match=re.escape(
                f"The '{option.name}' option belongs to {option.where}; scheme '{scheme}' "
                f"does not take it.")):
            make_scheme(scheme, **{option.name: value})


def test_altgd_rounds_belong_to_altgd():
    with pytest.raises(stabgan.InputError, match="belong to altgd; simgd moves both players"):
        make_scheme("simgd", n_d=2)
    assert make_scheme("lookahead", base="altgd", n_d=2).n_d == 2


@pytest.mark.parametrize("option", SCHEME_OPTIONS, ids=lambda o: o.name)
def test_every_entry_point_takes_every_option(option):
    """The keyword of simulate, a flag of analyze/simulate/map, an option of analyze."""
    assert option.name in inspect.signature(stabgan.simulate).parameters
    parser = _build_parser()
    sub = parser._subparsers._group_actions[0].choices
    for command in ("analyze", "simulate"):
        flags = {s for a in sub[command]._actions for s in a.option_strings}
        assert option.flag in flags, (command, option.flag)
    # analyze takes it too (the same validation)
    value = _invalid(option)[0]
    with pytest.raises(stabgan.InputError, match=_message(option, value)):
        stabgan.analyze(R1, scheme=_home(option), **{option.name: value})


SCALAR = [o for o in SCHEME_OPTIONS if o.name not in ("h", "h_g", "h_d")]


@pytest.mark.parametrize("option", SCALAR, ids=lambda o: o.name)
def test_simulate_and_the_cli_refuse_with_the_same_message(option, capsys):
    value = _invalid(option)[-1]
    with pytest.raises(stabgan.InputError, match=_message(option, value)):
        stabgan.simulate(R1, scheme=_home(option), steps=3, h=0.1, **{option.name: value})
    status = main(["analyze", "r1", "--scheme", _home(option), option.flag, str(value)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"The '{option.name}' option must be {option.allowed}." in err


@pytest.mark.parametrize("name", ["h", "h_g", "h_d"])
def test_step_sizes_are_checked_entry_by_entry(name, capsys):
    """Step sizes are arrays in simulate (one per trajectory): every entry is checked."""
    kw = {"h_g": 0.1, "h_d": 0.1} if name != "h" else {}
    kw[name] = [0.1, -0.5]
    with pytest.raises(stabgan.InputError, match=re.escape(
            f"Every entry of the '{name}' option must be a number in (0, inf). Got -0.5")):
        stabgan.simulate(R1, scheme="simgd", steps=3, **kw)
    status = main(["analyze", "r1", "--scheme", "simgd", OPTIONS[name].flag, "-0.5"])
    assert status == 2
    assert f"The '{name}' option must be a number in (0, inf)." in capsys.readouterr().err


def test_the_axes_of_a_map_are_the_table_s_axis_options():
    assert set(SCHEME_AXES) == {o.name for o in SCHEME_OPTIONS if o.axis}


@pytest.mark.parametrize("name", [o.name for o in SCHEME_OPTIONS if o.axis and o.kind != "step"])
def test_map_axes_refuse_values_outside_the_range(name):
    option = OPTIONS[name]
    scheme = _home(option)
    bad = _invalid(option)[0]
    with pytest.raises(stabgan.InputError, match=f"The axis '{name}' must"):
        stabgan.stability_map(R1, scheme, h=np.array([0.1, 0.2]),
                              **{name: np.array([bad, bad])})


def test_every_scheme_steps_by_one_registered_rule():
    """Each scheme's step kind is a row of the rule registry, and each memory item a rule
    declares has an initial value and coordinates (consistency of the registry's data)."""
    from stabgan.schemes.rules import COORDINATES, MEMORY, RULES
    for name in SCHEMES:
        for extra in ({}, {"momentum": "0.5"} if "simgd" in OPTIONS["momentum"].schemes
                      and name in OPTIONS["momentum"].schemes else {}):
            scheme = make_scheme(name, **extra)
            assert scheme.step_kind in RULES
            for item in scheme.memory:
                assert item in MEMORY and item in COORDINATES
    assert make_scheme("ogda").memory == ("g_prev",)
    assert make_scheme("lookahead", base="altgd", momentum="0.5").memory == ("u",)
