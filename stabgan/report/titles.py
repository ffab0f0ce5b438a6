"""Section titles of the documents: the method's name in words (no formula), for headings."""
from __future__ import annotations

import re

from .prose import tex_text

__all__ = ["TITLES", "title", "title_tex"]

#: A short title per catalogue id (headings carry no math; the summary follows as a sentence).
TITLES = {
    "gan": "unregularized minimax GAN", "nsgan": "non-saturating GAN", "wgan": "WGAN with "
    "weight clipping", "wgan-gp": "WGAN-GP", "dragan": "DRAGAN", "instance-noise": "instance "
    "noise", "r1": "R1 gradient penalty", "r2": "R2 gradient penalty", "consensus": "consensus "
    "optimization", "nk": "Nagarajan-Kolter gradient penalty", "roth": "Roth et al. JS "
    "regularizer", "rsgan": "relativistic standard GAN", "rasgan": "relativistic average "
    "standard GAN", "lsgan": "least squares GAN", "bilinear": "the bilinear game",
    "hinge": "hinge loss", "lecam": "LeCam regularization", "r3gan": "R3GAN",
}


def title(spec) -> str:
    """The title in words: the table's, else the summary up to its first formula or colon."""
    if spec.id in TITLES:
        return TITLES[spec.id]
    words = []
    for w in re.split(r"\s+", spec.summary.split(":")[0]):
        if re.search(r"[\^_=*/|<>+~{}()\[\]]", w):
            break
        words.append(w)
    return " ".join(words).rstrip(",;") or spec.id


def title_tex(spec) -> str:
    """:func:`title` escaped for LaTeX."""
    return tex_text(title(spec))
