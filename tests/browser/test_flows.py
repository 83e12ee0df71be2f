"""What an agent does and sees: sign in, the queue, answering (and losing the race), outbound calls,
the end of a call, and the errors they can act on."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.environment import CHROMIUM, CHROMIUM_ARGS, FAKE_MEETING_JS
from tests.browser.fakes.backend import AGENT, CLIENT_ID, FakeBackend
from tests.browser.fakes.meeting_api import BOB_SUB
from tests.browser.helpers import AI_HZ, CALLER_HZ, mode_radio, screenshot, sign_in, wait_for, wait_tone

pytestmark = pytest.mark.browser


SUBS = {"ana@example.com": AGENT.sub, "bob@example.com": BOB_SUB}
HISTORY = [
    # number, direction, end reason, answered by (e-mail; the record holds the sub too), minutes ago, talk seconds
    ("+15555550188", "inbound", "caller_hung_up", "ana@example.com", 42, 312),
    ("+442071838750", "outbound", "agent_hung_up", "ana@example.com", 35, 95),
    ("+15555550131", "inbound", "transferred", "bob@example.com", 18, 201),
    ("+15555550107", "inbound", "caller_hung_up", None, 7, 0),
    ("+15555550166", "inbound", "caller_hung_up", "bob@example.com", 2 * 24 * 60 + 15, 125),
]


def seed_history(fakes: FakeBackend) -> None:
    for number, direction, reason, by, minutes_ago, talk in HISTORY:
        fakes.call(
            fakes.api.add_past_call,
            number,
            direction=direction,
            end_reason=reason,
            answered_by=(SUBS[by], by) if by else None,
            minutes_ago=minutes_ago,
            talk_seconds=talk,
        )


def test_sign_in_uses_managed_login_with_pkce(page: Page, fakes: FakeBackend, screenshots: Path) -> None:
    page.goto(fakes.urls["web"] + "/")
    expect(page.get_by_role("heading", name="Your AI-assisted phone line")).to_be_visible()
    screenshot(page, screenshots / "sign-in.png")

    sign_in(page, fakes)
    authorize = next(r for r in fakes.cognito.requests if r.path.startswith("/oauth2/authorize"))
    query = parse_qs(urlsplit(authorize.path).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["openid email profile"]
    exchange = json.loads(next(r for r in fakes.cognito.requests if r.path == "/oauth2/token").body)
    assert exchange["grant_type"] == "authorization_code" and exchange["code_verifier"]
    # The code is gone from the address bar and the API sees a bearer token.
    assert page.url == fakes.urls["web"] + "/"
    # The API gets the ID token (the one that carries the agent's e-mail), never the access token.
    bearer = [r.headers["Authorization"].removeprefix("Bearer ") for r in fakes.api.requests]
    assert bearer
    assert {(fakes.tokens.claims_for(token) or {}).get("token_use") for token in bearer} == {"id"}
    claims = fakes.tokens.claims_for(bearer[0]) or {}
    assert {name: claims.get(name) for name in ("sub", "email", "email_verified", "aud")} == {
        "sub": AGENT.sub,
        "email": AGENT.email,
        "email_verified": "true",  # API Gateway passes every claim as a string
        "aud": CLIENT_ID,
    }
    # Polling runs on a worker's timer, which a hidden tab does not throttle to once a minute.
    assert any("tick-worker" in worker.url for worker in page.workers)


def test_a_new_call_appears_within_two_seconds_with_sound_badge_and_announcement(
    page: Page, fakes: FakeBackend, screenshots: Path
) -> None:
    seed_history(fakes)
    sign_in(page, fakes)
    expect(page).to_have_title("Calldesk")
    page.get_by_role("heading", name="Place a call").click()  # a gesture: the browser allows the chime

    added = time.monotonic()
    fakes.call(fakes.api.add_inbound_call, "+15555550142")
    row = page.locator(".queue-waiting .call-row")
    expect(row).to_contain_text("(555) 555-0142", timeout=5_000)
    assert time.monotonic() - added < 2.0, "a new call must show within 2 s"
    expect(page).to_have_title("(1) Call waiting · Calldesk")
    expect(page.locator("[aria-live=assertive]")).to_have_text("New call from (555) 555-0142")
    expect(page.get_by_role("button", name="Turn on call sound")).to_be_hidden()

    fakes.call(fakes.api.add_inbound_call, "+15555550199")
    expect(page).to_have_title("(2) Calls waiting · Calldesk")
    # The longest wait is first and its timer ticks.
    expect(row.first).to_contain_text("(555) 555-0142")
    expect(row.first.locator("time")).not_to_have_text("0:00", timeout=5_000)
    recent = page.locator(".queue-recent .call-row")
    expect(recent).to_have_count(5)
    expect(page.locator(".queue-recent")).to_contain_text("Transferred")
    # Non-US numbers international, the line's own national; durations with units; older calls dated.
    expect(page.locator(".queue-recent")).to_contain_text("+44 20 7183 8750")
    expect(recent.first).to_contain_text("(555) 555-0107")
    expect(recent.last).to_contain_text("(555) 555-0166")
    expect(recent.last).to_contain_text("2 min 5 s")
    expect(recent.last.locator("time")).to_contain_text(", ")  # "30 Nov, 14:05", not a bare clock time
    page.mouse.move(0, 0)
    screenshot(page, screenshots / "call-list.png")


@pytest.mark.parametrize(
    ("race", "message"),
    [
        ("taken", "Another agent answered (555) 555-0143 first."),
        ("gone", "(555) 555-0143 hung up before you answered."),
    ],
)
def test_losing_the_answer_race_is_explained(page: Page, fakes: FakeBackend, race: str, message: str) -> None:
    sign_in(page, fakes)
    fakes.call(fakes.api.add_inbound_call, "+15555550143")
    fakes.api.lose_next_answer = race
    page.get_by_role("button", name="Answer call from (555) 555-0143").click()
    expect(page.get_by_role("alert").filter(has_text=message)).to_be_visible()
    expect(page.get_by_role("heading", name="Place a call")).to_be_visible()
    assert fakes.secrets.minted == 0, "no AI session for a call we did not get"
    assert page.evaluate("() => window.__fakeMeetingLog.length") == 0


def test_caller_hanging_up_ends_the_call_view(page: Page, fakes: FakeBackend) -> None:
    sign_in(page, fakes)
    call = fakes.call(fakes.api.add_inbound_call, "+15555550144")
    page.get_by_role("button", name="Answer call from (555) 555-0144").click()
    expect(page.get_by_text("AI: Connected")).to_be_visible()
    azure = fakes.azure.latest

    fakes.run(fakes.api.caller_hangs_up(call.call_id))
    banner = page.get_by_role("status").filter(has_text="Call ended")
    expect(banner).to_contain_text("Caller hung up.")
    wait_for(lambda: azure.pc.connectionState in ("closed", "failed"), "the AI session to close", timeout=20)
    expect(page.locator(".queue-recent")).to_contain_text("Caller hung up")


def test_outbound_call_validates_the_number_and_connects(page: Page, fakes: FakeBackend) -> None:
    sign_in(page, fakes)
    dial = page.get_by_label("Phone number")
    dial.fill("555 0123")
    page.get_by_role("button", name="Call", exact=True).click()
    expect(page.locator("#dial-error")).to_contain_text("Enter the number in international format")
    expect(dial).to_have_attribute("aria-invalid", "true")
    # Checked before sending, by the server's rules: 555 is no area code; full-width digits are refused.
    full_width = "+" + "".join(chr(0xFF10 + int(d)) for d in "12065550123")
    for refused in ("+1 (555) 555-0123", full_width):
        dial.fill(refused)
        page.get_by_role("button", name="Call", exact=True).click()
        expect(page.locator("#dial-error")).not_to_contain_text("international format")
        expect(page.locator("#dial-error")).to_be_visible()
    assert not any(r.method == "POST" and r.path == "/calls" for r in fakes.api.requests)
    expect(dial).to_have_attribute("aria-invalid", "true")

    dial.fill("+1 900 555 0199")
    page.get_by_role("button", name="Call", exact=True).click()
    expect(page.locator("#dial-error")).to_have_text("Calls to that number are not allowed from this line.")

    dial.fill("+1 (206) 555-0123")
    dial.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"206\D+555\D0123"))).to_be_visible()
    expect(page.locator(".call-subtitle")).to_contain_text("Outbound")
    expect(page.locator(".call-subtitle")).to_contain_text("In progress")
    call = next(c for c in fakes.api.calls.values() if c.direction == "outbound")
    wait_tone(
        fakes,
        lambda: fakes.chime.agent_leg(call.meeting_id or ""),
        AI_HZ,
        present=True,
        what="the AI to talk to the callee",
    )
    wait_tone(fakes, lambda: fakes.azure.latest, CALLER_HZ, present=True, what="the callee to reach the AI")
    expect(page.get_by_role("button", name="Return to queue")).to_be_hidden()
    page.get_by_role("button", name="Hang up").click()
    expect(page.get_by_role("status").filter(has_text="Call ended")).to_contain_text("You hung up.")


def test_audio_test_meeting_runs_the_bridge_without_a_phone_leg(page: Page, fakes: FakeBackend) -> None:
    sign_in(page, fakes)
    page.get_by_role("button", name="Start audio test").click()
    expect(page.get_by_role("heading", name="Audio bridge test")).to_be_visible()
    expect(page.get_by_text("AI: Connected")).to_be_visible()
    meeting_id = next(iter(fakes.chime.meetings))
    wait_tone(
        fakes,
        lambda: fakes.chime.agent_leg(meeting_id),
        AI_HZ,
        present=True,
        what="the AI to reach the test meeting",
    )
    page.get_by_role("button", name="End test").click()
    expect(page.get_by_role("status").filter(has_text="Call ended")).to_contain_text("Test ended.")
    assert any(r.method == "DELETE" and r.path == f"/meetings/{meeting_id}" for r in fakes.api.requests)


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (429, "Azure OpenAI is over its rate limit (HTTP 429)"),
        (401, "Azure OpenAI refused the session key (HTTP 401)"),
    ],
)
def test_ai_connection_errors_are_shown_and_retry_works(
    page: Page, fakes: FakeBackend, status: int, shown: str
) -> None:
    fakes.azure.fail_next = [
        (status, {"error": {"message": "Too many requests" if status == 429 else "Invalid key"}})
    ] * 6
    sign_in(page, fakes)
    call = fakes.call(fakes.api.add_inbound_call, "+15555550145")
    page.get_by_role("button", name="Answer call from (555) 555-0145").click()
    alert = page.get_by_role("alert").filter(has_text=shown)
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("The call continues; you can take over.")
    expect(page.get_by_text("AI: Unavailable")).to_be_visible()
    expect(page.get_by_text("Call audio: Connected")).to_be_visible()

    fakes.azure.fail_next = []
    page.get_by_role("button", name="Retry AI").click()
    expect(page.get_by_text("AI: Connected")).to_be_visible(timeout=20_000)
    expect(alert).to_be_hidden()
    wait_tone(
        fakes,
        lambda: fakes.chime.agent_leg(call.meeting_id or ""),
        AI_HZ,
        present=True,
        what="the AI to talk after the retry",
    )


def test_ai_session_that_cannot_be_minted_is_explained(page: Page, fakes: FakeBackend) -> None:
    fakes.api.realtime_failure = (503, "azure_unavailable", "Azure OpenAI is not reachable from the API.")
    sign_in(page, fakes)
    fakes.call(fakes.api.add_inbound_call, "+15555550146")
    page.get_by_role("button", name="Answer call from (555) 555-0146").click()
    expect(page.get_by_role("alert").filter(has_text="Couldn't start an AI session")).to_contain_text(
        "Azure OpenAI is not reachable from the API."
    )
    expect(page.get_by_text("Call audio: Connected")).to_be_visible()


def test_an_expired_access_token_is_refreshed_and_polling_goes_on(page: Page, fakes: FakeBackend) -> None:
    sign_in(page, fakes)
    fakes.call(fakes.tokens.revoke_all)
    fakes.call(fakes.api.add_inbound_call, "+15555550147")
    expect(page.get_by_role("button", name="Answer call from (555) 555-0147")).to_be_visible()
    grants = [json.loads(r.body)["grant_type"] for r in fakes.cognito.requests if r.path == "/oauth2/token"]
    assert grants == ["authorization_code", "refresh_token"]
    assert any(r.path.startswith("/calls") for r in fakes.api.requests)


def test_a_refused_refresh_asks_the_agent_to_sign_in_again(page: Page, fakes: FakeBackend) -> None:
    sign_in(page, fakes)
    fakes.cognito.refresh_refused = True
    fakes.call(fakes.tokens.revoke_all)
    expect(page.get_by_role("alert").filter(has_text="Your session expired")).to_be_visible()
    expect(page.locator(".connection")).to_have_text("Signed out")
    page.get_by_role("button", name="Sign in again").click()
    expect(page.locator(".connection")).to_have_text("Live")


def test_denied_sign_in_is_explained(page: Page, fakes: FakeBackend) -> None:
    fakes.cognito.deny_next_sign_in = True
    page.goto(fakes.urls["web"] + "/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Sign-in failed: User is disabled.")
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()


def test_broken_config_is_reported_to_the_operator(page: Page, fakes: FakeBackend) -> None:
    fakes.site.config = {
        **fakes.default_config(),
        "apiUrl": "http://api.example.com",
        "userPoolId": "eu-west-1_X",
    }
    page.goto(fakes.urls["web"] + "/")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Calldesk is not configured correctly")
    expect(alert).to_contain_text("apiUrl must use https")
    expect(alert).to_contain_text("userPoolId is in a different region than region")


def refresh_with(fakes: FakeBackend, refresh_token: str) -> tuple[int, dict[str, object]]:
    """What Cognito's token endpoint answers to a refresh with this token, asked from outside the browser."""
    form = urlencode({"grant_type": "refresh_token", "client_id": CLIENT_ID, "refresh_token": refresh_token})
    request = Request(
        fakes.urls["cognito"] + "/oauth2/token",
        data=form.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except HTTPError as refused:
        return refused.code, json.loads(refused.read())


def saved_refresh_token(page: Page) -> str:
    return str(page.evaluate("() => JSON.parse(sessionStorage.getItem('calldesk.tokens')).refreshToken"))


def test_sign_out_revokes_the_refresh_token_then_goes_through_the_logout_endpoint(
    page: Page, fakes: FakeBackend
) -> None:
    sign_in(page, fakes)
    refresh_token = saved_refresh_token(page)
    assert refresh_with(fakes, refresh_token)[0] == 200  # a copy of it renews the session, until sign-out
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    paths = [r.path.split("?")[0] for r in fakes.cognito.requests]
    assert paths.index("/oauth2/revoke") < paths.index("/logout")
    revoke = next(r for r in fakes.cognito.requests if r.path == "/oauth2/revoke")
    assert json.loads(revoke.body) == {"token": refresh_token, "client_id": CLIENT_ID}
    assert revoke.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in revoke.headers
    assert fakes.cognito.revoked == [refresh_token]
    assert refresh_with(fakes, refresh_token) == (400, {"error": "invalid_grant"})
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_the_api_takes_the_id_token_and_refuses_the_access_token(page: Page, fakes: FakeBackend) -> None:
    sign_in(page, fakes)
    saved = page.evaluate("() => JSON.parse(sessionStorage.getItem('calldesk.tokens'))")

    def list_calls(token: str) -> tuple[int, dict[str, object]]:
        request = Request(fakes.urls["api"] + "/calls", headers={"Authorization": f"Bearer {token}"})
        try:
            with urlopen(request, timeout=5) as response:
                return response.status, json.loads(response.read())
        except HTTPError as refused:
            return refused.code, json.loads(refused.read())

    assert list_calls(saved["idToken"])[0] == 200
    status, body = list_calls(saved["accessToken"])
    assert status == 401 and body["error"]["code"] == "unauthorized"  # type: ignore[index]


def test_a_failed_revocation_still_signs_the_agent_out_and_says_so(page: Page, fakes: FakeBackend) -> None:
    sign_in(page, fakes)
    fakes.cognito.revoke_failure = 503
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert any(r.path.startswith("/logout?") for r in fakes.cognito.requests)
    assert page.evaluate("() => sessionStorage.getItem('calldesk.tokens')") is None
    wait_for(lambda: any("could not revoke" in text for text in warnings), "the console warning")
    expect(page.get_by_role("alert")).to_contain_text("could not be reached to revoke your session")
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_closing_the_tab_mid_call_returns_the_caller_to_the_queue(page: Page, fakes: FakeBackend) -> None:
    sign_in(page, fakes)
    call = fakes.call(fakes.api.add_inbound_call, "+15555550148")
    page.get_by_role("button", name="Answer call from (555) 555-0148").click()
    expect(page.get_by_text("AI: Connected")).to_be_visible()
    page.close(run_before_unload=False)
    wait_for(
        lambda: any(r.path == f"/calls/{call.call_id}/leave" for r in fakes.api.requests),
        "the closing tab to leave the call",
    )
    assert fakes.api.calls[call.call_id].status == "ringing"


def test_mic_blocked_is_explained_and_the_ai_keeps_talking(browser: Browser, fakes: FakeBackend) -> None:
    # A browser that refuses the microphone, as when the agent clicked "Block".
    blocked = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        # Without the flag that auto-accepts prompts, and with prompts denied.
        args=[
            *(a for a in CHROMIUM_ARGS if a != "--use-fake-ui-for-media-stream"),
            "--deny-permission-prompts",
        ],
    )
    try:
        context = blocked.new_context(viewport={"width": 1280, "height": 860})
        context.add_init_script(path=str(FAKE_MEETING_JS))
        page = context.new_page()
        sign_in(page, fakes)
        call = fakes.call(fakes.api.add_inbound_call, "+15555550149")
        page.get_by_role("button", name="Answer call from (555) 555-0149").click()
        expect(page.get_by_role("status").filter(has_text="Microphone blocked")).to_be_visible()
        expect(page.get_by_role("button", name="Retry microphone")).to_be_visible()
        # Taking over without a microphone would leave the caller in dead air: refused, AI stays on.
        mode_radio(page, "I talk").click()
        expect(
            page.get_by_role("status").filter(has_text="can't take over without a microphone")
        ).to_be_visible()
        expect(mode_radio(page, "AI talks")).to_be_checked()
        expect(mode_radio(page, "I talk")).not_to_be_checked()
        expect(page.locator("#mix-status")).to_contain_text("microphone is unavailable")
        expect(page.locator("#mix-status")).to_contain_text("The caller hears the AI.")
        wait_tone(
            fakes,
            lambda: fakes.chime.agent_leg(call.meeting_id or ""),
            AI_HZ,
            present=True,
            what="the AI to keep talking",
        )
    finally:
        blocked.close()


