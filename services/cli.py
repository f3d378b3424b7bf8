"""``liaison``: run the product, or one piece of it, and operate it.

liaison run            everything in one process (the embedded default)
liaison command-api    the command API alone
liaison query-api      the query API alone
liaison relay          the outbox relay (event store -> RabbitMQ)
liaison project        the projectors (RabbitMQ -> read models)
liaison replay         rebuild read models from the event store (--verify: compare only)
liaison migrate        create or upgrade the schema (every process also does, as it starts)
liaison partitions     show, or change (`set N`), the partitions projector processes share
liaison import         check (--dry-run) or import a branch's Excel workbook (台账)
liaison docs           rewrite README.md's generated tables (errors, commands)
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import httpx
import uvicorn
from fastapi import FastAPI

from services.command.api.app import create_command_app
from services.command.bootstrap import bootstrap as bootstrap_commands
from services.command.reminder_log import CommandReminderLog
from services.demo.client import Branch
from services.demo.story import dashboard_link, follow_up, tell_the_seed_story
from services.docs import write_readme
from services.embedded import create_app
from services.importer.client import ImportRefused, ImportRequest, import_workbook
from services.notifier.app import create_notifier_app
from services.notifier.bootstrap import bootstrap as bootstrap_notifier
from services.projection.api.worker import create_worker_app
from services.projection.bootstrap import bootstrap as bootstrap_projection
from services.projection.dead_letters import list_dead_letters, redrive
from services.projection.projectors import ALL_PROJECTORS, WORK, projector_named
from services.projection.readmodel.database import create_engines
from services.projection.readmodel.store import ReadModelStore
from services.projection.rebuild import rebuild
from services.query_api import create_query_app
from services.relay.bootstrap import bootstrap as bootstrap_relay
from services.relay.bootstrap import create_relay_app
from services.repartition import CannotRepartition, describe, repartition
from shared.access import open_tokens
from shared.auth import PII, InvalidClaims, Principal, Role
from shared.logs import configure_logging
from shared.migrations import (
    Presence,
    StoreMissing,
    prepare_read_models,
    prepare_store,
    require_read_models,
)
from shared.settings import Settings, SettingsError
from shared.store import EventLog, open_recorder
from shared.store.chain import verify as verify_chain

log = logging.getLogger("liaison")

# What each command asks of the store it is pointed at (``shared.migrations``). Only
# `run` (its app) and `migrate` make one that is not there; the servers need its database
# and bring the schema up to date; the tools need a store that already holds liaison's
# events, so one pointed at the wrong place says so instead of reporting on an empty
# store it has just made. `demo` talks to a running liaison and opens no store.
STORE_NEEDED = {
    "command-api": Presence.OPEN,
    "query-api": Presence.OPEN,
    "relay": Presence.OPEN,
    "project": Presence.OPEN,
    "notifier": Presence.OPEN,
    "replay": Presence.EXISTING,
    "audit": Presence.EXISTING,
    "dead-letters": Presence.EXISTING,
    "partitions": Presence.EXISTING,
    "token": Presence.EXISTING,
}
REFUSED = 2  # the exit status when a command cannot start: no store, nothing at a URL
RUNNING_AT = "liaison.url"  # in the data directory, while `liaison run` serves
WORKER_START_SECONDS = 120  # how long an API worker process may take to start


class Refused(Exception):
    """A command cannot do its work here; the message says why."""


# The servers, each with its own port unless --port or LIAISON_PORT says another.
SERVERS = {
    "run": (8000, "everything in one process"),
    "command-api": (8000, "the command API"),
    "query-api": (8001, "the query API"),
    "project": (8002, "the projectors, with a status endpoint"),
    "relay": (8003, "the relay, with a status endpoint"),
    "notifier": (8004, "the notifier: reminders of due work, with a status endpoint"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liaison", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (port, help_text) in SERVERS.items():
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, help=f"default: $LIAISON_PORT, or {port}")
        if name in ("command-api", "query-api"):
            sub.add_argument(
                "--workers", type=int, default=1, help="processes serving the API (stateless)"
            )
        if name == "project":
            sub.add_argument(
                "--only", default="", help="comma-separated projections (default: all)"
            )
    replay = commands.add_parser("replay", help="rebuild read models from the event store")
    replay.add_argument("--verify", action="store_true", help="compare with live, do not switch")
    replay.add_argument("--projection", action="append", help="only this one (repeatable)")
    commands.add_parser("migrate", help="create or upgrade the schema (idempotent)")
    demo = commands.add_parser("demo", help="tell the seed's story to a running liaison")
    demo.add_argument(
        "--url", help=f"its command API (default: the one `liaison run` wrote in {RUNNING_AT})"
    )
    demo.add_argument("--query-url", help="its query API, which serves the dashboard, if separate")
    demo.add_argument(
        "--token",
        help="a committee-admin token (default: $LIAISON_TOKEN, or the embedded admin token)",
    )
    imports = commands.add_parser(
        "import", help="check or import a branch's Excel workbook (台账) into a running liaison"
    )
    imports.add_argument("file", type=Path, help="the workbook (.xlsx)")
    imports.add_argument("--branch", type=UUID, required=True, help="the branch's id")
    imports.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    imports.add_argument(
        "--marked", type=Path, help="also save the workbook with its problems marked here"
    )
    imports.add_argument(
        "--url", help=f"its query API (default: the one `liaison run` wrote in {RUNNING_AT})"
    )
    imports.add_argument(
        "--token",
        help="a secretary's or committee admin's token: the importer "
        "(default: $LIAISON_TOKEN, or the embedded admin token)",
    )
    token = commands.add_parser("token", help="issue or revoke credentials")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="print a new bearer token")
    create.add_argument("--subject", required=True, help="who it is for")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--branch", type=UUID)
    create.add_argument("--member", type=UUID)
    create.add_argument("--group", type=UUID)
    create.add_argument("--pii", action="store_true", help="may see personal data unmasked")
    create.add_argument("--days", type=int, help="lifetime (default LIAISON_TOKEN_DAYS)")
    revoke = token_commands.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("token_id")
    _add_operations(commands)
    docs = commands.add_parser("docs", help="rewrite README.md's generated tables from the code")
    docs.add_argument("--readme", type=Path, default=Path("README.md"))
    return parser


def _add_operations(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The commands that operate a running deployment."""
    letters = commands.add_parser("dead-letters", help="events projections could not apply")
    letter_commands = letters.add_subparsers(dest="letters_command", required=True)
    letter_commands.add_parser("list", help="every dead letter, with its reason")
    again = letter_commands.add_parser("redrive", help="apply them again, once fixed")
    again.add_argument("--id", type=int, action="append", help="only this one (repeatable)")
    partitions = commands.add_parser(
        "partitions", help="the partitions of the stream that projector processes share"
    )
    partition_commands = partitions.add_subparsers(dest="partitions_command")
    change = partition_commands.add_parser(
        "set", help="change their number while everything runs: drain, switch, resume"
    )
    change.add_argument("count", type=int, choices=range(1, 65), metavar="N (1-64)")
    change.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to wait for each step"
    )
    audit = commands.add_parser("audit", help="check the event store")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_commands.add_parser("verify", help="walk the hash chain; exit 1 at the first break")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "docs":  # needs no settings
        changed = write_readme(args.readme)
        print(f"{args.readme}: {'tables rewritten' if changed else 'up to date'}")
        return 0
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"liaison {args.command}: {exc}", file=sys.stderr)
        return REFUSED
    configure_logging(args.command, settings.log_format)
    if args.command in SERVERS and args.port is None:
        args.port = settings.port or SERVERS[args.command][0]
    try:
        if args.command in STORE_NEEDED:
            prepare_store(settings, STORE_NEEDED[args.command])
        return _dispatch(settings, args)
    except (StoreMissing, Refused, ImportRefused) as exc:
        print(f"liaison {args.command}: {exc}", file=sys.stderr)
        return REFUSED


