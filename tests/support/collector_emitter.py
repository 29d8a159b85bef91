"""One "cold start": a fresh process that sets up telemetry with the production path
(`naver_sms.telemetry.configure`, OTLP/HTTP to the collector), emits every catalog metric and the
booking-flow spans through `naver_sms.telemetry.instruments`, flushes once with
`naver_sms.telemetry.flush` and exits. Run as a script (`python -m support.collector_emitter
ENDPOINT`, from tests/); it prints one JSON line describing what it emitted (trace id, SMS
count, flush outcome) for the test to compare.

The production path matters here: the pipeline's flush is what puts each CloudWatch namespace
on its own resource, from which the collector's single `awsemf` exporter takes the namespace.
The process environment is honoured (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, ...), so a
test can prove those do not move metrics to another namespace.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from opentelemetry import trace
from opentelemetry.sdk.trace import RandomIdGenerator

from naver_sms import telemetry
from naver_sms.telemetry import catalog, instruments
from naver_sms.telemetry.setup import Telemetry

TABLE = "naver-sms-bookings"
SENS_URL = "https://sens.apigw.ntruss.com/sms/v2/services/ncp:sms:kr:0000:svc/messages"
TELEGRAM_URL = "https://api.telegram.org/bot<redacted>/sendMessage"
SPANS = 6  # the invocation, the booking, 2 x DynamoDB, SENS, Telegram


def configure(endpoint: str, xray_ids: bool = True) -> Telemetry:
    """The production setup (X-Ray ids, DELTA, the per-invocation pipeline), OTLP to `endpoint`."""
    environ = {**os.environ, "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}
    state = telemetry.configure(
        traces_exporter="otlp",
        metrics_exporter="otlp",
        flush_ms=10_000,
        enabled=True,
        environ=environ,
        logs=False,
    )
    if not xray_ids:
        # W3C random trace ids: no epoch seconds in the first 32 bits (this process only).
        trace.get_tracer_provider().id_generator = RandomIdGenerator()  # type: ignore[attr-defined]
        instruments.bind(state.pipeline)
    return state


def emit(store_id: str, sms_count: int) -> dict[str, object]:
    """Every catalog metric at least once, and one booking's spans; returns what was emitted."""
    with instruments.tracer().start_as_current_span(
        "naver-sms-test", kind=trace.SpanKind.SERVER
    ) as root:
        with instruments.booking_span("B-canary-1", store_id):
            with instruments.dynamodb_call("GetItem", TABLE, "us-east-1") as call:
                call.finish("success", 200, **{"aws.request_id": "REQ1"})
            with instruments.sens_request(SENS_URL, "confirm", store_id, 1) as call:
                call.finish("success", 202, **{"sens.request_id": "SENS1"})
            with instruments.dynamodb_call("PutItem", TABLE, "us-east-1") as call:
                call.finish("success", 200)
            with instruments.telegram_request(TELEGRAM_URL, 1) as call:
                call.finish("success", 200)
        for i in range(sms_count):
            instruments.record(
                catalog.SMS_SENT,
                sms_type=("confirm", "guide")[i % 2],
                store_id=store_id,
                mode="dry_run",
            )
        instruments.record(catalog.BOOKINGS_PROCESSED, store_id=store_id)
        instruments.record(catalog.BOOKINGS_FAILED, reason="invalid")
        instruments.record(catalog.INVOCATION_ERRORS)
        instruments.record(catalog.TELEMETRY_EXPORT_FAILURES, signal="traces")
        instruments.record(
            catalog.COMPARISON_SMS_SENT_OLD, 3, sms_type="confirm", store_id=store_id
        )
        instruments.record(
            catalog.COMPARISON_SMS_SENT_NEW, 3, sms_type="confirm", store_id=store_id
        )
        instruments.record(catalog.COMPARISON_MATCH_PERCENTAGE, 100.0, store_id=catalog.ALL_STORES)
        instruments.record(catalog.COMPARISON_DISCREPANCIES, 2, channel="sms", kind="mismatch")
        trace_id = root.get_span_context().trace_id
    return {"trace_id": f"{trace_id:032x}", "sms_sent": sms_count, "store_id": store_id}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("endpoint", help="OTLP/HTTP base URL of the collector")
    parser.add_argument("--store", default="store-1")
    parser.add_argument("--sms", type=int, default=3)
    parser.add_argument("--random-ids", action="store_true", help="W3C random trace ids")
    args = parser.parse_args(argv)
    configure(args.endpoint, xray_ids=not args.random_ids)
    emitted = emit(args.store, args.sms)
    result = telemetry.flush()
    ok = (
        result is not None
        and result.metrics_exported
        and result.spans_exported == SPANS
        and not result.failures
    )
    print(json.dumps({**emitted, "flushed": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
