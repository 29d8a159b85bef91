"""The handler end to end against the local stack: real boto3 to moto server over HTTP, real
HTTP to the local SENS and Telegram servers (which check the signature and the token)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import structlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from naver_sms.app.handler import Application
from naver_sms.clients import aws
from naver_sms.config.settings import Settings
from naver_sms.devstack.lambda_context import LambdaContext
from naver_sms.devstack.stack import LocalStack
from support import live_handler
from support.live_handler import NOW

pytestmark = pytest.mark.integration


def booking(booking_id: str, **overrides: Any) -> dict[str, Any]:
    """The shared valid booking, with the phone number this file's assertions name."""
    return live_handler.booking(booking_id, **{"phone": "010-1234-5678", **overrides})


@pytest.fixture
def stack(
    clean_stack: LocalStack, lambda_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> LocalStack:
    monkeypatch.setenv("NAVER_SMS_SWITCH_CACHE_SECONDS", "0")
    return clean_stack


def app(tmp_path: Path | None = None, **settings: Any) -> Application:
    if tmp_path is not None:
        settings.setdefault("capture_path", str(tmp_path / "capture.jsonl"))
    return Application.build(Settings.load(**settings))


def invoke(application: Application, bookings: list[Any], now: str = NOW) -> dict[str, Any]:
    return application.handle({"bookings": bookings, "now": now}, LambdaContext())


def go_live(stack: LocalStack) -> None:
    stack.set_switch("sms_sending", True)
    stack.set_approval("owner@example.com", approved_at=datetime.now(UTC) - timedelta(hours=1))


def test_dry_run_sends_nothing_but_captures_the_exact_request(
    stack: LocalStack, tmp_path: Path
) -> None:
    result = invoke(app(tmp_path), [booking("1")])
    assert result["mode"] == "dry_run"
    assert result["mode_reason"] == "SMS_SENDING_ENABLED is off"
    assert result["sent"] == 1
    assert stack.sens.messages == []
    assert stack.telegram.messages == []
    line = json.loads((tmp_path / "capture.jsonl").read_text().splitlines()[0])
    assert line["sms"][0]["content"] == "[강남점] 홍길동님 11월 20일 19:00 예약이 확정되었습니다."
    assert line["sms"][0]["to"] == "01012345678"
    assert line["sms"][0]["_mode"] == "dry_run"
    assert line["dynamodb"][0]["item"]["confirm_sms"] is True
    assert line["telegram"][0]["text"] == "confirm SMS 발송: 1 (강남점)"


def test_approval_gate(stack: LocalStack) -> None:
    application = app(sms_sending_enabled=True)
    stack.set_switch("sms_sending", True)
    result = invoke(application, [booking("1")])
    assert result["mode"] == "dry_run"
    assert "no approval record" in result["mode_reason"]

    stack.set_approval(
        "owner",
        approved_at=datetime.now(UTC) - timedelta(days=2),
        expires_at=datetime.now(UTC) - timedelta(days=1),
    )
    application.modes.invalidate()
    result = invoke(application, [booking("2")])
    assert result["mode"] == "dry_run"
    assert "not valid now" in result["mode_reason"]

    go_live(stack)
    application.modes.invalidate()
    result = invoke(application, [booking("3")])
    assert result["mode"] == "live"
    assert result["mode_reason"] == "approved by owner@example.com"
    assert [m.to for m in stack.sens.messages] == ["01012345678"]
    assert len(stack.telegram.messages) == 1


def test_a_dry_run_mark_does_not_block_the_live_send(stack: LocalStack) -> None:
    application = app(sms_sending_enabled=True)
    invoke(application, [booking("1")])
    assert stack.sens.messages == []
    go_live(stack)
    application.modes.invalidate()
    result = invoke(application, [booking("1")])
    assert result["mode"] == "live"
    assert result["sent"] == 1
    assert len(stack.sens.messages) == 1


def test_kill_switch_flips_without_restart(stack: LocalStack) -> None:
    application = app(sms_sending_enabled=True)
    go_live(stack)
    assert invoke(application, [booking("1")])["mode"] == "live"
    stack.set_switch("sms_sending", False)
    result = invoke(application, [booking("2")])
    assert result["mode"] == "dry_run"
    assert result["mode_reason"] == "kill switch sms_sending is off"
    assert len(stack.sens.messages) == 1


def test_retried_and_concurrent_invocations_never_send_twice(stack: LocalStack) -> None:
    application = app(sms_sending_enabled=True)
    go_live(stack)
    bookings = [booking(str(i), phone=f"010-2000-{1000 + i}") for i in range(6)]
    invoke(application, bookings)
    retried = invoke(application, bookings)  # Lambda retries the same event
    assert retried["sent"] == 0
    results: list[dict[str, Any]] = []
    more = [booking(str(i), phone=f"010-3000-{1000 + i}") for i in range(10, 16)]
    threads = [
        threading.Thread(target=lambda: results.append(invoke(application, more))) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r["sent"] for r in results) == 6
    recipients = [m.to for m in stack.sens.messages]
    assert len(recipients) == 12
    assert len(set(recipients)) == 12


def test_malformed_bookings_are_skipped_with_a_reason_and_the_rest_processed(
    stack: LocalStack,
) -> None:
    bad = [
        "not a booking",
        booking("b1", phone=None),
        booking("b2", party_size=0),
        booking("b3", store_id="nowhere-99"),
        booking("b4", phone="12"),
    ]
    result = invoke(app(), [booking("ok1"), *bad, booking("ok2")])
    assert result["processed"] == 2
    assert result["sent"] == 2
    assert result["invalid"] == 5
    reasons = {e["where"]: e["reason"] for e in result["errors"]}
    assert reasons["event.bookings[1]"] == "expected an object, got str"
    assert reasons["event.bookings[2]"] == "missing"
    assert "between 1 and" in reasons["event.bookings[3]"]
    assert "not configured" in reasons["event.bookings[4]"]
    assert "event.bookings[5]" in reasons


def test_sens_failure_releases_the_claim_and_the_next_run_sends(stack: LocalStack) -> None:
    application = app(sms_sending_enabled=True)
    go_live(stack)
    stack.sens.inject(status=400, times=1)  # not retried
    first = invoke(application, [booking("1"), booking("2", phone="010-9999-0002")])
    assert first["failed"] == 1
    assert first["sent"] == 1
    second = invoke(application, [booking("1"), booking("2", phone="010-9999-0002")])
    assert second["sent"] == 1
    assert second["failed"] == 0
    assert sorted(m.to for m in stack.sens.messages) == ["01012345678", "01099990002"]


def test_sens_5xx_is_retried_within_the_invocation(stack: LocalStack) -> None:
    application = app(sms_sending_enabled=True)
    go_live(stack)
    stack.sens.inject(status=503, times=2)
    result = invoke(application, [booking("1")])
    assert result["sent"] == 1
    assert len(stack.sens.messages) == 1


def test_failed_telegram_is_retried_next_run_without_resending_the_sms(stack: LocalStack) -> None:
    application = app(sms_sending_enabled=True)
    go_live(stack)
    stack.telegram.inject(status=500, times=10)
    first = invoke(application, [booking("1")])
    assert first["sent"] == 1
    assert first["notify_failed"] == 1
    stack.telegram.reset()
    second = invoke(application, [booking("1")])
    assert second["sent"] == 0
    assert second["notified"] == 1
    assert len(stack.sens.messages) == 1
    assert len(stack.telegram.messages) == 1


def test_unreachable_ssm_keeps_sending_off(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    go_live(stack)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:9")
    aws.client.cache_clear()
    try:
        result = invoke(app(sms_sending_enabled=True), [booking("1")])
    finally:
        aws.client.cache_clear()
    assert result["mode"] == "dry_run"
    assert result["mode_reason"] == "kill switch sms_sending is unreadable"
    assert stack.sens.messages == []


def test_guide_then_cancel_over_a_day(stack: LocalStack, tmp_path: Path) -> None:
    application = app(tmp_path)
    b = booking("1")
    assert invoke(application, [b], "2026-11-20T09:00:00+09:00")["sent"] == 1  # confirm
    assert invoke(application, [b], "2026-11-20T12:00:00+09:00")["sent"] == 0
    assert invoke(application, [b], "2026-11-20T16:30:00+09:00")["sent"] == 1  # guide
    cancelled = {**b, "status": "cancelled"}
    assert invoke(application, [cancelled], "2026-11-20T17:00:00+09:00")["sent"] == 1
    types = [
        json.loads(line)["sms"][0]["type"]
        for line in (tmp_path / "capture.jsonl").read_text().splitlines()
        if json.loads(line)["sms"]
    ]
    assert types == ["confirm", "guide", "cancel"]


def test_secrets_from_ssm_are_used_and_redacted_from_logs(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_env = stack.secrets.env()
    for name, value in secret_env.items():
        stack.ssm.put_parameter(
            Name=f"/naver-sms/secrets/{name}", Value=value, Type="SecureString", Overwrite=True
        )
        monkeypatch.delenv(name)
    go_live(stack)
    application = app(sms_sending_enabled=True, secrets_source="ssm")
    assert invoke(application, [booking("1")])["sent"] == 1
    assert len(stack.sens.messages) == 1  # the SSM secrets signed a request SENS accepted
    # An accidental log of a secret loaded at run time is still redacted.
    structlog.get_logger("test").warning("oops", detail=f"t={secret_env['TELEGRAM_BOT_TOKEN']}")
    out = capsys.readouterr().out
    assert '"event": "oops"' in out
    for name in ("SENS_SECRET_KEY", "SENS_ACCESS_KEY", "TELEGRAM_BOT_TOKEN"):
        assert secret_env[name] not in out


SCHEDULED = {
    "source": "aws.events",
    "detail-type": "Scheduled Event",
    "time": "2026-11-20T00:00:00Z",
    "detail": {},
}


def test_scheduled_event_reads_the_file_source(stack: LocalStack, tmp_path: Path) -> None:
    source = tmp_path / "bookings.jsonl"
    source.write_text(json.dumps(booking("1"), ensure_ascii=False) + "\n{broken\n")
    application = app(booking_source_url=f"file://{source}")
    result = application.handle(SCHEDULED, LambdaContext())
    assert result["processed"] == 1
    assert result["sent"] == 1
    assert result["invalid"] == 1
    assert result["errors"][0]["where"] == f"{source}[1]"
    assert result["errors"][0]["reason"].startswith(f"{source}:2: invalid JSON")


def test_scheduled_event_without_a_source_says_so(stack: LocalStack) -> None:
    result = app().handle(SCHEDULED, LambdaContext())
    assert result["error"] == "BOOKING_SOURCE_URL is not set"
    assert result["processed"] == 0


def test_secrets_from_secrets_manager(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    secret_env = stack.secrets.env()
    sm = stack.client("secretsmanager")
    sm.create_secret(Name="naver-sms/prod", SecretString=json.dumps(secret_env))
    for name in secret_env:
        monkeypatch.delenv(name)
    go_live(stack)
    application = app(
        sms_sending_enabled=True,
        secrets_source="secretsmanager",
        secrets_manager_id="naver-sms/prod",
    )
    assert invoke(application, [booking("1")])["sent"] == 1
    assert len(stack.sens.messages) == 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=12,
)
near_bookings = st.fixed_dictionaries(
    {"booking_id": st.text(min_size=1, max_size=8)},
    optional={
        "store_id": st.sampled_from(["gangnam-01", "x", ""]) | json_values,
        "customer_name": st.text(max_size=6) | json_values,
        "phone": st.sampled_from(["010-1234-5678", "01012", "+82 10 1234 5678"]) | json_values,
        "visit_at": st.sampled_from(["2026-11-20T19:00:00+09:00", "2026-13-40"]) | json_values,
        "party_size": st.integers(-2, 2000) | json_values,
        "status": st.sampled_from(["confirmed", "cancelled", "RC04"]) | json_values,
        "product": st.text(max_size=6) | json_values,
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    event=st.one_of(
        json_values,
        st.fixed_dictionaries({"bookings": st.lists(near_bookings | json_values, max_size=4)}),
        st.fixed_dictionaries(
            {
                "bookings": st.lists(near_bookings, max_size=3),
                "now": st.sampled_from([NOW, "soon", None]) | json_values,
            }
        ),
    )
)
def test_no_event_crashes_the_handler(stack: LocalStack, event: Any) -> None:
    result = app().handle(event, LambdaContext())
    assert set(result) >= {"processed", "sent", "invalid", "failed", "mode"}
    total = result["processed"] + result["invalid"] + result["failed"] + result["deferred"]
    if (
        isinstance(event, dict)
        and isinstance(event.get("bookings"), list)
        and "error" not in result
    ):
        assert total == len(event["bookings"])
    assert stack.sens.messages == []  # dry run whatever the input
