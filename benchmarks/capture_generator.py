"""Generate a realistic pair of captures (legacy "old", new Lambda "new") for benchmarks.

Lines look like the spec's examples: confirm SMS for every booking, an LMS guide for about
half, a few cancels; one DynamoDB PutItem and one Telegram note per SMS; metadata (``_sent_at``,
``_request_id``, ``_updated_at``, ``_audit``) that always differs between the sides. About
``discrepancy_rate`` of the bookings carry a planted difference (trailing space, decomposed
Hangul, CRLF, wording, missing guide, status, Telegram text, extra/missing booking), about 1%
are split over two lines, and the new file is in a different order. Deterministic per seed.
"""

from __future__ import annotations

import argparse
import json
import random
import unicodedata
from pathlib import Path
from typing import Any

STORES = [
    ("gangnam-01", "강남점", "서울 강남구 테헤란로 152, 3층"),
    ("hongdae-02", "홍대점", "서울 마포구 와우산로 45, 지하 1층"),
    ("jamsil-03", "잠실점", "서울 송파구 올림픽로 300, 2층"),
    ("busan-04", "서면점", "부산 부산진구 중앙대로 680"),
    ("daegu-05", "동성로점", "대구 중구 동성로 12"),
    ("incheon-06", "송도점", "인천 연수구 컨벤시아대로 165"),
]
NAMES = ["홍길동", "임주원", "최하은", "정도윤", "장예린", "이서준", "강서연", "김민준", "박지우"]
CHAT_ID = "-1001987654321"
PLANTS = (
    "trailing_space",
    "nfd",
    "crlf",
    "wording",
    "missing_guide",
    "status",
    "telegram",
    "people_float_equal",
    "missing_booking",
    "extra_booking",
)


def _booking(rng: random.Random, booking_id: str) -> dict[str, Any]:
    store_id, store_name, address = rng.choice(STORES)
    name = rng.choice(NAMES)
    phone = f"010{rng.randrange(10**8):08d}"
    day, hour, people = rng.randrange(1, 29), rng.randrange(10, 21), rng.randrange(1, 9)
    when = f"11월 {day}일 {hour}:00"
    sms: list[dict[str, Any]] = [
        {
            "type": "confirm",
            "to": phone,
            "from": "0215881234",
            "msg_type": "SMS",
            "content": f"[{store_name}] {name}님 {when} 예약이 확정되었습니다.",
            "_sent_at": f"2026-11-{day:02d}T0{rng.randrange(10)}:00:00+09:00",
        }
    ]
    if rng.random() < 0.5:
        sms.append(
            {
                "type": "guide",
                "to": phone,
                "from": "0215881234",
                "msg_type": "LMS",
                "subject": f"{store_name} 방문 안내",
                "content": f"[{store_name}] {name}님, 오늘 {when} 방문 예정입니다.\n"
                f"주소: {address}\n인원: {people}명\n변경은 네이버 예약에서 해주세요.",
                "_request_id": f"VORSSA-{rng.randrange(10**9)}",
            }
        )
    if rng.random() < 0.05:
        sms.append(
            {
                "type": "cancel",
                "to": phone,
                "from": "0215881234",
                "msg_type": "SMS",
                "content": f"[{store_name}] {name}님 {when} 예약이 취소되었습니다.",
            }
        )
    item = {
        "booking_id": booking_id,
        "store_id": store_id,
        "status": "confirmed",
        "people": people,
        "confirm_sms": True,
        "guide_sms": len(sms) > 1,
        "tags": ["naver", store_id],
        "meta": {"tier": "standard", "source": "naver"},
        "_updated_at": "2026-11-19T00:00:00Z",
    }
    return {
        "booking_id": booking_id,
        "store_id": store_id,
        "sms": sms,
        "dynamodb": [
            {
                "table": "naver-sms-bookings",
                "key": {"booking_id": booking_id},
                "op": "PutItem",
                "item": item,
            }
        ],
        "telegram": [
            {"chat_id": CHAT_ID, "text": f"{e['type']} SMS 발송: {booking_id} ({store_name})"}
            for e in sms
        ],
    }


