from __future__ import annotations

from naver_sms import __version__
from naver_sms.telemetry.resource import build_resource, resource_attributes

LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "naver-sms-prod",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/27/[$LATEST]abcdef",
    "AWS_REGION": "ap-northeast-2",
    "DEPLOYMENT_ENVIRONMENT": "prod",
}


def test_lambda_environment_becomes_semantic_convention_attributes() -> None:
    assert resource_attributes(LAMBDA_ENV) == {
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
        "faas.max_memory": 256 * 1024 * 1024,
    }


def test_outside_lambda_only_service_attributes() -> None:
    assert resource_attributes({}) == {"service.name": "naver-sms", "service.version": __version__}


def test_otel_variables_and_arguments_take_precedence() -> None:
    env = {
        "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attrs,team=sms%20ops,cloud.account.id=1",
        "OTEL_SERVICE_NAME": "from-env",
        "AWS_ACCOUNT_ID": "123456789012",
    }
    attrs = resource_attributes(env)
    assert attrs["service.name"] == "from-env"
    assert attrs["team"] == "sms ops"
    assert attrs["cloud.account.id"] == "123456789012"
    explicit = resource_attributes(env, service_name="arg", environment="dev")
    assert explicit["service.name"] == "arg"
    assert explicit["deployment.environment.name"] == "dev"


def test_build_resource_carries_the_attributes() -> None:
    resource = build_resource(LAMBDA_ENV)
    assert resource.attributes["faas.name"] == "naver-sms-prod"
    assert resource.attributes["faas.max_memory"] == 268435456
