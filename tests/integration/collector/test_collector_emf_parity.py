"""`OTEL_METRICS_EXPORTER=emf` (naver_sms.telemetry.emf, EMF written by the function itself)
and the collector's `awsemf` must give CloudWatch the same metrics: same (namespace, metric,
dimension set, unit), same values, so dashboards and alarms do not care which path wrote them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from naver_sms.telemetry import catalog, testing
from support.collector import CollectorProcess, run_emitter, wait_until
from support.collector_emitter import emit
from support.collector_outputs import (
    catalog_signatures,
    emf_points,
    emf_signatures,
    parse_stdout,
    schema_errors,
)

pytestmark = pytest.mark.collector


@pytest.fixture
def python_emf() -> Iterator[None]:
    testing.reset(traces_exporter="none", metrics_exporter="emf", flush_ms=5_000, logs=False)
    yield
    testing.use_memory()


def _comparable(points: Iterable[tuple[str, dict[str, str], Any]]) -> Counter[str]:
    """Points as JSON text, latency by its count only (the sums differ between two runs)."""
    out: Counter[str] = Counter()
    for name, attrs, value in points:
        kept = value[0] if name == catalog.SENS_LATENCY.name else value
        # 100 and 100.0 are the same number to CloudWatch.
        out[json.dumps([name, attrs, float(kept)], sort_keys=True)] += 1
    return out


def test_function_emf_equals_collector_emf(
    python_emf: None, emf_collector: CollectorProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    emit("store-7", 4)
    state = testing.setup.current()
    assert state is not None
    result = state.flush(5_000)
    assert result is not None
    assert result.metrics_exported
    function_docs = parse_stdout(
        line for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
    ).emf

    run_emitter(emf_collector.otlp_http_endpoint, store="store-7", sms=4)
    wait_until(lambda: len(parse_stdout(emf_collector.stdout()).emf) >= 13, what="EMF")
    emf_collector.stop()
    collector_docs = parse_stdout(emf_collector.stdout()).emf

    assert schema_errors(function_docs) == []
    assert emf_signatures(function_docs) == emf_signatures(collector_docs) == catalog_signatures()
    assert _comparable(emf_points(function_docs)) == _comparable(emf_points(collector_docs))
