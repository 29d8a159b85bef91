"""Turns a batch of raw bookings into SMS, state and notifications: event -> decisions -> clients.

Each booking is independent: a bad one is reported and skipped, a failed one is released so the
next run retries it, and the rest of the batch goes on. Nothing here knows about OpenTelemetry
beyond the narrow `instruments` interface.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog

from naver_sms.app.capture import BookingCapture, CaptureWriter
from naver_sms.booking.models import Booking, BookingError, SmsType, parse_booking
from naver_sms.booking.rules import decide
from naver_sms.booking.templates import StoreCatalog
from naver_sms.clients.deadline import Deadline
from naver_sms.clients.sens import SensClient, SensError, SensNetworkError, SensProtocolError
from naver_sms.clients.sms import SmsCompositionError, compose_sms, mask_phone
from naver_sms.clients.store import LIVE, BookingStore, StoreError
from naver_sms.clients.telegram import TelegramClient, TelegramError
from naver_sms.sources.file import UnreadableBooking
from naver_sms.telemetry import catalog, instruments

log = structlog.get_logger("naver_sms.app")

# Stop starting new bookings when less than this is left: finishing one booking (claim, send
# with retries, mark, notify) must fit, and the telemetry flush comes after.
BOOKING_RESERVE_SECONDS = 3.0


@dataclass
class Summary:
    mode: str
    processed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    invalid: int = 0
    deferred: int = 0
    notified: int = 0
    notify_failed: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "processed": self.processed,
            "sent": self.sent,
            "skipped": self.skipped,
            "failed": self.failed,
            "invalid": self.invalid,
            "deferred": self.deferred,
            "notified": self.notified,
            "notify_failed": self.notify_failed,
            "errors": self.errors,
        }


class BookingProcessor:
    def __init__(
        self,
        *,
        stores: StoreCatalog,
        store: BookingStore,
        sens: SensClient,
        telegram: TelegramClient,
        telegram_chat_id: str,
        guide_window: timedelta,
        capture: CaptureWriter | None = None,
        on_capture: Callable[[BookingCapture], None] | None = None,
    ) -> None:
        self._stores = stores
        self._store = store
        self._sens = sens
        self._telegram = telegram
        self._chat_id = telegram_chat_id
        self._window = guide_window
        self._capture = capture
        self._on_capture = on_capture

    def run(
        self,
        raw_bookings: Iterable[Any],
        *,
        where: str,
        now: datetime,
        mode: str,
        deadline: Deadline,
    ) -> Summary:
        run = _Run(now, mode, deadline, Summary(mode=mode))
        for index, raw in enumerate(raw_bookings):
            at = f"{where}[{index}]"
            if deadline.remaining() < BOOKING_RESERVE_SECONDS:
                run.summary.deferred += 1
                continue
            try:
                booking = self._parse(raw, at)
            except BookingError as exc:
                run.invalid(at, exc.field, exc.reason, exc.booking_id)
                continue
            self._process(run, booking, at)
        if run.summary.deferred:
            log.warning(
                "bookings_deferred",
                count=run.summary.deferred,
                reason="invocation time budget nearly spent; retried next run",
            )
        return run.summary

    def _parse(self, raw: Any, at: str) -> Booking:
        if isinstance(raw, UnreadableBooking):
            raise BookingError(at, "line", raw["_error"])
        booking = parse_booking(raw, at)
        if self._stores.get(booking.store_id) is None:
            raise BookingError(
                at,
                "store_id",
                f"store {booking.store_id!r} is not configured",
                booking.booking_id,
            )
        return booking

    def _process(self, run: _Run, booking: Booking, at: str) -> None:
        capture = BookingCapture(booking.booking_id, booking.store_id)
        with instruments.booking_span(booking.booking_id, booking.store_id) as span:
            span.set_attribute("booking.status", booking.status.value)
            try:
                outcome = self._send_due(run, booking, capture)
            except SmsCompositionError as exc:
                # The booking's own data cannot make an SMS (bad phone, unencodable name):
                # invalid, not retried into the same wall.
                outcome = "invalid"
                run.invalid(at, "sms", str(exc), booking.booking_id)
            except (StoreError, SensError) as exc:
                outcome = "failed"
                run.failed(at, booking, exc)
            else:
                run.summary.processed += 1
                instruments.record(catalog.BOOKINGS_PROCESSED, store_id=booking.store_id)
            span.set_attribute("booking.outcome", outcome)
        if self._capture is not None:
            self._capture.write(capture)
        if self._on_capture is not None:
            self._on_capture(capture)

    def _send_due(self, run: _Run, booking: Booking, capture: BookingCapture) -> str:
        state = self._store.get(booking.booking_id)
        sent = state.sent_in(run.mode)
        due = decide(booking, sent, run.now, self._window)
        # Notifications that failed on an earlier run are retried; the SMS is not resent.
        for sms_type in SmsType:
            if sms_type in sent and sms_type not in state.notified and sms_type not in due:
                self._notify(run, booking, sms_type, capture)
        if not due:
            return "nothing_due"
        for sms_type in due:
            if self._send_one(run, booking, sms_type, capture):
                self._notify(run, booking, sms_type, capture)
        return "sent"

    def _send_one(
        self, run: _Run, booking: Booking, sms_type: SmsType, capture: BookingCapture
    ) -> bool:
        """Claim, send (in dry run only capture), mark. False: another run has it."""
        store = self._stores.get(booking.store_id)
        assert store is not None  # checked by _parse
        rendered = self._stores.render_sms(store, booking, sms_type, run.now)
        message = compose_sms(booking.phone, rendered.content, rendered.subject)
        if not self._store.claim(booking, sms_type, run.mode, run.now):
            run.summary.skipped += 1
            log.info(
                "sms_skipped",
                booking_id=booking.booking_id,
                sms_type=sms_type.value,
                reason="already sent or claimed by another run",
            )
            return False
        request_id: str | None = None
        if run.mode == LIVE:
            try:
                result = self._sens.send(
                    message,
                    sms_type=sms_type.value,
                    store_id=booking.store_id,
                    deadline=run.deadline,
                )
            except SensError as exc:
                if _maybe_delivered(exc):
                    # SENS may have sent it: never resend automatically; a person checks.
                    self._store.mark_uncertain(booking, sms_type, run.now)
                    log.error(
                        "sms_delivery_uncertain",
                        booking_id=booking.booking_id,
                        store_id=booking.store_id,
                        sms_type=sms_type.value,
                        error=type(exc).__name__,
                        action="check SENS delivery report",
                    )
                else:
                    self._store.release(booking, sms_type)
                raise
            request_id = result.request_id
        item = self._store.mark_sent(booking, sms_type, run.mode, run.now, request_id)
        run.summary.sent += 1
        capture.add_sms(
            sms_type.value,
            self._sens.request_body(message),
            mode=run.mode,
            sent_at=run.now.isoformat(timespec="seconds"),
            request_id=request_id,
        )
        capture.add_dynamodb(self._store.table_name, "UpdateItem", item)
        instruments.record(
            catalog.SMS_SENT, sms_type=sms_type.value, store_id=booking.store_id, mode=run.mode
        )
        log.info(
            "sms_sent",
            booking_id=booking.booking_id,
            store_id=booking.store_id,
            sms_type=sms_type.value,
            mode=run.mode,
            msg_type=message.msg_type,
            phone=mask_phone(message.to),
            request_id=request_id,
        )
        return True

    def _notify(
        self, run: _Run, booking: Booking, sms_type: SmsType, capture: BookingCapture
    ) -> None:
        """Tell the owner; in dry run the message is captured, not sent (nothing leaves)."""
        store = self._stores.get(booking.store_id)
        assert store is not None
        text = self._stores.render_telegram(store, booking, sms_type, run.now)
        message_ids: list[int] | None = None
        if run.mode == LIVE:
            try:
                message_ids = self._telegram.send(text, deadline=run.deadline).message_ids
            except TelegramError as exc:
                run.summary.notify_failed += 1
                log.warning(
                    "telegram_failed",
                    booking_id=booking.booking_id,
                    sms_type=sms_type.value,
                    error=type(exc).__name__,
                    retried="next run",
                )
                return
        self._store.mark_notified(booking, sms_type)
        run.summary.notified += 1
        capture.add_telegram(self._chat_id, text, message_ids)


def _maybe_delivered(exc: SensError) -> bool:
    return isinstance(exc, SensProtocolError) or (
        isinstance(exc, SensNetworkError) and exc.maybe_delivered
    )


@dataclass
class _Run:
    """One invocation's batch: its clock, mode, budget and running summary."""

    now: datetime
    mode: str
    deadline: Deadline
    summary: Summary

    def invalid(self, at: str, field: str, reason: str, booking_id: str | None) -> None:
        self.summary.invalid += 1
        self.summary.errors.append({"where": at, "field": field, "reason": reason})
        log.warning("booking_invalid", where=at, booking_id=booking_id, field=field, reason=reason)
        instruments.record(catalog.BOOKINGS_FAILED, reason="invalid")

    def failed(self, at: str, booking: Booking, exc: Exception) -> None:
        self.summary.failed += 1
        self.summary.errors.append({"where": at, "field": type(exc).__name__, "reason": str(exc)})
        log.error(
            "booking_failed",
            booking_id=booking.booking_id,
            store_id=booking.store_id,
            error=type(exc).__name__,
            reason=str(exc),
            retried="next run",
        )
        instruments.record(catalog.BOOKINGS_FAILED, reason="error")
