"""Exporter settings that cannot make an exporter cost the signal, never the function's start."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from naver_sms.telemetry import testing


@pytest.fixture(autouse=True)
def _memory_after() -> Iterator[None]:
    yield
    testing.reset()  # back to the memory exporters the other tests expect


@pytest.mark.parametrize(
    "environ",
    [
        {"OTEL_EXPORTER_OTLP_HEADERS": "x-api-key=%E2%9C%93abc"},  # not latin-1
        {"OTEL_EXPORTER_OTLP_HEADERS": "a=b%0D%0AX-Injected: 1"},  # header injection
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "localhost:4318"},  # no scheme
    ],
    ids=["non-latin-1 header", "line break in a header", "endpoint without scheme"],
)
def test_configure_logs_the_setting_and_exports_nothing_for_that_signal(
    environ: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # configure() installs the JSON log chain itself: read its lines from stdout.
    state = testing.reset(traces_exporter="otlp", metrics_exporter="memory", environ=environ)
    logs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert state.pipeline is not None
    assert state.pipeline.span_exporter is None
    assert state.traces_exporter == "none"
    assert state.pipeline.metric_exporter is not None  # the other signal is untouched
    (event,) = [e for e in logs if e["event"] == "telemetry_config_invalid"]
    assert event["variable"] == "OTEL_TRACES_EXPORTER"
    assert event["using"] == "none"
