"""Structured logs: one JSON object per line, carrying the correlation id of the
request or message being handled, so one request can be followed across processes."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

import orjson

CORRELATION_ID: ContextVar[str | None] = ContextVar("correlation_id", default=None)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        correlation_id = CORRELATION_ID.get()
        if correlation_id:
            entry["correlation_id"] = correlation_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


def configure_logging(service: str, log_format: str | None = None) -> None:
    """JSON lines on stderr; plain text when a person is watching a terminal, unless
    ``log_format`` (``LIAISON_LOG_FORMAT``) says otherwise."""
    wanted = log_format or ("text" if sys.stderr.isatty() else "json")
    handler = logging.StreamHandler()
    if wanted == "json":
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request is noise
    logging.getLogger("alembic").setLevel(logging.WARNING)  # shared.migrations says what changed
    # A dozen lines per connection; liaison says when it loses or regains the broker.
    logging.getLogger("pika").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
