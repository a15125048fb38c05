"""docker-compose.yml as shipped, without Docker: each Mutasi service's own command and healthcheck run
with the environment the file gives it (read from the file itself, so the test follows every change),
pointed at the test PostgreSQL (a fresh schema), with a generated JWT secret and audit signing key."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import signal
import subprocess
import urllib.request
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
import yaml
from psycopg import sql

from api.http.roles import Role
from api.http.security import mint_token
from application.audit.signing import generate_key_file
from tests.conftest import postgres_settings, require_postgres
from tests.deploy.support import BIN, ROOT, Running, clean_environment, free_port, run, wait_until_ready

COMPOSE_FILE = ROOT / "docker-compose.yml"
MUTASI_SERVICES = {"init", "api", "projections", "checkpointer"}
VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def compose() -> dict[str, Any]:
    """The compose file, YAML merge keys resolved."""
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def required_variables() -> dict[str, str]:
    """Every `${NAME:?message}` of the file: name -> message."""
    return {
        name: message
        for name, operator, message in VARIABLE.findall(COMPOSE_FILE.read_text(encoding="utf-8"))
        if operator in (":?", "?")
    }


def interpolate(value: Any, variables: dict[str, str]) -> Any:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}` substitution, recursively."""
    if isinstance(value, dict):
        return {key: interpolate(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, variables) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if variables.get(name):
            return variables[name]
        if operator in (":?", "?"):
            raise AssertionError(f"compose refuses to start without {name}: {argument}")
        return argument if operator in (":-", "-") else ""

    return VARIABLE.sub(substitute, value)


def test_one_image_built_once_non_root_and_every_service_kept_running() -> None:
    services = compose()["services"]
    assert {"postgres", *MUTASI_SERVICES} == set(services)
    builders = [name for name, service in services.items() if "build" in service]
    assert builders == ["init"], "exactly one service builds the image"
    assert len({services[name]["image"] for name in MUTASI_SERVICES}) == 1
    assert all(services[name].get("pull_policy") == "never" for name in MUTASI_SERVICES - {"init"})
    for name, service in services.items():
        assert service.get("restart"), f"{name} has no restart policy"
        if name == "init":  # a one-shot: the others wait for it to complete successfully
            assert service["healthcheck"] == {"disable": True} and service["restart"].startswith("on-failure")
        else:
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), f"{name} has no healthcheck"
    for name in MUTASI_SERVICES - {"init"}:
        assert services[name]["depends_on"] == {"init": {"condition": "service_completed_successfully"}}
    assert services["init"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    users = [line.split()[1] for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert "-r requirements.lock" in (ROOT / "Dockerfile").read_text()


def test_secrets_have_no_default_and_the_readme_says_how_to_make_them() -> None:
    required = required_variables()
    assert {"MUTASI_JWT_SECRET", "MUTASI_POSTGRES_PASSWORD", "MUTASI_AUDIT_SIGNING_KEY"} <= set(required)
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for name in ("MUTASI_JWT_SECRET", "MUTASI_POSTGRES_PASSWORD", "MUTASI_AUDIT_SIGNING_KEY"):
        assert not re.search(rf"\$\{{{name}:?-", text), f"{name} must have no default"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in required:
        assert name in readme, f"README does not explain {name}"
    environment = compose()["services"]["api"]["environment"]
    assert environment["MUTASI_AUDIT_SIGNING_KEY_FILE"] == "/run/secrets/audit_signing_key"
    assert compose()["services"]["checkpointer"]["secrets"] == ["audit_signing_key"]


def test_docker_compose_config_accepts_the_file(tmp_path) -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("no `docker compose` client here (the command-running test below still runs)")
    variables = {name: "x" * 48 for name in required_variables()}
    checked = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE_FILE), "config", "--quiet"],
        env=clean_environment(variables),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.fixture
def local(tmp_path):
    """What compose would provide, made here: variables, the key file, a fresh schema of the test server."""
    settings = postgres_settings(f"deploy_{uuid4().hex[:12]}")
    require_postgres(settings)
    key = tmp_path / "audit-signing-key.pem"
    generate_key_file(key)  # as `openssl genpkey -algorithm ed25519` would
    variables = {
        "MUTASI_JWT_SECRET": secrets.token_urlsafe(48),
        "MUTASI_AUDIT_SIGNING_KEY": str(key),
        "MUTASI_POSTGRES_PASSWORD": "unused-the-test-server-trusts-local-connections",
    }
    try:
        yield settings, variables
    finally:
        with psycopg.connect(
            f"host={settings.postgres_host} port={settings.postgres_port} "
            f"dbname={settings.postgres_dbname} user={settings.postgres_user}",
            autocommit=True,
        ) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(settings.postgres_schema)))