def _dispatch(settings: Settings, args: argparse.Namespace) -> int:
    offline: dict[str, Callable[[], int]] = {
        "replay": lambda: _replay(settings, args.projection, verify=args.verify),
        "audit": lambda: _verify_chain(settings),
        "migrate": lambda: _migrate(settings),
        "demo": lambda: _demo(settings, args),
        "import": lambda: import_workbook(
            ImportRequest(
                url=(args.url or _running_url(settings)).rstrip("/"),
                token=_demo_token(settings, args.token),
                branch_id=args.branch,
                file=args.file,
                dry_run=args.dry_run,
                marked=args.marked,
            )
        ),
        "token": lambda: _token(settings, args),
        "partitions": lambda: _partitions(settings, args),
        "dead-letters": lambda: _dead_letters(
            settings, args.letters_command, args.__dict__.get("id")
        ),
    }
    if args.command in offline:
        return offline[args.command]()
    serve = {
        "host": args.host,
        "port": args.port,
        "log_level": "info",
        "access_log": False,
        "log_config": None,  # keep the JSON logging set up above
        # The one place the client's address is decided: X-Forwarded-For counts only
        # from these proxies (uvicorn would otherwise trust it from 127.0.0.1).
        "forwarded_allow_ips": list(settings.trusted_proxies),
    }
    if getattr(args, "workers", 1) > 1:
        # Each worker process builds its own app from the environment.
        factory = "command_app" if args.command == "command-api" else "query_app"
        uvicorn.run(
            f"services.cli:{factory}",
            factory=True,
            workers=args.workers,
            # A worker must have started (app built, store migrated) within this, or
            # uvicorn kills it and starts another: its 5 s is too short on a busy
            # machine, where a worker was then killed and restarted forever.
            timeout_worker_healthcheck=WORKER_START_SECONDS,
            **serve,
        )
        return 0
    app = _app(settings, args)
    if args.command != "run":
        uvicorn.run(app, **serve)
        return 0
    # `liaison demo` (and `make demo`) find this instance by the file, whatever its port.
    running_at = settings.data_dir / RUNNING_AT
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host  # noqa: S104
    running_at.parent.mkdir(parents=True, exist_ok=True)
    running_at.write_text(f"http://{host}:{args.port}\n")
    # uvicorn stops gracefully on SIGTERM, then raises it again: end here, not killed.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        uvicorn.run(app, **serve)
    except KeyboardInterrupt:
        pass
    finally:
        running_at.unlink(missing_ok=True)
    return 0


