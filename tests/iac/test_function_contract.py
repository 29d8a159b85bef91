"""The function module configures the Lambda the way the code and the collector read it.

Values come from the real Terraform evaluating the module's pure files (variables.tf,
locals.tf); resources are read with python-hcl2 to check they use those values unchanged.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from opentelemetry.exporter.otlp.json.http.metric_exporter import (
    OTLPMetricExporter as OtlpMetricExporter,
)
from opentelemetry.exporter.otlp.json.http.trace_exporter import (
    OTLPSpanExporter as OtlpSpanExporter,
)

from naver_sms.config import constants as config_constants
from naver_sms.config.resolve import parse_bool
from naver_sms.config.settings import Settings
from naver_sms.telemetry import constants as telemetry_constants
from naver_sms.telemetry.exporters.emf import EmfMetricExporter as EmfStdoutMetricExporter
from naver_sms.telemetry.exporters.xray_udp import XrayUdpSpanExporter
from naver_sms.telemetry.setup import flush_budget_ms
from naver_sms.telemetry.setup.selection import exporter_name, metric_exporter, span_exporter
from naver_sms.telemetry.setup.selection import otlp_endpoint as signal_endpoint
from support.terraform import (
    FUNCTION_MODULE,
    FUNCTION_PURE_FILES,
    ROOT,
    evaluate,
    evaluation_error,
    module_blocks,
)

pytestmark = pytest.mark.iac

REGION = "ap-northeast-2"
KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/0b1c2d3e-0000-4000-8000-000000000000"
REQUIRED = {"aws_region": REGION, "package_path": "build/naver-sms-lambda.zip", "kms_key_arn": KEY}
OUTPUTS = {
    "environment": "local.environment",
    "layer": "local.collector_layer_arn",
    "layers": "local.layers",
    "switches": "local.switch_parameter_names",
    "switch_values": "local.switch_initial_values",
    "handler": "local.handler",
    "runtime": "local.runtime",
    "secrets": "local.secret_parameter_names",
}
TASK_ROOT = "/var/task/"  # where Lambda unpacks the deployment zip


def _evaluate(tmp: Path, **variables: Any) -> dict[str, Any]:
    return evaluate(FUNCTION_MODULE, FUNCTION_PURE_FILES, REQUIRED | variables, OUTPUTS, tmp)


@pytest.fixture(scope="module")
def defaults(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _evaluate(tmp_path_factory.mktemp("function"))


def _env_names(module: object) -> set[str]:
    return {
        value
        for name, value in vars(module).items()
        if isinstance(value, str)
        and re.fullmatch(r"_?[A-Z][A-Z0-9_]*", value)
        and not name.startswith("DEFAULT_")
    }


def _collector_env_names(config: str) -> set[str]:
    return set(re.findall(r"\$\{env:([A-Z0-9_]+)\}", (ROOT / config).read_text(encoding="utf-8")))


def test_the_collector_reads_the_packaged_configuration(defaults: dict[str, Any]) -> None:
    uri = defaults["environment"]["OPENTELEMETRY_COLLECTOR_CONFIG_URI"]
    assert uri == "/var/task/collector/config.yaml"
    # The file the URI names is the repository's collector/config.yaml, shipped in the zip.
    assert (ROOT / uri.removeprefix(TASK_ROOT)).is_file()


def test_the_function_exports_to_the_collector_receiver(defaults: dict[str, Any]) -> None:
    env = defaults["environment"]
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == telemetry_constants.DEFAULT_OTLP_ENDPOINT
    receiver = yaml.safe_load((ROOT / "collector/config.yaml").read_text(encoding="utf-8"))
    http = receiver["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    assert signal_endpoint("metrics", env) == f"http://{http}/v1/metrics"
    assert exporter_name(telemetry_constants.OTEL_TRACES_EXPORTER, env, None) == "otlp"
    assert exporter_name(telemetry_constants.OTEL_METRICS_EXPORTER, env, None) == "otlp"
    assert flush_budget_ms(env) == telemetry_constants.DEFAULT_FLUSH_MS


def test_only_variables_the_code_or_the_collector_reads(defaults: dict[str, Any]) -> None:
    known = (
        _env_names(config_constants)
        | _env_names(telemetry_constants)
        | {"OPENTELEMETRY_COLLECTOR_CONFIG_URI"}
    )
    env = defaults["environment"]
    assert set(env) <= known, sorted(set(env) - known)
    # Secrets come from SSM SecureString, never from the environment (visible in the console).
    secrets = set(config_constants.SECRET_NAMES) | set(telemetry_constants.SECRET_ENV_VARS)
    assert not secrets & set(env)
    # Lambda reserves these; setting one fails the deployment.
    assert not [name for name in env if name.startswith(("AWS_", "_X_AMZN", "LAMBDA_"))]


def test_the_code_resolves_the_defaults_to_a_safe_dry_run(defaults: dict[str, Any]) -> None:
    env = defaults["environment"]
    settings = Settings.load(env=env)
    assert settings.sms_sending_enabled is False
    assert env["SMS_SENDING_ENABLED"] == "false"
    assert settings.secrets_source == "ssm"
    assert settings.secrets_ssm_prefix == config_constants.DEFAULT_SECRETS_SSM_PREFIX
    assert settings.switch_prefix == config_constants.DEFAULT_SWITCH_PREFIX
    assert settings.approval_parameter == config_constants.DEFAULT_APPROVAL_PARAMETER
    assert settings.bookings_table == config_constants.DEFAULT_BOOKINGS_TABLE
    assert settings.environment == "production"


def test_optional_settings_reach_the_code(tmp_path: Path) -> None:
    values = _evaluate(
        tmp_path,
        sms_sending_enabled=True,
        guide_window_hours=2.5,
        switch_cache_seconds=10,
        booking_source_url="https://bookings.example/api",
        booking_source_stores="s1, s2",
        metrics_exporter="emf",
        legacy_capture_path="/var/task/captures/legacy.jsonl",
    )
    env = values["environment"]
    settings = Settings.load(env=env)
    assert settings.sms_sending_enabled is True
    assert settings.guide_window_hours == 2.5
    assert settings.switch_cache_seconds == 10.0
    assert settings.booking_source_url == "https://bookings.example/api"
    assert settings.booking_source_stores == ("s1", "s2")
    assert settings.legacy_capture_path == Path("/var/task/captures/legacy.jsonl")
    assert exporter_name(telemetry_constants.OTEL_METRICS_EXPORTER, env, None) == "emf"


def test_the_otlp_swap_sets_exactly_what_otlp_yaml_reads(tmp_path: Path) -> None:
    env = _evaluate(
        tmp_path,
        collector_config="collector/otlp.yaml",
        otlp_backend_endpoint="https://otlp.example",
        otlp_backend_headers={"api-key": "k"},
    )["environment"]
    assert env["OPENTELEMETRY_COLLECTOR_CONFIG_URI"] == "/var/task/collector/otlp.yaml"
    assert (ROOT / "collector/otlp.yaml").is_file()
    collector_reads = _collector_env_names("collector/otlp.yaml")
    assert collector_reads == {"NAVER_SMS_OTLP_BACKEND_ENDPOINT", "NAVER_SMS_OTLP_BACKEND_HEADERS"}
    assert collector_reads <= set(env)
    assert yaml.safe_load(env["NAVER_SMS_OTLP_BACKEND_HEADERS"]) == {"api-key": "k"}


def test_by_default_the_layer_is_attached_and_both_signals_go_to_it(
    defaults: dict[str, Any],
) -> None:
    assert defaults["layers"] == [defaults["layer"]]
    env = defaults["environment"]
    assert env["OTEL_TRACES_EXPORTER"] == env["OTEL_METRICS_EXPORTER"] == "otlp"
    assert isinstance(span_exporter(_exporter("traces", env), env), OtlpSpanExporter)
    assert isinstance(metric_exporter(_exporter("metrics", env), env), OtlpMetricExporter)


def _exporter(signal: str, env: dict[str, str]) -> str:
    variable = (
        telemetry_constants.OTEL_TRACES_EXPORTER
        if signal == "traces"
        else telemetry_constants.OTEL_METRICS_EXPORTER
    )
    return exporter_name(variable, env, None)


@pytest.fixture(scope="module")
def collector_less(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # Backend settings too: without a collector nothing reads them, so none may reach the env.
    return _evaluate(
        tmp_path_factory.mktemp("collector_less"),
        traces_exporter="xray_udp",
        metrics_exporter="emf",
        otlp_backend_endpoint="https://otlp.example",
        otlp_backend_headers={"api-key": "k"},
    )


def test_collector_less_attaches_no_layer_and_no_collector_settings(
    collector_less: dict[str, Any], defaults: dict[str, Any]
) -> None:
    assert collector_less["layers"] == []
    env = collector_less["environment"]
    collector_only = {
        "OPENTELEMETRY_COLLECTOR_CONFIG_URI",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        *_collector_env_names("collector/otlp.yaml"),
    }
    assert not collector_only & set(env), sorted(collector_only & set(env))
    # Otherwise the default deployment's environment, only the two exporters differ.
    default_env = defaults["environment"]
    assert set(default_env) - set(env) == {
        "OPENTELEMETRY_COLLECTOR_CONFIG_URI",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    }
    changed = {name for name, value in env.items() if default_env.get(name) != value}
    assert changed == {"OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER"}


def test_collector_less_makes_the_code_export_to_the_daemon_and_stdout(
    collector_less: dict[str, Any],
) -> None:
    env = collector_less["environment"]
    assert env["OTEL_TRACES_EXPORTER"] == "xray_udp"
    assert env["OTEL_METRICS_EXPORTER"] == "emf"
    spans = span_exporter(_exporter("traces", env), env)
    assert isinstance(spans, XrayUdpSpanExporter)
    # The daemon address is Lambda's AWS_XRAY_DAEMON_ADDRESS, not something the module sets.
    assert spans.address is None
    assert isinstance(metric_exporter(_exporter("metrics", env), env), EmfStdoutMetricExporter)
    assert flush_budget_ms(env) == telemetry_constants.DEFAULT_FLUSH_MS


@pytest.mark.parametrize(
    ("traces", "metrics"),
    [("xray_udp", "otlp"), ("otlp", "emf")],
    ids=["xray_udp+otlp", "otlp+emf"],
)
def test_a_mixed_mode_keeps_the_collector(traces: str, metrics: str, tmp_path: Path) -> None:
    values = _evaluate(tmp_path, traces_exporter=traces, metrics_exporter=metrics)
    assert values["layers"] == [values["layer"]]
    env = values["environment"]
    assert env["OPENTELEMETRY_COLLECTOR_CONFIG_URI"] == "/var/task/collector/config.yaml"
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == telemetry_constants.DEFAULT_OTLP_ENDPOINT
    assert (_exporter("traces", env), _exporter("metrics", env)) == (traces, metrics)


def _precondition_expression(needle: str) -> str:
    preconditions = _function_resource()["lifecycle"][0]["precondition"]
    (found,) = [p for p in preconditions if needle in p["error_message"]]
    condition: str = found["condition"]
    return condition.removeprefix("${").removesuffix("}")


@pytest.mark.parametrize(
    ("variables", "accepted"),
    [
        ({"traces_exporter": "xray_udp", "metrics_exporter": "emf"}, True),
        ({"collector_config": "collector/otlp.yaml"}, True),
        ({"collector_config": "collector/otlp.yaml", "traces_exporter": "xray_udp"}, True),
        (
            {
                "collector_config": "collector/otlp.yaml",
                "traces_exporter": "xray_udp",
                "metrics_exporter": "emf",
            },
            False,
        ),
    ],
)
def test_the_otlp_swap_without_a_collector_fails_the_precondition(
    variables: dict[str, Any], accepted: bool, tmp_path: Path
) -> None:
    # The precondition sits on the function (main.tf needs the provider); its condition uses
    # only var.* and local.*, so Terraform evaluates it here on the pure files.
    expression = _precondition_expression("collector/otlp.yaml")
    assert "data." not in expression
    outputs = {"accepted": expression}
    values = evaluate(FUNCTION_MODULE, FUNCTION_PURE_FILES, REQUIRED | variables, outputs, tmp_path)
    assert values["accepted"] is accepted


def test_the_production_config_needs_no_backend_variables(defaults: dict[str, Any]) -> None:
    assert _collector_env_names("collector/config.yaml") == set()
    assert not [name for name in defaults["environment"] if "OTLP_BACKEND" in name]


@pytest.mark.parametrize(("architecture", "layer_arch"), [("arm64", "arm64"), ("x86_64", "amd64")])
def test_the_layer_is_the_one_collector_readme_documents(
    architecture: str, layer_arch: str, tmp_path: Path
) -> None:
    readme = (ROOT / "collector/README.md").read_text(encoding="utf-8")
    (template,) = re.findall(r"collector only: `(arn:aws:lambda:[^`]+)`", readme)
    expected = template.replace("<region>", REGION).replace("<amd64|arm64>", layer_arch)
    assert _evaluate(tmp_path, architecture=architecture)["layer"] == expected
    # ...and the version the local collector build (and so the collector tests) uses.
    version = re.search(r"ver-(\d+)-(\d+)-(\d+):", expected)
    assert version is not None
    builder = (ROOT / "collector/builder-config.yaml").read_text(encoding="utf-8")
    assert f"otlpreceiver v{'.'.join(version.groups())}" in builder


def test_an_explicit_layer_arn_wins(tmp_path: Path) -> None:
    arn = "arn:aws:lambda:cn-north-1:123456789012:layer:adot-collector:3"
    assert _evaluate(tmp_path, collector_layer_arn=arn)["layer"] == arn


def test_kill_switches_are_the_names_the_code_reads(defaults: dict[str, Any]) -> None:
    names = (
        config_constants.SWITCH_SMS_SENDING,
        config_constants.SWITCH_TELEMETRY,
        config_constants.SWITCH_COMPARISON,
    )
    assert defaults["switches"] == {
        name: config_constants.DEFAULT_SWITCH_PREFIX + name for name in names
    }
    initial = {name: parse_bool(name, value) for name, value in defaults["switch_values"].items()}
    assert initial == {"sms_sending": False, "telemetry": True, "comparison": False}


def test_handler_and_runtime(defaults: dict[str, Any]) -> None:
    module_name, _, function = defaults["handler"].rpartition(".")
    assert module_name == "naver_sms.app.handler"
    assert callable(getattr(importlib.import_module(module_name), function))
    assert defaults["runtime"] == "python3.12"


def _function_resource() -> dict[str, Any]:
    (function,) = module_blocks(FUNCTION_MODULE, "resource", "aws_lambda_function").values()
    return function


def test_the_function_resource_uses_the_evaluated_values() -> None:
    function = _function_resource()
    assert function["handler"] == "${local.handler}"
    assert function["runtime"] == "${local.runtime}"
    assert function["environment"] == [{"variables": "${local.environment}"}]
    assert function["layers"] == "${local.layers}"
    assert function["architectures"] == ["${var.architecture}"]
    assert function["filename"] == "${var.package_path}"
    # A literal: no variable can turn active tracing (and so the X-Ray daemon) off.
    assert function["tracing_config"] == [{"mode": "Active"}]
    # JSON log format: the platform.report records that the cold-start and slow-invocation
    # queries and `naver-sms alarms simulate` read exist only in that format.
    assert function["logging_config"] == [
        {"log_format": "JSON", "log_group": "${aws_cloudwatch_log_group.this.name}"}
    ]
    for knob in ("memory_size", "timeout", "reserved_concurrent_executions"):
        assert function[knob] == f"${{var.{knob}}}"


def test_table_switches_logs_and_schedule() -> None:
    (table,) = module_blocks(FUNCTION_MODULE, "resource", "aws_dynamodb_table").values()
    assert table["hash_key"] == "booking_id"
    assert table["attribute"] == [{"name": "booking_id", "type": "S"}]
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["point_in_time_recovery"] == [{"enabled": True}]
    assert table["server_side_encryption"][0]["enabled"] is True
    assert table["name"] == "${var.bookings_table_name}"

    (switch,) = module_blocks(FUNCTION_MODULE, "resource", "aws_ssm_parameter").values()
    assert switch["for_each"] == "${local.switch_initial_values}"
    assert switch["name"] == "${local.switch_parameter_names[each.key]}"
    assert switch["lifecycle"] == [{"ignore_changes": ["value"]}]

    (logs,) = module_blocks(FUNCTION_MODULE, "resource", "aws_cloudwatch_log_group").values()
    assert logs["name"] == "/aws/lambda/${var.name}"
    assert logs["retention_in_days"] == "${var.log_retention_days}"

    (permission,) = module_blocks(FUNCTION_MODULE, "resource", "aws_lambda_permission").values()
    assert permission["principal"] == "events.amazonaws.com"
    assert permission["source_arn"] == "${aws_cloudwatch_event_rule.schedule.arn}"


def test_the_role_reads_exactly_the_secrets_the_code_loads(defaults: dict[str, Any]) -> None:
    prefix = config_constants.DEFAULT_SECRETS_SSM_PREFIX
    assert defaults["secrets"] == [prefix + name for name in config_constants.SECRET_NAMES]


def test_the_log_group_is_encrypted_and_kept_at_least_a_week() -> None:
    (logs,) = module_blocks(FUNCTION_MODULE, "resource", "aws_cloudwatch_log_group").values()
    assert logs["kms_key_id"] == "${var.kms_key_arn}"
    (table,) = module_blocks(FUNCTION_MODULE, "resource", "aws_dynamodb_table").values()
    assert table["server_side_encryption"][0]["kms_key_arn"] == "${var.kms_key_arn}"
    assert _function_resource()["kms_key_arn"] == "${var.kms_key_arn}"


@pytest.mark.parametrize("days", [1, 3, 5])
def test_retention_below_a_week_is_refused(days: int, tmp_path: Path) -> None:
    error = evaluation_error(
        FUNCTION_MODULE, FUNCTION_PURE_FILES, REQUIRED | {"log_retention_days": days}, tmp_path
    )
    assert "at least 7" in " ".join(error.split())


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"architecture": "arm"}, "architecture must be arm64 or x86_64"),
        ({"package_path": "build/lambda.tar"}, "package_path must name a .zip"),
        ({"switch_prefix": "/naver-sms/switches"}, "switch_prefix must be an SSM path"),
        ({"collector_config": "collector/local.yaml"}, "collector_config must be"),
        ({"aws_region": "seoul"}, "aws_region must be a region name"),
        ({"log_retention_days": 10}, "log_retention_days must be a retention"),
        ({"kms_key_arn": "alias/naver-sms"}, "kms_key_arn must be a KMS key ARN"),
        ({"legacy_capture_path": "captures/legacy.jsonl"}, "legacy_capture_path must be a file"),
        ({"traces_exporter": "xray"}, "traces_exporter must be otlp (spans through the ADOT"),
        ({"traces_exporter": "console"}, "traces_exporter must be otlp"),
        ({"metrics_exporter": "xray_udp"}, "metrics_exporter must be otlp (metrics through"),
    ],
)
def test_variables_are_validated(variables: dict[str, Any], message: str, tmp_path: Path) -> None:
    error = evaluation_error(FUNCTION_MODULE, FUNCTION_PURE_FILES, REQUIRED | variables, tmp_path)
    assert message in " ".join(error.split())
