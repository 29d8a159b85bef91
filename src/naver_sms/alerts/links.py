"""The links an alarm notification carries: its runbook section and the dashboard.

The monitoring and notifications modules end every AlarmDescription with
``Runbook: <url>#<anchor> Dashboard: <url>`` (so that e-mail, which shows the description as
is, has them too); the forwarder takes them from there, and falls back to the runbook and
dashboard its environment names for alarms that carry none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from naver_sms.alerts import constants as env

# Only https URLs without spaces or the characters Slack's <url|text> and HTML attributes use.
_LINK: Final = re.compile(r"(?:^|\s)(Runbook|Dashboard): (https://[^\s<>|\"'`]+)(?=\s|$)")
_SAFE_URL: Final = re.compile(r"https://[^\s<>|\"'`]+")


@dataclass(frozen=True)
class AlarmLinks:
    runbook: str | None = None
    dashboard: str | None = None

    def or_else(self, fallback: AlarmLinks) -> AlarmLinks:
        """Each link, or the fallback's where this one has none."""
        return AlarmLinks(self.runbook or fallback.runbook, self.dashboard or fallback.dashboard)

    @property
    def runbook_section(self) -> str | None:
        """The runbook anchor (`alarm-lambda-errors`), to name the link."""
        if not self.runbook or "#" not in self.runbook:
            return None
        return self.runbook.rsplit("#", 1)[1] or None


def split_description(description: str | None) -> tuple[str | None, AlarmLinks]:
    """The description without its `Runbook:`/`Dashboard:` links, and those links."""
    if not description:
        return description, AlarmLinks()
    found = {kind: url for kind, url in _LINK.findall(description)}
    text = _LINK.sub("", description).strip() or None
    return text, AlarmLinks(found.get("Runbook"), found.get("Dashboard"))


def fallback_links(environ: Mapping[str, str]) -> AlarmLinks:
    """The forwarder's own runbook and dashboard links (unsafe values are ignored)."""

    def safe(name: str) -> str | None:
        value = environ.get(name, "").strip()
        return value if _SAFE_URL.fullmatch(value) else None

    return AlarmLinks(safe(env.ALERTS_RUNBOOK_URL), safe(env.ALERTS_DASHBOARD_URL))
