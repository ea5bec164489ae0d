"""Every benchmark still runs: each at its tiny size, in its own process, printing readable figures.

Their timings are not judged here (that is `make bench`'s job, outside the suite); that they run,
and that each figure has the form a script reads, is.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import benchmark_modules

PROJECT = Path(__file__).resolve().parent.parent
FIGURE = re.compile(r"^bench (?P<name>[a-z0-9_]+): ratio (?P<ratio>\d+\.\d+) \(goal (?:>=|<=) \d+(?:\.\d+)?\) -- \S.*$")


@pytest.mark.parametrize("name", list(benchmark_modules()))
def test_the_benchmark_runs_at_its_tiny_size(name):
    finished = subprocess.run([sys.executable, "-m", "bench", "--tiny", name], cwd=PROJECT, capture_output=True,
                              text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(PROJECT)})

    assert finished.returncode == 0, finished.stdout + finished.stderr
    figures = [line for line in finished.stdout.splitlines() if line.startswith("bench ")]
    assert figures, finished.stdout
    for line in figures:
        assert FIGURE.match(line), line


def test_an_unknown_benchmark_is_refused():
    finished = subprocess.run([sys.executable, "-m", "bench", "--tiny", "no_such_benchmark"], cwd=PROJECT,
                              capture_output=True, text=True, timeout=60)

    assert finished.returncode == 2
    assert "no such benchmark: no_such_benchmark" in finished.stderr
