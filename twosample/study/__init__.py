"""Studying tests: scenarios, level and power, the registry of tests."""
