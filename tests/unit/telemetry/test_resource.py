"""The function's resource: the SDK's `Resource` with `AwsLambdaResourceDetector`
(opentelemetry-sdk-extension-aws), the catalog's service attributes and the standard
`OTEL_RESOURCE_ATTRIBUTES` / `OTEL_SERVICE_NAME`."""

from __future__ import annotations

import pytest

from naver_sms import __version__
from naver_sms.telemetry import catalog
from naver_sms.telemetry.setup.providers import build_resource

LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "naver-sms-prod",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/27/[$LATEST]abcdef",
    "AWS_REGION": "ap-northeast-2",
    "DEPLOYMENT_ENVIRONMENT": "prod",
}
_VARIABLES = (*LAMBDA_ENV, "OTEL_RESOURCE_ATTRIBUTES", "OTEL_SERVICE_NAME", "AWS_ACCOUNT_ID")


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's detectors read the process environment."""
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _attributes(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], **kw: str
) -> dict[str, object]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return dict(build_resource(env, **kw).attributes)


def test_lambda_environment_becomes_semantic_convention_attributes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attributes = _attributes(monkeypatch, LAMBDA_ENV)
    assert attributes == {
        "telemetry.sdk.language": "python",
        "telemetry.sdk.name": "opentelemetry",
        "telemetry.sdk.version": attributes["telemetry.sdk.version"],
        "service.name": "naver-sms",
        "service.version": __version__,
        "deployment.environment": "prod",
        "deployment.environment.name": "prod",
        "cloud.provider": "aws",
        "cloud.platform": "aws_lambda",
        "cloud.region": "ap-northeast-2",
        "faas.name": "naver-sms-prod",
        "faas.version": "$LATEST",
        "faas.instance": "2026/11/27/[$LATEST]abcdef",
        # AwsLambdaResourceDetector writes Lambda's figure (MiB) as it is.
        "faas.max_memory": 256,
    }
    assert build_resource(LAMBDA_ENV).schema_url == catalog.SEMCONV_SCHEMA_URL


def test_outside_lambda_only_service_attributes(monkeypatch: pytest.MonkeyPatch) -> None:
    attributes = _attributes(monkeypatch, {})
    assert {k: v for k, v in attributes.items() if not k.startswith("telemetry.sdk.")} == {
        "service.name": "naver-sms",
        "service.version": __version__,
    }


def test_otel_variables_and_arguments_take_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attrs,team=sms%20ops,cloud.account.id=1",
        "OTEL_SERVICE_NAME": "from-env",
        "AWS_ACCOUNT_ID": "123456789012",
    }
    attrs = _attributes(monkeypatch, env)
    assert attrs["service.name"] == "from-env"
    assert attrs["team"] == "sms ops"
    assert attrs["cloud.account.id"] == "123456789012"
    explicit = _attributes(monkeypatch, env, service_name="arg", environment="dev")
    assert explicit["service.name"] == "arg"
    assert explicit["deployment.environment.name"] == "dev"
