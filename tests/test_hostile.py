"""Hostile input and faults: every answer is fast and clean (one line, the right exit status),
and nothing is left behind. One test (or parametrized group) per kind of fault:

A. strict JSON; B. the file system and the output streams; C. interrupted and concurrent runs;
D. errors, memory, shapes and option values of the API; E. what a new user types first;
F. work that would explode (limits).
"""
import decimal
import json
import os
import re
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import stabgan
from stabgan._cli import _json_text, main

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _strict(text):
    def refuse(constant):
        raise ValueError(f"non-standard JSON constant {constant}")
    return json.loads(text, parse_constant=refuse)


def _cli(args, timeout=120, **kwargs):
    env = {**ENV, **kwargs.pop("env", {})}
    return subprocess.run([sys.executable, "-m", "stabgan", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, **kwargs)


def _one_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# --- A. JSON that is JSON -----------------------------------------------------------------

def test_json_dump_is_strict_and_names_the_non_finite_values():
    doc = {"a": [1.0, float("inf"), float("-inf")], "b": {"c": float("nan")}, "d": "x",
           "e": np.float64("inf"), "f": np.array([1.0, np.nan])}
    out = _strict(_json_text(doc))
    assert out["a"] == [1.0, None, None] and out["b"] == {"c": None} and out["e"] is None
    assert out["f"] == [1.0, None]
    assert out["non_finite"] == {"count": 5, "values": {"/a/1": "inf", "/a/2": "-inf",
                                                        "/b/c": "nan", "/e": "inf",
                                                        "/f/1": "nan"}}
    assert _strict(_json_text([{"x": float("nan")}, {"y": 1}])) == [
        {"x": None, "non_finite": {"count": 1, "values": {"/x": "nan"}}}, {"y": 1}]
    assert "non_finite" not in _strict(_json_text({"x": 1.5}))


def test_map_over_huge_axes_prints_strict_json(capsys):
    assert main(["map", "r1", "--x", "h=0.01:1e300:3", "--y", "gamma=0:1e300:3", "--json"]) == 0
    doc = _strict(capsys.readouterr().out)
    assert doc["spectral_radius"][0][0] == pytest.approx(1.0000125, rel=1e-6)
    assert doc["spectral_radius"][1][1] is None
    assert doc["non_finite"]["values"]["/spectral_radius/1/1"] in ("nan", "inf")


@pytest.mark.parametrize("argv", [
    ["analyze", "instance-noise", "-p", "sigma=1e300", "--json"],
    ["simulate", "instance-noise", "-p", "sigma=1e300", "--scheme", "simgd", "--h", "0.1",
     "--steps", "10", "--theta0", "1", "--psi0", "1", "--json"],
])
def test_instance_noise_with_huge_sigma_prints_strict_json(argv, capsys):
    assert main(argv) == 0
    _strict(capsys.readouterr().out)


# --- B. the file system and the streams -----------------------------------------------------

MAP = ["map", "r1", "--x", "h=0.01:1:3", "--y", "gamma=0:1:3"]


@pytest.mark.parametrize("where, reason", [
    (lambda d: d / "missing" / "m.png", r"no directory '.*missing'"),
    (lambda d: d, r"\(a directory\)"),
    (lambda d: d / "afile" / "m.png", r"'.*afile' is not a directory"),  # fails even for root
    (lambda d: d / "m.jpg", r"must name a \.png, \.pdf or \.svg file"),
])
def test_map_out_that_cannot_be_written_is_one_line(where, reason, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    before = sorted(p.name for p in tmp_path.iterdir())
    out = where(tmp_path)
    assert main(MAP + ["--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    line = _one_line(captured.err)
    assert line.startswith("stabgan: error: The '--out' option of map") and re.search(reason, line)
    assert str(out) in line
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def _without_root_override():
    """For a child of root: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the capability
    bounding set (prctl PR_CAPBSET_DROP), so the child meets file permissions as a user does."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_map_out_into_a_read_only_directory(tmp_path):
    """A directory without write permission: one line naming the path and the reason. Run
    as root (as CI is), the child drops root's permission override first."""
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        r = subprocess.run([sys.executable, "-m", "stabgan", *MAP, "--out", str(ro / "m.png")],
                           capture_output=True, text=True, timeout=120, env=ENV,
                           preexec_fn=_without_root_override if os.geteuid() == 0 else None)
        assert r.returncode == 2 and r.stdout == ""
        line = _one_line(r.stderr)
        assert "Permission denied" in line and str(ro) in line
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o700)


@pytest.mark.parametrize("ext, magic", [("png", b"\x89PNG"), ("pdf", b"%PDF"), ("svg", b"<?xml"),
                                        ("PDF", b"%PDF")])
def test_map_format_follows_the_extension(ext, magic, tmp_path, capsys):
    out = tmp_path / f"m.{ext}"
    assert main(MAP + ["--out", str(out)]) == 0
    assert out.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


def test_report_out_under_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    assert main(["report", "--out", str(tmp_path / "afile" / "rep"), "--only", "r1"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "'--out'" in line and "afile" in line and "Not a directory" in line


def test_full_stdout_is_one_line_exit_1():
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "stabgan", "methods"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60, env=ENV)
    assert proc.returncode == 1
    assert _one_line(proc.stderr) == "stabgan: error: cannot write to stdout: No space left on device."


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"},
                                 {"PYTHONIOENCODING": "latin-1"}])
def test_stdout_that_is_not_utf8(env):
    proc = _cli(["analyze", "r1"], env=env)
    assert proc.returncode == 1 and proc.stdout == ""
    line = _one_line(proc.stderr)
    assert "cannot write to stdout: its encoding" in line and "PYTHONIOENCODING=utf-8" in line
    proc = _cli(["analyze", "r1", "--json"], env=env)  # JSON is ASCII: works
    assert proc.returncode == 0 and _strict(proc.stdout)["method"] == "r1"


def test_c_locale_still_prints():
    proc = _cli(["analyze", "r1"], env={"LC_ALL": "C", "LANG": "C"})
    assert proc.returncode in (0, 1)
    if proc.returncode == 1:
        assert "cannot write to stdout" in _one_line(proc.stderr)


# --- C. interrupted and concurrent runs ----------------------------------------------------

def _tree(root: Path) -> dict:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def r1_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep")
    proc = _cli(["report", "--out", str(out), "--only", "r1"], timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def _children(pid):
    proc = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(x) for x in proc.stdout.split()]


@pytest.mark.parametrize("sig, status, group", [(signal.SIGINT, 130, False),
                                                (signal.SIGTERM, 143, False),
                                                (signal.SIGINT, 130, True),
                                                (signal.SIGTERM, 143, True)])
def test_interrupted_report_stops_cleans_up_and_keeps_the_old_files(sig, status, group, r1_out,
                                                                    tmp_path):
    import shutil
    out = tmp_path / "out"
    shutil.copytree(r1_out, out)
    (out / "derivations" / "r1.md").write_text("the previous file\n")
    before = _tree(out)
    proc = subprocess.Popen([sys.executable, "-m", "stabgan", "report", "--out", str(out),
                             "--only", "r1"], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        kids = []
        while time.monotonic() < deadline and proc.poll() is None:
            kids = _children(proc.pid)
            if kids and list(out.glob(".stabgan-report-*")):
                break
            time.sleep(0.02)
        assert kids, "the report never started its figure process"
        t0 = time.monotonic()
        (os.killpg if group else os.kill)(proc.pid, sig)
        _, err = proc.communicate(timeout=20)
        elapsed = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == status, err
    assert elapsed < 3.0
    last = err.strip().splitlines()[-1]
    assert last.startswith("stabgan: interrupted (SIGINT)" if status == 130
                           else "stabgan: terminated (SIGTERM)")
    assert "Traceback" not in err
    time.sleep(0.2)
    assert not [k for k in kids if Path(f"/proc/{k}").exists()
                and "zombie" not in Path(f"/proc/{k}/status").read_text().lower()]
    assert not list(out.glob(".stabgan-report-*"))
    assert _tree(out) == before


def test_two_reports_into_one_directory_give_one_complete_report(r1_out, tmp_path):
    out = tmp_path / "out"
    procs = [subprocess.Popen([sys.executable, "-m", "stabgan", "report", "--out", str(out),
                               "--only", "r1"], env=ENV, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errs = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    assert _tree(out) == _tree(r1_out)
    assert not list(out.glob(".stabgan-report-*"))


def test_a_temporary_directory_left_by_a_killed_run_is_removed(r1_out, tmp_path):
    import shutil
    out = tmp_path / "out"
    shutil.copytree(r1_out, out)
    (out / ".stabgan-report-killed").mkdir()
    (out / ".stabgan-report-killed" / "half.md").write_text("half")
    assert main(["report", "--out", str(out), "--only", "r1"]) == 0
    assert _tree(out) == _tree(r1_out)


def test_sigint_during_simulate_is_one_line_130():
    proc = subprocess.Popen([sys.executable, "-m", "stabgan", "simulate", "r1", "--scheme",
                             "altgd", "--h", "0.1", "--steps", "10000000", "--theta0", "1",
                             "--psi0", "1"], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130 and out == ""
    assert err.strip().splitlines()[-1].startswith("stabgan: interrupted (SIGINT)")
    assert "Traceback" not in err


# --- D. the API and the CLI do not leak raw errors ----------------------------------------

def test_any_unexpected_error_is_one_line_exit_1_and_debug_shows_the_traceback(
        monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("deep inside")
    monkeypatch.setattr(stabgan, "methods", broken)
    assert main(["methods"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert _one_line(captured.err) == ("stabgan: error: ZeroDivisionError: deep inside (run with "
                                       "--debug for the traceback)")
    assert main(["--debug", "methods"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and err.strip().splitlines()[-1].startswith(
        "stabgan: error: ZeroDivisionError: deep inside")
    assert main(["methods", "--debug"]) == 1  # any position
    assert "Traceback" in capsys.readouterr().err


def test_memory_error_is_one_line(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise MemoryError()
    monkeypatch.setattr(stabgan, "methods", broken)
    assert main(["methods"]) == 1
    assert "out of memory" in _one_line(capsys.readouterr().err)


def test_huge_requests_are_refused_up_front_naming_size_and_limit():
    m = stabgan.method("r1")
    t0 = time.monotonic()
    with pytest.raises(stabgan.InputError, match=r"100,000 x 100,000 = 10,000,000,000 points "
                       r"needs about .* TiB .* limit of 8\.0 GiB"):
        stabgan.stability_map(m, "simgd", h=np.linspace(0.01, 4, 100_000),
                              gamma=np.linspace(0, 3, 100_000))
    with pytest.raises(stabgan.InputError, match=r"1 trajectory recording 1,000,000,001 states "
                       r".*needs about 14\.9 GiB .* limit of 8\.0 GiB"):
        stabgan.simulate(m, "simgd", h=0.1, record_every=1, steps=10**9)
    assert time.monotonic() - t0 < 5


@pytest.mark.parametrize("kwargs, message", [
    (dict(theta0=np.ones(3), psi0=np.ones(2)), r"'theta0' \(shape \(3,\)\) and 'psi0' \(shape \(2,\)\)"),
    (dict(theta0=np.ones(3), h=np.full(4, 0.1)), r"'theta0' \(shape \(3,\)\) and 'h' \(shape \(4,\)\)"),
    (dict(tol=float("nan")), r"'tol' option must be a number in \[0, inf\). Got nan"),
    (dict(bound=-1), r"'bound' option must be a number in \(0, inf\). Got -1"),
    (dict(bound=float("inf")), r"'bound' option"),
])
def test_simulate_names_bad_shapes_and_option_values(kwargs, message):
    kwargs = {"h": 0.1, **kwargs}
    with pytest.raises(stabgan.InputError, match=message):
        stabgan.simulate(stabgan.method("r1"), "simgd", steps=5, **kwargs)


def test_integrate_names_bad_shapes_and_tolerances():
    m = stabgan.method("r1")
    with pytest.raises(stabgan.InputError, match=r"'theta0' \(shape \(3,\)\) and 'psi0'"):
        stabgan.integrate(m, theta0=np.ones(3), psi0=np.ones(2))
    with pytest.raises(stabgan.InputError, match=r"'rtol' option"):
        stabgan.integrate(m, rtol=float("nan"))


def test_verify_takes_one_id_string():
    from stabgan.lemmas.registry import statements
    sid = statements()[0].id
    results = stabgan.verify(sid)
    assert [r.id for r in results] == [sid]
    with pytest.raises(stabgan.InputError, match="Unknown statement id 'no-such-id'"):
        stabgan.verify("no-such-id")


def test_decimal_parameter_is_exact():
    m = stabgan.method("r1", gamma=decimal.Decimal("0.3"))
    assert m.values["gamma"] == Fraction(3, 10)
    with pytest.raises(stabgan.InputError, match=r"Got NaN instead \(not finite\)"):
        stabgan.method("r1", gamma=decimal.Decimal("NaN"))


# --- E. what a new user types first ---------------------------------------------------------

def test_values_with_a_leading_minus(capsys):
    assert main(["analyze", "gan", "--f", "-log(1+exp(-t))", "--json"]) == 0
    assert _strict(capsys.readouterr().out)["f"] == "-log(1 + exp(-t))"
    assert main(["simulate", "r1", "--scheme", "simgd", "--h", "0.1", "--steps", "3",
                 "--theta0", "-1e-3", "--psi0", "-.5", "--json"]) == 0
    assert _strict(capsys.readouterr().out)["steps"] == 3
    assert main(["analyze", "r1", "--f", "--json"]) == 2  # an option is not taken as a value
    assert "expected one argument" in _one_line(capsys.readouterr().err)


def test_f_whose_canonical_string_is_long(capsys):
    assert main(["analyze", "gan", "--f", "1e300*t", "--json"]) == 0
    assert _strict(capsys.readouterr().out)["f"] == "1" + "0" * 300 + "*t"


def test_no_arguments_lists_the_commands(capsys):
    assert main([]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    for command in ("methods", "analyze", "simulate", "report", "map", "verify"):
        assert re.search(rf"^\s+{command}\s", captured.err, re.M), captured.err


def test_symbolic_parameters_are_named_and_defaults_binds_them(capsys):
    assert main(["analyze", "r1", "--scheme", "altgd", "--h", "0.5"]) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == ("symbolic: gamma (set gamma with -p gamma=VALUE or "
                                            "--defaults)")
    assert main(["analyze", "r1", "--scheme", "altgd", "--h", "0.5", "--defaults"]) == 0
    out = capsys.readouterr().out
    assert "symbolic:" not in out and "not computed while symbols remain" not in out
    assert main(["analyze", "r1", "--scheme", "altgd", "--h", "0.5", "--defaults", "--json"]) == 0
    assert _strict(capsys.readouterr().out)["params"] == {"gamma": "1"}
    assert main(["analyze", "r1", "-p", "gamma=0.3", "--defaults", "--json"]) == 0  # -p wins
    assert _strict(capsys.readouterr().out)["params"] == {"gamma": "3/10"}
    assert main(["methods"]) == 0
    assert "stays a symbol in analyze" in capsys.readouterr().out


# --- F. work that would explode -------------------------------------------------------------

BIG = "9" * 7800


@pytest.mark.parametrize("argv, message", [
    (["analyze", "gan", "--f", "t-1+exp(exp(exp(exp(exp(exp(t))))))"], "overflows a float at t = 0"),
    (["analyze", "gan", "--f", "t+(2+t)**((2+t)**((2+t)**((2+t)**(2+t))))"], "overflows a float at t = 0"),
    (["analyze", "gan", "--f", "1e300*1e300*t"], "overflows a float at t = 0"),
    (["analyze", "r1", "-p", "gamma=1e99999999"], r"decimal exponent 99999999 is outside \[-400, 400\]"),
    (["analyze", "r1", "-p", "gamma=1e-99999999"], r"decimal exponent -99999999 is outside \[-400, 400\]"),
    (["analyze", "r1", "-p", f"gamma={BIG}"], r"\(7800 characters\) instead \(longer than 800 characters\)"),
    (["simulate", "r1", "--scheme", "simgd", "--h", "0.1", "--steps", BIG, "--theta0", "1",
      "--psi0", "1"], r"'--steps' option must be an integer in \[0, 10000000\]"),
    (["simulate", "r1", "--scheme", "simgd", "--h", "0.1", "--steps", "1000000000000",
      "--theta0", "1", "--psi0", "1"], r"'--steps' option must be an integer in \[0, 10000000\]"),
    (["simulate", "r1", "--scheme", "ode", "--h", "1e300", "--steps", "10", "--theta0", "1",
      "--psi0", "1"], r"time span steps x h must be at most 100000"),
    (["map", "r1", "--x", f"h=0.01:1:{BIG}", "--y", "gamma=0:1:3"], r"N of the '--x' option"),
])
def test_explosive_work_is_refused_fast_in_one_line(argv, message, capsys):
    t0 = time.monotonic()
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    line = _one_line(captured.err)
    assert re.search(message, line), line
    assert len(line) < 1000
    assert time.monotonic() - t0 < 10


def test_huge_python_int_parameter_is_refused_without_int_to_str():
    with pytest.raises(stabgan.InputError, match="an integer of about 7801 digits"):
        stabgan.method("r1", gamma=10**7800)


def test_a_long_command_says_it_is_still_working(monkeypatch, capsys):
    """No command stays silent on stderr for long: a heartbeat line every few seconds (here
    made 0.05 s) while it runs, and none after it returns; stdout keeps only the result."""
    import stabgan._cli as cli
    monkeypatch.setattr(cli._Heartbeat, "every", 0.05)
    assert main(["analyze", "r1", "--scheme", "lookahead", "--lookahead-steps", "6",
                 "--json"]) == 0
    captured = capsys.readouterr()
    _strict(captured.out)
    assert "stabgan analyze: still working" in captured.err
    time.sleep(0.2)
    assert capsys.readouterr().err == ""


def test_a_long_symbolic_period_is_announced(capsys):
    """Before a symbolic period of many steps, one line says it can take long and what is
    faster; a short one says nothing."""
    assert main(["analyze", "gan", "--scheme", "altgd", "--n-d", "15", "--json"]) == 0
    err = capsys.readouterr().err
    assert "product of 16 steps with h symbolic" in err and "--h" in err
    assert main(["analyze", "gan", "--scheme", "altgd", "--n-d", "3", "--json"]) == 0
    assert "symbolic" not in capsys.readouterr().err


def test_numbers_at_extreme_parameters_agree_with_the_exact_verdict():
    """Kind 3: floating cancellation must not contradict the exact verdict. R1 at gamma =
    1e150 has eigenvalues -gamma/2 -+ sqrt(gamma^2 - 4 f'(0)^2)/2; the slow one is
    -1/(4 gamma) + O(gamma^-3) (mpmath at 400 digits), negative as the verdict says."""
    import mpmath
    a = stabgan.analyze(stabgan.method("r1", gamma="1e150"))
    assert a.locally_convergent is True
    with mpmath.workdps(400):
        g = mpmath.mpf(10) ** 150
        slow = -g / 2 + mpmath.sqrt(g * g - 1) / 2
    assert a.spectral_abscissa < 0
    assert abs(a.spectral_abscissa - float(slow)) <= 1e-12 * abs(float(slow))


def test_a_huge_step_gives_the_radius_not_an_error():
    """SimGD on R1 (gamma = 1, f'(0) = 1/2: a double eigenvalue -1/2) at h = 1e300: the update
    operator I + hJ has the double eigenvalue 1 - h/2, so the radius is h/2 - 1 = 5e299."""
    a = stabgan.analyze(stabgan.method("r1", gamma=1), scheme="simgd", h="1e300")
    assert a.locally_convergent is False
    assert abs(a.spectral_radius - 5e299) <= 1e-12 * 5e299
    r = _cli(["analyze", "r1", "-p", "gamma=1", "--scheme", "simgd", "--h", "1e300", "--json"])
    assert r.returncode == 0, r.stderr
    assert _strict(r.stdout)["spectral_radius"] == pytest.approx(5e299, rel=1e-12)


def test_a_closed_pipe_stops_quietly():
    """``stabgan analyze r1 | head -1``: the reader went away; no error line, status 141 (128 +
    SIGPIPE) as a shell reports for tools stopped by a closed pipe."""
    p = subprocess.Popen([sys.executable, "-m", "stabgan", "analyze", "r1"], env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()
    err = p.stderr.read()
    p.stderr.close()
    assert p.wait(timeout=120) == 141
    assert err == b""


@pytest.mark.parametrize("beta", [0.3, 0.9])
def test_a_double_root_of_the_update_operator_gives_its_radius(beta):
    """SimGD + heavy ball on R1 (gamma = 1: J has the double eigenvalue -1/2) made mpmath's
    Durand-Kerner raise NoConvergence. The radius must equal the eigenvalues of the update
    matrix written by hand: x' = x + hJx + beta u, u' = x' - x, on the state (x, u)."""
    h = 0.1
    a = stabgan.analyze(stabgan.method("r1", gamma=1), scheme="simgd", momentum=beta, h=h)
    J = np.array([[0.0, -0.5], [0.5, -1.0]])
    top = np.hstack([np.eye(2) + h * J, beta * np.eye(2)])
    bottom = np.hstack([h * J, beta * np.eye(2)])
    rho = max(abs(np.linalg.eigvals(np.vstack([top, bottom]))))
    assert a.spectral_radius == pytest.approx(rho, rel=1e-7)  # eigvals at a defective pair


@pytest.mark.parametrize("call, message", [
    (lambda m: stabgan.attractor(m, tol=float("nan")), "The 'tol' option must be a number"),
    (lambda m: stabgan.attractor(m, tol=-1), "The 'tol' option must be a number"),
    (lambda m: stabgan.attractor(m, theta0=np.ones(3)), "must be one number"),
    (lambda m: stabgan.integrate(m, method="Euler"), "The 'method' option of integrate"),
    (lambda m: stabgan.integrate(m, t_eval=[float("nan")]), "The 't_eval' option must be"),
    (lambda m: stabgan.integrate(m, max_crossings=-1), "The 'max_crossings' option"),
    (lambda m: stabgan.analyze(m, scheme="simgd", bogus=1), "Unknown option 'bogus'"),
    (lambda m: stabgan.simulate(m, h=0.1, steps=10, progress=5), "The 'progress' option"),
    (lambda m: stabgan.stability_map(stabgan.method("r1", f="general"), h=[0.1, 0.2]),
     "Numeric work needs a concrete f"),
    (lambda m: stabgan.attractor(stabgan.method("r1", f="general")),
     "Numeric work needs a concrete f"),
])
def test_the_api_validates_what_it_takes(call, message):
    """Found by an adversarial review: each of these leaked a raw TypeError/ValueError or was
    accepted. Each is now an InputError naming the option."""
    with pytest.raises(stabgan.InputError, match=re.escape(message)):
        call(stabgan.method("r1", gamma=1))


def test_cli_edge_cases_found_by_review(tmp_path, capsys):
    """report --json prints its document; a structural name is no map axis; --defaults lets
    an axis win; an empty --out is refused; a closed stdout is one line; a long echoed input
    is cut; map --out respects the umask."""
    out = tmp_path / "rep"
    assert main(["report", "--only", "r1", "--out", str(out), "--json"]) == 0
    assert _strict(capsys.readouterr().out)["status"] == 0
    assert main(["map", "r1", "--scheme", "altgd", "--x", "n_d=1:5:5", "--y", "h=0.1:1:3"]) == 2
    assert "Unknown axis 'n_d'" in capsys.readouterr().err
    assert main(["map", "r1", "--defaults", "--x", "h=0.1:1:3", "--y", "gamma=0:1:3",
                 "--json"]) == 0
    assert _strict(capsys.readouterr().out)["y"]["name"] == "gamma"
    assert main(MAP + ["--out", ""]) == 2
    assert "must name a file" in capsys.readouterr().err
    closed = subprocess.run([sys.executable, "-c", "import os, sys; os.close(1); sys.stdout = "
                             "None; from stabgan._cli import main; sys.exit(main(['methods']))"],
                            capture_output=True, text=True, env=ENV, timeout=120)
    assert closed.returncode == 1 and "cannot write to stdout: it is closed" in closed.stderr
    assert main(["verify", "x" * 100000]) == 2
    assert len(capsys.readouterr().err) < 1100
    umask = os.umask(0o022)
    try:
        assert main(MAP + ["--out", str(tmp_path / "m.png")]) == 0
    finally:
        os.umask(umask)
    assert (tmp_path / "m.png").stat().st_mode & 0o777 == 0o644


def test_sighup_is_a_clean_stop_like_sigterm(r1_out, tmp_path):
    """SIGHUP (a closed terminal) to a report: one line, exit 129, nothing left behind."""
    import shutil
    out = tmp_path / "out"
    shutil.copytree(r1_out, out)
    before = _tree(out)
    proc = subprocess.Popen([sys.executable, "-m", "stabgan", "report", "--out", str(out),
                             "--only", "r1"], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and not (
            _children(proc.pid) and list(out.glob(".stabgan-report-*"))):
        time.sleep(0.02)  # as the SIGTERM test: the figure process is running
    os.kill(proc.pid, signal.SIGHUP)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 129, err
    assert err.strip().splitlines()[-1].startswith("stabgan: terminated (SIGHUP)")
    assert not list(out.glob(".stabgan-report-*")) and _tree(out) == before


@pytest.mark.parametrize("call", [
    lambda: stabgan.integrate(stabgan.method("r1", gamma="1e150"), t_span=(0, 10)),
    lambda: stabgan.integrate(stabgan.method("r1", gamma=1), t_span=(0, 1e300)),
    lambda: stabgan.attractor(stabgan.method("r1", gamma=1), t_max=1e300),
    lambda: stabgan.attractor(stabgan.method("r1", gamma="1e150")),
])
def test_flows_an_explicit_solver_cannot_finish_are_refused_at_once(call):
    """R1 at gamma = 1e150 has an eigenvalue -1e150 (stiff), and a span of 1e300 needs 1e300
    steps: both ran for minutes in silence. Refused before any step, naming the limit."""
    t0 = time.monotonic()
    with pytest.raises(stabgan.InputError, match="would need about .* steps.*the limit is"):
        call()
    assert time.monotonic() - t0 < 30  # generous: the refusal costs a few field evaluations


def test_a_stiff_flow_integrates_with_an_implicit_method():
    """The same R1 at gamma = 1e6 (eigenvalues about -1e6 and -1/(4e6)) with Radau: theta
    decays at the slow rate 1/(4 gamma), checked against exp(-t/(4 gamma)) (to 1e-3)."""
    g = 1e6
    o = stabgan.integrate(stabgan.method("r1", gamma=g), t_span=(0, 2e6), theta0=1e-3,
                          psi0=0.0, method="Radau", t_eval=[2e6])
    assert o.theta[-1] == pytest.approx(1e-3 * np.exp(-2e6 / (4 * g)), rel=1e-3)


@pytest.mark.parametrize("value", [Fraction(10 ** 8000, 3), decimal.Decimal("0." + "7" * 7800)])
def test_exact_values_with_thousands_of_digits_are_refused(value):
    """A Fraction or Decimal of thousands of digits raised Python's int-to-string ValueError;
    it is refused like a long decimal string, with its size, not its digits, in the message."""
    with pytest.raises(stabgan.InputError, match="more than 800 significant digits") as info:
        stabgan.method("r1", gamma=value)
    assert len(str(info.value)) < 300


def test_an_overflowing_field_is_a_result_not_a_warning():
    """f(t) = exp(t) at theta psi = 1e6 overflows: attractor answers, and no NumPy warning
    leaks (pytest turns warnings into errors here)."""
    r = stabgan.attractor(stabgan.method("r1", gamma=1, f="exp(t)"), theta0=1e3, psi0=1e3)
    assert r.kind == "undecided"


def test_simulate_says_which_parameter_values_it_used(capsys):
    """On the command line a parameter left out takes its default in numeric work: say so."""
    assert main(["simulate", "r1", "--scheme", "simgd", "--h", "0.1", "--steps", "10",
                 "--theta0", "1", "--psi0", "1"]) == 0
    assert "parameters: gamma = 1.0 (default)" in capsys.readouterr().out
    args = ["analyze", "gan"] + ["--penalty", "r1"] * 9
    assert main(args) == 2
    assert "At most 8 penalties and adjustments" in capsys.readouterr().err
