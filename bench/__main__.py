"""Run the benchmarks: `python -m bench [--tiny] [NAME ...]`.

Each figure is printed on one line, `bench NAME: ratio R (goal >= G) -- details`, as soon as it
is measured. The exit status is 0 whatever the timings say: benchmarks never fail a build by their
speed, only by not running.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import platform
import sys
import time
import traceback

import bench
from bench.harness import Scale

NOT_BENCHMARKS = {"harness", "workload"}


def benchmark_modules() -> dict:
    modules = {}
    for info in pkgutil.iter_modules(bench.__path__):
        if info.name.startswith("_") or info.name in NOT_BENCHMARKS:
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if hasattr(module, "run"):
            modules[info.name] = module
    return dict(sorted(modules.items(), key=lambda item: (getattr(item[1], "ORDER", 99), item[0])))


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    modules = benchmark_modules()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all): {', '.join(modules)}")
    parser.add_argument("--tiny", action="store_true", help="a tiny size: checks that each benchmark runs")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(modules)
    if unknown:
        parser.error(f"no such benchmark: {', '.join(sorted(unknown))}")
    logging.disable(logging.INFO)  # the jobs' one-line logs would drown the figures
    scale = Scale(tiny=args.tiny)
    print(f"# machine: {machine_description()}", flush=True)
    broken = []
    for name in args.names or modules:
        started = time.perf_counter()
        try:
            for result in modules[name].run(scale):
                print(result.line(), flush=True)
        except Exception:
            broken.append(name)
            traceback.print_exc()
            print(f"# {name}: did not run", flush=True)
        print(f"# {name}: {time.perf_counter() - started:.1f} s", flush=True)
    if broken:
        print(f"# broken: {', '.join(broken)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
