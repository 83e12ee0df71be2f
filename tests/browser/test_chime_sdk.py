"""The real amazon-chime-sdk-js path, without the fake meeting: its chunk loads only when a call is
answered, runs under the strict CSP, and a meeting it cannot reach fails in words the agent can act
on, with the caller returned to the queue. (No Chime service is reachable here, so joining fails.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PageLog
from tests.browser.fakes.backend import FakeBackend
from tests.browser.helpers import sign_in, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def real_sdk_page(browser: Browser, page_log: PageLog) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})  # no fake meeting injected
    page = context.new_page()
    page.on("console", page_log.console)
    page.on("pageerror", lambda error: page_log.lines.append(f"pageerror: {error}"))
    yield page
    context.close()
    assert page_log.csp_violations() == [], "the Chime SDK chunk broke the strict CSP"


def test_chime_sdk_loads_on_answer_and_an_unreachable_meeting_is_reported(
    real_sdk_page: Page, fakes: FakeBackend, page_log: PageLog
) -> None:
    page = real_sdk_page
    sign_in(page, fakes)
    loaded = "() => performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('chime-meeting'))"
    assert page.evaluate(loaded) == [], "the SDK must not load with the call list"

    call = fakes.call(fakes.api.add_inbound_call, "+15555550150")
    with page.expect_request(lambda request: "chime-meeting" in request.url):
        page.get_by_role("button", name="Answer call from (555) 555-0150").click()
    banner = page.get_by_role("status").filter(has_text="Call ended")
    expect(banner).to_contain_text("Call audio failed; the call was returned to the queue.", timeout=45_000)
    # The SDK itself ran (no crash, no CSP refusal): it gave up on the unreachable signalling channel.
    expect(page.get_by_role("alert").filter(has_text="Couldn't connect the call audio")).to_contain_text(
        "Timed out connecting the call audio."
    )
    wait_for(lambda: fakes.api.calls[call.call_id].status == "ringing", "the call to go back to the queue")
    assert not [line for line in page_log.lines if line.startswith("pageerror")]
