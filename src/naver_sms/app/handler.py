"""The Lambda entry point: `naver_sms.app.handler.lambda_handler`.

Cold start builds the `Application` once (settings, secrets, clients, templates); each
invocation reads the kill switches, decides live or dry run, loads the bookings and hands them
to the processor. Telemetry wraps this from the outside and never steers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog

from naver_sms.app.capture import BookingCapture, CaptureWriter
from naver_sms.app.mode import ModeDecider
from naver_sms.app.processor import BookingProcessor, Summary
from naver_sms.booking.events import EventError, parse_event
from naver_sms.booking.templates import StoreCatalog
from naver_sms.clients.aws import client as aws_client
from naver_sms.clients.deadline import Deadline
from naver_sms.clients.sens import SensClient
from naver_sms.clients.store import BookingStore
from naver_sms.clients.telegram import TelegramClient
from naver_sms.config.secrets import Secrets, load_secrets
from naver_sms.config.settings import Settings
from naver_sms.config.switches import Switches
from naver_sms.privacy import register_secrets
from naver_sms.sources.file import SourceError, read_bookings
from naver_sms.sources.http import HttpBookingSource
from naver_sms.telemetry.handler import instrument_handler

log = structlog.get_logger("naver_sms.app")


@dataclass
class Application:
    """Everything built once per execution environment."""

    settings: Settings
    secrets: Secrets
    switches: Switches
    modes: ModeDecider
    stores: StoreCatalog
    store: BookingStore
    sens: SensClient
    telegram: TelegramClient
    capture: CaptureWriter | None

    @classmethod
    def build(cls, settings: Settings | None = None) -> Application:
        settings = settings or Settings.load()
        secrets = load_secrets(settings)
        # Secrets read from SSM / Secrets Manager are unknown to the telemetry until now.
        register_secrets(secrets.values())
        region = settings.region
        return cls(
            settings=settings,
            secrets=secrets,
            switches=Switches(settings),
            modes=ModeDecider(settings, lambda: aws_client("ssm", region)),
            stores=StoreCatalog.load(settings.stores_config),
            store=BookingStore(settings.bookings_table, aws_client("dynamodb", region), region),
            sens=SensClient(
                base_url=settings.sens_base_url,
                access_key=secrets.sens_access_key,
                secret_key=secrets.sens_secret_key,
                service_id=secrets.sens_service_id,
                caller_number=secrets.sens_caller_number,
            ),
            telegram=TelegramClient(
                api_url=settings.telegram_api_url,
                bot_token=secrets.telegram_bot_token,
                chat_id=secrets.telegram_chat_id,
            ),
            capture=CaptureWriter(settings.capture_path) if settings.capture_path else None,
        )

    def handle(self, event: Any, context: Any) -> dict[str, Any]:
        deadline = Deadline.from_lambda_context(context)
        try:
            invocation = parse_event(event)
        except EventError as exc:
            log.error("event_invalid", reason=str(exc))
            return {"error": str(exc), **Summary(mode="dry_run").as_dict()}
        now = invocation.now or datetime.now(UTC)
        switches = self.switches.current()
        sending = self.modes.decide(switches)
        log.info(
            "sending_mode",
            mode=sending.mode,
            reason=sending.reason,
            switches_source=switches.source,
            comparison=switches.comparison,
        )

        bookings = invocation.bookings
        failed_stores: list[str] = []
        where = invocation.where
        if bookings is None:
            try:
                bookings, failed_stores, where = self._fetch(deadline)
            except SourceError as exc:
                log.error("booking_source_failed", reason=str(exc))
                return {"error": str(exc), **Summary(mode=sending.mode).as_dict()}

        captured: list[BookingCapture] = []
        processor = BookingProcessor(
            stores=self.stores,
            store=self.store,
            sens=self.sens,
            telegram=self.telegram,
            telegram_chat_id=self.secrets.telegram_chat_id,
            guide_window=timedelta(hours=self.settings.guide_window_hours),
            capture=self.capture,
            on_capture=captured.append if switches.comparison else None,
        )
        summary = processor.run(
            bookings, where=where, now=now, mode=sending.mode, deadline=deadline
        )
        result = {
            **summary.as_dict(),
            "mode_reason": sending.reason,
            "failed_stores": failed_stores,
        }
        if switches.comparison:
            result["comparison"] = self._compare(captured)
        log.info("invocation_summary", **{k: v for k, v in result.items() if k != "errors"})
        return result

    def _fetch(self, deadline: Deadline) -> tuple[list[Any], list[str], str]:
        """Bookings from the configured source: `file://` (replays, local runs) or HTTP(S)."""
        url = self.settings.booking_source_url
        if not url:
            raise SourceError("BOOKING_SOURCE_URL is not set")
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://"))
            return read_bookings(path), [], str(path)
        stores = self.settings.booking_source_stores or self.stores.store_ids
        fetched = HttpBookingSource(url).fetch(stores, deadline)
        return fetched.bookings, fetched.failed_stores, "booking-source"

    def _compare(self, captured: list[BookingCapture]) -> dict[str, Any]:
        """Comparison mode: this invocation's outputs against the legacy capture."""
        from naver_sms.comparison.live import compare_invocation  # noqa: PLC0415

        return compare_invocation(captured, self.settings.legacy_capture_path)


_app: Application | None = None


def _application() -> Application:
    global _app  # noqa: PLW0603 - one Application per execution environment, by design
    if _app is None:
        _app = Application.build()
    return _app


def reset() -> None:
    """Forget the cached Application (tests, demo phases with new settings)."""
    global _app  # noqa: PLW0603
    _app = None


def _telemetry_switch() -> bool:
    return _application().switches.current().telemetry


@instrument_handler(switch=_telemetry_switch)
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    return _application().handle(event, context)
