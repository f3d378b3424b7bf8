"""``python -m bench.import_rate [--visits N] [--postgres URL]``: the import's rate on
this machine — a workbook of N visit rows (with its roster, households and links),
uploaded to the import endpoint as the branch secretary and run on the command bus
as every import is, on the embedded default (SQLite files in a temporary directory
on disk) or on a PostgreSQL database given. Prints the rows per second of the dry
run and of the import, and that importing it again creates nothing."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from bench.stack import bearer, postgres_settings
from bench.workbooks import visit_ledgers
from services.demo.client import Branch
from services.embedded import create_app
from shared.auth import Keys, Role
from shared.settings import Settings


def measure(settings: Settings, visits: int) -> dict[str, float]:
    ledgers = visit_ledgers(visits)
    with TestClient(create_app(settings), headers=bearer(settings)) as client:
        branch = Branch(client, client).register("长安社区党支部")
        secretary = bearer(settings, Role.BRANCH_SECRETARY, "secretary", branch_id=UUID(branch.id))

        def upload(dry_run: bool) -> tuple[float, dict[str, Any]]:
            started = time.perf_counter()
            answer = client.post(
                f"{branch.base}/imports",
                params={"dry_run": str(dry_run).lower()},
                files={"file": ("visits.xlsx", ledgers.data)},
                headers=secretary,
                timeout=3600,
            )
            assert answer.status_code == 200, answer.text
            return time.perf_counter() - started, answer.json()

        dry_seconds, dry = upload(True)
        seconds, report = upload(False)
        again_seconds, again = upload(False)
    assert dry["problems"] == report["problems"] == 0, report["findings"][:5]
    assert report["created"] == ledgers.commands
    assert again["created"] == 0
    return {
        "visit_rows": visits,
        "commands": ledgers.commands,
        "dry_run_rows_per_s": visits / dry_seconds,
        "import_rows_per_s": visits / seconds,
        "import_seconds": seconds,
        "again_rows_per_s": visits / again_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL database URL (default: embedded)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as data:
        settings = (
            postgres_settings(args.postgres)
            if args.postgres
            else Settings(
                database_url=f"sqlite:///{data}/events.sqlite",
                read_database_url=f"sqlite:///{data}/readmodels.sqlite",
                amqp_url=None,
                auth_keys=Keys.generate().render(),
            )
        )
        figures = measure(settings, args.visits)
    for name, value in figures.items():
        print(f"{name:22} {value:10.1f}")


if __name__ == "__main__":
    main()
