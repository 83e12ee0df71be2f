"""What helps an agent away from the tab or with a headset: a desktop notification for a ringing call
while the tab is hidden (permission asked once, from a click), and microphone and speaker pickers."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.fakes.backend import FakeBackend
from tests.browser.helpers import sign_in, wait_for

pytestmark = pytest.mark.browser

#: The page's Notification, recorded: permission starts "default"; document.hidden is switchable.
NOTIFICATION_STUB = """
(() => {
  const log = { requests: 0, shown: [] };
  window.__notifications = log;
  let permission = "default";
  class FakeNotification {
    static get permission() { return permission; }
    static async requestPermission() { log.requests += 1; permission = "granted"; return permission; }
    constructor(title, options) { log.shown.push({ title, body: options && options.body }); }
    close() {}
  }
  window.Notification = FakeNotification;
  let hidden = false;
  window.__setHidden = (value) => { hidden = value; };
  Object.defineProperty(Document.prototype, "hidden", { get: () => hidden, configurable: true });
})();
"""


def test_a_ringing_call_notifies_only_while_hidden_after_one_request_from_a_click(
    context: BrowserContext, page: Page, fakes: FakeBackend
) -> None:
    context.add_init_script(NOTIFICATION_STUB)
    sign_in(page, fakes)
    assert page.evaluate("() => window.__notifications.requests") == 0, "never asked on load"
    ask = page.get_by_role("button", name="Notify me of calls")
    ask.click()
    expect(ask).to_be_hidden()
    assert page.evaluate("() => window.__notifications.requests") == 1

    fakes.call(fakes.api.add_inbound_call, "+15555550170")
    expect(page.locator(".queue-waiting .call-row")).to_have_count(1)
    assert page.evaluate("() => window.__notifications.shown") == [], (
        "no notification while the tab is in view"
    )

    page.evaluate("() => window.__setHidden(true)")
    fakes.call(fakes.api.add_inbound_call, "+15555550171")
    shown = wait_for(lambda: page.evaluate("() => window.__notifications.shown"), "a desktop notification")
    assert shown == [{"title": "Call from (555) 555-0171", "body": "Waiting for an agent"}]


def test_microphone_and_speaker_pickers_list_devices_and_reopen_the_mic(
    page: Page, fakes: FakeBackend
) -> None:
    page.add_init_script(
        """
        window.__micRequests = [];
        const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getUserMedia = (constraints) => {
          window.__micRequests.push(JSON.parse(JSON.stringify(constraints)));
          return original(constraints);
        };
        """
    )
    sign_in(page, fakes)
    fakes.call(fakes.api.add_inbound_call, "+15555550172")
    page.get_by_role("button", name="Answer call from (555) 555-0172").click()
    expect(page.get_by_text("Call audio: Connected")).to_be_visible()
    page.get_by_text("Microphone and speaker").click()
    mic = page.get_by_label("Microphone", exact=True)
    wait_for(lambda: mic.locator("option").count() > 1, "the microphones to be listed")
    chosen = mic.locator("option").nth(1).get_attribute("value")
    assert chosen
    before = page.evaluate("() => window.__micRequests.length")
    mic.select_option(chosen)
    wait_for(lambda: page.evaluate("() => window.__micRequests.length") > before, "the mic to be reopened")
    last = page.evaluate("() => window.__micRequests.at(-1)")
    assert last["audio"]["deviceId"] == {"ideal": chosen}
    assert page.evaluate("() => localStorage.getItem('calldesk.mic')") == chosen
    expect(page.locator("#device-note")).to_contain_text("Microphone:")
