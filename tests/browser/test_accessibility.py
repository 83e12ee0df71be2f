"""WCAG 2.2 AA as an agent meets it: axe-core on every screen and state, the keyboard path with no mouse,
reflow at 320 px, Hang up on screen on a tablet, focus after every action, and a mode control that says
what the legs really do (no AI session, mic off, call over)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from calls.record import CallRecord
from tests.browser.environment import FRONTEND
from tests.browser.fakes.backend import FakeBackend
from tests.browser.helpers import mode_radio, screenshot, sign_in, wait_for

pytestmark = pytest.mark.browser

#: Pinned in frontend/package.json (devDependencies), loaded from node_modules into the page.
AXE = FRONTEND / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def audit(page: Page, state: str) -> None:
    """axe-core over the whole page: no serious or critical violation, each named with its nodes."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Runtime.evaluate, not a <script>: the page's strict CSP stays as deployed.
        page.evaluate(AXE.read_text() + "\n;0")
    page.wait_for_timeout(250)  # let a re-render from the last step land (and transitions end)
    results: dict[str, Any] = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    report = [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
            "why": v["help"],
        }
        for v in bad
    ]
    assert not bad, f"axe found serious/critical violations in state '{state}':\n" + json.dumps(
        report, indent=1
    )


def answer(page: Page, fakes: FakeBackend, number: str = "+15555550160") -> CallRecord:
    call = fakes.call(fakes.api.add_inbound_call, number)
    page.get_by_role("button", name="Answer call from (555) 555-0160").click()
    expect(page.get_by_text("Call audio: Connected")).to_be_visible()
    return call


def seed(fakes: FakeBackend) -> None:
    fakes.call(
        fakes.api.add_past_call,
        "+442071838750",
        direction="outbound",
        end_reason="agent_hung_up",
        answered_by=None,
        minutes_ago=2 * 24 * 60 + 30,
        talk_seconds=125,
    )
    fakes.call(
        fakes.api.add_past_call,
        "+15555550188",
        direction="inbound",
        end_reason="caller_hung_up",
        answered_by=None,
        minutes_ago=12,
        talk_seconds=0,
    )


