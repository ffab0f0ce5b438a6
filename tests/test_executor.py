"""executor= on the batch APIs, the CLI's --workers/--scheduler, and .to_xarray().

What these tests check (DESIGN section 6: "bitwise identical whatever the batch size, chunking
or thread count"): a run on a 2-process pool and on a Dask LocalCluster of 2 worker processes
gives the same bytes as a serial run, field by field (np.array_equal, statuses and history
included), for simulate (several schemes, one with memory, diverging trajectories among
them), stability_map and verify (the same verdicts and details). These are consistency
checks between ways of running the same code, not independent evidence about the numbers.
A chunk that raises in the worker makes the call raise an error naming the chunk, and the
CLI writes nothing.
"""
import dataclasses
import json
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor

import numpy as np
import pytest

import stabgan
from stabgan._cli import main
from stabgan import ExecutorError

#: The schemes of the simulate comparison (memory: ogda, momentum, lookahead; a period:
#: lookahead; a weight average: ema).
SIMULATE_CASES = [
    ("simgd", {}),
    ("altgd", {"n_g": 2, "n_d": 1}),
    ("ogda", {}),
    ("simgd", {"momentum": 0.3}),
    ("lookahead", {"lookahead_steps": 3, "lookahead_alpha": 0.5}),
    ("extragradient", {"ema": 0.9}),
]
#: Statements for the verify comparison: closed-form ones and ones whose checks hold lambdas
#: and closures (sent by id).
VERIFY_IDS = ["mgn18-lemma-2.3", "mgn18-lemma-2.5", "mgn18-critical-gamma",
              "mgn18-r1-equals-r2"]


def _spawn_pool(n=2):
    # spawn: pytest's process may hold threads (a Dask cluster's), and fork after threads
    # is unsafe (Python 3.12+ warns, and warnings are errors here)
    return ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"))


@pytest.fixture(scope="module")
def pool():
    with _spawn_pool() as ex:
        yield ex


def _batch():
    """Starts and step sizes with converging, cycling and diverging trajectories (R1 at
    gamma = 0.3 has h_max = 1.2 under SimGD; h = 10 leaves the bound 1e3 in every scheme)."""
    rng = np.random.default_rng(np.random.SeedSequence(13).spawn(1)[0])
    n = 700
    theta0 = rng.uniform(-2, 2, n)
    psi0 = rng.uniform(-2, 2, n)
    h = np.where(np.arange(n) % 4 == 0, 10.0, rng.uniform(0.02, 0.6, n))
    return theta0, psi0, h


def _simulate(scheme, options, executor=None):
    theta0, psi0, h = _batch()
    return stabgan.simulate(stabgan.method("r1", gamma=0.3), scheme, h=h, steps=300,
                            theta0=theta0, psi0=psi0, record_every=20, bound=1e3,
                            chunk_size=64, executor=executor, **options)


def _assert_same_simulation(a, b):
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name
            assert x.dtype == y.dtype, f.name
        else:
            assert x == y, f.name


def _map(executor=None):
    return [stabgan.stability_map(stabgan.method("r1"), "simgd", h=np.linspace(0.01, 4, 300),
                                  gamma=np.linspace(0, 3, 250), executor=executor),
            stabgan.stability_map(stabgan.method("gan"), "lookahead",
                                  h=np.linspace(0.01, 2, 200),
                                  lookahead_steps=np.array([2, 3, 5]), executor=executor)]


def _assert_same_maps(a, b):
    for s, t in zip(a, b):
        assert s.axes.keys() == t.axes.keys()
        assert np.array_equal(s.spectral_radius, t.spectral_radius, equal_nan=True)
        assert np.array_equal(s.locally_convergent, t.locally_convergent)


def _assert_same_verdicts(a, b):
    assert [r.id for r in a] == [r.id for r in b]
    for r, s in zip(a, b):
        assert (r.passed, r.symbolic, r.numeric) == (s.passed, s.symbolic, s.numeric), r.id


