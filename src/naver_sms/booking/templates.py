"""Per-store message templates, loaded from the stores configuration file.

The file has `defaults.templates` and `stores.<store_id>` with `name`, `address`, `phone` and
optional `templates` overriding the defaults. Every template is checked at load time, so a typo
in a placeholder fails the deployment's first invocation loudly instead of one SMS at 9 pm.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from naver_sms.booking.models import KST, Booking, SmsType
from naver_sms.config.errors import ConfigError

TEMPLATE_NAMES = ("confirm", "guide_subject", "guide", "cancel", "telegram")
PLACEHOLDERS = frozenset(
    {
        "store_name",
        "customer_name",
        "visit_date",
        "visit_time",
        "day_word",
        "address",
        "store_phone",
        "party_size",
        "product",
        "option",
        "booking_id",
        "sms_type",
    }
)


@dataclass(frozen=True)
class Store:
    store_id: str
    name: str
    address: str
    phone: str
    templates: dict[str, str]


@dataclass(frozen=True)
class RenderedSms:
    content: str
    subject: str | None


class StoreCatalog:
    """All configured stores; `render_*` fill a store's templates for a booking."""

    def __init__(self, stores: dict[str, Store]) -> None:
        self._stores = stores

    @classmethod
    def load(cls, path: Path) -> StoreCatalog:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(str(path), "stores configuration file not found") from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{exc.lineno}", f"invalid JSON: {exc.msg}") from None
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: Any, where: str) -> StoreCatalog:
        if not isinstance(data, dict) or not isinstance(data.get("stores"), dict):
            raise ConfigError(where, "expected an object with a 'stores' object")
        defaults = (data.get("defaults") or {}).get("templates") or {}
        stores: dict[str, Store] = {}
        for store_id, raw in data["stores"].items():
            at = f"{where}: stores.{store_id}"
            if not isinstance(raw, dict):
                raise ConfigError(at, "expected an object")
            for key in ("name", "address", "phone"):
                if not isinstance(raw.get(key), str) or not raw[key].strip():
                    raise ConfigError(at, f"'{key}' must be a non-empty string")
            templates = {**defaults, **(raw.get("templates") or {})}
            for name in TEMPLATE_NAMES:
                _check_template(f"{at}.templates.{name}", templates.get(name))
            stores[store_id] = Store(
                store_id,
                raw["name"],
                raw["address"],
                raw["phone"],
                {n: templates[n] for n in TEMPLATE_NAMES},
            )
        return cls(stores)

    def get(self, store_id: str) -> Store | None:
        return self._stores.get(store_id)

    @property
    def store_ids(self) -> tuple[str, ...]:
        return tuple(self._stores)

    def render_sms(
        self, store: Store, booking: Booking, sms_type: SmsType, now: datetime
    ) -> RenderedSms:
        fields = _fields(store, booking, sms_type, now)
        content = store.templates[sms_type.value].format_map(fields)
        subject = (
            store.templates["guide_subject"].format_map(fields)
            if sms_type is SmsType.GUIDE
            else None
        )
        return RenderedSms(content, subject)

    def render_telegram(
        self, store: Store, booking: Booking, sms_type: SmsType, now: datetime
    ) -> str:
        return store.templates["telegram"].format_map(_fields(store, booking, sms_type, now))


def _check_template(where: str, template: Any) -> None:
    if not isinstance(template, str) or not template:
        raise ConfigError(where, "missing or not a string")
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        raise ConfigError(where, f"malformed template: {exc}") from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ConfigError(
            where, f"unknown placeholder(s) {sorted(unknown)}; known: {sorted(PLACEHOLDERS)}"
        )


def _fields(store: Store, booking: Booking, sms_type: SmsType, now: datetime) -> dict[str, str]:
    visit = booking.visit_at.astimezone(KST)
    today = now.astimezone(KST).date()
    if visit.date() == today:
        day_word = "오늘"
    elif visit.date() == today + timedelta(days=1):
        day_word = "내일"
    else:
        day_word = "곧"  # the date follows in every template
    return {
        "store_name": store.name,
        "customer_name": booking.customer_name,
        "visit_date": f"{visit.month}월 {visit.day}일",
        "visit_time": visit.strftime("%H:%M"),
        "day_word": day_word,
        "address": store.address,
        "store_phone": store.phone,
        "party_size": str(booking.party_size),
        "product": booking.product,
        "option": booking.option or "",
        "booking_id": booking.booking_id,
        "sms_type": sms_type.value,
    }