def command_app() -> FastAPI:
    settings = Settings.from_env()
    return create_command_app(bootstrap_commands(settings), open_tokens(settings))


def query_app() -> FastAPI:
    settings = Settings.from_env()
    return create_query_app(
        bootstrap_projection(settings), bootstrap_commands(settings), open_tokens(settings)
    )


def _app(settings: Settings, args: argparse.Namespace) -> FastAPI:
    if args.command == "run":
        if settings.embedded:
            print(
                "liaison: embedded mode, data in "
                f"{settings.database_url} and {settings.read_database_url}; "
                f"API docs at http://{args.host}:{args.port}/docs",
                flush=True,
            )
        return create_app(settings)
    if args.command == "command-api":
        return command_app()
    if args.command == "query-api":
        return query_app()
    if args.command == "project":
        return _project_app(settings, [n for n in args.only.split(",") if n])
    if args.command == "notifier":
        return _notifier_app(settings)

    relay = bootstrap_relay(settings)
    relay.start()
    _on_exit(relay.close)
    return create_relay_app(relay)


def _project_app(settings: Settings, only: list[str]) -> FastAPI:

    if settings.embedded:
        log.warning("no LIAISON_AMQP_URL: projectors will follow the event store directly")
    service = bootstrap_projection(settings)
    unknown = set(only) - set(service.tracked)
    if unknown:
        raise SystemExit(f"unknown projections: {', '.join(sorted(unknown))}")
    service.start_feeds(only or None)
    _on_exit(service.close)
    return create_worker_app(service)


def _notifier_app(settings: Settings) -> FastAPI:
    """Reads the work read model the projectors keep (``liaison project``); records
    reminders through its own command bus."""
    commands = bootstrap_commands(settings)
    writer, reader = create_engines(settings.read_database_url)
    store = ReadModelStore(writer, reader)
    store.ensure(WORK)  # the outbox's migration, and the read model it reads
    service = bootstrap_notifier(settings, store, CommandReminderLog(commands.bus))
    service.start()

    def close() -> None:
        service.close()
        store.close()
        commands.close()

    _on_exit(close)
    return create_notifier_app(service, store)


def _on_exit(close: object) -> None:
    """Stops background threads when uvicorn shuts down on SIGINT/SIGTERM."""
    previous = signal.getsignal(signal.SIGTERM)

    def handler(signum: int, frame: object) -> None:
        threading.Thread(target=close, daemon=True).start()  # type: ignore[arg-type]
        if callable(previous):
            previous(signum, frame)  # type: ignore[arg-type]

    signal.signal(signal.SIGTERM, handler)


def _replay(settings: Settings, names: list[str] | None, *, verify: bool) -> int:
    if verify:
        require_read_models(settings)  # comparing with nothing would prove nothing
    service = bootstrap_projection(settings)
    chosen = [p for p in ALL_PROJECTORS if not names or p.name in names]
    try:
        reports = rebuild(chosen, service.store, service.event_log, switch=not verify)
    finally:
        service.close()
    for report in reports:
        action = "verified" if verify else f"switched to generation {report.generation}"
        print(f"{report.projection}: {action}, {report.differing_rows} differing rows")
        for difference in report.differences:
            print(f"  {difference.table}: only in {difference.only_in}: {difference.row}")
    first = reports[0]
    print(
        f"{len(reports)} read models rebuilt from {first.events} events in "
        f"{first.seconds:.2f}s ({first.events_per_second:,.0f} events/s)"
    )
    differing = sum(report.differing_rows for report in reports)
    return 1 if differing else 0


def _demo_token(settings: Settings, given: str | None) -> str:
    token = given or os.environ.get("LIAISON_TOKEN")
    if token:
        return token
    if settings.auth_keys_file:
        admin = Path(settings.auth_keys_file).parent / "admin-token"
        if admin.exists():
            return admin.read_text().strip()
    raise Refused("it needs a committee-admin token: --token or LIAISON_TOKEN")


