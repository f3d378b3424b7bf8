"""Everything in one process: command API, query API and projectors. With no broker
configured (the embedded default) projectors follow the event store directly; with
one, a relay publishes to RabbitMQ and projectors consume from it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from services.command.api.app import mount_commands
from services.command.bootstrap import bootstrap as bootstrap_commands
from services.command.reminder_log import CommandReminderLog
from services.notifier.bootstrap import bootstrap as bootstrap_notifier
from services.projection.bootstrap import bootstrap as bootstrap_projections
from services.query_api import mount_query_api
from services.relay.bootstrap import RelayService
from services.relay.bootstrap import bootstrap as bootstrap_relay
from shared.access import open_tokens
from shared.clock import Clock
from shared.migrations import Presence, prepare_store
from shared.settings import Settings
from shared.web import service_app


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    """The product as `liaison run` serves it: the one server that makes its store
    (the embedded SQLite files) when it is not there yet."""
    prepare_store(settings, Presence.CREATE)
    commands = bootstrap_commands(settings, clock)
    projections = bootstrap_projections(settings, clock)
    relay: RelayService | None = None if settings.embedded else bootstrap_relay(settings)
    # In-process reminders: the inbox, and e-mail or a webhook if the settings name them.
    notifier = bootstrap_notifier(
        settings, projections.store, CommandReminderLog(commands.bus), clock
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        projections.start_feeds()
        if relay is not None:
            relay.start()
        notifier.start()
        try:
            yield
        finally:
            notifier.close()
            if relay is not None:
                relay.close()
            projections.close()
            commands.close()

    def mount_home(app: FastAPI) -> None:
        @app.get("/", include_in_schema=False)
        async def home() -> RedirectResponse:
            return RedirectResponse("/dashboard")

    return service_app(
        "embedded",
        title="liaison",
        description="党员密切联系群众 — a Party branch's liaison with the residents it serves: "
        "groups, posts, linked households, visits and year-end evaluations, event-sourced.",
        tokens=open_tokens(settings),
        mounts=[
            lambda app: mount_commands(app, commands),
            lambda app: mount_query_api(app, projections, commands),
            mount_home,
        ],
        checks={"event_store": commands.ready, "read_models": projections.ready},
        lifespan=lifespan,
    )
