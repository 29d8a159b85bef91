from __future__ import annotations

from collections.abc import Iterator

import pytest

from naver_sms.telemetry.testing import Captured, capture

from .scripted_server import FakeClock, ScriptedServer

# What the `telemetry` fixture yields: ended spans (`.spans`) and metric totals (`.counter`).
Telemetry = Captured


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    """Spans and metrics the clients emit through the real instruments module, kept in memory
    (the tracer's sink and the metric store are restored and emptied afterwards)."""
    with capture() as captured:
        yield captured
