import json
from datetime import UTC, datetime

import pytest

from naver_sms.config.approval import parse_approval
from naver_sms.config.errors import ConfigError

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_valid_and_expired_approvals() -> None:
    ok = parse_approval(
        "/p",
        json.dumps(
            {"approved_by": "owner", "approved_at": "2026-11-26T00:00:00Z", "expires_at": None}
        ),
    )
    assert ok.valid_at(NOW)
    expired = parse_approval(
        "/p",
        json.dumps(
            {
                "approved_by": "owner",
                "approved_at": "2026-11-01T00:00:00+09:00",
                "expires_at": "2026-11-02T00:00:00+09:00",
            }
        ),
    )
    assert not expired.valid_at(NOW)
    future = parse_approval(
        "/p", json.dumps({"approved_by": "owner", "approved_at": "2026-12-01T00:00:00Z"})
    )
    assert not future.valid_at(NOW)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("yes", "not JSON"),
        ("[]", "must be a JSON object"),
        ('{"approved_at": "2026-11-26T00:00:00Z"}', "approved_by must be"),
        ('{"approved_by": "o"}', "approved_at must be an ISO-8601 string"),
        ('{"approved_by": "o", "approved_at": "yesterday"}', "approved_at is not ISO-8601"),
        ('{"approved_by": "o", "approved_at": "2026-11-26T00:00:00"}', "needs a UTC offset"),
    ],
)
def test_malformed_records_are_named(raw: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_approval("/naver-sms/approval", raw)
    assert str(info.value).startswith("/naver-sms/approval: ")
    assert reason in str(info.value)
