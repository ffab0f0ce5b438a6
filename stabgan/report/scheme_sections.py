"""The scheme sections of the LaTeX document: which schemes, with which options and update
rules, and which stability-region figure each shows (data only, shared by the document's
text and the figures, so neither imports the other for it)."""
from __future__ import annotations

__all__ = ["SCHEME_SECTIONS", "REGION"]

#: The schemes of the LaTeX document's scheme sections: (title, scheme, options, update rule).
SCHEME_SECTIONS = (
    ("SimGD", "simgd", {}, r"x_{k+1} = x_k + H v(x_k),\quad H = \operatorname{diag}(h_g, h_d)"),
    ("AltGD", "altgd", {}, r"\theta_{k+1} = \theta_k + h_g v_\theta(\theta_k, \psi_k),\quad "
     r"\psi_{k+1} = \psi_k + h_d v_\psi(\theta_{k+1}, \psi_k)"),
    ("Extragradient (Korpelevich 1976; Gidel et al. 2019)", "extragradient", {},
     r"y_k = x_k + h_e v(x_k),\quad x_{k+1} = x_k + h\, v(y_k),\quad h_e = h"),
    ("Optimistic gradient (Daskalakis et al. 2018)", "ogda", {},
     r"x_{k+1} = x_k + 2h\, v(x_k) - h\, v(x_{k-1})"),
    (r"Simultaneous heavy ball, $\beta = -1/2$ (Gidel et al. 2019)", "simgd",
     {"momentum": "-1/2"}, r"x_{k+1} = x_k + h\, v(x_k) + \beta (x_k - x_{k-1})"),
    (r"Alternating heavy ball, $\beta = -1/2$ (Gidel et al. 2019)", "altgd",
     {"momentum": "-1/2"}, r"\theta_{k+1} = \theta_k + h v_\theta(\theta_k, \psi_k) + \beta"
     r"(\theta_k - \theta_{k-1}),\ \psi_{k+1} = \psi_k + h v_\psi(\theta_{k+1}, \psi_k) + "
     r"\beta (\psi_k - \psi_{k-1})"),
    (r"Lookahead over SimGD, $k = 5$, $\alpha = 1/2$ (Chavdarova et al. 2021)", "lookahead", {},
     r"s \leftarrow x;\ 5 \text{ SimGD steps from } x;\ x \leftarrow s + \alpha (x - s)"),
    ("Lazy R1 under SimGD, every 4th step (Karras et al. 2020)", "simgd", {"lazy_every": 4},
     r"\gamma_k = 4\gamma \text{ if } k \equiv 3 \pmod 4, \text{ else } 0;\quad "
     r"x_{k+1} = x_k + h\, v_{\gamma_k}(x_k)"),
)


#: The stability-region figure (a key of plots.SCHEME_FIGURES) of each scheme section.
REGION = dict(zip([t for t, *_ in SCHEME_SECTIONS],
                   ["simgd", "altgd", "extragradient", "ogda", "momentum-simgd",
                    "momentum-altgd", "lookahead", "lazy"]))
