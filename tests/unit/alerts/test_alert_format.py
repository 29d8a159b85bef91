"""Slack and Telegram renderings of an alarm: content, links, escaping."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_alert_events import alarm_message, record

from naver_sms.alerts.events import Alarm, parse_event
from naver_sms.alerts.format import (
    MAX_REASON_CHARS,
    RUNBOOK,
    console_url,
    slack_message,
    telegram_html,
)
from naver_sms.alerts.links import AlarmLinks
from naver_sms.devstack.telegram_html import parse_html

RUNBOOK_URL = "https://docs.example/naver-sms/docs/ops/runbook.md"
DASHBOARD_URL = (
    "https://ap-northeast-2.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-2"
    "#dashboards/dashboard/naver-sms"
)
# As the monitoring module writes AlarmDescription (signals.tf: local.alarms[*].description).
LINKED = (
    "More than 0 bookings failed in a period. "
    f"Runbook: {RUNBOOK_URL}#alarm-bookings-failed Dashboard: {DASHBOARD_URL}"
)


def alarm(**overrides: Any) -> Alarm:
    [parsed] = parse_event({"Records": [record(alarm_message(**overrides))]}).alarms
    return parsed


def slack_text(payload: dict[str, Any]) -> str:
    return json.dumps(payload["blocks"], ensure_ascii=False)


def test_the_links_come_from_the_alarm_description() -> None:
    payload = slack_message(alarm(AlarmDescription=LINKED))
    body = slack_text(payload)
    assert (
        f"*Runbook:* <{RUNBOOK_URL}#alarm-bookings-failed|runbook § alarm-bookings-failed>" in body
    )
    assert f"*Dashboard:* <{DASHBOARD_URL}|dashboard>" in body
    # The description is shown without its links.
    facts = payload["blocks"][1]["text"]["text"]
    assert "*Alarm:* More than 0 bookings failed in a period.\n" in facts
    html = telegram_html(alarm(AlarmDescription=LINKED))
    assert f'<b>Runbook:</b> <a href="{RUNBOOK_URL}#alarm-bookings-failed">' in html
    assert f'<b>Dashboard:</b> <a href="{DASHBOARD_URL}">dashboard</a>' in html
    assert "<b>Alarm:</b> More than 0 bookings failed in a period.\n" in html


def test_the_forwarders_links_stand_in_for_missing_ones() -> None:
    fallback = AlarmLinks(runbook="https://wiki.example/runbook", dashboard=DASHBOARD_URL)
    body = slack_text(slack_message(alarm(AlarmDescription="Bookings failed"), fallback=fallback))
    assert "*Runbook:* <https://wiki.example/runbook|runbook>" in body
    assert f"*Dashboard:* <{DASHBOARD_URL}|dashboard>" in body
    # The alarm's own link wins over the fallback.
    body = slack_text(slack_message(alarm(AlarmDescription=LINKED), fallback=fallback))
    assert f"<{RUNBOOK_URL}#alarm-bookings-failed|" in body
    assert "wiki.example" not in body


def test_without_any_link_the_runbook_is_named() -> None:
    body = slack_text(slack_message(alarm(AlarmDescription=None)))
    assert f"*Runbook:* {RUNBOOK}" in body
    assert "Dashboard" not in body
    assert f"Runbook: {RUNBOOK}" in parse_html(telegram_html(alarm())).plain_text


def test_a_link_that_could_break_the_markup_is_not_a_link() -> None:
    forged = 'x Runbook: https://evil.example/a|click<b> Dashboard: https://e.example/"q'
    payload = slack_message(alarm(AlarmDescription=forged))
    body = slack_text(payload)
    # Shown as (escaped) text, never as <url|text> markup.
    assert "<https://evil" not in body
    assert "<https://e.example" not in body
    assert f"*Runbook:* {RUNBOOK}" in body
    html = telegram_html(alarm(AlarmDescription=forged))
    assert 'href="https://evil' not in html
    assert 'href="https://e.example' not in html
    parse_html(html)  # still what Telegram accepts


def test_console_url_uses_the_region_code_and_quotes_the_name() -> None:
    url = console_url(alarm(AlarmName="a b/c"))
    assert url == (
        "https://ap-northeast-2.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-2"
        "#alarmsV2:alarm/a%20b%2Fc"
    )


def test_no_console_url_without_a_region() -> None:
    message = alarm_message()
    del message["AlarmArn"]
    event_record = record(message)
    del event_record["Sns"]["TopicArn"]
    [parsed] = parse_event({"Records": [event_record]}).alarms
    assert console_url(parsed) is None
    assert "Open in CloudWatch" not in telegram_html(parsed)


@pytest.mark.parametrize(
    ("state", "emoji"), [("ALARM", "\U0001f6a8"), ("OK", "\u2705"), ("INSUFFICIENT_DATA", "\u26a0")]
)
def test_slack_message_has_state_emoji_name_reason_metric_link_and_runbook(
    state: str, emoji: str
) -> None:
    payload = slack_message(alarm(NewStateValue=state))
    assert payload["text"].startswith(f"{emoji}")
    assert f"{state}: naver-sms-bookings-failed" in payload["text"]
    body = slack_text(payload)
    assert "Threshold Crossed: 1 datapoint [3.0] was greater than 0.0" in body
    assert "naver-sms / bookings_failed" in body
    assert "store_id=store-1" in body
    assert "GreaterThanThreshold 0" in body
    assert f"*Runbook:* {RUNBOOK}" in body  # "Bookings failed" carries no link
    assert "|Open in CloudWatch>" in body
    assert [b["type"] for b in payload["blocks"]] == ["section", "section", "context"]


def test_slack_escapes_control_characters_from_the_alarm() -> None:
    payload = slack_message(alarm(AlarmName="x<@U123>&y", NewStateReason="<!channel> a&b"))
    body = slack_text(payload)
    assert "<@U123>" not in payload["text"]
    assert "<@U123>" not in body
    assert "x&lt;@U123&gt;&amp;y" in payload["text"]
    assert "&lt;!channel&gt; a&amp;b" in body


def test_telegram_html_escapes_names_and_parses_as_telegram_would() -> None:
    message = alarm(AlarmName="<b>evil</b> & co", NewStateReason="x < 5 && y > 3")
    html = telegram_html(message)
    assert "&lt;b&gt;evil&lt;/b&gt; &amp; co" in html
    assert "x &lt; 5 &amp;&amp; y &gt; 3" in html
    plain = parse_html(html).plain_text  # the local Bot API's entity parser: must accept it
    assert "ALARM: <b>evil</b> & co" in plain
    assert "Reason: x < 5 && y > 3" in plain
    assert f"Runbook: {RUNBOOK}" in plain


def test_telegram_html_has_state_transition_metric_and_link() -> None:
    html = telegram_html(alarm(NewStateValue="OK", OldStateValue="ALARM"))
    assert html.startswith("\u2705 <b>OK: naver-sms-bookings-failed</b>")
    assert "<b>State:</b> ALARM → OK" in html
    assert "<b>Metric:</b> naver-sms / bookings_failed" in html
    assert '<a href="https://ap-northeast-2.console.aws.amazon.com/' in html
    assert "Asia Pacific (Seoul), account 123456789012, 2026-11-27T08:00:00.000+0000" in html


def test_metric_math_is_named_as_such() -> None:
    trigger = {
        "Metrics": [{"Id": "m", "Expression": "a/b"}],
        "Threshold": 5.0,
        "ComparisonOperator": "GreaterThanThreshold",
    }
    assert "<b>Metric:</b> metric math" in telegram_html(alarm(Trigger=trigger))


def test_a_long_reason_is_cut_so_the_message_fits_one_telegram_message() -> None:
    html = telegram_html(alarm(NewStateReason="&" * 10_000))
    plain = parse_html(html).plain_text
    assert len(plain) <= 4096
    assert "&" * (MAX_REASON_CHARS - 1) + "…" in plain
