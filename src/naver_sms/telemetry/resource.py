"""The OpenTelemetry Resource and instrumentation scope: who emits (service, version, cloud,
function, environment) and with which library.

Built from the Lambda runtime's environment variables directly, not through
`Resource.create()`, which scans installed entry points for resource detectors (measurable
at cold start) to learn what the environment already states. `OTEL_RESOURCE_ATTRIBUTES` and
`OTEL_SERVICE_NAME` are honoured as the specification says (the latter wins for
`service.name`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote

from naver_sms import SERVICE_NAME, __version__
from naver_sms.telemetry import constants as env_names

_MIB = 1024 * 1024


class Resource:
    """Immutable attributes of the emitting entity, as OTLP's `Resource` message carries them.

    Lives as long as the process and is in every export, so exporters may cache its encoding
    by identity.
    """

    __slots__ = ("_hash", "attributes", "schema_url")

    def __init__(self, attributes: Mapping[str, Any], schema_url: str = "") -> None:
        self.attributes: Mapping[str, Any] = MappingProxyType(dict(attributes))
        self.schema_url = schema_url
        # Exporters group every flush's spans by resource: hash once, not per span.
        self._hash = hash((tuple(sorted(self.attributes.items(), key=str)), schema_url))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Resource)
            and dict(self.attributes) == dict(other.attributes)
            and self.schema_url == other.schema_url
        )

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"Resource({dict(self.attributes)!r})"


class InstrumentationScope:
    """The library that produced a span or metric (OTLP `InstrumentationScope`)."""

    __slots__ = ("_hash", "_key", "attributes", "name", "schema_url", "version")

    def __init__(
        self,
        name: str,
        version: str = "",
        schema_url: str = "",
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.version = version
        self.schema_url = schema_url
        self.attributes: Mapping[str, Any] = MappingProxyType(dict(attributes or {}))
        self._key = (name, version, schema_url, tuple(sorted(self.attributes.items())))
        self._hash = hash(self._key)  # exporters group every flush's spans by scope

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InstrumentationScope) and self._key == other._key

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"InstrumentationScope({self.name!r}, {self.version!r})"


# The scope of every span and metric this package emits.
SCOPE = InstrumentationScope(SERVICE_NAME, __version__)


def parse_resource_attributes(raw: str | None) -> dict[str, str]:
    """`key1=value1,key2=value2` (values percent-encoded) per the OTel specification."""
    attributes: dict[str, str] = {}
    for item in (raw or "").split(","):
        key, sep, value = item.partition("=")
        if sep and key.strip():
            attributes[key.strip()] = unquote(value.strip())
    return attributes


def resource_attributes(
    environ: Mapping[str, str],
    *,
    service_name: str | None = None,
    service_version: str | None = None,
    environment: str | None = None,
) -> dict[str, str | int]:
    """Resource attributes from explicit arguments, then the environment, then defaults."""
    attrs: dict[str, str | int] = {}
    attrs.update(parse_resource_attributes(environ.get(env_names.OTEL_RESOURCE_ATTRIBUTES)))
    attrs["service.name"] = (
        service_name
        or environ.get(env_names.OTEL_SERVICE_NAME)
        or str(attrs.get("service.name", SERVICE_NAME))
    )
    attrs["service.version"] = service_version or str(attrs.get("service.version", __version__))
    deployment = environment or environ.get(env_names.DEPLOYMENT_ENVIRONMENT)
    if deployment:
        # `deployment.environment` is the name X-Ray and older back ends read; the
        # `.name` form is the current semantic convention.
        attrs["deployment.environment"] = deployment
        attrs["deployment.environment.name"] = deployment
    function_name = environ.get(env_names.AWS_LAMBDA_FUNCTION_NAME)
    if function_name:
        attrs["cloud.provider"] = "aws"
        attrs["cloud.platform"] = "aws_lambda"
        attrs["faas.name"] = function_name
    region = environ.get(env_names.AWS_REGION)
    if region:
        attrs["cloud.provider"] = "aws"
        attrs["cloud.region"] = region
    account = environ.get(env_names.AWS_ACCOUNT_ID)
    if account:
        attrs["cloud.account.id"] = account
    version = environ.get(env_names.AWS_LAMBDA_FUNCTION_VERSION)
    if version:
        attrs["faas.version"] = version
    instance = environ.get(env_names.AWS_LAMBDA_LOG_STREAM_NAME)
    if instance:
        attrs["faas.instance"] = instance
    memory = environ.get(env_names.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "")
    if memory.isdigit():
        attrs["faas.max_memory"] = int(memory) * _MIB  # MiB in Lambda, bytes in semconv
    return attrs


def build_resource(
    environ: Mapping[str, str],
    *,
    service_name: str | None = None,
    service_version: str | None = None,
    environment: str | None = None,
) -> Resource:
    return Resource(
        resource_attributes(
            environ,
            service_name=service_name,
            service_version=service_version,
            environment=environment,
        )
    )
