"""Catalogue entries written with the public extension API only.

Each entry here is what a user could write with :func:`stabgan.custom_method`,
:func:`stabgan.penalty` and ``Method + penalty``; only its catalogue id, citation and
convention are set on the result. That the package's own entries go through the API is the
API's first test: anything it cannot express shows up here.

* ``hinge`` (Lim and Ye 2017; Miyato et al. 2018): a custom method with ``max`` in its losses.
* ``lecam`` (Tseng et al. 2021): ``gan + penalty("lecam")``.
* ``r3gan`` (Huang et al. 2024): ``rsgan + penalty("r1") + penalty("r2", share="gamma")``.
"""
from __future__ import annotations

from dataclasses import replace

from .catalogue import Citation, MethodSpec, register
from .custom import custom_method
from .method import method
from .penalties import penalty

__all__ = ["HINGE", "LECAM", "R3GAN", "CONTRIBUTED"]

#: The hinge loss. The papers' D~(x) is a logit for REAL, so D~ = -D_psi (as for rsgan).
HINGE: MethodSpec = replace(
    custom_method(
        "hinge",
        # the discriminator minimizes E[max(0, 1 - D~(x_r))] + E[max(0, 1 + D~(G(z)))]
        loss_d="-max(0, 1 + D(0)) - max(0, 1 - D(theta))",
        # the generator minimizes -E[D~(G(z))]
        loss_g="D(theta)",
        f="none",
        summary="hinge loss: D ascends -max(0, 1 + D(0)) - max(0, 1 - D(theta)), G descends "
                "D(theta)"),
    citation=Citation("Lim, Ye", 2017, "Geometric GAN", "arXiv preprint", "1705.02894"),
    convention="Lim and Ye's (and Miyato et al.'s) D~(x) is a logit for REAL: D~ = -D_psi. The "
               "discriminator minimizes E[max(0, 1 - D~(x_r))] + E[max(0, 1 + D~(G(z)))], the "
               "generator minimizes -E[D~(G(z))]. The field is (-psi, theta H(1 - theta psi)): "
               "non-smooth on the hyperbola theta psi = 1.",
    conversions=("Miyato et al. 2018 (SN-GAN, arXiv 1802.05957) use the same hinge loss.",))

#: LeCam regularization on the unregularized GAN.
LECAM: MethodSpec = replace(
    (method("gan") + penalty("lecam")).spec,
    id="lecam",
    summary="LeCam: lam (|D~(0) - alpha_f|^2 + |D~(theta) - alpha_r|^2) on the discriminator",
    citation=Citation("Tseng, Jiang, Liu, Yang, Yang", 2021, "Regularizing Generative "
                      "Adversarial Networks under Limited Data", "CVPR 2021", "2104.03310"),
    convention="Mescheder et al.'s objective (sigmoid(D_psi(x)) is the probability that x is "
               "FAKE) plus Tseng et al.'s R_LC = E|D~(x_r) - alpha_f|^2 + E|D~(G(z)) - alpha_r|^2, "
               "D~ = -D_psi, the anchors exponential moving averages held constant in the "
               "gradient. On the Dirac-GAN D~(x_r) = 0 for every psi, so alpha_r (started at 0) "
               "is 0 at every step and the alpha_f term has no psi: alpha_r = 0 is exact.",
    conversions=("Tseng et al.'s lambda is lam (no 1/2).",))

#: R3GAN's loss: the relativistic pairing GAN with R1 and R2 of one weight gamma.
R3GAN: MethodSpec = replace(
    (method("rsgan") + penalty("r1") + penalty("r2", share="gamma")).spec,
    id="r3gan",
    summary="R3GAN: relativistic pairing loss + gamma/2 R1 + gamma/2 R2 (one gamma)",
    citation=Citation("Huang, Gokaslan, Kuleshov, Tompkin", 2024, "The GAN is dead; long live "
                      "the GAN! A Modern GAN Baseline", "NeurIPS 2024", "2501.05441"),
    convention="rsgan's convention (C = -D_psi is a logit for REAL; RpGAN on one real and one "
               "fake point is RSGAN) with R1 = gamma/2 |grad_x D|^2 at the data and R2 the same "
               "at the generated point. On the Dirac-GAN grad_x D = psi at every x, so R1 + R2 "
               "is R1 with weight 2 gamma.",
    conversions=("Huang et al.'s gamma is the same gamma: L + gamma/2 R1 + gamma/2 R2.",))

#: The entries, in catalogue order.
CONTRIBUTED: tuple[MethodSpec, ...] = tuple(register(s) for s in (HINGE, LECAM, R3GAN))
