"""Basins of attraction (stabgan.basins), checked against facts known independently of the
classifier: closed-form orbits (the hinge's circle r = sqrt(2) of period 2 pi), norms that
grow at every step (the unregularized GAN under SimGD), published one-sided equilibria
(WGAN-GP's theta = -+ gamma g0, DRAGAN's -+ 2 gamma k), and the other oracle (the ODE
attractor finder against the simulator). Each test says which kind of check it is.
"""
import json
import math

import numpy as np
import pytest

import stabgan
from stabgan import InputError
from stabgan.dynamics.basins import DIVERGED, NO_ATTRACTOR, UNDECIDED

F1_LOGISTIC = 0.5


def test_hinge_flow_centre_inside_limit_cycle_outside():
    """Independent (closed form): the hinge loss's flow has circles inside
    theta^2 + psi^2 < 2 (nothing attracts: label -3) and from outside reaches the circle
    r = sqrt(2), crossing psi = 0 upwards at theta = sqrt(2), period 2 pi (tolerance 1e-6,
    the ODE oracle's section tolerance times 100)."""
    m = stabgan.method("hinge")
    theta, psi = np.array([0.5, 2.2]), np.array([-0.4, 0.6, 2.1])
    b = stabgan.basins(m, "ode", theta=theta, psi=psi)
    assert [a.kind for a in b.attractors] == ["limit_cycle"]
    cycle = b.attractors[0]
    assert abs(cycle.theta_crossing - math.sqrt(2)) < 1e-6
    assert abs(cycle.period - 2 * math.pi) < 1e-6
    for i, t in enumerate(theta):
        for j, p in enumerate(psi):
            inside = t * t + p * p < 2
            assert b.labels[i, j] == (NO_ATTRACTOR if inside else 0), (t, p, b.labels[i, j])
    assert b.counts == [int(np.sum(b.labels == 0))]


def test_gan_simgd_every_start_grows():
    """Independent (a norm identity): for the minimax GAN v = f'(psi theta) (-psi, theta) is
    orthogonal to x, so |x + h v|^2 = |x|^2 + h^2 |v|^2: under SimGD the norm grows at every
    step, for every h (spectral radius > 1 at the equilibrium: checked too, a consistency
    check). No start may be labelled with an attractor; with a small bound they diverge."""
    m = stabgan.method("gan")
    g = np.array([-2.0, -0.5, 0.7, 2.5])
    for h in (0.05, 0.5):
        assert stabgan.analyze(m, scheme="simgd", h=str(h)).spectral_radius > 1
        b = stabgan.basins(m, "simgd", theta=g, psi=g, steps=400, tail=64, h=h)
        assert b.attractors == []
        assert set(np.unique(b.labels)) <= {DIVERGED, UNDECIDED}
        start = np.hypot(*np.meshgrid(g, g, indexing="ij"))
        assert np.all(b.distance > start)
    # f(t) = t (the bilinear field): |x_k| = (1 + h^2)^(k/2) |x_0|, 1.118^400 ~ 1e19 > 1e8
    b = stabgan.basins(stabgan.method("gan", f="t"), "simgd", theta=g, psi=g, steps=400,
                       tail=64, h=0.5)
    assert np.all(b.labels == DIVERGED)


def test_r1_simgd_every_start_in_a_box_converges():
    """Independent (the paper's step-size lemma): R1 with gamma = 0.3 has eigenvalues
    -0.15 +- i sqrt(0.91)/2 at the equilibrium, so SimGD converges for h < 0.3/0.25 = 1.2;
    at h = 0.2 (rho = 0.9747 per step, 0.9747^1500 ~ 1e-17) every start of the box
    [-1, 1]^2 reaches the equilibrium within tol."""
    m = stabgan.method("r1", gamma=0.3)
    g = np.linspace(-1, 1, 9)
    b = stabgan.basins(m, "simgd", theta=g, psi=g, steps=1500, tail=64, h=0.2)
    assert [a.kind for a in b.attractors] == ["equilibrium"]
    assert abs(b.attractors[0].theta) <= 2 * b.tol and abs(b.attractors[0].psi) <= 2 * b.tol
    assert np.all(b.labels == 0)
    assert np.all(b.distance <= 1e-10)


def _one_sided_thetas(a):
    return sorted(float(eq["theta"]["value"]) for side in a.nonsmooth["one_sided"].values()
                  for eq in side["equilibria"])


