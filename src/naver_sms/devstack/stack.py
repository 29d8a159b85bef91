"""The whole local stack: moto server, local SENS and local Telegram, provisioned for the Lambda.

One context manager starts everything on free loopback ports, creates the bookings table and
the SSM kill switches the Lambda reads, hands out the Lambda's environment, and stops every
process it started on exit, including on an exception, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, Self

import boto3
from botocore.config import Config

from naver_sms.clients.store import table_definition
from naver_sms.devstack.credentials import StackSecrets
from naver_sms.devstack.lifecycle import Service
from naver_sms.devstack.moto_server import MotoServer
from naver_sms.devstack.sens_server import SensServer
from naver_sms.devstack.telegram_server import TelegramServer

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_ssm import SSMClient

REGION = "ap-northeast-2"
DEFAULT_TABLE = "naver-sms-bookings"
DEFAULT_SWITCH_PREFIX = "/naver-sms/switches/"
DEFAULT_APPROVAL_PARAMETER = "/naver-sms/approval"
DEFAULT_SWITCHES: dict[str, str] = {"sms_sending": "off", "telemetry": "on", "comparison": "off"}
DUMMY_AWS_KEY = "testing"


def approval_record(
    approved_by: str,
    approved_at: datetime,
    expires_at: datetime | None,
) -> dict[str, Any]:
    """The owner approval JSON stored in SSM (ISO 8601 times, ``expires_at`` may be null)."""
    return {
        "approved_by": approved_by,
        "approved_at": approved_at.isoformat(),
        "expires_at": expires_at.isoformat() if expires_at is not None else None,
    }


@contextmanager
def _signals_raise_interrupt() -> Iterator[None]:
    """While inside, SIGTERM/SIGHUP raise KeyboardInterrupt so ``finally`` blocks still run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")

    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class LocalStack(Service):
    """moto + SENS + Telegram on loopback, provisioned like the deployed Lambda's world."""

    def __init__(
        self,
        *,
        secrets: StackSecrets | None = None,
        table_name: str | None = None,
        switch_prefix: str | None = None,
        approval_parameter: str | None = None,
        log_dir: Path | None = None,
        handle_signals: bool = True,
    ) -> None:
        self.secrets = secrets or StackSecrets.from_environment()
        self.table_name = table_name or os.environ.get("BOOKINGS_TABLE") or DEFAULT_TABLE
        self.switch_prefix = (
            switch_prefix or os.environ.get("NAVER_SMS_SWITCH_PREFIX") or DEFAULT_SWITCH_PREFIX
        )
        self.approval_parameter = (
            approval_parameter
            or os.environ.get("NAVER_SMS_APPROVAL_PARAMETER")
            or DEFAULT_APPROVAL_PARAMETER
        )
        self.moto = MotoServer(log_path=log_dir / "moto.log" if log_dir else None)
        self.sens = SensServer(
            access_key=self.secrets.sens_access_key,
            secret_key=self.secrets.sens_secret_key,
            service_id=self.secrets.sens_service_id,
            caller_number=self.secrets.sens_caller_number,
        )
        self.telegram = TelegramServer(
            token=self.secrets.telegram_bot_token, chat_id=self.secrets.telegram_chat_id
        )
        self._handle_signals = handle_signals
        self._signal_guard: Any = None
        self._clients: dict[str, Any] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Start all three services and provision them; on any failure stop what started."""
        try:
            if self._handle_signals and self._signal_guard is None:
                self._signal_guard = _signals_raise_interrupt()
                self._signal_guard.__enter__()
            self.moto.start()
            self.sens.start()
            self.telegram.start()
            self.provision()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop everything (idempotent); every step runs even if an earlier one fails."""
        try:
            self.telegram.stop()
        finally:
            try:
                self.sens.stop()
            finally:
                try:
                    self.moto.stop()
                finally:
                    self._clients.clear()
                    guard, self._signal_guard = self._signal_guard, None
                    if guard is not None:
                        guard.__exit__(None, None, None)

    # -- what the Lambda sees ----------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """Environment variables that point the Lambda at this stack."""
        return {
            "AWS_ENDPOINT_URL": self.moto.endpoint_url,
            "AWS_ACCESS_KEY_ID": DUMMY_AWS_KEY,
            "AWS_SECRET_ACCESS_KEY": DUMMY_AWS_KEY,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "SENS_BASE_URL": self.sens.base_url,
            **self.secrets.env(),
            "TELEGRAM_API_URL": self.telegram.base_url,
            "BOOKINGS_TABLE": self.table_name,
            "NAVER_SMS_SWITCH_PREFIX": self.switch_prefix,
            "NAVER_SMS_APPROVAL_PARAMETER": self.approval_parameter,
        }

    # -- state -------------------------------------------------------------------------------

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` on this stack's moto (cached)."""
        if service not in self._clients:
            self._clients[service] = boto3.client(
                service,  # type: ignore[call-overload]
                endpoint_url=self.moto.endpoint_url,
                region_name=REGION,
                aws_access_key_id=DUMMY_AWS_KEY,
                aws_secret_access_key=DUMMY_AWS_KEY,
                config=Config(retries={"max_attempts": 2, "mode": "standard"}),
            )
        return self._clients[service]

    @property
    def dynamodb(self) -> DynamoDBClient:
        client: DynamoDBClient = self.client("dynamodb")
        return client

    @property
    def ssm(self) -> SSMClient:
        client: SSMClient = self.client("ssm")
        return client

    def provision(self) -> None:
        """Create the bookings table and the default switches; no approval record."""
        self.dynamodb.create_table(**table_definition(self.table_name))
        for name, value in DEFAULT_SWITCHES.items():
            self.set_switch(name, value)

    def reset(self) -> None:
        """Back to the freshly provisioned state: empty table, default switches, no records."""
        self.moto.reset()
        self.sens.reset()
        self.telegram.reset()
        self.provision()

    def switch_name(self, name: str) -> str:
        return f"{self.switch_prefix.rstrip('/')}/{name}"

    def set_switch(self, name: str, value: bool | str) -> None:
        """Set kill switch ``name`` (``sms_sending``, ``telemetry``, ``comparison``) to on/off."""
        text = ("on" if value else "off") if isinstance(value, bool) else value
        self.ssm.put_parameter(
            Name=self.switch_name(name), Value=text, Type="String", Overwrite=True
        )

    def switch(self, name: str) -> str | None:
        """The switch's stored value, or None when the parameter does not exist."""
        try:
            return self.ssm.get_parameter(Name=self.switch_name(name))["Parameter"]["Value"]
        except self.ssm.exceptions.ParameterNotFound:
            return None

    def set_approval(
        self,
        approved_by: str = "owner",
        *,
        approved_at: datetime | None = None,
        expires_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Store an owner approval record in SSM; returns the record written."""
        record = approval_record(approved_by, approved_at or datetime.now(UTC), expires_at)
        self.ssm.put_parameter(
            Name=self.approval_parameter, Value=json.dumps(record), Type="String", Overwrite=True
        )
        return record

    def clear_approval(self) -> None:
        with suppress(self.ssm.exceptions.ParameterNotFound):
            self.ssm.delete_parameter(Name=self.approval_parameter)

    def approval(self) -> dict[str, Any] | None:
        try:
            value = self.ssm.get_parameter(Name=self.approval_parameter)["Parameter"]["Value"]
        except self.ssm.exceptions.ParameterNotFound:
            return None
        record: dict[str, Any] = json.loads(value)
        return record

    def table_items(self) -> list[dict[str, Any]]:
        """Every item in the bookings table (raw DynamoDB JSON), sorted by booking_id."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"TableName": self.table_name}
        while True:
            page = self.dynamodb.scan(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(items, key=lambda item: str(item.get("booking_id", {}).get("S", "")))
