from __future__ import annotations

import json
from typing import Any

import pytest

from naver_sms.telemetry import catalog, instruments, setup, testing
from naver_sms.telemetry.exporters.memory import MemoryExporters
from support.collector_outputs import (
    catalog_errors,
    catalog_signatures,
    emf_points,
    emf_signatures,
    reference_errors,
    schema_errors,
)


@pytest.fixture
def emf(mem: MemoryExporters) -> None:
    testing.reset(traces_exporter="memory", metrics_exporter="emf")


def _docs(out: str) -> list[dict[str, Any]]:
    return [doc for doc in map(json.loads, out.splitlines()) if "_aws" in doc]


def _flush() -> None:
    state = setup.current()
    assert state is not None
    state.flush(300)


def test_points_become_valid_emf_documents_with_catalog_dimensions(
    emf: None, capsys: pytest.CaptureFixture[str]
) -> None:
    instruments.record(catalog.SMS_SENT, sms_type="confirm", store_id="s1", mode="live")
    instruments.record(catalog.SMS_SENT, sms_type="confirm", store_id="s1", mode="live")
    instruments.record(catalog.BOOKINGS_FAILED, reason="invalid")
    instruments.record(catalog.INVOCATION_ERRORS)
    instruments.record(catalog.SENS_LATENCY, 12.0, outcome="success")
    instruments.record(catalog.SENS_LATENCY, 30.0, outcome="success")
    instruments.record(catalog.COMPARISON_MATCH_PERCENTAGE, 97.5, store_id="all")
    _flush()
    docs = _docs(capsys.readouterr().out)
    assert len(docs) == 5
    assert schema_errors(docs) == []
    assert [e for doc in docs for e in reference_errors(doc)] == []
    assert emf_signatures(docs) <= catalog_signatures()
    # Namespaces from the catalog, unaffected by the per-namespace resources of the flush.
    assert [e for doc in docs for e in catalog_errors(doc)] == []
    assert sorted(emf_points(docs), key=repr) == sorted(
        [
            ("sms_sent", {"sms_type": "confirm", "store_id": "s1", "mode": "live"}, 2),
            ("bookings_failed", {"reason": "invalid"}, 1),
            ("invocation_errors", {}, 1),
            ("sens_latency", {"outcome": "success"}, (2, 42.0)),
            ("match_percentage", {"store_id": "all"}, 97.5),
        ],
        key=repr,
    )
    latency = next(d for d in docs if "sens_latency" in d)
    assert latency["sens_latency"] == {"Count": 2, "Sum": 42.0, "Min": 12.0, "Max": 30.0}
    sms = next(d for d in docs if "sms_sent" in d)
    assert sms["_aws"]["CloudWatchMetrics"] == [
        {
            "Namespace": "naver-sms",
            "Dimensions": [["mode", "sms_type"], ["mode", "sms_type", "store_id"]],
            "Metrics": [{"Name": "sms_sent", "Unit": "Count"}],
        }
    ]
    comparison = next(d for d in docs if "match_percentage" in d)
    assert comparison["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "naver-sms/comparison"


def test_delta_per_flush_and_nothing_written_when_idle(
    emf: None, capsys: pytest.CaptureFixture[str]
) -> None:
    instruments.record(catalog.SENS_REQUESTS, outcome="success")
    _flush()
    _flush()
    instruments.record(catalog.SENS_REQUESTS, outcome="success")
    instruments.record(catalog.SENS_REQUESTS, outcome="success")
    _flush()
    docs = _docs(capsys.readouterr().out)
    assert [d["sens_requests"] for d in docs] == [1, 2]
