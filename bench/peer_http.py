"""The second peer: the obvious HTTP service a user would build on ``eventsourcing``
instead of liaison, in the shape of the library's FastAPI example — one
``Application``, each request creates an aggregate and saves it (one event), no
relay, no read models, no access checks. It answers the bench's mix on the same
paths so the same load generator drives it.

Run by the bench: ``uvicorn bench.peer_http:app --workers 2`` with the library's
``POSTGRES_*`` settings in the environment."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from fastapi import FastAPI
from pydantic import BaseModel


class Visit(Aggregate):
    @event("Recorded")
    def __init__(
        self, branch_id: UUID, member_id: UUID, household_id: UUID, visited_on: str, purpose: str
    ) -> None:
        self.branch_id = branch_id
        self.member_id = member_id
        self.household_id = household_id
        self.visited_on = visited_on
        self.purpose = purpose


class Link(Aggregate):
    @event("Linked")
    def __init__(self, household_id: UUID, member_id: UUID) -> None:
        self.household_id = household_id
        self.member_id = member_id


class Rating(Aggregate):
    @event("Rated")
    def __init__(self, member_id: UUID, year: int, grade: str) -> None:
        self.member_id = member_id
        self.year = year
        self.grade = grade


class Assignment(Aggregate):
    @event("Assigned")
    def __init__(self, post_id: UUID, member_id: UUID, service_content: str, pledge: str) -> None:
        self.post_id = post_id
        self.member_id = member_id
        self.service_content = service_content
        self.pledge = pledge


class Branch(Application[UUID]):
    def create(self, aggregate: Aggregate) -> dict[str, Any]:
        recordings = self.save(aggregate)
        return {"id": str(aggregate.id), "position": recordings[-1].notification.id}


class VisitIn(BaseModel):
    id: UUID
    member_id: UUID
    household_id: UUID
    visited_on: date
    purpose: str


class LinkIn(BaseModel):
    member_id: UUID


class RatingIn(BaseModel):
    year: int
    grade: str


class AssignmentIn(BaseModel):
    member_id: UUID
    service_content: str
    pledge: str


app = FastAPI()
branches = Branch()


@app.get("/readyz")
def ready() -> dict[str, str]:
    return {"status": "ready"}


@app.post("/v1/branches/{branch_id}/visits", status_code=201)
def record_visit(branch_id: UUID, body: VisitIn) -> dict[str, Any]:
    return branches.create(
        # The library transcodes no dates out of the box: the obvious thing is a string.
        Visit(
            branch_id, body.member_id, body.household_id, body.visited_on.isoformat(), body.purpose
        )
    )


@app.post("/v1/branches/{branch_id}/households/{household_id}/link", status_code=201)
def link_household(branch_id: UUID, household_id: UUID, body: LinkIn) -> dict[str, Any]:
    return branches.create(Link(household_id, body.member_id))


@app.post("/v1/branches/{branch_id}/members/{member_id}/ratings", status_code=201)
def rate_member(branch_id: UUID, member_id: UUID, body: RatingIn) -> dict[str, Any]:
    return branches.create(Rating(member_id, body.year, body.grade))


@app.post("/v1/branches/{branch_id}/posts/{post_id}/assignments", status_code=201)
def assign_post(branch_id: UUID, post_id: UUID, body: AssignmentIn) -> dict[str, Any]:
    return branches.create(Assignment(post_id, body.member_id, body.service_content, body.pledge))
