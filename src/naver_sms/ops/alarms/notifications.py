"""What each ALARM and OK transition sends, in dry run.

The monitoring module points ``alarm_actions`` and ``ok_actions`` at its SNS topic, so every
transition into ALARM or OK is published: CloudWatch's alarm message (JSON) goes to the alert
forwarder, which posts it to Slack and Telegram, and CloudWatch's e-mail rendering goes to the
e-mail subscribers. :func:`render` builds the SNS event CloudWatch would publish and hands it to
the forwarder's own parsing and formatting (``naver_sms.alerts``), so the Slack and Telegram
messages here are exactly what the forwarder would post; the e-mail follows CloudWatch's
notification template. The account id and topic are placeholders (a dry run has no account).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from naver_sms.ops.alarms.definitions import AlarmDefinition
from naver_sms.ops.alarms.evaluation import ALARM, OK, Transition

DRY_RUN_ACCOUNT: Final = "123456789012"
REGION_NAMES: Final = {
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-northeast-3": "Asia Pacific (Osaka)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "us-east-1": "US East (N. Virginia)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-central-1": "EU (Frankfurt)",
}
NOTIFIED_STATES: Final = (ALARM, OK)


@dataclass(frozen=True)
class Notification:
    transition: Transition
    sns_message: dict[str, Any]
    slack: dict[str, Any]
    telegram_html: str
    email_subject: str
    email_body: str


def _state_change_time(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+0000"


def _email_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%A %d %B, %Y %H:%M:%S UTC")


def _dimensions(pairs: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"value": value, "name": name} for name, value in pairs]


def _trigger(alarm: AlarmDefinition) -> dict[str, Any]:
    common = {
        "Period": alarm.period,
        "EvaluationPeriods": alarm.evaluation_periods,
        "DatapointsToAlarm": alarm.datapoints_to_alarm,
        "ComparisonOperator": alarm.comparison_operator,
        "Threshold": alarm.threshold,
        "TreatMissingData": alarm.treat_missing_data,
        "EvaluateLowSampleCountPercentile": "",
    }
    result = alarm.result
    if len(alarm.queries) == 1 and result.metric is not None:
        metric = result.metric
        statistic = (
            {"StatisticType": "ExtendedStatistic", "ExtendedStatistic": metric.stat}
            if metric.percentile is not None
            else {"StatisticType": "Statistic", "Statistic": metric.stat.upper()}
        )
        return {
            "MetricName": metric.metric_name,
            "Namespace": metric.namespace,
            **statistic,
            "Unit": None,
            "Dimensions": _dimensions(metric.dimensions),
            **common,
        }
    metrics = []
    for query in alarm.queries:
        entry: dict[str, Any] = {
            "Id": query.id,
            "Label": query.label,
            "ReturnData": query.return_data,
        }
        if query.expression is not None:
            entry["Expression"] = query.expression
        else:
            assert query.metric is not None
            entry["MetricStat"] = {
                "Metric": {
                    "Dimensions": _dimensions(query.metric.dimensions),
                    "MetricName": query.metric.metric_name,
                    "Namespace": query.metric.namespace,
                },
                "Period": query.metric.period,
                "Stat": query.metric.stat,
            }
        metrics.append(entry)
    return {"Metrics": metrics, **common}


def sns_message(alarm: AlarmDefinition, transition: Transition, region: str) -> dict[str, Any]:
    """The alarm message CloudWatch publishes to the topic (its JSON form)."""
    topic = (
        f"arn:aws:sns:{region}:{DRY_RUN_ACCOUNT}:{alarm.name.removesuffix('-' + alarm.key)}-alarms"
    )
    return {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description,
        "AWSAccountId": DRY_RUN_ACCOUNT,
        "AlarmConfigurationUpdatedTimestamp": _state_change_time(transition.at_ms),
        "NewStateValue": transition.to_state,
        "NewStateReason": transition.reason,
        "StateChangeTime": _state_change_time(transition.at_ms),
        "Region": REGION_NAMES.get(region, region),
        "AlarmArn": f"arn:aws:cloudwatch:{region}:{DRY_RUN_ACCOUNT}:alarm:{alarm.name}",
        "OldStateValue": transition.from_state,
        "OKActions": [topic],
        "AlarmActions": [topic],
        "InsufficientDataActions": [],
        "Trigger": _trigger(alarm),
    }


def forwarder_messages(event: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The alert forwarder's Slack payload and Telegram HTML for one SNS alarm event.

    The one call into naver_sms.alerts: its event parser and its two formatters.
    """
    from naver_sms.alerts.events import parse_event  # noqa: PLC0415
    from naver_sms.alerts.format import slack_message, telegram_html  # noqa: PLC0415

    parsed = parse_event(event)
    if parsed.invalid or len(parsed.alarms) != 1:
        raise ValueError(f"the forwarder rejected the alarm message: {parsed.invalid}")
    alarm = parsed.alarms[0]
    return slack_message(alarm), telegram_html(alarm)


