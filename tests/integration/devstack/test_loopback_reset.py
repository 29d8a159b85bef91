"""A request from before ``reset()`` never leaks into the next test, on every local server.

The flake this guards against: a handler hung on an injected delay is released by ``reset()``
at the end of one test, but the thread only runs after the next test's ``reset()``; it then
judged the request normally and recorded a 202 (and an SMS) into the next test's log. The
servers here hold such a handler at a gate until the next test has begun, which makes that
late scheduling certain instead of rare.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from naver_sms.devstack import SensServer, TelegramServer
from naver_sms.devstack.faults import Fault
from naver_sms.devstack.loopback import IncomingRequest, LoopbackServer, Reply
from naver_sms.devstack.slack_server import SlackServer
from support.http_calls import sens_headers

pytestmark = pytest.mark.integration

SENS_KEYS = {"access_key": "AKIDRESET", "secret_key": "reset-secret", "service_id": "ncp:sms:1"}
SENS_PATH = f"/sms/v2/services/{SENS_KEYS['service_id']}/messages"
TELEGRAM_TOKEN = "123:reset-token"
SLACK_SECRET = "T1/B2/resetHOOK"
GATE_SECONDS = 10.0


class _Gates:
    """Hold handler threads at a hook until the test opens the gate (late scheduling, on cue)."""

    def __init__(self) -> None:
        self.hook: str | None = None
        self.entered = threading.Event()
        self.gate = threading.Event()

    def arm(self, hook: str) -> None:
        self.hook = hook
        self.entered.clear()
        self.gate.clear()

    def pass_(self, hook: str) -> None:
        if self.hook == hook:
            self.entered.set()
            assert self.gate.wait(GATE_SECONDS), "the test never opened the gate"


class _Gated(LoopbackServer):
    """Mixed in before a real server: the handler passes the gates on its way."""

    gates: _Gates

    def take_fault(self, request: IncomingRequest) -> Fault | None:
        self.gates.pass_("take_fault")
        return super().take_fault(request)

    def dispatch(self, request: IncomingRequest) -> Reply:
        self.gates.pass_("dispatch")
        return super().dispatch(request)


class GatedSens(_Gated, SensServer):
    pass


class GatedTelegram(_Gated, TelegramServer):
    pass


class GatedSlack(_Gated, SlackServer):
    pass


@dataclass
class Target:
    """A server and a request it accepts (and keeps a message for)."""

    server: Any  # a _Gated real server (with .messages)
    gates: _Gates
    request: Callable[[], tuple[str, dict[str, str], bytes]]
    ok: int


def _sens() -> tuple[_Gated, Callable[[], tuple[str, dict[str, str], bytes]], int]:
    server = GatedSens(**SENS_KEYS)
    body = {"type": "SMS", "from": "0212345678", "content": "hi", "messages": [{"to": "0101"}]}

    def request() -> tuple[str, dict[str, str], bytes]:
        keys = {k: SENS_KEYS[k] for k in ("access_key", "secret_key")}
        headers = sens_headers(**keys, path=SENS_PATH)
        headers["Content-Type"] = "application/json; charset=utf-8"
        return SENS_PATH, headers, json.dumps(body).encode()

    return server, request, 202


def _telegram() -> tuple[_Gated, Callable[[], tuple[str, dict[str, str], bytes]], int]:
    server = GatedTelegram(token=TELEGRAM_TOKEN, chat_id="42")
    body = json.dumps({"chat_id": "42", "text": "hi"}).encode()
    headers = {"Content-Type": "application/json"}
    return server, lambda: (f"/bot{TELEGRAM_TOKEN}/sendMessage", headers, body), 200


def _slack() -> tuple[_Gated, Callable[[], tuple[str, dict[str, str], bytes]], int]:
    server = GatedSlack(secret=SLACK_SECRET)
    body = json.dumps({"text": "hi"}).encode()
    headers = {"Content-Type": "application/json"}
    return server, lambda: (f"/services/{SLACK_SECRET}", headers, body), 200


@pytest.fixture(params=[_sens, _telegram, _slack], ids=["sens", "telegram", "slack"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    server, make_request, ok = request.param()
    gates = _Gates()
    gates.gate.set()
    server.gates = gates
    with server:
        yield Target(server, gates, make_request, ok)
        gates.gate.set()  # never leave a handler parked


def _open(target: Target) -> socket.socket:
    """Send one HTTP/1.0 request and leave the connection open for its (maybe late) answer."""
    path, headers, body = target.request()
    head = [f"POST {path} HTTP/1.0", f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    conn = socket.create_connection((target.server.host, target.server.port), timeout=GATE_SECONDS)
    conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    return conn


def _answer(conn: socket.socket) -> bytes:
    """Everything the server wrote before closing the connection."""
    with conn:
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + GATE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the server"
        time.sleep(0.005)


def _assert_serves_normally(target: Target) -> None:
    answer = _answer(_open(target))
    assert _status(answer) == target.ok
    assert [e.status for e in target.server.exchanges] == [target.ok]
    assert len(target.server.messages) == 1


def test_hang_released_by_reset_leaves_nothing_in_the_next_test(target: Target) -> None:
    server = target.server
    server.inject(delay=60.0)
    target.gates.arm("dispatch")
    conn = _open(target)
    _wait_until(lambda: server.faults.pending() == 0)  # its handler took the hang
    server.reset()  # end of the hanging test: wakes the handler ...
    server.reset()  # ... which (held at the gate) only runs after the next test's reset
    target.gates.gate.set()
    answer = _answer(conn)  # returns once its handler is done with it
    assert server.exchanges == []
    assert server.messages == []
    assert answer == b""  # dropped without an answer, promptly (not after the hang)
    _assert_serves_normally(target)


def test_reset_while_a_request_is_judged_drops_it(target: Target) -> None:
    server = target.server
    target.gates.arm("dispatch")
    conn = _open(target)
    assert target.gates.entered.wait(GATE_SECONDS)
    server.reset()
    target.gates.gate.set()
    answer = _answer(conn)
    assert server.exchanges == []
    assert server.messages == []
    assert answer == b""  # no 2xx for a message it no longer keeps
    _assert_serves_normally(target)


def test_stale_request_does_not_take_the_next_tests_fault(target: Target) -> None:
    server = target.server
    target.gates.arm("take_fault")
    conn = _open(target)
    assert target.gates.entered.wait(GATE_SECONDS)
    server.reset()
    server.inject(disconnect=True)  # the next test's fault
    target.gates.gate.set()
    assert _answer(conn) == b""
    assert server.faults.pending() == 1
    assert _answer(_open(target)) == b""  # the next test's request gets its fault
    assert [e.reason for e in server.exchanges] == ["injected disconnect"]
    server.reset()
    _assert_serves_normally(target)
