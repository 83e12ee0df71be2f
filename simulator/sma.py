"""The SIP media application's side of a call: sends real-shaped events, applies the actions it gets back.

Behaviour follows the developer guide: actions run in order and a response replaces what is left; an
ACTION_SUCCESSFUL comes after the last action or after JoinChimeMeeting / CallAndBridge / a Hangup of the
meeting leg; ACTION_FAILED drops the rest; HANGUP comes for every leg that ends, and what it returns runs
only while another leg is still connected; CALL_UPDATE_REQUESTED comes (asynchronously) after
UpdateSipMediaApplicationCall; an invalid response is answered with INVALID_LAMBDA_RESPONSE.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from calls.e164 import is_e164
from simulator.fake_chime import FakeChime
from simulator.sma_contract import check_response

MEETING_DIAL_IN = "+17035550122"  # the number the developer guide shows on the meeting leg
ACCOUNT = "123456789012"
REGION = "us-east-1"


class VirtualClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC).replace(microsecond=0)
        self.started = self._now

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)

    def move_to(self, moment: datetime) -> None:
        self._now = max(self._now, moment)

    def elapsed(self) -> float:
        return (self._now - self.started).total_seconds()

    def epoch_ms(self) -> int:
        return int(self._now.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class Line:
    at: float
    who: str
    text: str


@dataclass(slots=True)
class Exchange:
    """One invocation: the event sent and the response received."""

    event: dict[str, Any]
    response: dict[str, Any]
    seconds: float
    retry: bool = False
    metrics: dict[str, float] = field(default_factory=dict)


class Dialogue:
    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self.lines: list[Line] = []
        self.echo: Callable[[Line], None] | None = None

    def say(self, who: str, text: str) -> None:
        line = Line(self._clock.elapsed(), who, text)
        self.lines.append(line)
        if self.echo is not None:
            self.echo(line)


@dataclass(slots=True)
class Leg:
    call_id: str
    tag: str
    to_number: str
    from_number: str
    direction: str
    start_ms: int
    status: str | None = "Connected"
    kind: str = "phone"  # phone | meeting | bridge
    meeting_id: str | None = None
    attendee_id: str | None = None

    def view(self) -> dict[str, Any]:
        view: dict[str, Any] = {
            "CallId": self.call_id,
            "ParticipantTag": self.tag,
            "To": self.to_number,
            "From": self.from_number,
            "Direction": self.direction,
            "StartTimeInMilliseconds": str(self.start_ms),
        }
        if self.status is not None:
            view["Status"] = self.status
        return view

    @property
    def connected(self) -> bool:
        return self.status == "Connected"


@dataclass(slots=True)
class SimCall:
    transaction_id: str
    direction: str  # inbound | outbound
    legs: list[Leg]
    attributes: dict[str, str] = field(default_factory=dict)
    sequence: int = 0
    arguments: dict[str, str] = field(default_factory=dict)

    def leg(self, tag: str) -> Leg | None:
        return next((leg for leg in self.legs if leg.tag == tag and leg.connected), None)

    def by_call_id(self, call_id: str) -> Leg | None:
        return next((leg for leg in self.legs if leg.call_id == call_id), None)

    @property
    def phone(self) -> Leg:
        return self.legs[0]

    @property
    def live(self) -> bool:
        return any(leg.connected or leg.status is None for leg in self.legs)

    @property
    def our_number(self) -> str:
        return self.phone.to_number if self.direction == "inbound" else self.phone.from_number


@dataclass(slots=True)
class Behaviour:
    retry_every_event: bool = False
    fail_actions: dict[str, int] = field(default_factory=dict)  # action type -> how many times to fail it
    transfer_answers: bool = True
    hold_join_success: bool = False  # deliver JoinChimeMeeting's ACTION_SUCCESSFUL only when released
    # Forget the attributes returned on NEW_OUTBOUND_CALL and RINGING, as the developer guide says the SMA
    # ignores those answers; off, the SMA keeps them (what the handler may not rely on).
    drop_outbound_attributes: bool = False


@dataclass(slots=True)
class _Report:
    event_type: str
    action_data: dict[str, Any]
    always: bool = False  # the SMA invokes the Lambda even if actions remain


class SmaEmulator:
    def __init__(
        self,
        *,
        invoke: Callable[[dict[str, Any]], dict[str, Any]],
        chime: FakeChime,
        clock: VirtualClock,
        dialogue: Dialogue,
        behaviour: Behaviour | None = None,
        sma_id: str = "sim-sma",
    ) -> None:
        self._invoke_handler = invoke
        self._chime = chime
        self.clock = clock
        self.dialogue = dialogue
        self.behaviour = behaviour or Behaviour()
        self.sma_id = sma_id
        self.calls: dict[str, SimCall] = {}
        self.exchanges: list[Exchange] = []
        self.retry_mismatches: list[str] = []
        self.contract_violations: list[str] = []
        self._updates: deque[tuple[str, dict[str, str]]] = deque()
        self._held: deque[tuple[SimCall, _Report]] = deque()
        self._lock = threading.Lock()
        chime.on_update_call = self._update_requested
        chime.on_create_call = self._create_call

    # -- placing calls ----------------------------------------------------------------------------------

    def inbound_call(self, from_number: str, to_number: str) -> SimCall:
        call = SimCall(
            transaction_id=str(uuid.uuid4()),
            direction="inbound",
            legs=[Leg(str(uuid.uuid4()), "LEG-A", to_number, from_number, "Inbound", self.clock.epoch_ms())],
        )
        self.calls[call.transaction_id] = call
        self.dialogue.say("phone", f"{from_number} dials {to_number}")
        self._run(call, self._deliver(call, "NEW_INBOUND_CALL"))
        return call

    def _create_call(self, sma_id: str, from_number: str, to_number: str, arguments: dict[str, str]) -> str:
        """CreateSipMediaApplicationCall (through the fake voice endpoint): the call starts dialing."""
        call = SimCall(
            transaction_id=str(uuid.uuid4()),
            direction="outbound",
            legs=[Leg(str(uuid.uuid4()), "LEG-A", to_number, from_number, "Outbound", 0, status=None)],
            arguments=arguments,
        )
        with self._lock:
            self.calls[call.transaction_id] = call
        return call.transaction_id

    def dial(self, call: SimCall) -> None:
        """NEW_OUTBOUND_CALL then RINGING; what the far end does next is up to the scenario."""
        call.phone.start_ms = self.clock.epoch_ms()
        self.dialogue.say("sma", f"dials {call.phone.to_number} from {call.phone.from_number}")
        self._deliver(
            call,
            "NEW_OUTBOUND_CALL",
            {"Type": "CallCreateRequest", "Parameters": {"Arguments": call.arguments}},
        )
        self._deliver(call, "RINGING")  # responses to both are ignored by the SMA
        if self.behaviour.drop_outbound_attributes and call.attributes:
            self.dialogue.say("sma", "drops the attributes returned on NEW_OUTBOUND_CALL and RINGING")
            call.attributes = {}

    def far_end_answers(self, call: SimCall) -> None:
        call.phone.status = "Connected"
        self.dialogue.say("phone", f"{call.phone.to_number} answers")
        self._run(call, self._deliver(call, "CALL_ANSWERED"))

    def far_end_rejects(self, call: SimCall, sip_code: int) -> None:
        call.phone.status = "Disconnected"
        self.dialogue.say("phone", f"{call.phone.to_number} does not take the call (SIP {sip_code})")
        self._hangup_event(call, call.phone, sip_code)

    # -- things that happen on a call -------------------------------------------------------------------

    def phone_hangs_up(self, call: SimCall) -> None:
        phone = call.phone
        if not phone.connected:
            return
        self.dialogue.say("phone", "hangs up")
        self._disconnect(call, phone)
        self._hangup_event(call, phone, 0)

    def release_held_events(self) -> None:
        while self._held:
            call, report = self._held.popleft()
            self.dialogue.say("sma", f"(late) {report.event_type}({report.action_data.get('Type')})")
            self._run(call, self._deliver(call, report.event_type, report.action_data))

    def drain(self) -> None:
        """Deliver what happened asynchronously: update requests, meetings deleted under a caller."""
        for _ in range(100):
            progressed = False
            with self._lock:
                update = self._updates.popleft() if self._updates else None
            if update is not None:
                progressed = True
                transaction_id, arguments = update
                call = self.calls[transaction_id]
                self.dialogue.say("api", f"UpdateSipMediaApplicationCall {arguments}")
                self._run(
                    call,
                    self._deliver(
                        call,
                        "CALL_UPDATE_REQUESTED",
                        {"Type": "CallUpdateRequest", "Parameters": {"Arguments": arguments}},
                    ),
                )
            for call in list(self.calls.values()):
                for leg in call.legs:
                    if leg.kind == "meeting" and leg.connected and leg.meeting_id not in self._chime.meetings:
                        progressed = True
                        self.dialogue.say("chime", "the meeting ended; the meeting leg drops")
                        leg.status = "Disconnected"
                        self._hangup_event(call, leg, 0)
            if not progressed:
                return

    def _update_requested(self, sma_id: str, transaction_id: str, arguments: dict[str, str]) -> bool:
        with self._lock:
            call = self.calls.get(transaction_id)
            if sma_id != self.sma_id or call is None or not call.live:
                return False
            self._updates.append((transaction_id, arguments))
            return True

    # -- invoking the Lambda ----------------------------------------------------------------------------

    def _event(self, call: SimCall, event_type: str, action_data: Mapping[str, Any] | None) -> dict[str, Any]:
        details: dict[str, Any] = {
            "TransactionId": call.transaction_id,
            "AwsAccountId": ACCOUNT,
            "AwsRegion": REGION,
            "SipMediaApplicationId": self.sma_id,
            "Participants": [leg.view() for leg in call.legs],
        }
        if call.attributes:
            details["TransactionAttributes"] = dict(call.attributes)
        event: dict[str, Any] = {
            "SchemaVersion": "1.0",
            "Sequence": call.sequence,
            "InvocationEventType": event_type,
            "CallDetails": details,
        }
        if action_data is not None:
            event["ActionData"] = copy.deepcopy(dict(action_data))
        return event

    def _deliver(
        self, call: SimCall, event_type: str, action_data: Mapping[str, Any] | None = None, *, depth: int = 0
    ) -> list[dict[str, Any]]:
        call.sequence += 1
        event = self._event(call, event_type, action_data)
        label = event_type + (
            f"({action_data.get('Type')})" if action_data and event_type != "HANGUP" else ""
        )
        self.dialogue.say("sma→λ", f"#{call.sequence} {label}")
        response = self._invoke(event, retry=False)
        if self.behaviour.retry_every_event:
            again = self._invoke(event, retry=True)
            if _comparable(again) != _comparable(response):
                self.retry_mismatches.append(f"#{call.sequence} {label}: {response} != {again}")
                self.dialogue.say("sma", "RETRY GOT A DIFFERENT ANSWER")
            else:
                self.dialogue.say("sma", "retried the event: same answer")
            response = again
        problems = check_response(response)
        if problems:
            self.contract_violations += problems
            self.dialogue.say("sma", f"INVALID RESPONSE: {'; '.join(problems)}")
            if depth >= 2:
                return []
            error = {"ErrorType": "ActionValidationError", "ErrorMessage": problems[0]}
            return self._deliver_invalid(call, error, depth)
        if "TransactionAttributes" in response:
            call.attributes = dict(response["TransactionAttributes"])
        return list(response["Actions"])

    def _deliver_invalid(self, call: SimCall, error: dict[str, str], depth: int) -> list[dict[str, Any]]:
        call.sequence += 1
        event = self._event(call, "INVALID_LAMBDA_RESPONSE", None)
        event.update(error)
        self.dialogue.say("sma→λ", f"#{call.sequence} INVALID_LAMBDA_RESPONSE")
        response = self._invoke(event, retry=False)
        if check_response(response):
            return []
        if "TransactionAttributes" in response:
            call.attributes = dict(response["TransactionAttributes"])
        return list(response["Actions"])

    def _invoke(self, event: dict[str, Any], *, retry: bool) -> dict[str, Any]:
        sent = json.loads(json.dumps(event))  # exactly what JSON can carry
        captured = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(captured):
            response = self._invoke_handler(sent)
        seconds = time.perf_counter() - started
        try:
            response = json.loads(json.dumps(response))
        except (TypeError, ValueError):
            response = {"unserializable": repr(response)}
        exchange = Exchange(
            event=sent, response=response, seconds=seconds, retry=retry, metrics=_emf(captured)
        )
        self.exchanges.append(exchange)
        actions = response.get("Actions") if isinstance(response, dict) else None
        names = ", ".join(_describe(action) for action in actions or []) or "no actions"
        attributes = response.get("TransactionAttributes") if isinstance(response, dict) else None
        suffix = f"  attributes→{sorted(attributes)}" if isinstance(attributes, dict) else ""
        if not retry:
            self.dialogue.say("λ→sma", names + suffix)
            if exchange.metrics:
                self.dialogue.say("metrics", ", ".join(f"{k}={v:g}" for k, v in exchange.metrics.items()))
        return response

    # -- running actions --------------------------------------------------------------------------------

    def _run(self, call: SimCall, actions: list[dict[str, Any]]) -> None:
        pending = deque(actions)
        if pending and not call.live:
            self.dialogue.say("sma", "the call is over: ignores the actions")
            return
        while pending:
            action = pending.popleft()
            report = self._execute(call, action)
            if report is None:
                continue
            if report.event_type == "HANGUP":
                pending = deque(self._hangup_followup(call, report))
                continue
            if report.event_type == "ACTION_FAILED" or report.always or not pending:
                if report.action_data.get("Type") == "JoinChimeMeeting" and self.behaviour.hold_join_success:
                    self.behaviour.hold_join_success = False
                    self._held.append((call, report))
                    return
                pending = deque(self._deliver(call, report.event_type, report.action_data))

    def _fails(self, kind: str) -> bool:
        remaining = self.behaviour.fail_actions.get(kind, 0)
        if remaining > 0:
            self.behaviour.fail_actions[kind] = remaining - 1
            return True
        return False

    def _execute(self, call: SimCall, action: Mapping[str, Any]) -> _Report | None:
        kind = str(action.get("Type"))
        parameters = dict(action.get("Parameters", {}))
        data: dict[str, Any] = {"Type": kind, "Parameters": parameters}

        def failed(error_type: str, message: str) -> _Report:
            self.dialogue.say("sma", f"{kind} FAILED: {error_type}: {message}")
            return _Report("ACTION_FAILED", {**data, "ErrorType": error_type, "ErrorMessage": message})

        target = self._target(call, parameters)
        if kind in {"Speak", "PlayAudio", "Pause"}:
            if target is None:
                return failed(
                    "InvalidActionParameter", "CallId or ParticipantTag parameter for action is invalid."
                )
            if self._fails(kind):
                return failed("SystemException", "System error while running action.")
            what = parameters.get("Text") or parameters.get("AudioSource", {}).get("Key") or "silence"
            self.dialogue.say("phone", f"hears: {what}")
            self.clock.advance(2)
            return _Report("ACTION_SUCCESSFUL", data)
        if kind == "JoinChimeMeeting":
            return self._join(call, parameters, data, failed)
        if kind == "Hangup":
            if target is None:
                return failed(
                    "InvalidActionParameter", "CallId or ParticipantTag parameter for action is invalid."
                )
            if self._fails(kind):
                return failed("SystemException", "System error while running action.")
            return self._hang_up(call, target, parameters, data)
        if kind == "CallAndBridge":
            return self._bridge(call, parameters, data, failed)
        return failed("InvalidActionParameter", f"{kind} is not an action")

    def _target(self, call: SimCall, parameters: Mapping[str, Any]) -> Leg | None:
        if "CallId" in parameters:
            leg = call.by_call_id(str(parameters["CallId"]))
            return leg if leg is not None and leg.connected else None
        return call.leg(str(parameters.get("ParticipantTag", "LEG-A")))

    def _join(
        self,
        call: SimCall,
        parameters: dict[str, Any],
        data: dict[str, Any],
        failed: Callable[[str, str], _Report],
    ) -> _Report:
        phone = self._target(call, parameters)
        if phone is None or phone.tag != "LEG-A":
            return failed(
                "InvalidActionParameter", "CallId or ParticipantTag parameter for action is invalid."
            )
        if any(leg.connected and leg.kind in {"meeting", "bridge"} for leg in call.legs):
            return failed("InvalidActionParameter", "You can't run this action on a bridged call.")
        if self._fails("JoinChimeMeeting"):
            self.dialogue.say("sma", "JoinChimeMeeting FAILED: ErrorJoiningMeeting")
            # The documented JoinChimeMeeting failure writes one "Error" field.
            return _Report(
                "ACTION_FAILED", {**data, "Error": "ErrorJoiningMeeting: Error while joining meeting."}
            )
        found = self._chime.meeting_of_token(str(parameters.get("JoinToken", "")))
        if found is None or found[0].meeting_id != parameters.get("MeetingId"):
            return failed("InvalidActionParameter", "JoinToken parameter value is invalid.")
        meeting, attendee = found
        meeting.present.add(attendee.attendee_id)
        call.legs.append(
            Leg(
                str(uuid.uuid4()),
                "LEG-B",
                MEETING_DIAL_IN,
                "SMA",
                "Outbound",
                self.clock.epoch_ms(),
                kind="meeting",
                meeting_id=meeting.meeting_id,
                attendee_id=attendee.attendee_id,
            )
        )
        self.dialogue.say("chime", "the phone leg joins the meeting")
        return _Report("ACTION_SUCCESSFUL", data, always=True)

    def _hang_up(
        self, call: SimCall, target: Leg, parameters: dict[str, Any], data: dict[str, Any]
    ) -> _Report:
        code = str(parameters.get("SipResponseCode", "0"))
        if target.kind == "meeting":
            self._disconnect(call, target)
            self.dialogue.say("chime", "the phone leg leaves the meeting")
            reported = {
                **parameters,
                "CallId": target.call_id,
                "ParticipantTag": target.tag,
                "SipResponseCode": code,
            }
            return _Report("ACTION_SUCCESSFUL", {"Type": "Hangup", "Parameters": reported}, always=True)
        self.dialogue.say("sma", f"hangs up {target.tag}")
        self._disconnect(call, target)
        return _Report("HANGUP", self._hangup_data(target, int(code)))

    def _bridge(
        self,
        call: SimCall,
        parameters: dict[str, Any],
        data: dict[str, Any],
        failed: Callable[[str, str], _Report],
    ) -> _Report:
        phone = call.leg("LEG-A")
        if phone is None:
            return failed(
                "InvalidActionParameter", "CallId or ParticipantTag parameter for action is invalid."
            )
        if any(leg.connected and leg.kind == "meeting" for leg in call.legs):
            return failed("InvalidActionParameter", "The caller is in a meeting.")
        caller_id = str(parameters.get("CallerIdNumber", ""))
        if caller_id not in {call.our_number, phone.from_number}:
            return failed(
                "InvalidActionParameter",
                "Invalid CallerId number provided. Number must be owned by the AWS account or the From number of LEG-A",
            )
        destination = str(parameters["Endpoints"][0]["Uri"])
        if not is_e164(destination):
            return failed("InvalidActionParameter", "Endpoint parameter is invalid.")
        data["Parameters"] = {**parameters, "CallId": phone.call_id}
        if not self.behaviour.transfer_answers or self._fails("CallAndBridge"):
            self.dialogue.say("phone", f"{destination} does not answer")
            return _Report(
                "ACTION_FAILED", {**data, "ErrorType": "CallNotAnswered", "ErrorMessage": "Call not answered"}
            )
        call.legs.append(
            Leg(
                str(uuid.uuid4()),
                "LEG-B",
                destination,
                caller_id,
                "Outbound",
                self.clock.epoch_ms(),
                kind="bridge",
            )
        )
        self.dialogue.say("phone", f"{destination} answers; the caller is bridged to it")
        return _Report("ACTION_SUCCESSFUL", data, always=True)

    def _disconnect(self, call: SimCall, leg: Leg) -> None:
        leg.status = "Disconnected"
        if leg.kind == "meeting" and leg.meeting_id in self._chime.meetings and leg.attendee_id:
            self._chime.meetings[leg.meeting_id].present.discard(leg.attendee_id)
        if leg.tag == "LEG-A":  # the caller's leaving takes their meeting leg with it
            for other in call.legs:
                if other.kind == "meeting" and other.connected:
                    self._disconnect(call, other)

    @staticmethod
    def _hangup_data(leg: Leg, code: int) -> dict[str, Any]:
        return {
            "Type": "Hangup",
            "Parameters": {"SipResponseCode": code, "CallId": leg.call_id, "ParticipantTag": leg.tag},
        }

    def _hangup_event(self, call: SimCall, leg: Leg, code: int) -> None:
        self._run(call, self._hangup_followup(call, _Report("HANGUP", self._hangup_data(leg, code))))

    def _hangup_followup(self, call: SimCall, report: _Report) -> list[dict[str, Any]]:
        actions = self._deliver(call, "HANGUP", report.action_data)
        if not any(leg.connected for leg in call.legs):
            if actions:
                self.dialogue.say("sma", "nobody is left on the call: ignores the actions")
            self.dialogue.say("sma", "call over")
            return []
        return actions


def _comparable(response: Any) -> Any:
    return json.dumps(response, sort_keys=True)


def _describe(action: Any) -> str:
    if not isinstance(action, Mapping):
        return repr(action)
    kind = action.get("Type")
    parameters = action.get("Parameters", {})
    if kind == "Hangup":
        return f"Hangup({parameters.get('ParticipantTag') or _short(parameters.get('CallId'))})"
    if kind == "Speak":
        return f'Speak("{str(parameters.get("Text", ""))[:40]}")'
    if kind == "CallAndBridge":
        return f"CallAndBridge({parameters.get('Endpoints', [{}])[0].get('Uri')})"
    return str(kind)


def _short(value: Any) -> str:
    return str(value)[:8] if value else "?"


def _emf(captured: io.StringIO) -> dict[str, float]:
    """The metrics Powertools printed (CloudWatch embedded metric format)."""
    found: dict[str, float] = {}
    for line in captured.getvalue().splitlines():
        try:
            blob = json.loads(line)
        except ValueError:
            continue
        if not isinstance(blob, dict) or "_aws" not in blob:
            continue
        for directive in blob["_aws"].get("CloudWatchMetrics", []):
            for metric in directive.get("Metrics", []):
                value = blob.get(metric["Name"])
                values = value if isinstance(value, list) else [value]
                total = sum(item for item in values if isinstance(item, int | float))
                found[metric["Name"]] = found.get(metric["Name"], 0) + total
    return found
