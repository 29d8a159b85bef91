from __future__ import annotations

import math

import pytest

from naver_sms.clients.deadline import Deadline

from .scripted_server import FakeClock


def test_remaining_counts_down_and_never_goes_negative(clock: FakeClock) -> None:
    deadline = Deadline(2.0, clock)
    assert deadline.remaining() == 2.0
    clock.sleep(0.5)
    assert deadline.remaining() == 1.5
    assert not deadline.expired()
    clock.sleep(5)
    assert deadline.remaining() == 0.0
    assert deadline.expired()


def test_negative_budget_is_already_expired(clock: FakeClock) -> None:
    assert Deadline(-3, clock).expired()


def test_nan_budget_is_rejected() -> None:
    with pytest.raises(ValueError, match="NaN"):
        Deadline(math.nan)


class _Context:
    def __init__(self, millis: int) -> None:
        self.millis = millis

    def get_remaining_time_in_millis(self) -> int:
        return self.millis


def test_from_lambda_context_keeps_a_reserve() -> None:
    deadline = Deadline.from_lambda_context(_Context(5000), reserve_s=1.0)
    assert 3.9 < deadline.remaining() <= 4.0


def test_from_lambda_context_with_less_time_than_the_reserve_is_expired() -> None:
    assert Deadline.from_lambda_context(_Context(500), reserve_s=1.0).expired()


@pytest.mark.parametrize("context", [None, object(), {"remaining": 5}])
def test_without_lambda_context_the_default_budget_applies(context: object) -> None:
    deadline = Deadline.from_lambda_context(context, default_s=7.0)
    assert 6.9 < deadline.remaining() <= 7.0
