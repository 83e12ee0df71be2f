"""The call service goes down and comes back: the alarm clears on the first answer after the outage
(a 304 too, not only a changed list), and an Answer pressed during the outage does not stay busy."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.fakes.backend import FakeBackend
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

UNAVAILABLE = "Call service unavailable, retrying…"
#: The poller's longest backoff after errors (frontend/src/calls/poller.ts), plus room for a shared machine.
MAX_BACKOFF_S = 10.0


def test_an_outage_then_304s_clears_the_alarm_and_no_button_stays_busy(
    page: Page, fakes: FakeBackend
) -> None:
    sign_in(page, fakes)
    fakes.call(fakes.api.add_inbound_call, "+15555550142")
    answer = page.locator(".queue-waiting button.answer")
    expect(answer).to_have_text(re.compile(r"^Answer call from"))

    # Given the call service answers 503 to everything.
    fakes.call(setattr, fakes.api, "unavailable", True)
    outage_from = len(fakes.api.list_statuses)
    connection = page.locator(".connection")
    expect(connection).to_contain_text(UNAVAILABLE, timeout=5_000)
    expect(connection).to_contain_text("Last update")  # when the list was last known good

    # When the agent presses Answer during the outage, the button leaves "Answering…" with its request.
    answer.click()
    expect(page.locator(".queue-alert")).to_contain_text("Couldn't answer (555) 555-0142")
    expect(answer).to_have_text(re.compile(r"^Answer call from"), timeout=3_000)
    expect(answer).to_be_enabled()

    # When the service recovers, the list has not changed: the polls answer 304 (the ETag still matches).
    fakes.call(setattr, fakes.api, "unavailable", False)
    recovered_from = len(fakes.api.list_statuses)
    recovered_at = time.monotonic()
    # Then the first of those 304s clears the alarm (no changed list comes to do it).
    expect(connection).to_have_text("Live", timeout=(MAX_BACKOFF_S + 5) * 1_000)
    assert time.monotonic() - recovered_at < MAX_BACKOFF_S + 5
    during = fakes.api.list_statuses[outage_from:recovered_from]
    after = fakes.api.list_statuses[recovered_from:]
    assert during and set(during) == {503}, during
    assert after and set(after) == {304}, f"the alarm cleared without a changed list: {after}"
    assert connection.get_attribute("data-state") == "live"
    expect(answer).to_have_text(re.compile(r"^Answer call from"))
    expect(answer).to_be_enabled()
