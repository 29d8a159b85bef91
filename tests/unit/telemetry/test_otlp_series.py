"""The OTLP metrics the pipeline encodes straight from the store's series are byte for byte
those `encode_metrics` writes for the same drain's MetricsData (itself checked against the
upstream encoder in test_otlp_proto)."""

from __future__ import annotations

from dataclasses import replace

from naver_sms.telemetry import catalog
from naver_sms.telemetry.aggregation import MetricStore, SeriesBatch
from naver_sms.telemetry.otlp_proto import encode_metrics, encode_series
from naver_sms.telemetry.resource import Resource

OTHER_NAMESPACE = replace(catalog.INVOCATION_ERRORS, name="elsewhere", namespace="acme/other")


def _record_round(store: MetricStore, round_: int) -> None:
    for index, spec in enumerate(catalog.METRICS):
        attrs = {name: f"{name}-{index % 3}" for name in spec.attributes}
        store.add(spec, index + 1, dict(attrs))  # ints: as_int
        if spec.instrument is not catalog.Instrument.COUNTER:
            store.add(spec, 0.25 * index + round_, dict(attrs))  # doubles, min/max, last value
    store.add(catalog.SENS_LATENCY, 12_345.5, {"outcome": "success"})  # overflow bucket
    store.add(catalog.SMS_SENT, 1, {"mode": "live", "store_id": "s", "sms_type": "guide"})
    store.add(catalog.SMS_SENT, 1, {"sms_type": "guide", "store_id": "s", "mode": "live"})
    store.add(OTHER_NAMESPACE, 1, {})


def _both(batch: SeriesBatch) -> tuple[bytes, bytes]:
    return encode_series(batch), encode_metrics(batch.metrics_data())


def test_series_encoding_equals_the_metrics_data_encoding() -> None:
    store = MetricStore()
    store.resource = Resource({"service.name": "naver-sms", "cloud.region": "ap-northeast-2"})
    for round_ in range(3):  # later rounds use each series' cached attribute bytes
        _record_round(store, round_)
        series_bytes, data_bytes = store.drain_with(_both)
        assert series_bytes == data_bytes
        assert len(series_bytes) > 500


def test_an_empty_drain_encodes_nothing() -> None:
    store = MetricStore()
    assert store.drain_with(_both) == (b"", b"")
