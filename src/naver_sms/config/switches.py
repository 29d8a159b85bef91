"""Kill switches read at run time from SSM Parameter Store, with a short cache.

Operators flip `/naver-sms/switches/<name>` to `on`/`off`; the next invocation after the cache
expires sees it, no redeploy. When SSM cannot be read, each switch falls back to its
environment variable, except `sms_sending`, whose safe value (off) always wins.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog

from naver_sms.config import constants as c
from naver_sms.config.errors import ConfigError
from naver_sms.config.resolve import parse_bool
from naver_sms.config.settings import Settings

log = structlog.get_logger("naver_sms.config")


@dataclass(frozen=True)
class SwitchState:
    sms_sending: bool
    telemetry: bool
    comparison: bool
    source: str  # "ssm" or "fallback"


class Switches:
    """Cached view of the kill switches; `current()` is cheap on the hot path."""

    def __init__(
        self,
        settings: Settings,
        ssm_client: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._ssm = ssm_client
        self._clock = clock
        self._cached: SwitchState | None = None
        self._expires = 0.0

    def current(self) -> SwitchState:
        now = self._clock()
        if self._cached is None or now >= self._expires:
            self._cached = self._read()
            self._expires = now + self._settings.switch_cache_seconds
        return self._cached

    def invalidate(self) -> None:
        self._cached = None

    def _fallback(self) -> SwitchState:
        return SwitchState(
            sms_sending=False,  # the safe value wins when SSM is unreachable
            telemetry=self._settings.telemetry_enabled,
            comparison=self._settings.comparison_enabled,
            source="fallback",
        )

    def _read(self) -> SwitchState:
        prefix = self._settings.switch_prefix.rstrip("/") + "/"
        names = [
            prefix + n for n in (c.SWITCH_SMS_SENDING, c.SWITCH_TELEMETRY, c.SWITCH_COMPARISON)
        ]
        try:
            ssm = self._ssm or _ssm_client(self._settings)
            response = ssm.get_parameters(Names=names)
        except Exception as exc:
            log.warning(
                "switches_unreadable",
                error=type(exc).__name__,
                fallback="sms_sending off, others from environment",
            )
            return self._fallback()
        values = {p["Name"][len(prefix) :]: p["Value"] for p in response.get("Parameters", [])}
        fallback = self._fallback()

        def pick(name: str, default: bool) -> bool:
            raw = values.get(name)
            if raw is None:
                return default
            try:
                return parse_bool(prefix + name, raw)
            except ConfigError as exc:
                log.warning("switch_malformed", switch=prefix + name, reason=exc.reason)
                return False if name == c.SWITCH_SMS_SENDING else default

        return SwitchState(
            sms_sending=pick(c.SWITCH_SMS_SENDING, False),
            telemetry=pick(c.SWITCH_TELEMETRY, fallback.telemetry),
            comparison=pick(c.SWITCH_COMPARISON, fallback.comparison),
            source="ssm",
        )


def _ssm_client(settings: Settings) -> Any:
    from naver_sms.clients.aws import client  # noqa: PLC0415

    return client("ssm", settings.region)
