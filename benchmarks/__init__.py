"""Benchmarks, each run from the repository root as `python -m benchmarks.bench_NAME` (BENCHMARKS.md)."""
