"""Resolve one setting: explicit argument, then environment variable, then default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeVar

from naver_sms.config.errors import ConfigError

T = TypeVar("T")

_TRUE = frozenset({"1", "true", "yes", "on", "enabled"})
_FALSE = frozenset({"0", "false", "no", "off", "disabled", ""})


def parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(name, f"expected on/off (true/false), got {raw!r}")


def resolve_str(
    name: str, explicit: str | None, default: str, env: Mapping[str, str] | None = None
) -> str:
    if explicit is not None:
        return explicit
    return (os.environ if env is None else env).get(name) or default


def resolve_optional(
    name: str, explicit: str | None, env: Mapping[str, str] | None = None
) -> str | None:
    if explicit is not None:
        return explicit
    return (os.environ if env is None else env).get(name) or None


def resolve_bool(
    name: str, explicit: bool | None, default: bool, env: Mapping[str, str] | None = None
) -> bool:
    if explicit is not None:
        return explicit
    raw = (os.environ if env is None else env).get(name)
    return default if raw is None else parse_bool(name, raw)


def resolve_float(
    name: str,
    explicit: float | None,
    default: float,
    env: Mapping[str, str] | None = None,
    *,
    minimum: float = 0.0,
) -> float:
    if explicit is not None:
        value = explicit
    else:
        raw = (os.environ if env is None else env).get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(name, f"expected a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(name, f"must be >= {minimum}, got {value}")
    return value
