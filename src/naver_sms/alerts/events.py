"""Parse an SNS-triggered Lambda event into CloudWatch alarm state changes.

Each record is judged on its own: a malformed one becomes an :class:`InvalidRecord` naming its
index and the field at fault, and the others are still returned for forwarding. Only what the
messages need is required (name, state, reason, time); the trigger is optional because
metric-math alarms carry ``Trigger.Metrics`` instead of a single metric.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")


class AlarmMessageError(ValueError):
    """One field of one record is missing or wrong; ``str()`` says which and where."""

    def __init__(self, where: str, field: str, reason: str) -> None:
        super().__init__(f"{where}: {field}: {reason}")
        self.where = where
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Trigger:
    metric_name: str | None
    namespace: str | None
    dimensions: tuple[tuple[str, str], ...]
    statistic: str | None
    threshold: float | None
    comparison_operator: str | None
    period: int | None
    evaluation_periods: int | None
    metric_math: bool
    """True for a metric-math alarm (``Trigger.Metrics``): no single metric to show."""


@dataclass(frozen=True)
class Alarm:
    index: int
    """Position of the record in ``event.Records``."""
    name: str
    new_state: str
    old_state: str | None
    reason: str
    state_change_time: str
    region_name: str | None
    """As CloudWatch writes it: a display name such as "Asia Pacific (Seoul)"."""
    region: str | None
    """The region code (ap-northeast-2), from the alarm or topic ARN, for console links."""
    account_id: str | None
    description: str | None
    trigger: Trigger | None


@dataclass(frozen=True)
class InvalidRecord:
    index: int
    where: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.reason}"


@dataclass(frozen=True)
class ParsedEvent:
    alarms: list[Alarm]
    invalid: list[InvalidRecord]


def parse_event(event: Any) -> ParsedEvent:
    """Every record of `event`: alarms to forward, and the records that could not be read.

    An event that is not an SNS event at all (no ``Records`` list) raises AlarmMessageError.
    """
    if not isinstance(event, Mapping):
        raise AlarmMessageError("event", "event", f"must be an object, got {_kind(event)}")
    records = event.get("Records")
    if not isinstance(records, list):
        raise AlarmMessageError("event", "Records", f"must be a list, got {_kind(records)}")
    alarms: list[Alarm] = []
    invalid: list[InvalidRecord] = []
    for index, record in enumerate(records):
        try:
            alarms.append(parse_record(index, record))
        except AlarmMessageError as exc:
            invalid.append(InvalidRecord(index, exc.where, exc.field, exc.reason))
    return ParsedEvent(alarms, invalid)


def parse_record(index: int, record: Any) -> Alarm:
    where = f"Records[{index}]"
    if not isinstance(record, Mapping):
        raise AlarmMessageError(where, "record", f"must be an object, got {_kind(record)}")
    sns = record.get("Sns")
    if not isinstance(sns, Mapping):
        raise AlarmMessageError(where, "Sns", f"must be an object, got {_kind(sns)}")
    raw = sns.get("Message")
    if not isinstance(raw, str):
        raise AlarmMessageError(where, "Sns.Message", f"must be a string, got {_kind(raw)}")
    where = f"{where}.Sns.Message"
    try:
        message = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise AlarmMessageError(
            where, "Sns.Message", f"is not JSON ({exc.msg} at character {exc.pos})"
        ) from None
    if not isinstance(message, Mapping):
        raise AlarmMessageError(
            where, "Sns.Message", f"must be a JSON object, got {_kind(message)}"
        )
    new_state = _required_str(message, "NewStateValue", where)
    if new_state not in STATES:
        raise AlarmMessageError(
            where, "NewStateValue", f"{new_state[:40]!r} is not one of {', '.join(STATES)}"
        )
    old_state = _optional_str(message, "OldStateValue", where)
    arn = _optional_str(message, "AlarmArn", where) or _optional_str(sns, "TopicArn", where)
    trigger = message.get("Trigger")
    return Alarm(
        index=index,
        name=_required_str(message, "AlarmName", where),
        new_state=new_state,
        old_state=old_state,
        reason=_required_str(message, "NewStateReason", where),
        state_change_time=_required_str(message, "StateChangeTime", where),
        region_name=_optional_str(message, "Region", where),
        region=_region_from_arn(arn),
        account_id=_optional_str(message, "AWSAccountId", where),
        description=_optional_str(message, "AlarmDescription", where),
        trigger=None if trigger is None else _trigger(trigger, where),
    )


def _trigger(raw: Any, where: str) -> Trigger:
    if not isinstance(raw, Mapping):
        raise AlarmMessageError(where, "Trigger", f"must be an object, got {_kind(raw)}")
    metrics = raw.get("Metrics")
    metric_name = _optional_str(raw, "MetricName", where, prefix="Trigger.")
    namespace = _optional_str(raw, "Namespace", where, prefix="Trigger.")
    dimensions = _dimensions(raw.get("Dimensions"), where)
    if metric_name is None and isinstance(metrics, list):
        # Metric math: show the namespace of the first metric it reads, if any.
        for item in metrics:
            stat = item.get("MetricStat") if isinstance(item, Mapping) else None
            metric = stat.get("Metric") if isinstance(stat, Mapping) else None
            if isinstance(metric, Mapping) and isinstance(metric.get("Namespace"), str):
                namespace = namespace or metric["Namespace"]
                break
    return Trigger(
        metric_name=metric_name,
        namespace=namespace,
        dimensions=dimensions,
        statistic=_optional_str(raw, "Statistic", where, prefix="Trigger.")
        or _optional_str(raw, "ExtendedStatistic", where, prefix="Trigger."),
        threshold=_optional_number(raw, "Threshold", where),
        comparison_operator=_optional_str(raw, "ComparisonOperator", where, prefix="Trigger."),
        period=_optional_int(raw, "Period", where),
        evaluation_periods=_optional_int(raw, "EvaluationPeriods", where),
        metric_math=metric_name is None and isinstance(metrics, list),
    )


def _dimensions(raw: Any, where: str) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise AlarmMessageError(where, "Trigger.Dimensions", f"must be a list, got {_kind(raw)}")
    pairs: list[tuple[str, str]] = []
    for position, item in enumerate(raw):
        field = f"Trigger.Dimensions[{position}]"
        if not isinstance(item, Mapping):
            raise AlarmMessageError(where, field, f"must be an object, got {_kind(item)}")
        # CloudWatch writes {"value": ..., "name": ...}; accept the API's capitalised form too.
        name = item.get("name", item.get("Name"))
        value = item.get("value", item.get("Value"))
        if not isinstance(name, str) or not isinstance(value, str):
            raise AlarmMessageError(where, field, "needs string name and value")
        pairs.append((name, value))
    return tuple(pairs)


def _required_str(message: Mapping[str, Any], key: str, where: str) -> str:
    if key not in message:
        raise AlarmMessageError(where, key, "is missing")
    value = message[key]
    if not isinstance(value, str) or not value.strip():
        raise AlarmMessageError(where, key, f"must be a non-empty string, got {_kind(value)}")
    return value


def _optional_str(
    message: Mapping[str, Any], key: str, where: str, *, prefix: str = ""
) -> str | None:
    value = message.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise AlarmMessageError(where, prefix + key, f"must be a string, got {_kind(value)}")
    return value


def _optional_number(message: Mapping[str, Any], key: str, where: str) -> float | None:
    value = message.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AlarmMessageError(where, f"Trigger.{key}", f"must be a number, got {_kind(value)}")
    return float(value)


def _optional_int(message: Mapping[str, Any], key: str, where: str) -> int | None:
    value = _optional_number(message, key, where)
    return None if value is None else int(value)


def _region_from_arn(arn: str | None) -> str | None:
    """arn:aws:cloudwatch:<region>:<account>:alarm:<name> (or the SNS topic ARN)."""
    if not arn:
        return None
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else None


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__
