"""The closed form: criteria (Routh-Hurwitz, Schur-Cohn), continuous and discrete spectra,
:func:`analyze`, stability maps. Never imports :mod:`stabgan.oracles` (layer 5)."""
