"""The files a new user or an operator starts from: docker-compose.yml, the Makefile, the README."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import service_missing

PROJECT_DIR = Path(__file__).resolve().parent.parent
COMPOSE_FILE = PROJECT_DIR / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    """docker-compose.yml as docker-compose resolves it (anchors, merges and variables applied)."""
    binary = shutil.which("docker-compose")
    if binary is None:
        service_missing("docker-compose", FileNotFoundError("docker-compose (make system-deps installs it)"))
    check = subprocess.run([binary, "-f", str(COMPOSE_FILE), "config", "-q"], capture_output=True, text=True,
                           timeout=60, cwd=PROJECT_DIR)
    assert check.returncode == 0, check.stderr
    resolved = subprocess.run([binary, "-f", str(COMPOSE_FILE), "config"], capture_output=True, text=True,
                              timeout=60, cwd=PROJECT_DIR, check=True)
    return yaml.safe_load(resolved.stdout)


def command_of(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def smtp_catcher(services: dict) -> str:
    host = services["web"]["environment"]["SMTP_HOST"]
    assert host in services, f"SMTP_HOST {host} is not a service of the compose file"
    return host


def test_the_compose_file_runs_the_whole_stack_each_part_with_a_health_check(compose):
    services = compose["services"]
    catcher = smtp_catcher(services)
    assert {"postgres", "redis", "web", "worker", "beat", catcher} <= set(services)
    for name in ("postgres", "redis", "web", "worker", "beat", catcher):
        healthcheck = services[name].get("healthcheck")
        assert healthcheck and healthcheck.get("test") and not healthcheck.get("disable"), name
    assert services["postgres"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")
    assert re.search(r"mailpit|mailhog|smtp4dev|maildev", services[catcher]["image"])
    assert "gunicorn" in command_of(services["web"]) and "wsgi:app" in command_of(services["web"])
    assert re.search(r"celery -A tasks worker", command_of(services["worker"]))
    assert re.search(r"celery -A tasks beat", command_of(services["beat"]))
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_the_application_services_share_the_same_settings(compose):
    services = compose["services"]
    environments = [services[name]["environment"] for name in ("web", "worker", "beat")]
    for variable in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "HISTORY_KEY", "UPLOAD_DIR", "SMTP_HOST",
                     "SMTP_PORT"):
        values = {env.get(variable) for env in environments}
        assert len(values) == 1 and None not in values, (variable, values)
    env = environments[0]
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://") and "@postgres:" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:")
    for name in ("web", "worker", "beat"):
        assert {"postgres", "redis"} <= started_before(services, name), name


def started_before(services: dict, name: str) -> set[str]:
    """Every service compose starts before `name`, following depends_on through other services."""
    found: set[str] = set()
    pending = [name]
    while pending:
        for dependency in services[pending.pop()].get("depends_on", {}):
            if dependency not in found:
                found.add(dependency)
                pending.append(dependency)
    return found


@pytest.mark.parametrize("target", ["run", "test", "bench", "lint"])
def test_the_makefile_has_the_targets_developers_use(target):
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert re.search(rf"^{target}:", makefile, re.M), target
    assert re.search(rf"^\.PHONY:.*\b{target}\b", makefile, re.M), target
    dry_run = subprocess.run(["make", "-n", target], capture_output=True, text=True, timeout=60, cwd=PROJECT_DIR)
    assert dry_run.returncode == 0, dry_run.stderr


def test_the_test_target_requires_services_in_ci():
    ci = (PROJECT_DIR / ".ci" / "run").read_text()
    assert "REQUIRE_SERVICES=1" in ci and "make test" in ci


def test_the_readme_quick_start_is_make_run_and_make_test():
    readme = (PROJECT_DIR / "README.md").read_text()
    match = re.search(r"^## Quick start\n(.*?)(?=^## )", readme, re.M | re.S)
    assert match, "README.md has no Quick start section"
    quick_start = match.group(1)
    assert "make run" in quick_start and "make test" in quick_start
    assert quick_start.index("make run") < quick_start.index("make test")
