"""Properties of the local Telegram HTML check that clients rely on."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from naver_sms.devstack import TelegramHtmlError, parse_html


@given(st.text())
def test_escaped_text_always_parses_back_to_itself(text: str) -> None:
    # What a client does (escape <, >, &) is always accepted and shows the original text.
    assert parse_html(html.escape(text, quote=False)).plain_text == text


@given(st.text(alphabet=st.sampled_from(list("<>&/;#abiu x=\"'가"))))
def test_any_input_is_either_parsed_or_refused_with_a_reason(text: str) -> None:
    try:
        parsed = parse_html(text)
    except TelegramHtmlError as exc:
        reason = str(exc)
    else:
        assert len(parsed.plain_text) <= len(text)
        return
    assert "byte offset" in reason


@given(st.text(), st.sampled_from(["< ", ">", "& ", "&amp "]), st.text())
def test_unescaped_markup_characters_in_plain_text_are_refused(
    before: str, bare: str, after: str
) -> None:
    # A lone '<', '>' or '&' anywhere (here: never part of a tag or entity) must be escaped.
    escaped = html.escape(before, quote=False) + bare + html.escape(after, quote=False)
    with pytest.raises(TelegramHtmlError):
        parse_html(escaped)
