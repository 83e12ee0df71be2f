"""Benchmark the call-control Lambda offline: handler overhead per event, cold import, AWS calls per setup.

Run from the repository root: `.venv/bin/python -m bench.call_control [--calls N]`. Prints figures only
(targets: p99 overhead < 5 ms, cold import < 300 ms). AWS is served by the simulator's local fakes; the
time spent inside AWS requests (transport plus the fakes' own work) is measured per request and taken
out of the handler's time, so "overhead" is our code, Powertools and botocore's (de)serialization.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from calls.contracts import CALL_CONTROL_SERVICE, hangup_request
from simulator.environment import local_aws
from simulator.scenarios import Simulation
from simulator.sma import Behaviour

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def handler_overhead(calls: int) -> None:
    per_type: dict[str, list[float]] = defaultdict(list)
    aws_share: list[float] = []
    setup_counts: list[Counter[str]] = []
    with local_aws() as local:
        for handler in logging.getLogger(CALL_CONTROL_SERVICE).handlers:
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - formatting is part of the cost, output is not
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
    print(f"  => {chime} Chime call(s), {writes} DynamoDB write(s)   (target: 1 and at most 2)")


_IMPORT = "import time; t = time.perf_counter(); import call_control.handler; print(time.perf_counter() - t)"
_IMPORT_AND_BUILD = (
    "import time; t = time.perf_counter(); import call_control.handler; "
    "from call_control.runtime import get_runtime; r = get_runtime(); assert r.control, r.problems; "
    "print(time.perf_counter() - t)"
)


def cold_import(runs: int) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "lambdas"),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "CALLS_TABLE_NAME": "calls",
        "MEETING_REGION": "us-east-1",
        "PYTHONDONTWRITEBYTECODE": "",
    }
    env.pop("AWS_LAMBDA_FUNCTION_NAME", None)

    def measure(code: str, environment: dict[str, str] = env) -> list[float]:
        found = []
        for _ in range(runs):
            done = subprocess.run(
                [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
            )
            found.append(float(done.stdout.strip()) * 1000)
        return found

    imports = measure(_IMPORT)
    built = measure(_IMPORT_AND_BUILD)
    lambda_env = {
        "LAMBDA_TASK_ROOT": str(ROOT / "lambdas"),
        **env,
        "AWS_LAMBDA_FUNCTION_NAME": "call-control",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
    }
    as_in_lambda = measure(_IMPORT, lambda_env)
    print(f"\nCold import of call_control.handler (fresh interpreter, {runs} runs, warm file cache)")
    print(
        f"  import only:                      median {statistics.median(imports):6.0f} ms   min {min(imports):6.0f} ms"
    )
    print(
        f"  import + settings + AWS clients:  median {statistics.median(built):6.0f} ms   min {min(built):6.0f} ms"
    )
    print(
        f"  as in Lambda (tracing on, clients built at init): median {statistics.median(as_in_lambda):6.0f} ms"
        f"   min {min(as_in_lambda):6.0f} ms"
    )
    print("  (target: import < 300 ms)")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import call_control.handler"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( +)(\S+)", line)
        if match and len(match.group(3)) in {3, 5}:  # what the handler imports, and what those import
            rows.append(
                (int(match.group(2)) / 1000, ("  " if len(match.group(3)) == 5 else "") + match.group(4))
            )
    print("  largest imports under call_control.handler (-X importtime, cumulative ms):")
    for cumulative, name in sorted(rows, key=lambda row: -row[0])[:10]:
        print(f"    {cumulative:7.1f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=150, help="inbound calls to play (4 events each)")
    parser.add_argument("--import-runs", type=int, default=7)
    options = parser.parse_args()
    cold_import(options.import_runs)
    handler_overhead(options.calls)


if __name__ == "__main__":
    main()