def service_environment(name: str, variables: dict[str, str], settings: Any, port: int) -> dict[str, str]:
    """The service's environment from the file, its `postgres`, secrets and listening address mapped here."""
    document = interpolate(compose(), variables)
    environment = {key: str(value) for key, value in document["services"][name]["environment"].items()}
    assert environment["MUTASI_STORE"] == "postgres"
    assert environment["MUTASI_POSTGRES_HOST"] == "postgres"  # the service name on compose's network
    for secret in document["services"][name].get("secrets", []):  # mounted at /run/secrets/NAME
        source = document["secrets"][secret]["file"]
        environment = {key: value.replace(f"/run/secrets/{secret}", source) for key, value in environment.items()}
    environment.update(
        MUTASI_POSTGRES_HOST=settings.postgres_host,
        MUTASI_POSTGRES_PORT=str(settings.postgres_port),
        MUTASI_POSTGRES_DBNAME=settings.postgres_dbname,
        MUTASI_POSTGRES_USER=settings.postgres_user,
        MUTASI_POSTGRES_SCHEMA=settings.postgres_schema,
    )
    if "MUTASI_PORT" in environment:
        environment.update(MUTASI_HOST="127.0.0.1", MUTASI_PORT=str(port))
    return clean_environment(environment)


def command(name: str) -> list[str]:
    argv = [str(part) for part in compose()["services"][name]["command"]]
    assert argv[0] == "mutasi"
    return [str(BIN / "mutasi"), *argv[1:]]


def healthy(name: str, env: dict[str, str], cwd: Path) -> None:
    """Run the service's healthcheck as Docker would inside its container (the image's PATH)."""
    test = compose()["services"][name]["healthcheck"]["test"]
    argv = test[1:] if test[0] == "CMD" else ["/bin/sh", "-c", test[1]]
    checked = run(argv, env, cwd, timeout=60)
    assert checked.returncode == 0, f"{name}'s healthcheck failed: {checked.stdout}{checked.stderr}"


@pytest.mark.postgres
def test_every_service_runs_its_command_with_the_files_environment(local, tmp_path) -> None:
    settings, variables = local
    port = free_port()
    env = {name: service_environment(name, variables, settings, port) for name in MUTASI_SERVICES}
    started: list[Running] = []
    try:
        initialised = run(command("init"), env["init"], tmp_path)
        assert initialised.returncode == 0, initialised.stderr
        assert run(command("init"), env["init"], tmp_path).returncode == 0  # a restart runs it again: harmless

        weak = run(command("api"), {**env["api"], "MUTASI_JWT_SECRET": "too-short"}, tmp_path)
        assert weak.returncode == 2 and "shorter than 32 bytes" in weak.stderr, weak.stderr

        api = Running(command("api"), env["api"], tmp_path)
        started.append(api)
        wait_until_ready(f"http://127.0.0.1:{port}/health/ready", api)
        healthy("api", env["api"], tmp_path)

        projections = Running(command("projections"), env["projections"], tmp_path)
        started.append(projections)
        projections.wait_for_line("following events")
        healthy("projections", env["projections"], tmp_path)

        agency = "Pemerintah Kota Pariaman"
        token = mint_token(variables["MUTASI_JWT_SECRET"], Role.OPERATOR, "deploy-test", agencies=(agency,))
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/employees",
            method="POST",
            data=json.dumps({"nip": "198501152010031001", "name": "Siti", "rank": "III/a", "agency": agency}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status in (200, 201)

        checkpointer = Running(command("checkpointer"), env["checkpointer"], tmp_path)
        started.append(checkpointer)
        assert "positions 1-" in checkpointer.wait_for_line("checkpoint 1:")
        healthy("checkpointer", env["checkpointer"], tmp_path)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/public/audit-public-key", timeout=10) as response:
            assert response.status == 200  # the API signs and publishes with the configured key

        for running in (checkpointer, projections):  # `docker compose stop`: SIGTERM, then a clean exit
            assert running.stop() == 0, running.output
        assert checkpointer.output.splitlines()[-1] == "checkpointer stopped"
        # uvicorn shuts down gracefully, then re-raises SIGTERM on itself so that its caller sees it
        assert api.stop() in (0, -signal.SIGTERM) and "Application shutdown complete." in api.output
    finally:
        for running in started:
            running.kill()
