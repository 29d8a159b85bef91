"""The one privacy module: phones, names and secrets, for logs, spans, clients and comparison."""

from __future__ import annotations

import pytest

from naver_sms import privacy
from naver_sms.clients.sms import mask_phones_in_text
from naver_sms.comparison.masking import mask_phones as comparison_mask
from naver_sms.privacy import (
    REDACTED,
    mask_name,
    mask_phones,
    register_secrets,
    scrub,
    scrub_text,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01012345678", "010-****-5678"),
        ("010-1234-5678", "010-****-5678"),
        ("010 1234 5678", "010-****-5678"),
        ("+82-10-1234-5678", "010-****-5678"),
        ("+821012345678", "010-****-5678"),
        ("0111234567", "011-****-4567"),
        ("고객 010-9876-5432님 확인", "고객 010-****-5432님 확인"),
        ("to=01012345678&x=01099998888", "to=010-****-5678&x=010-****-8888"),
    ],
)
def test_phone_numbers_are_masked_in_any_form(text: str, expected: str) -> None:
    assert mask_phones(text) == expected


@pytest.mark.parametrize(
    "text",
    ["booking 1012345678", "id 20261120123456", "2026-11-27T06:33:17Z", "1-5759e988-bd862e3f"],
)
def test_non_phone_numbers_are_left_alone(text: str) -> None:
    assert mask_phones(text) == text
    assert scrub_text(text) is text


@pytest.mark.parametrize(
    ("name", "expected"),
    [("홍길동", "홍*동"), ("김철", "김*"), ("남궁민수", "남**수"), ("X", "*"), ("", "*")],
)
def test_names_keep_first_and_last_character(name: str, expected: str) -> None:
    assert mask_name(name) == expected


def test_registered_secrets_are_redacted_anywhere_and_short_values_ignored() -> None:
    register_secrets(["canary-secret-0001", None, "abc"])
    assert scrub_text("url /botcanary-secret-0001/sendMessage") == f"url /bot{REDACTED}/sendMessage"
    assert scrub_text("abc stays") == "abc stays"


def test_longest_secret_wins_when_one_contains_another() -> None:
    register_secrets(["overlap-secret", "overlap-secret-longer"])
    assert scrub_text("x overlap-secret-longer y") == f"x {REDACTED} y"


def test_scrub_walks_nested_structures_and_copies_only_on_change() -> None:
    register_secrets(["nested-canary-9"])
    clean = {"a": ["x", {"b": "y"}]}
    assert scrub(clean) is clean
    dirty = {"a": ["x", {"b": "call 01012345678", "api_token": "t"}], "name": "홍길동"}
    out = scrub(dirty)
    assert out == {
        "a": ["x", {"b": "call 010-****-5678", "api_token": REDACTED}],
        "name": "홍*동",
    }
    assert dirty["a"][1]["b"] == "call 01012345678"  # the input is not mutated


@pytest.mark.parametrize(
    "key", ["token", "bot_token", "SENS_SECRET_KEY", "password", "x-ncp-apigw-signature-v2"]
)
def test_secret_looking_keys(key: str) -> None:
    assert privacy.is_secret_key(key)


@pytest.mark.parametrize("key", ["event", "store_id", "sms_type", "booking_id", "level"])
def test_ordinary_keys(key: str) -> None:
    assert not privacy.is_secret_key(key)


def test_digit_runs_inside_ids_are_not_taken_for_phone_numbers() -> None:
    span_id = "01160503810e0644"
    request_id = "rZdx01012345678Q"
    assert mask_phones(span_id) == span_id
    assert mask_phones(request_id) == request_id
    assert mask_phones("고객01012345678님") == "고객010-****-5678님"
    assert mask_phones("to=01012345678,") == "to=010-****-5678,"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02-1588-1234", "02-****-1234"),  # Seoul
        ("0215881234", "02-****-1234"),
        ("+82-2-1588-1234", "02-****-1234"),
        ("031 123 4567", "031-****-4567"),  # area code
        ("07012345678", "070-****-5678"),  # internet phone
        ("chat -1001987654321", "chat -1001987654321"),  # a Telegram chat id
        ("예약 1100003 확정", "예약 1100003 확정"),  # a booking id
    ],
)
def test_one_phone_rule_covers_mobile_seoul_and_area_numbers(text: str, expected: str) -> None:
    assert mask_phones(text) == expected


def test_the_three_former_rules_agree_now() -> None:
    """Clients, comparison and telemetry used three regexes; they are one function now."""
    text = "to 01012345678, office 02-1588-1234, id 01160503810e0644"
    expected = "to 010-****-5678, office 02-****-1234, id 01160503810e0644"
    assert mask_phones_in_text(text) == comparison_mask(text) == mask_phones(text) == expected


def test_telegram_bot_tokens_in_url_paths_are_redacted_unregistered() -> None:
    url = "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage"
    assert scrub_text(url) == f"https://api.telegram.org/bot{REDACTED}/sendMessage"
    assert scrub_text("https://example.com/bottle/42") == "https://example.com/bottle/42"


def test_honorific_names_and_their_positions() -> None:
    text = "[강남점] 홍길동님 예약"
    assert privacy.mask_honorific_names(text) == "[강남점] 홍**님 예약"
    (span,) = privacy.honorific_name_spans(text)
    assert text[span[0] : span[1]] == "길동"
    assert privacy.phone_middle_spans("전화 010-1234-5678") == [(7, 11)]
