"""stabgan map: the stability map from the command line (JSON and PNG), and its bad input."""
import json

import numpy as np
import pytest

from stabgan._cli import main


def test_map_json_matches_hand_derived_boundary(capsys):
    """R1, SimGD, logistic f: converges iff h < 4 gamma for gamma <= 1 (hand: |1 + h lambda|
    < 1 with |lambda|^2 = 1/4, Re lambda = -gamma/2)."""
    assert main(["map", "r1", "--x", "gamma=0.2:0.8:4", "--y", "h=0.1:3.3:5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    gammas, hs = np.array(doc["x"]["values"]), np.array(doc["y"]["values"])
    stable = np.array(doc["locally_convergent"])
    assert stable.shape == (4, 5)
    assert np.array_equal(stable, hs[None, :] < 4 * gammas[:, None])


def test_map_png_is_written_whole(tmp_path, capsys):
    out = tmp_path / "map.png"
    assert main(["map", "r1", "--scheme", "altgd", "--n-d", "5", "--x", "gamma=0:3:40",
                 "--y", "h=0.01:4:30", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]
    assert "map written" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--x", "gamma=0:3", "--y", "h=0.1:2:3"], "NAME=LO:HI:N"),
    (["--x", "gamma=0:3:1", "--y", "h=0.1:2:3"], r"integer in \[2, 4000\]"),
    (["--x", "gamma=3:0:5", "--y", "h=0.1:2:3"], "HI > LO"),
    (["--x", "sigma=0:3:5", "--y", "h=0.1:2:3"], "Unknown axis 'sigma'"),
    (["--x", "gamma=-1:3:5", "--y", "h=0.1:2:3"], r"must lie in \[0, inf\)"),
    (["--x", "gamma=0:3:5", "--y", "gamma=0.1:2:3"], "must differ"),
    (["--x", "gamma=0:3:5", "--y", "h=0:2:3"], r"step sizes in \(0, inf\)"),
])
def test_map_bad_input(argv, message, capsys, tmp_path):
    import re
    assert main(["map", "r1", *argv, "--out", str(tmp_path / "m.png")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and re.search(message, err), err
    assert list(tmp_path.iterdir()) == []


def test_map_of_a_jumping_field_is_refused(capsys):
    assert main(["map", "wgan-gp", "--x", "gamma=0.1:3:3", "--y", "h=0.1:2:3"]) == 2
    assert "jumps at psi = 0" in capsys.readouterr().err
