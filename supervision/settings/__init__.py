"""Settings family: base (shared, read from the environment), dev (embedded default), test, production."""
