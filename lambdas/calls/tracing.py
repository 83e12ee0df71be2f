"""X-Ray tracing for a handler, paid for only when it is on, and patching only the libraries we call out with."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from aws_lambda_powertools import Tracer

Handler = TypeVar("Handler", bound=Callable[..., Any])

_TRUTHY = frozenset({"1", "true", "yes", "on"})


def tracing_on(env: Mapping[str, str] = os.environ) -> bool:
    """Powertools' own rule (in Lambda, not disabled), checked before building a Tracer: building one imports
    the X-Ray SDK and patches libraries even when tracing then turns out to be disabled."""
    disabled = env.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in _TRUTHY
    return bool(env.get("LAMBDA_TASK_ROOT")) and not disabled


def handler_tracer(service: str, *, patch: Sequence[str]) -> Tracer | None:
    """A Tracer patching only `patch` (X-Ray SDK module names), or None when tracing is off.

    Powertools patches every library the X-Ray SDK knows by default: each one is an import tried at cold
    start (sqlite3 is in the standard library, so it is even imported and wrapped), for calls we never make.
    """
    return Tracer(service=service, patch_modules=list(patch)) if tracing_on() else None


def traced(tracer: Tracer | None, *, capture_response: bool) -> Callable[[Handler], Handler]:
    """Tracer.capture_lambda_handler when tracing is on; otherwise the handler as it is."""
    if tracer is None:
        return lambda handler: handler
    decorate: Callable[[Handler], Handler] = tracer.capture_lambda_handler(capture_response=capture_response)
    return decorate
