import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from naver_sms.booking.models import KST, Booking, BookingStatus, SmsType
from naver_sms.booking.templates import StoreCatalog
from naver_sms.config.errors import ConfigError
from naver_sms.config.settings import Settings

BOOKING = Booking(
    "1100000",
    "hongdae-02",
    "홍길동",
    "01058202938",
    datetime(2026, 11, 20, 11, 0, tzinfo=KST),
    4,
    BookingStatus.CONFIRMED,
    "코스",
)


@pytest.fixture(scope="module")
def catalog() -> StoreCatalog:
    return StoreCatalog.load(Settings.load(env={}).stores_config)


def test_packaged_templates_reproduce_the_legacy_wording(catalog: StoreCatalog) -> None:
    store = catalog.get("hongdae-02")
    assert store is not None
    now = datetime(2026, 11, 20, 9, 0, tzinfo=KST)
    confirm = catalog.render_sms(store, BOOKING, SmsType.CONFIRM, now)
    assert confirm.content == "[홍대점] 홍길동님 11월 20일 11:00 예약이 확정되었습니다."
    assert confirm.subject is None
    guide = catalog.render_sms(store, BOOKING, SmsType.GUIDE, now)
    assert guide.subject == "홍대점 방문 안내"
    assert guide.content == (
        "[홍대점] 홍길동님, 오늘 11월 20일 11:00 방문 예정입니다.\n"
        "주소: 서울 마포구 와우산로 45, 지하 1층\n인원: 4명\n변경은 네이버 예약에서 해주세요."
    )
    assert catalog.render_telegram(store, BOOKING, SmsType.GUIDE, now) == (
        "guide SMS 발송: 1100000 (홍대점)"
    )


def test_day_word_follows_the_korean_calendar_day(catalog: StoreCatalog) -> None:
    store = catalog.get("hongdae-02")
    assert store is not None
    # 14:30 UTC on the 19th is 23:30 KST: the visit is tomorrow in Korea, not today.
    eve = datetime(2026, 11, 19, 14, 30, tzinfo=UTC)
    text = catalog.render_sms(store, BOOKING, SmsType.GUIDE, eve).content
    assert "내일 11월 20일" in text


def test_unknown_placeholder_is_named_with_its_store(tmp_path: Path) -> None:
    path = tmp_path / "stores.json"
    path.write_text(
        json.dumps(
            {
                "stores": {
                    "s1": {
                        "name": "n",
                        "address": "a",
                        "phone": "p",
                        "templates": {
                            "confirm": "{store_nmae}",
                            "guide_subject": "x",
                            "guide": "x",
                            "cancel": "x",
                            "telegram": "x",
                        },
                    }
                }
            }
        )
    )
    with pytest.raises(ConfigError) as info:
        StoreCatalog.load(path)
    assert "stores.s1.templates.confirm" in str(info.value)
    assert "store_nmae" in str(info.value)


def test_missing_file_and_bad_json_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        StoreCatalog.load(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"stores": {\n  "x": }')
    with pytest.raises(ConfigError, match=r"bad.json:2: invalid JSON"):
        StoreCatalog.load(bad)
