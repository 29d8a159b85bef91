"""Settings, secrets, kill switches and the owner's approval gate."""

from naver_sms.config.errors import ConfigError
from naver_sms.config.settings import Settings

__all__ = ["ConfigError", "Settings"]
