"""Benchmark the call-control Lambda offline: handler overhead per event, cold import, AWS calls per setup,
and a new caller's setup against a minimal handler that makes only the same two AWS calls.

Run from the repository root: `.venv/bin/python -m bench.call_control [--calls N]`. Prints figures only
(targets: p99 overhead < 5 ms, import + init <= 250 ms). AWS is served by the simulator's local fakes; the
time spent inside AWS requests (transport plus the fakes' own work) is measured per request and taken
out of the handler's time, so "overhead" is our code, Powertools and botocore's (de)serialization.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from bench._cold_start import heaviest_imports
from bench._cold_start import measure as cold_start_of
from call_control import handler
from call_control.adapters import sma_client_config
from call_control.runtime import build_runtime, use_runtime
from calls.contracts import CALL_CONTROL_SERVICE, hangup_request
from simulator.environment import LocalAws, local_aws
from simulator.scenarios import Simulation
from simulator.sma import Behaviour

ROOT = Path(__file__).resolve().parent.parent

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_meetings import ChimeSDKMeetingsClient
    from mypy_boto3_dynamodb import DynamoDBClient


def _silence_logs() -> None:
    """Formatting the logs is part of the cost; writing them out is not."""
    for log_handler in logging.getLogger(CALL_CONTROL_SERVICE).handlers:
        if isinstance(log_handler, logging.StreamHandler):
            log_handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - open for the process's life


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def handler_overhead(calls: int) -> None:
    per_type: dict[str, list[float]] = defaultdict(list)
    aws_share: list[float] = []
    setup_counts: list[Counter[str]] = []
    with local_aws() as local:
        _silence_logs()
        sim = Simulation(local, behaviour=Behaviour())
        invoke = sim.sma._invoke_handler

        def timed(event: dict[str, Any]) -> dict[str, Any]:
            before_aws, before_counts = local.timer.seconds, Counter(local.timer.counts)
            started = time.perf_counter()
            response = invoke(event)
            wall = time.perf_counter() - started
            in_aws = local.timer.seconds - before_aws
            kind = event.get("InvocationEventType", "?")
            action = event.get("ActionData", {}).get("Type")
            per_type[f"{kind}({action})" if action and kind.startswith("ACTION") else kind].append(
                (wall - in_aws) * 1000
            )
            aws_share.append(in_aws * 1000)
            if kind == "NEW_INBOUND_CALL":
                setup_counts.append(local.timer.counts - before_counts)
            return response

        sim.sma._invoke_handler = timed
        try:
            for _ in range(calls):
                call = sim.sma.inbound_call("+12065550100", "+12065550199")
                sim.agent.answer(call.transaction_id)
                sim.clock.advance(30)
                sim.agent.request(call.transaction_id, hangup_request())
                sim.sma.drain()
        finally:
            sim.close()
    everything = [value for values in per_type.values() for value in values]
    print(
        f"\nHandler overhead per event, AWS request time excluded ({calls} inbound calls, {len(everything)} events)"
    )
    print(f"  {'event':42} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, values in sorted(per_type.items()):
        print(
            f"  {name:42} {len(values):5d} {percentile(values, 0.5):8.2f} "
            f"{percentile(values, 0.99):8.2f} {max(values):8.2f}"
        )
    print(
        f"  {'all events':42} {len(everything):5d} {percentile(everything, 0.5):8.2f} "
        f"{percentile(everything, 0.99):8.2f} {max(everything):8.2f}   (target p99 < 5 ms)"
    )
    print(f"  time inside AWS requests per event (fakes): p50 {percentile(aws_share, 0.5):.2f} ms")
    print("\nAWS requests while setting up one inbound call (before JoinChimeMeeting is returned)")
    for operation, count in sorted(setup_counts[0].items()):
        same = all(counts[operation] == count for counts in setup_counts)
        print(f"  {operation:32} {count}{'' if same else '  (varies between calls)'}")
    writes = sum(setup_counts[0][name] for name in ("dynamodb.PutItem", "dynamodb.UpdateItem"))
    chime = sum(count for name, count in setup_counts[0].items() if name.startswith("chime"))
    print(f"  => {chime} Chime call(s), {writes} DynamoDB write(s)   (the floor: 1 and 1)")


NEW_INBOUND_CALL = ROOT / "tests" / "events" / "sma" / "new_inbound_call.json"


class _Context:
    function_name = "call-control-bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:call-control-bench"
    aws_request_id = "bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


def _minimal_handler(local: LocalAws) -> Any:
    """Only the floor's two AWS calls and the answer: CreateMeetingWithAttendees, one conditional PutItem."""
    config = sma_client_config()
    meetings = cast(
        "ChimeSDKMeetingsClient",
        local.session.create_client("chime-sdk-meetings", region_name="us-east-1", config=config),
    )
    dynamodb = cast("DynamoDBClient", local.session.create_client("dynamodb", config=config))
    table = local.env["CALLS_TABLE_NAME"]

    def handle(event: dict[str, Any]) -> dict[str, Any]:
        details = event["CallDetails"]
        tx, leg = details["TransactionId"], details["Participants"][0]
        created = meetings.create_meeting_with_attendees(
            ClientRequestToken=f"sma-{tx}",
            MediaRegion="us-east-1",
            ExternalMeetingId=f"call-{tx}",
            Attendees=[{"ExternalUserId": f"caller-{tx}"}],
        )
        meeting_id = created["Meeting"]["MeetingId"]
        attendee = created["Attendees"][0]
        now = "2026-12-01T12:00:00.000Z"
        item = {
            name: {"S": value}
            for name, value in {
                "call_id": tx,
                "list_pk": "call",
                "direction": "inbound",
                "from_number": leg["From"],
                "to_number": leg["To"],
                "status": "connecting",
                "created_at": now,
                "updated_at": now,
                "transaction_id": tx,
                "meeting_id": meeting_id,
                "caller_attendee_id": attendee["AttendeeId"],
            }.items()
        }
        item["expires_at"] = {"N": "1900000000"}
        dynamodb.put_item(
            TableName=table,
            Item=item,
            ConditionExpression="attribute_not_exists(#pk)",
            ExpressionAttributeNames={"#pk": "call_id"},
        )
        join = {"JoinToken": attendee["JoinToken"], "CallId": leg["CallId"], "MeetingId": meeting_id}
        return {"SchemaVersion": "1.0", "Actions": [{"Type": "JoinChimeMeeting", "Parameters": join}]}

    return handle


