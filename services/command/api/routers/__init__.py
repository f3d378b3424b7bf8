"""The v1 command endpoints, one router per resource: each endpoint builds one
command from the path and body and dispatches it."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError

from shared.access import authorised
from shared.problem_types import Problem
from shared.problems import ACCESS, BODY, SERVICE, problem_responses

# Any command may break any of the branch's rules (409) that its aggregates hold.
COMMAND_PROBLEMS = (
    *BODY,
    *ACCESS,
    *SERVICE,
    Problem.UNKNOWN_REFERENCE,
    Problem.INVALID_VALUE,
    Problem.IDEMPOTENCY_KEY_REUSED,
    *(kind for kind in Problem if kind.status == 409),
)

BRANCH = "/branches/{branch_id}"


class JsonBodyRoute(APIRoute):
    """Validates the body as the JSON it arrived as. FastAPI would parse it to Python
    objects first, and validate those: leniently ("yes" taken for true, "2009" for
    2009), or, in the strict mode the bodies declare (``schemas.Body``), wanting
    ``date`` and ``UUID`` instances that JSON cannot hold. Validated as JSON, strict
    mode means JSON's strictness: true for a boolean, 2009 for a year, "2009-11-01"
    for a date. FastAPI then takes the validated model as it is; a body that is not
    valid is refused by ``body_is_valid``, once the principal may use the route."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        body_type = self.body_field.field_info.annotation if self.body_field else None
        if body_type is None:
            return handler
        adapter: TypeAdapter[Any] = TypeAdapter(body_type)

        async def validating(request: Request) -> Response:
            body = await request.body()
            if not body:
                return await handler(request)  # FastAPI says the body is required
            try:
                validated = _Validated(request, body, adapter.validate_json(body))
            except ValidationError as exc:
                errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
                validated = _Validated(request, body, None, errors)
            return await handler(validated)

        return validating


class _Validated(Request):
    """The request with its body read and validated: what FastAPI's ``json()`` gets."""

    def __init__(
        self, request: Request, body: bytes, model: Any, errors: list[Any] | None = None
    ) -> None:
        super().__init__(request.scope, request.receive)
        self._raw = body
        self._model = model
        self.errors = errors

    async def body(self) -> bytes:
        return self._raw

    async def json(self) -> Any:
        return self._model


async def body_is_valid(request: Request) -> None:
    """Refuses an invalid body after ``authorised``: whoever may not use a route
    learns nothing from it about the body it takes."""
    if isinstance(request, _Validated) and request.errors:
        raise RequestValidationError(request.errors)


def resource_router(tag: str, problems: tuple[Problem, ...] = COMMAND_PROBLEMS) -> APIRouter:
    return APIRouter(
        prefix="/v1",
        tags=[tag],
        responses=problem_responses(*problems),
        dependencies=[Depends(authorised), Depends(body_is_valid)],
        route_class=JsonBodyRoute,
    )
