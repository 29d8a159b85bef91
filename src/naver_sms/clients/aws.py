"""boto3 clients with the retry and timeout policy a Lambda wants.

The endpoint comes from standard AWS configuration (`AWS_ENDPOINT_URL`, profiles), so the same
code talks to AWS in production and to moto server on loopback in tests and the demo.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(service: str, region: str | None = None) -> Any:
    """A cached boto3 client: adaptive retries (throttling-aware), short connect/read timeouts."""
    import boto3  # noqa: PLC0415 - keep boto3 off the import path until first use
    from botocore.config import Config  # noqa: PLC0415

    config = Config(
        retries={"mode": "adaptive", "max_attempts": 4},
        connect_timeout=2,
        read_timeout=5,
        tcp_keepalive=True,
    )
    session: Any = boto3.session.Session()  # the stubs type client() per service name
    return session.client(service, region_name=region, config=config)
