"""Benchmarks against raw PostgreSQL (run by hand: `python -m bench.<name>`); see bench/common.py."""