def _renew_metadata(rng: random.Random, booking: dict[str, Any]) -> dict[str, Any]:
    new = json.loads(json.dumps(booking))
    for entry in new["sms"]:
        entry["_sent_at"] = "2026-11-26T11:11:11+09:00"
    for write in new["dynamodb"]:
        write["item"]["_updated_at"] = "2026-11-26T02:02:02Z"
        write["item"]["_audit"] = {"by": "new-lambda", "n": rng.randrange(10)}
    return new


def _plant(rng: random.Random, booking: dict[str, Any], plant: str) -> dict[str, Any] | None:
    sms = booking["sms"]
    if plant == "trailing_space":
        sms[0]["content"] += " "
    elif plant == "nfd":
        sms[0]["content"] = unicodedata.normalize("NFD", sms[0]["content"])
    elif plant == "crlf":
        sms[-1]["content"] = sms[-1]["content"].replace("\n", "\r\n") + "\r\n"
    elif plant == "wording":
        sms[0]["content"] = sms[0]["content"].replace("확정되었습니다", "확정됐습니다")
    elif plant == "missing_guide" and len(sms) > 1:
        del sms[1]
        del booking["telegram"][1]
    elif plant == "status":
        booking["dynamodb"][0]["item"]["status"] = "pending"
    elif plant == "telegram":
        booking["telegram"][0]["text"] = booking["telegram"][0]["text"].replace("발송", "전송")
    elif plant == "people_float_equal":
        booking["dynamodb"][0]["item"]["people"] = float(booking["dynamodb"][0]["item"]["people"])
    elif plant == "missing_booking":
        return None
    return booking


def _lines(booking: dict[str, Any], split: bool) -> list[str]:
    if split and len(booking["sms"]) > 1:
        first = dict(booking, sms=booking["sms"][:1], telegram=booking["telegram"][:1])
        second = {
            "booking_id": booking["booking_id"],
            "store_id": None,
            "sms": booking["sms"][1:],
            "telegram": booking["telegram"][1:],
        }
        return [json.dumps(first, ensure_ascii=False), json.dumps(second, ensure_ascii=False)]
    return [json.dumps(booking, ensure_ascii=False)]


def generate(
    old_path: Path, new_path: Path, bookings: int, *, seed: int = 7, discrepancy_rate: float = 0.03
) -> dict[str, int]:
    """Write the pair; returns how many bookings got each planted difference."""
    rng = random.Random(seed)
    planted: dict[str, int] = {}
    new_lines: list[bytes] = []  # only the new side is shuffled; kept as UTF-8 bytes
    old_path.parent.mkdir(parents=True, exist_ok=True)
    with old_path.open("w", encoding="utf-8") as old_file:
        for i in range(bookings):
            booking = _booking(rng, str(2_000_000 + i))
            split = rng.random() < 0.01
            old_file.writelines(line + "\n" for line in _lines(booking, split))
            new = _renew_metadata(rng, booking)
            if rng.random() < discrepancy_rate:
                plant = rng.choice(PLANTS)
                planted[plant] = planted.get(plant, 0) + 1
                if plant == "extra_booking":
                    extra = _renew_metadata(rng, _booking(rng, str(9_000_000 + i)))
                    new_lines.extend(line.encode() for line in _lines(extra, False))
                planted_new = _plant(rng, new, plant)
                if planted_new is None:
                    continue
                new = planted_new
            new_lines.extend(line.encode() for line in _lines(new, split))
    # Invocation-sized blocks in another order, as a replay over batches would write them.
    blocks = [new_lines[i : i + 500] for i in range(0, len(new_lines), 500)]
    rng.shuffle(blocks)
    with new_path.open("wb") as new_file:
        for block in blocks:
            new_file.writelines(line + b"\n" for line in block)
    return planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("out/bench/captures"))
    args = parser.parse_args()
    planted = generate(
        args.out / "old.jsonl", args.out / "new.jsonl", args.bookings, seed=args.seed
    )
    print(json.dumps(planted, sort_keys=True))


if __name__ == "__main__":
    main()