def test_transfer_hands_the_caller_on_and_ends_the_agents_leg(page: Page, fakes: FakeBackend) -> None:
    sign_in(page, fakes)
    call = fakes.call(fakes.api.add_inbound_call, "+15555550151")
    page.get_by_role("button", name="Answer call from (555) 555-0151").click()
    expect(page.get_by_text("Call audio: Connected")).to_be_visible()
    transfer_to = page.get_by_label("Transfer to")
    transfer_to.fill("12345")
    page.get_by_role("button", name="Transfer", exact=True).click()
    expect(page.locator("#transfer-error")).to_contain_text("international format")

    transfer_to.fill("+1 206 555 0177")
    transfer_to.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Transferring to +12065550177")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Call ended")).to_contain_text("Transferred.")
    body = next(r.body for r in fakes.api.requests if r.path == f"/calls/{call.call_id}/transfer")
    assert json.loads(body) == {"to": "+12065550177"}
    page.get_by_role("button", name="Back to calls").click()
    # Nobody waits: focus goes to the queue's heading, where the answer shortcut works (not the dial field).
    expect(page.locator("#calls-waiting")).to_be_focused()


def test_after_a_call_ends_the_next_caller_can_be_answered_without_going_back(
    page: Page, fakes: FakeBackend
) -> None:
    sign_in(page, fakes)
    first = fakes.call(fakes.api.add_inbound_call, "+15555550152")
    page.get_by_role("button", name="Answer call from (555) 555-0152").click()
    expect(page.get_by_text("Call audio: Connected")).to_be_visible()
    fakes.run(fakes.api.caller_hangs_up(first.call_id))
    expect(page.get_by_role("status").filter(has_text="Call ended")).to_contain_text("Caller hung up.")

    # The ended call's summary is still on screen; the next caller must not wait for "Back to calls".
    fakes.call(fakes.api.add_inbound_call, "+15555550153")
    answer = page.get_by_role("button", name="Answer call from (555) 555-0153")
    expect(answer).to_be_enabled()
    answer.click()
    expect(page.get_by_role("heading", name="(555) 555-0153")).to_be_visible()
    expect(page.get_by_text("Call audio: Connected")).to_be_visible()
    expect(page.get_by_text("Call ended")).to_be_hidden()
