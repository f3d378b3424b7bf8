"""Credentials: the committee admin issues and revokes tokens (asking who one is
belongs to the query API)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.command.api.routes import json_body_router
from services.command.values import Body
from shared.access import Authorised
from shared.auth import PII, SUBJECT_MAX_LENGTH, SUBJECT_PATTERN, Principal, Role, Tokens
from shared.problems import ACCESS, BODY, SERVICE

router = json_body_router((*BODY, *ACCESS, *SERVICE))
TokenId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class IssueToken(Body):
    """A principal: each role names exactly the ids it acts on (``shared.auth.SCOPE``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "subject": "secretary-zhang",
                    "role": "branch_secretary",
                    "branch_id": "0b9f4b52-8c1e-4a52-9a43-3c55f1a0d6e1",
                }
            ]
        }
    )

    subject: Annotated[
        str, Field(min_length=1, max_length=SUBJECT_MAX_LENGTH, pattern=SUBJECT_PATTERN)
    ]
    role: Role
    branch_id: UUID | None = Field(
        default=None,
        description="The branch acted for: every role but the committee admin and auditors.",
    )
    member_id: UUID | None = Field(default=None, description="A member's own id (members only).")
    group_id: UUID | None = Field(default=None, description="The group a group leader leads.")
    pii: bool = Field(default=False, description="May see phone numbers and sensitive tags.")
    days: Annotated[int, Field(ge=1, le=366)] | None = None

    @model_validator(mode="after")
    def keeps_the_rules(self) -> IssueToken:
        self.principal()  # a principal that breaks the rules cannot be built: 422
        return self

    def principal(self) -> Principal:
        return Principal(
            subject=self.subject,
            role=self.role,
            branch_id=self.branch_id,
            member_id=self.member_id,
            group_id=self.group_id,
            grants=frozenset({PII}) if self.pii else frozenset(),
        )


class IssuedToken(BaseModel):
    token: str
    token_id: str
    expires_at: datetime


@router.post("/auth/tokens", status_code=201, tags=["access"])
def issue_token(body: IssueToken, request: Request, principal: Authorised) -> IssuedToken:
    """A new bearer token (committee admin only)."""
    tokens: Tokens = request.app.state.tokens
    days = body.days or request.app.state.settings.token_days
    token, issued = tokens.issue(body.principal(), timedelta(days=days))
    assert issued.expires_at is not None
    return IssuedToken(token=token, token_id=issued.token_id, expires_at=issued.expires_at)


@router.delete("/auth/tokens/{token_id}", status_code=204, tags=["access"])
def revoke_token(token_id: TokenId, request: Request, principal: Authorised) -> Response:
    """Revokes a token everywhere within seconds (committee admin only)."""
    tokens: Tokens = request.app.state.tokens
    tokens.revocations.revoke(token_id, by=principal.subject)
    return Response(status_code=204)