@pytest.mark.parametrize("scheme, options", [("simgd", {"h": 0.05}), ("ode", {})])
def test_wgan_gp_non_nash_points_where_the_analysis_puts_them(scheme, options):
    """Independent twice: the positions typed in (psi -> 0+-: theta = -+ gamma g0, Mescheder
    et al. 2018, Section 3) and the non-smooth analysis's one-sided equilibria (analyze's
    `nonsmooth`) against the points the simulator / the ODE oracle settle on, to 3 tol."""
    gamma, g0 = 3, 1
    m = stabgan.method("wgan-gp", gamma=gamma, g0=g0)
    expected = _one_sided_thetas(stabgan.analyze(m))
    assert expected == [-gamma * g0, gamma * g0]
    g = np.array([-2.0, 0.5, 2.5]) if scheme == "ode" else np.linspace(-3, 3, 10)
    b = stabgan.basins(m, scheme, theta=g, psi=np.array([-1.0, 1.0]) if scheme == "ode" else g,
                       steps=3000, tail=256, **options)
    found = sorted(a.theta for a in b.attractors)
    assert [a.kind for a in b.attractors] == ["point", "point"]
    assert np.allclose(found, expected, atol=3 * b.tol, rtol=0)
    assert all(abs(a.psi) <= 3 * b.tol for a in b.attractors)
    # the flow from these starts: the side decides, psi > 0 settles at -gamma g0, psi < 0 at
    # +gamma g0 (under SimGD large starts cross psi = 0 first: no such rule there)
    for j, p in enumerate(b.psi if scheme == "ode" else []):
        if p != 0:
            want = -gamma * g0 if p > 0 else gamma * g0
            for i in range(b.theta.size):
                assert b.attractors[b.labels[i, j]].theta == pytest.approx(want, abs=3 * b.tol)


def test_wgan_gp_limit_cycle_simgd_against_the_flow():
    """Independent (the other oracle): WGAN-GP with gamma = 0.7 under SimGD h = 0.05 sends
    every start of the box (off the exact fixed point (0, 0)) to one closed invariant set,
    whose crossing and period agree with the flow's limit cycle from the ODE oracle to
    O(h): 3 h = 0.15 (the map's crossing is interpolated across the jump at psi = 0, and
    its period is a whole number of steps per turn, 132 here)."""
    m = stabgan.method("wgan-gp", gamma=0.7)
    g = np.array([-2.5, -1.0, 0.3, 1.7, 3.0])
    b = stabgan.basins(m, "simgd", theta=g, psi=g, steps=4000, h=0.05)
    assert [a.kind for a in b.attractors] == ["limit_cycle"]
    assert np.all(b.labels == 0)
    flow = stabgan.attractor(m, theta0=1.0, psi0=1.0)
    assert flow.kind == "limit_cycle"
    assert abs(b.attractors[0].theta_crossing - flow.theta_crossing) < 0.15
    assert abs(b.attractors[0].period - flow.period) < 0.15
    assert np.all(b.attractor_distance <= 2 * b.tol)


def test_dragan_bistability():
    """Independent (typed in): DRAGAN with the logistic f, k = 1, gamma = 0.7 has one-sided
    equilibria at theta = -+ gamma k / f'(0) = -+ 1.4 (stable nodes) and, around them, a
    limit cycle (the flow's, from the ODE oracle: the `dragan-bistable` statement). The
    simulator at h = 0.05 finds both points and one cycle, with (-1, 0.2) in a point's basin
    and (-1.5, 0.05), (2, 2) in the cycle's, as the flow does from those starts; (1, -0.2),
    the mirror image of (-1, 0.2), reaches the point +1.4."""
    m = stabgan.method("dragan", gamma=0.7, k=1)
    b = stabgan.basins(m, "simgd", theta=[-1.0, -1.5, 2.0, 1.0], psi=[0.2, 0.05, 2.0, -0.2],
                       steps=4000, h=0.05)
    kinds = sorted(a.kind for a in b.attractors)
    assert kinds == ["limit_cycle", "point", "point"]
    points = sorted(a.theta for a in b.attractors if a.kind == "point")
    assert np.allclose(points, [-0.7 / F1_LOGISTIC, 0.7 / F1_LOGISTIC], atol=3 * b.tol)
    assert b.attractors[b.labels[0, 0]].kind == "point"
    assert b.attractors[b.labels[0, 0]].theta == pytest.approx(-1.4, abs=3 * b.tol)
    assert b.attractors[b.labels[1, 1]].kind == "limit_cycle"
    assert b.attractors[b.labels[2, 2]].kind == "limit_cycle"
    assert b.attractors[b.labels[3, 3]].theta == pytest.approx(1.4, abs=3 * b.tol)
    for start in ((-1.0, 0.2), (-1.5, 0.05)):
        assert stabgan.attractor(m, *start).kind == b.attractors[
            b.labels[[-1.0, -1.5, 2.0].index(start[0]), [0.2, 0.05, 2.0].index(start[1])]].kind


def test_gan_altgd_orbits_are_no_attractor():
    """Independent (a conserved quantity): AltGD on the minimax GAN near the equilibrium is
    a centre (the bilinear game's AltGD conserves a modified energy), so no closed orbit
    attracts its 5% neighbours: every settled start is labelled -3, none with an attractor."""
    m = stabgan.method("gan")
    g = np.array([-0.8, -0.3, 0.4, 0.9])
    b = stabgan.basins(m, "altgd", theta=g, psi=g, steps=1000, h=0.1)
    assert b.attractors == []
    assert np.all(b.labels == NO_ATTRACTOR)


