"""Typed configuration errors: each names the setting and what is wrong with it."""


class ConfigError(ValueError):
    """A setting is missing or malformed."""

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{setting}: {reason}")
        self.setting = setting
        self.reason = reason
