"""All static settings of the Lambda, resolved once per execution environment.

Static means: read at cold start from arguments and the environment. What must change without a
redeploy (kill switches, the owner's approval) lives in :mod:`naver_sms.config.switches` and
:mod:`naver_sms.config.approval`, read from SSM at run time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from naver_sms.config import constants as c
from naver_sms.config.resolve import (
    resolve_bool,
    resolve_float,
    resolve_optional,
    resolve_str,
)

_PACKAGED_STORES = Path(__file__).resolve().parent.parent / "booking" / "stores.json"


@dataclass(frozen=True)
class Settings:
    sens_base_url: str
    telegram_api_url: str
    bookings_table: str
    stores_config: Path
    guide_window_hours: float
    sms_sending_enabled: bool
    approval_parameter: str
    switch_prefix: str
    switch_cache_seconds: float
    capture_path: Path | None
    legacy_capture_path: Path | None
    booking_source_url: str | None
    booking_source_stores: tuple[str, ...]
    secrets_source: str
    secrets_ssm_prefix: str
    secrets_manager_id: str | None
    telemetry_enabled: bool
    comparison_enabled: bool
    environment: str
    region: str | None

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **explicit: object) -> Settings:
        """Resolve every setting: keyword argument, then environment, then default."""
        e = os.environ if env is None else env

        def s(name: str, key: str, default: str) -> str:
            return resolve_str(name, _opt_str(explicit.get(key)), default, e)

        def o(name: str, key: str) -> str | None:
            return resolve_optional(name, _opt_str(explicit.get(key)), e)

        def b(name: str, key: str, default: bool) -> bool:
            value = explicit.get(key)
            return resolve_bool(name, value if isinstance(value, bool) else None, default, e)

        def f(name: str, key: str, default: float) -> float:
            value = explicit.get(key)
            return resolve_float(
                name, float(value) if isinstance(value, int | float) else None, default, e
            )

        capture = o(c.CAPTURE_PATH, "capture_path")
        legacy = o(c.LEGACY_CAPTURE_PATH, "legacy_capture_path")
        stores_source = o(c.BOOKING_SOURCE_STORES, "booking_source_stores") or ""
        unknown = set(explicit) - set(cls.__dataclass_fields__)
        if unknown:
            raise TypeError(f"unknown setting(s): {sorted(unknown)}")
        return cls(
            sens_base_url=s(c.SENS_BASE_URL, "sens_base_url", c.DEFAULT_SENS_BASE_URL).rstrip("/"),
            telegram_api_url=s(
                c.TELEGRAM_API_URL, "telegram_api_url", c.DEFAULT_TELEGRAM_API_URL
            ).rstrip("/"),
            bookings_table=s(c.BOOKINGS_TABLE, "bookings_table", c.DEFAULT_BOOKINGS_TABLE),
            stores_config=Path(s(c.STORES_CONFIG, "stores_config", str(_PACKAGED_STORES))),
            guide_window_hours=f(
                c.GUIDE_WINDOW_HOURS, "guide_window_hours", c.DEFAULT_GUIDE_WINDOW_HOURS
            ),
            sms_sending_enabled=b(c.SMS_SENDING_ENABLED, "sms_sending_enabled", False),
            approval_parameter=s(
                c.APPROVAL_PARAMETER, "approval_parameter", c.DEFAULT_APPROVAL_PARAMETER
            ),
            switch_prefix=s(c.SWITCH_PREFIX, "switch_prefix", c.DEFAULT_SWITCH_PREFIX),
            switch_cache_seconds=f(
                c.SWITCH_CACHE_SECONDS, "switch_cache_seconds", c.DEFAULT_SWITCH_CACHE_SECONDS
            ),
            capture_path=Path(capture) if capture else None,
            legacy_capture_path=Path(legacy) if legacy else None,
            booking_source_url=o(c.BOOKING_SOURCE_URL, "booking_source_url"),
            booking_source_stores=tuple(x.strip() for x in stores_source.split(",") if x.strip()),
            secrets_source=s(c.SECRETS_SOURCE, "secrets_source", "env"),
            secrets_ssm_prefix=s(
                c.SECRETS_SSM_PREFIX, "secrets_ssm_prefix", c.DEFAULT_SECRETS_SSM_PREFIX
            ),
            secrets_manager_id=o(c.SECRETS_MANAGER_ID, "secrets_manager_id"),
            telemetry_enabled=b(c.TELEMETRY_ENABLED, "telemetry_enabled", True),
            comparison_enabled=b(c.COMPARISON_ENABLED, "comparison_enabled", False),
            environment=s(c.ENVIRONMENT, "environment", "dev"),
            region=o(c.AWS_REGION, "region") or e.get("AWS_DEFAULT_REGION") or None,
        )


def _opt_str(value: object) -> str | None:
    if value is None:
        return None
    return str(value)
