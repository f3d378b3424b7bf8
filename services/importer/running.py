"""Running a workbook's rows as commands on the command bus, as the importer: each
command authorised as an HTTP request of the same principal would be
(``shared.policy.authorise``), handled by its one handler with the domain's rules,
stored with the importer as its actor and an Idempotency-Key made from its content
(``known.import_key``), so a workbook imported again, or resumed after an
interruption, writes nothing twice. The dry run is the same run on a store that
commits nothing (``dry_run``)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from uuid import uuid4

from services.command.bus import CommandBus, CommandContext, IdempotencyKey, Outcome
from services.command.commands import Command
from services.command.domain.errors import DomainError, InvalidValue, UnknownReference
from services.importer import cells
from services.importer.kinds import AlreadyThere, Cells, Phase, RowProblem
from services.importer.known import Known, import_key
from services.importer.sheets import Row, Sheet
from services.projection.i18n import ZH
from shared.auth import Principal, Refusal
from shared.policy import Hidden, authorise
from shared.problem_types import Problem

# How many visits are in flight at once: the bus's group commit stores those that
# arrive together in one transaction.
IN_FLIGHT = 64
WORKERS = 16  # more only contend for the GIL (bench/import_rate.py)


@dataclass(frozen=True)
class Finding:
    """A problem (or, ``refused`` false, a notice) about one cell or row."""

    sheet: str
    row: int
    column: str  # its header as written ("" for the row as a whole)
    letter: str
    value: str
    why: str  # a stable kind: kinds.Why, or the domain's problem type
    zh: str
    en: str
    refused: bool = True


@dataclass(frozen=True)
class SheetSummary:
    title: str
    kind: str | None  # kinds.SheetKind.key; None: not recognised, left alone
    kind_zh: str
    header_row: int
    rows: int
    ignored: tuple[str, ...]


@dataclass
class Report:
    dry_run: bool
    sheets: list[SheetSummary] = field(default_factory=list)
    rows: int = 0
    created: int = 0  # commands written (a dry run: that would be)
    replayed: int = 0  # commands imported before (their key found)
    refused_rows: int = 0
    findings: list[Finding] = field(default_factory=list)
    complete: bool = True  # false: interrupted; importing again resumes

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.refused]

    @property
    def notices(self) -> list[Finding]:
        return [f for f in self.findings if not f.refused]


# Which column a domain refusal is about, by the command field it names or its type.
_FIELD_COLUMNS = {
    "visited_on": "visited_on",
    "enrolled_on": "enrolled_on",
    "joined_on": "volunteer_since",
    "left_on": "left_on",
    "linked_on": "linked_on",
    "member_id": "member",
    "household_id": "address",
    "group_id": "group",
    "post_id": "post",
}
_PROBLEM_COLUMNS = {
    Problem.HOUSEHOLD_ALREADY_LINKED: "address",
    Problem.HOUSEHOLD_ERASED: "address",
    Problem.MEMBER_HOLDS_OFFICE: "member",
    Problem.ALREADY_HOLDS_POST: "member",
    Problem.POST_FULL: "post",
    Problem.MEMBER_HAS_LEFT: "member",
    Problem.MEMBER_NOT_IN_GROUP: "leader",
    Problem.GROUP_DISSOLVED: "group",
    Problem.ALREADY_IN_VOLUNTEER_TEAM: "volunteer_since",
}


class Counted:
    """Steps done of all, told to whoever follows the progress."""

    def __init__(self, total: int, progress: Callable[[int, int], None] | None) -> None:
        self.total = total
        self.done = 0
        self._progress = progress

    def step(self) -> None:
        self.done += 1
        if self._progress is not None:
            self._progress(self.done, self.total)


@dataclass
class _Step:
    row: Row
    build: Callable[[Known], list[Command]]
    commands: list[Command] = field(default_factory=list)


class Importer:
    def __init__(
        self, bus: CommandBus, principal: Principal, known: Known, *, dry_run: bool
    ) -> None:
        self._bus = bus
        self._principal = principal
        self._known = known
        self._correlation = uuid4()  # ties every event of this import together
        self.report = Report(dry_run)
        self._refused: set[tuple[str, int]] = set()
        self._counted = Counted(0, None)

    def run(
        self,
        sheets: list[Sheet],
        progress: Callable[[int, int], None] | None = None,
        stop: threading.Event | None = None,
    ) -> Report:
        steps: dict[Phase, list[_Step]] = {}
        for sheet in sheets:
            self.report.sheets.append(
                SheetSummary(
                    sheet.title,
                    sheet.kind.key if sheet.kind else None,
                    sheet.kind.zh if sheet.kind else "",
                    sheet.header_row,
                    len(sheet.rows),
                    sheet.ignored,
                )
            )
            for row in sheet.rows:
                self.report.rows += 1
                try:
                    planned = row.kind.plan(Cells(row))
                except RowProblem as problem:
                    self._problem(row, problem.field, problem.why, problem.zh, problem.en)
                    continue
                for phase, build in planned:
                    steps.setdefault(phase, []).append(_Step(row, build))
        self._counted = Counted(sum(map(len, steps.values())), progress)
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="import") as pool:
            for phase in sorted(steps):
                if not self._run_phase(pool, phase, steps[phase], stop):
                    self.report.complete = False
                    break
        order = {summary.title: index for index, summary in enumerate(self.report.sheets)}
        self.report.findings.sort(key=lambda f: (order[f.sheet], f.row, f.letter))
        self.report.refused_rows = len({(f.sheet, f.row) for f in self.report.problems})
        return self.report

    def _run_phase(
        self,
        pool: ThreadPoolExecutor,
        phase: Phase,
        steps: list[_Step],
        stop: threading.Event | None,
    ) -> bool:
        """Runs a phase's steps in order (visits, which depend on nothing but what came
        before, many at once); false if stopped."""
        in_flight: deque[tuple[_Step, Command, Future[Outcome]]] = deque()
        window = IN_FLIGHT if phase is Phase.VISITS else 1
        stopped = False
        for step in steps:
            if stop is not None and stop.is_set():
                stopped = True
                break
            # A row refused earlier does not go on to its later steps.
            if (step.row.sheet, step.row.number) not in self._refused and self._build(step):
                for command in step.commands:
                    in_flight.append((step, command, pool.submit(self._handle, command)))
                    while len(in_flight) >= window:
                        self._settle(in_flight.popleft())
            self._counted.step()
        while in_flight:
            self._settle(in_flight.popleft())
        return not stopped

    def _build(self, step: _Step) -> bool:
        try:
            step.commands = step.build(self._known)
        except RowProblem as problem:
            self._problem(step.row, problem.field, problem.why, problem.zh, problem.en)
            self._refused.add((step.row.sheet, step.row.number))
            return False
        except AlreadyThere as there:
            self._finding(step.row, "", "already-there", there.zh, there.en, refused=False)
        return True

    def _handle(self, command: Command) -> Outcome:
        authorise(self._principal, command.operation(), command.branch_id)
        key = import_key(command)
        context = CommandContext(
            principal=self._principal,
            correlation_id=self._correlation,
            command_id=uuid4(),
            # The key is the digest of the whole command (its id is made from the
            # rest): it is its own fingerprint.
            idempotency=IdempotencyKey(key, key),
        )
        return self._bus.handle(command, context)

    def _settle(self, item: tuple[_Step, Command, Future[Outcome]]) -> None:
        step, command, future = item
        try:
            outcome = future.result()
        except DomainError as error:
            named = (
                getattr(error, "field", None)
                if isinstance(error, InvalidValue | UnknownReference)
                else None
            )
            column = _FIELD_COLUMNS.get(named or "", "") or _PROBLEM_COLUMNS.get(error.problem, "")
            zh = ZH["problem"][error.problem.slug]
            self._problem(step.row, column, error.problem.slug, zh, error.detail)
            self._refused.add((step.row.sheet, step.row.number))
            return
        except (Refusal, Hidden) as refusal:
            zh = getattr(refusal, "zh", ZH["problem"][Problem.FORBIDDEN.slug])
            self._problem(step.row, "", Problem.FORBIDDEN.slug, zh, str(refusal))
            self._refused.add((step.row.sheet, step.row.number))
            return
        if outcome.replayed:
            self.report.replayed += 1
        else:
            self.report.created += 1
        self._known.learn(command, outcome.written.id)

    def _problem(self, row: Row, field: str, why: str, zh: str, en: str) -> None:
        self._finding(row, field, why, zh, en, refused=True)

    def _finding(self, row: Row, field: str, why: str, zh: str, en: str, *, refused: bool) -> None:
        column = row.columns.get(field)
        raw = row.values.get(field) if column else None
        self.report.findings.append(
            Finding(
                row.sheet,
                row.number,
                column.header if column else "",
                column.letter if column else "",
                cells.text(raw) or "",  # as it reads: a date cell as 2009-11-29
                why,
                zh,
                en,
                refused,
            )
        )
