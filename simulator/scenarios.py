"""Whole calls, played through the real handler: inbound (caller → meeting → agent) and outbound (agent dials).

Times in a scenario are seconds of virtual time after the phone leg joined the meeting. Every minute of
virtual time the real sweeper runs, as EventBridge would run it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import boto3

from call_control import handler
from call_control.runtime import build_runtime, use_runtime
from call_control.sweeper import SweepReport, build_sweeper
from calls.contracts import hangup_request, outbound_arguments, transfer_request
from calls.record import CallRecord, CallStatus, Direction, iso, phone_leg_user_id
from calls.store import CallStore, TransitionRefused
from simulator.environment import OUR_NUMBER, LocalAws, local_aws
from simulator.fake_chime import RecordedRequest
from simulator.sma import Behaviour, Dialogue, Exchange, Line, SimCall, SmaEmulator, VirtualClock

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_meetings import ChimeSDKMeetingsClient
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient

CALLER = "+12065550100"
# As the meeting API names agents: their Cognito sub is who holds a call, the e-mail what others see.
AGENT = "3c1f4b2e-8d7a-4f0e-9b61-2a5d7e9c0f11"
AGENT_EMAIL = "ann@example.com"
CHIME_FAULTS = {
    "throttle": "ThrottlingException",
    "5xx": "ServiceFailureException",
    "unavailable": "ServiceUnavailableException",
}


@dataclass
class InboundScenario:
    caller: str = CALLER
    greeting: str | None = None  # None: the default greeting; "" for none
    agent_answers_after: float | None = 3.0  # None: nobody answers (the wait times out)
    agent_hangs_up_after: float | None = None
    caller_hangs_up_after: float | None = 45.0
    transfer_to: str | None = None
    transfer_after: float = 10.0
    transfer_answers: bool = True
    retry_every_event: bool = False
    fail_actions: tuple[str, ...] = ()
    chime_fault: str | None = None  # throttle | 5xx | unavailable (on meeting creation)
    dynamodb_fault: str | None = None  # down (from the start) | after-setup (once the meeting exists)
    out_of_order_hangup: bool = False  # the caller hangs up before JoinChimeMeeting's success arrives
    meeting_deleted_after: float | None = None  # somebody deletes the meeting under the caller
    wait_timeout: int = 300
    horizon: float = 3600.0


@dataclass
class OutboundScenario:
    callee: str = CALLER
    outcome: str = "answer"  # answer | busy | no-answer | failed
    callee_hangs_up_after: float | None = 30.0
    agent_hangs_up_after: float | None = None
    retry_every_event: bool = False
    fail_actions: tuple[str, ...] = ()
    drop_outbound_attributes: bool = False
    horizon: float = 1800.0


@dataclass
class SimulationResult:
    lines: list[Line]
    exchanges: list[Exchange]
    records: list[CallRecord]
    chime_requests: list[RecordedRequest]
    chime_violations: list[str]
    contract_violations: list[str]
    retry_mismatches: list[str]
    meetings_left: list[str]
    sweeps: list[SweepReport] = field(default_factory=list)

    @property
    def record(self) -> CallRecord:
        return self.records[0]

    def calls_to(self, operation: str) -> list[RecordedRequest]:
        return [request for request in self.chime_requests if request.operation == operation]

    def transcript(self) -> str:
        return "\n".join(format_line(line) for line in self.lines)


def format_line(line: Line) -> str:
    return f"{line.at:7.1f}s  {line.who:>8}  {line.text}"


class _Context:
    """Enough of a Lambda context for Powertools."""

    function_name = "call-control-simulator"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:call-control-simulator"
    log_group_name = "/aws/lambda/call-control-simulator"
    log_stream_name = "simulator"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 60_000


class AgentDesk:
    """What the meeting API does on an agent's behalf, through the same AWS APIs."""

    def __init__(self, simulation: Simulation) -> None:
        self._sim = simulation
        session = boto3.session.Session()
        self.meetings: ChimeSDKMeetingsClient = session.client("chime-sdk-meetings")
        self.voice: ChimeSDKVoiceClient = session.client("chime-sdk-voice")

    def answer(self, call_id: str) -> bool:
        sim = self._sim
        now = sim.clock.now()
        try:
            record = sim.store.transition(
                call_id,
                CallStatus.IN_PROGRESS,
                now=now,
                set_fields={"answered_by": AGENT, "answered_by_email": AGENT_EMAIL, "answered_at": iso(now)},
                from_statuses=[CallStatus.RINGING],
                answered_by_absent=True,
            )
        except TransitionRefused as refused:
            state = refused.current.status.value if refused.current else "gone"
            sim.dialogue.say("agent", f"{AGENT_EMAIL} tries to answer, but the call is {state}")
            return False
        if record.meeting_id:
            attendee = self.meetings.create_attendee(
                MeetingId=record.meeting_id, ExternalUserId=f"agent-{AGENT}"
            )["Attendee"]
            meeting = sim.local.chime.meetings.get(record.meeting_id)
            if meeting is not None:
                meeting.present.add(attendee["AttendeeId"])
        sim.dialogue.say("agent", f"{AGENT_EMAIL} answers and joins the meeting")
        return True

    def request(self, call_id: str, arguments: dict[str, str]) -> None:
        sim = self._sim
        record = sim.store.get(call_id)
        if record is None or not record.transaction_id or not record.is_active:
            sim.dialogue.say("agent", f"{AGENT_EMAIL} wanted {arguments}, but the call is over")
            return
        sim.dialogue.say("agent", f"{AGENT_EMAIL} asks for {arguments}")
        try:
            self.voice.update_sip_media_application_call(
                SipMediaApplicationId=sim.env["SMA_ID"],
                TransactionId=record.transaction_id,
                Arguments=arguments,
            )
        except self.voice.exceptions.NotFoundException:
            sim.dialogue.say("agent", "the SMA no longer knows the call")

    def place_call(self, to_number: str) -> tuple[str, str]:
        """Create the meeting (phone leg + agent), record the call, place it; returns (call id, transaction id)."""
        sim = self._sim
        call_id = str(uuid.uuid4())
        created = self.meetings.create_meeting_with_attendees(
            ClientRequestToken=f"out-{call_id}",
            MediaRegion=sim.env["MEETING_REGION"],
            ExternalMeetingId=f"call-{call_id}",
            Attendees=[{"ExternalUserId": phone_leg_user_id(call_id)}, {"ExternalUserId": f"agent-{AGENT}"}],
        )
        meeting_id = created["Meeting"]["MeetingId"]
        phone, agent = created["Attendees"]
        sim.local.chime.meetings[meeting_id].present.add(agent["AttendeeId"])
        sim.store.create(
            CallRecord.new(
                call_id=call_id,
                direction=Direction.OUTBOUND,
                from_number=OUR_NUMBER,
                to_number=to_number,
                status=CallStatus.DIALING,
                now=sim.clock.now(),
                meeting_id=meeting_id,
                answered_by=AGENT,
                answered_by_email=AGENT_EMAIL,
                placed_by=AGENT,
            )
        )
        placed = self.voice.create_sip_media_application_call(
            FromPhoneNumber=OUR_NUMBER,
            ToPhoneNumber=to_number,
            SipMediaApplicationId=sim.env["SMA_ID"],
            ArgumentsMap=outbound_arguments(
                call_id=call_id, meeting_id=meeting_id, join_token=phone["JoinToken"]
            ),
        )
        transaction_id = placed["SipMediaApplicationCall"]["TransactionId"]
        sim.store.update_fields(call_id, now=sim.clock.now(), set_fields={"transaction_id": transaction_id})
        sim.dialogue.say("agent", f"{AGENT} calls {to_number} (meeting created, agent waiting in it)")
        return call_id, transaction_id


