"""Parsing SNS events that carry CloudWatch alarm state changes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from naver_sms.alerts.events import AlarmMessageError, parse_event

ARN = "arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:naver-sms-bookings-failed"


def alarm_message(**overrides: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "AlarmName": "naver-sms-bookings-failed",
        "AlarmDescription": "Bookings failed",
        "AWSAccountId": "123456789012",
        "AlarmArn": ARN,
        "NewStateValue": "ALARM",
        "NewStateReason": "Threshold Crossed: 1 datapoint [3.0] was greater than 0.0",
        "StateChangeTime": "2026-11-27T08:00:00.000+0000",
        "Region": "Asia Pacific (Seoul)",
        "OldStateValue": "OK",
        "Trigger": {
            "MetricName": "bookings_failed",
            "Namespace": "naver-sms",
            "StatisticType": "Statistic",
            "Statistic": "SUM",
            "Dimensions": [{"value": "store-1", "name": "store_id"}],
            "Period": 300,
            "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 0.0,
        },
    }
    message.update(overrides)
    return message


def record(message: Any) -> dict[str, Any]:
    body = message if isinstance(message, str) else json.dumps(message)
    return {
        "EventSource": "aws:sns",
        "Sns": {
            "TopicArn": "arn:aws:sns:ap-northeast-2:123456789012:naver-sms-alarms",
            "Message": body,
        },
    }


def test_a_full_alarm_is_parsed() -> None:
    parsed = parse_event({"Records": [record(alarm_message())]})
    assert parsed.invalid == []
    [alarm] = parsed.alarms
    assert (alarm.index, alarm.name, alarm.new_state, alarm.old_state) == (
        0,
        "naver-sms-bookings-failed",
        "ALARM",
        "OK",
    )
    assert alarm.region == "ap-northeast-2"  # from the ARN, not the display name
    assert alarm.region_name == "Asia Pacific (Seoul)"
    assert alarm.trigger is not None
    assert alarm.trigger.metric_name == "bookings_failed"
    assert alarm.trigger.dimensions == (("store_id", "store-1"),)
    assert alarm.trigger.threshold == 0.0
    assert alarm.trigger.period == 300
    assert not alarm.trigger.metric_math


def test_metric_math_alarm_has_no_single_metric() -> None:
    trigger = {
        "Metrics": [
            {"Id": "rate", "Expression": "100 * e / i", "ReturnData": True},
            {
                "Id": "e",
                "MetricStat": {
                    "Metric": {"Namespace": "AWS/Lambda", "MetricName": "Errors"},
                    "Stat": "Sum",
                },
            },
        ],
        "ComparisonOperator": "GreaterThanThreshold",
        "Threshold": 5.0,
    }
    [alarm] = parse_event({"Records": [record(alarm_message(Trigger=trigger))]}).alarms
    assert alarm.trigger is not None
    assert alarm.trigger.metric_math
    assert alarm.trigger.metric_name is None
    assert alarm.trigger.namespace == "AWS/Lambda"


def test_region_falls_back_to_the_topic_arn() -> None:
    message = alarm_message()
    del message["AlarmArn"]
    [alarm] = parse_event({"Records": [record(message)]}).alarms
    assert alarm.region == "ap-northeast-2"


@pytest.mark.parametrize(
    ("bad_record", "where", "field"),
    [
        ("not a record", "Records[1]", "record"),
        ({"Sns": None}, "Records[1]", "Sns"),
        ({"Sns": {"Message": 42}}, "Records[1]", "Sns.Message"),
        (record("{not json"), "Records[1].Sns.Message", "Sns.Message"),
        (record("[1, 2]"), "Records[1].Sns.Message", "Sns.Message"),
        (
            record({k: v for k, v in alarm_message().items() if k != "AlarmName"}),
            "Records[1].Sns.Message",
            "AlarmName",
        ),
        (record(alarm_message(NewStateValue="BROKEN")), "Records[1].Sns.Message", "NewStateValue"),
        (record(alarm_message(NewStateReason="")), "Records[1].Sns.Message", "NewStateReason"),
        (record(alarm_message(Trigger="x")), "Records[1].Sns.Message", "Trigger"),
        (
            record(alarm_message(Trigger={"Threshold": "high"})),
            "Records[1].Sns.Message",
            "Trigger.Threshold",
        ),
        (
            record(alarm_message(Trigger={"Dimensions": [{"name": "a"}]})),
            "Records[1].Sns.Message",
            "Trigger.Dimensions[0]",
        ),
    ],
)
def test_a_malformed_record_names_its_index_and_field_and_the_others_survive(
    bad_record: Any, where: str, field: str
) -> None:
    event = {
        "Records": [
            record(alarm_message(AlarmName="first")),
            bad_record,
            record(alarm_message(AlarmName="third")),
        ]
    }
    parsed = parse_event(event)
    assert [a.name for a in parsed.alarms] == ["first", "third"]
    assert [a.index for a in parsed.alarms] == [0, 2]
    [invalid] = parsed.invalid
    assert (invalid.index, invalid.where, invalid.field) == (1, where, field)
    assert str(invalid).startswith(f"{where}: {field}: ")


def test_not_json_error_says_where_the_json_breaks() -> None:
    [invalid] = parse_event({"Records": [record('{"AlarmName": ')]}).invalid
    assert "is not JSON" in invalid.reason
    assert "at character 14" in invalid.reason


@pytest.mark.parametrize(
    ("event", "field"), [(None, "event"), ({}, "Records"), ({"Records": {}}, "Records")]
)
def test_an_event_without_records_is_rejected_whole(event: Any, field: str) -> None:
    with pytest.raises(AlarmMessageError) as caught:
        parse_event(event)
    assert caught.value.field == field
