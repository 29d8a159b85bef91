"""The forwarder's configuration: its secrets from SSM SecureString, its timeout.

The Slack webhook URL and the Telegram bot token are credentials, so they are not environment
variables (anyone allowed to read the function's configuration would see them): they are
SecureString parameters under ``ALERTS_SSM_PREFIX``, read with one GetParameters call at cold
start. Errors name parameters and variables, never a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from naver_sms.alerts import constants as env


class AlertsConfigError(RuntimeError):
    """The forwarder has no destination, or a destination setting is unusable."""


@dataclass(frozen=True)
class AlertSecrets:
    """What SSM holds for the forwarder; None where the parameter does not exist."""

    slack_webhook_url: str | None = field(default=None, repr=False)
    telegram_bot_token: str | None = field(default=None, repr=False)
    telegram_chat_id: str | None = field(default=None, repr=False)

    def values(self) -> tuple[str, ...]:
        """The values to scrub from every log line (short ids would scrub too much)."""
        found = (getattr(self, f.name) for f in fields(self))
        return tuple(v for v in found if v and len(v) >= 6)


def ssm_prefix(environ: Mapping[str, str]) -> str:
    prefix = environ.get(env.ALERTS_SSM_PREFIX, "").strip() or env.DEFAULT_SSM_PREFIX
    if not (prefix.startswith("/") and prefix.endswith("/")):
        raise AlertsConfigError(f"{env.ALERTS_SSM_PREFIX} must start and end with '/'")
    return prefix


def load_secrets(environ: Mapping[str, str], ssm_client: Any = None) -> AlertSecrets:
    """The three parameters under the prefix, decrypted; missing ones are None."""
    prefix = ssm_prefix(environ)
    client = ssm_client or _ssm_client(environ)
    names = [prefix + name for name in env.PARAMETER_NAMES]
    try:
        response = client.get_parameters(Names=names, WithDecryption=True)
    except Exception as exc:  # the exception text may quote a request; name the type only
        raise AlertsConfigError(
            f"cannot read the alert parameters {prefix}{{{','.join(env.PARAMETER_NAMES)}}} "
            f"from SSM ({type(exc).__name__})"
        ) from None
    found: dict[str, str] = {}
    for parameter in response.get("Parameters", []):
        name, value = parameter.get("Name", ""), parameter.get("Value")
        if name.startswith(prefix) and isinstance(value, str) and value.strip():
            found[name[len(prefix) :]] = value.strip()
    return AlertSecrets(
        slack_webhook_url=found.get(env.SLACK_WEBHOOK_URL),
        telegram_bot_token=found.get(env.TELEGRAM_BOT_TOKEN),
        telegram_chat_id=found.get(env.TELEGRAM_CHAT_ID),
    )


def timeout_s(environ: Mapping[str, str]) -> float:
    raw = environ.get(env.ALERTS_TIMEOUT_S)
    if not raw:
        return env.DEFAULT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        raise AlertsConfigError(f"{env.ALERTS_TIMEOUT_S} must be a number of seconds") from None
    if not value > 0:
        raise AlertsConfigError(f"{env.ALERTS_TIMEOUT_S} must be > 0")
    return value


def _ssm_client(environ: Mapping[str, str]) -> Any:
    from naver_sms.clients.aws import client  # noqa: PLC0415 - boto3 loads only when needed

    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None
    return client("ssm", region)
