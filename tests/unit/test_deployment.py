"""docker-compose.yml cannot be run here (no Docker engine), so check that it says
what the README promises and that every process it starts is a real CLI command."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from services.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_compose_describes_the_whole_deployment() -> None:
    services = compose()["services"]
    assert set(services) == {
        "postgres",
        "rabbitmq",
        "command",
        "relay",
        "projection",
        "notifier",
        "query",
    }
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"


def test_every_liaison_container_runs_a_real_subcommand() -> None:
    parser = build_parser()
    for name in ("command", "relay", "projection", "notifier", "query"):
        command = compose()["services"][name]["command"]
        assert command[0] == "liaison"
        args = parser.parse_args(command[1:])
        assert args.command in {"command-api", "relay", "project", "notifier", "query-api"}
        environment = compose()["services"][name]["environment"]
        assert environment["LIAISON_DATABASE_URL"].startswith("postgresql://")
        assert environment["LIAISON_AMQP_URL"].startswith("amqp://")


def test_no_secret_is_written_in_the_compose_file() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert "${POSTGRES_PASSWORD:?" in text
    assert "${RABBITMQ_PASSWORD:?" in text


def test_only_the_apis_get_the_signing_keys_and_from_a_secret_file() -> None:
    loaded = compose()
    assert loaded["secrets"]["auth_keys"]["file"].startswith("${LIAISON_AUTH_KEYS_PATH:-")
    for name, service in loaded["services"].items():
        environment = service.get("environment", {})
        assert "LIAISON_AUTH_KEYS" not in environment, f"{name} has a key in the compose file"
        signed = name in ("command", "query")
        assert ("LIAISON_AUTH_KEYS_FILE" in environment) == signed, name
        assert ("auth_keys" in service.get("secrets", [])) == signed, name


def test_every_liaison_process_gets_the_store_cipher_from_a_secret_file() -> None:
    loaded = compose()
    assert loaded["secrets"]["cipher_key"]["file"].startswith("${LIAISON_CIPHER_KEY_PATH:-")
    for name in ("command", "relay", "projection", "notifier", "query"):
        service = loaded["services"][name]
        assert "LIAISON_CIPHER_KEY" not in service["environment"], name
        assert service["environment"]["LIAISON_CIPHER_KEY_FILE"] == "/run/secrets/cipher_key"
        assert "cipher_key" in service["secrets"], name


def test_the_liaison_containers_may_start_in_any_order() -> None:
    """Each makes the schema or waits for whoever does: none waits for another."""
    for name in ("command", "relay", "projection", "notifier", "query"):
        waits_for = set(compose()["services"][name].get("depends_on", {}))
        assert waits_for == {"postgres", "rabbitmq"}, name


def test_every_file_the_recipes_write_is_ignored_by_git() -> None:
    """Tokens and keys written by the README's and docker-compose.yml's recipes land
    where git ignores them, never in a file a commit would pick up."""
    readme = (ROOT / "README.md").read_text()
    shell = "\n".join(re.findall(r"```sh\n(.*?)```", readme, flags=re.DOTALL))
    compose = (ROOT / "docker-compose.yml").read_text().splitlines()
    compose_comments = "\n".join(line for line in compose if line.startswith("#"))
    written = {
        target
        for target in re.findall(r"(?:^|\s)>>?\s*([^\s;|&)]+)", shell + compose_comments)
        if not target.startswith(("&", "/dev/"))
    }
    assert {"secrets/admin-token", "secrets/auth-keys"} <= written
    for target in sorted(written):
        ignored = subprocess.run(
            ["git", "check-ignore", "--quiet", "--no-index", target], cwd=ROOT, check=False
        )
        assert ignored.returncode == 0, f"{target} is written by a recipe but not ignored by git"
