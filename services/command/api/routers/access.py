"""Credentials: the committee admin issues and revokes tokens (asking who one is
belongs to the query API)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import Path, Request, Response
from pydantic import BaseModel, Field, model_validator

from services.command.api.routers import resource_router
from services.command.api.schemas import Body
from shared.access import Authorised
from shared.auth import PII, Principal, Role, Tokens
from shared.problems import ACCESS, BODY, SERVICE

router = resource_router("access", (*BODY, *ACCESS, *SERVICE))
TokenId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class IssueToken(Body):
    subject: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[\w.@-]+$")]
    role: Role
    branch_id: UUID | None = None
    member_id: UUID | None = None
    group_id: UUID | None = None
    pii: bool = Field(default=False, description="May see phone numbers and sensitive tags.")
    days: Annotated[int, Field(ge=1, le=366)] | None = None

    @model_validator(mode="after")
    def scoped(self) -> IssueToken:
        if self.role not in (Role.COMMITTEE_ADMIN, Role.AUDITOR) and self.branch_id is None:
            raise ValueError(f"a {self.role.value} acts for one branch: give branch_id")
        if self.role is Role.MEMBER and self.member_id is None:
            raise ValueError("a member's token names the member: give member_id")
        if self.role is Role.GROUP_LEADER and self.group_id is None:
            raise ValueError("a group leader's token names the group: give group_id")
        return self


class IssuedToken(BaseModel):
    token: str
    token_id: str
    expires_at: datetime


@router.post("/auth/tokens", status_code=201)
def issue_token(body: IssueToken, request: Request, principal: Authorised) -> IssuedToken:
    """A new bearer token (committee admin only)."""
    tokens: Tokens = request.app.state.tokens
    days = body.days or request.app.state.settings.token_days
    token, issued = tokens.issue(
        Principal(
            subject=body.subject,
            role=body.role,
            branch_id=body.branch_id,
            member_id=body.member_id,
            group_id=body.group_id,
            grants=frozenset({PII}) if body.pii else frozenset(),
        ),
        timedelta(days=days),
    )
    assert issued.expires_at is not None
    return IssuedToken(token=token, token_id=issued.token_id, expires_at=issued.expires_at)


@router.delete("/auth/tokens/{token_id}", status_code=204)
def revoke_token(token_id: TokenId, request: Request, principal: Authorised) -> Response:
    """Revokes a token everywhere within seconds (committee admin only)."""
    tokens: Tokens = request.app.state.tokens
    tokens.revocations.revoke(token_id, by=principal.subject)
    return Response(status_code=204)
