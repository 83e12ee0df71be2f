"""Test wiring for the telephony provider: chime-sdk-voice clients under botocore Stubbers.

Every stubbed client is a real ``boto3.client("chime-sdk-voice")``, so requests are validated against
botocore's service model and responses against its output shapes; no network is used.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.lambdas.telephony_provider.testkit import FakeAws


@pytest.fixture
def aws() -> Iterator[FakeAws]:
    """Stubbed chime-sdk-voice per region; fails the test if a stubbed response was never requested."""
    fake = FakeAws()
    yield fake
    fake.assert_all_used()
