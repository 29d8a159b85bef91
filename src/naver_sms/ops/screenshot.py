"""PNG screenshots of local HTML pages in headless Chromium (Playwright driving the system
Chromium), with every console error and every request recorded: a page that fails or reaches
for the network is not silently photographed."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

DEFAULT_CHROMIUM: Final = "/usr/bin/chromium"


class ScreenshotUnavailable(RuntimeError):
    """Playwright or Chromium is missing; the message says what to install."""


@dataclass
class Shot:
    path: Path
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def offline(self) -> bool:
        return all(url.startswith(("file://", "data:")) for url in self.requests)


def _watch(page: Any, shot: Shot) -> None:
    """Record the page's console errors, uncaught errors and requests into `shot`."""

    def console(message: Any) -> None:
        if message.type == "error":
            shot.errors.append(message.text)

    def page_error(error: Any) -> None:
        shot.errors.append(str(error))

    def request(sent: Any) -> None:
        shot.requests.append(sent.url)

    page.on("console", console)
    page.on("pageerror", page_error)
    page.on("request", request)


def chromium_path() -> str:
    found = os.environ.get("NAVER_SMS_CHROMIUM") or shutil.which("chromium") or DEFAULT_CHROMIUM
    if not Path(found).exists():
        raise ScreenshotUnavailable(
            f"Chromium not found ({found}): `make system-deps` installs it, or set "
            "NAVER_SMS_CHROMIUM"
        )
    return found


def screenshot(page_path: Path, png_path: Path, width: int = 1400, height: int = 900) -> Shot:
    """Open `page_path` (file://) and save a full-page PNG to `png_path`."""
    return screenshots([(page_path, png_path, width)], height)[0]


def screenshots(pages: list[tuple[Path, Path, int]], height: int = 900) -> list[Shot]:
    """Each (page, png, viewport width) in one browser session (a browser start is the cost)."""
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - dev dependency
    except ImportError:
        raise ScreenshotUnavailable("playwright is not installed (the dev extra has it)") from None
    executable = chromium_path()
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            for page_path, png_path, width in pages:
                shot = Shot(png_path)
                png_path.parent.mkdir(parents=True, exist_ok=True)
                page = browser.new_page(viewport={"width": width, "height": height})
                _watch(page, shot)
                page.goto(page_path.resolve().as_uri())
                page.wait_for_load_state("load")
                page.screenshot(path=str(png_path), full_page=True)
                page.close()
                shots.append(shot)
        finally:
            browser.close()
    return shots
