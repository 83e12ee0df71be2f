"""Test-session wiring shared by every suite."""

from __future__ import annotations

import os

import pytest

# Tests never reach AWS: no credentials lookup through instance metadata, no real keys.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist, run all browser tests on one worker (one Chromium, one set of fakes at a time)."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))
