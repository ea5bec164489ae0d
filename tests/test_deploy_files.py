"""The files a new user or an operator starts from: docker-compose.yml, the Makefile, the README."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from tests.conftest import service_missing

PROJECT_DIR = Path(__file__).resolve().parent.parent
COMPOSE_FILE = PROJECT_DIR / "docker-compose.yml"
# What an operator's .env gives; a developer's own .env is not read by these checks.
ENV_SECRET_KEY = "9f1c3a5e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a"
ENV_HISTORY_KEY = "3b8e1d6f0a4c9e2b7d5f1a3c8e6b0d4f9a2c7e5b1d3f8a6c0e4b9d2f7a5c1e3b"
ENV_STORAGE_SECRET_KEY = "5d2f8b1e4a7c0f3b6e9d2a5c8f1b4e7a0d3c6f9b2e5a8d1c4f7b0e3a6d9c2f5b8"
ENV_KEYS = {"SECRET_KEY": ENV_SECRET_KEY, "HISTORY_KEY": ENV_HISTORY_KEY, "STORAGE_ACCESS_KEY": "awards",
            "STORAGE_SECRET_KEY": ENV_STORAGE_SECRET_KEY}


def docker_compose(tmp_path_factory, environment: dict, *arguments: str) -> subprocess.CompletedProcess:
    binary = shutil.which("docker-compose")
    if binary is None:
        service_missing("docker-compose", FileNotFoundError("docker-compose (make system-deps installs it)"))
    env_file = tmp_path_factory.mktemp("compose") / ".env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in environment.items()))
    variables = {name: value for name, value in os.environ.items() if name not in ENV_KEYS}
    return subprocess.run([binary, "-f", str(COMPOSE_FILE), "--env-file", str(env_file), "config", *arguments],
                          capture_output=True, text=True, timeout=60, cwd=PROJECT_DIR, env=variables)


@pytest.fixture(scope="module")
def compose(tmp_path_factory) -> dict:
    """docker-compose.yml as docker-compose resolves it (anchors, merges and variables applied)."""
    check = docker_compose(tmp_path_factory, ENV_KEYS, "-q")
    assert check.returncode == 0, check.stderr
    resolved = docker_compose(tmp_path_factory, ENV_KEYS)
    assert resolved.returncode == 0, resolved.stderr
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
    for variable in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "HISTORY_KEY", "UPLOAD_DIR", "STORAGE_URL",
                     "STORAGE_ACCESS_KEY", "STORAGE_SECRET_KEY", "SMTP_HOST", "SMTP_PORT"):
        values = {env.get(variable) for env in environments}
        assert len(values) == 1 and None not in values, (variable, values)
    env = environments[0]
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://") and "@postgres:" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:")
    for name in ("web", "worker", "beat"):
        assert {"postgres", "redis", "seaweedfs"} <= started_before(services, name), name


def test_the_files_are_kept_in_the_object_store_every_node_shares(compose):
    services = compose["services"]
    store = services["seaweedfs"]
    assert store["image"].startswith("chrislusf/seaweedfs") and store["healthcheck"]["test"]
    assert not published(store), "the object store is reached only by the app's services"
    url = urlsplit(services["web"]["environment"]["STORAGE_URL"])
    assert url.scheme == "s3" and f"-bucket={url.netloc}" in command_of(store)
    assert parse_qs(url.query)["endpoint"] == ["http://seaweedfs:8333"]
    environment = services["web"]["environment"]
    assert store["environment"]["AWS_ACCESS_KEY_ID"] == environment["STORAGE_ACCESS_KEY"]
    assert store["environment"]["AWS_SECRET_ACCESS_KEY"] == environment["STORAGE_SECRET_KEY"]
    assert "/data" in [v["target"] if isinstance(v, dict) else v.split(":")[1] for v in store["volumes"]]


@pytest.mark.parametrize("key", sorted(ENV_KEYS))
def test_the_keys_come_from_the_env_file_with_no_default(compose, tmp_path_factory, key):
    for name in ("web", "worker", "beat"):
        assert compose["services"][name]["environment"][key] == ENV_KEYS[key]
    others = {name: value for name, value in ENV_KEYS.items() if name != key}
    missing = docker_compose(tmp_path_factory, others, "-q")
    assert missing.returncode != 0 and key in missing.stderr and ".env" in missing.stderr
    assert f"\n{key}=" in (PROJECT_DIR / ".env.example").read_text()


def published(service: dict) -> list[tuple[str, str]]:
    """Each published port of a service as (host address, port); an empty address is every interface."""
    found = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            found.append((port.get("host_ip") or "", str(port.get("published"))))
        else:
            parts = str(port).split(":")
            found.append((parts[0] if len(parts) == 3 else "", parts[-2] if len(parts) > 1 else parts[0]))
    return found


def test_the_monitors_are_published_only_on_the_hosts_loopback(compose):
    services = compose["services"]
    for name in ("flower", smtp_catcher(services)):
        ports = published(services[name])
        assert ports and all(address == "127.0.0.1" for address, _port in ports), (name, ports)
    assert published(services["proxy"]) == [("", "8000")] and not published(services["web"])


def test_two_web_replicas_run_behind_the_reverse_proxy_after_one_migration(compose):
    services = compose["services"]
    assert services["web"]["deploy"]["replicas"] == 2
    assert "db upgrade" not in command_of(services["web"]) and "db upgrade" in command_of(services["migrate"])
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["proxy"]["image"].startswith("nginx") and services["proxy"]["healthcheck"]["test"]
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    (mount,) = services["proxy"]["volumes"]
    source = mount["source"] if isinstance(mount, dict) else mount.split(":")[0]
    conf = Path(source).read_text()
    assert re.search(r"server web:8000 resolve;", conf) and "proxy_pass http://awards_web;" in conf
    assert "X-Forwarded-For" in conf and "X-Forwarded-Proto" in conf
    # The app trusts the one proxy in front of it, for the client's address its sign-in limits count.
    assert services["web"]["environment"]["TRUSTED_PROXIES"] == "1"


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
