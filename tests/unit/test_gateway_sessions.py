"""The gateway's per-address failure count on its own clock: the limit, the sliding window, the
wait it answers, one count per address."""

from gateway.sessions import FailureThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_holds_for_the_window_after_the_oldest_counted_failure():
    clock = Clock()
    throttle = FailureThrottle(3, 300, clock=clock)
    for _ in range(2):
        throttle.failed("ip-1")
        clock.now += 100
    assert throttle.retry_after("ip-1") is None  # two: still allowed
    throttle.failed("ip-1")  # failures at 0, 100 and 200 s
    assert throttle.retry_after("ip-1") == 100  # until the first is 300 s old
    assert throttle.retry_after("ip-2") is None  # another address
    clock.now += 99.5
    assert throttle.retry_after("ip-1") == 1
    clock.now += 0.5
    assert throttle.retry_after("ip-1") is None  # the window slides: two left in it
    throttle.failed("ip-1")
    assert throttle.retry_after("ip-1") == 100  # the one at 100 s is now the oldest


def test_once_the_window_has_passed_nothing_is_held_against_the_address():
    clock = Clock()
    throttle = FailureThrottle(2, 60, clock=clock)
    for _ in range(5):
        throttle.failed("ip-1")
    assert throttle.retry_after("ip-1") == 60
    clock.now += 60
    assert throttle.retry_after("ip-1") is None
    throttle.failed("ip-1")
    assert throttle.retry_after("ip-1") is None  # one new failure, not the five old ones
