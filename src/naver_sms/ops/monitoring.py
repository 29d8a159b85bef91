"""The monitoring module's alarms and dashboard, as Terraform computes them for given inputs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from naver_sms.ops.alarms.definitions import AlarmDefinition, AlarmDefinitionError, parse_alarm
from naver_sms.ops.terraform_values import MONITORING_MODULE, declared_variables, evaluate

# The complete example's values for the module's inputs it takes from the other modules
# (examples/complete wires them from module.function and module.notifications); only those the
# module declares are passed.
DEFAULT_VARIABLES: Final = {
    "aws_region": "ap-northeast-2",
    "function_name": "naver-sms",
    "table_name": "naver-sms-bookings",
    "alarm_topic_arn": "arn:aws:sns:ap-northeast-2:123456789012:naver-sms-alarms",
    "log_group_names": ["/aws/lambda/naver-sms"],
}


@dataclass(frozen=True)
class MonitoringValues:
    alarms: list[AlarmDefinition]
    dashboard_body: dict[str, Any]
    variables: dict[str, Any]
    """The module inputs the values were computed with (name, aws_region, function_name, ...)."""


def load_monitoring(
    module: Path | None = None, variables: Mapping[str, Any] | None = None
) -> MonitoringValues:
    """The alarms and dashboard of the monitoring module, as Terraform computes them."""
    directory = module or MONITORING_MODULE
    declared = declared_variables(directory)
    inputs = {k: v for k, v in DEFAULT_VARIABLES.items() if k in declared}
    inputs |= dict(variables or {})
    values = evaluate(
        directory,
        {
            "alarms": "local.alarms",
            "dashboard_body": "local.dashboard_body",
            "name": "var.name",
            "aws_region": "var.aws_region",
            "function_name": "var.function_name",
        },
        inputs,
    )
    raw_alarms = values["alarms"]
    if not isinstance(raw_alarms, Mapping):
        raise AlarmDefinitionError("local.alarms must be a map of alarm objects")
    prefix = str(values["name"])
    alarms = [parse_alarm(key, raw_alarms[key], prefix) for key in sorted(raw_alarms)]
    body = values["dashboard_body"]
    dashboard = body if isinstance(body, dict) else _json_object(body)
    resolved = inputs | {k: values[k] for k in ("name", "aws_region", "function_name")}
    return MonitoringValues(alarms, dashboard, resolved)


def _json_object(text: Any) -> dict[str, Any]:
    try:
        parsed = json.loads(str(text))
    except ValueError as exc:
        raise AlarmDefinitionError(f"local.dashboard_body is not JSON ({exc})") from None
    if not isinstance(parsed, dict):
        raise AlarmDefinitionError("local.dashboard_body must be a JSON object")
    return parsed