class Simulation:
    """One run: local AWS, the real handler with a virtual clock, the SMA emulator, the sweeper."""

    def __init__(
        self,
        local: LocalAws,
        *,
        behaviour: Behaviour,
        echo: Callable[[Line], None] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.local = local
        self.env = {**local.env, **(env or {})}
        self.clock = VirtualClock()
        self.dialogue = Dialogue(self.clock)
        self.dialogue.echo = echo
        runtime = build_runtime(self.env, clock=self.clock.now, session=local.session)
        if runtime.control is None:
            raise RuntimeError(f"the handler's settings are unusable: {runtime.problems}")
        use_runtime(runtime)
        self.store = CallStore(local.dynamodb, self.env["CALLS_TABLE_NAME"])
        # The sweeper runs later, in its own Lambda: faults injected into the handler's session spare it.
        self.sweeper = build_sweeper(self.env, clock=self.clock.now)
        self.sma = SmaEmulator(
            invoke=lambda event: handler.lambda_handler(event, _Context()),
            chime=local.chime,
            clock=self.clock,
            dialogue=self.dialogue,
            behaviour=behaviour,
            sma_id=self.env["SMA_ID"],
        )
        self.agent = AgentDesk(self)
        self.sweeps: list[SweepReport] = []

    def close(self) -> None:
        use_runtime(None)

    def sweep(self) -> None:
        report = self.sweeper.sweep(now=self.clock.now())
        self.sweeps.append(report)
        if (
            report.timeouts_requested
            or report.calls_force_ended
            or report.meetings_deleted
            or report.problems
        ):
            self.dialogue.say("sweeper", _summary(report))
        self.sma.drain()

    def play(
        self, timeline: list[tuple[float, str, Callable[[], None]]], call: SimCall, horizon: float
    ) -> None:
        """Run the scripted moments in time order, with a sweep every virtual minute, until all is done."""
        start = self.clock.elapsed()
        moments = [(start + at, order, name, action) for order, (at, name, action) in enumerate(timeline)]
        minute = 60.0 * (int(start // 60) + 1)
        while minute <= start + horizon:
            moments.append((minute, len(moments), "sweep", self.sweep))
            minute += 60.0
        for at, _, name, action in sorted(moments, key=lambda item: (item[0], item[1])):
            if not call.live and name != "sweep":
                continue
            if not call.live and self._settled():
                break
            self.clock.advance(max(0.0, at - self.clock.elapsed()))
            action()
            self.sma.drain()

    def _settled(self) -> bool:
        records = self.records()
        return all(
            not record.is_active and (not record.meeting_id or record.meeting_ended_at) for record in records
        )

    def records(self) -> list[CallRecord]:
        page = self.store.list_recent(limit=100)
        return list(reversed(page.calls))

    def result(self) -> SimulationResult:
        return SimulationResult(
            lines=list(self.dialogue.lines),
            exchanges=list(self.sma.exchanges),
            records=self.records(),
            chime_requests=list(self.local.chime.requests),
            chime_violations=list(self.local.chime.violations),
            contract_violations=list(self.sma.contract_violations),
            retry_mismatches=list(self.sma.retry_mismatches),
            meetings_left=sorted(self.local.chime.meetings),
            sweeps=list(self.sweeps),
        )


def _summary(report: SweepReport) -> str:
    parts = [
        f"{report.timeouts_requested} timeout(s) requested" if report.timeouts_requested else "",
        f"{report.calls_force_ended} stuck call(s) ended" if report.calls_force_ended else "",
        f"{report.meetings_deleted} meeting(s) cleaned up" if report.meetings_deleted else "",
        "; ".join(report.problems),
    ]
    return ", ".join(part for part in parts if part)


def _fail_counts(names: tuple[str, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return counts


def run_inbound(
    scenario: InboundScenario, *, echo: Callable[[Line], None] | None = None, local: LocalAws | None = None
) -> SimulationResult:
    overrides: dict[str, str] = {"WAIT_TIMEOUT_SECONDS": str(scenario.wait_timeout)}
    if scenario.greeting is not None:
        overrides["GREETING_TEXT"] = scenario.greeting
    if local is not None:
        return _inbound(scenario, local, echo, overrides)
    with local_aws() as fresh:
        return _inbound(scenario, fresh, echo, overrides)


def _inbound(
    scenario: InboundScenario,
    local: LocalAws,
    echo: Callable[[Line], None] | None,
    overrides: Mapping[str, str],
) -> SimulationResult:
    behaviour = Behaviour(
        retry_every_event=scenario.retry_every_event,
        fail_actions=_fail_counts(scenario.fail_actions),
        transfer_answers=scenario.transfer_answers,
        hold_join_success=scenario.out_of_order_hangup,
    )
    sim = Simulation(local, behaviour=behaviour, echo=echo, env=overrides)
    try:
        if scenario.chime_fault:
            local.chime.fail_next("CreateMeetingWithAttendees", CHIME_FAULTS[scenario.chime_fault], times=10)
        if scenario.dynamodb_fault == "down":
            local.faults.down = True
        if scenario.dynamodb_fault == "after-setup":
            # Up while the call is set up (its one PutItem); down from the next event's GetItem on.
            local.faults.fail_from("GetItem", 1)
        call = sim.sma.inbound_call(scenario.caller, OUR_NUMBER)
        if scenario.out_of_order_hangup:
            sim.sma.phone_hangs_up(call)
            sim.sma.release_held_events()
        call_id = call.transaction_id
        timeline: list[tuple[float, str, Callable[[], None]]] = []
        if scenario.agent_answers_after is not None:
            timeline.append((scenario.agent_answers_after, "answer", lambda: _answer(sim, call_id)))
        if scenario.transfer_to:
            arguments = transfer_request(scenario.transfer_to)
            timeline.append(
                (scenario.transfer_after, "transfer", lambda: sim.agent.request(call_id, arguments))
            )
        if scenario.agent_hangs_up_after is not None:
            timeline.append(
                (
                    scenario.agent_hangs_up_after,
                    "hangup",
                    lambda: sim.agent.request(call_id, hangup_request()),
                )
            )
        if scenario.meeting_deleted_after is not None:
            timeline.append((scenario.meeting_deleted_after, "delete", lambda: _delete_meeting(sim, call_id)))
        if scenario.caller_hangs_up_after is not None:
            timeline.append((scenario.caller_hangs_up_after, "caller", lambda: sim.sma.phone_hangs_up(call)))
        sim.play(timeline, call, scenario.horizon)
        return sim.result()
    finally:
        sim.close()


def _answer(sim: Simulation, call_id: str) -> None:
    sim.agent.answer(call_id)


def _delete_meeting(sim: Simulation, call_id: str) -> None:
    record = sim.store.get(call_id)
    if record is not None and record.meeting_id:
        sim.dialogue.say("api", "somebody deletes the meeting")
        sim.agent.meetings.delete_meeting(MeetingId=record.meeting_id)


def run_outbound(
    scenario: OutboundScenario, *, echo: Callable[[Line], None] | None = None, local: LocalAws | None = None
) -> SimulationResult:
    if local is not None:
        return _outbound(scenario, local, echo)
    with local_aws() as fresh:
        return _outbound(scenario, fresh, echo)


def _outbound(
    scenario: OutboundScenario, local: LocalAws, echo: Callable[[Line], None] | None
) -> SimulationResult:
    behaviour = Behaviour(
        retry_every_event=scenario.retry_every_event,
        fail_actions=_fail_counts(scenario.fail_actions),
        drop_outbound_attributes=scenario.drop_outbound_attributes,
    )
    sim = Simulation(local, behaviour=behaviour, echo=echo)
    try:
        call_id, transaction_id = sim.agent.place_call(scenario.callee)
        call = sim.sma.calls[transaction_id]
        sim.sma.dial(call)
        sim.clock.advance(5)
        match scenario.outcome:
            case "answer":
                sim.sma.far_end_answers(call)
            case "busy":
                sim.sma.far_end_rejects(call, 486)
            case "no-answer":
                sim.clock.advance(25)
                sim.sma.far_end_rejects(call, 480)
            case _:
                sim.sma.far_end_rejects(call, 404)
        sim.sma.drain()
        timeline: list[tuple[float, str, Callable[[], None]]] = []
        if scenario.agent_hangs_up_after is not None:
            timeline.append(
                (
                    scenario.agent_hangs_up_after,
                    "hangup",
                    lambda: sim.agent.request(call_id, hangup_request()),
                )
            )
        if scenario.callee_hangs_up_after is not None:
            timeline.append((scenario.callee_hangs_up_after, "callee", lambda: sim.sma.phone_hangs_up(call)))
        sim.play(timeline, call, scenario.horizon)
        return sim.result()
    finally:
        sim.close()
