"""Fixtures for tests through the real collector built by `make collector` (marker `collector`).

A missing binary is an error, not a skip: `make test` builds it first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.collector import (
    LAMBDA_CONFIG,
    LOCAL_CONFIG,
    OTLP_BACKEND_HEADERS,
    OTLP_CONFIG,
    CollectorProcess,
    require_binary,
)
from support.collector_backends import OtlpReceiver, XRayEndpoint


@pytest.fixture(scope="session")
def collector_binary() -> Path:
    return require_binary()


@pytest.fixture
def xray_endpoint() -> Iterator[XRayEndpoint]:
    with XRayEndpoint() as endpoint:
        yield endpoint


@pytest.fixture(params=["local.yaml", "config.yaml"])
def emf_collector(
    request: pytest.FixtureRequest, collector_binary: Path, xray_endpoint: XRayEndpoint
) -> Iterator[CollectorProcess]:
    """The collector on free loopback ports exporting EMF to stdout and X-Ray to `xray_endpoint`:
    with collector/local.yaml, and with the production collector/config.yaml itself, where only
    the receiver ports and the X-Ray endpoint (in local_mode: no instance metadata) are moved."""
    if request.param == "local.yaml":
        process = CollectorProcess(LOCAL_CONFIG, {"NAVER_SMS_XRAY_PORT": str(xray_endpoint.port)})
    else:
        process = CollectorProcess(
            LAMBDA_CONFIG,
            pin_receiver=True,
            overrides=[
                f"exporters.awsxray.endpoint={xray_endpoint.url}",
                "exporters.awsxray.local_mode=true",
            ],
        )
    with process as collector:
        yield collector
    assert collector.returncode == 0, "\n".join(collector.stderr())


@pytest.fixture
def otlp_receiver() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as receiver:
        yield receiver


@pytest.fixture
def otlp_collector(
    collector_binary: Path, otlp_receiver: OtlpReceiver
) -> Iterator[CollectorProcess]:
    """The production swap config collector/otlp.yaml, unchanged but for its receiver ports."""
    env = {
        "NAVER_SMS_OTLP_BACKEND_ENDPOINT": otlp_receiver.url,
        "NAVER_SMS_OTLP_BACKEND_HEADERS": json.dumps(OTLP_BACKEND_HEADERS),
    }
    with CollectorProcess(OTLP_CONFIG, env, pin_receiver=True) as collector:
        yield collector
    assert collector.returncode == 0, "\n".join(collector.stderr())
