"""SymPy -> NumPy, the only place: lambdified functions, generated in-place kernels, the noise
quadrature and the grouped field evaluator. Knows expressions, never a method (layer 2)."""