def test_every_screen_and_state_passes_axe(page: Page, fakes: FakeBackend) -> None:
    page.goto(fakes.urls["web"] + "/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    audit(page, "sign-in")

    sign_in(page, fakes)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit(page, "call list, empty")

    seed(fakes)
    fakes.call(fakes.api.add_inbound_call, "+15555550161")
    expect(page.locator(".queue-waiting .call-row")).to_have_count(1)
    audit(page, "call list with calls, one ringing")

    page.get_by_label("Phone number").fill("+1 555 555 0123")
    page.get_by_role("button", name="Call", exact=True).click()
    expect(page.locator("#dial-error")).to_be_visible()
    audit(page, "dial error")

    page.get_by_role("button", name="Answer call from (555) 555-0161").click()
    expect(page.get_by_text("AI: Connected")).to_be_visible()
    audit(page, "in call with AI")

    mode_radio(page, "I talk").check()
    expect(page.locator("#mix-status")).to_contain_text("The caller hears you.")
    audit(page, "taken over")

    page.get_by_role("button", name="Hang up").click()
    expect(page.get_by_role("status").filter(has_text="Call ended")).to_be_visible()
    audit(page, "call ended")


def test_a_busy_answer_button_is_named_by_what_it_shows(page: Page, fakes: FakeBackend) -> None:
    held: list[Route] = []

    def hold_answer(route: Route) -> None:
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route("**/calls/*/answer", hold_answer)
    sign_in(page, fakes)
    fakes.call(fakes.api.add_inbound_call, "+15555550164")
    page.get_by_role("button", name="Answer call from (555) 555-0164").click()
    # The accessible name starts with the visible text, so "click Answering" in voice control works.
    busy = page.get_by_role("button", name="Answering… call from (555) 555-0164")
    expect(busy).to_be_disabled()
    audit(page, "answering")
    wait_for(lambda: held, "the answer request")
    held[0].continue_()
    expect(page.get_by_text("Call audio: Connected")).to_be_visible()


def test_focus_ring_is_solid_3px_and_survives_forced_colors(page: Page, fakes: FakeBackend) -> None:
    sign_in(page, fakes)
    dial = page.get_by_label("Phone number")
    page.keyboard.press("Tab")
    tab_to(page, dial)
    style = (
        "(el) => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
    )
    # #2d3aa6 is 9.3:1 against the white and near-white surfaces it is drawn on.
    assert dial.evaluate(style) == ["solid", "3px", "rgb(45, 58, 166)"]
    page.emulate_media(forced_colors="active")
    outline_style, outline_width, _ = dial.evaluate(style)
    assert (outline_style, outline_width) == ("solid", "3px"), "forced colours must keep the focus outline"
    audit(page, "forced colours")


def test_ai_refused_and_errors_pass_axe(page: Page, fakes: FakeBackend) -> None:
    fakes.azure.fail_next = [(401, {"error": {"message": "Invalid key"}})] * 6
    sign_in(page, fakes)
    answer(page, fakes)
    expect(page.get_by_role("alert").filter(has_text="Azure OpenAI refused")).to_be_visible()
    audit(page, "AI refused")

    fakes.cognito.refresh_refused = True
    fakes.call(fakes.tokens.revoke_all)
    expect(page.get_by_role("alert").filter(has_text="Your session expired")).to_be_visible()
    audit(page, "signed out by the server, mid-call")


def test_broken_config_screen_passes_axe(page: Page, fakes: FakeBackend) -> None:
    fakes.site.config = {**fakes.default_config(), "apiUrl": "http://api.example.com"}
    page.goto(fakes.urls["web"] + "/")
    expect(page.get_by_role("alert")).to_contain_text("not configured correctly")
    audit(page, "configuration error")


def test_keyboard_only_sign_in_answer_take_over_hang_up(page: Page, fakes: FakeBackend) -> None:
    page.goto(fakes.urls["web"] + "/")
    sign_in_button = page.get_by_role("button", name="Sign in")
    expect(sign_in_button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".connection")).to_have_text("Live")
    fakes.call(fakes.api.add_inbound_call, "+15555550162")
    answer_button = page.get_by_role("button", name="Answer call from (555) 555-0162")
    expect(answer_button).to_be_visible()
    # The shortcuts are shown, and carried by the controls for assistive technology.
    expect(answer_button).to_have_attribute("aria-keyshortcuts", "Alt+Shift+A")
    tab_to(page, answer_button)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="(555) 555-0162")).to_be_focused()
    expect(page.get_by_text("AI: Connected")).to_be_visible()

    # Take over with the shortcut; then with arrows in the mode group, back and forth.
    page.keyboard.press("Alt+Shift+T")
    expect(mode_radio(page, "I talk")).to_be_checked()
    expect(page.locator("#mix-status")).to_contain_text("The caller hears you.")
    tab_to(page, mode_radio(page, "I talk"))
    page.keyboard.press("ArrowLeft")
    expect(mode_radio(page, "AI talks")).to_be_checked()
    page.keyboard.press("ArrowRight")
    expect(mode_radio(page, "I talk")).to_be_checked()
    # The change is announced politely, in words.
    expect(page.locator(".call-panel [role=status].visually-hidden")).to_contain_text("The caller hears you.")

    hang_up = page.get_by_role("button", name="Hang up")
    tab_to(page, hang_up, backwards=True)
    page.keyboard.press("Enter")
    back = page.get_by_role("button", name="Back to calls")
    expect(back).to_be_focused()  # not the page body
    page.keyboard.press("Enter")
    # The queue is empty: focus goes to its Waiting heading, not the dialer, where the shortcuts are off
    # (Alt+Shift+A would type a character there on a Mac).
    expect(page.locator("#calls-waiting")).to_be_focused()
    fakes.call(fakes.api.add_inbound_call, "+15555550164")
    expect(page.get_by_role("button", name="Answer call from (555) 555-0164")).to_be_visible()
    page.keyboard.press("Alt+Shift+A")
    expect(page.get_by_role("heading", name="(555) 555-0164")).to_be_focused()


def test_shortcut_answers_and_hangs_up(page: Page, fakes: FakeBackend) -> None:
    sign_in(page, fakes)
    fakes.call(fakes.api.add_inbound_call, "+15555550163")
    expect(page.get_by_role("button", name="Answer call from (555) 555-0163")).to_be_visible()
    page.keyboard.press("Alt+Shift+A")
    expect(page.get_by_text("Call audio: Connected")).to_be_visible()
    page.keyboard.press("Alt+Shift+M")
    expect(mode_radio(page, "Listen only")).to_be_checked()
    expect(page.locator("#mix-status")).to_contain_text("The caller hears silence.")
    # Not while typing: on a Mac, Option+Shift+H types a character in a text field.
    page.get_by_label("Transfer to").focus()
    page.keyboard.press("Alt+Shift+H")
    page.wait_for_timeout(300)
    expect(page.get_by_role("button", name="Hang up")).to_be_visible()
    page.get_by_role("heading", name="(555) 555-0163").focus()
    page.keyboard.press("Alt+Shift+H")
    expect(page.get_by_role("status").filter(has_text="Call ended")).to_contain_text("You hung up.")
    page.get_by_text("Keyboard shortcuts").click()
    expect(page.locator(".shortcuts")).to_contain_text("Alt+Shift+H")


