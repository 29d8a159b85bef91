"""Regenerates `bookings-2026-11-20.json`: one realistic day for four stores (deterministic).

Run: `.venv/bin/python examples/make_sample_day.py`. Phone numbers are in the 010-0000-xxxx
test range and names are common Korean names; a handful of bookings are malformed on purpose.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

STORES = {
    "gangnam-01": (10, 21),
    "hongdae-02": (11, 22),
    "jamsil-03": (10, 20),
    "busan-04": (11, 21),
}
FAMILY = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = [
    "민준",
    "서연",
    "도윤",
    "하은",
    "예준",
    "지우",
    "시우",
    "서윤",
    "주원",
    "하린",
    "지호",
    "수아",
    "준서",
    "지민",
    "현우",
    "예린",
    "건우",
    "채원",
    "우진",
    "유나",
]
PRODUCTS = [
    ("디너 코스", "2인 세트"),
    ("런치 코스", None),
    ("단체석", "룸 요청"),
    ("오마카세", "카운터석"),
]


def main() -> None:
    rng = random.Random(20261120)
    bookings: list[dict[str, object]] = []
    serial = 2200000
    for store_id, (open_h, close_h) in STORES.items():
        for _ in range(rng.randint(9, 12)):
            serial += rng.randint(1, 40)
            hour = rng.randint(open_h, close_h - 1)
            minute = rng.choice([0, 30])
            product, option = rng.choice(PRODUCTS)
            status = rng.choices(["confirmed", "cancelled", "completed"], [80, 12, 8])[0]
            booking: dict[str, object] = {
                "booking_id": str(serial),
                "store_id": store_id,
                "customer_name": rng.choice(FAMILY) + rng.choice(GIVEN),
                "phone": f"010-0000-{rng.randint(1000, 9999)}",
                "visit_at": f"2026-11-20T{hour:02d}:{minute:02d}:00+09:00",
                "party_size": rng.choice([1, 2, 2, 2, 3, 4, 4, 5, 6, 8]),
                "status": status,
                "product": product,
            }
            if option:
                booking["option"] = option
            bookings.append(booking)
    bookings.sort(key=lambda b: str(b["visit_at"]))
    # Malformed on purpose: each must be reported with its reason while the rest go through.
    bookings += [
        {
            "booking_id": "2299001",
            "store_id": "gangnam-01",
            "customer_name": "오류",
            "visit_at": "2026-11-20T18:00:00+09:00",
            "party_size": 2,
            "status": "confirmed",
            "product": "디너 코스",
        },  # no phone
        {
            "booking_id": "2299002",
            "store_id": "hongdae-02",
            "customer_name": "박오류",
            "phone": "010-0000-1111",
            "visit_at": "2026-11-20 7pm",
            "party_size": 2,
            "status": "confirmed",
            "product": "디너 코스",
        },  # unreadable time
        {
            "booking_id": "2299003",
            "store_id": "jamsil-03",
            "customer_name": "이오류",
            "phone": "010-0000-2222",
            "visit_at": "2026-11-20T19:00:00+09:00",
            "party_size": 0,
            "status": "confirmed",
            "product": "디너 코스",
        },  # no party
        {
            "booking_id": "2299004",
            "store_id": "daegu-09",
            "customer_name": "최오류",
            "phone": "010-0000-3333",
            "visit_at": "2026-11-20T19:00:00+09:00",
            "party_size": 2,
            "status": "confirmed",
            "product": "디너 코스",
        },  # store not configured
        "not a booking",
    ]
    out = Path(__file__).with_name("bookings-2026-11-20.json")
    out.write_text(
        json.dumps({"bookings": bookings}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(bookings)} bookings to {out}")


if __name__ == "__main__":
    main()
