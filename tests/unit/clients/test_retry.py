from __future__ import annotations

import random

import pytest

from naver_sms.clients.deadline import Deadline
from naver_sms.clients.retry import RetryPolicy, wait_before_retry

from .scripted_server import FakeClock


def test_ceiling_doubles_from_base_up_to_cap() -> None:
    policy = RetryPolicy(max_attempts=10, base_s=0.2, cap_s=2.0)
    assert [policy.ceiling(n) for n in range(1, 7)] == pytest.approx([0.2, 0.4, 0.8, 1.6, 2.0, 2.0])
    assert policy.ceiling(500) == 2.0  # no overflow for absurd attempt numbers


def test_jitter_stays_within_zero_and_the_ceiling() -> None:
    policy = RetryPolicy(max_attempts=10, base_s=0.2, cap_s=2.0)
    rng = random.Random(7)
    for attempt in range(1, 8):
        delays = [policy.delay(attempt, rng.random) for _ in range(300)]
        assert min(delays) >= 0.0
        assert max(delays) <= policy.ceiling(attempt)
        # Full jitter really spreads: the draws cover most of the range.
        assert max(delays) - min(delays) > 0.8 * policy.ceiling(attempt)


def test_out_of_range_rng_values_are_clamped() -> None:
    policy = RetryPolicy(max_attempts=3, base_s=1.0, cap_s=1.0)
    assert policy.delay(1, lambda: 1.7) == 1.0
    assert policy.delay(1, lambda: -0.5) == 0.0


def test_server_requested_wait_wins_over_a_shorter_jitter() -> None:
    policy = RetryPolicy(max_attempts=3, base_s=0.2, cap_s=2.0)
    assert policy.delay(1, lambda: 0.5, retry_after_s=3.0) == 3.0
    assert policy.delay(1, lambda: 0.5, retry_after_s=0.01) == pytest.approx(0.1)


@pytest.mark.parametrize(("attempts", "base", "cap"), [(0, 0.1, 1), (1, -1, 1), (1, 0.1, -1)])
def test_invalid_policies_are_rejected(attempts: int, base: float, cap: float) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(attempts, base, cap)


def test_wait_sleeps_the_jittered_delay(clock: FakeClock) -> None:
    policy = RetryPolicy(max_attempts=3, base_s=1.0, cap_s=4.0)
    waited = wait_before_retry(policy, 2, Deadline(10, clock), rng=lambda: 0.25, sleep=clock.sleep)
    assert waited == pytest.approx(0.5)
    assert clock.sleeps == [pytest.approx(0.5)]


def test_no_retry_once_attempts_are_used_up(clock: FakeClock) -> None:
    policy = RetryPolicy(max_attempts=3, base_s=1.0, cap_s=4.0)
    assert (
        wait_before_retry(policy, 3, Deadline(10, clock), rng=lambda: 0.5, sleep=clock.sleep)
        is None
    )
    assert clock.sleeps == []


def test_never_sleeps_past_the_deadline(clock: FakeClock) -> None:
    policy = RetryPolicy(max_attempts=5, base_s=1.0, cap_s=4.0)
    deadline = Deadline(0.9, clock)
    assert wait_before_retry(policy, 1, deadline, rng=lambda: 0.95, sleep=clock.sleep) is None
    assert clock.sleeps == []
    assert wait_before_retry(policy, 1, deadline, rng=lambda: 0.5, sleep=clock.sleep) == 0.5
    assert deadline.remaining() == pytest.approx(0.4)


def test_a_retry_after_beyond_the_deadline_is_not_waited(clock: FakeClock) -> None:
    policy = RetryPolicy(max_attempts=5, base_s=0.1, cap_s=1.0)
    assert (
        wait_before_retry(
            policy, 1, Deadline(5, clock), rng=lambda: 0.0, sleep=clock.sleep, retry_after_s=30
        )
        is None
    )
    assert clock.sleeps == []
