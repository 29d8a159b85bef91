"""The alert forwarder end to end: SNS event -> handler -> local Slack webhook and local
Telegram Bot API over real HTTP on loopback, logs captured from stdout. Its secrets are
SecureString parameters in moto (server mode), read by real boto3 at cold start."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from naver_sms.alerts import constants as env
from naver_sms.alerts import handler
from naver_sms.clients import aws
from naver_sms.devstack import LocalStack
from naver_sms.devstack.slack_server import SlackServer
from naver_sms.devstack.telegram_server import TelegramServer

pytestmark = pytest.mark.integration

SLACK_SECRET = "T0ALERTS/B0ALERTS/canarySLACKwebhook"
BOT_TOKEN = "4242:canaryALERTbotTOKEN"
CHAT_ID = "-1009876543210"


class Context:
    function_name = "naver-sms-alerts"
    aws_request_id = "req-1"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 20_000


RUNBOOK_URL = "https://docs.example/naver-sms/docs/ops/runbook.md"
DASHBOARD_URL = (
    "https://ap-northeast-2.console.aws.amazon.com/cloudwatch/home#dashboards/dashboard/x"
)


def alarm(name: str, state: str = "ALARM", description: str | None = None) -> dict[str, Any]:
    message = {
        "AlarmName": name,
        "AlarmDescription": description,
        "AlarmArn": f"arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:{name}",
        "AWSAccountId": "123456789012",
        "NewStateValue": state,
        "OldStateValue": "OK",
        "NewStateReason": "Threshold Crossed: 1 datapoint [2.0] was greater than 0.0",
        "StateChangeTime": "2026-11-27T08:00:00.000+0000",
        "Region": "Asia Pacific (Seoul)",
        "Trigger": {
            "MetricName": "bookings_failed",
            "Namespace": "naver-sms",
            "Statistic": "SUM",
            "Dimensions": [],
            "Period": 300,
            "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 0.0,
        },
    }
    return {"EventSource": "aws:sns", "Sns": {"Message": json.dumps(message)}}


def event(*records: Any) -> dict[str, Any]:
    return {"Records": list(records)}


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[SlackServer, TelegramServer]]:
    slack = SlackServer(secret=SLACK_SECRET).start()
    telegram = TelegramServer(token=BOT_TOKEN, chat_id=CHAT_ID).start()
    try:
        yield slack, telegram
    finally:
        slack.stop()
        telegram.stop()


@pytest.fixture
def slack(servers: tuple[SlackServer, TelegramServer]) -> SlackServer:
    return servers[0]


@pytest.fixture
def telegram(servers: tuple[SlackServer, TelegramServer]) -> TelegramServer:
    return servers[1]


class Parameters:
    """The forwarder's SecureString parameters in moto, under a prefix of their own."""

    def __init__(self, stack: LocalStack) -> None:
        self.ssm = stack.client("ssm")
        self.prefix = f"/alerts-test/{uuid.uuid4().hex}/"

    def put(self, **values: str) -> None:
        for name, value in values.items():
            self.ssm.put_parameter(
                Name=self.prefix + name, Value=value, Type="SecureString", Overwrite=True
            )

    def delete(self, *names: str) -> None:
        self.ssm.delete_parameters(Names=[self.prefix + name for name in names])


@pytest.fixture
def parameters(
    servers: tuple[SlackServer, TelegramServer],
    local_stack: LocalStack,
    monkeypatch: pytest.MonkeyPatch,
) -> Parameters:
    slack, telegram = servers
    slack.reset()
    telegram.reset()
    for name in env.ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    # boto3 finds moto the way it finds AWS in Lambda: AWS_ENDPOINT_URL, region, credentials.
    for name, value in local_stack.env().items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    found = Parameters(local_stack)
    found.put(
        SLACK_WEBHOOK_URL=slack.webhook_url,
        TELEGRAM_BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_CHAT_ID=CHAT_ID,
    )
    monkeypatch.setenv(env.ALERTS_SSM_PREFIX, found.prefix)
    monkeypatch.setenv(env.TELEGRAM_API_URL, telegram.base_url)
    monkeypatch.setenv(env.ALERTS_TIMEOUT_S, "2")
    # A cold start: nothing cached yet. Other tests reconfigure structlog; make the handler
    # install its JSON logging again.
    monkeypatch.setattr(handler, "_destinations", None)
    monkeypatch.setattr(handler, "_logging_ready", False)
    # boto3 clients are cached per execution environment; this one is for the stack's moto.
    aws.client.cache_clear()
    return found


@pytest.fixture(autouse=True)
def configured(parameters: Parameters) -> None:
    """Every test starts from a cold start with all three parameters in SSM."""


