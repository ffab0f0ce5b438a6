"""The lemma suite: every registered statement passes both checks, there are at least 40
distinct ones, and deliberately wrong variants FAIL (a check that cannot fail proves nothing)."""
import json

import pytest

import stabgan
from stabgan._cli import main
from stabgan.lemmas import global_dynamics
from stabgan.lemmas.checks import Custom
from stabgan.lemmas.extensions import _ema_spectrum, _ttur_symbolic, _unrolled_jacobian
from stabgan.lemmas.published import _fake_only_spec, _noise_r1_equivalence
from stabgan.lemmas import (AttractorIs, Conserved, CriticalIs, EigenvaluesAre, FieldsEqual,
                            NumericJacobianEigenvalues, OdeConserves, Ref, Statement,
                            StepBoundIs, register, statements, unregister, verify)


@pytest.fixture(scope="module")
def results():
    return verify()


def test_every_statement_passes_both_checks(results):
    failed = [(r.id, r.symbolic, r.numeric) for r in results if not r.passed]
    assert not failed


def test_at_least_forty_distinct_statements_with_sources(results):
    ids = [r.id for r in results]
    assert len(set(ids)) == len(ids) >= 40
    for r in results:
        assert r.source and r.statement and r.symbolic["detail"] and r.numeric["detail"]


WRONG = {
    "flipped sign (R1 eigenvalues with +gamma/2)": EigenvaluesAre(
        Ref.of("r1", f="general"), ("gamma/2 - sqrt(gamma**2/4 - fp0**2)",
                                    "gamma/2 + sqrt(gamma**2/4 - fp0**2)")),
    "missing factor 2 (critical gamma = |f'(0)|)": CriticalIs(
        Ref.of("r1", f="general"), "gamma", "Abs(fp0)"),
    "missing sqrt (Lemma 2.5 with alpha = n_g n_d h |f'(0)|)": StepBoundIs(
        Ref.of("gan"), "altgd", "h_marginal", "4/5", (("n_d", 5),)),
    "RaSGAN equal to RSGAN (factor 2 dropped)": FieldsEqual(
        Ref.of("rasgan", f="general"), Ref.of("rsgan", f="general"), "1"),
    "non-saturating logistic GAN conserves the norm": Conserved(
        Ref.of("nsgan"), "theta**2 + psi**2"),
    "numeric: R1 eigenvalues with the wrong sign of the damping": NumericJacobianEigenvalues(
        Ref.of("r1", gamma=0.3), ("3/20 - sqrt(91)*I/20", "3/20 + sqrt(91)*I/20")),
    "numeric: R1 conserves the norm": OdeConserves(Ref.of("r1", gamma=0.3), T=20.0),
    "numeric: WGAN-GP gamma = 0.7 converges to the Nash point": AttractorIs(
        Ref.of("wgan-gp", gamma=0.7, g0=1), ((0.0, 1e-6),), ("equilibrium",)),
    "SGA's sign flipped (A instead of A^T)": EigenvaluesAre(
        Ref.of("gan", f="general").plus("adjustment", "sga"),
        ("lam*fp0**2 - I*fp0", "lam*fp0**2 + I*fp0")),
    "unrolling without differentiating through the steps (half the damping)":
        _unrolled_jacobian(3, factor=1),
    "LeCam damps like R1 with gamma = 2 lam": EigenvaluesAre(
        Ref.of("lecam", f="general", alpha_r=0),
        ("-lam - sqrt(lam**2 - fp0**2)", "-lam + sqrt(lam**2 - fp0**2)")),
    "R3GAN's R2 adds nothing (eigenvalues of R1 at gamma)": EigenvaluesAre(
        Ref.of("r3gan", f="general"),
        ("-gamma/2 - sqrt(gamma**2/4 - fp0**2)", "-gamma/2 + sqrt(gamma**2/4 - fp0**2)")),
    "numeric: the hinge's outer orbits stay on their circles": AttractorIs(
        Ref.of("hinge"), ((2.0, 1.5),), ("none",)),
    "EMA adds beta once (one player averaged)": Custom(lambda: _ema_spectrum(times=1)),
    "TTUR: the discriminator's cap does not depend on h_g": Custom(
        lambda: _ttur_symbolic(h_g_in_second=False)),
    "WGAN-GP's non-Nash points attract from gamma = 1 (discriminant gamma^2 - 1)":
        global_dynamics.onset_is(Ref.of("wgan-gp", g0=1), "gamma", "1"),
    "numeric: the hinge's basin boundary at r = 3/2 instead of sqrt(2)":
        global_dynamics.hinge_basin_split("3/2"),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_variants_fail(name):
    passed, detail = WRONG[name]()
    assert passed is False, detail
    assert detail


@pytest.mark.parametrize("which", ["symbolic", "numeric"])
def test_noise_on_one_side_only_fails_the_full_equivalence(which):
    """Noise on fake samples only does NOT have the Jacobian of R1 with gamma = -2 f''(0)
    sigma^2 (it has half the damping): the equivalence check must fail for it."""
    sym, num = _noise_r1_equivalence(_fake_only_spec(), "1")
    passed, _ = (sym if which == "symbolic" else num)()
    assert passed is False


def test_user_can_register_and_verify_a_statement():
    s = Statement(
        id="test-user-r1-critical", statement=r"$\gamma_c = 1$ for R1 with the logistic f",
        source="test", symbolic=CriticalIs(Ref.of("r1"), "gamma", "1"),
        numeric=NumericJacobianEigenvalues(Ref.of("r1", gamma=1), ("-1/2", "-1/2"), tol=1e-4))
    register(s)
    try:
        assert s in statements()
        (r,) = verify(["test-user-r1-critical"])
        assert r.passed, (r.symbolic, r.numeric)
        with pytest.raises(ValueError, match="already registered"):
            register(s)
    finally:
        unregister("test-user-r1-critical")


def test_cli_verify_json_and_exit_status(capsys):
    assert main(["verify", "mgn18-lemma-2.3", "--json"]) == 0
    (doc,) = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"id", "statement", "source", "symbolic", "numeric", "passed"}
    bad = Statement("test-wrong", "wrong", "test", WRONG["missing factor 2 (critical gamma = |f'(0)|)"],
                    WRONG["numeric: R1 conserves the norm"])
    register(bad)
    try:
        assert main(["verify", "test-wrong"]) == 1
        out = capsys.readouterr().out
        assert "FAIL" in out and "0 passed, 1 failed" in out
    finally:
        unregister("test-wrong")


def test_cli_verify_list(capsys):
    assert main(["verify", "--list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc) >= 40 and all({"id", "statement", "source"} <= set(d) for d in doc)


def test_unknown_statement_is_a_one_line_error(capsys):
    assert main(["verify", "no-such-statement"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1


def test_api_verify_matches_stabgan_verify():
    (r,) = stabgan.verify(["jm18-rsgan-is-nsgan"])
    assert r.passed and r.id == "jm18-rsgan-is-nsgan"
