"""Kernel tests: kernels and bandwidths, MMD statistics and tests."""
