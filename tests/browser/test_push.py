"""The call list over the push channel: the real publisher feeds the local Events endpoint, the built
client subscribes over its WebSocket protocol, and polling is only a slow safety net."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.fakes.backend import FakeBackend
from tests.browser.helpers import sign_in, wait_for

pytestmark = pytest.mark.browser


def list_polls(fakes: FakeBackend) -> int:
    return sum(1 for r in fakes.api.requests if r.method == "GET" and r.path.split("?")[0] == "/calls")


def settled_polls(fakes: FakeBackend, quiet: float = 1.0) -> int:
    """The poll count once no poll came for `quiet` seconds (the resync after subscribing has run)."""
    count, since = list_polls(fakes), time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(0.05)
        if (now := list_polls(fakes)) != count:
            count, since = now, time.monotonic()
    return count


def subscribed(fakes: FakeBackend) -> bool:
    return any("/queue/*" in s.subscriptions.values() for s in fakes.events.subscribers)


def test_a_call_written_to_the_calls_table_shows_without_polling(page: Page, fakes: FakeBackend) -> None:
    fakes.enable_push()
    sign_in(page, fakes)
    wait_for(lambda: subscribed(fakes), "the client to subscribe to /queue/*")
    polls = settled_polls(fakes)

    added = time.monotonic()
    fakes.call(fakes.api.add_inbound_call, "+15555550142")
    row = page.locator(".queue-waiting .call-row")
    expect(row).to_contain_text("(555) 555-0142", timeout=5_000)
    # Typically ~10 ms (bench/push.py); generous here, as the test machine is shared. Without push the
    # next poll would be up to 30 s away, and the poll count below proves none ran.
    assert time.monotonic() - added < 3.0
    assert list_polls(fakes) == polls, "the call came by push, not by a poll"
    assert [c for c, _, _ in fakes.events.published if c.startswith("/queue/")] == ["/queue/ringing"]
    assert fakes.push.failed == []

    # A change (answered elsewhere) arrives the same way.
    (call_id,) = list(fakes.api.calls)
    fakes.call(
        fakes.api.answered_elsewhere, call_id, "0b0b7e1c-2d3f-4a5b-8c6d-7e8f9a0b1c2d", "bob@example.com"
    )
    expect(page.locator(".queue-waiting .call-row")).to_have_count(0, timeout=3_000)
    assert list_polls(fakes) == polls
    # The slow safety net: no poll at all in a few seconds of quiet.
    time.sleep(3)
    assert list_polls(fakes) == polls
    assert ("/queue/*", "success") in fakes.events.subscribes


def test_a_dropped_socket_reconnects_and_resyncs_what_it_missed(page: Page, fakes: FakeBackend) -> None:
    fakes.enable_push()
    sign_in(page, fakes)
    wait_for(lambda: subscribed(fakes), "the client to subscribe")
    assert fakes.events.connections == 1

    # The socket drops, and the event of a call that rings meanwhile is lost (nobody was subscribed).
    fakes.run(fakes.events.drop_connections())
    fakes.call(fakes.api.add_inbound_call, "+15555550177")
    expect(page.locator(".queue-waiting .call-row")).to_contain_text("(555) 555-0177", timeout=5_000)
    wait_for(
        lambda: fakes.events.connections == 2 and subscribed(fakes), "the client to reconnect", timeout=10
    )

    # Live again: the next call comes by push, not by a poll.
    polls = settled_polls(fakes, quiet=2.0)  # past the fast beat of the outage, too
    fakes.call(fakes.api.add_inbound_call, "+15555550178")
    expect(page.locator(".queue-waiting .call-row")).to_have_count(2, timeout=3_000)
    assert list_polls(fakes) == polls
