"""Many calls at once through the real call-control handler and meeting API, against the local fakes.

`python -m simulator load --calls 200`: every call is rung before any is answered, so all are live at once;
each phase's steps (one call's part of it) run on a pool of threads in a seeded random order. The SMA is
played by one emulator per call; agents use the meeting API with Cognito ID-token claims. At the end the
invariants are checked (simulator/load_checks.py) and the figures printed.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.session

from call_control import handler as sma_handler
from call_control.runtime import build_runtime, use_runtime
from calls import schema
from calls.record import CallRecord
from calls.store import CallStore
from simulator.environment import OUR_NUMBER, LocalAws, local_aws
from simulator.fake_chime import FakeChime
from simulator.load_api import ApiAnswer, LambdaContext, LoadAgent, MeetingApi
from simulator.load_aws import (
    AwsRequestCounter,
    Change,
    acting_for,
    atomic_moto_dynamodb,
    read_changes,
    stream_changes,
)
from simulator.load_checks import check
from simulator.load_report import report
from simulator.sma import Behaviour, SimCall, SmaEmulator
from simulator.switchboard import SmaSwitchboard

SMA_ID = "5a1e0ad0-0000-4000-8000-00000000000a"  # the meeting API wants the GUID a real SMA has
TRANSFER_TO = "+12065550123"
# One cycle of the mix; a run repeats it. Every kind of call the product handles, in rough proportion.
MIX = (
    ("answered", 6),  # an agent answers, later hangs up
    ("caller_hangs_up", 3),  # an agent answers, the caller hangs up
    ("transfer", 2),  # an agent answers and transfers the caller to a phone; the caller hangs up there
    ("early_hangup", 2),  # the caller gives up while it rings; an agent's late answer is refused
    ("contested", 2),  # two agents answer at the same moment: one gets it
    ("hangup_race", 1),  # the caller hangs up just as an agent answers: either may come first
    ("outbound", 4),  # an agent calls out, the callee answers, the agent hangs up
    ("busy", 1),  # an agent calls out, the line is busy
)
INBOUND = frozenset({"answered", "caller_hangs_up", "transfer", "early_hangup", "contested", "hangup_race"})
RETRY_EVERY = 4  # every 4th call's SMA delivers each event twice (a retry after a slow answer)
PHASES = ("ring", "answer", "talk", "end")
STEP_TIMEOUT_SECONDS = 120.0  # a step is a few requests, each with botocore's own timeouts


@dataclass(frozen=True, slots=True)
class CallPlan:
    index: int
    kind: str
    retries: bool
    agent: LoadAgent
    rival: LoadAgent  # the other agent of a contested answer
    number: str  # the caller's number (inbound) or the callee's (outbound): unique to the call

    @property
    def inbound(self) -> bool:
        return self.kind in INBOUND


def plan_calls(count: int, *, agents: int = 8) -> list[CallPlan]:
    """The same calls for the same count: kinds cycle through MIX, agents and numbers by index."""
    rounds = max(weight for _, weight in MIX)
    cycle = [kind for round_ in range(rounds) for kind, weight in MIX if round_ < weight]  # interleaved
    team = [LoadAgent.numbered(number + 1) for number in range(max(2, agents))]
    return [
        CallPlan(
            index=index,
            kind=cycle[index % len(cycle)],
            retries=index % RETRY_EVERY == RETRY_EVERY - 1,
            agent=team[index % len(team)],
            rival=team[(index + 1) % len(team)],
            number=f"+1425555{index % 10_000:04d}"
            if cycle[index % len(cycle)] in INBOUND
            else f"+1206555{1000 + index % 9000:04d}",
        )
        for index in range(count)
    ]


@dataclass
class CallRun:
    """One call's side of the run: its emulated SMA, what the API answered, what went wrong."""

    plan: CallPlan
    sma: SmaEmulator
    call: SimCall | None = None
    call_id: str | None = None
    holder: LoadAgent | None = None  # the agent whose answer won
    answers: list[tuple[LoadAgent, ApiAnswer]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def expect(self, answer: ApiAnswer, status: int, what: str) -> ApiAnswer:
        if answer.status != status:
            self.problems.append(f"{what}: HTTP {answer.status}, expected {status}: {answer.body}")
        return answer


@dataclass
class LoadResult:
    runs: list[CallRun]
    timings: dict[str, list[float]]  # seconds per handler invocation, by event type or API route
    requests: AwsRequestCounter
    wall_seconds: float
    live_at_peak: int
    workers: int
    local: LocalAws
    changes: list[Change] = field(default_factory=list)  # the table's stream: every write, in order
    records: dict[str, CallRecord | None] = field(default_factory=dict)  # each call's record at the end
    problems: list[str] = field(default_factory=list)  # broken invariants, filled in by load_checks

    def kinds(self) -> Counter[str]:
        return Counter(run.plan.kind for run in self.runs)


class LoadRun:
    def __init__(self, local: LocalAws, plans: list[CallPlan], *, workers: int, seed: int) -> None:
        self.local = local
        self.plans = plans
        self.workers = workers
        self.random = random.Random(seed)  # noqa: S311 - an order of steps, not a secret
        self.timings: dict[str, list[float]] = defaultdict(list)
        self._timings_lock = threading.Lock()
        self.requests = AwsRequestCounter()
        self.requests.attach(local.session)
        api_session = botocore.session.get_session()
        self.requests.attach(api_session)
        runtime = build_runtime(local.env, session=local.session)
        if runtime.control is None:
            raise RuntimeError(f"the handler's settings are unusable: {runtime.problems}")
        self.control = runtime.control
        use_runtime(runtime)
        self.api = MeetingApi(local.env, api_session, our_number=OUR_NUMBER, record=self._timed)
        self.switchboard = SmaSwitchboard(local.chime)
        self.runs = [
            CallRun(
                plan,
                self.switchboard.emulator(
                    self._invoke_sma,
                    callee=plan.number,
                    behaviour=Behaviour(retry_every_event=plan.retries),
                    sma_id=SMA_ID,
                ),
            )
            for plan in plans
        ]

    def close(self) -> None:
        self.api.close()
        use_runtime(None)

    def _timed(self, label: str, seconds: float) -> None:
        with self._timings_lock:
            self.timings[label].append(seconds)

    def _invoke_sma(self, event: dict[str, Any]) -> dict[str, Any]:
        kind = str(event.get("InvocationEventType", "?"))
        action = (event.get("ActionData") or {}).get("Type")
        label = f"{kind}({action})" if action and kind.startswith("ACTION") else kind
        context = LambdaContext("call-control", f"{event.get('Sequence')}-{time.perf_counter_ns()}")
        started = time.perf_counter()
        response: dict[str, Any] = sma_handler.lambda_handler(event, context)
        self._timed(label, time.perf_counter() - started)
        return response

    # -- the run ----------------------------------------------------------------------------------------

    def play(self) -> LoadResult:
        started = time.perf_counter()
        live_at_peak = 0
        for phase in PHASES:
            self._phase(phase)
            if phase == "ring":
                live_at_peak = sum(1 for run in self.runs if run.call is not None and run.call.live)
        return LoadResult(
            runs=self.runs,
            timings=dict(self.timings),
            requests=self.requests,
            wall_seconds=time.perf_counter() - started,
            live_at_peak=live_at_peak,
            workers=self.workers,
            local=self.local,
        )

    def _phase(self, phase: str) -> None:
        order = list(self.runs)
        self.random.shuffle(order)
        step = getattr(self, f"_{phase}")
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=f"load-{phase}") as pool:
            futures = {pool.submit(self._guarded, step, run): run for run in order}
            _, late = wait(futures, timeout=STEP_TIMEOUT_SECONDS * max(1, len(order) // self.workers))
            for future in late:
                futures[future].problems.append(f"{phase}: still running after the phase's time limit")

    def _guarded(self, step: Callable[[CallRun], None], run: CallRun) -> None:
        with acting_for(run.plan.index, "sma"):
            try:
                step(run)
            except Exception as error:  # a crash in one call is that call's problem, reported as such
                run.problems.append(f"{step.__name__}: {type(error).__name__}: {error}")

    def _ring(self, run: CallRun) -> None:
        plan = run.plan
        if plan.inbound:
            call = run.sma.inbound_call(plan.number, OUR_NUMBER)
            run.call, run.call_id = call, call.transaction_id
            self.switchboard.place(call.transaction_id, run.sma)
            return
        placed = run.expect(self._api(run, lambda: self.api.place_call(plan.agent, plan.number)), 201, "dial")
        run.call_id, run.holder = placed.field("call", "id"), plan.agent
        calls = list(run.sma.calls.values())
        if len(calls) != 1:
            run.problems.append(f"dial: the SMA was asked for {len(calls)} calls, expected 1")
            return
        run.call = calls[0]
        run.sma.dial(run.call)

    def _answer(self, run: CallRun) -> None:
        plan, call = run.plan, run.call
        if call is None or run.call_id is None:
            return
        match plan.kind:
            case "outbound":
                run.sma.far_end_answers(call)
            case "busy":
                run.sma.far_end_rejects(call, 486)
            case "early_hangup":
                run.sma.phone_hangs_up(call)
                run.sma.drain()
                self._try_answer(run, plan.agent)
            case "contested":
                self._at_once(run, lambda: self._try_answer(run, plan.rival, elsewhere=True))
            case "hangup_race":
                self._at_once(run, lambda: run.sma.phone_hangs_up(call))
            case _:
                self._try_answer(run, plan.agent)
        run.sma.drain()

    def _at_once(self, run: CallRun, other: Callable[[], None]) -> None:
        """The agent answers while `other` happens on another thread, released together."""
        start = threading.Barrier(2, timeout=STEP_TIMEOUT_SECONDS)

        def together() -> None:
            start.wait()
            self._guarded(lambda _: other(), run)

        thread = threading.Thread(target=together, daemon=True)
        thread.start()
        start.wait()
        self._try_answer(run, run.plan.agent)
        thread.join(timeout=STEP_TIMEOUT_SECONDS)
        if thread.is_alive():
            run.problems.append("answer: the concurrent step did not finish in time")

    def _try_answer(self, run: CallRun, agent: LoadAgent, *, elsewhere: bool = False) -> None:
        assert run.call_id is not None
        call_id = run.call_id
        ask = self.api.answer_elsewhere if elsewhere else self.api.answer
        answer = self._api(run, lambda: ask(agent, call_id))
        run.answers.append((agent, answer))
        if answer.status == 200:
            run.holder = agent

    def _talk(self, run: CallRun) -> None:
        if run.call_id is None or run.holder is None or run.call is None or not run.call.live:
            return
        call_id, holder = run.call_id, run.holder
        seen = run.expect(self._api(run, lambda: self.api.get_call(holder, call_id)), 200, "look")
        if seen.field("call", "id") != call_id or seen.field("call", "answeredBy") != holder.sub:
            run.problems.append(f"look: the agent was shown {seen.body}")
        if run.plan.kind == "transfer":
            asked = self._api(run, lambda: self.api.transfer(holder, call_id, TRANSFER_TO))
            run.expect(asked, 202, "transfer")
            run.sma.drain()

    def _end(self, run: CallRun) -> None:
        call = run.call
        if call is None or run.call_id is None or not call.live:
            return
        if run.plan.kind in {"caller_hangs_up", "transfer"}:
            run.sma.phone_hangs_up(call)
        elif run.holder is not None:
            call_id, holder = run.call_id, run.holder
            run.expect(self._api(run, lambda: self.api.hang_up(holder, call_id)), 202, "hang up")
        run.sma.drain()

    def _api(self, run: CallRun, request: Callable[[], ApiAnswer]) -> ApiAnswer:
        with acting_for(run.plan.index, "api"):
            return request()


@contextmanager
def quiet_lambdas(show_logs: bool) -> Iterator[None]:
    """Logs formatted (part of the cost) but not shown; metrics printed to nowhere, stdout restored after.

    SmaEmulator captures each invocation's stdout with contextlib.redirect_stdout, which threads undo in
    the wrong order: whatever sys.stdout is left as, it is put back here.
    """
    saved = sys.stdout
    sinks: list[tuple[logging.StreamHandler[Any], Any]] = []
    if not show_logs:
        for name in ("call-control", "meeting-api", "urllib3"):
            for handler in logging.getLogger(name).handlers:
                if isinstance(handler, logging.StreamHandler):
                    sinks.append((handler, handler.setStream(open(os.devnull, "w"))))  # noqa: SIM115
    urllib3 = logging.getLogger("urllib3")
    level = urllib3.level
    urllib3.setLevel(logging.ERROR)  # "connection pool is full, discarding connection": expected here
    sys.stdout = io.StringIO() if not show_logs else saved
    try:
        yield
    finally:
        sys.stdout = saved
        urllib3.setLevel(level)
        for handler, stream in sinks:
            quiet = handler.setStream(stream)
            if quiet is not None:
                quiet.close()


def run_load(
    calls: int,
    *,
    workers: int = 8,
    seed: int = 11,
    chime: FakeChime | None = None,
    show_logs: bool = False,
    relaxed_budget: bool = False,
) -> LoadResult:
    """Play `calls` calls at once and return what happened (the fakes' state is in .local until exit).

    `relaxed_budget`: give the handler 60 s instead of the SMA's few to answer, so that a test on a
    machine too busy to be timed still tests isolation rather than speed.
    """
    plans = plan_calls(calls)
    with (
        local_aws({"SMA_ID": SMA_ID}, chime=chime) as local,
        atomic_moto_dynamodb(),
        quiet_lambdas(show_logs),
    ):
        stream_changes(local.dynamodb, local.env["CALLS_TABLE_NAME"])
        run = LoadRun(local, plans, workers=workers, seed=seed)
        if relaxed_budget:
            run.control.budget_seconds = 60.0  # as tests/unit/lambdas/call_control do
        try:
            result = run.play()
            # While moto still holds the table:
            table = local.env["CALLS_TABLE_NAME"]
            result.changes = read_changes(local.dynamodb, table, schema.PARTITION_KEY)
            store = CallStore(local.dynamodb, table)
            result.records = {c.call_id: store.get(c.call_id) for c in result.runs if c.call_id}
            result.problems = check(result)
            return result
        finally:
            run.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator load", description=__doc__)
    parser.add_argument("--calls", type=int, default=200, help="calls live at once")
    parser.add_argument("--workers", type=int, default=8, help="threads invoking the handlers")
    parser.add_argument("--seed", type=int, default=11, help="the order steps run in")
    parser.add_argument("--show-logs", action="store_true", help="print the handlers' logs too")
    options = parser.parse_args(argv)
    result = run_load(options.calls, workers=options.workers, seed=options.seed, show_logs=options.show_logs)
    print(report(result))
    return 1 if result.problems else 0
