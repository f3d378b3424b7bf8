"""Moments in query parameters (``as_of``, ``since``, ``until``): every parameter that
takes a moment is declared with one of the types here, so none can forget the rule.

A moment may come with its zone (``2009-11-29T14:53:41+08:00``, ``…Z``), without one
(``2009-11-29T14:53:41``: that time where the branch is, ``LIAISON_TIMEZONE``), or as
a date (``2009-11-29``: that day where the branch is — its last instant for
``MomentUpTo`` (as of, until), its first for ``MomentFrom`` (since)). What comes out
is always timezone-aware, so it compares with the stored UTC times."""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from pydantic import AfterValidator, BeforeValidator
from starlette.types import ASGIApp, Receive, Scope, Send

DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# The zone of the app serving the request (a process may hold several apps in tests).
_LOCAL_ZONE: ContextVar[ZoneInfo] = ContextVar("liaison_local_zone")


def local_zone() -> ZoneInfo:
    try:
        return _LOCAL_ZONE.get()
    except LookupError:
        raise RuntimeError("install_local_time() was not called on this app") from None


def _day(at: time) -> BeforeValidator:
    def parse(value: Any) -> Any:
        if isinstance(value, str) and DATE_ONLY.match(value):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                return value  # not a real date: the datetime parser says why
            return datetime.combine(day, at, tzinfo=local_zone())
        return value

    return BeforeValidator(parse)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=local_zone())


MomentFrom = Annotated[datetime, _day(time.min), AfterValidator(_aware)]
MomentUpTo = Annotated[datetime, _day(time.max), AfterValidator(_aware)]


class _LocalTime:
    """Pure ASGI middleware: parameters of this app's requests are read in its zone."""

    def __init__(self, app: ASGIApp, zone: ZoneInfo) -> None:
        self.app = app
        self.zone = zone

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _LOCAL_ZONE.set(self.zone)
        try:
            await self.app(scope, receive, send)
        finally:
            _LOCAL_ZONE.reset(token)


def install_local_time(app: FastAPI, timezone: str) -> None:
    app.add_middleware(_LocalTime, zone=ZoneInfo(timezone))
