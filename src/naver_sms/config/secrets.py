"""The six secrets, from the environment locally or from SSM / Secrets Manager in AWS.

`Secrets` never shows its values in repr or str, so an accidental log of the object is safe;
`values()` is what the telemetry layer registers to scrub from every log line and span.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from naver_sms.config import constants as c
from naver_sms.config.errors import ConfigError
from naver_sms.config.settings import Settings


@dataclass(frozen=True)
class Secrets:
    sens_access_key: str = field(repr=False)
    sens_secret_key: str = field(repr=False)
    sens_service_id: str = field(repr=False)
    sens_caller_number: str = field(repr=False)
    telegram_bot_token: str = field(repr=False)
    telegram_chat_id: str = field(repr=False)

    def values(self) -> tuple[str, ...]:
        """Every non-trivial secret value, for scrubbing (short ids would scrub too much)."""
        return tuple(v for v in (getattr(self, f.name) for f in fields(self)) if len(v) >= 6)

    def __str__(self) -> str:
        return "Secrets(<redacted>)"


_FIELD_BY_ENV = {
    c.SENS_ACCESS_KEY: "sens_access_key",
    c.SENS_SECRET_KEY: "sens_secret_key",
    c.SENS_SERVICE_ID: "sens_service_id",
    c.SENS_CALLER_NUMBER: "sens_caller_number",
    c.TELEGRAM_BOT_TOKEN: "telegram_bot_token",
    c.TELEGRAM_CHAT_ID: "telegram_chat_id",
}


def _from_mapping(source: str, values: Mapping[str, Any]) -> Secrets:
    missing = [name for name in _FIELD_BY_ENV if not str(values.get(name) or "").strip()]
    if missing:
        raise ConfigError(source, f"missing secret(s): {', '.join(missing)}")
    return Secrets(**{attr: str(values[name]).strip() for name, attr in _FIELD_BY_ENV.items()})


def load_secrets(
    settings: Settings,
    env: Mapping[str, str] | None = None,
    ssm_client: Any = None,
    secretsmanager_client: Any = None,
) -> Secrets:
    """Load the secrets from the configured source; errors name the source, never a value."""
    e = os.environ if env is None else env
    source = settings.secrets_source
    if source == "env":
        return _from_mapping("environment", e)
    if source == "ssm":
        client = ssm_client or _boto_client("ssm", settings)
        names = [settings.secrets_ssm_prefix + name for name in _FIELD_BY_ENV]
        response = client.get_parameters(Names=names, WithDecryption=True)
        found = {
            p["Name"][len(settings.secrets_ssm_prefix) :]: p["Value"]
            for p in response.get("Parameters", [])
        }
        return _from_mapping(f"SSM {settings.secrets_ssm_prefix}*", found)
    if source == "secretsmanager":
        if not settings.secrets_manager_id:
            raise ConfigError(
                c.SECRETS_MANAGER_ID, "required when secrets come from Secrets Manager"
            )
        client = secretsmanager_client or _boto_client("secretsmanager", settings)
        raw = client.get_secret_value(SecretId=settings.secrets_manager_id)["SecretString"]
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            raise ConfigError(settings.secrets_manager_id, "secret is not a JSON object") from None
        if not isinstance(data, dict):
            raise ConfigError(settings.secrets_manager_id, "secret is not a JSON object")
        return _from_mapping(f"Secrets Manager {settings.secrets_manager_id}", data)
    raise ConfigError(c.SECRETS_SOURCE, f"expected env, ssm or secretsmanager, got {source!r}")


def _boto_client(service: str, settings: Settings) -> Any:
    from naver_sms.clients.aws import client  # noqa: PLC0415 - boto3 loads only when needed

    return client(service, settings.region)
