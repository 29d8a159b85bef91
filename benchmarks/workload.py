"""The reference workload shared by every variant: the same three client calls and the same
10 metric points; only how each variant observes them differs.

The three calls go to :class:`benchmarks.services.Downstream` (``BENCH_DOWNSTREAM_URL``):
one DynamoDB ``GetItem`` through boto3 and two JSON POSTs through ``urllib`` (a SENS-like
send and a Telegram-like notification), exactly the client stack naver-sms uses.
"""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any

import boto3
from botocore.config import Config

TABLE = "naver-sms-bookings"
REGION = os.environ.get("AWS_REGION", "ap-northeast-2")
_BASE = os.environ.get("BENCH_DOWNSTREAM_URL", "http://127.0.0.1:9")
SENS_URL = f"{_BASE}/sms/v2/services/ncp:sms:kr:bench:svc/messages"
TELEGRAM_URL = f"{_BASE}/bot123456:BENCHTOKEN/sendMessage"
TELEGRAM_URL_REDACTED = f"{_BASE}/bot<redacted>/sendMessage"
STORE = "gangnam-01"

# (name, unit, value, attributes): the 10 points every variant records per invocation.
# naver-sms's client helpers record the first four by themselves.
METRIC_POINTS: tuple[tuple[str, str, float, dict[str, str]], ...] = (
    ("dynamodb_operations", "Count", 1, {"operation": "GetItem", "outcome": "success"}),
    ("sens_requests", "Count", 1, {"outcome": "success"}),
    ("sens_latency", "Milliseconds", 1.7, {"outcome": "success"}),
    ("telegram_notifications", "Count", 1, {"outcome": "success"}),
    ("sms_sent", "Count", 1, {"sms_type": "confirm", "store_id": STORE, "mode": "live"}),
    ("sms_sent", "Count", 1, {"sms_type": "guide", "store_id": STORE, "mode": "live"}),
    ("sms_sent", "Count", 1, {"sms_type": "cancel", "store_id": "hongdae-02", "mode": "live"}),
    ("bookings_processed", "Count", 1, {"store_id": STORE}),
    ("bookings_processed", "Count", 1, {"store_id": "hongdae-02"}),
    ("bookings_failed", "Count", 1, {"reason": "invalid"}),
)


def dynamodb_client() -> Any:
    """Built at init, like a real function's clients."""
    return boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=_BASE,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def get_item(client: Any) -> dict[str, Any]:
    item: dict[str, Any] = client.get_item(TableName=TABLE, Key={"booking_id": {"S": "B-1"}})
    return item


def _post(url: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(  # noqa: S310 - loopback http only
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        response.read()
        status: int = response.status
        return status


def post_sens() -> int:
    return _post(
        SENS_URL,
        {
            "type": "SMS",
            "from": "0212345678",
            "content": "[강남점] 예약이 확정되었습니다.",
            "messages": [{"to": "01000000000"}],
        },
    )


def post_telegram() -> int:
    return _post(TELEGRAM_URL, {"chat_id": "-100123", "text": "confirm SMS 발송: 1 (강남점)"})
