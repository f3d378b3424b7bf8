"""The v1 command endpoints, derived from the commands' declarations
(``services.command.commands``): one POST route per command, whose path parameters and
JSON body are the command's fields, named and documented by it. Nothing here names a
command or one of its fields."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin, get_type_hints
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request, Response, params
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, create_model

from services.command.api.running import Context, command_context, outcome_headers, run
from services.command.bus import CommandBus
from services.command.commands import COMMANDS, Command
from services.command.values import Body
from shared.access import BEARER, authenticated, authorised
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


COMMAND_OF_OPERATION = {command.operation(): command for command in COMMANDS}


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
            model, errors = _validated(adapter, body)
            return await handler(_Validated(request, body, model, errors))

        return validating


def _validated(adapter: TypeAdapter[Any], body: bytes) -> tuple[Any, list[Any] | None]:
    """The body validated as JSON, or why not (located in the body, as FastAPI would)."""
    try:
        return adapter.validate_json(body), None
    except ValidationError as exc:
        return None, [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]


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


def json_body_router(
    problems: tuple[Problem, ...] = COMMAND_PROBLEMS, route_class: type[APIRoute] = JsonBodyRoute
) -> APIRouter:
    """A router whose routes take strict JSON bodies, after access is checked."""
    return APIRouter(
        prefix="/v1",
        responses=problem_responses(*problems),
        dependencies=[Depends(authorised), Depends(body_is_valid)],
        route_class=route_class,
    )


@dataclass(frozen=True)
class _Parameter:
    """A path parameter or a header, read as FastAPI reads it: found by ``key``,
    validated (lax, as text arrives), its errors located at ``loc``."""

    name: str
    key: str
    loc: tuple[str, str]
    adapter: TypeAdapter[Any]
    default: Any = None


def _in_path(command: type[Command]) -> dict[str, Any]:
    """Each of the command's fields in its path, as a path parameter's annotation."""
    assert command.route is not None
    fields = command.model_fields
    return {
        name: Annotated[fields[name].annotation, Path(), *fields[name].metadata]
        for name in command.route.path_fields
    }


def _path_parameters(command: type[Command]) -> list[_Parameter]:
    return [
        _Parameter(name, name, ("path", name), TypeAdapter(annotation))
        for name, annotation in _in_path(command).items()
    ]


def _headers_of(declared: Callable[..., Any]) -> list[_Parameter]:
    """The headers a function declares (its parameters annotated with ``Header()``)."""
    hints = get_type_hints(declared, include_extras=True)
    headers = []
    for name, parameter in inspect.signature(declared).parameters.items():
        hint = hints[name]
        if get_origin(hint) is not Annotated:
            continue
        kind, *extras = get_args(hint)
        for extra in extras:
            if isinstance(extra, params.Header):
                key = extra.alias or name.replace("_", "-")
                adapter: TypeAdapter[Any] = TypeAdapter(Annotated[kind, extra])
                headers.append(_Parameter(name, key, ("header", key), adapter, parameter.default))
    return headers


def _read(
    parameters: list[_Parameter], received: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Any]]:
    values: dict[str, Any] = {}
    errors: list[Any] = []
    for parameter in parameters:
        value = received.get(parameter.key)
        if value is None:
            values[parameter.name] = parameter.default
            continue
        try:
            values[parameter.name] = parameter.adapter.validate_python(value)
        except ValidationError as exc:
            errors.extend(
                {**error, "loc": (*parameter.loc, *error["loc"])}
                for error in exc.errors(include_url=False)
            )
    return values, errors


# What FastAPI answers when a required body is missing.
BODY_MISSING = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
# The headers a command takes, as ``command_context`` declares them.
CONTEXT_HEADERS = _headers_of(command_context)


class CommandRoute(JsonBodyRoute):
    """A command's route, answered without FastAPI's dependency solving per request
    (a fifth of the command API's CPU): one handler, built once per route, does what
    the declared chain does, in its order — ``authorised`` (401, then 403 or 404), the
    body validated as JSON (422), the headers ``command_context`` declares and the
    path parameters (422, together, as FastAPI reports them), then the command run on
    the bus in the thread pool. FastAPI still reads the same declarations (the
    endpoint's signature, the router's dependencies) for the OpenAPI document."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        command = COMMAND_OF_OPERATION[self.name]
        assert self.body_field is not None
        assert self.status_code is not None
        body_type = self.body_field.field_info.annotation
        assert body_type is not None
        adapter: TypeAdapter[Any] = TypeAdapter(body_type)
        path_parameters = _path_parameters(command)
        status_code = self.status_code

        async def handle(request: Request) -> Response:
            principal = await authorised(
                request, await authenticated(request, await BEARER(request))
            )
            raw = await request.body()
            body, body_errors = _validated(adapter, raw) if raw else (None, [BODY_MISSING])
            if raw and body_errors:
                raise RequestValidationError(body_errors)
            headers, header_errors = _read(CONTEXT_HEADERS, request.headers)
            path, path_errors = _read(path_parameters, request.path_params)
            errors = [*header_errors, *path_errors, *(body_errors or ())]
            if errors or body is None:
                raise RequestValidationError(errors)
            context = await command_context(principal, **headers)
            bus: CommandBus = request.app.state.bus
            outcome = await run_in_threadpool(
                run, bus, request, command.model_construct(**path, **dict(body)), body, context
            )
            written = outcome.written
            result = WriteResult(id=written.id, version=written.version, position=written.position)
            return Response(
                result.model_dump_json(),
                status_code,
                outcome_headers(outcome, context),
                media_type="application/json",
            )

        return handle


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


def _declaration(command: type[Command]) -> Callable[..., WriteResult]:
    """What FastAPI documents a command's route by: a function whose signature is
    ``(path parameters..., body, context) -> WriteResult``. ``CommandRoute`` answers the
    requests; this is never called."""
    body_type = body_of(command)

    def endpoint(**_: Any) -> WriteResult:
        raise AssertionError(f"{command.__name__} is answered by its CommandRoute")

    keyword = inspect.Parameter.KEYWORD_ONLY
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            *(
                inspect.Parameter(name, keyword, annotation=annotation)
                for name, annotation in _in_path(command).items()
            ),
            inspect.Parameter("body", keyword, annotation=body_type),
            inspect.Parameter("context", keyword, annotation=Context),
        ],
        return_annotation=WriteResult,
    )
    return endpoint


def command_router() -> APIRouter:
    router = json_body_router(route_class=CommandRoute)
    for command in COMMANDS:
        route = command.route
        if route is None:
            continue
        router.add_api_route(
            route.path,
            _declaration(command),
            methods=["POST"],
            name=command.operation(),
            status_code=201 if route.creates else 200,
            tags=[route.tag],
            summary=(command.__doc__ or "").split("\n")[0].rstrip("."),
            description=command.__doc__ or "",
            response_model=WriteResult,
        )
    return router
