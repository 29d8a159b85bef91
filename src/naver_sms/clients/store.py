"""Per-booking SMS state in DynamoDB, written so that no SMS can go out twice.

Sending one SMS is claim -> send -> mark:
- `claim` is a conditional UpdateItem that succeeds only when the type was not sent yet (in the
  current mode) and no other run holds an unexpired claim; a retried or concurrent invocation
  loses the race and skips.
- `mark_sent` records the type as sent (with the mode: a dry run never blocks a later live send)
  and drops the claim; `release` drops the claim after a failed send so the next run retries.
- `mark_notified` records the owner's Telegram notification, retried on later runs until it
  succeeds, independently of the SMS.
Every call goes through `instruments.dynamodb_call` (CLIENT span + `dynamodb_operations`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from naver_sms.booking.models import Booking, SmsType
from naver_sms.telemetry import instruments

LIVE = "live"
DRY_RUN = "dry_run"
# SENS may or may not have delivered it (answer lost after the request went out): blocks every
# automatic resend until a person has checked the delivery report.
UNCERTAIN = "uncertain"
KEY = "booking_id"


@dataclass(frozen=True)
class BookingState:
    """What the table says about one booking."""

    sent: dict[SmsType, str]  # type -> mode it was sent in
    notified: frozenset[SmsType]

    def sent_in(self, mode: str) -> set[SmsType]:
        """Types that count as sent for `mode`: a dry-run mark does not block a live send."""
        if mode == LIVE:
            return {t for t, m in self.sent.items() if m in (LIVE, UNCERTAIN)}
        return set(self.sent)


EMPTY_STATE = BookingState({}, frozenset())


class StoreError(Exception):
    """DynamoDB failed for a reason other than a lost conditional race."""

    def __init__(self, operation: str, code: str) -> None:
        super().__init__(f"DynamoDB {operation} failed: {code}")
        self.operation = operation
        self.code = code


def table_definition(table_name: str) -> dict[str, Any]:
    """CreateTable arguments, shared by the local stack and the Terraform contract tests."""
    return {
        "TableName": table_name,
        "KeySchema": [{"AttributeName": KEY, "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": KEY, "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }


class BookingStore:
    def __init__(self, table_name: str, client: Any, region: str | None = None) -> None:
        self.table_name = table_name
        self._client = client
        self._region = region

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any] | None:
        """One DynamoDB call; returns None when a conditional check failed."""
        method = getattr(self._client, _SNAKE[operation])
        with instruments.dynamodb_call(operation, self.table_name, self._region) as call:
            try:
                response: dict[str, Any] = method(TableName=self.table_name, **kwargs)
            except Exception as exc:
                code = _error_code(exc)
                if code == "ConditionalCheckFailedException":
                    call.finish("conditional_check_failed")
                    return None
                call.finish("error", None, **{"aws.request_id": _request_id(exc)})
                raise StoreError(operation, code) from exc
            call.finish(
                "success",
                **{"aws.request_id": response.get("ResponseMetadata", {}).get("RequestId")},
            )
            return response

    def get(self, booking_id: str) -> BookingState:
        response = self._call("GetItem", Key={KEY: {"S": booking_id}}, ConsistentRead=True)
        item = (response or {}).get("Item")
        if not item:
            return EMPTY_STATE
        sent: dict[SmsType, str] = {}
        notified: set[SmsType] = set()
        for sms_type in SmsType:
            mode = item.get(f"{sms_type.value}_sms_mode", {}).get("S")
            if mode:
                sent[sms_type] = mode
            if item.get(f"{sms_type.value}_notified", {}).get("BOOL"):
                notified.add(sms_type)
        return BookingState(sent, frozenset(notified))

    def claim(
        self,
        booking: Booking,
        sms_type: SmsType,
        mode: str,
        now: datetime,
        lease_seconds: int = 300,
    ) -> bool:
        """Take the right to send `sms_type`; False when it is sent already or claimed."""
        t = sms_type.value
        condition = (
            "(attribute_not_exists(#mode) OR #mode = :dry) AND "
            if mode == LIVE
            else "attribute_not_exists(#mode) AND "
        )
        condition += "(attribute_not_exists(#claim) OR #claim < :now)"
        values: dict[str, Any] = {
            ":now": {"N": str(int(now.timestamp()))},
            ":until": {"N": str(int(now.timestamp()) + lease_seconds)},
            ":store": {"S": booking.store_id},
        }
        if mode == LIVE:
            values[":dry"] = {"S": DRY_RUN}
        response = self._call(
            "UpdateItem",
            Key={KEY: {"S": booking.booking_id}},
            UpdateExpression="SET #claim = :until, store_id = :store",
            ConditionExpression=condition,
            ExpressionAttributeNames={"#mode": f"{t}_sms_mode", "#claim": f"{t}_claim_until"},
            ExpressionAttributeValues=values,
        )
        return response is not None

    def mark_sent(
        self, booking: Booking, sms_type: SmsType, mode: str, now: datetime, request_id: str | None
    ) -> dict[str, Any]:
        """Record the send and return the item as it now stands (plain JSON values)."""
        t = sms_type.value
        names = {
            "#sent": f"{t}_sms",
            "#mode": f"{t}_sms_mode",
            "#at": f"{t}_sms_at",
            "#rid": f"{t}_request_id",
            "#claim": f"{t}_claim_until",
            "#status": "status",
            "#notified": f"{t}_notified",
        }
        values: dict[str, Any] = {
            ":true": {"BOOL": True},
            ":mode": {"S": mode},
            ":at": {"S": _iso(now)},
            ":rid": {"S": request_id or ""},
            ":store": {"S": booking.store_id},
            ":status": {"S": booking.status.value},
            ":people": {"N": str(booking.party_size)},
            ":visit": {"S": booking.visit_at.isoformat()},
        }
        response = self._call(
            "UpdateItem",
            Key={KEY: {"S": booking.booking_id}},
            UpdateExpression=(
                "SET #sent = :true, #mode = :mode, #at = :at, #rid = :rid, "
                "store_id = :store, #status = :status, people = :people, "
                "visit_at = :visit, updated_at = :at REMOVE #claim, #notified"
            ),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        return _plain((response or {}).get("Attributes", {}))

    def release(self, booking: Booking, sms_type: SmsType) -> None:
        self._call(
            "UpdateItem",
            Key={KEY: {"S": booking.booking_id}},
            UpdateExpression="REMOVE #claim",
            ExpressionAttributeNames={"#claim": f"{sms_type.value}_claim_until"},
        )

    def mark_uncertain(self, booking: Booking, sms_type: SmsType, now: datetime) -> None:
        """Hold the type forever: the claim is replaced by an `uncertain` mark."""
        t = sms_type.value
        self._call(
            "UpdateItem",
            Key={KEY: {"S": booking.booking_id}},
            UpdateExpression="SET #mode = :uncertain, #at = :at REMOVE #claim",
            ExpressionAttributeNames={
                "#mode": f"{t}_sms_mode",
                "#at": f"{t}_sms_at",
                "#claim": f"{t}_claim_until",
            },
            ExpressionAttributeValues={
                ":uncertain": {"S": UNCERTAIN},
                ":at": {"S": _iso(now)},
            },
        )

    def mark_notified(self, booking: Booking, sms_type: SmsType) -> None:
        self._call(
            "UpdateItem",
            Key={KEY: {"S": booking.booking_id}},
            UpdateExpression="SET #n = :true",
            ExpressionAttributeNames={"#n": f"{sms_type.value}_notified"},
            ExpressionAttributeValues={":true": {"BOOL": True}},
        )


_SNAKE = {"GetItem": "get_item", "UpdateItem": "update_item", "PutItem": "put_item"}


def _iso(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", type(exc).__name__))
    return type(exc).__name__


def _request_id(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        rid = response.get("ResponseMetadata", {}).get("RequestId")
        return str(rid) if rid else None
    return None


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB attribute values to plain JSON values (only the types this table uses)."""
    out: dict[str, Any] = {}
    for key, typed in item.items():
        ((kind, value),) = typed.items()
        if kind == "N":
            number = float(value)
            out[key] = int(number) if number.is_integer() else number
        elif kind in ("S", "BOOL"):
            out[key] = value
        elif kind == "NULL":
            out[key] = None
        else:
            out[key] = value
    return out
