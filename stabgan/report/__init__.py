"""The documents and figures of ``stabgan report`` (layer 7)."""
