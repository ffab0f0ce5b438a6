"""The bibliography: every source the catalogue and the lemma suite cite, as :class:`Citation`.

The catalogue's entries carry their own citation; the lemma suite names its sources in the
free text of each statement's ``source`` ("Gidel et al., AISTATS 2019 (h_max derived)").
:data:`LEMMA_SOURCES` lists the works those texts name that no catalogue entry cites, and
:data:`SOURCE_PATTERNS` maps the way a source text names a work to its key, so that
:func:`cited_keys` turns a source text into the keys the documents cite. Only what the works
themselves print is recorded (authors' surnames, title, venue, year, arXiv id where the work
has one); a field that is not known is left out.
"""
from __future__ import annotations

import re

from .catalogue import Citation, methods

__all__ = ["LEMMA_SOURCES", "SOURCE_PATTERNS", "bibliography", "cited_keys", "bibtex"]

#: Works the lemma suite cites that no catalogue entry cites.
LEMMA_SOURCES: tuple[Citation, ...] = (
    Citation("Korpelevich", 1976, "The extragradient method for finding saddle points and other "
             "problems", "", "", journal="Ekonomika i Matematicheskie Metody", volume="12",
             pages="747-756"),
    Citation("Gidel, Berard, Vignoud, Vincent, Lacoste-Julien", 2019, "A Variational Inequality "
             "Perspective on Generative Adversarial Networks", "ICLR 2019", "1802.10551"),
    Citation("Daskalakis, Ilyas, Syrgkanis, Zeng", 2018, "Training GANs with Optimism",
             "ICLR 2018", "1711.00141"),
    Citation("Gidel, Askari Hemmat, Pezeshki, Le Priol, Huang, Lacoste-Julien, Mitliagkas", 2019,
             "Negative Momentum for Improved Game Dynamics", "AISTATS 2019", "1807.04740"),
    Citation("Chavdarova, Pagliardini, Stich, Fleuret, Jaggi", 2021, "Taming GANs with "
             "Lookahead-Minmax", "ICLR 2021", "2006.14567"),
    Citation("Karras, Laine, Aittala, Hellsten, Lehtinen, Aila", 2020, "Analyzing and Improving "
             "the Image Quality of StyleGAN", "CVPR 2020", "1912.04958"),
    Citation("Miyato, Kataoka, Koyama, Yoshida", 2018, "Spectral Normalization for Generative "
             "Adversarial Networks", "ICLR 2018", "1802.05957"),
    Citation("Balduzzi, Racanière, Martens, Foerster, Tuyls, Graepel", 2018, "The Mechanics of "
             "n-Player Differentiable Games", "ICML 2018", "1802.05642"),
    Citation("Metz, Poole, Pfau, Sohl-Dickstein", 2017, "Unrolled Generative Adversarial "
             "Networks", "ICLR 2017", "1611.02163"),
    Citation("Yazici, Foo, Winkler, Yap, Piliouras, Chandrasekhar", 2019, "The Unusual "
             "Effectiveness of Averaging in GAN Training", "ICLR 2019", "1806.04498"),
    Citation("Heusel, Ramsauer, Unterthiner, Nessler, Hochreiter", 2017, "GANs Trained by a Two "
             "Time-Scale Update Rule Converge to a Local Nash Equilibrium", "NIPS 2017",
             "1706.08500"),
)

#: (regular expression over a lemma's source text, BibTeX key of the work it names).
SOURCE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"Mescheder, Geiger, Nowozin 2018|Mescheder et al\.? 2018", "mescheder2018which"),
    (r"Mescheder, Nowozin, Geiger 2017", "mescheder2017numerics"),
    (r"Nagarajan, Kolter 2017", "nagarajan2017gradient"),
    (r"Roth et al\.? 2017", "roth2017stabilizing"),
    (r"Jolicoeur-Martineau 2018", "jolicoeurmartineau2018relativistic"),
    (r"[Ll]ecture notes", "gantraining"),
    (r"Korpelevich 1976", "korpelevich1976extragradient"),
    (r"Gidel, Berard|Gidel et al\.? ICLR 2019", "gidel2019variational"),
    (r"Daskalakis, Ilyas", "daskalakis2018training"),
    (r"Gidel et al\.?, AISTATS 2019", "gidel2019negative"),
    (r"Chavdarova", "chavdarova2021taming"),
    (r"Karras et al\.?, CVPR 2020", "karras2020analyzing"),
    (r"Lim and Ye 2017", "lim2017geometric"),
    (r"Miyato et al\.? 2018", "miyato2018spectral"),
    (r"Tseng et al\.? CVPR 2021", "tseng2021regularizing"),
    (r"Huang, Gokaslan|Huang et al\.? 2024", "huang2024gan"),
    (r"Balduzzi", "balduzzi2018mechanics"),
    (r"Metz, Poole", "metz2017unrolled"),
    (r"Yazici et al\.?, ICLR 2019", "yazici2019unusual"),
    (r"Heusel et al\.?, NeurIPS 2017", "heusel2017gans"),
)


def bibliography() -> dict[str, Citation]:
    """Every cited work by BibTeX key: the catalogue's sources, then the lemma suite's."""
    out: dict[str, Citation] = {}
    for c in [spec.citation for spec in methods()] + list(LEMMA_SOURCES):
        out.setdefault(c.key, c)
    return out


def cited_keys(source: str) -> list[str]:
    """The keys of the works a lemma's source text names, in the order they appear."""
    found = []
    for pattern, key in SOURCE_PATTERNS:
        match = re.search(pattern, source)
        if match:
            found.append((match.start(), key))
    return [key for _, key in sorted(found)]


def bibtex() -> str:
    """derivations/stabgan.bib: one entry per cited work, sorted by key."""
    works = bibliography()
    return "\n".join(works[k].bibtex() for k in sorted(works))
