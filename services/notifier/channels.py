"""Where a reminder goes besides the in-app inbox: e-mail over SMTP and an outgoing
webhook, each only when configured. Both carry the reminder's id (``Message-ID``,
``Idempotency-Key``) so a receiver can tell a reminder it has had."""

from __future__ import annotations

import json
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit
from urllib.request import Request, urlopen

from shared.settings import Settings

TIMEOUT_SECONDS = 10.0


class Channel(Protocol):
    name: str

    def send(self, reminder: Any) -> None:
        """Delivers the reminder (an outbox row) or raises."""
        ...


class Email:
    name = "email"

    def __init__(self, url: str, sender: str, recipient: str) -> None:
        parts = urlsplit(url)
        self._host, self._port = parts.hostname or "localhost", parts.port or 25
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._sender, self._recipient = sender, recipient

    def send(self, reminder: Any) -> None:
        message = EmailMessage()
        message["From"], message["To"] = self._sender, self._recipient
        message["Subject"] = reminder.subject
        message["Message-ID"] = make_msgid(idstring=str(reminder.id))
        message["X-Liaison-Reminder"] = str(reminder.id)
        message.set_content(f"{reminder.body}\n\n收件：{reminder.whom}\n")
        with smtplib.SMTP(self._host, self._port, timeout=TIMEOUT_SECONDS) as smtp:
            if self._user is not None:
                smtp.login(self._user, self._password or "")
            smtp.send_message(message)


class Webhook:
    name = "webhook"

    def __init__(self, url: str) -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"a webhook is an http(s) URL, not {url!r}")
        self._url = url

    def send(self, reminder: Any) -> None:
        payload = {
            "id": str(reminder.id),
            "branch_id": str(reminder.branch_id),
            "what": reminder.what,
            "whom": reminder.whom,
            "due_on": reminder.due_on.isoformat(),
            "kind": reminder.kind,
            "subject": reminder.subject,
            "text": reminder.body,
        }
        request = Request(  # noqa: S310 (http or https only: see __init__)
            self._url,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json", "Idempotency-Key": str(reminder.id)},
            method="POST",
        )
        # urlopen raises for an answer that is not 2xx or 3xx.
        with urlopen(request, timeout=TIMEOUT_SECONDS):  # noqa: S310
            pass


def configured_channels(settings: Settings) -> list[Channel]:
    """The channels the settings configure (none: the inbox alone)."""
    channels: list[Channel] = []
    if settings.smtp_url and settings.smtp_to:
        channels.append(Email(settings.smtp_url, settings.smtp_from, settings.smtp_to))
    if settings.webhook_url:
        channels.append(Webhook(settings.webhook_url))
    return channels
