"""Builders for capture lines shaped like the spec examples (imported by the tests here)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

SPEC_EXAMPLES = Path("/work/shared/spec/examples")
REPO = Path(__file__).resolve().parents[3]

# What the `write_capture` fixture (conftest.py) returns. Tests import names from here, never
# from `conftest`: with several conftest.py files in one run, `conftest` is whichever loaded
# first.
WriteCapture = Callable[[str, Iterable[Any]], Path]


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
