from __future__ import annotations

import pytest

from naver_sms.clients import http

from .scripted_server import Reply, ScriptedServer, closed_port_url


def test_posts_utf8_json_with_headers(server: ScriptedServer) -> None:
    server.answer(Reply(202, {"ok": True}))
    response = http.post_json(
        server.url + "/x", {"text": "예약 확정"}, headers={"x-test": "1"}, timeout_s=2
    )
    assert response.status == 202
    assert response.json() == {"ok": True}
    received = server.received[0]
    assert received.path == "/x"
    assert received.json() == {"text": "예약 확정"}
    assert "예약".encode() in received.raw  # not \\u-escaped
    assert received.headers["x-test"] == "1"
    assert received.headers["content-type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize("status", [400, 401, 429, 500, 503])
def test_error_statuses_are_responses_not_exceptions(server: ScriptedServer, status: int) -> None:
    server.answer(Reply(status, {"error": "nope"}))
    response = http.post_json(server.url, {}, headers={}, timeout_s=2)
    assert response.status == status
    assert response.json() == {"error": "nope"}


def test_non_json_body_reads_as_none(server: ScriptedServer) -> None:
    server.answer(Reply(502, b"<html>bad gateway</html>"))
    response = http.post_json(server.url, {}, headers={}, timeout_s=2)
    assert (response.status, response.json()) == (502, None)


def test_redirects_are_not_followed(server: ScriptedServer) -> None:
    server.answer(Reply(302, None, {"Location": server.url + "/elsewhere"}))
    response = http.post_json(server.url, {"a": 1}, headers={}, timeout_s=2)
    assert response.status == 302
    assert len(server.received) == 1


def test_connection_refused_is_a_network_error_before_sending() -> None:
    with pytest.raises(http.HttpNetworkError) as info:
        http.post_json(closed_port_url(), {}, headers={}, timeout_s=2)
    assert info.value.request_sent is False
    assert "refused" in str(info.value).lower()


def test_timeout_waiting_for_the_answer_means_the_request_may_have_arrived(
    server: ScriptedServer,
) -> None:
    server.answer(Reply(202, {"ok": True}, delay_s=1.0))
    with pytest.raises(http.HttpNetworkError) as info:
        http.post_json(server.url, {}, headers={}, timeout_s=0.2)
    assert info.value.request_sent is True
    assert len(server.received) == 1


def test_only_http_urls() -> None:
    with pytest.raises(ValueError, match="scheme 'file'"):
        http.post_json("file:///etc/passwd", {}, headers={}, timeout_s=1)


def test_redacted_url_hides_its_credential_in_repr() -> None:
    url = http.RedactedUrl(
        "https://api.example/bot123:SECRET/sendMessage",
        "https://api.example/botREDACTED/sendMessage",
    )
    assert str(url).endswith("123:SECRET/sendMessage")
    assert "SECRET" not in repr(url)
    assert "SECRET" not in repr({"url": url})