@pytest.mark.parametrize("scheme, options", SIMULATE_CASES)
def test_simulate_on_a_process_pool_is_bitwise_serial(pool, scheme, options):
    serial = _simulate(scheme, options)
    statuses = set(serial.status.tolist())
    assert "diverged" in statuses and len(statuses) >= 2   # the batch mixes outcomes
    _assert_same_simulation(serial, _simulate(scheme, options, pool))


def test_stability_map_on_a_process_pool_is_bitwise_serial(pool, monkeypatch):
    import stabgan.analysis.maps as maps
    monkeypatch.setattr(maps, "MAP_CHUNK", 4096)   # many chunks (cut in this process)
    serial = _map()
    _assert_same_maps(serial, _map(pool))


def test_verify_on_a_process_pool_gives_the_same_verdicts(pool):
    _assert_same_verdicts(stabgan.verify(VERIFY_IDS), stabgan.verify(VERIFY_IDS, executor=pool))


def test_progress_is_reported_as_chunks_complete(pool, monkeypatch):
    import stabgan.oracles.simulate as sim
    from stabgan.oracles.monitor import Meter

    class EveryCall(Meter):   # report on every add (the real one waits a second)
        def __init__(self, callback, total):
            super().__init__(callback, total)
            self.last, self.clock = -10.0, iter(range(0, 10**6, 2)).__next__

    monkeypatch.setattr(sim, "Meter", EveryCall)
    seen = []
    theta0, psi0, h = _batch()
    stabgan.simulate(stabgan.method("r1"), "simgd", h=0.1, steps=50, theta0=theta0, psi0=psi0,
                     chunk_size=100, executor=pool, progress=lambda d, t: seen.append((d, t)))
    assert len(seen) == 7   # 700 trajectories in chunks of 100
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1] == (700 * 50, 700 * 50)


class _Sabotaged(Executor):
    """Sends chunk ``bad`` (0-based) as a malformed task, so that it raises in the worker."""

    def __init__(self, inner, bad):
        self.inner, self.bad, self.count = inner, bad, 0

    def submit(self, fn, task):
        i, self.count = self.count, self.count + 1
        return self.inner.submit(fn, ("not a task",) if i == self.bad else task)


def test_a_chunk_that_raises_is_named_and_nothing_is_returned(pool):
    theta0, psi0, h = _batch()
    with pytest.raises(ExecutorError, match=r"chunk 3 of 11 \(trajectories 128 to 191\) "
                                            r"failed on the executor: ValueError"):
        stabgan.simulate(stabgan.method("r1"), "simgd", h=h, steps=20, theta0=theta0,
                         psi0=psi0, chunk_size=64, executor=_Sabotaged(pool, 2))
    with pytest.raises(ExecutorError, match=r"chunk 2 of 2 \(grid points 65536 to 74999"):
        stabgan.stability_map(stabgan.method("r1"), "simgd", h=np.linspace(0.01, 4, 300),
                              gamma=np.linspace(0, 3, 250), executor=_Sabotaged(pool, 1))
    with pytest.raises(ExecutorError, match=r"chunk 1 of 2 \(statement 'mgn18-lemma-2.3'\)"):
        stabgan.verify(VERIFY_IDS[:2], executor=_Sabotaged(pool, 0))


def test_a_worker_that_dies_is_reported_with_a_chunk():
    import os

    class Killer(_Sabotaged):
        def submit(self, fn, task):
            i, self.count = self.count, self.count + 1
            return self.inner.submit(os._exit, 3) if i == self.bad else self.inner.submit(fn, task)

    theta0, psi0, h = _batch()
    with _spawn_pool() as broken:
        with pytest.raises(ExecutorError, match=r"chunk \d+ of 11 .*BrokenProcessPool"):
            stabgan.simulate(stabgan.method("r1"), "simgd", h=h, steps=20, theta0=theta0,
                             psi0=psi0, chunk_size=64, executor=Killer(broken, 1))


