"""EMF mode groups points: one document per (namespace, dimension sets, attribute values)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from opentelemetry.sdk.metrics.export import NumberDataPoint

from naver_sms.telemetry import catalog, instruments, setup, testing
from naver_sms.telemetry.exporters.emf import emf_documents
from naver_sms.telemetry.exporters.memory import MemoryExporters
from support.collector_outputs import (
    catalog_errors,
    emf_points,
    reference_errors,
    schema_errors,
)


@pytest.fixture
def emf(mem: MemoryExporters) -> None:
    testing.reset(traces_exporter="memory", metrics_exporter="emf")


def _flushed_docs(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    state = setup.current()
    assert state is not None
    state.flush(300)
    return [doc for doc in map(json.loads, capsys.readouterr().out.splitlines()) if "_aws" in doc]


def _metric_names(doc: dict[str, Any]) -> list[str]:
    (directive,) = doc["_aws"]["CloudWatchMetrics"]
    return sorted(m["Name"] for m in directive["Metrics"])


def test_points_sharing_dimensions_and_values_share_a_document(
    emf: None, capsys: pytest.CaptureFixture[str]
) -> None:
    instruments.record(catalog.SENS_REQUESTS, outcome="success")
    instruments.record(catalog.SENS_LATENCY, 12.0, outcome="success")
    instruments.record(catalog.TELEGRAM_NOTIFICATIONS, outcome="success")
    instruments.record(catalog.SENS_REQUESTS, outcome="server_error")
    instruments.record(catalog.BOOKINGS_PROCESSED, store_id="s1")
    instruments.record(catalog.BOOKINGS_PROCESSED, store_id="s2")
    instruments.record(catalog.BOOKINGS_FAILED, reason="invalid")
    instruments.record(catalog.COMPARISON_SMS_SENT_OLD, sms_type="confirm", store_id="s1")
    instruments.record(catalog.COMPARISON_SMS_SENT_NEW, sms_type="confirm", store_id="s1")
    docs = _flushed_docs(capsys)
    assert schema_errors(docs) == []
    assert [e for doc in docs for e in reference_errors(doc) + catalog_errors(doc)] == []
    groups = sorted(
        (doc["_aws"]["CloudWatchMetrics"][0]["Namespace"], _metric_names(doc), doc.get("outcome"))
        for doc in docs
    )
    assert groups == [
        ("naver-sms", ["bookings_failed"], None),
        ("naver-sms", ["bookings_processed"], None),
        ("naver-sms", ["bookings_processed"], None),
        ("naver-sms", ["sens_latency", "sens_requests", "telegram_notifications"], "success"),
        ("naver-sms", ["sens_requests"], "server_error"),
        ("naver-sms/comparison", ["sms_sent_new", "sms_sent_old"], None),
    ]
    shared = next(d for d in docs if d.get("outcome") == "success")
    assert shared["sens_latency"] == {"Count": 1, "Sum": 12.0, "Min": 12.0, "Max": 12.0}
    assert shared["sens_requests"] == 1
    assert shared["telegram_notifications"] == 1
    # CloudWatch extracts exactly one value per point recorded, with its own attributes.
    assert sorted(emf_points(docs), key=repr) == sorted(
        [
            ("sens_requests", {"outcome": "success"}, 1),
            ("sens_latency", {"outcome": "success"}, (1, 12.0)),
            ("telegram_notifications", {"outcome": "success"}, 1),
            ("sens_requests", {"outcome": "server_error"}, 1),
            ("bookings_processed", {"store_id": "s1"}, 1),
            ("bookings_processed", {"store_id": "s2"}, 1),
            ("bookings_failed", {"reason": "invalid"}, 1),
            ("sms_sent_old", {"sms_type": "confirm", "store_id": "s1"}, 1),
            ("sms_sent_new", {"sms_type": "confirm", "store_id": "s1"}, 1),
        ],
        key=repr,
    )


def _point(value: int, **attributes: str) -> NumberDataPoint:
    return NumberDataPoint(attributes, 0, 1_700_000_000_000_000_000, value)  # type: ignore[arg-type]


def test_points_with_other_dimension_sets_or_namespaces_are_not_merged() -> None:
    # A directive has one list of dimension sets (and one namespace) for all its metrics, so
    # points with the same attribute values but other dimension sets must not share it.
    by_store = replace(catalog.BOOKINGS_PROCESSED, name="a")
    rollup_only = replace(by_store, name="b", dimension_sets=((),))
    elsewhere = replace(by_store, name="c", namespace="other")
    same = replace(by_store, name="d")
    docs = emf_documents(
        [
            (by_store, _point(1, store_id="s1")),
            (rollup_only, _point(2, store_id="s1")),
            (elsewhere, _point(3, store_id="s1")),
            (same, _point(4, store_id="s1")),
        ]
    )
    assert [_metric_names(d) for d in docs] == [["a", "d"], ["b"], ["c"]]
    assert [d["_aws"]["Timestamp"] for d in docs] == [1_700_000_000_000] * 3
    assert docs[0]["a"] == 1
    assert docs[0]["d"] == 4
    assert docs[0]["store_id"] == "s1"


def test_a_document_never_holds_more_than_100_metrics() -> None:
    specs = [replace(catalog.INVOCATION_ERRORS, name=f"m{i}") for i in range(150)]
    docs = emf_documents([(spec, _point(i)) for i, spec in enumerate(specs)])
    assert [len(_metric_names(d)) for d in docs] == [100, 50]
    assert schema_errors(docs) == []
