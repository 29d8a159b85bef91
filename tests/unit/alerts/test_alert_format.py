"""Slack and Telegram renderings of an alarm: content, links, escaping."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_alert_events import alarm_message, record

from naver_sms.alerts.events import Alarm, parse_event
from naver_sms.alerts.format import (
    MAX_REASON_CHARS,
    console_url,
    runbook_section,
    slack_message,
    telegram_html,
)
from naver_sms.devstack.telegram_html import parse_html


def alarm(**overrides: Any) -> Alarm:
    [parsed] = parse_event({"Records": [record(alarm_message(**overrides))]}).alarms
    return parsed


def slack_text(payload: dict[str, Any]) -> str:
    return json.dumps(payload["blocks"], ensure_ascii=False)


def test_runbook_section_follows_the_alarm_key() -> None:
    assert (
        runbook_section("naver-sms-sens-failure-rate")
        == "docs/runbook.md § Alarms: sens-failure-rate"
    )
    assert runbook_section("something-else") == "docs/runbook.md § Alarms"


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
    assert "docs/runbook.md § Alarms: bookings-failed" in body
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
    assert "Runbook: docs/runbook.md § Alarms" in plain


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
