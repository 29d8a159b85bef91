import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from naver_sms.clients.deadline import Deadline
from naver_sms.sources.http import HttpBookingSource


class BookingApi(ThreadingHTTPServer):
    """Answers scripted statuses per store, then the store's bookings."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.script: dict[str, list[int]] = {}
        self.calls: list[str] = []


class Handler(BaseHTTPRequestHandler):
    server: BookingApi

    def do_GET(self) -> None:
        url = urlparse(self.path)
        store = parse_qs(url.query)["store_id"][0]
        self.server.calls.append(store)
        statuses = self.server.script.get(store, [])
        status = statuses.pop(0) if statuses else 200
        body = json.dumps(
            {"bookings": [{"booking_id": f"{store}-1"}]} if status == 200 else {"error": "x"}
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[BookingApi]:
    server = BookingApi()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_fetches_every_store_retrying_server_errors(api: BookingApi) -> None:
    api.script = {"a": [503, 500], "b": [404]}
    source = HttpBookingSource(
        f"http://127.0.0.1:{api.server_address[1]}", sleep=lambda s: None, rng=lambda: 0.5
    )
    result = source.fetch(["a", "b", "c"], Deadline(10))
    assert [b["booking_id"] for b in result.bookings] == ["a-1", "c-1"]
    assert result.failed_stores == ["b"]  # 404 is not retried
    assert api.calls == ["a", "a", "a", "b", "c"]


def test_gives_up_after_the_attempts_and_goes_on(api: BookingApi) -> None:
    api.script = {"a": [500, 500, 500, 500]}
    source = HttpBookingSource(
        f"http://127.0.0.1:{api.server_address[1]}", sleep=lambda s: None, rng=lambda: 0.0
    )
    result = source.fetch(["a", "b"], Deadline(10))
    assert result.failed_stores == ["a"]
    assert api.calls.count("a") == 3
    assert [b["booking_id"] for b in result.bookings] == ["b-1"]
