"""What is trained: the catalogue of methods as data, the f parser, the derived field and its
jumps, :class:`Method` and :func:`method` (layer 3)."""
