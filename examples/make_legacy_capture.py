"""Regenerates the demo campaign's inputs from the sample day (deterministic but for metadata).

- `invocations-2026-11-20.jsonl`: the day's captured invocations (08:00 … 19:00 KST), with the
  bookings cancelled during the day still confirmed before 13:00;
- `legacy-capture-2026-11-20.jsonl`: what "the legacy Lambda" produced for them: the new
  Lambda's own dry-run outputs with a few discrepancies planted on purpose, each of a kind a
  character-level review must catch (trailing space, decomposed Hangul, CRLF, a missing cancel,
  an extra notification, a different DynamoDB value).

Run: `.venv/bin/python examples/make_legacy_capture.py` (starts the local stack; ~10 s).
"""

from __future__ import annotations

import json
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from naver_sms.comparison.replay import read_invocations, run_batches
from naver_sms.devstack.demo import DRY_RUN_TIMES, LIVE_TIMES, SAMPLE_DAY, day_events

HERE = Path(__file__).resolve().parent
INVOCATIONS = HERE / "invocations-2026-11-20.jsonl"
LEGACY = HERE / "legacy-capture-2026-11-20.jsonl"


def plant(lines: list[dict[str, Any]]) -> list[str]:
    """Change a few legacy lines; returns what was planted, for the record."""
    planted: list[str] = []
    with_sms = [line for line in lines if line["sms"]]
    confirms = [line for line in with_sms if line["sms"][0]["type"] == "confirm"]
    guides = [line for line in with_sms if any(s["type"] == "guide" for s in line["sms"])]

    a = confirms[0]
    a["sms"][0]["content"] += " "
    planted.append(f"{a['booking_id']}: legacy confirm SMS ends with a space")

    b = guides[1]
    guide = next(s for s in b["sms"] if s["type"] == "guide")
    guide["content"] = unicodedata.normalize("NFD", guide["content"])
    planted.append(f"{b['booking_id']}: legacy guide SMS in decomposed Hangul (NFD)")

    c = confirms[3]
    c["telegram"][0]["text"] = c["telegram"][0]["text"] + "\r\n"
    planted.append(f"{c['booking_id']}: legacy Telegram text ends with CRLF")

    d = confirms[5]
    d["telegram"] = []
    planted.append(f"{d['booking_id']}: legacy sent no Telegram notification")

    e = confirms[7]
    e["dynamodb"][0]["item"]["people"] = e["dynamodb"][0]["item"]["people"] + 1
    planted.append(f"{e['booking_id']}: legacy DynamoDB item has another party size")

    f = dict(confirms[9])
    cancel = dict(f["sms"][0], type="cancel",
                  content=f["sms"][0]["content"].replace("확정", "취소"))
    lines.append({"booking_id": f["booking_id"], "store_id": f["store_id"], "sms": [cancel],
                  "dynamodb": [], "telegram": []})
    planted.append(f"{f['booking_id']}: legacy also sent a cancel SMS")
    return planted


def main() -> int:
    bookings = json.loads(SAMPLE_DAY.read_text("utf-8"))["bookings"]
    events = day_events(bookings, DRY_RUN_TIMES + LIVE_TIMES)
    INVOCATIONS.write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        empty = work / "empty.jsonl"
        empty.touch()
        run_batches(read_invocations(INVOCATIONS), 100, work, empty, sys.stderr)
        lines = [json.loads(x) for x in (work / "capture.jsonl").read_text("utf-8").splitlines()]
    planted = plant(lines)
    LEGACY.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    print(f"wrote {INVOCATIONS.name} ({len(events)} invocations) and {LEGACY.name} "
          f"({len(lines)} lines); planted:")
    for item in planted:
        print(f"  - {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
