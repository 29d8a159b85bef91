"""Telegram destination: the shared :class:`TelegramClient` (token checks, redaction, retries),
fed HTML the alert formatter already escaped instead of plain text it would escape again."""

from __future__ import annotations

from naver_sms.clients.deadline import Deadline
from naver_sms.clients.telegram import (
    TelegramClient,
    TelegramError,
    TelegramResult,
    _Progress,
    split_message,
)


class HtmlTelegramClient(TelegramClient):
    """`send_html`: markup kept as is; split on line breaks (the formatter closes every tag on
    the line that opens it, so no split falls inside an element)."""

    def send_html(self, html: str, *, deadline: Deadline) -> TelegramResult:
        if not html.strip():
            raise ValueError("Telegram message text is empty")
        progress = _Progress()
        for chunk in split_message(html):
            try:
                progress.message_ids.append(self._send_chunk(chunk, deadline, progress))
            except TelegramError as exc:
                exc.message_ids = list(progress.message_ids)
                exc.attempts = progress.attempts
                raise
        return TelegramResult(progress.message_ids, progress.attempts)
