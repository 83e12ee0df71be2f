"""Test wiring for the telephony provider: import path, and chime-sdk-voice clients under botocore Stubbers.

Every stubbed client is a real ``boto3.client("chime-sdk-voice")``, so requests are validated against
botocore's service model and responses against its output shapes; no network is used.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Runnable on its own: the Lambda asset root (lambdas/) makes `telephony_provider` importable as it is in
# the Lambda, and the repo root makes this directory's helpers importable as `tests.unit...`.
_REPO_ROOT = Path(__file__).resolve().parents[4]
for _path in (_REPO_ROOT, _REPO_ROOT / "lambdas"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from tests.unit.lambdas.telephony_provider.testkit import FakeAws  # noqa: E402


@pytest.fixture
def aws() -> Iterator[FakeAws]:
    """Stubbed chime-sdk-voice per region; fails the test if a stubbed response was never requested."""
    fake = FakeAws()
    yield fake
    fake.assert_all_used()
