"""How it is trained: the discrete schemes as data, their update rules in one place, and the
update Jacobian as the same rule run on v(x) = Jx (layer 4)."""
