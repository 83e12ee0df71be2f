"""The simulator's tests share one loopback fake Chime endpoint; each gets fresh moto and environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulator.environment import LocalAws, local_aws
from simulator.fake_chime import FakeChime


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    quiet = pytest.mark.filterwarnings("ignore:No application metrics to publish")
    for item in items:
        if "simulator" in str(item.path):
            item.add_marker(quiet)


@pytest.fixture(scope="session")
def shared_chime() -> Iterator[FakeChime]:
    fake = FakeChime()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def local(shared_chime: FakeChime) -> Iterator[LocalAws]:
    shared_chime.reset()
    with local_aws(chime=shared_chime) as fresh:
        yield fresh