def email(alarm: AlarmDefinition, message: dict[str, Any], region: str) -> tuple[str, str]:
    """Subject and text of CloudWatch's e-mail notification for this message."""
    state = message["NewStateValue"]
    region_name = message["Region"]
    at = _email_time(_parse_change_time(message["StateChangeTime"]))
    subject = f'{state}: "{alarm.name}" in {region_name}'
    console = (
        f"https://{region}.console.aws.amazon.com/cloudwatch/deeplink.js?region={region}"
        f"#alarmsV2:alarm/{alarm.name}"
    )
    relation = alarm.comparison_operator
    reason = message["NewStateReason"]
    lines = [
        f'You are receiving this email because your Amazon CloudWatch Alarm "{alarm.name}" in the '
        f'{region_name} region has entered the {state} state, because "{reason}" at "{at}".',
        "",
        "View this alarm in the AWS Management Console:",
        console,
        "",
        "Alarm Details:",
        f"- Name:                       {alarm.name}",
        f"- Description:                {alarm.description}",
        f"- State Change:               {message['OldStateValue']} -> {state}",
        f"- Reason for State Change:    {message['NewStateReason']}",
        f"- Timestamp:                  {at}",
        f"- AWS Account:                {DRY_RUN_ACCOUNT}",
        f"- Alarm Arn:                  {message['AlarmArn']}",
        "",
        "Threshold:",
        f"- The alarm is in the ALARM state when the metric is {relation} {alarm.threshold!r} for "
        f"at least {alarm.datapoints_to_alarm} of the last {alarm.evaluation_periods} period(s) "
        f"of {alarm.period} seconds.",
        "",
    ]
    trigger = message["Trigger"]
    if "MetricName" in trigger:
        dims = ", ".join(f"[{d['name']} = {d['value']}]" for d in trigger["Dimensions"])
        lines += [
            "Monitored Metric:",
            f"- MetricNamespace:                     {trigger['Namespace']}",
            f"- MetricName:                          {trigger['MetricName']}",
            f"- Dimensions:                          {dims}",
            f"- Period:                              {trigger['Period']} seconds",
            f"- Statistic:                           "
            f"{trigger.get('Statistic') or trigger.get('ExtendedStatistic')}",
            "- Unit:                                not specified",
            f"- TreatMissingData:                    {trigger['TreatMissingData']}",
        ]
    else:
        lines.append("Monitored Metrics:")
        for metric in trigger["Metrics"]:
            if "Expression" in metric:
                lines.append(f"- {metric['Id']}: {metric['Expression']} ({metric['Label']})")
            else:
                stat = metric["MetricStat"]
                dims = ", ".join(f"{d['name']}={d['value']}" for d in stat["Metric"]["Dimensions"])
                lines.append(
                    f"- {metric['Id']}: {stat['Metric']['Namespace']} "
                    f"{stat['Metric']['MetricName']}"
                    + (f" [{dims}]" if dims else "")
                    + f" {stat['Stat']} over {stat['Period']} seconds"
                )
        lines.append(f"- TreatMissingData:                    {trigger['TreatMissingData']}")
    topics = ", ".join(message["OKActions"])
    lines += [
        "",
        "",
        "State Change Actions:",
        f"- OK: [{topics}]",
        f"- ALARM: [{', '.join(message['AlarmActions'])}]",
        "- INSUFFICIENT_DATA:",
    ]
    return subject, "\n".join(lines) + "\n"


def _parse_change_time(text: str) -> int:
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
    return int(moment.timestamp() * 1000)


def render(alarm: AlarmDefinition, transition: Transition, region: str) -> Notification | None:
    """The notifications a transition sends; None for INSUFFICIENT_DATA (no action set)."""
    if transition.to_state not in NOTIFIED_STATES:
        return None
    message = sns_message(alarm, transition, region)
    topic = message["AlarmActions"][0]
    event = {
        "Records": [
            {
                "EventSource": "aws:sns",
                "Sns": {
                    "Type": "Notification",
                    "TopicArn": topic,
                    "Subject": f'{transition.to_state}: "{alarm.name}" in {message["Region"]}',
                    "Message": json.dumps(message),
                    "Timestamp": _state_change_time(transition.at_ms),
                },
            }
        ]
    }
    slack, telegram = forwarder_messages(event)
    subject, body = email(alarm, message, region)
    return Notification(transition, message, slack, telegram, subject, body)
