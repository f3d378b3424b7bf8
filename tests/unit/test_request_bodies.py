"""Every request body follows the same rules, declared once: strict (nothing coerced),
every text field of the one ``Text`` type (or a pattern), every date a ``Day``
("YYYY-MM-DD"), so that a body added later cannot slip past them. The commands are the
bodies (with their path's ids); the token request is a body of its own."""

from __future__ import annotations

import types
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

import services.command.api.app  # noqa: F401  (imports every body)
from services.command.commands import COMMANDS
from services.command.values import Body, Day, Text


def bodies(cls: type[BaseModel] = Body) -> Iterator[type[BaseModel]]:
    if cls is Body:
        yield from (command for command in COMMANDS if command.route is not None)
    for sub in cls.__subclasses__():
        yield sub
        yield from bodies(sub)


def leaves(annotation: Any, metadata: list[Any]) -> Iterator[tuple[Any, list[Any]]]:
    """Each plain type a field may hold, with the metadata that applies to it."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *more = get_args(annotation)
        yield from leaves(base, [*metadata, *more])
    elif origin in (Union, types.UnionType):
        for option in get_args(annotation):
            yield from leaves(option, metadata)
    elif origin in (list, tuple):
        yield from leaves(get_args(annotation)[0], [])
    else:
        yield annotation, metadata


def test_every_body_is_strict_and_its_text_and_dates_follow_one_rule() -> None:
    as_a_day = get_args(Day)[1]
    checked = 0
    for body in bodies():
        assert body.model_config.get("strict") is True, body
        assert body.model_config.get("extra") == "forbid", body
        for name, field in body.model_fields.items():
            for kind, metadata in leaves(field.annotation, list(field.metadata)):
                where = f"{body.__name__}.{name}"
                if kind is str:
                    patterned = any(getattr(m, "pattern", None) for m in metadata)
                    assert patterned or any(isinstance(m, Text) for m in metadata), where
                if kind is date:
                    assert as_a_day in metadata, where
                checked += 1
    assert checked > 100
