"""Records what each booking produced, in the capture format of the validation campaign.

One JSON line per booking processed in an invocation (see docs/capture.md and
shared spec `capture-format.md`). Volatile values (times, request ids, the mode, claim leases)
are written under `_`-prefixed keys, which the comparison ignores by contract.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

# DynamoDB attributes that describe the booking's outcome and are compared with the legacy
# Lambda; every other attribute is bookkeeping and becomes metadata.
STABLE_ITEM_KEYS = frozenset(
    {
        "booking_id",
        "store_id",
        "status",
        "people",
        "visit_at",
        "confirm_sms",
        "guide_sms",
        "cancel_sms",
    }
)


@dataclass
class BookingCapture:
    booking_id: str
    store_id: str | None
    sms: list[dict[str, Any]] = field(default_factory=list)
    dynamodb: list[dict[str, Any]] = field(default_factory=list)
    telegram: list[dict[str, Any]] = field(default_factory=list)

    def add_sms(
        self,
        sms_type: str,
        body: dict[str, Any],
        *,
        mode: str,
        sent_at: str,
        request_id: str | None,
    ) -> None:
        message = body["messages"][0]
        entry: dict[str, Any] = {
            "type": sms_type,
            "to": message["to"],
            "from": body["from"],
            "msg_type": body["type"],
            "content": message.get("content", body["content"]),
        }
        if message.get("subject") or body.get("subject"):
            entry["subject"] = message.get("subject") or body.get("subject")
        entry["_sent_at"] = sent_at
        entry["_mode"] = mode
        if request_id:
            entry["_request_id"] = request_id
        self.sms.append(entry)

    def add_dynamodb(self, table: str, op: str, item: dict[str, Any]) -> None:
        # Compared keys first, metadata last and sorted: the layout `naver-sms compare` reads
        # fastest (it cuts trailing `_` members out of the raw line) and a stable diff.
        projected = {k: item[k] for k in sorted(item) if k in STABLE_ITEM_KEYS}
        projected.update({f"_{k}": item[k] for k in sorted(item) if k not in STABLE_ITEM_KEYS})
        self.dynamodb.append(
            {"table": table, "key": {"booking_id": item["booking_id"]}, "op": op, "item": projected}
        )

    def add_telegram(self, chat_id: str, text: str, message_ids: list[int] | None) -> None:
        entry: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if message_ids:
            entry["_message_ids"] = message_ids
        self.telegram.append(entry)

    def to_json(self) -> dict[str, Any]:
        return {
            "booking_id": self.booking_id,
            "store_id": self.store_id,
            "sms": self.sms,
            "dynamodb": self.dynamodb,
            "telegram": self.telegram,
        }


class CaptureWriter:
    """Appends booking captures to a JSONL file (or any text stream)."""

    def __init__(self, target: Path | TextIO) -> None:
        self._path = target if isinstance(target, Path) else None
        self._stream: TextIO | None = None if isinstance(target, Path) else target

    def write(self, capture: BookingCapture) -> None:
        line = json.dumps(capture.to_json(), ensure_ascii=False, separators=(", ", ": "))
        if self._stream is None:
            assert self._path is not None
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._stream = self._path.open("a", encoding="utf-8")
        self._stream.write(line + "\n")
        self._stream.flush()

    def close(self) -> None:
        if self._path is not None and self._stream is not None:
            self._stream.close()
            self._stream = None
