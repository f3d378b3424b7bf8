"""The import as the API and the CLI ask for it: read the workbook, learn the branch's
names from the read models (once they have every event stored so far), run the rows
on the command bus — or, for a dry run, on a store that commits nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from sqlalchemy import Connection

from services.command.bootstrap import CommandService
from services.command.bus import CommandBus
from services.importer.dry_run import DryRunCommands
from services.importer.known import Known
from services.importer.running import Importer, Report
from services.importer.sheets import Sheet, read_workbook
from services.projection.bootstrap import ProjectionService
from services.projection.projectors import COVERAGE, ROSTERS
from services.projection.projectors.base import Projector
from services.projection.queries.directory import (
    BranchDirectory,
    household_directory,
    roster_directory,
)
from services.projection.queries.membership import branch_exists
from services.projection.readmodel.store import ReadModelStore
from shared.auth import Principal
from shared.problem_types import Problem
from shared.problems import ProblemError, ServiceUnavailable

Progress = Callable[[int, int], None]
T = TypeVar("T")


@dataclass(frozen=True)
class Prepared:
    sheets: list[Sheet]
    known: Known


class ImportService:
    def __init__(self, commands: CommandService, projections: ProjectionService) -> None:
        self._commands = commands
        self._read: ReadModelStore = projections.store
        self._wait_seconds = commands.settings.read_wait_seconds

    def prepare(self, branch_id: UUID, data: bytes) -> Prepared:
        """The workbook read and the branch's names learned: what can be refused
        before any row is run (not a workbook, an unknown branch)."""
        return Prepared(read_workbook(data), Known(branch_id, self.directory(branch_id)))

    def execute(
        self,
        principal: Principal,
        prepared: Prepared,
        *,
        dry_run: bool,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> Report:
        bus = CommandBus(DryRunCommands(self._commands.store)) if dry_run else self._commands.bus
        importer = Importer(bus, principal, prepared.known, dry_run=dry_run)
        return importer.run(prepared.sheets, progress, stop)

    def run(
        self,
        principal: Principal,
        branch_id: UUID,
        data: bytes,
        *,
        dry_run: bool,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> Report:
        prepared = self.prepare(branch_id, data)
        return self.execute(principal, prepared, dry_run=dry_run, progress=progress, stop=stop)

    def directory(self, branch_id: UUID) -> BranchDirectory:
        """The branch's names as the read models hold them once they have applied
        every event stored so far (an import just before this one included)."""
        head = self._commands.recorder.max_notification_id()
        deadline = time.monotonic() + self._wait_seconds
        while True:
            with self._read.reader.connect() as conn:
                rosters, at = self._tables(conn, ROSTERS)
                coverage, coverage_at = self._tables(conn, COVERAGE)
                if min(at, coverage_at) >= head:
                    # Only now is a branch the read models do not know unknown.
                    if not branch_exists(conn, rosters, branch_id):
                        raise ProblemError(Problem.NOT_FOUND, f"no branch {branch_id}")
                    directory = BranchDirectory()
                    roster_directory(conn, rosters, branch_id, directory)
                    household_directory(conn, coverage, branch_id, directory)
                    return directory
            if time.monotonic() > deadline:
                raise ServiceUnavailable(
                    f"the read models have not reached position {head} yet; retry",
                    Problem.READ_MODEL_BEHIND,
                )
            time.sleep(0.05)

    def _tables(self, conn: Connection, projector: Projector[T]) -> tuple[T, int]:
        """A read model's current tables and the position they are at."""
        state = self._read.state(conn, projector.name)
        if state is None:
            raise ServiceUnavailable(
                f"the {projector.name} read model is not set up yet",
                Problem.READ_MODEL_UNAVAILABLE,
            )
        return self._read.tables(projector, state.generation), state.position
