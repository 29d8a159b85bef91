"""The HTML report in headless Chromium: renders, no console errors, no network, sections."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from capture_builders import REPO, SPEC_EXAMPLES
from playwright.sync_api import sync_playwright

from naver_sms.comparison.engine import ComparisonResult, compare_captures
from naver_sms.comparison.html import render_html
from naver_sms.comparison.report import write_text_atomic

CHROMIUM = "/usr/bin/chromium"
SECTIONS = (
    "summary",
    "match-by-day",
    "match-by-store",
    "discrepancies-by-channel",
    "sms-old-new",
    "sms-diffs",
    "records",
)


def _result(tmp_path: Path) -> ComparisonResult:
    """The spec example plus mismatches a reader cannot see: NFD Hangul and CRLF."""
    old_lines = (SPEC_EXAMPLES / "old.jsonl").read_text(encoding="utf-8").splitlines()
    new_lines = (SPEC_EXAMPLES / "new.jsonl").read_text(encoding="utf-8").splitlines()
    content = "[강남점] 홍길동님, 오늘 방문 예정입니다.\n주소: 서울 강남구\n문의 010-2222-3333"
    for i, (old_c, new_c) in enumerate(
        [
            (content, unicodedata.normalize("NFD", content)),
            (content, content.replace("\n", "\r\n")),
        ]
    ):
        for lines, text in ((old_lines, old_c), (new_lines, new_c)):
            lines.append(
                json.dumps(
                    {
                        "booking_id": f"77{i}",
                        "store_id": "gangnam-01",
                        "sms": [{"type": "guide", "content": text}],
                    },
                    ensure_ascii=False,
                )
            )
    old = tmp_path / "old.jsonl"
    new = tmp_path / "new.jsonl"
    old.write_text("\n".join(old_lines) + "\n", encoding="utf-8")
    new.write_text("\n".join(new_lines) + "\n", encoding="utf-8")
    return compare_captures(old, new)


def test_html_is_self_contained_and_masks_personal_data(tmp_path: Path) -> None:
    result = _result(tmp_path)
    html = render_html(result, days={"1100001": "2026-11-20"})
    assert "<script" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert "<link" not in html
    assert "010-2222-3333" not in html
    assert "2222" not in html
    assert "홍길동" not in html
    for section in SECTIONS:
        assert f'id="{section}"' in html
    sms_mismatches = [r for r in result.records if r.channel == "sms" and r.kind == "mismatch"]
    assert html.count('<div class="diff">') == len(sms_mismatches) == 4


@pytest.mark.browser
def test_html_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    if shutil.which(CHROMIUM) is None:  # `make system-deps` installs it; not a silent skip
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps`")
    result = _result(tmp_path)
    days = {b: ("2026-11-20" if b < "1100006" else "2026-11-21") for b in result.booking_stores}
    report = tmp_path / "report.html"
    write_text_atomic(report, render_html(result, days=days, generated_at="2026-11-27T00:00Z"))
    errors: list[str] = []
    requests: list[str] = []
    screenshot = REPO / "out" / "screenshots" / "comparison-report.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            for section in SECTIONS:
                assert page.locator(f"section#{section}").is_visible(), section
            assert page.locator("svg").count() >= 5
            assert page.locator("section#match-by-day svg rect").count() == 2
            assert page.locator("section#match-by-store svg rect").count() == 4
            diffs = page.locator("#sms-diffs .diff")
            assert diffs.count() == 4
            # the trailing space of 1100005 is a highlighted, visible mark
            trailing = diffs.filter(has_text="1100005").locator("ins .ws")
            assert trailing.count() == 1
            assert trailing.inner_text() == "·"
            # NFD: the inserted jamo are spelled out; CRLF: the CR marks are highlighted
            assert "U+1100" in diffs.filter(has_text="770").locator("ins").first.inner_text()
            assert diffs.filter(has_text="771").locator("ins .ws").first.inner_text() == "\\r"
            card = page.locator(".card", has_text="match percentage").locator("b")
            assert card.inner_text() == f"{result.match_percentage:.2f}%"
            width = page.evaluate("document.querySelector('#match-by-store svg').getBBox().width")
            assert width > 100
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert all(url.startswith("file://") for url in requests), requests
    assert screenshot.stat().st_size > 10_000
