"""Personal data in answers: phone numbers and sensitive tags (low-income, disabled,
living alone...) are masked unless the principal holds the ``pii`` grant."""

from __future__ import annotations

from typing import Any

MASKED_TAG = "***"


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    if len(phone) <= 5:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 5) + phone[-2:]


def mask_tags(tags: list[str]) -> list[str]:
    return [MASKED_TAG for _ in tags]


def mask_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of an event's data (or a row) with its personal fields masked."""
    masked = dict(data)
    if isinstance(masked.get("phone"), str):
        masked["phone"] = mask_phone(masked["phone"])
    if isinstance(masked.get("tags"), list):
        masked["tags"] = mask_tags(masked["tags"])
    return masked