def test_results_do_not_depend_on_the_block():
    """Consistency: the grid cut into blocks of 7 starts gives the same bytes as one block."""
    m = stabgan.method("dragan", gamma=0.7, k=1)
    g = np.linspace(-2, 2, 6)
    a = stabgan.basins(m, "simgd", theta=g, psi=g, steps=1500, tail=512, h=0.05)
    b = stabgan.basins(m, "simgd", theta=g, psi=g, steps=1500, tail=512, h=0.05, block=7)
    assert np.array_equal(a.labels, b.labels)
    assert np.array_equal(a.final_theta, b.final_theta)
    assert [x.to_dict() for x in a.attractors] == [x.to_dict() for x in b.attractors]


def test_to_dict_is_strict_json_and_plot_returns_a_figure():
    """Consistency: the document parses with a strict JSON parser; plot gives a Figure."""
    import matplotlib.figure
    m = stabgan.method("gan")
    b = stabgan.basins(m, "simgd", theta=[-1.0, 1.0], psi=[0.5, 2.0], steps=200, tail=32,
                       h=0.5, bound=3.0)
    doc = json.loads(json.dumps(b.to_dict(), allow_nan=False))
    assert doc["labels"] == b.labels.tolist()
    assert set(doc["label_meaning"]) == {"-3", "-2", "-1"}
    fig = b.plot()
    assert isinstance(fig, matplotlib.figure.Figure)
    import matplotlib.pyplot as plt
    plt.close(fig)


@pytest.mark.parametrize("kwargs, match", [
    (dict(scheme="ogda", h=0.1), "'scheme'"),
    (dict(scheme="simgd", h=0.1, momentum=0.5), "'momentum'"),
    (dict(scheme="ode", h=0.1), "'h'"),
    (dict(scheme="simgd", h=0.1, tol=-1.0), "'tol'"),
    (dict(scheme="simgd", h=0.1, theta=[[1.0]]), "'theta'"),
])
def test_bad_input_is_one_line(kwargs, match):
    kwargs.setdefault("theta", [0.0, 1.0])
    with pytest.raises(InputError, match=match) as info:
        stabgan.basins(stabgan.method("r1", gamma=0.3), psi=[0.0, 1.0], **kwargs)
    assert "\n" not in str(info.value)


def test_a_grid_too_large_for_memory_is_refused_with_its_size():
    big = np.zeros(200_000)
    with pytest.raises(InputError, match=r"needs about .* of memory"):
        stabgan.basins(stabgan.method("r1", gamma=0.3), "simgd", theta=big, psi=big, h=0.1)


# -- command line (consistency: the CLI's JSON is the API's to_dict) ---------------------------

def test_cli_basins_json_equals_the_api(capsys):
    from stabgan._cli import main
    argv = ["basins", "r1", "-p", "gamma=0.3", "--h", "0.2", "--steps", "300", "--tail", "64",
            "--theta=-1:1:3", "--psi=-1:1:2", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    b = stabgan.basins(stabgan.method("r1", gamma="0.3"), "simgd", theta=np.linspace(-1, 1, 3),
                       psi=np.linspace(-1, 1, 2), steps=300, tail=64, h=0.2)
    assert out == json.loads(json.dumps(b.to_dict()))


def test_cli_basins_and_bifurcation_write_figures(tmp_path, capsys):
    from stabgan._cli import main
    png = tmp_path / "b.png"
    assert main(["basins", "gan", "--h", "0.5", "--steps", "50", "--tail", "32",
                 "--theta=-1:1:3", "--psi=-1:1:3", "--out", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    png2 = tmp_path / "d.png"
    assert main(["bifurcation", "r1", "-p", "gamma=0.3", "--scheme", "simgd",
                 "--param", "h=0.5:1.0:2", "--theta", "0.1:0.1:1", "--psi", "0.1:0.1:1",
                 "--steps", "300", "--tail", "64", "--out", str(png2)]) == 0
    assert png2.read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.png", "d.png"]  # no temp left


@pytest.mark.parametrize("argv, match", [
    (["basins", "r1", "--theta", "0:1", "--psi", "0:1:2", "--h", "0.1"], "LO:HI:N"),
    (["basins", "r1", "--theta", "1:0:3", "--psi", "0:1:2", "--h", "0.1"], "HI > LO"),
    (["basins", "r1", "--theta", "0:1:3", "--psi", "0:1:2", "--scheme", "ode", "--h", "0.1"],
     "--h"),
    (["basins", "r1", "--theta", "0:1:100", "--psi", "0:1:100", "--scheme", "ode"], "2,500"),
    (["bifurcation", "r1", "--param", "zeta=0:1:3"], "'parameter'"),
    (["bifurcation", "r1", "-p", "gamma=1", "--param", "gamma=0:1:3"], "both fixed"),
])
def test_cli_bad_input_is_one_line_exit_2(argv, match, capsys, tmp_path):
    from stabgan._cli import main
    assert main(argv + ["--out", str(tmp_path / "x.png")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and match in captured.err and captured.err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
