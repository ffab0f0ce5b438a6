"""The command line: bad input gets one line on stderr and exit status 2 (issue 3, section 4),
and the JSON output equals ``Analysis.to_dict()`` (a consistency check, not independent
evidence)."""
import json
import os
import subprocess
import sys

import pytest

import stabgan
from stabgan._cli import main

BAD = [
    (["analyze", "nosuchmethod"], "Unknown method 'nosuchmethod'"),
    (["analyze", "rl"], "Did you mean .*'r1'"),
    (["analyze", "r1", "-p", "gama=1"], "accepted parameters are gamma"),
    (["analyze", "r1", "-p", "gamma=-0.3"], r"'gamma' parameter of method 'r1' must be a number in \[0, inf\). Got '-0.3'"),
    (["analyze", "instance-noise", "-p", "sigma=0"], r"'sigma' .* \(0, inf\). Got '0'"),
    (["analyze", "wgan", "-p", "c=0"], r"'c' parameter of method 'wgan' must be a number in \(0, inf\)"),
    (["analyze", "nk", "-p", "eta=-1"], r"'eta' .* \[0, inf\)"),
    (["analyze", "r1", "-p", "gamma=abc"], "Got 'abc' instead"),
    (["analyze", "r1", "-p", "gamma=nan"], "Got 'nan' instead"),
    (["analyze", "r1", "-p", "gamma=inf"], "Got 'inf' instead"),
    (["analyze", "r1", "-p", "gamma=1e400"], "overflows a float"),
    (["analyze", "r1", "-p", "gamma"], "'gamma' has no value"),
    (["analyze", "r1", "-p", "gamma="], "'gamma' parameter has no value"),
    (["analyze", "r1", "--scheme", "leapfrog"], "'scheme' option must be one of"),
    (["analyze", "gan", "--f", "t +"], "does not parse"),
    (["analyze", "gan", "--f", "__import__('os').system('touch pwned')"], "not allowed"),
    (["analyze", "gan", "--f", "t.__class__"], "not allowed"),
    (["analyze", "gan", "--f", "open('x')"], "'open' is not allowed"),
    (["analyze", "gan", "--f", "t**2"], r"f'\(0\) != 0"),
    (["analyze", "gan", "--f", "log(t)"], "smooth at t = 0"),
    (["analyze", "wgan", "--f", "t"], "has f\\(t\\) = t built in"),
    (["analyze", "r1", "--generator", "greedy"], "'generator' option"),
    (["analyze"], "required"),
    (["frobnicate"], "invalid choice"),
]


@pytest.mark.parametrize("argv, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_on_stderr_with_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv + ["--json"] if argv and argv[0] == "analyze" and len(argv) > 1 else argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    import re
    assert re.search(message, err), err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_injection_is_never_run(tmp_path):
    """`--f` text is parsed, never evaluated: the payload would create a file."""
    marker = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {marker}')"
    proc = subprocess.run([sys.executable, "-m", "stabgan", "analyze", "gan", "--f", payload],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert not marker.exists()


def test_json_equals_to_dict(capsys):
    """Consistency check: the CLI prints exactly Analysis.to_dict()."""
    assert main(["analyze", "r1", "-p", "gamma=0.3", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = stabgan.analyze(stabgan.method("r1", gamma="3/10")).to_dict()
    assert printed == json.loads(json.dumps(expected))


def test_decimal_parameter_is_exact(capsys):
    """-p gamma=0.3 means exactly 3/10."""
    assert main(["analyze", "r1", "-p", "gamma=0.3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["params"] == {"gamma": "3/10"}
    assert doc["jacobian"]["sympy"] == [["0", "-1/2"], ["1/2", "-3/10"]]


def test_methods_json_lists_all_ids(capsys):
    assert main(["methods", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ids = [spec.id for spec in stabgan.methods()]
    assert len(set(ids)) == len(ids) > 0
    assert sorted(e["id"] for e in doc) == sorted(ids)
    for entry in doc:
        assert entry["citation"]["arxiv"] and entry["convention"]


@pytest.mark.parametrize("f", ["logistic", "general", "t - t**3/3"])
def test_analyze_every_f_prints_json(f, capsys):
    assert main(["analyze", "r1", "--f", f, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["f"] in (f, "-t**3/3 + t")


def test_human_output_states_the_verdict(capsys):
    assert main(["analyze", "gan"]) == 0
    out = capsys.readouterr().out
    assert "not locally convergent" in out and "conserved" in out


def test_python_dash_m_and_console_script():
    proc = subprocess.run([sys.executable, "-m", "stabgan", "methods", "--json"],
                          capture_output=True, text=True, env={**os.environ})
    assert proc.returncode == 0
    assert [e["id"] for e in json.loads(proc.stdout)] == [s.id for s in stabgan.methods()]


def test_penalties_on_the_command_line(capsys):
    """--penalty ID:NAME=VALUE composes like the API; -p sets a renamed parameter by its new
    name; a bad penalty is one line with status 2."""
    import stabgan
    assert main(["analyze", "rsgan", "--penalty", "r1:gamma=1", "--penalty", "r2",
                 "-p", "gamma_r2=0.5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    m = (stabgan.method("rsgan") + stabgan.penalty("r1", gamma=1)
         + stabgan.penalty("r2", gamma="0.5"))
    assert doc == stabgan.analyze(m).to_dict()
    assert doc["method"] == "rsgan+r1+r2" and doc["params"] == {"gamma": "1", "gamma_r2": "1/2"}
    for bad, message in ((["--penalty", "r9"], "The penalty id must be one of"),
                         (["--penalty", "r1:gamma"], "The '--penalty' option takes ID"),
                         (["--penalty", "r1:beta=2"], "Unknown parameter 'beta' for penalty")):
        assert main(["analyze", "gan", *bad]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1


def test_adjustments_on_the_command_line(capsys):
    import stabgan
    assert main(["analyze", "gan", "--penalty", "r1:gamma=0.5", "--adjustment", "sga:lam=1",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    m = stabgan.method("gan") + stabgan.penalty("r1", gamma=0.5) + stabgan.adjustment("sga",
                                                                                      lam=1)
    assert doc == stabgan.analyze(m).to_dict() and doc["method"] == "gan+r1+sga"
    assert main(["analyze", "gan", "--adjustment", "unrolled:steps=11"]) == 2
    assert "must be an integer in [1, 10]" in capsys.readouterr().err
