"""The forwarder's configuration: SSM parameters (names, errors that never show a value) and
the links carried by alarm descriptions."""

from __future__ import annotations

from typing import Any

import pytest

from naver_sms.alerts import constants as env
from naver_sms.alerts.config import AlertsConfigError, AlertSecrets, load_secrets, timeout_s
from naver_sms.alerts.links import AlarmLinks, fallback_links, split_description


class RecordingSsm:
    """Answers GetParameters like SSM: found parameters, the rest in InvalidParameters."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.calls: list[dict[str, Any]] = []

    def get_parameters(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        names = kwargs["Names"]
        return {
            "Parameters": [{"Name": n, "Value": self.values[n]} for n in names if n in self.values],
            "InvalidParameters": [n for n in names if n not in self.values],
        }


class UnreachableSsm:
    def get_parameters(self, **kwargs: Any) -> dict[str, Any]:
        raise ConnectionError("https://ssm.example/?token=leaked")


def test_one_decrypting_call_for_the_three_names_under_the_prefix() -> None:
    ssm = RecordingSsm({"/p/SLACK_WEBHOOK_URL": "https://hooks.example/T/B/secret"})
    secrets = load_secrets({env.ALERTS_SSM_PREFIX: "/p/"}, ssm)
    assert ssm.calls == [
        {
            "Names": ["/p/SLACK_WEBHOOK_URL", "/p/TELEGRAM_BOT_TOKEN", "/p/TELEGRAM_CHAT_ID"],
            "WithDecryption": True,
        }
    ]
    assert secrets == AlertSecrets(slack_webhook_url="https://hooks.example/T/B/secret")
    assert "secret" not in repr(secrets)
    assert secrets.values() == ("https://hooks.example/T/B/secret",)


def test_the_default_prefix_is_the_notifications_modules() -> None:
    ssm = RecordingSsm({})
    load_secrets({}, ssm)
    assert ssm.calls[0]["Names"][0] == "/naver-sms/alerts/SLACK_WEBHOOK_URL"


def test_an_unreadable_ssm_names_the_parameters_not_the_error_text() -> None:
    with pytest.raises(AlertsConfigError) as raised:
        load_secrets({env.ALERTS_SSM_PREFIX: "/p/"}, UnreachableSsm())
    message = str(raised.value)
    assert "/p/{SLACK_WEBHOOK_URL,TELEGRAM_BOT_TOKEN,TELEGRAM_CHAT_ID}" in message
    assert "ConnectionError" in message
    assert "leaked" not in message


@pytest.mark.parametrize("prefix", ["naver-sms/alerts/", "/naver-sms/alerts"])
def test_a_prefix_must_be_an_ssm_path(prefix: str) -> None:
    with pytest.raises(AlertsConfigError, match=env.ALERTS_SSM_PREFIX):
        load_secrets({env.ALERTS_SSM_PREFIX: prefix}, RecordingSsm({}))


@pytest.mark.parametrize(("raw", "ok"), [("2.5", True), ("0", False), ("soon", False)])
def test_timeout(raw: str, ok: bool) -> None:
    if ok:
        assert timeout_s({env.ALERTS_TIMEOUT_S: raw}) == 2.5
    else:
        with pytest.raises(AlertsConfigError, match=env.ALERTS_TIMEOUT_S):
            timeout_s({env.ALERTS_TIMEOUT_S: raw})


def test_links_are_split_from_the_description() -> None:
    text, links = split_description(
        "Errors > 0. Runbook: https://r.example/runbook.md#alarm-x Dashboard: https://d.example/#dash"
    )
    assert text == "Errors > 0."
    assert links == AlarmLinks("https://r.example/runbook.md#alarm-x", "https://d.example/#dash")
    assert links.runbook_section == "alarm-x"


@pytest.mark.parametrize(
    "description",
    [
        "Runbook: http://r.example/#a",  # not https
        "Runbook: https://r.example/a|b",  # would end a Slack link
        "Runbook: https://r.example/a<b>",
        "Runbook:https://r.example/a",
        'Runbook: https://r.example/a"onclick',
    ],
)
def test_only_safe_https_links_are_taken(description: str) -> None:
    text, links = split_description(description)
    assert links == AlarmLinks()
    assert text == description


def test_fallback_links_come_from_the_environment_when_safe() -> None:
    assert fallback_links(
        {env.ALERTS_RUNBOOK_URL: "https://r.example/runbook.md", env.ALERTS_DASHBOARD_URL: "x"}
    ) == AlarmLinks("https://r.example/runbook.md", None)
