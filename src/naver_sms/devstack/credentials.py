"""The secret settings the local stack serves with: taken from the environment, else generated.

The local servers check against exactly the values the Lambda is given, so the stack works
with any values of the secret variables, and a fresh clone with none set still runs.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields


def _generated_caller_number() -> str:
    return "02" + "".join(secrets.choice("0123456789") for _ in range(8))


def _generated_chat_id() -> str:
    return "-100" + "".join(secrets.choice("0123456789") for _ in range(10))


def _generated_bot_token() -> str:
    return f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.token_urlsafe(26)}"


_GENERATORS = {
    "SENS_ACCESS_KEY": lambda: secrets.token_hex(10).upper(),
    "SENS_SECRET_KEY": lambda: secrets.token_urlsafe(30),
    "SENS_SERVICE_ID": lambda: f"ncp:sms:kr:{secrets.randbelow(10**12):012d}:naver-sms-local",
    "SENS_CALLER_NUMBER": _generated_caller_number,
    "TELEGRAM_BOT_TOKEN": _generated_bot_token,
    "TELEGRAM_CHAT_ID": _generated_chat_id,
}


@dataclass(frozen=True)
class StackSecrets:
    """SENS and Telegram secrets; ``repr`` never shows the secret ones."""

    sens_access_key: str = field(repr=False, metadata={"env": "SENS_ACCESS_KEY"})
    sens_secret_key: str = field(repr=False, metadata={"env": "SENS_SECRET_KEY"})
    sens_service_id: str = field(repr=False, metadata={"env": "SENS_SERVICE_ID"})
    sens_caller_number: str = field(repr=False, metadata={"env": "SENS_CALLER_NUMBER"})
    telegram_bot_token: str = field(repr=False, metadata={"env": "TELEGRAM_BOT_TOKEN"})
    telegram_chat_id: str = field(repr=False, metadata={"env": "TELEGRAM_CHAT_ID"})

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> StackSecrets:
        """Each value from its environment variable when set and non-empty, else generated."""
        source = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            name = f.metadata["env"]
            values[f.name] = source.get(name) or _GENERATORS[name]()
        return cls(**values)

    @classmethod
    def generate(cls) -> StackSecrets:
        """Fresh random values for every secret."""
        return cls.from_environment({})

    def env(self) -> dict[str, str]:
        """The environment variables the Lambda reads these from."""
        return {f.metadata["env"]: getattr(self, f.name) for f in fields(self)}
