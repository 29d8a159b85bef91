"""Telemetry tests share one process-wide SDK installation, reset to memory per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from naver_sms.telemetry import testing
from naver_sms.telemetry.exporters.memory import MemoryExporters


@pytest.fixture
def mem(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryExporters]:
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_LOG_LEVEL", raising=False)
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    yield testing.use_memory()
    testing.reset()
