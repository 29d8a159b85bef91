"""The owner's approval to send real SMS, stored in SSM Parameter Store.

Live sending needs three things at once: `SMS_SENDING_ENABLED=true`, the `sms_sending` switch on,
and a valid approval record: JSON `{"approved_by": "...", "approved_at": ISO-8601,
"expires_at": ISO-8601 or null}`. Anything else keeps the Lambda in dry run, with the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from naver_sms.config.errors import ConfigError


@dataclass(frozen=True)
class Approval:
    approved_by: str
    approved_at: datetime
    expires_at: datetime | None

    def valid_at(self, now: datetime) -> bool:
        return self.approved_at <= now and (self.expires_at is None or now < self.expires_at)


def parse_approval(parameter: str, raw: str) -> Approval:
    """Parse an approval record; errors name the parameter and the field."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(parameter, f"not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ConfigError(parameter, "must be a JSON object")
    who = data.get("approved_by")
    if not isinstance(who, str) or not who.strip():
        raise ConfigError(parameter, "approved_by must be a non-empty string")
    return Approval(
        approved_by=who.strip(),
        approved_at=_parse_time(parameter, "approved_at", data.get("approved_at"), required=True),
        expires_at=_parse_time(parameter, "expires_at", data.get("expires_at"), required=False),
    )


def _parse_time(parameter: str, name: str, value: Any, *, required: bool) -> Any:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ConfigError(parameter, f"{name} must be an ISO-8601 string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(parameter, f"{name} is not ISO-8601: {value!r}") from None
    if parsed.tzinfo is None:
        raise ConfigError(parameter, f"{name} needs a UTC offset: {value!r}")
    return parsed


@dataclass(frozen=True)
class ApprovalStatus:
    approved: bool
    reason: str
    approval: Approval | None = None


def check_approval(ssm_client: Any, parameter: str, now: datetime) -> ApprovalStatus:
    """Read and judge the approval record; every failure is a reason to stay in dry run."""
    try:
        raw = ssm_client.get_parameter(Name=parameter)["Parameter"]["Value"]
    except Exception as exc:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
        return ApprovalStatus(False, f"no approval record at {parameter} ({code})")
    try:
        approval = parse_approval(parameter, raw)
    except ConfigError as exc:
        return ApprovalStatus(False, str(exc))
    if not approval.valid_at(now):
        return ApprovalStatus(
            False,
            f"approval by {approval.approved_by} is not valid now "
            f"(approved_at {approval.approved_at.isoformat()}, "
            f"expires_at {approval.expires_at and approval.expires_at.isoformat()})",
            approval,
        )
    return ApprovalStatus(True, f"approved by {approval.approved_by}", approval)
