"""Local AWS for a simulated call: DynamoDB in moto, Chime SDK on a loopback fake, faults on request."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import boto3
import botocore.session
from moto import mock_aws

from calls import phone_numbers
from calls.contracts import CALL_CONTROL_SERVICE
from simulator.calls_table import create_calls_table
from simulator.fake_chime import FakeChime

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TABLE = "calls"
SMA_ID = "sim-sma"
OUR_NUMBER = "+12065550199"

DEFAULT_ENV: dict[str, str] = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "CALLS_TABLE_NAME": TABLE,
    "MEETING_REGION": "us-east-1",
    "SMA_ID": SMA_ID,
    "GREETING_TEXT": "Thanks for calling. Connecting you to an assistant now.",
    "WAIT_TIMEOUT_SECONDS": "300",
    # Transfers may go to US and Canadian numbers, as a deployer would allow with outboundAllowedCountries.
    phone_numbers.ENV_VAR: phone_numbers.DialPolicy(countries=frozenset({"US", "CA"})).to_json(),
    "POWERTOOLS_SERVICE_NAME": CALL_CONTROL_SERVICE,
    "POWERTOOLS_METRICS_NAMESPACE": "Simulator",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


class DynamoFaults:
    """Makes the DynamoDB calls of one botocore session fail with a 500 before they reach moto."""

    def __init__(self, session: botocore.session.Session) -> None:
        self.down = False
        self.operations: frozenset[str] | None = None  # None: every operation
        self.failed = 0
        self._passed: dict[str, int] = {}
        self._fail_from: tuple[str, int] | None = None
        hook: Any = self._maybe_fail  # a before-call hook may answer in place of the service
        session.get_component("event_emitter").register_first("before-call.dynamodb", hook)

    def fail_from(self, operation: str, nth: int) -> None:
        """Go down at the `nth` call of `operation` (1-based) and stay down."""
        self._fail_from = (operation, nth)

    def _maybe_fail(self, event_name: str = "", **_: Any) -> tuple[Any, dict[str, Any]] | None:
        operation = event_name.rsplit(".", 1)[-1]
        self._passed[operation] = self._passed.get(operation, 0) + 1
        if self._fail_from is not None and self._fail_from == (operation, self._passed[operation]):
            self.down = True
        if not self.down or (self.operations is not None and operation not in self.operations):
            return None
        self.failed += 1
        error = {"Code": "InternalServerError", "Message": "injected by the simulator"}
        return _Failed(), {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 500}}


class _Failed:
    status_code = 500
    headers: ClassVar[dict[str, str]] = {}
    content = b""


@dataclass
class AwsCallTimer:
    """Counts and times every AWS request of a session (transport plus the fakes' own work)."""

    seconds: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)
    _local: threading.local = field(default_factory=threading.local)

    def attach(self, session: botocore.session.Session) -> None:
        session.get_component("event_emitter").register_first("before-send", self._started)
        session.register("needs-retry", self._finished)

    def _started(self, event_name: str = "", **_: Any) -> None:
        self._local.started = time.perf_counter()
        parts = event_name.split(".")
        self.counts[".".join(parts[1:3])] += 1

    def _finished(self, **_: Any) -> None:
        started = getattr(self._local, "started", None)
        if started is not None:
            self.seconds += time.perf_counter() - started
            self._local.started = None

    def reset(self) -> None:
        self.seconds = 0.0
        self.counts.clear()


@dataclass
class LocalAws:
    chime: FakeChime
    session: botocore.session.Session  # the handler's: faults and timing hook in here
    dynamodb: DynamoDBClient  # the simulator's own view of the table
    faults: DynamoFaults
    timer: AwsCallTimer
    env: dict[str, str]


@contextmanager
def local_aws(
    overrides: Mapping[str, str] | None = None, *, chime: FakeChime | None = None
) -> Iterator[LocalAws]:
    """Environment variables, moto and the fake Chime endpoint for one simulation; all undone on exit."""
    saved = dict(os.environ)
    owned = chime is None
    fake = chime or FakeChime()
    if owned:
        fake.start()
    env = {**DEFAULT_ENV, **fake.environment(), **(overrides or {})}
    os.environ.update(env)
    try:
        with mock_aws():
            dynamodb = boto3.client("dynamodb", region_name=env["AWS_REGION"])
            create_calls_table(dynamodb, env["CALLS_TABLE_NAME"])
            session = botocore.session.get_session()
            timer = AwsCallTimer()
            timer.attach(session)
            yield LocalAws(
                chime=fake,
                session=session,
                dynamodb=dynamodb,
                faults=DynamoFaults(session),
                timer=timer,
                env=env,
            )
    finally:
        if owned:
            fake.stop()
        os.environ.clear()
        os.environ.update(saved)
