"""The core: the result type, argument checks, the permutation engine, the test declaration,
the array backend, progress bars and torch helpers."""
