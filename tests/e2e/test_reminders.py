"""A month of reminders on the real stack, in simulated time: PostgreSQL and RabbitMQ
(commands, the relay and the work projector in this process), notifier processes of
their own, a real SMTP server (aiosmtpd) and a real HTTP receiver on loopback.

Twelve households linked to four members, visited early, on the day, late or never;
weekly visits, every three days for 独居老人. Midway a notifier is SIGKILLed and
restarted, then a second one runs beside it to the end; the SMTP server is down for
a day and a half. Every reminder due is delivered exactly once by e-mail and by
webhook (counted as received), none for households visited in time, none in quiet
hours; a visit made before a reminder went out cancels it. The figures go to
``test-artifacts/reminders.json``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, func, select, text

from bench.stack import environment, free_port
from services.command.bootstrap import bootstrap as bootstrap_commands
from services.command.bus import CommandContext
from services.command.commands import (
    AppointGroupLeader,
    Command,
    EnrollMember,
    FormGroup,
    LinkHousehold,
    RecordVisit,
    RegisterBranch,
    RegisterHousehold,
    SetVisitSchedule,
    SubmitDutyReport,
)
from services.notifier.outbox import reminders
from services.projection.bootstrap import bootstrap as bootstrap_projections
from services.relay.bootstrap import bootstrap as bootstrap_relay
from shared.auth import Principal, Role
from shared.clock import FixedClock
from shared.contract.vocabulary import GroupBasis, MemberCategory, MembershipStatus, ReportAudience
from shared.migrations import EVENTS_TABLE
from shared.settings import Settings, sqlalchemy_url

ZONE = ZoneInfo("Asia/Shanghai")
START = date(2010, 3, 1)
DAYS = 30
HOURS = (6, 9, 13, 17, 23)  # 6 and 23 are in the quiet hours (22-7)
QUIET = (22, 7)
DAYS_BEFORE = 2
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "reminders.json"
ADMIN = Principal(subject="secretary", role=Role.COMMITTEE_ADMIN)


def quiet(moment: datetime) -> bool:
    hour = moment.astimezone(ZONE).hour
    return hour >= QUIET[0] or hour < QUIET[1]


@dataclass
class Received:
    """What the receivers got, with the simulated moment each came in."""

    now: list[datetime]
    emails: list[tuple[str, datetime]] = field(default_factory=list)
    hooks: list[tuple[dict[str, Any], datetime]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Mailbox:
    def __init__(self, received: Received) -> None:
        self.received = received

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = Message()
        for line in envelope.content.decode("utf-8", "replace").splitlines():
            if not line:
                break
            if ":" in line:
                name, value = line.split(":", 1)
                message[name.strip()] = value.strip()
        with self.received.lock:
            self.received.emails.append((message["X-Liaison-Reminder"], self.received.now[0]))
        return "250 OK"


def webhook_server(received: Received) -> ThreadingHTTPServer:
    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with received.lock:
                received.hooks.append((body, received.now[0]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class Household:
    id: UUID
    member: int
    every: int
    habit: str  # early, reminded, on_time, late, never
    linked_on: date
    visits: list[date] = field(default_factory=list)

    def due_on(self, today: date) -> date:
        last = max([self.linked_on, *(v for v in self.visits if v <= today)])
        return last + timedelta(days=self.every)

    def visits_now(self, today: date, hour: int) -> bool:
        """Whether its member visits at this step: a few days early (never reminded),
        the morning a reminder was made in the quiet hours (which it cancels), the day
        before it falls due, two days late, or never."""
        due = self.due_on(today)
        return {
            "early": (due - timedelta(3), 17),
            "reminded": (due - timedelta(DAYS_BEFORE), 9),
            "on_time": (due - timedelta(1), 17),
            "late": (due + timedelta(2), 13),
            "never": (date.max, 0),
        }[self.habit] == (today, hour)


HABITS = ("early", "reminded", "on_time", "late", "never", "reminded")


@dataclass
class Notifiers:
    env: dict[str, str]
    folder: Path
    live: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str) -> None:
        status = self.folder / f"{name}.status"
        status.unlink(missing_ok=True)
        log = (self.folder / f"{name}.log").open("ab")
        self.live[name] = subprocess.Popen(
            [sys.executable, "-m", "tests.support.notifier_process"],
            env={**self.env, "NOTIFIER_STATUS_FILE": str(status)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill(self, name: str) -> None:
        process = self.live.pop(name)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()

    def caught_up(self, moment: datetime, timeout: float = 60) -> None:
        """Every live notifier has run a whole round at ``moment``."""
        deadline = time.monotonic() + timeout
        for name, process in self.live.items():
            status = self.folder / f"{name}.status"
            while not (status.exists() and status.read_text() == moment.isoformat()):
                assert process.poll() is None, (self.folder / f"{name}.log").read_text()[-3000:]
                assert time.monotonic() < deadline, f"notifier {name} stuck at {moment}"
                time.sleep(0.01)

    def stop(self) -> None:
        for name in list(self.live):
            self.kill(name)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


def test_a_month_of_reminders_each_delivered_exactly_once(
    stack_settings: Settings, folder: Path
) -> None:
    received = Received(now=[datetime.combine(START, datetime.min.time(), ZONE)])
    smtp_port = free_port()
    mail = Controller(Mailbox(received), hostname="127.0.0.1", port=smtp_port)
    mail.start()
    hooks = webhook_server(received)
    settings = stack_settings.with_overrides(
        quiet_hours=f"{QUIET[0]}-{QUIET[1]}",
        remind_days_before=DAYS_BEFORE,
        delivery_attempts=8,
    )
    clock = FixedClock(received.now[0])
    clock_file = folder / "clock"
    clock_file.write_text(clock.now().astimezone(ZONE).isoformat())
    commands = bootstrap_commands(settings, clock)
    relay = bootstrap_relay(settings)
    projections = bootstrap_projections(settings, clock)
    relay.start()
    projections.start_feeds(["work"])
    env = {
        **environment(settings),
        "LIAISON_QUIET_HOURS": settings.quiet_hours,
        "LIAISON_REMIND_DAYS_BEFORE": str(DAYS_BEFORE),
        "LIAISON_DELIVERY_ATTEMPTS": str(settings.delivery_attempts),
        "LIAISON_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LIAISON_SMTP_TO": "branch-office@example.org",
        "LIAISON_WEBHOOK_URL": f"http://127.0.0.1:{hooks.server_port}/reminders",
        "NOTIFIER_CLOCK_FILE": str(clock_file),
    }
    notifiers = Notifiers(env, folder)
    head = [0]

    def run(command: Command) -> None:
        written = commands.bus.handle(
            command, CommandContext(principal=ADMIN, correlation_id=uuid4(), command_id=uuid4())
        ).written
        head[0] = max(head[0], written.position)

    try:
        branch = uuid4()
        run(RegisterBranch(branch_id=branch, name="长安党支部"))
        group = uuid4()
        run(
            FormGroup(
                branch_id=branch, group_id=group, name="第一党小组", basis=GroupBasis.RESIDENCE
            )
        )
        members = [uuid4() for _ in range(4)]
        for number, member in enumerate(members):
            run(
                EnrollMember(
                    branch_id=branch,
                    member_id=member,
                    name=f"党员{number + 1}",
                    category=MemberCategory.RETIRED,
                    status=MembershipStatus.FULL,
                    group_id=group,
                    holds_office=False,
                    enrolled_on=date(2009, 1, 1),
                )
            )
        run(AppointGroupLeader(branch_id=branch, group_id=group, member_id=members[0]))
        run(SetVisitSchedule(branch_id=branch, every_days=7, set_on=START))
        run(SetVisitSchedule(branch_id=branch, every_days=3, tag="独居老人", set_on=START))
        households = []
        for number in range(12):
            household = Household(
                id=uuid4(),
                member=number % 4,
                every=3 if number % 3 == 0 else 7,
                habit=HABITS[number % len(HABITS)],
                linked_on=START,
            )
            if household.every == 3 and household.habit == "early":
                household.habit = "on_time"  # three days early is the last visit's day
            households.append(household)
            run(
                RegisterHousehold(
                    branch_id=branch,
                    household_id=household.id,
                    address=f"长安巷{number + 1}号",
                    area="一巷",
                    head_name=f"户主{number + 1}",
                    tags=("独居老人",) if household.every == 3 else (),
                )
            )
            run(
                LinkHousehold(
                    branch_id=branch, household_id=household.id, member_id=members[household.member]
                )
            )
        for member in members:  # last half year's reports are in: only visits fall due
            run(
                SubmitDutyReport(
                    branch_id=branch,
                    member_id=member,
                    period="2009H2",
                    audience=ReportAudience.MEMBERS,
                    submitted_on=START,
                    summary="述职",
                )
            )
        notifiers.start("a")

        expected: set[tuple[str, str, str, str]] = set()
        smtp_down = (datetime(2010, 3, 6, 9, tzinfo=ZONE), datetime(2010, 3, 7, 13, tzinfo=ZONE))
        for day in range(DAYS):
            today = START + timedelta(days=day)
            for hour in HOURS:
                moment = datetime(today.year, today.month, today.day, hour, tzinfo=ZONE)
                clock.advance(moment - clock.now())
                for household in households:
                    if household.visits_now(today, hour):
                        household.visits.append(today)
                        run(
                            RecordVisit(
                                branch_id=branch,
                                visit_id=uuid4(),
                                member_id=members[household.member],
                                household_id=household.id,
                                visited_on=today,
                                purpose="走访",
                            )
                        )
                wait_for_projection(projections, head[0])
                if moment == smtp_down[0]:
                    mail.stop()
                if moment == smtp_down[1]:
                    mail = Controller(Mailbox(received), hostname="127.0.0.1", port=smtp_port)
                    mail.start()
                received.now[0] = moment
                write_atomically(clock_file, moment.isoformat())
                if (day, hour) == (10, 13):  # killed mid-round, started again
                    time.sleep(0.05)
                    notifiers.kill("a")
                    notifiers.start("a")
                if (day, hour) == (12, 9):
                    notifiers.start("b")
                notifiers.caught_up(moment)
                if not quiet(moment):
                    expected |= due_now(households, members, branch, today)
        notifiers.stop()

        with received.lock:
            keys = [
                (hook["what"], hook["whom"], hook["due_on"], hook["kind"])
                for hook, _ in received.hooks
            ]
            email_ids = [reminder for reminder, _ in received.emails]
            moments = [at for _, at in received.hooks] + [at for _, at in received.emails]
        with projections.store.writer.connect() as conn:
            states: dict[str, int] = dict(
                conn.execute(
                    select(reminders.c.state, func.count()).group_by(reminders.c.state)
                ).all()
            )
            retried = conn.execute(
                select(func.count()).where(reminders.c.state == "sent", reminders.c.attempts > 1)
            ).scalar_one()
            unrecorded = conn.execute(
                select(func.count()).where(
                    reminders.c.recorded.is_(False),
                    reminders.c.state != "cancelled",
                    reminders.c.state != "pending",
                )
            ).scalar_one()
        store = create_engine(sqlalchemy_url(settings.database_url))
        with store.connect() as conn:
            recorded: dict[str, int] = dict(
                conn.execute(
                    text(f"SELECT topic, count(*) FROM {EVENTS_TABLE} GROUP BY topic")
                ).all()
            )
        store.dispose()
        figures = {
            "simulated_days": DAYS,
            "households": len(households),
            "reminders_due": len(expected),
            "webhook_received": len(keys),
            "emails_received": len(email_ids),
            "sent": states.get("sent", 0),
            "duplicates": (len(keys) - len(set(keys))) + (len(email_ids) - len(set(email_ids))),
            "cancelled_by_visits": states.get("cancelled", 0),
            "failed_then_retried": retried,
            "failed_for_good": states.get("failed", 0),
            "received_in_quiet_hours": sum(quiet(at) for at in moments),
            "notifier_sigkills": 1,
            "notifiers_at_once": 2,
        }
        ARTIFACT.parent.mkdir(exist_ok=True)
        ARTIFACT.write_text(json.dumps(figures, indent=2) + "\n")
        assert figures["duplicates"] == 0
        assert set(keys) == expected
        assert len(email_ids) == len(expected)
        assert figures["sent"] == len(expected)
        assert figures["received_in_quiet_hours"] == 0
        assert figures["cancelled_by_visits"] > 0
        assert figures["failed_then_retried"] > 0
        assert figures["failed_for_good"] == 0
        assert unrecorded == 0
        assert recorded.get("ReminderSent") == len(expected)  # in the store, once each
        assert "ReminderFailed" not in recorded
    finally:
        notifiers.stop()
        mail.stop()
        hooks.shutdown()
        relay.close()
        projections.close()
        commands.close()


def due_now(
    households: list[Household], members: list[UUID], branch: UUID, today: date
) -> set[tuple[str, str, str, str]]:
    """The reminders a clerk would send at this moment, from the test's own record of
    links and visits: two days before a visit falls due, to the member; once overdue,
    to the member, the group leader (member 0) and the secretary."""
    due: set[tuple[str, str, str, str]] = set()
    for household in households:
        due_on = household.due_on(today)
        what, member = f"visit:{household.id}", f"member:{members[household.member]}"
        if due_on < today:
            whom = {member, f"member:{members[0]}", f"secretary:{branch}"}
            due |= {(what, someone, due_on.isoformat(), "overdue") for someone in whom}
        elif (due_on - today).days <= DAYS_BEFORE:
            due.add((what, member, due_on.isoformat(), "upcoming"))
    return due


def wait_for_projection(projections: Any, position: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while projections.tracked["work"].position() < position:
        assert time.monotonic() < deadline, "the work read model fell behind"
        time.sleep(0.01)


def write_atomically(path: Path, content: str) -> None:
    # The notifiers read the clock as it is written: never half of it.
    written = path.with_suffix(".tmp")
    written.write_text(content)
    written.replace(path)