def tab_to(page: Page, target: Any, backwards: bool = False, limit: int = 40) -> None:
    """Press Tab (or Shift+Tab) until `target` has focus: the keyboard path, no mouse."""
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"


def test_reflow_at_320_px_and_hang_up_on_screen_on_a_tablet(
    page: Page, fakes: FakeBackend, screenshots: Path
) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(fakes.urls["web"] + "/")
    no_horizontal_scroll(page)
    sign_in(page, fakes)
    seed(fakes)
    fakes.call(fakes.api.add_inbound_call, "+15555550160")
    expect(page.locator(".queue-waiting .call-row")).to_have_count(1)
    no_horizontal_scroll(page)
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport()
    audit(page, "call list at 320 px")

    page.get_by_role("button", name="Answer call from (555) 555-0160").click()
    expect(page.get_by_text("AI: Connected")).to_be_visible()
    no_horizontal_scroll(page)
    audit(page, "in call at 320 px")

    page.set_viewport_size({"width": 768, "height": 1024})
    page.evaluate("() => window.scrollTo(0, 0)")
    hang_up = page.get_by_role("button", name="Hang up")
    box = wait_for(hang_up.bounding_box, "the Hang up button")
    assert box["y"] + box["height"] <= 1024, f"Hang up is below the fold on a tablet (y={box['y']:.0f})"
    screenshot(page, screenshots / "in-call-tablet.png")


def test_the_mode_control_says_what_the_legs_do_not_what_was_asked(page: Page, fakes: FakeBackend) -> None:
    fakes.azure.fail_next = [(401, {"error": {"message": "Invalid key"}})] * 6
    sign_in(page, fakes)
    call = answer(page, fakes)
    expect(page.get_by_text("AI: Unavailable")).to_be_visible()
    status = page.locator("#mix-status")
    # "AI talks" is what was asked; with no AI session the caller hears silence, and the panel says so.
    expect(mode_radio(page, "AI talks")).to_be_checked()
    expect(status).to_contain_text("The caller hears silence. No AI session (it failed).")
    expect(status).to_contain_text("No AI session: nothing is sent to an AI.")
    expect(status).not_to_contain_text("hears the AI")

    # The mic is off: the You meter stays still although the fake mic plays a loud tone.
    page.wait_for_timeout(600)
    assert page.locator("#meter-mic").evaluate("(m) => m.value") == 0
    mode_radio(page, "Both talk").check()
    expect(status).to_contain_text("The caller hears you. No AI session")
    wait_for(lambda: page.locator("#meter-mic").evaluate("(m) => m.value") > 0.05, "the You meter to move")

    # Over: the panel says so, with no Retry AI and no mode to pick.
    fakes.run(fakes.api.caller_hangs_up(call.call_id))
    expect(page.get_by_role("status").filter(has_text="Call ended")).to_be_visible()
    expect(status).to_contain_text("The call is over.")
    expect(page.get_by_role("button", name="Retry AI")).to_have_count(0)
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.locator(".call-panel")).not_to_contain_text("take over", use_inner_text=True)
    expect(page.locator(".call-panel")).not_to_contain_text("hears you", use_inner_text=True)


def test_the_panel_says_whether_the_ai_hears_the_agent(page: Page, fakes: FakeBackend) -> None:
    sign_in(page, fakes)
    answer(page, fakes)
    expect(page.get_by_text("AI: Connected")).to_be_visible()
    status = page.locator("#mix-status")
    expect(status).to_contain_text("The caller hears the AI.")
    expect(status).to_contain_text("The AI hears the caller, not you.")
    mode_radio(page, "Both talk").check()
    expect(status).to_contain_text("The caller hears the AI and you.")
    expect(status).to_contain_text("The AI hears the caller and you.")
    mode_radio(page, "I talk").check()
    expect(status).to_contain_text("The AI hears the caller, not you. It answers in text, as suggestions.")
