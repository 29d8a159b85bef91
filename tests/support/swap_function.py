"""A small instrumented function for the exporter-swap tests: the same code, every exporter
chosen by the environment alone (run by :mod:`support.lambda_runtime` in a fresh process).

It carries canaries that must never leave the process in clear: a phone number and a
registered secret in a URL, a customer name and a phone number in a log line.
"""

from __future__ import annotations

from typing import Any

import structlog
from opentelemetry import trace

from naver_sms.telemetry import catalog, instrument_handler, instruments, register_secrets

CANARY_PHONE = "01044448888"
CANARY_NAME = "김철수"
CANARY_SECRET = "swap-canary-secret-0042"

register_secrets([CANARY_SECRET])
log = structlog.get_logger("swap")


@instrument_handler
def handler(event: Any, context: Any) -> dict[str, str]:
    log.info("booking_started", booking_id="S-1", customer_name=CANARY_NAME, phone=CANARY_PHONE)
    with instruments.booking_span("S-1", "store-1"):
        url = f"https://sens.local/{CANARY_SECRET}/messages?to={CANARY_PHONE}"
        with instruments.sens_request(url, "confirm", "store-1", 1) as call:
            call.finish("success", 202)
        with trace.get_tracer("swap.function").start_as_current_span(f"notify {CANARY_PHONE}"):
            pass
        instruments.record(catalog.SMS_SENT, sms_type="confirm", store_id="store-1", mode="live")
    instruments.record(catalog.BOOKINGS_PROCESSED, store_id="store-1")
    return {"status": "ran"}
