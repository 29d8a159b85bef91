"""Builders for capture lines shaped like the spec examples (imported by the tests here)."""

from __future__ import annotations

from typing import Any


def sms(kind: str, content: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "to": "01012345678",
        "from": "0215881234",
        "msg_type": "SMS",
        "content": content,
        **extra,
    }


def write(table: str, booking_id: str, **item: Any) -> dict[str, Any]:
    return {
        "table": table,
        "key": {"booking_id": booking_id},
        "op": "PutItem",
        "item": {"booking_id": booking_id, **item},
    }


def booking(
    booking_id: str, store_id: str | None = "gangnam-01", **channels: Any
) -> dict[str, Any]:
    return {"booking_id": booking_id, "store_id": store_id, **channels}
