"""Composition root: settings and AWS clients, built once per container; the simulator and tests swap it."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import botocore.session
from botocore.exceptions import BotoCoreError

from call_control.adapters import call_edges, sma_client_config
from call_control.service import CallControl
from call_control.settings import Settings, SettingsError, load_settings
from calls.record import utc_now


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings | None
    control: CallControl | None
    problems: tuple[str, ...] = ()  # why settings/control are missing: every call is politely ended


def build_runtime(
    env: Mapping[str, str],
    *,
    clock: Callable[[], datetime] = utc_now,
    session: botocore.session.Session | None = None,
) -> Runtime:
    try:
        settings = load_settings(env)
    except SettingsError as error:
        return Runtime(settings=None, control=None, problems=tuple(error.problems))
    try:
        records, meetings = call_edges(
            session or botocore.session.get_session(), settings, sma_client_config()
        )
    except BotoCoreError as error:  # e.g. no region configured
        return Runtime(
            settings=settings, control=None, problems=(f"AWS clients could not be created: {error}",)
        )
    control = CallControl(
        settings=settings,
        records=records,
        meetings=meetings,
        clock=clock,
    )
    return Runtime(settings=settings, control=control)


_current: Runtime | None = None


def get_runtime() -> Runtime:
    global _current  # noqa: PLW0603 - one runtime per container, built on first use
    if _current is None:
        _current = build_runtime(os.environ)
    return _current


def use_runtime(runtime: Runtime | None) -> None:
    """Install a runtime (the simulator's, a test's); None rebuilds from the environment on next use."""
    global _current  # noqa: PLW0603
    _current = runtime
