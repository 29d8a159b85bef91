from pathlib import Path

import pytest

from naver_sms.config.errors import ConfigError
from naver_sms.config.secrets import load_secrets
from naver_sms.config.settings import Settings


def test_argument_beats_environment_beats_default() -> None:
    env = {"BOOKINGS_TABLE": "from-env", "GUIDE_WINDOW_HOURS": "5"}
    assert Settings.load(env={}).bookings_table == "naver-sms-bookings"
    assert Settings.load(env=env).bookings_table == "from-env"
    assert Settings.load(env=env, bookings_table="explicit").bookings_table == "explicit"
    assert Settings.load(env=env).guide_window_hours == 5.0
    assert Settings.load(env=env, guide_window_hours=1).guide_window_hours == 1.0


def test_sending_is_off_by_default() -> None:
    assert Settings.load(env={}).sms_sending_enabled is False
    assert Settings.load(env={"SMS_SENDING_ENABLED": "true"}).sms_sending_enabled is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SMS_SENDING_ENABLED": "maybe"}, "SMS_SENDING_ENABLED: expected on/off"),
        ({"GUIDE_WINDOW_HOURS": "three"}, "GUIDE_WINDOW_HOURS: expected a number"),
        ({"GUIDE_WINDOW_HOURS": "-1"}, "GUIDE_WINDOW_HOURS: must be >= 0"),
    ],
)
def test_malformed_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.load(env=env)


def test_unknown_explicit_setting_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="bookings_tabel"):
        Settings.load(env={}, bookings_tabel="x")


def test_capture_path_and_source_stores() -> None:
    settings = Settings.load(
        env={"CAPTURE_PATH": "/tmp/c.jsonl", "BOOKING_SOURCE_STORES": "a, b,,c"}
    )
    assert settings.capture_path == Path("/tmp/c.jsonl")
    assert settings.booking_source_stores == ("a", "b", "c")


SECRET_ENV = {
    "SENS_ACCESS_KEY": "AK-canary-1234567",
    "SENS_SECRET_KEY": "SK-canary-7654321",
    "SENS_SERVICE_ID": "ncp:sms:kr:1234:svc",
    "SENS_CALLER_NUMBER": "0215881234",
    "TELEGRAM_BOT_TOKEN": "123456:canary-token",
    "TELEGRAM_CHAT_ID": "-1001234567890",
}


def test_secrets_from_environment_never_show_in_repr() -> None:
    secrets = load_secrets(Settings.load(env={}), env=SECRET_ENV)
    assert secrets.sens_secret_key == "SK-canary-7654321"
    for text in (repr(secrets), str(secrets)):
        for value in SECRET_ENV.values():
            assert value not in text
    assert "SK-canary-7654321" in secrets.values()


def test_missing_secrets_are_named_not_shown() -> None:
    env = {k: v for k, v in SECRET_ENV.items() if k != "TELEGRAM_BOT_TOKEN"}
    with pytest.raises(ConfigError) as info:
        load_secrets(Settings.load(env={}), env=env)
    assert "TELEGRAM_BOT_TOKEN" in str(info.value)
    assert "SK-canary" not in str(info.value)


def test_unknown_secrets_source() -> None:
    with pytest.raises(ConfigError, match="NAVER_SMS_SECRETS_SOURCE"):
        load_secrets(Settings.load(env={"NAVER_SMS_SECRETS_SOURCE": "vault"}), env=SECRET_ENV)
