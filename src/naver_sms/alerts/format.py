"""Render one alarm state change for Slack (Block Kit plus a plain `text` fallback) and for
Telegram (HTML parse mode).

Every value that comes from the alarm is escaped for its destination: Slack mrkdwn treats
``& < >`` as control characters, Telegram HTML the same three. Long reasons are cut so the
Telegram message always fits in one 4096-unit message (no split inside a tag).
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import quote

from naver_sms.alerts.events import Alarm
from naver_sms.clients.telegram import escape_html

EMOJI: Final = {"ALARM": "\U0001f6a8", "OK": "\u2705", "INSUFFICIENT_DATA": "\u26a0\ufe0f"}
# The alarms the monitoring module creates (`<name>-<key>`), each a row of docs/runbook.md.
RUNBOOK_ALARMS: Final = (
    "comparison-discrepancies",
    "comparison-match-percentage",
    "invocation-error-rate",
    "sens-failure-rate",
    "telemetry-export-failures",
    "bookings-failed",
)
RUNBOOK: Final = "docs/runbook.md"
MAX_REASON_CHARS: Final = 1500
MAX_NAME_CHARS: Final = 255  # CloudWatch's own limit on alarm names


def runbook_section(alarm_name: str) -> str:
    """Where the runbook says what to do: its Alarms section, and the row when known."""
    for key in RUNBOOK_ALARMS:
        if alarm_name == key or alarm_name.endswith(f"-{key}"):
            return f"{RUNBOOK} \u00a7 Alarms: {key}"
    return f"{RUNBOOK} \u00a7 Alarms"


def console_url(alarm: Alarm) -> str | None:
    """The alarm in the CloudWatch console (needs the region code from the ARN)."""
    if not alarm.region:
        return None
    region = quote(alarm.region, safe="")
    return (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#alarmsV2:alarm/{quote(alarm.name, safe='')}"
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _metric_line(alarm: Alarm) -> str | None:
    trigger = alarm.trigger
    if trigger is None:
        return None
    if trigger.metric_math and trigger.metric_name is None:
        metric = "metric math"
    else:
        metric = trigger.metric_name or "?"
    parts = [f"{trigger.namespace} / {metric}" if trigger.namespace else metric]
    if trigger.dimensions:
        parts.append(", ".join(f"{name}={value}" for name, value in trigger.dimensions))
    if trigger.statistic:
        parts.append(trigger.statistic)
    if trigger.comparison_operator and trigger.threshold is not None:
        parts.append(f"{trigger.comparison_operator} {trigger.threshold:g}")
    return _cut(" \u00b7 ".join(parts), 500)


def _state_line(alarm: Alarm) -> str:
    previous = f"{alarm.old_state} \u2192 " if alarm.old_state else ""
    return f"{previous}{alarm.new_state}"


def _where(alarm: Alarm) -> str:
    place = alarm.region_name or alarm.region or "unknown region"
    account = f", account {alarm.account_id}" if alarm.account_id else ""
    return f"{place}{account}, {alarm.state_change_time}"


def slack_escape(text: str) -> str:
    """Slack's escaping for text in messages: only ``&``, ``<`` and ``>``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(alarm: Alarm) -> dict[str, Any]:
    """Incoming-webhook payload: `text` (notifications, fallback) plus Block Kit `blocks`."""
    emoji = EMOJI[alarm.new_state]
    name = slack_escape(_cut(alarm.name, MAX_NAME_CHARS))
    headline = f"{emoji} {alarm.new_state}: {name}"
    lines = [
        f"*State:* {_state_line(alarm)}",
        f"*Reason:* {slack_escape(_cut(alarm.reason, MAX_REASON_CHARS))}",
    ]
    metric = _metric_line(alarm)
    if metric:
        lines.append(f"*Metric:* {slack_escape(metric)}")
    lines.append(f"*Runbook:* {slack_escape(runbook_section(alarm.name))}")
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline}*"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
    ]
    context = slack_escape(_where(alarm))
    url = console_url(alarm)
    if url:
        context += f" \u00b7 <{url}|Open in CloudWatch>"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    return {"text": headline, "blocks": blocks}


def telegram_html(alarm: Alarm) -> str:
    """Telegram HTML: bold headline, one line per fact, a link to the console."""
    emoji = EMOJI[alarm.new_state]
    name = escape_html(_cut(alarm.name, MAX_NAME_CHARS))
    lines = [
        f"{emoji} <b>{alarm.new_state}: {name}</b>",
        f"<b>State:</b> {escape_html(_state_line(alarm))}",
        f"<b>Reason:</b> {escape_html(_cut(alarm.reason, MAX_REASON_CHARS))}",
    ]
    metric = _metric_line(alarm)
    if metric:
        lines.append(f"<b>Metric:</b> {escape_html(metric)}")
    lines.append(f"<b>Runbook:</b> {escape_html(runbook_section(alarm.name))}")
    lines.append(escape_html(_where(alarm)))
    url = console_url(alarm)
    if url:
        lines.append(
            f'<a href="{escape_html(url).replace(chr(34), "&quot;")}">Open in CloudWatch</a>'
        )
    return "\n".join(lines)
