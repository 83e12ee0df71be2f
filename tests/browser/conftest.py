"""Browser-test fixtures: the built client, the fakes on 127.0.0.1, Debian's Chromium via Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.browser.environment import (
    CHROMIUM,
    CHROMIUM_ARGS,
    FAKE_MEETING_JS,
    SCREENSHOTS,
    ensure_dist,
    write_tone_wav,
)
from tests.browser.fakes.backend import FakeBackend
from tests.browser.helpers import MIC_HZ

expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def dist() -> Path:
    return ensure_dist()


@pytest.fixture(scope="session")
def mic_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The agent's microphone: a 1320 Hz tone, looped by Chromium's fake capture."""
    return write_tone_wav(tmp_path_factory.mktemp("audio") / "agent-mic-1320hz.wav", MIC_HZ)


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/screenshots when CALLDESK_UPDATE_SCREENSHOTS=1, else a temporary directory."""
    if os.environ.get("CALLDESK_UPDATE_SCREENSHOTS") == "1":
        return SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright, mic_wav: Path) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={mic_wav}"],
    )
    yield browser
    browser.close()


@pytest.fixture
def fakes(dist: Path) -> Iterator[FakeBackend]:
    backend = FakeBackend(dist).start()
    yield backend
    backend.stop()


class PageLog:
    """Console output and page errors, for failure messages and the CSP check."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def console(self, message: ConsoleMessage) -> None:
        self.lines.append(f"{message.type}: {message.text}")

    def csp_violations(self) -> list[str]:
        return [line for line in self.lines if "Content Security Policy" in line]


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
    context.add_init_script(path=str(FAKE_MEETING_JS))
    yield context
    context.close()


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(context: BrowserContext, page_log: PageLog, request: pytest.FixtureRequest) -> Iterator[Page]:
    page = context.new_page()
    page.on("console", page_log.console)
    page.on("pageerror", lambda error: page_log.lines.append(f"pageerror: {error}"))
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        print("\n--- browser console ---\n" + "\n".join(page_log.lines[-80:]))
    assert page_log.csp_violations() == [], "the client broke the strict CSP"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
