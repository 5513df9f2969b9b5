"""Parley's benchmark harness: `python -m bench` (docs/benchmarks.md)."""
