"""The numbers: the vectorized simulator of the discrete schemes and the ODE integrator of the
flow, with attractors. Never imports :mod:`stabgan.analysis`, so each checks the other (layer 5)."""