def setup_floor(calls: int) -> None:
    """The real handler's inbound setup beside a minimal one on the same fakes, interleaved in one run."""
    template = json.loads(NEW_INBOUND_CALL.read_text())
    timings: dict[str, list[float]] = {"real handler": [], "minimal handler": []}
    counts: dict[str, Counter[str]] = {}
    with local_aws({"GREETING_TEXT": ""}) as local:
        _silence_logs()
        runtime = build_runtime(local.env, session=local.session)
        assert runtime.control is not None, runtime.problems
        use_runtime(runtime)
        minimal = _minimal_handler(local)
        runners = {
            "real handler": lambda event: handler.lambda_handler(event, _Context()),
            "minimal handler": minimal,
        }
        try:
            for index in range(calls + 10):  # the first 10 of each warm up clients and connections
                for name, run in runners.items():
                    event = json.loads(json.dumps(template))
                    event["CallDetails"]["TransactionId"] = f"bench-{name[0]}-{index:05d}"
                    before = Counter(local.timer.counts)
                    started = time.perf_counter()
                    with contextlib.redirect_stdout(io.StringIO()):  # the EMF metrics line
                        response = run(event)
                    elapsed = (time.perf_counter() - started) * 1000
                    assert response["Actions"][-1]["Type"] == "JoinChimeMeeting", response
                    if index >= 10:
                        timings[name].append(elapsed)
                        counts[name] = local.timer.counts - before
        finally:
            use_runtime(None)
    print(f"\nNew inbound call set up, real handler beside a minimal one ({calls} calls each, same fakes)")
    print(f"  {'':16} {'p50 ms':>8} {'p90 ms':>8} {'mean ms':>8}   AWS requests per call")
    for name, values in timings.items():
        requests = ", ".join(f"{op} {n}" for op, n in sorted(counts[name].items()))
        print(
            f"  {name:16} {percentile(values, 0.5):8.2f} {percentile(values, 0.9):8.2f} "
            f"{statistics.mean(values):8.2f}   {requests}"
        )
    ratio = percentile(timings["real handler"], 0.5) / percentile(timings["minimal handler"], 0.5)
    mean_ratio = statistics.mean(timings["real handler"]) / statistics.mean(timings["minimal handler"])
    print(f"  real / minimal: {ratio:.2f}x at p50, {mean_ratio:.2f}x in the mean   (goal: at most 1.3x)")


def cold_start(runs: int) -> None:
    """Import and init timed apart in fresh interpreters with Lambda's packages (bench._cold_start)."""
    env = {"CALLS_TABLE_NAME": "calls", "MEETING_REGION": "us-east-1"}
    # What the handler's init does in Lambda: settings, and the two clients every new call needs.
    init = "from call_control.runtime import get_runtime; r = get_runtime(); assert r.control, r.problems"
    print(
        f"\nCold start of call_control.handler, median of {runs} fresh interpreters with only Lambda's packages"
    )
    print(cold_start_of("call_control.handler", init, env, runs).line("tracing on, as in Lambda"))
    off = {**env, "POWERTOOLS_TRACE_DISABLED": "true"}
    print(
        cold_start_of("call_control.handler", init, off, runs).line("tracing off (POWERTOOLS_TRACE_DISABLED)")
    )
    print(
        cold_start_of("call_control.handler", init, env, runs, bytecode=False).line(
            "tracing on, as deployed (layer .pyc)"
        )
    )
    print("  (goal: import + init <= 250 ms with tracing on)")
    print("  largest imports under call_control.handler, tracing on (-X importtime, cumulative ms, one run):")
    for cumulative, name in heaviest_imports("call_control.handler", env, 10):
        print(f"    {cumulative:7.1f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=150, help="inbound calls to play (4 events each)")
    parser.add_argument("--import-runs", type=int, default=7)
    parser.add_argument("--setup-calls", type=int, default=300, help="new calls per handler in the floor run")
    parser.add_argument("--only-setup", action="store_true", help="run only the setup-floor comparison")
    options = parser.parse_args()
    if not options.only_setup:
        cold_start(options.import_runs)
        handler_overhead(options.calls)
    setup_floor(options.setup_calls)


if __name__ == "__main__":
    main()
