"""Live or dry run: the decision, and why, for every invocation.

Live needs all of: the `SMS_SENDING_ENABLED` setting, the `sms_sending` kill switch on, a valid
owner approval in SSM, and comparison mode off (comparison never sends). The approval is read
only when everything else already says live, and cached like the switches.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from naver_sms.clients.store import DRY_RUN, LIVE
from naver_sms.config.approval import ApprovalStatus, check_approval
from naver_sms.config.settings import Settings
from naver_sms.config.switches import SwitchState


@dataclass(frozen=True)
class SendingMode:
    mode: str
    reason: str


class ModeDecider:
    def __init__(
        self,
        settings: Settings,
        ssm_client_factory: Callable[[], Any],
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._wall_clock = wall_clock
        self._settings = settings
        self._ssm = ssm_client_factory
        self._clock = clock
        self._approval: ApprovalStatus | None = None
        self._approval_expires = 0.0

    def decide(self, switches: SwitchState) -> SendingMode:
        """The mode for this invocation; the approval is judged on the wall clock (a replay's
        simulated booking time must not make an approval valid or expired)."""
        if switches.comparison:
            return SendingMode(DRY_RUN, "comparison mode forces dry run")
        if not self._settings.sms_sending_enabled:
            return SendingMode(DRY_RUN, "SMS_SENDING_ENABLED is off")
        if not switches.sms_sending:
            why = "unreadable" if switches.source == "fallback" else "off"
            return SendingMode(DRY_RUN, f"kill switch sms_sending is {why}")
        approval = self._approval_status(self._wall_clock())
        if not approval.approved:
            return SendingMode(DRY_RUN, approval.reason)
        return SendingMode(LIVE, approval.reason)

    def _approval_status(self, now: datetime) -> ApprovalStatus:
        tick = self._clock()
        cached = self._approval
        expired_since = (
            cached is not None
            and cached.approved
            and cached.approval is not None
            and not cached.approval.valid_at(now)
        )
        if cached is None or tick >= self._approval_expires or expired_since:
            cached = check_approval(self._ssm(), self._settings.approval_parameter, now)
            self._approval = cached
            self._approval_expires = tick + self._settings.switch_cache_seconds
        return cached

    def invalidate(self) -> None:
        self._approval = None
