"""Lambda entry point of the alert forwarder: SNS (CloudWatch alarms) -> Slack and Telegram.

The destinations come from SSM SecureString parameters read at cold start (naver_sms.alerts.config)
and are cached for the life of the execution environment.

Each alarm goes to every configured destination; a failing destination never stops the
other. The invocation raises (so Lambda's asynchronous retry runs it again) only when some
alarm reached no destination at all: a retry then cannot duplicate that alarm anywhere. An
alarm that reached one destination but not the other is logged (`alert_forward_failed`) and
not retried, because a retry would post it again where it already arrived. See docs/alerts.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog

from naver_sms.alerts import constants as env
from naver_sms.alerts.config import (
    AlertsConfigError,
    AlertSecrets,
    load_secrets,
    ssm_prefix,
    timeout_s,
)
from naver_sms.alerts.events import Alarm, AlarmMessageError, parse_event
from naver_sms.alerts.format import slack_message, telegram_html
from naver_sms.alerts.links import fallback_links
from naver_sms.alerts.slack import SlackClient
from naver_sms.alerts.telegram import HtmlTelegramClient
from naver_sms.clients.deadline import Deadline
from naver_sms.telemetry import register_secrets
from naver_sms.telemetry.logging import bind_invocation, clear_invocation, configure_logging

log = structlog.get_logger(__name__)


class AlertsDeliveryError(RuntimeError):
    """Some alarm reached no destination; raised so that Lambda retries the invocation."""


@dataclass(frozen=True)
class Destination:
    name: str
    send: Callable[[Alarm, Deadline], int]
    """Delivers one alarm; returns the attempts made; raises on failure."""


@dataclass
class _Outcome:
    sent: int = 0
    failed: int = 0


@dataclass
class Summary:
    records: int = 0
    forwarded: int = 0
    failed: int = 0
    invalid: int = 0
    errors: list[str] = field(default_factory=list)
    destinations: dict[str, _Outcome] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "forwarded": self.forwarded,
            "failed": self.failed,
            "invalid": self.invalid,
            "errors": list(self.errors),
            "destinations": {
                name: {"sent": o.sent, "failed": o.failed} for name, o in self.destinations.items()
            },
        }


def destinations(secrets: AlertSecrets, environ: Mapping[str, str]) -> list[Destination]:
    """Slack when its webhook parameter exists; Telegram when its token and chat id both do."""
    timeout = timeout_s(environ)
    fallback = fallback_links(environ)
    found: list[Destination] = []
    if secrets.slack_webhook_url:
        try:
            slack = SlackClient(webhook_url=secrets.slack_webhook_url, timeout_s=timeout)
        except ValueError as exc:  # the message never contains the URL
            raise AlertsConfigError(f"{env.SLACK_WEBHOOK_URL}: {exc}") from None

        def send_slack(alarm: Alarm, deadline: Deadline) -> int:
            payload = slack_message(alarm, fallback=fallback)
            return slack.send(payload, deadline=deadline).attempts

        found.append(Destination("slack", send_slack))
    token, chat_id = secrets.telegram_bot_token, secrets.telegram_chat_id
    if token or chat_id:
        if not (token and chat_id):
            missing = env.TELEGRAM_CHAT_ID if token else env.TELEGRAM_BOT_TOKEN
            raise AlertsConfigError(f"SSM parameter {missing} must exist together with its pair")
        try:
            telegram = HtmlTelegramClient(
                api_url=environ.get(env.TELEGRAM_API_URL) or env.DEFAULT_TELEGRAM_API_URL,
                bot_token=token,
                chat_id=chat_id,
                timeout_s=timeout,
            )
        except ValueError as exc:  # the message never contains the token
            raise AlertsConfigError(
                f"{env.TELEGRAM_BOT_TOKEN}/{env.TELEGRAM_CHAT_ID}: {exc}"
            ) from None

        def send_telegram(alarm: Alarm, deadline: Deadline) -> int:
            html = telegram_html(alarm, fallback=fallback)
            return telegram.send_html(html, deadline=deadline).attempts

        found.append(Destination("telegram", send_telegram))
    if not found:
        raise AlertsConfigError(
            f"no destination: create the SSM SecureString parameter {env.SLACK_WEBHOOK_URL} "
            f"and/or {env.TELEGRAM_BOT_TOKEN} + {env.TELEGRAM_CHAT_ID} under "
            f"{ssm_prefix(environ)}"
        )
    return found


_destinations: list[Destination] | None = None


def configured_destinations(environ: Mapping[str, str]) -> list[Destination]:
    """The destinations, built from SSM once per execution environment (cold start) and cached;
    a failure is not cached, so the next invocation (Lambda's retry) reads SSM again."""
    global _destinations  # noqa: PLW0603 - once per execution environment
    if _destinations is None:
        secrets = load_secrets(environ)
        register_secrets(secrets.values())
        _destinations = destinations(secrets, environ)
    return _destinations


def forward(event: Any, destinations: list[Destination], deadline: Deadline) -> Summary:
    """Send every alarm of `event` to every destination; never raises for one failure."""
    summary = Summary(destinations={d.name: _Outcome() for d in destinations})
    try:
        parsed = parse_event(event)
    except AlarmMessageError as exc:
        log.error("alert_invalid", where=exc.where, field=exc.field, reason=exc.reason)
        summary.invalid = 1
        summary.errors.append(str(exc))
        return summary
    summary.records = len(parsed.alarms) + len(parsed.invalid)
    for bad in parsed.invalid:
        log.error(
            "alert_invalid",
            record_index=bad.index,
            where=bad.where,
            field=bad.field,
            reason=bad.reason,
        )
        summary.invalid += 1
        summary.errors.append(str(bad))
    unreached: list[str] = []
    for alarm in parsed.alarms:
        delivered = 0
        for destination in destinations:
            outcome = summary.destinations[destination.name]
            try:
                attempts = destination.send(alarm, deadline)
            except Exception as exc:  # one destination's failure must not stop the other
                outcome.failed += 1
                log.error(
                    "alert_forward_failed",
                    destination=destination.name,
                    record_index=alarm.index,
                    alarm=alarm.name,
                    alarm_state=alarm.new_state,
                    error=type(exc).__name__,
                    reason=str(exc)[:300],
                )
                continue
            outcome.sent += 1
            delivered += 1
            log.info(
                "alert_forwarded",
                destination=destination.name,
                record_index=alarm.index,
                alarm=alarm.name,
                alarm_state=alarm.new_state,
                attempts=attempts,
            )
        if delivered == len(destinations):
            summary.forwarded += 1
        else:
            summary.failed += 1
            if delivered == 0:
                unreached.append(f"Records[{alarm.index}] ({alarm.name})")
    log.info(
        "alerts_summary",
        records=summary.records,
        forwarded=summary.forwarded,
        failed=summary.failed,
        invalid=summary.invalid,
    )
    if unreached:
        raise AlertsDeliveryError(
            f"{len(unreached)} alarm(s) reached no destination: {', '.join(unreached)}"
        )
    return summary


_logging_ready = False


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Forward the alarms of an SNS event; returns {records, forwarded, failed, invalid, ...}."""
    global _logging_ready  # noqa: PLW0603 - once per execution environment
    cold_start = not _logging_ready
    if cold_start:
        configure_logging()
        _logging_ready = True
    bind_invocation(
        str(getattr(context, "function_name", "") or ""),
        str(getattr(context, "aws_request_id", "") or ""),
        cold_start,
    )
    try:
        deadline = Deadline.from_lambda_context(context, reserve_s=0.5, default_s=30.0)
        return forward(event, configured_destinations(os.environ), deadline).as_dict()
    finally:
        clear_invocation()
