"""What every benchmark shares: the scale, timing, the result line, throwaway databases and apps."""
from __future__ import annotations

import contextlib
import os
import resource
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis

POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_BASE_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")


@dataclass(frozen=True)
class Scale:
    """Full size for measuring, tiny size for checking that a benchmark runs at all."""

    tiny: bool = False

    def pick(self, full, tiny):
        return tiny if self.tiny else full

    @property
    def repeat(self) -> int:
        return self.pick(5, 1)


@dataclass(frozen=True)
class Result:
    """One figure. `ratio` is ours against the baseline; `goal` bounds it from below (>=) or above (<=)."""

    name: str
    ratio: float
    goal: float
    bound: str  # ">=" or "<="
    details: str

    def line(self) -> str:
        return f"bench {self.name}: ratio {self.ratio:.3f} (goal {self.bound} {self.goal:g}) -- {self.details}"


def at_least(name: str, ratio: float, goal: float, details: str) -> Result:
    return Result(name, ratio, goal, ">=", details)


def at_most(name: str, ratio: float, goal: float, details: str) -> Result:
    return Result(name, ratio, goal, "<=", details)


def median_seconds(work: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None) -> float:
    """The median wall time of `work` over `repeat` runs, each after an untimed `setup`."""
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(works: dict[str, Callable[[], object]], repeat: int,
                        setup: Callable[[], object] | None = None) -> dict[str, float]:
    """Median seconds of each of several workloads, run in turns so that drift hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(repeat):
        for name, work in works.items():
            if setup is not None:
                setup()
            start = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def peak_rss_mib(pid: int | None = None) -> float:
    """Peak resident memory of a process (VmHWM), or of this one, in MiB."""
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@contextlib.contextmanager
def postgres_database(prefix: str = "awards_bench") -> Iterator[str]:
    """A new, empty PostgreSQL database (a plain postgresql:// URL), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def redis_database() -> Iterator[str]:
    """A Redis database number of our own (claimed with a lock key), flushed before and after."""
    admin = redis.Redis.from_url(REDIS_BASE_URL + "/0", socket_connect_timeout=2)
    token = uuid.uuid4().hex
    for number in range(1, 16):
        lock = f"awards-test-lock:{number}"
        if admin.set(lock, token, nx=True, ex=3600):
            url = f"{REDIS_BASE_URL}/{number}"
            redis.Redis.from_url(url).flushdb()
            try:
                yield url
            finally:
                redis.Redis.from_url(url).flushdb()
                if admin.get(lock) == token.encode():
                    admin.delete(lock)
            return
    raise RuntimeError("no free Redis database number")


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="awards-bench-") as path:
        yield Path(path)


# Strong keys made for each run, as production demands (its servers and workers run as production):
# the history chains are signed with HISTORY_KEY, ours and the raw baseline's alike.
SECRET_KEY = secrets.token_hex(32)
HISTORY_KEY = secrets.token_hex(32)


def app_settings(folder: Path, database_url: str, **overrides) -> dict:
    """The configuration of a benchmark's app: everything it writes goes under `folder`."""
    settings = dict(
        SQLALCHEMY_DATABASE_URI=sqlalchemy_url(database_url),
        UPLOAD_DIR=str(folder / "uploads"),
        MAIL_DIR=str(folder / "mail"),
        EXPORT_DIR=str(folder / "exports"),
        SECRET_KEY=SECRET_KEY,
        HISTORY_KEY=HISTORY_KEY,
        REDIS_URL=None,
        SMTP_HOST=None,
        RATELIMIT_ENABLED=False,
    )
    settings.update(overrides)
    return settings


def make_app(folder: Path, database_url: str, **overrides):
    """A migrated app holding the reference data, like a fresh deployment after `flask seed`."""
    from flask_migrate import upgrade

    from web import create_app
    from workflow.models import db
    from workflow.reference import seed_reference_data

    app = create_app("development", **app_settings(folder, database_url, **overrides))
    with app.app_context():
        upgrade()
        seed_reference_data()
        db.session.commit()
    return app


@contextlib.contextmanager
def app_in_context(folder: Path, database_url: str, **overrides) -> Iterator:
    """`make_app`'s app with its context pushed; its connections are closed on the way out."""
    from workflow.models import db

    app = make_app(folder, database_url, **overrides)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