def log_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_both_destinations_receive_the_alarm(
    slack: SlackServer, telegram: TelegramServer, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = handler.lambda_handler(event(alarm("naver-sms-bookings-failed")), Context())
    assert summary["forwarded"] == 1
    assert (summary["failed"], summary["invalid"]) == (0, 0)
    assert summary["destinations"] == {
        "slack": {"sent": 1, "failed": 0},
        "telegram": {"sent": 1, "failed": 0},
    }
    [slack_message] = slack.messages
    assert slack_message.text is not None
    assert "ALARM: naver-sms-bookings-failed" in slack_message.text
    assert "*Runbook:* docs/ops/runbook.md" in json.dumps(slack_message.blocks, ensure_ascii=False)
    [telegram_message] = telegram.messages
    assert telegram_message.parse_mode == "HTML"
    assert "ALARM: naver-sms-bookings-failed" in telegram_message.plain_text
    assert "Open in CloudWatch" in telegram_message.plain_text
    lines = log_lines(capsys.readouterr().out)
    events = [line["event"] for line in lines]
    assert events.count("alert_forwarded") == 2
    assert events[-1] == "alerts_summary"
    assert {line["function_request_id"] for line in lines} == {"req-1"}


def test_alarm_names_with_markup_arrive_as_text(
    slack: SlackServer, telegram: TelegramServer
) -> None:
    handler.lambda_handler(event(alarm("a<b>&c")), Context())
    [message] = telegram.messages
    assert "ALARM: a<b>&c" in message.plain_text  # escaped on the wire, shown as written
    assert "a&lt;b&gt;&amp;c" in message.text
    assert "a&lt;b&gt;&amp;c" in (slack.messages[0].text or "")


def test_a_failing_slack_does_not_stop_telegram(
    slack: SlackServer, telegram: TelegramServer, capsys: pytest.CaptureFixture[str]
) -> None:
    slack.inject(404)  # webhook removed: not retryable
    summary = handler.lambda_handler(event(alarm("naver-sms-sens-failure-rate")), Context())
    assert (summary["forwarded"], summary["failed"]) == (0, 1)
    assert summary["destinations"]["slack"] == {"sent": 0, "failed": 1}
    assert len(telegram.messages) == 1
    assert slack.messages == []
    [failure] = [
        line
        for line in log_lines(capsys.readouterr().out)
        if line["event"] == "alert_forward_failed"
    ]
    assert failure["destination"] == "slack"
    assert failure["record_index"] == 0
    assert failure["level"] == "error"


def test_a_failing_telegram_does_not_stop_slack(
    slack: SlackServer, telegram: TelegramServer
) -> None:
    telegram.inject(403)
    summary = handler.lambda_handler(event(alarm("naver-sms-bookings-failed")), Context())
    assert summary["destinations"]["telegram"] == {"sent": 0, "failed": 1}
    assert len(slack.messages) == 1
    assert telegram.messages == []


def test_retryable_failures_are_retried_within_the_invocation(
    slack: SlackServer, telegram: TelegramServer
) -> None:
    slack.inject(429, retry_after=0)
    telegram.inject(502)
    summary = handler.lambda_handler(event(alarm("naver-sms-bookings-failed")), Context())
    assert summary["forwarded"] == 1
    assert len(slack.messages) == 1
    assert len(telegram.messages) == 1
    assert len(slack.exchanges) == 2
    assert len(telegram.exchanges) == 2


def test_an_alarm_no_destination_took_raises_so_lambda_retries(
    slack: SlackServer, telegram: TelegramServer
) -> None:
    slack.inject(404)
    telegram.inject(401)
    with pytest.raises(handler.AlertsDeliveryError, match=r"Records\[0\] \(naver-sms-x\)"):
        handler.lambda_handler(event(alarm("naver-sms-x")), Context())
    # The retry succeeds where the first run failed; nothing had arrived before.
    assert handler.lambda_handler(event(alarm("naver-sms-x")), Context())["forwarded"] == 1
    assert len(slack.messages) == 1
    assert len(telegram.messages) == 1


def test_a_malformed_record_is_reported_with_its_index_and_the_others_forwarded(
    slack: SlackServer, telegram: TelegramServer, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = {"EventSource": "aws:sns", "Sns": {"Message": json.dumps({"AlarmName": "half"})}}
    summary = handler.lambda_handler(
        event(alarm("first"), broken, alarm("third", state="OK")), Context()
    )
    assert (summary["records"], summary["forwarded"], summary["invalid"]) == (3, 2, 1)
    assert summary["errors"] == ["Records[1].Sns.Message: NewStateValue: is missing"]
    assert ["first" in m.text for m in telegram.messages] == [True, False]
    assert "OK: third" in telegram.messages[1].plain_text
    assert len(slack.messages) == 2
    [invalid] = [
        line for line in log_lines(capsys.readouterr().out) if line["event"] == "alert_invalid"
    ]
    assert (invalid["record_index"], invalid["field"]) == (1, "NewStateValue")


def test_secrets_never_reach_the_logs(
    slack: SlackServer, telegram: TelegramServer, capsys: pytest.CaptureFixture[str]
) -> None:
    slack.inject(429, retry_after=0)
    slack.inject(500, times=2)  # with the 429: 3 attempts, all failed
    telegram.inject(401)
    with pytest.raises(handler.AlertsDeliveryError):
        handler.lambda_handler(event(alarm("naver-sms-bookings-failed")), Context())
    out = capsys.readouterr().out
    events = {line["event"] for line in log_lines(out)}
    assert {"slack_retry", "alert_forward_failed", "alerts_summary"} <= events
    for secret in (SLACK_SECRET, "canarySLACKwebhook", BOT_TOKEN, "canaryALERTbotTOKEN"):
        assert secret not in out
    assert all("canarySLACKwebhook" not in e.path for e in slack.exchanges)


def test_each_message_links_the_alarms_runbook_section_and_the_dashboard(
    slack: SlackServer, telegram: TelegramServer
) -> None:
    # AlarmDescription as the monitoring module writes it (signals.tf).
    described = (
        f"Lambda errors. Runbook: {RUNBOOK_URL}#alarm-lambda-errors Dashboard: {DASHBOARD_URL}"
    )
    handler.lambda_handler(
        event(alarm("naver-sms-lambda-errors", description=described)), Context()
    )
    blocks = json.dumps(slack.messages[0].blocks, ensure_ascii=False)
    assert f"<{RUNBOOK_URL}#alarm-lambda-errors|runbook § alarm-lambda-errors>" in blocks
    assert f"<{DASHBOARD_URL}|dashboard>" in blocks
    [message] = telegram.messages
    assert f'<a href="{RUNBOOK_URL}#alarm-lambda-errors">' in message.text
    assert "Runbook: runbook § alarm-lambda-errors" in message.plain_text
    assert "Dashboard: dashboard" in message.plain_text


def test_alarms_without_links_get_the_forwarders_own(
    slack: SlackServer, telegram: TelegramServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(env.ALERTS_RUNBOOK_URL, RUNBOOK_URL)
    monkeypatch.setenv(env.ALERTS_DASHBOARD_URL, DASHBOARD_URL)
    handler.lambda_handler(event(alarm("someone-elses-alarm")), Context())
    blocks = json.dumps(slack.messages[0].blocks, ensure_ascii=False)
    assert f"<{RUNBOOK_URL}|runbook>" in blocks
    assert f"<{DASHBOARD_URL}|dashboard>" in blocks


def test_the_parameters_are_read_once_per_cold_start(
    parameters: Parameters, slack: SlackServer, telegram: TelegramServer
) -> None:
    assert handler.lambda_handler(event(alarm("a")), Context())["forwarded"] == 1
    parameters.delete("SLACK_WEBHOOK_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID")
    # Warm: the destinations read at cold start are still used.
    assert handler.lambda_handler(event(alarm("b")), Context())["forwarded"] == 1
    assert len(slack.messages) == len(telegram.messages) == 2
    # The next cold start reads SSM again, and finds nothing.
    handler._destinations = None
    with pytest.raises(handler.AlertsConfigError, match="no destination"):
        handler.lambda_handler(event(alarm("c")), Context())


def test_only_the_telegram_pair_means_telegram_only(
    parameters: Parameters, telegram: TelegramServer
) -> None:
    parameters.delete("SLACK_WEBHOOK_URL")
    summary = handler.lambda_handler(event(alarm("naver-sms-x")), Context())
    assert list(summary["destinations"]) == ["telegram"]
    assert len(telegram.messages) == 1


def test_no_destination_is_a_configuration_error_naming_the_parameters(
    parameters: Parameters,
) -> None:
    parameters.delete("SLACK_WEBHOOK_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID")
    with pytest.raises(handler.AlertsConfigError, match="no destination") as raised:
        handler.lambda_handler(event(alarm("x")), Context())
    assert "SLACK_WEBHOOK_URL" in str(raised.value)
    assert parameters.prefix in str(raised.value)
    # Not cached: once the parameters exist, the next invocation (Lambda's retry) works.
    parameters.put(TELEGRAM_BOT_TOKEN=BOT_TOKEN, TELEGRAM_CHAT_ID=CHAT_ID)
    assert handler.lambda_handler(event(alarm("x")), Context())["forwarded"] == 1


def test_half_a_telegram_pair_is_a_configuration_error(parameters: Parameters) -> None:
    parameters.delete("TELEGRAM_CHAT_ID")
    with pytest.raises(handler.AlertsConfigError, match="TELEGRAM_CHAT_ID"):
        handler.lambda_handler(event(alarm("x")), Context())


def test_an_event_that_is_not_sns_is_reported_not_retried(
    slack: SlackServer, telegram: TelegramServer
) -> None:
    summary = handler.lambda_handler({"source": "aws.events"}, Context())
    assert summary["invalid"] == 1
    assert summary["errors"] == ["event: Records: must be a list, got null"]
    assert slack.exchanges == []
    assert telegram.exchanges == []
