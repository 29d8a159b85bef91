"""End to end through the real collector: the production telemetry setup in fresh processes ->
OTLP/HTTP -> collector -> EMF on stdout, X-Ray segments on a local PutTraceSegments endpoint,
or (the swap) OTLP/HTTP to a local back end. `emf_collector` runs each test with local.yaml and
with config.yaml."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pytest

from naver_sms.telemetry import catalog
from support.collector import OTLP_BACKEND_HEADERS, CollectorProcess, run_emitter, wait_until
from support.collector_backends import OtlpReceiver, XRayEndpoint
from support.collector_outputs import (
    catalog_errors,
    catalog_signatures,
    doc_points,
    emf_points,
    emf_signatures,
    parse_stdout,
    reference_errors,
    schema_errors,
    xray_trace_id,
)

pytestmark = pytest.mark.collector

SPANS_PER_RUN = 6  # invocation, booking, 2 x DynamoDB, SENS, Telegram
METRIC_DOCS_PER_RUN = 13  # EMF documents the emitter's metric points group into
# Not inside a longer token: segment ids and times hold such digit runs.
PHONE = re.compile(r"(?<![0-9A-Za-z.])01[016789]-?\d{3,4}-?\d{4}(?![0-9A-Za-z])")


def _emf_ready(collector: CollectorProcess, runs: int) -> bool:
    return len(parse_stdout(collector.stdout()).emf) >= runs * METRIC_DOCS_PER_RUN


def _xray_ready(xray: XRayEndpoint, runs: int) -> bool:
    return len(xray.documents()) >= runs * SPANS_PER_RUN


def _freeze(points: Iterable[tuple[str, dict[str, str], Any]]) -> Counter[tuple[Any, ...]]:
    return Counter((name, tuple(sorted(attrs.items())), value) for name, attrs, value in points)


def _without_latency_sums(
    points: Iterable[tuple[str, dict[str, str], Any]],
) -> list[tuple[str, dict[str, str], Any]]:
    """Latency sums differ from run to run; their counts must not."""
    return [(n, a, v[0] if n == catalog.SENS_LATENCY.name else v) for n, a, v in points]


def test_emf_documents_are_valid_and_exactly_the_catalog(
    emf_collector: CollectorProcess,
) -> None:
    run_emitter(emf_collector.otlp_http_endpoint)
    wait_until(lambda: _emf_ready(emf_collector, 1), what="EMF documents")
    emf_collector.stop()
    out = parse_stdout(emf_collector.stdout())

    assert schema_errors(out.emf) == []
    assert [e for doc in out.emf for e in reference_errors(doc)] == []
    assert emf_signatures(out.emf) == catalog_signatures()
    for doc in out.emf:  # one namespace per document: awsemf groups by resource
        assert len({d["Namespace"] for d in doc["_aws"]["CloudWatchMetrics"]}) == 1


def _emitted(store: str, sms: int) -> Counter[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """The (namespace, metric, attributes) of every point `support.collector_emitter` makes."""
    ops, comp = catalog.NAMESPACE, catalog.COMPARISON_NAMESPACE
    types = {("confirm", "guide")[i % 2] for i in range(sms)}
    points = [
        *((ops, "sms_sent", {"mode": "dry_run", "sms_type": t, "store_id": store}) for t in types),
        (ops, "sens_requests", {"outcome": "success"}),
        (ops, "sens_latency", {"outcome": "success"}),
        (ops, "dynamodb_operations", {"operation": "GetItem", "outcome": "success"}),
        (ops, "dynamodb_operations", {"operation": "PutItem", "outcome": "success"}),
        (ops, "telegram_notifications", {"outcome": "success"}),
        (ops, "bookings_processed", {"store_id": store}),
        (ops, "bookings_failed", {"reason": "invalid"}),
        (ops, "invocation_errors", {}),
        (ops, "telemetry_export_failures", {"signal": "traces"}),
        (comp, "sms_sent_old", {"sms_type": "confirm", "store_id": store}),
        (comp, "sms_sent_new", {"sms_type": "confirm", "store_id": store}),
        (comp, "match_percentage", {"store_id": catalog.ALL_STORES}),
        (comp, "discrepancies", {"channel": "sms", "kind": "mismatch"}),
    ]
    return Counter((ns, name, tuple(sorted(attrs.items()))) for ns, name, attrs in points)


def _printed(docs: list[dict[str, Any]]) -> Counter[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """(namespace, metric, attributes) of every metric value in the EMF documents."""
    return Counter(
        (namespace, name, tuple(sorted(attrs.items())))
        for namespace in (catalog.NAMESPACE, catalog.COMPARISON_NAMESPACE)
        for name, attrs, _ in emf_points(docs, namespace)
    )


def test_no_plain_metric_line_and_each_value_once_in_its_namespace(
    emf_collector: CollectorProcess,
) -> None:
    """One awsemf exporter, each namespace on its own resource: every line the collector prints
    is EMF (no plain copy of a metric, which CloudWatch would only bill as log volume and Logs
    Insights would count twice), and every value appears exactly once, in its catalog namespace,
    with exactly the catalog's dimension sets and unit."""
    run_emitter(emf_collector.otlp_http_endpoint, store="store-4", sms=3)
    wait_until(lambda: _emf_ready(emf_collector, 1), what="EMF documents")
    emf_collector.stop()
    lines = [line for line in emf_collector.stdout() if line.strip()]
    out = parse_stdout(lines)

    assert out.raw == []
    assert all('"_aws"' in line for line in lines)
    assert len(out.emf) == len(lines) == METRIC_DOCS_PER_RUN
    assert [e for doc in out.emf for e in catalog_errors(doc)] == []
    assert _printed(out.emf) == _emitted("store-4", 3)
    # Nothing in a document that CloudWatch does not extract as a metric of its directive.
    for doc in out.emf:
        assert {name for name, _, _ in doc_points(doc)} == {
            m["Name"] for d in doc["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]
        }


def test_service_name_settings_do_not_move_metrics(
    emf_collector: CollectorProcess, xray_endpoint: XRayEndpoint
) -> None:
    """OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES rename the service in X-Ray; the CloudWatch
    namespaces stay the catalog's, because the pipeline sets them per namespace at flush."""
    env = {
        "OTEL_SERVICE_NAME": "naver-sms-prod",
        "OTEL_RESOURCE_ATTRIBUTES": "service.namespace=acme,service.name=other",
    }
    run_emitter(emf_collector.otlp_http_endpoint, store="store-5", sms=2, env=env)
    wait_until(lambda: _emf_ready(emf_collector, 1), what="EMF documents")
    wait_until(lambda: _xray_ready(xray_endpoint, 1), what="X-Ray segments")
    emf_collector.stop()
    out = parse_stdout(emf_collector.stdout())

    assert out.raw == []
    assert emf_signatures(out.emf) == catalog_signatures()
    assert _printed(out.emf) == _emitted("store-5", 2)
    roots = [d for d in xray_endpoint.documents() if d.get("type") != "subsegment"]
    assert [r["name"] for r in roots] == ["naver-sms-prod"]


def test_counts_add_up_exactly_over_cold_starts(
    emf_collector: CollectorProcess, xray_endpoint: XRayEndpoint
) -> None:
    runs = [("store-1", 2), ("store-2", 3), ("store-1", 5)]
    reports = [run_emitter(emf_collector.otlp_http_endpoint, store=s, sms=n) for s, n in runs]
    wait_until(lambda: _emf_ready(emf_collector, len(runs)), what="EMF documents")
    wait_until(lambda: _xray_ready(xray_endpoint, len(runs)), what="X-Ray segments")
    emf_collector.stop()
    out = parse_stdout(emf_collector.stdout())
    points = emf_points(out.emf, catalog.NAMESPACE)

    def total(metric: str, **attrs: str) -> float:
        return sum(v for n, a, v in points if n == metric and attrs.items() <= a.items())

    assert total("sms_sent") == 10
    assert total("sms_sent", store_id="store-1") == 7
    assert total("sms_sent", store_id="store-2") == 3
    assert total("sms_sent", sms_type="confirm") == 1 + 2 + 3
    assert total("bookings_processed") == 3
    assert total("dynamodb_operations", operation="GetItem") == 3
    assert total("sens_requests", outcome="success") == 3
    assert sum(v[0] for n, _, v in points if n == "sens_latency") == 3

    documents = xray_endpoint.documents()
    assert len(documents) == SPANS_PER_RUN * len(runs)
    by_trace = Counter(doc["trace_id"] for doc in documents)
    assert by_trace == {xray_trace_id(r["trace_id"]): SPANS_PER_RUN for r in reports}


def test_xray_segments_follow_the_aws_conventions(
    emf_collector: CollectorProcess, xray_endpoint: XRayEndpoint
) -> None:
    report = run_emitter(emf_collector.otlp_http_endpoint, store="store-9")
    wait_until(lambda: _xray_ready(xray_endpoint, 1), what="X-Ray segments")
    emf_collector.stop()
    documents = xray_endpoint.documents()
    assert xray_endpoint.errors == []
    assert {doc["trace_id"] for doc in documents} == {xray_trace_id(report["trace_id"])}

    roots = [d for d in documents if d.get("type") != "subsegment"]
    assert [r["name"] for r in roots] == ["naver-sms"]

    dynamodb = [d for d in documents if d.get("namespace") == "aws"]
    assert sorted(d["aws"]["operation"] for d in dynamodb) == ["GetItem", "PutItem"]
    for doc in dynamodb:
        assert doc["name"] == "DynamoDB"
        assert doc["type"] == "subsegment"
        assert doc["aws"]["table_name"] == "naver-sms-bookings"

    remote = {d["name"]: d for d in documents if d.get("namespace") == "remote"}
    assert set(remote) == {"naver-sens", "telegram"}
    assert remote["naver-sens"]["http"]["response"]["status"] == 202
    assert remote["naver-sens"]["http"]["request"]["method"] == "POST"
    assert remote["telegram"]["http"]["request"]["url"].endswith("/bot<redacted>/sendMessage")

    # Annotations (indexed) carry only the store and the SMS type; ids stay in metadata.
    annotated = {k for d in documents for k in d.get("annotations", {})}
    assert annotated == {"store.id", "sms.type"}
    assert remote["naver-sens"]["annotations"] == {"store.id": "store-9", "sms.type": "confirm"}
    booking = next(d for d in documents if d["name"] == "process_booking")
    assert booking["metadata"]["default"]["booking.id"] == "B-canary-1"
    assert PHONE.search(repr(documents)) is None


def test_otlp_swap_delivers_the_same_spans_and_points(
    emf_collector: CollectorProcess,
    xray_endpoint: XRayEndpoint,
    otlp_collector: CollectorProcess,
    otlp_receiver: OtlpReceiver,
) -> None:
    run_emitter(emf_collector.otlp_http_endpoint, store="store-3", sms=4)
    run_emitter(otlp_collector.otlp_http_endpoint, store="store-3", sms=4)
    wait_until(lambda: _emf_ready(emf_collector, 1), what="EMF documents")
    wait_until(lambda: _xray_ready(xray_endpoint, 1), what="X-Ray segments")
    wait_until(lambda: len(otlp_receiver.spans()) >= SPANS_PER_RUN, what="OTLP spans")
    wait_until(lambda: len(otlp_receiver.metric_points()) >= 14, what="OTLP metric points")
    emf_collector.stop()
    otlp_collector.stop()

    assert otlp_receiver.errors == []
    assert all(h.get("api-key") == OTLP_BACKEND_HEADERS["api-key"] for h in otlp_receiver.headers)
    spans = otlp_receiver.spans()
    assert len(spans) == len(xray_endpoint.documents()) == SPANS_PER_RUN
    assert len({span.trace_id for span in spans}) == 1
    assert Counter(span.name for span in spans) == Counter(
        {
            "naver-sms-test": 1,
            "process_booking": 1,
            "DynamoDB.GetItem": 1,
            "DynamoDB.PutItem": 1,
            "POST": 2,
        }
    )
    emf = parse_stdout(emf_collector.stdout()).emf
    assert _freeze(_without_latency_sums(otlp_receiver.metric_points())) == _freeze(
        _without_latency_sums(emf_points(emf))
    )


def test_xray_accepts_w3c_random_trace_ids(
    emf_collector: CollectorProcess, xray_endpoint: XRayEndpoint
) -> None:
    """awsxray v0.117.0 skips the trace-id epoch check (feature gate
    `exporter.awsxray.skiptimestampvalidation`, beta, on): X-Ray takes W3C random ids too. The
    X-Ray id generator is still what keeps a span tree inside the trace Lambda started."""
    report = run_emitter(emf_collector.otlp_http_endpoint, random_ids=True)
    wait_until(lambda: _xray_ready(xray_endpoint, 1), what="X-Ray segments")
    emf_collector.stop()
    assert {d["trace_id"] for d in xray_endpoint.documents()} == {xray_trace_id(report["trace_id"])}
