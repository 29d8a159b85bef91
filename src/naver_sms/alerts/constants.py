"""Environment variable names the alert forwarder reads (one place, so docs and code agree)."""

from __future__ import annotations

from typing import Final

from naver_sms.config import constants as shared

ALERTS_SLACK_WEBHOOK_URL: Final = "ALERTS_SLACK_WEBHOOK_URL"
"""Slack incoming-webhook URL. A secret (the path is the credential): never logged."""
ALERTS_TELEGRAM_BOT_TOKEN: Final = "ALERTS_TELEGRAM_BOT_TOKEN"  # noqa: S105 - a variable name
ALERTS_TELEGRAM_CHAT_ID: Final = "ALERTS_TELEGRAM_CHAT_ID"
ALERTS_TIMEOUT_S: Final = "ALERTS_TIMEOUT_S"
"""Per-request HTTP timeout in seconds (default 5)."""

# Shared with the booking function; used when the ALERTS_TELEGRAM_* pair is not set.
TELEGRAM_API_URL: Final = shared.TELEGRAM_API_URL
TELEGRAM_BOT_TOKEN: Final = shared.TELEGRAM_BOT_TOKEN
TELEGRAM_CHAT_ID: Final = shared.TELEGRAM_CHAT_ID

DEFAULT_TELEGRAM_API_URL: Final = shared.DEFAULT_TELEGRAM_API_URL
DEFAULT_TIMEOUT_S: Final = 5.0

ENV_NAMES: Final = (
    ALERTS_SLACK_WEBHOOK_URL,
    ALERTS_TELEGRAM_BOT_TOKEN,
    ALERTS_TELEGRAM_CHAT_ID,
    ALERTS_TIMEOUT_S,
    TELEGRAM_API_URL,
    TELEGRAM_BOT_TOKEN,
    TELEGRAM_CHAT_ID,
)
