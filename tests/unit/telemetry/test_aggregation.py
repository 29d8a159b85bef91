"""The delta metric store: what each drain hands to the exporters, and what it forgets.

Each test uses a private :class:`MetricStore` (the process-wide `STORE` stays untouched),
except the one going through `instruments.record` inside `testing.capture()`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import Histogram as SdkHistogram
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from naver_sms.telemetry import catalog, instruments, testing
from naver_sms.telemetry.aggregation import (
    AggregationTemporality,
    Gauge,
    Histogram,
    HistogramDataPoint,
    Metric,
    MetricsData,
    MetricStore,
    NumberDataPoint,
    Sum,
)
from naver_sms.telemetry.resource import SCOPE, Resource

# OpenTelemetry's default explicit bucket boundaries (specification, "Explicit Bucket
# Histogram Aggregation").
OTEL_DEFAULT_BOUNDS = (
    0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0,
    1000.0, 2500.0, 5000.0, 7500.0, 10000.0,
)  # fmt: skip

SMS = {"sms_type": "confirm", "store_id": "s1", "mode": "live"}


@pytest.fixture
def store() -> MetricStore:
    store = MetricStore()
    store.resource = Resource({"service.name": "naver-sms"})
    return store


def _metrics(data: MetricsData) -> dict[str, Metric]:
    return {
        metric.name: metric
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for metric in sm.metrics
    }


def _points(metric: Metric) -> dict[tuple[tuple[str, Any], ...], Any]:
    return {tuple(sorted(p.attributes.items())): p for p in metric.data.data_points}


def test_counters_sum_per_attribute_values(store: MetricStore) -> None:
    store.add(catalog.SENS_REQUESTS, 1, {"outcome": "success"})
    store.add(catalog.SENS_REQUESTS, 2, {"outcome": "success"})
    store.add(catalog.SENS_REQUESTS, 1, {"outcome": "server_error"})
    store.add(catalog.COMPARISON_DISCREPANCIES, 2.5, {"channel": "sms", "kind": "mismatch"})
    store.add(catalog.COMPARISON_DISCREPANCIES, 0.5, {"channel": "sms", "kind": "mismatch"})
    assert store.pending() == 3
    data = store.drain()
    metrics = _metrics(data)
    sens = metrics["sens_requests"]
    assert isinstance(sens.data, Sum)
    assert sens.data.aggregation_temporality is AggregationTemporality.DELTA
    assert int(sens.data.aggregation_temporality) == 1  # OTLP's value
    assert sens.data.is_monotonic
    assert (sens.unit, sens.description) == (
        catalog.SENS_REQUESTS.unit,
        catalog.SENS_REQUESTS.description,
    )
    assert {k: p.value for k, p in _points(sens).items()} == {
        (("outcome", "success"),): 3,
        (("outcome", "server_error"),): 1,
    }
    (discrepancies,) = metrics["discrepancies"].data.data_points
    assert isinstance(discrepancies, NumberDataPoint)
    assert discrepancies.value == 3.0
    assert sorted(data.points(), key=repr) == sorted(
        [
            ("sens_requests", {"outcome": "success"}, 3),
            ("sens_requests", {"outcome": "server_error"}, 1),
            ("discrepancies", {"channel": "sms", "kind": "mismatch"}, 3.0),
        ],
        key=repr,
    )
    assert all(sm.scope is SCOPE for rm in data.resource_metrics for sm in rm.scope_metrics)


LATENCIES = [0.0, -1.0, 3.0, 5.0, 5.0001, 10.0, 24.9, 99.0, 100.0, 750.0, 9999.0, 10000.0, 12000.5]


def test_histogram_count_sum_min_max_and_buckets(store: MetricStore) -> None:
    for value in LATENCIES:
        store.add(catalog.SENS_LATENCY, value, {"outcome": "success"})
    store.add(catalog.SENS_LATENCY, 42.0, {"outcome": "timeout"})
    metric = _metrics(store.drain())["sens_latency"]
    assert isinstance(metric.data, Histogram)
    assert metric.data.aggregation_temporality is AggregationTemporality.DELTA
    points = _points(metric)
    point = points[(("outcome", "success"),)]
    assert isinstance(point, HistogramDataPoint)
    assert point.count == len(LATENCIES)
    assert point.sum == pytest.approx(sum(LATENCIES))
    assert (point.min, point.max) == (-1.0, 12000.5)
    assert tuple(point.explicit_bounds) == OTEL_DEFAULT_BOUNDS
    # Buckets (-inf,0], (0,5], (5,10], ... (7500,10000], (10000,+inf): upper bound inclusive.
    assert list(point.bucket_counts) == [2, 2, 2, 1, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 2, 1]
    assert sum(point.bucket_counts) == point.count
    other = points[(("outcome", "timeout"),)]
    assert (other.count, other.sum, other.min, other.max) == (1, 42.0, 42.0, 42.0)
    assert list(other.bucket_counts) == [0, 0, 0, 0, 1] + [0] * 11


def _sdk_histogram(values: list[float]) -> Any:
    """The same values through the OpenTelemetry SDK (a dev dependency), default aggregation."""
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader], shutdown_on_exit=False)
    histogram = provider.get_meter("t").create_histogram("h")
    for value in values:
        histogram.record(value, {"outcome": "success"})
    data = reader.get_metrics_data()
    assert data is not None
    (metric,) = data.resource_metrics[0].scope_metrics[0].metrics
    assert isinstance(metric.data, SdkHistogram)
    (point,) = metric.data.data_points
    provider.shutdown()
    return point


def test_histogram_matches_the_opentelemetry_sdk(store: MetricStore) -> None:
    values = [v for v in LATENCIES if v >= 0]  # the SDK's histograms take no negative values
    for value in values:
        store.add(catalog.SENS_LATENCY, value, {"outcome": "success"})
    (ours,) = _metrics(store.drain())["sens_latency"].data.data_points
    assert isinstance(ours, HistogramDataPoint)
    sdk = _sdk_histogram(values)
    assert tuple(ours.explicit_bounds) == tuple(sdk.explicit_bounds)
    assert list(ours.bucket_counts) == list(sdk.bucket_counts)
    assert (ours.count, ours.min, ours.max) == (sdk.count, sdk.min, sdk.max)
    assert ours.sum == pytest.approx(sdk.sum)


def test_gauge_keeps_the_last_value(store: MetricStore) -> None:
    spec = catalog.COMPARISON_MATCH_PERCENTAGE
    store.add(spec, 90.0, {"store_id": "all"})
    store.add(spec, 97.5, {"store_id": "all"})
    store.add(spec, 50.0, {"store_id": "s1"})
    metric = _metrics(store.drain())["match_percentage"]
    assert isinstance(metric.data, Gauge)
    assert {k: p.value for k, p in _points(metric).items()} == {
        (("store_id", "all"),): 97.5,
        (("store_id", "s1"),): 50.0,
    }
    assert all(isinstance(p, NumberDataPoint) for p in metric.data.data_points)


def test_drain_is_delta(store: MetricStore) -> None:
    store.add(catalog.SMS_SENT, 1, SMS)
    store.add(catalog.SENS_LATENCY, 10.0, {"outcome": "success"})
    first = store.drain()
    assert sorted(first.points(), key=repr) == sorted(
        [("sms_sent", SMS, 1), ("sens_latency", {"outcome": "success"}, (1, 10.0))], key=repr
    )
    assert store.pending() == 0
    assert store.drain().resource_metrics == []  # nothing new: nothing at all
    store.add(catalog.SMS_SENT, 1, SMS)
    store.add(catalog.SMS_SENT, 1, SMS)
    store.add(catalog.BOOKINGS_FAILED, 1, {"reason": "invalid"})
    assert sorted(store.drain().points(), key=repr) == sorted(
        [("sms_sent", SMS, 2), ("bookings_failed", {"reason": "invalid"}, 1)], key=repr
    )


def _times(data: MetricsData) -> set[tuple[int, int]]:
    return {
        (p.start_time_unix_nano, p.time_unix_nano)
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
        for p in m.data.data_points
    }


def test_each_drain_starts_where_the_previous_one_ended() -> None:
    before = time.time_ns()
    store = MetricStore()
    store.add(catalog.SMS_SENT, 1, SMS)
    store.add(catalog.SENS_LATENCY, 1.0, {"outcome": "success"})
    ((start1, end1),) = _times(store.drain())  # every point of a drain: one interval
    after = time.time_ns()
    assert before <= start1 <= end1 <= after
    store.drain()  # an empty drain still closes an interval
    store.add(catalog.SMS_SENT, 1, SMS)
    ((start2, end2),) = _times(store.drain())
    assert start2 > end1
    store.add(catalog.SMS_SENT, 1, SMS)
    ((start3, end3),) = _times(store.drain())
    assert start3 == end2
    assert end3 >= start3


def test_attribute_order_does_not_split_a_series(store: MetricStore) -> None:
    store.add(catalog.SMS_SENT, 1, {"sms_type": "confirm", "store_id": "s1", "mode": "live"})
    store.add(catalog.SMS_SENT, 1, {"mode": "live", "store_id": "s1", "sms_type": "confirm"})
    store.add(catalog.SMS_SENT, 1, {"store_id": "s1", "mode": "live", "sms_type": "confirm"})
    assert store.pending() == 1
    assert store.drain().points() == [("sms_sent", SMS, 3)]


@pytest.fixture
def captured() -> Iterator[testing.Captured]:
    with testing.capture() as captured:
        yield captured


def test_keyword_order_in_record_does_not_split_a_series(captured: testing.Captured) -> None:
    instruments.record(catalog.SMS_SENT, sms_type="guide", store_id="s2", mode="dry_run")
    instruments.record(catalog.SMS_SENT, mode="dry_run", store_id="s2", sms_type="guide")
    instruments.record(catalog.SMS_SENT, store_id="s2", sms_type="guide", mode="dry_run")
    assert captured.metric_points() == [
        ("sms_sent", {"sms_type": "guide", "store_id": "s2", "mode": "dry_run"}, 3)
    ]
    assert captured.counter("sms_sent") == {
        (("mode", "dry_run"), ("sms_type", "guide"), ("store_id", "s2")): 3
    }


def test_discard_forgets_everything_and_restarts_the_interval(store: MetricStore) -> None:
    store.add(catalog.SMS_SENT, 5, SMS)
    store.add(catalog.SENS_LATENCY, 1.0, {"outcome": "success"})
    assert store.pending() == 2
    before = time.time_ns()
    store.discard()
    after = time.time_ns()
    assert store.pending() == 0
    store.add(catalog.SMS_SENT, 1, SMS)
    data = store.drain()
    assert data.points() == [("sms_sent", SMS, 1)]  # nothing from before the discard
    ((start, _),) = _times(data)
    assert before <= start <= after  # the next interval starts at the discard
    store.discard()
    assert store.drain().resource_metrics == []


def test_a_series_keeps_the_spec_it_was_recorded_with(store: MetricStore) -> None:
    renamed = replace(catalog.INVOCATION_ERRORS, name="errors_x", description="d", unit="1")
    store.add(renamed, 1, {})
    (metric,) = _metrics(store.drain()).values()
    assert (metric.name, metric.description, metric.unit) == ("errors_x", "d", "1")
    assert metric.data.data_points[0].attributes == {}
