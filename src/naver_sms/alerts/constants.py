"""Names the alert forwarder reads: environment variables and SSM parameters (one place, so the
notifications module, the docs and the code agree)."""

from __future__ import annotations

from typing import Final

from naver_sms.config import constants as shared

# --- Environment (nothing secret) ---------------------------------------------------------
ALERTS_SSM_PREFIX: Final = "ALERTS_SSM_PREFIX"
"""SSM path of the SecureString parameters below (default /naver-sms/alerts/)."""
ALERTS_RUNBOOK_URL: Final = "ALERTS_RUNBOOK_URL"
"""Published runbook, for alarms whose description carries no `Runbook:` link."""
ALERTS_DASHBOARD_URL: Final = "ALERTS_DASHBOARD_URL"
"""The dashboard, for alarms whose description carries no `Dashboard:` link."""
ALERTS_TIMEOUT_S: Final = "ALERTS_TIMEOUT_S"
"""Per-request HTTP timeout in seconds (default 5)."""
TELEGRAM_API_URL: Final = shared.TELEGRAM_API_URL
"""Bot API base URL (default https://api.telegram.org); tests point it at a local server."""

ENV_NAMES: Final = (
    ALERTS_SSM_PREFIX,
    ALERTS_RUNBOOK_URL,
    ALERTS_DASHBOARD_URL,
    ALERTS_TIMEOUT_S,
    TELEGRAM_API_URL,
)

DEFAULT_SSM_PREFIX: Final = "/naver-sms/alerts/"
DEFAULT_TELEGRAM_API_URL: Final = shared.DEFAULT_TELEGRAM_API_URL
DEFAULT_TIMEOUT_S: Final = 5.0

# --- SSM SecureString parameters under ALERTS_SSM_PREFIX (read once per cold start) --------
SLACK_WEBHOOK_URL: Final = "SLACK_WEBHOOK_URL"
"""Slack incoming-webhook URL: the path is the credential."""
TELEGRAM_BOT_TOKEN: Final = "TELEGRAM_BOT_TOKEN"  # noqa: S105 - a parameter name
TELEGRAM_CHAT_ID: Final = "TELEGRAM_CHAT_ID"

PARAMETER_NAMES: Final = (SLACK_WEBHOOK_URL, TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID)
