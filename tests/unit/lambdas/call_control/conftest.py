"""Fixtures: moto for the calls table, the loopback fake Chime SDK endpoint, the handler's runtime."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from call_control.runtime import Runtime, build_runtime, use_runtime
from call_control.settings import Settings
from calls.store import CallStore
from simulator.environment import LocalAws, local_aws
from simulator.fake_chime import FakeChime
from tests.unit.lambdas.call_control.decisions import decision_settings
from tests.unit.lambdas.call_control.harness import Clock


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Most SMA events record no metric; Powertools warns about each of them.
    quiet = pytest.mark.filterwarnings("ignore:No application metrics to publish")
    for item in items:
        if "call_control" in str(item.path) or "simulator" in str(item.path):
            item.add_marker(quiet)


@pytest.fixture(scope="session")
def chime() -> Iterator[FakeChime]:
    fake = FakeChime()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def aws(chime: FakeChime) -> Iterator[LocalAws]:
    chime.reset()
    chime.on_update_call = None
    chime.on_create_call = None
    with local_aws(chime=chime) as local:
        yield local


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def runtime(aws: LocalAws, clock: Clock) -> Iterator[Runtime]:
    built = build_runtime(aws.env, clock=clock.now, session=aws.session)
    assert built.control is not None, built.problems
    use_runtime(built)
    yield built
    use_runtime(None)


@pytest.fixture
def store(aws: LocalAws) -> CallStore:
    return CallStore(aws.dynamodb, aws.env["CALLS_TABLE_NAME"])


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings for deciding events alone (no AWS): messages to tell apart, a dial policy for transfers."""
    return decision_settings()
