"""The v1 command endpoints, derived from the commands' declarations
(``services.command.commands``): one POST route per command, whose path parameters and
JSON body are the command's fields, named and documented by it. Nothing here names a
command or one of its fields."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, create_model

from services.command.api.running import Run
from services.command.commands import COMMANDS, Command
from services.command.values import Body
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


class WriteResult(BaseModel):
    id: UUID = Field(description="The aggregate written.")
    version: int = Field(description="Its version after the write.")
    position: int = Field(
        description="Global event-store position of the last event written; pass it as "
        "min_position to a query to read your own write."
    )


class JsonBodyRoute(APIRoute):
    """Validates the body as the JSON it arrived as. FastAPI would parse it to Python
    objects first, and validate those: leniently ("yes" taken for true, "2009" for
    2009), or, in the strict mode the bodies declare (``values.Body``), wanting ``date``
    and ``UUID`` instances that JSON cannot hold. Validated as JSON, strict mode means
    JSON's strictness: true for a boolean, 2009 for a year, "2009-11-01" for a date.
    FastAPI then takes the validated model as it is; a body that is not valid is
    refused by ``body_is_valid``, once the principal may use the route."""

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


def json_body_router(problems: tuple[Problem, ...] = COMMAND_PROBLEMS) -> APIRouter:
    """A router whose routes take strict JSON bodies, after access is checked."""
    return APIRouter(
        prefix="/v1",
        responses=problem_responses(*problems),
        dependencies=[Depends(authorised), Depends(body_is_valid)],
        route_class=JsonBodyRoute,
    )


def body_of(command: type[Command]) -> type[Body]:
    """The command's fields that are not in its path, as the request body."""
    assert command.route is not None
    in_path = set(command.route.path_fields)
    fields: dict[str, Any] = {
        name: (field.annotation, field)
        for name, field in command.model_fields.items()
        if name not in in_path
    }
    return create_model(f"{command.__name__}Body", __base__=Body, __doc__=None, **fields)


def _endpoint(command: type[Command]) -> Callable[..., WriteResult]:
    """A function FastAPI reads as ``(path parameters..., body, run) -> WriteResult``."""
    body_type = body_of(command)

    def endpoint(*, body: Body, run: Run, **path: Any) -> WriteResult:
        # Both parts were validated on the way in: the command is only assembled.
        written = run(command.model_construct(**path, **dict(body)), body)
        return WriteResult(id=written.id, version=written.version, position=written.position)

    assert command.route is not None
    keyword = inspect.Parameter.KEYWORD_ONLY
    fields = command.model_fields
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            *(
                inspect.Parameter(
                    name,
                    keyword,
                    annotation=Annotated[fields[name].annotation, Path(), *fields[name].metadata],
                )
                for name in command.route.path_fields
            ),
            inspect.Parameter("body", keyword, annotation=body_type),
            inspect.Parameter("run", keyword, annotation=Run),
        ],
        return_annotation=WriteResult,
    )
    return endpoint


def command_router() -> APIRouter:
    router = json_body_router()
    for command in COMMANDS:
        route = command.route
        if route is None:
            continue
        router.add_api_route(
            route.path,
            _endpoint(command),
            methods=["POST"],
            name=command.operation(),
            status_code=201 if route.creates else 200,
            tags=[route.tag],
            summary=(command.__doc__ or "").split("\n")[0].rstrip("."),
            description=command.__doc__ or "",
            response_model=WriteResult,
        )
    return router