def _token(settings: Settings, args: argparse.Namespace) -> int:
    if args.token_command == "revoke":  # noqa: S105 - a subcommand's name
        open_tokens(settings).revocations.revoke(args.token_id, by=f"cli:{getpass.getuser()}")
        print(f"revoked {args.token_id}")
        return 0
    try:
        principal = Principal(
            subject=args.subject,
            role=Role(args.role),
            branch_id=args.branch,
            member_id=args.member,
            group_id=args.group,
            grants=frozenset({PII}) if args.pii else frozenset(),
        )
    except InvalidClaims as refused:  # the rules the token endpoint and verification keep
        options = {"branch_id": "--branch", "member_id": "--member", "group_id": "--group"}
        print(f"liaison token create: {refused.spelled(options)}", file=sys.stderr)
        return 2
    token, issued = open_tokens(settings).issue(
        principal, timedelta(days=args.days or settings.token_days)
    )
    print(token)
    print(f"token id {issued.token_id}, expires {issued.expires_at:%Y-%m-%d}", file=sys.stderr)
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    url = (args.url or _running_url(settings)).rstrip("/")
    query_url = (args.query_url or url).rstrip("/")
    # The links printed at the end must answer: find out before writing anything.
    _answers(url, "/healthz", f"nothing answers at {url}")
    _answers(
        query_url,
        "/dashboard",
        f"{query_url} serves no dashboard: if it is the command API alone, give "
        "--query-url (the query API)",
    )
    headers = {"Authorization": f"Bearer {_demo_token(settings, args.token)}"}
    with (
        httpx.Client(base_url=url, timeout=60, headers=headers) as commands,
        httpx.Client(base_url=query_url, timeout=60, headers=headers) as queries,
    ):
        seed = tell_the_seed_story(Branch(commands, queries))
        follow_up(seed)
    print(f"demo branch {seed.branch.id}: 同江市城市社区长安党支部, 2009")
    print(f"dashboard: {dashboard_link(query_url, seed.branch.id)}")
    return 0


def _running_url(settings: Settings) -> str:
    running_at = settings.data_dir / RUNNING_AT
    try:
        return running_at.read_text().strip()
    except FileNotFoundError:
        raise Refused(
            f"no liaison is running here ({running_at.resolve()} is not there): start "
            "`make run`, or give --url"
        ) from None


def _answers(base: str, path: str, refusal: str) -> None:
    try:
        status = httpx.get(f"{base}{path}", timeout=10).status_code
    except httpx.HTTPError as exc:
        raise Refused(f"{refusal} ({exc})") from exc
    if status != 200:
        raise Refused(f"{refusal} (GET {path}: {status})")


def _migrate(settings: Settings) -> int:
    store = prepare_store(settings, Presence.CREATE)
    read_models = prepare_read_models(settings)
    for name, migrated in (("event store", store), ("read models", read_models)):
        change = "up to date" if migrated.before == migrated.after else f"from {migrated.before}"
        print(f"{name}: at {migrated.after} ({change})")
    return 0


def _dead_letters(settings: Settings, action: str, ids: list[int] | None) -> int:
    require_read_models(settings)  # where the letters are kept
    service = bootstrap_projection(settings)
    failed = 0
    try:
        for letter in list_dead_letters(service.store):
            if action == "list":
                print(
                    f"{letter.id}\t{letter.projection}\t{letter.position}\t"
                    f"{letter.event_type}\t{letter.recorded_at:%Y-%m-%d %H:%M:%S}\t{letter.reason}"
                )
            elif not ids or letter.id in ids:
                try:
                    redrive(
                        letter, projector_named(letter.projection), service.store, service.event_log
                    )
                    print(f"redriven: {letter.id} ({letter.projection} at {letter.position})")
                except Exception as exc:  # the letter stays; say why and go on
                    failed += 1
                    print(f"still failing: {letter.id}: {exc!r}")
    finally:
        service.close()
    return 1 if failed else 0


def _partitions(settings: Settings, args: argparse.Namespace) -> int:
    require_read_models(settings)
    if args.partitions_command == "set":
        try:
            repartition(settings, args.count, timeout=args.timeout)
        except CannotRepartition as exc:
            raise Refused(str(exc)) from exc
    for line in describe(settings):
        print(line)
    return 0


def _verify_chain(settings: Settings) -> int:
    recorder = open_recorder(settings, pool_size=1)
    event_log = EventLog(recorder, settings)
    try:
        report = verify_chain(event_log.chain_rows())
    finally:
        event_log.close()
        recorder.close()
    if report.intact:
        print(f"intact: {report.checked} events, head hash {report.head_hash}")
        return 0
    print(f"broken at position {report.first_break}: {report.reason} ({report.checked} checked)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
