"""Meeting API Lambda: warm handler overhead per route, and cold import time. Prints figures; judges nothing.

Run from the repository root: `.venv/bin/python -m bench.meeting_api [--iterations 300]`.

Warm overhead is the time in `lambda_handler` minus the time spent inside AWS SDK calls (moto for DynamoDB,
botocore Stubbers for Chime) and inside the HTTP exchange with the local fake Azure: what is left is routing,
validation, our logic, serialization, logging and metrics. Cold import runs `import meeting_api.handler` in
fresh interpreters with only Lambda's packages, import and init apart, tracing on as in Lambda (bench._cold_start).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

os.environ.update(
    {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    }
)

import boto3
from botocore.stub import Stubber
from moto import mock_aws

from bench._cold_start import heaviest_imports
from bench._cold_start import measure as cold_start_of
from calls.record import CallStatus
from meeting_api import handler, runtime
from meeting_api.agents import Agent
from meeting_api.azure_realtime import RealtimeMinter
from meeting_api.runtime import CHIME_CONFIG, Clients, Runtime
from simulator.calls_table import create_calls_table
from tests.fakes.azure_openai import FakeAzureOpenAI
from tests.unit.lambdas.meeting_api.harness import (
    AGENT,
    AZURE_KEY,
    CALL_ID,
    EVENTS,
    MEETING_ID,
    REQUIRED_ENV,
    TRANSACTION_ID,
    Harness,
    LambdaContext,
    chime_attendee,
    chime_meeting,
    settings,
)

NONCE = "0" * 16  # a constant nonce: the bench can name the attendees and meetings the desk will ask for


class CallIds:
    """Sequential call ids whose next value the bench can read, to stub the meeting created for it."""

    def __init__(self) -> None:
        self.count = 0

    def upcoming(self) -> str:
        return f"00000000-0000-4000-8000-{self.count + 1:012d}"

    def __call__(self) -> str:
        self.count += 1
        return f"00000000-0000-4000-8000-{self.count:012d}"


class ExcludedTime:
    """Accumulates wall and CPU time spent in the SDK and Azure calls, to take it out of the handler's."""

    def __init__(self) -> None:
        self.wall_ns = 0
        self.cpu_ns = 0

    def reset(self) -> None:
        self.wall_ns = self.cpu_ns = 0

    def wrap(self, owner: Any, name: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
            try:
                return original(*args, **kwargs)
            finally:
                self.wall_ns += time.perf_counter_ns() - wall
                self.cpu_ns += time.thread_time_ns() - cpu

        setattr(owner, name, timed)


def event(name: str, **changes: Any) -> dict[str, Any]:
    loaded = json.loads((EVENTS / f"{name}.json").read_text())
    if "path" in changes:
        loaded["rawPath"] = loaded["requestContext"]["http"]["path"] = changes["path"]
    if "headers" in changes:
        loaded["headers"].update(changes["headers"])
    if "body" in changes:
        loaded["body"] = json.dumps(changes["body"])
    return loaded


def measure(
    iterations: int, excluded: ExcludedTime, prepare: Callable[[], dict[str, Any]], expect: int
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per request; CPU time leaves out waiting for a busy machine's CPU."""
    wall_samples: list[float] = []
    cpu_samples: list[float] = []
    context = LambdaContext()
    for index in range(iterations + iterations // 10):  # the first tenth warms up and is dropped
        request = prepare()
        excluded.reset()
        wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
        response = handler.lambda_handler(request, context)
        wall_ms = (time.perf_counter_ns() - wall - excluded.wall_ns) / 1e6
        cpu_ms = (time.thread_time_ns() - cpu - excluded.cpu_ns) / 1e6
        assert response["statusCode"] == expect, response
        if index >= iterations // 10:
            wall_samples.append(wall_ms)
            cpu_samples.append(cpu_ms)
    return wall_samples, cpu_samples


@contextlib.contextmanager
def bench_runtime(azure: FakeAzureOpenAI, ids: CallIds) -> Iterator[tuple[Harness, ExcludedTime]]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        create_calls_table(dynamodb)
        secrets = boto3.client("secretsmanager")
        arn = secrets.create_secret(Name="azure-openai", SecretString=json.dumps({"apiKey": AZURE_KEY}))[
            "ARN"
        ]
        clients = Clients(
            dynamodb=dynamodb,
            meetings=boto3.client("chime-sdk-meetings", config=CHIME_CONFIG),
            voice=boto3.client("chime-sdk-voice", config=CHIME_CONFIG),
            secrets=secrets,
        )
        excluded = ExcludedTime()
        for client in (clients.dynamodb, clients.meetings, clients.voice, clients.secrets):
            excluded.wrap(client, "_make_api_call")
        excluded.wrap(RealtimeMinter, "_post")
        harness = Harness(
            runtime=None,  # type: ignore[arg-type]
            dynamodb=dynamodb,
            meetings=Stubber(clients.meetings),
            voice=Stubber(clients.voice),
            azure=azure,
        )
        harness.runtime = Runtime.build(
            settings(
                azure.endpoint,
                azure_openai_secret_arn=arn,
                outbound_calls_per_agent_per_hour=10_000,
                outbound_calls_per_day=10_000,
                realtime_sessions_per_agent_per_hour=10_000,
            ),
            clients,
            clock=lambda: harness.now,
            new_id=ids,
            nonce=lambda: NONCE,
        )
        runtime.install(harness.runtime)
        with harness.meetings, harness.voice:
            yield harness, excluded
        runtime.install(None)


def warm_overhead(iterations: int) -> list[tuple[str, tuple[list[float], list[float]]]]:
    results: list[tuple[str, tuple[list[float], list[float]]]] = []
    ids = CallIds()
    agent_user = f"agent-{AGENT}-{NONCE}"
    with FakeAzureOpenAI(api_key=AZURE_KEY) as azure, bench_runtime(azure, ids) as (api, excluded):
        for minute in range(49):
            api.put_call(
                call_id=f"history-{minute}",
                now=api.now - timedelta(minutes=minute + 1),
                status=CallStatus.ENDED,
            )
        api.put_call()

        def run(label: str, prepare: Callable[[], dict[str, Any]], expect: int = 200) -> None:
            results.append((label, measure(iterations, excluded, prepare, expect)))

        run("GET /health", lambda: event("health"))
        run("GET /calls (50 calls)", lambda: event("list_calls"))
        tag = handler.lambda_handler(event("list_calls"), LambdaContext())["headers"]["ETag"]
        run("GET /calls → 304", lambda: event("list_calls", headers={"if-none-match": tag}), 304)
        run("GET /calls/{id}", lambda: event("get_call"))

        def answer() -> dict[str, Any]:
            api.store.transition(
                CALL_ID,
                CallStatus.RINGING,
                now=api.now,
                from_statuses=[CallStatus.RINGING, CallStatus.IN_PROGRESS],
                set_fields={"answered_by": None},
            )
            api.meetings.add_response("get_meeting", {"Meeting": chime_meeting()})
            api.meetings.add_response("create_attendee", {"Attendee": chime_attendee(agent_user, "a-1")})
            return event("answer_call")

        run("POST /calls/{id}/answer (claim)", answer)

        def rejoin() -> dict[str, Any]:
            api.meetings.add_response("get_meeting", {"Meeting": chime_meeting()})
            api.meetings.add_response("create_attendee", {"Attendee": chime_attendee(agent_user, "a-2")})
            return event("answer_call")

        run("POST /calls/{id}/answer (rejoin)", rejoin)

        def leave() -> dict[str, Any]:
            api.store.transition(
                CALL_ID,
                CallStatus.IN_PROGRESS,
                now=api.now,
                from_statuses=[CallStatus.RINGING, CallStatus.IN_PROGRESS],
                set_fields={"answered_by": AGENT},
            )
            return event("leave_call")

        run("POST /calls/{id}/leave", leave)
        api.store.transition(CALL_ID, CallStatus.IN_PROGRESS, now=api.now, set_fields={"answered_by": AGENT})

        def control(name: str) -> Callable[[], dict[str, Any]]:
            def prepare() -> dict[str, Any]:
                api.voice.add_response(
                    "update_sip_media_application_call",
                    {"SipMediaApplicationCall": {"TransactionId": TRANSACTION_ID}},
                )
                return event(name)

            return prepare

        run("POST /calls/{id}/hangup", control("hangup_call"), 202)
        run("POST /calls/{id}/transfer", control("transfer_call"), 202)

        def place() -> dict[str, Any]:
            call_id = ids.upcoming()
            api.meetings.add_response(
                "create_meeting_with_attendees",
                {
                    "Meeting": chime_meeting(MEETING_ID, f"call-{call_id}"),
                    "Attendees": [
                        chime_attendee(f"phone-{call_id}", "p-1"),
                        chime_attendee(agent_user, "a-3"),
                    ],
                },
            )
            api.voice.add_response(
                "create_sip_media_application_call",
                {"SipMediaApplicationCall": {"TransactionId": TRANSACTION_ID}},
            )
            return event("place_call")

        run("POST /calls (outbound)", place, 201)

        own = Agent(AGENT).test_meeting_external_id(NONCE)

        def start_meeting() -> dict[str, Any]:
            api.meetings.add_response(
                "create_meeting_with_attendees",
                {"Meeting": chime_meeting(MEETING_ID, own), "Attendees": [chime_attendee(agent_user, "a-4")]},
            )
            return event("start_test_meeting")

        run("POST /meetings", start_meeting, 201)

        def end_meeting() -> dict[str, Any]:
            api.meetings.add_response("get_meeting", {"Meeting": chime_meeting(MEETING_ID, own)})
            api.meetings.add_response("delete_meeting", {})
            return event("end_test_meeting")

        run("DELETE /meetings/{id}", end_meeting, 204)
        run("POST /realtime/session", lambda: event("realtime_session"))
    return results


def cold_start(runs: int) -> list[str]:
    """Import and init timed apart in fresh interpreters with Lambda's packages (bench._cold_start)."""
    env = {**REQUIRED_ENV}
    init = "from meeting_api import runtime; runtime.current()"  # what the handler's init does in Lambda
    first_use = f"{init}.clients.dynamodb.meta"  # plus the one client GET /calls needs, created on first use
    return [
        cold_start_of("meeting_api.handler", init, env, runs).line("tracing on, as in Lambda"),
        cold_start_of("meeting_api.handler", init, {**env, "POWERTOOLS_TRACE_DISABLED": "true"}, runs).line(
            "tracing off (POWERTOOLS_TRACE_DISABLED)"
        ),
        cold_start_of("meeting_api.handler", first_use, env, runs).line("tracing on, init + DynamoDB client"),
        cold_start_of("meeting_api.handler", init, env, runs, bytecode=False).line(
            "tracing on, as deployed (layer .pyc)"
        ),
    ]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--cold-runs", type=int, default=7)
    arguments = parser.parse_args()

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink):  # Powertools writes logs and EMF metrics to stdout
        warm = warm_overhead(arguments.iterations)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Warm handler overhead, AWS/Azure calls excluded ({arguments.iterations} requests per route, ms)")
    print(f"(load average {load} on {os.cpu_count()} CPUs: p99 on a busy machine includes scheduling noise)")
    print(f"{'route':<36} {'wall p50':>9} {'wall p99':>9} {'cpu p50':>8} {'cpu p99':>8}")
    for label, (wall, cpu) in warm:
        print(
            f"{label:<36} {statistics.median(wall):9.2f} {percentile(wall, 0.99):9.2f}"
            f" {statistics.median(cpu):8.2f} {percentile(cpu, 0.99):8.2f}"
        )
    print(
        f"\nCold start, median of {arguments.cold_runs} fresh interpreters with only Lambda's packages"
        " (goal: import + init <= 250 ms with tracing on)"
    )
    print("init: settings validated, services wired; AWS clients are created when a request first needs one")
    for line in cold_start(arguments.cold_runs):
        print(line)
    print("\nHeaviest imports under meeting_api.handler, tracing on (cumulative ms, -X importtime, one run)")
    for milliseconds, name in heaviest_imports("meeting_api.handler", REQUIRED_ENV, 12):
        print(f"  {milliseconds:7.1f}  {name}")


if __name__ == "__main__":
    main()
