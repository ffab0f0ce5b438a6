"""Global dynamics: basins of attraction and bifurcation diagrams, built on the oracles
(the vectorized simulator, the ODE attractor finder) and checked against the closed-form
analysis (h_max, the one-sided equilibria of a field that jumps at psi = 0)."""
