"""Setup shared by the tests that invoke the real Lambda handler against the local stack:
the booking they send, the canary customer data that must never reach telemetry, and the
switch from dry run to live sending."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from naver_sms.app import handler as app_handler
from naver_sms.devstack.stack import LocalStack

NOW = "2026-11-20T09:00:00+09:00"
"""The invocation's clock: the morning of the bookings' visit day (a confirm SMS is due)."""
CANARY_PHONE = "010-4821-7365"
CANARY_NAME = "홍길동"


def booking(booking_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid confirmed booking at a known store, visiting on the day of `NOW`."""
    base = {
        "booking_id": booking_id,
        "store_id": "gangnam-01",
        "customer_name": CANARY_NAME,
        "phone": CANARY_PHONE,
        "visit_at": "2026-11-20T19:00:00+09:00",
        "party_size": 2,
        "status": "confirmed",
        "product": "디너 코스",
    }
    base.update(overrides)
    return base


def xray_trace_header(root: str, parent: str = "a1b2c3d4e5f60718") -> str:
    """The `_X_AMZN_TRACE_ID` Lambda sets for a sampled trace with this 32-hex-digit root."""
    return f"Root=1-{root[:8]}-{root[8:]};Parent={parent};Sampled=1"


def go_live(
    stack: LocalStack,
    monkeypatch: pytest.MonkeyPatch,
    *,
    trace_header: str,
    approved_at: datetime,
) -> None:
    """Everything live sending needs (env flag, SSM switch, approval), read fresh each time
    (no switch cache, no cached application), inside the trace `trace_header` names."""
    monkeypatch.setenv("SMS_SENDING_ENABLED", "true")
    monkeypatch.setenv("NAVER_SMS_SWITCH_CACHE_SECONDS", "0")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", trace_header)
    stack.set_switch("sms_sending", True)
    stack.set_approval("owner@example.com", approved_at=approved_at)
    app_handler.reset()
