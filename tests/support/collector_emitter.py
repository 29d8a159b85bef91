"""One "cold start": a fresh process that configures the OpenTelemetry SDK, emits every catalog
metric and the booking-flow spans through `naver_sms.telemetry.instruments`, flushes once, and
exits. Run as a script (`python -m support.collector_emitter ENDPOINT`, from tests/); it prints
one JSON line describing what it emitted (trace id, SMS count) for the test to compare.

The SDK is configured here, as the telemetry engineers' `setup` will do in the Lambda: OTLP/HTTP
to the collector, X-Ray id generator (the awsxray exporter rejects trace ids that do not start
with a current epoch), DELTA temporality for every instrument kind.
"""

from __future__ import annotations

import argparse
import json
import sys

from opentelemetry import metrics, trace
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
from opentelemetry.sdk.metrics import (
    Counter,
    Histogram,
    MeterProvider,
    ObservableCounter,
    ObservableGauge,
    ObservableUpDownCounter,
    UpDownCounter,
    _Gauge,
)
from opentelemetry.sdk.metrics.export import AggregationTemporality, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import SpanKind

DELTA: dict[type, AggregationTemporality] = {
    kind: AggregationTemporality.DELTA
    for kind in (
        Counter,
        UpDownCounter,
        Histogram,
        ObservableCounter,
        ObservableUpDownCounter,
        ObservableGauge,
        _Gauge,
    )
}
TABLE = "naver-sms-bookings"
SENS_URL = "https://sens.apigw.ntruss.com/sms/v2/services/ncp:sms:kr:0000:svc/messages"
TELEGRAM_URL = "https://api.telegram.org/bot<redacted>/sendMessage"


def configure(endpoint: str, xray_ids: bool = True) -> tuple[TracerProvider, MeterProvider]:
    resource = Resource.create(
        {
            "service.name": "naver-sms",
            "service.version": "test",
            "cloud.provider": "aws",
            "faas.name": "naver-sms-test",
        }
    )
    id_generator = AwsXRayIdGenerator() if xray_ids else RandomIdGenerator()
    tracer_provider = TracerProvider(resource=resource, id_generator=id_generator)
    tracer_provider.add_span_processor(
        SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces", timeout=5))
    )
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(
            endpoint=f"{endpoint}/v1/metrics", timeout=5, preferred_temporality=DELTA
        ),
        export_interval_millis=3_600_000,  # only the explicit flush exports
    )
    meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    return tracer_provider, meter_provider


def emit(store_id: str, sms_count: int) -> dict[str, object]:
    """Every catalog metric at least once, and one booking's spans; returns what was emitted."""
    # Imported after the providers are set so the instruments bind to them.
    from naver_sms.telemetry import catalog, instruments  # noqa: PLC0415

    tracer = trace.get_tracer("naver-sms")
    with tracer.start_as_current_span("naver-sms-test", kind=SpanKind.SERVER) as root:
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
    tracer_provider, meter_provider = configure(args.endpoint, xray_ids=not args.random_ids)
    emitted = emit(args.store, args.sms)
    ok = tracer_provider.force_flush(10_000) and meter_provider.force_flush(10_000)
    meter_provider.shutdown()
    tracer_provider.shutdown()
    print(json.dumps({**emitted, "flushed": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
