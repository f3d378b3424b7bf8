"""The v1 command endpoints, one router per resource: each endpoint builds one
command from the path and body and dispatches it."""

from typing import Any

from fastapi import APIRouter, Depends

from shared.access import authorised

PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid bearer token", **PROBLEM},
    403: {"description": "The principal's role may not do this", **PROBLEM},
    404: {"description": "Unknown branch or resource in the path", **PROBLEM},
    409: {"description": "A business rule refused the command", **PROBLEM},
    422: {"description": "Invalid input or unknown reference", **PROBLEM},
    503: {"description": "The event store is unavailable; retry", **PROBLEM},
}

BRANCH = "/branches/{branch_id}"


def resource_router(tag: str) -> APIRouter:
    return APIRouter(
        prefix="/v1", tags=[tag], responses=RESPONSES, dependencies=[Depends(authorised)]
    )
