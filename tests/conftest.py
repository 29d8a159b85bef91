"""Shared fixtures: the local stack (moto server, local SENS, local Telegram) on loopback.

The stack starts once per session, on first use only, so unit tests never pay for it;
``clean_stack`` puts it back to the freshly provisioned state before each test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import naver_sms.telemetry.logging
from naver_sms.devstack import LocalStack, SensServer, StackSecrets, TelegramServer
from naver_sms.devstack.stack import (
    DEFAULT_APPROVAL_PARAMETER,
    DEFAULT_SWITCH_PREFIX,
    DEFAULT_TABLE,
)

# Before any test configures logging: cached loggers would be invisible to `capture_logs`,
# making log assertions depend on test order.
naver_sms.telemetry.logging.CACHE_LOGGERS = False

# Variables that would change the Lambda's behaviour if leaked from the developer's shell.
_HERMETIC_UNSET = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "SMS_SENDING_ENABLED",
    "CAPTURE_PATH",
    "BOOKING_SOURCE_URL",
    "STORES_CONFIG",
    "GUIDE_WINDOW_HOURS",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Whatever uses the local stack is an integration test, marked or not."""
    for item in items:
        if "local_stack" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    """moto + SENS + Telegram for the whole session, with fresh random secrets."""
    stack = LocalStack(
        secrets=StackSecrets.generate(),
        table_name=DEFAULT_TABLE,
        switch_prefix=DEFAULT_SWITCH_PREFIX,
        approval_parameter=DEFAULT_APPROVAL_PARAMETER,
    )
    with stack:
        yield stack


@pytest.fixture(scope="session")
def moto_endpoint(local_stack: LocalStack) -> str:
    return local_stack.moto.endpoint_url


@pytest.fixture(scope="session")
def sens_server(local_stack: LocalStack) -> SensServer:
    return local_stack.sens


@pytest.fixture(scope="session")
def telegram_server(local_stack: LocalStack) -> TelegramServer:
    return local_stack.telegram


@pytest.fixture
def clean_stack(local_stack: LocalStack) -> LocalStack:
    """The stack as freshly provisioned: empty table, default switches, nothing recorded."""
    local_stack.reset()
    return local_stack


@pytest.fixture
def lambda_env(clean_stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The process environment the Lambda would have, pointing at the clean stack."""
    for name in _HERMETIC_UNSET:
        monkeypatch.delenv(name, raising=False)
    env = clean_stack.env()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env
