"""Render one alarm state change for Slack (Block Kit plus a plain `text` fallback) and for
Telegram (HTML parse mode), with links to the alarm's runbook section and to the dashboard
(from the alarm's description, naver_sms.alerts.links, else the forwarder's fallback).

Every value that comes from the alarm is escaped for its destination: Slack mrkdwn treats
``& < >`` as control characters, Telegram HTML the same three. Long reasons are cut so the
Telegram message always fits in one 4096-unit message (no split inside a tag).
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import quote

from naver_sms.alerts.events import Alarm
from naver_sms.alerts.links import AlarmLinks, split_description
from naver_sms.clients.telegram import escape_html

EMOJI: Final = {"ALARM": "\U0001f6a8", "OK": "\u2705", "INSUFFICIENT_DATA": "\u26a0\ufe0f"}
RUNBOOK: Final = "docs/ops/runbook.md"
"""Named when neither the alarm nor the forwarder knows where the runbook is published."""
MAX_REASON_CHARS: Final = 1500
MAX_DESCRIPTION_CHARS: Final = 600
MAX_NAME_CHARS: Final = 255  # CloudWatch's own limit on alarm names
NO_LINKS: Final = AlarmLinks()


def alarm_links(alarm: Alarm, fallback: AlarmLinks = NO_LINKS) -> tuple[str | None, AlarmLinks]:
    """The alarm's description without its links, and its links (or the fallback's)."""
    text, links = split_description(alarm.description)
    return text, links.or_else(fallback)


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


def _runbook_label(links: AlarmLinks) -> str:
    section = links.runbook_section
    return f"runbook \u00a7 {section}" if section else "runbook"


def slack_message(alarm: Alarm, *, fallback: AlarmLinks = NO_LINKS) -> dict[str, Any]:
    """Incoming-webhook payload: `text` (notifications, fallback) plus Block Kit `blocks`."""
    emoji = EMOJI[alarm.new_state]
    name = slack_escape(_cut(alarm.name, MAX_NAME_CHARS))
    headline = f"{emoji} {alarm.new_state}: {name}"
    description, links = alarm_links(alarm, fallback)
    lines = [
        f"*State:* {_state_line(alarm)}",
        f"*Reason:* {slack_escape(_cut(alarm.reason, MAX_REASON_CHARS))}",
    ]
    if description:
        lines.append(f"*Alarm:* {slack_escape(_cut(description, MAX_DESCRIPTION_CHARS))}")
    metric = _metric_line(alarm)
    if metric:
        lines.append(f"*Metric:* {slack_escape(metric)}")
    # The URLs are safe in <url|text> (links.py admits no space, <, >, | or quote).
    if links.runbook:
        lines.append(f"*Runbook:* <{links.runbook}|{slack_escape(_runbook_label(links))}>")
    else:
        lines.append(f"*Runbook:* {RUNBOOK}")
    if links.dashboard:
        lines.append(f"*Dashboard:* <{links.dashboard}|dashboard>")
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


def _href(url: str) -> str:
    return escape_html(url).replace(chr(34), "&quot;")


def telegram_html(alarm: Alarm, *, fallback: AlarmLinks = NO_LINKS) -> str:
    """Telegram HTML: bold headline, one line per fact, links to the runbook, the dashboard and
    the alarm in the console."""
    emoji = EMOJI[alarm.new_state]
    name = escape_html(_cut(alarm.name, MAX_NAME_CHARS))
    description, links = alarm_links(alarm, fallback)
    lines = [
        f"{emoji} <b>{alarm.new_state}: {name}</b>",
        f"<b>State:</b> {escape_html(_state_line(alarm))}",
        f"<b>Reason:</b> {escape_html(_cut(alarm.reason, MAX_REASON_CHARS))}",
    ]
    if description:
        lines.append(f"<b>Alarm:</b> {escape_html(_cut(description, MAX_DESCRIPTION_CHARS))}")
    metric = _metric_line(alarm)
    if metric:
        lines.append(f"<b>Metric:</b> {escape_html(metric)}")
    if links.runbook:
        label = escape_html(_runbook_label(links))
        lines.append(f'<b>Runbook:</b> <a href="{_href(links.runbook)}">{label}</a>')
    else:
        lines.append(f"<b>Runbook:</b> {RUNBOOK}")
    if links.dashboard:
        lines.append(f'<b>Dashboard:</b> <a href="{_href(links.dashboard)}">dashboard</a>')
    lines.append(escape_html(_where(alarm)))
    url = console_url(alarm)
    if url:
        lines.append(f'<a href="{_href(url)}">Open in CloudWatch</a>')
    return "\n".join(lines)
