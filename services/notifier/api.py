"""The in-app inbox: the reminders that reached the signed-in principal (a member's
own; a secretary's also those for their branch's secretary)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from services.notifier.notifier import addressees
from services.notifier.outbox import Outbox
from shared.access import Authorised, authorised
from shared.auth import Role
from shared.problem_types import Problem
from shared.problems import ACCESS, SERVICE, problem_responses

router = APIRouter(
    prefix="/v1",
    responses=problem_responses(*ACCESS, *SERVICE, Problem.VALIDATION_ERROR),
    dependencies=[Depends(authorised)],
)


class InboxEntry(BaseModel):
    id: UUID
    branch_id: UUID
    what: str
    due_on: date
    kind: str
    subject: str
    body: str
    received_at: datetime


class Inbox(BaseModel):
    reminders: list[InboxEntry]


@router.get("/inbox", tags=["access"])
async def inbox(
    request: Request,
    principal: Authorised,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Inbox:
    """Reminders that reached you in the app, the latest first."""
    outbox: Outbox = request.app.state.outbox
    secretary_of = principal.branch_id if principal.role is Role.BRANCH_SECRETARY else None
    whom = addressees(principal.member_id, secretary_of)
    rows = await run_in_threadpool(outbox.inbox, whom, limit) if whom else []
    return Inbox(
        reminders=[
            InboxEntry(
                id=row.id,
                branch_id=row.branch_id,
                what=row.what,
                due_on=row.due_on,
                kind=row.kind,
                subject=row.subject,
                body=row.body,
                received_at=row.inbox_at,
            )
            for row in rows
        ]
    )


def mount_inbox(app: FastAPI, outbox: Outbox) -> None:
    app.state.outbox = outbox
    app.include_router(router)
