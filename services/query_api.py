"""The query API's composition root: the read models' queries, documents and
dashboard (``services.projection``) beside the audit endpoints (``services.audit``),
recording exports by running ``RecordExport`` on a command bus."""

from __future__ import annotations

from fastapi import FastAPI

from services.audit.api import mount_audit
from services.command.bootstrap import CommandService
from services.command.export_log import CommandExportLog
from services.importer.api import mount_imports
from services.importer.service import ImportService
from services.notifier.api import mount_inbox
from services.notifier.outbox import Outbox
from services.projection.api.app import mount_queries
from services.projection.bootstrap import ProjectionService
from shared.auth import Tokens
from shared.export_log import install_export_log
from shared.web import service_app


def mount_query_api(app: FastAPI, projections: ProjectionService, commands: CommandService) -> None:
    """What the query API serves, on its own app or the embedded one (the inbox: the
    reminders the notifier's outbox delivered)."""
    install_export_log(app, CommandExportLog(commands.bus))
    mount_queries(app, projections)
    mount_audit(app, projections.event_log)
    mount_imports(app, ImportService(commands, projections))
    mount_inbox(app, Outbox(projections.store.writer))


def create_query_app(
    projections: ProjectionService, commands: CommandService, tokens: Tokens
) -> FastAPI:
    return service_app(
        "query",
        title="liaison query API",
        description="Rosters, coverage, evaluations and the audit trail of a Party branch.",
        tokens=tokens,
        mounts=[lambda app: mount_query_api(app, projections, commands)],
        checks={"read_models": projections.ready},
    )
