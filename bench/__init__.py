"""Benchmarks: the product measured against baselines run in the same process, on the same machine.

`python -m bench` (or `make bench`) runs them all; `--tiny` runs each on a tiny size, which is
what the test suite does to check that every benchmark still runs. Each benchmark is a module
of this package with a `run(scale)` function that yields `Result`s, and an `ORDER` number.
"""
