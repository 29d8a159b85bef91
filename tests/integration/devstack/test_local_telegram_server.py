"""The local Telegram Bot API checks token, chat, length and HTML like the real sendMessage."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from naver_sms.devstack import TelegramServer
from support.http_calls import Response, call, post_json

pytestmark = pytest.mark.integration

TOKEN = "1234567890:AAH-local_test_token"
CHAT_ID = "-1001234567890"


@pytest.fixture(scope="module")
def server() -> Iterator[TelegramServer]:
    with TelegramServer(token=TOKEN, chat_id=CHAT_ID, clock=lambda: 1_700_000_000.5) as tg:
        yield tg


@pytest.fixture(autouse=True)
def _fresh(server: TelegramServer) -> None:
    server.reset()


def send(server: TelegramServer, token: str = TOKEN, **params: Any) -> Response:
    return post_json(f"{server.base_url}/bot{token}/sendMessage", params)


def test_send_message_success_shape(server: TelegramServer) -> None:
    reply = send(server, chat_id=CHAT_ID, text="<b>예약</b> 3건 &amp; 취소 1건", parse_mode="HTML")
    assert reply.status == 200
    assert reply.body["ok"] is True
    result = reply.body["result"]
    assert result["message_id"] == 1
    assert result["chat"]["id"] == int(CHAT_ID)
    assert result["date"] == 1_700_000_000
    assert result["text"] == "예약 3건 & 취소 1건"
    [message] = server.messages
    assert message.text == "<b>예약</b> 3건 &amp; 취소 1건"
    assert message.plain_text == result["text"]
    assert message.parse_mode == "HTML"
    assert send(server, chat_id=int(CHAT_ID), text="again").body["result"]["message_id"] == 2


def test_token_is_redacted_from_the_record(server: TelegramServer) -> None:
    send(server, chat_id=CHAT_ID, text="hi")
    send(server, token="999:wrong", chat_id=CHAT_ID, text="hi")
    paths = [e.path for e in server.exchanges]
    assert paths == ["/bot[REDACTED]/sendMessage"] * 2
    assert all(TOKEN not in str(e) and "999:wrong" not in str(e) for e in server.exchanges)


def test_form_and_query_parameters_are_accepted(server: TelegramServer) -> None:
    form = urllib.parse.urlencode({"chat_id": CHAT_ID, "text": "폼 본문"}).encode()
    by_form = call(
        f"{server.base_url}/bot{TOKEN}/sendMessage",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    query = urllib.parse.urlencode({"chat_id": CHAT_ID, "text": "query"})
    by_query = call(f"{server.base_url}/bot{TOKEN}/sendMessage?{query}", method="GET")
    assert (by_form.status, by_query.status) == (200, 200)
    assert [m.text for m in server.messages] == ["폼 본문", "query"]


def test_unknown_token_is_401(server: TelegramServer) -> None:
    reply = send(server, token="1234567890:AAH-other", chat_id=CHAT_ID, text="hi")
    assert reply.status == 401
    assert reply.body == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert server.messages == []


def test_unknown_method_is_404(server: TelegramServer) -> None:
    reply = post_json(f"{server.base_url}/bot{TOKEN}/sendPhoto", {"chat_id": CHAT_ID})
    assert reply.status == 404
    assert reply.body["ok"] is False


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"text": "hi"}, "Bad Request: chat_id is empty"),
        ({"chat_id": "", "text": "hi"}, "Bad Request: chat_id is empty"),
        ({"chat_id": "-100999", "text": "hi"}, "Bad Request: chat not found"),
        ({"chat_id": CHAT_ID}, "Bad Request: message text is empty"),
        ({"chat_id": CHAT_ID, "text": ""}, "Bad Request: message text is empty"),
        (
            {"chat_id": CHAT_ID, "text": "<b> </b>", "parse_mode": "HTML"},
            "Bad Request: message text is empty",
        ),
        ({"chat_id": CHAT_ID, "text": "x" * 4097}, "Bad Request: message is too long"),
        (
            {"chat_id": CHAT_ID, "text": "&amp;" * 4097, "parse_mode": "HTML"},
            "Bad Request: message is too long",
        ),
        (
            {"chat_id": CHAT_ID, "text": "*x*", "parse_mode": "MarkdownV2"},
            "Bad Request: unsupported parse_mode",
        ),
    ],
)
def test_bad_requests_are_400(
    server: TelegramServer, params: dict[str, Any], description: str
) -> None:
    reply = send(server, **params)
    assert reply.status == 400
    assert reply.body["ok"] is False
    assert reply.body["error_code"] == 400
    assert reply.body["description"].startswith(description)
    assert server.messages == []
    assert server.rejected[-1].body == params


@pytest.mark.parametrize(
    ("text", "parse_mode"),
    [
        ("x" * 4096, None),
        ("한" * 4096, None),
        ("<b>" + "x" * 4096 + "</b>", "HTML"),  # the limit applies after entity parsing
        ("&lt;" * 4096, "HTML"),
    ],
)
def test_4096_characters_after_parsing_is_the_limit(
    server: TelegramServer, text: str, parse_mode: str | None
) -> None:
    params: dict[str, Any] = {"chat_id": CHAT_ID, "text": text}
    if parse_mode:
        params["parse_mode"] = parse_mode
    reply = send(server, **params)
    assert reply.status == 200
    assert len(server.messages[0].plain_text) == 4096


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("a < b", "Unescaped '<'"),
        ("a > b", "Unescaped '>'"),
        ("AT&T", "Unescaped '&'"),
        ("&nbsp;", "Unescaped '&'"),
        ("line<br>break", 'Unsupported start tag "br"'),
        ("<b>bold</i>", 'expected "</b>", found "</i>"'),
        ("<b>never closed", 'start tag "b"'),
        ("closed</b>", 'Unexpected end tag "b"'),
        ("<span>x</span>", 'must have class "tg-spoiler"'),
        ("<b>x</b> 가 <i", "Unescaped '<'"),
    ],
)
def test_malformed_html_cannot_parse_entities(
    server: TelegramServer, text: str, detail: str
) -> None:
    reply = send(server, chat_id=CHAT_ID, text=text, parse_mode="HTML")
    assert reply.status == 400
    assert reply.body["description"].startswith("Bad Request: can't parse entities: ")
    assert detail in reply.body["description"]


def test_error_offsets_are_utf8_bytes(server: TelegramServer) -> None:
    reply = send(server, chat_id=CHAT_ID, text="예약 < 3", parse_mode="HTML")
    assert "byte offset 7" in reply.body["description"]  # 예약 = 6 bytes, then a space


def test_well_formed_html_is_accepted(server: TelegramServer) -> None:
    text = (
        '<b>굵게</b> <strong>s</strong> <i>i</i> <u>u</u> <s>s</s> <a href="https://x.test/?a=1&amp;b=2">'
        'link</a> <code>c</code> <pre><code class="language-python">p</code></pre> '
        '<span class="tg-spoiler">sp</span> <tg-spoiler>t</tg-spoiler> <blockquote>q</blockquote> '
        "&lt;tag&gt; &quot;q&quot; &#44032;&#xAC00;"
    )
    reply = send(server, chat_id=CHAT_ID, text=text, parse_mode="HTML")
    assert reply.status == 200, reply.body
    assert reply.body["result"]["text"] == ('굵게 s i u s link c p sp t q <tag> "q" 가가')


def test_plain_text_is_not_parsed(server: TelegramServer) -> None:
    reply = send(server, chat_id=CHAT_ID, text="a < b & c")
    assert reply.status == 200
    assert reply.body["result"]["text"] == "a < b & c"


def test_injected_429_carries_retry_after(server: TelegramServer) -> None:
    server.inject(429, retry_after=7)
    throttled = send(server, chat_id=CHAT_ID, text="hi")
    assert throttled.status == 429
    assert throttled.body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert send(server, chat_id=CHAT_ID, text="hi").status == 200
    assert [e.injected for e in server.exchanges] == [True, False]
    assert len(server.messages) == 1


@pytest.mark.parametrize(
    ("status", "description"), [(500, "Internal Server Error"), (502, "Bad Gateway")]
)
def test_injected_server_errors(server: TelegramServer, status: int, description: str) -> None:
    server.inject(status, times=2)
    replies = [send(server, chat_id=CHAT_ID, text="hi") for _ in range(3)]
    assert [r.status for r in replies] == [status, status, 200]
    assert replies[0].body == {"ok": False, "error_code": status, "description": description}


def test_injected_custom_body(server: TelegramServer) -> None:
    server.inject(403, body={"ok": False, "error_code": 403, "description": "Forbidden: kicked"})
    reply = send(server, chat_id=CHAT_ID, text="hi")
    assert (reply.status, reply.body["description"]) == (403, "Forbidden: kicked")