def test_cli_map_writes_nothing_when_a_chunk_fails(tmp_path, monkeypatch, capsys, pool):
    import stabgan._cli as cli

    class Failing(cli._Executor):
        def __enter__(self):
            return _Sabotaged(pool, 0)

        def __exit__(self, *exc):
            return None

    monkeypatch.setattr(cli, "_Executor", Failing)
    out = tmp_path / "map.png"
    status = main(["map", "r1", "--x", "h=0.01:4:40", "--y", "gamma=0:3:30", "--workers", "2",
                   "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1
    assert "chunk 1 of 1 (grid points 0 to 1199 in C order) failed" in err
    assert list(tmp_path.iterdir()) == []   # neither the figure nor its temporary file


def test_executor_and_workers_together_are_refused():
    with ProcessPoolExecutor(1) as ex:
        with pytest.raises(stabgan.InputError, match="either the 'executor' option or the "
                                                     "'workers' option of simulate"):
            stabgan.simulate(stabgan.method("r1"), h=0.1, steps=5, workers=2, executor=ex)
    for call in (lambda: stabgan.simulate(stabgan.method("r1"), h=0.1, executor=4),
                 lambda: stabgan.stability_map(stabgan.method("r1"), h=[0.1, 0.2], executor=4),
                 lambda: stabgan.verify(["mgn18-lemma-2.3"], executor="pool")):
        with pytest.raises(stabgan.InputError, match="must be a concurrent.futures.Executor"):
            call()


def test_cli_workers_gives_the_serial_document(capsys):
    args = ["map", "r1", "--x", "h=0.01:4:60", "--y", "gamma=0:3:50", "--json"]
    assert main(args) == 0
    serial = json.loads(capsys.readouterr().out)
    assert main(args + ["--workers", "2"]) == 0
    assert json.loads(capsys.readouterr().out) == serial
    assert main(["map", "r1", "--x", "h=0.01:4:6", "--y", "gamma=0:3:5", "--workers", "0"]) == 2
    assert "'--workers' option must be an integer in [1, 256]" in capsys.readouterr().err
    assert main(["simulate", "r1", "--scheme", "ode", "--h", "0.1", "--steps", "5",
                 "--theta0", "1", "--psi0", "1", "--workers", "2"]) == 2
    assert "--scheme ode integrates one trajectory" in capsys.readouterr().err


# --- Dask ---------------------------------------------------------------------------------

def test_dask_local_cluster_gives_the_serial_bytes(capsys):
    distributed = pytest.importorskip(
        "distributed", reason="Dask is an optional extra: pip install 'stabgan[dask]'")
    serial_sim = [_simulate(s, o) for s, o in SIMULATE_CASES[2:4]]
    serial_map = _map()
    serial_verify = stabgan.verify(VERIFY_IDS)
    # no dashboard (its port may be taken, and it needs bokeh), worker logs kept off pytest's
    # stderr: the cluster emits no warning, so none is filtered
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0", silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        ex = client.get_executor()
        for (s, o), ref in zip(SIMULATE_CASES[2:4], serial_sim):
            _assert_same_simulation(ref, _simulate(s, o, ex))
        _assert_same_maps(serial_map, _map(ex))
        _assert_same_verdicts(serial_verify, stabgan.verify(VERIFY_IDS, executor=ex))
        # the command line on the cluster's address
        args = ["map", "r1", "--x", "h=0.01:4:60", "--y", "gamma=0:3:50", "--json"]
        assert main(args) == 0
        serial = capsys.readouterr().out
        assert main(args + ["--scheduler", cluster.scheduler_address]) == 0
        assert capsys.readouterr().out == serial
        args = ["verify", *VERIFY_IDS[:2], "--json"]
        assert main(args + ["--scheduler", cluster.scheduler_address]) == 0
        docs = json.loads(capsys.readouterr().out)
        assert [(d["id"], d["passed"]) for d in docs] == [(i, True) for i in VERIFY_IDS[:2]]
        args = ["simulate", "gan", "--scheme", "ogda", "--h", "0.1", "--steps", "200",
                "--theta0", "1", "--psi0", "0.5", "--json"]
        assert main(args) == 0
        serial = capsys.readouterr().out
        assert main(args + ["--scheduler", cluster.scheduler_address]) == 0
        assert capsys.readouterr().out == serial


def test_cli_unreachable_scheduler_is_one_line_and_writes_nothing(tmp_path, capsys):
    pytest.importorskip("distributed",
                        reason="Dask is an optional extra: pip install 'stabgan[dask]'")
    import dask
    out = tmp_path / "map.png"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        # port 1 on the loopback: nothing listens there
        status = main(["map", "r1", "--x", "h=0.01:4:40", "--y", "gamma=0:3:30",
                       "--scheduler", "tcp://127.0.0.1:1", "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("stabgan: error: Cannot reach the Dask scheduler at "
                                   "'tcp://127.0.0.1:1'")
    assert list(tmp_path.iterdir()) == []


# --- xarray -------------------------------------------------------------------------------

def test_stability_map_to_xarray(tmp_path):
    xr = pytest.importorskip("xarray",
                             reason="xarray is an optional extra: pip install 'stabgan[xarray]'")
    s = stabgan.stability_map(stabgan.method("r1", gamma=0.3), "altgd", n_g=2,
                              h=np.linspace(0.01, 3, 30), momentum=np.linspace(-0.5, 0.5, 7))
    ds = s.to_xarray()
    assert ds["spectral_radius"].dims == ("h", "momentum")
    assert np.array_equal(ds["h"].values, s.axes["h"])
    assert np.array_equal(ds["momentum"].values, s.axes["momentum"])
    assert np.array_equal(ds["spectral_radius"].values, s.spectral_radius)
    assert np.array_equal(ds["locally_convergent"].values, s.locally_convergent)
    assert ds.attrs["method"] == "r1" and ds.attrs["scheme"] == "altgd"
    assert json.loads(ds.attrs["parameters"]) == {"gamma": 0.3}
    assert json.loads(ds.attrs["options"])["n_g"] == 2
    assert ds.attrs["stabgan_version"] == stabgan.__version__
    # a point by label equals the array's entry
    assert float(ds["spectral_radius"].sel(h=s.axes["h"][4], momentum=0.0)) == \
        s.spectral_radius[4, 3]
    path = tmp_path / "map.nc"
    ds.to_netcdf(path, engine="scipy")
    with xr.open_dataset(path, engine="scipy") as back:
        assert np.array_equal(back["spectral_radius"].values, s.spectral_radius)
        assert np.array_equal(back["locally_convergent"].values, s.locally_convergent)
        assert back.attrs["method"] == "r1"


def test_simulation_to_xarray(tmp_path):
    xr = pytest.importorskip("xarray",
                             reason="xarray is an optional extra: pip install 'stabgan[xarray]'")
    theta0 = np.linspace(-1, 1, 5)[:, None]
    psi0 = np.linspace(-2, 2, 4)[None, :]
    r = stabgan.simulate(stabgan.method("r1", gamma=0.3), "simgd", h=0.9, steps=40,
                         theta0=theta0, psi0=psi0, record_every=10, ema=0.5)
    ds = r.to_xarray()
    assert dict(ds.sizes) == {"trajectory": 20, "step": 5}
    assert ds["history_theta"].dims == ("trajectory", "step")
    assert np.array_equal(ds["step"].values, [0, 10, 20, 30, 40])
    assert np.array_equal(ds["theta0"].values, np.broadcast_to(theta0, (5, 4)).ravel())
    assert np.array_equal(ds["psi0"].values, np.broadcast_to(psi0, (5, 4)).ravel())
    assert np.array_equal(ds["h_g"].values, np.full(20, 0.9))
    for k in ("theta", "psi", "distance", "status", "diverged_at", "theta_ema"):
        assert np.array_equal(ds[k].values, getattr(r, k).ravel()), k
    assert np.array_equal(ds["history_psi"].values, r.history_psi.reshape(20, 5))
    assert ds.attrs["shape"] == [5, 4] and ds.attrs["steps"] == 40 and ds.attrs["ema"] == 0.5
    assert json.loads(ds.attrs["parameters"]) == {"gamma": 0.3}
    # the grid of starts comes back by its coordinates
    grid = ds.set_index(trajectory=["theta0", "psi0"]).unstack("trajectory")
    assert np.array_equal(grid["theta"].transpose("theta0", "psi0").values, r.theta)
    path = tmp_path / "sim.nc"
    ds.to_netcdf(path, engine="scipy")
    with xr.open_dataset(path, engine="scipy") as back:
        assert np.array_equal(back["status"].values.astype(str), r.status.ravel())
        assert np.array_equal(back["history_theta"].values, r.history_theta.reshape(20, 5))


def test_to_xarray_without_xarray_names_the_extra(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "xarray", None)   # import xarray now raises ImportError
    s = stabgan.stability_map(stabgan.method("r1"), "simgd", h=np.array([0.1, 0.2]))
    with pytest.raises(ImportError, match=r"pip install 'stabgan\[xarray\]'"):
        s.to_xarray()
    r = stabgan.simulate(stabgan.method("r1"), h=0.1, steps=2)
    with pytest.raises(ImportError, match=r"pip install 'stabgan\[xarray\]'"):
        r.to_xarray()


def _heun(ops, x, memory):
    """Heun's method (module level, so that it pickles by reference)."""
    k1 = ops.v(x)
    k2 = ops.v(ops.move(x, k1))
    return ops.move(x, (k1[0] + k2[0], k1[1] + k2[1]), 1 / 2), {}


def test_a_users_rule_runs_on_a_process_pool(pool):
    rule = stabgan.update_rule("heun", _heun)
    theta0, psi0, h = _batch()
    m = stabgan.method("r1", gamma=0.3)
    kw = dict(h=h, steps=100, theta0=theta0, psi0=psi0, bound=1e3, chunk_size=128)
    _assert_same_simulation(stabgan.simulate(m, rule, **kw),
                            stabgan.simulate(m, rule, executor=pool, **kw))
    axes = dict(h=np.linspace(0.01, 4, 40), gamma=np.linspace(0, 3, 30))
    _assert_same_maps([stabgan.stability_map(m, rule, **axes)],
                      [stabgan.stability_map(m, rule, executor=pool, **axes)])


# --- basins and bifurcation ---------------------------------------------------------------

def _basins_runs(executor=None):
    """A discrete map in many chunks (block=48: 9 chunks of a 20 x 20 grid) whose starts
    reach the WGAN-GP cycle and, with the bound at 4, leave it (diverged); DRAGAN's two
    non-Nash points; the flow of WGAN-GP on a few starts (ODE_CHUNK starts per task)."""
    g = np.linspace(-3, 3, 20)
    return [
        stabgan.basins(stabgan.method("wgan-gp", gamma=0.7), "simgd", theta=g, psi=g,
                       steps=600, tail=256, h=0.05, bound=4.0, block=48, executor=executor),
        stabgan.basins(stabgan.method("dragan", gamma=0.7), "altgd", theta=g, psi=g,
                       steps=800, tail=256, h=0.05, block=48, executor=executor),
        stabgan.basins(stabgan.method("wgan-gp", gamma=0.7), "ode",
                       theta=np.linspace(-2, 2, 3), psi=np.linspace(-2, 2, 4),
                       executor=executor),
    ]


def _bifurcation_run(executor=None):
    return stabgan.bifurcation(stabgan.method("r1", gamma=0.3), "h", np.linspace(1.0, 1.4, 3),
                               scheme="simgd", steps=1500, theta=[0.1, 1.0], psi=[0.1, -0.5],
                               xtol=2e-2, executor=executor)


def _assert_same_basins(a, b):
    for s, t in zip(a, b, strict=True):
        for name in ("theta", "psi", "labels", "final_theta", "final_psi", "distance",
                     "attractor_distance"):
            x, y = getattr(s, name), getattr(t, name)
            assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), name
        assert [a.to_dict() for a in s.attractors] == [a.to_dict() for a in t.attractors]
        assert s.counts == t.counts and s.notes == t.notes
        assert s.orbits.keys() == t.orbits.keys()
        for i in s.orbits:
            assert all(u.tobytes() == v.tobytes() for u, v in zip(s.orbits[i], t.orbits[i]))
        assert json.dumps(s.to_dict()) == json.dumps(t.to_dict())


def test_basins_runs_cover_every_outcome():
    # what the comparisons below compare: cycles, divergence, points and the flow's cycle
    runs = _basins_runs()
    assert [a.kind for a in runs[0].attractors] == ["limit_cycle"]
    assert (runs[0].labels == -1).any() and (runs[0].labels == 0).any()
    assert sorted(a.kind for a in runs[1].attractors).count("point") == 2
    assert "limit_cycle" in [a.kind for a in runs[2].attractors]


def test_basins_and_bifurcation_on_a_process_pool_are_bitwise_serial(pool):
    _assert_same_basins(_basins_runs(), _basins_runs(pool))
    serial = _bifurcation_run()
    assert serial.points   # a bifurcation point bisected, on the pool too
    assert json.dumps(serial.to_dict()) == json.dumps(_bifurcation_run(pool).to_dict())


def test_basins_and_bifurcation_on_a_dask_local_cluster_are_bitwise_serial(capsys):
    distributed = pytest.importorskip(
        "distributed", reason="Dask is an optional extra: pip install 'stabgan[dask]'")
    serial_b, serial_d = _basins_runs(), _bifurcation_run()
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0", silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        ex = client.get_executor()
        _assert_same_basins(serial_b, _basins_runs(ex))
        assert json.dumps(serial_d.to_dict()) == json.dumps(_bifurcation_run(ex).to_dict())
        # the command line on the cluster's address
        args = ["basins", "dragan", "-p", "gamma=0.7", "--h", "0.05", "--steps", "800",
                "--tail", "256", "--theta=-3:3:12", "--psi=-3:3:12", "--json"]
        assert main(args) == 0
        serial = capsys.readouterr().out
        assert main(args + ["--scheduler", cluster.scheduler_address]) == 0
        assert capsys.readouterr().out == serial


def test_a_basins_chunk_that_raises_is_named(pool):
    g = np.linspace(-3, 3, 20)
    with pytest.raises(ExecutorError, match=r"chunk 2 of 9 \(starts 48 to 95 \(C order\)\) "
                                            r"failed on the executor"):
        stabgan.basins(stabgan.method("r1"), "simgd", theta=g, psi=g, steps=10, tail=16,
                       h=0.1, block=48, executor=_Sabotaged(pool, 1))
    with pytest.raises(stabgan.InputError, match="must be a concurrent.futures.Executor"):
        stabgan.basins(stabgan.method("r1"), "simgd", theta=g, psi=g, h=0.1, executor=2)


def test_cli_basins_and_bifurcation_with_workers_give_the_serial_document(capsys):
    args = ["basins", "wgan-gp", "-p", "gamma=0.7", "--h", "0.05", "--steps", "600",
            "--tail", "256", "--theta=-3:3:14", "--psi=-3:3:14", "--json"]
    assert main(args) == 0
    serial = capsys.readouterr().out
    assert json.loads(serial)["attractors"][0]["kind"] == "limit_cycle"
    assert main(args + ["--workers", "2"]) == 0
    assert capsys.readouterr().out == serial
    args = ["bifurcation", "r1", "-p", "gamma=0.3", "--scheme", "simgd", "--param",
            "h=1.0:1.4:3", "--steps", "1500", "--theta", "0.1:0.1:1", "--psi", "0.1:0.1:1",
            "--xtol", "0.05", "--json"]
    assert main(args) == 0
    serial = capsys.readouterr().out
    assert json.loads(serial)["points"]
    assert main(args + ["--workers", "2"]) == 0
    assert capsys.readouterr().out == serial
    assert main(["basins", "r1", "--h", "0.1", "--theta=-1:1:2", "--psi=-1:1:2",
                 "--workers", "0"]) == 2
    assert "'--workers' option must be an integer in [1, 256]" in capsys.readouterr().err


def test_basins_to_xarray(tmp_path):
    xr = pytest.importorskip("xarray",
                             reason="xarray is an optional extra: pip install 'stabgan[xarray]'")
    g, p = np.linspace(-3, 3, 8), np.linspace(-2, 2, 6)
    b = stabgan.basins(stabgan.method("dragan", gamma=0.7), "simgd", theta=g, psi=p,
                       steps=800, tail=256, h=0.05)
    ds = b.to_xarray()
    assert ds["labels"].dims == ("theta0", "psi0") and dict(ds.sizes) == {"theta0": 8,
                                                                          "psi0": 6}
    assert np.array_equal(ds["theta0"].values, g) and np.array_equal(ds["psi0"].values, p)
    for k in ("labels", "final_theta", "final_psi", "distance", "attractor_distance"):
        assert np.array_equal(ds[k].values, getattr(b, k), equal_nan=True), k
    assert ds.attrs["method"] == "dragan" and ds.attrs["scheme"] == "simgd"
    assert json.loads(ds.attrs["parameters"]) == {"gamma": 0.7, "k": 1.0}   # with defaults
    assert json.loads(ds.attrs["options"]) == {"h": 0.05}
    assert (ds.attrs["steps"], ds.attrs["tail"], ds.attrs["tol"]) == (800, 256, b.tol)
    assert json.loads(ds.attrs["attractors"]) == b.to_dict()["attractors"]
    assert ds.attrs["stabgan_version"] == stabgan.__version__
    assert int(ds["labels"].sel(theta0=g[2], psi0=p[4])) == b.labels[2, 4]
    path = tmp_path / "basins.nc"
    ds.to_netcdf(path, engine="scipy")
    with xr.open_dataset(path, engine="scipy") as back:
        assert np.array_equal(back["labels"].values, b.labels)
        assert np.array_equal(back["distance"].values, b.distance, equal_nan=True)
        assert np.array_equal(back["theta0"].values, g)
        assert json.loads(back.attrs["attractors"]) == b.to_dict()["attractors"]


def test_bifurcation_to_xarray(tmp_path):
    xr = pytest.importorskip("xarray",
                             reason="xarray is an optional extra: pip install 'stabgan[xarray]'")
    d = _bifurcation_run()
    ds = d.to_xarray()
    assert ds["signature"].dims == ("h",) and np.array_equal(ds["h"].values, d.values)
    assert ds["signature"].values.tolist() == ["+".join(s) for s in d.signatures]
    assert ds["attractor_count"].values.tolist() == [len(a) for a in d.attractors]
    assert ds["locally_convergent"].values.tolist() == [
        int(e["locally_convergent"]) for e in d.equilibrium]
    assert np.array_equal(ds["spectral_radius"].values,
                          [e["spectral_radius"] for e in d.equilibrium])
    assert ds["kind"].dims == ("h", "attractor")
    for i, (atts, amps, cnt) in enumerate(zip(d.attractors, d.amplitudes, d.counts)):
        assert ds["kind"].values[i, :len(atts)].tolist() == [a.kind for a in atts]
        assert ds["count"].values[i, :len(atts)].tolist() == cnt
        assert np.array_equal(ds["amplitude"].values[i, :len(atts)], amps, equal_nan=True)
        assert (ds["count"].values[i, len(atts):] == -1).all()
    assert ds.attrs["parameter"] == "h" and ds.attrs["scheme"] == "simgd"
    assert json.loads(ds.attrs["parameters"]) == {"gamma": 0.3}
    assert json.loads(ds.attrs["points"]) == d.to_dict()["points"]
    assert ds.attrs["stabgan_version"] == stabgan.__version__
    path = tmp_path / "bif.nc"
    ds.to_netcdf(path, engine="scipy")
    with xr.open_dataset(path, engine="scipy") as back:
        assert back["signature"].values.astype(str).tolist() == ds["signature"].values.tolist()
        assert np.array_equal(back["amplitude"].values, ds["amplitude"].values, equal_nan=True)
        assert np.array_equal(back["h"].values, d.values)


def test_basins_and_bifurcation_to_xarray_without_xarray_name_the_extra(monkeypatch):
    import sys
    b = stabgan.basins(stabgan.method("r1", gamma=0.3), "simgd", theta=[0.5], psi=[0.5],
                       steps=10, tail=16, h=0.1)
    d = _bifurcation_run()
    monkeypatch.setitem(sys.modules, "xarray", None)
    for r in (b, d):
        with pytest.raises(ImportError, match=r"pip install 'stabgan\[xarray\]'"):
            r.to_xarray()
