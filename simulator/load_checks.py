"""What must hold after a load run: each call's record, meeting and attendees are its own; every record
change is legal, none lost or repeated; every meeting is gone; the SMA and Chime saw only valid requests."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from calls.record import TRANSITIONS, CallRecord, CallStatus
from simulator.environment import OUR_NUMBER
from simulator.load_aws import Change

if TYPE_CHECKING:
    from simulator.load import CallRun, LoadResult

# The statuses each kind of call goes through, and how it ends.
EXPECTED: dict[str, tuple[tuple[str, ...], str]] = {
    "answered": (("connecting", "ringing", "in_progress", "ended"), "agent_hung_up"),
    "contested": (("connecting", "ringing", "in_progress", "ended"), "agent_hung_up"),
    "caller_hangs_up": (("connecting", "ringing", "in_progress", "ended"), "caller_hung_up"),
    "transfer": (("connecting", "ringing", "in_progress", "transferring", "ended"), "transferred"),
    "early_hangup": (("connecting", "ringing", "ended"), "caller_hung_up"),
    "outbound": (("dialing", "ringing", "in_progress", "ended"), "agent_hung_up"),
    "busy": (("dialing", "ringing", "ended"), "busy"),
    "hangup_race": (("connecting", "ringing", "in_progress", "ended"), "caller_hung_up"),
}
# Races either side may win: the other acceptable outcome.
OR_ELSE: dict[str, tuple[tuple[str, ...], str]] = {
    "hangup_race": (("connecting", "ringing", "ended"), "caller_hung_up"),
}
# Once a record holds one of these, no write may change it: a change would be another call's value.
# The phone leg's attendee: "caller-<call id>" inbound (the SMA Lambda), "phone-<call id>" outbound (the API).
PHONE_LEG_PREFIXES = ("caller-", "phone-")
FIXED_FIELDS = ("direction", "from_number", "to_number", "meeting_id", "transaction_id", "caller_attendee_id")


def expected_path(kind: str) -> tuple[str, ...]:
    return EXPECTED[kind][0]


def status_paths(changes: Iterable[Change]) -> dict[str, list[str]]:
    """Each call record's statuses in the order the table took them (items without a status are skipped)."""
    paths: dict[str, list[str]] = {}
    for change in changes:
        status = change.text("new", "status")
        if status is None:
            continue
        path = paths.setdefault(change.key, [])
        if change.kind == "INSERT" or status != change.text("old", "status"):
            path.append(status)
    return paths


def path_problems(path: list[str], expected: tuple[str, ...]) -> list[str]:
    """Illegal steps, statuses entered twice (a duplicated transition), expected ones missing (lost)."""
    problems = [
        f"illegal transition {before} -> {after}"
        for before, after in itertools.pairwise(path)
        if CallStatus(after) not in TRANSITIONS[CallStatus(before)]
    ]
    problems += [
        f"entered {status} {path.count(status)} times"
        for status in dict.fromkeys(path)
        if path.count(status) > 1
    ]
    problems += [f"never {status}" for status in expected if status not in path]
    if path and path[0] != expected[0]:
        problems.append(f"began {path[0]}, expected {expected[0]}")
    return problems


def field_problems(changes: Iterable[Change]) -> dict[str, list[str]]:
    """Writes that changed a field which, once set, belongs to the call for good."""
    problems: dict[str, list[str]] = defaultdict(list)
    for change in changes:
        if change.kind != "MODIFY":
            continue
        for name in FIXED_FIELDS:
            before, after = change.text("old", name), change.text("new", name)
            if before is not None and before != after:
                problems[change.key].append(f"{name} changed from {before} to {after}")
    return problems


def check(result: LoadResult) -> list[str]:
    """Every broken invariant of the run, one line each (the run's own record of it: no AWS is asked)."""
    local = result.local
    changes = result.changes
    paths = status_paths(changes)
    fixed = field_problems(changes)
    ours = {run.call_id: run for run in result.runs if run.call_id}
    problems = [f"a call record no call made: {key}" for key in paths if key not in ours]
    problems += [f"Chime would refuse: {violation}" for violation in local.chime.violations]
    problems += [f"meeting {meeting} still exists" for meeting in sorted(local.chime.meetings)]
    meeting_of_call: dict[str, str] = {}
    for run in result.runs:
        found = _call_problems(run, paths, fixed, result.records.get(run.call_id or ""), meeting_of_call)
        problems += [f"call {run.plan.index} ({run.plan.kind}): {problem}" for problem in found]
    problems += _meeting_problems(result, meeting_of_call)
    return problems


def _call_problems(
    run: CallRun,
    paths: dict[str, list[str]],
    fixed: dict[str, list[str]],
    record: CallRecord | None,
    meeting_of_call: dict[str, str],
) -> list[str]:
    plan = run.plan
    problems = list(run.problems) + run.sma.contract_violations + run.sma.retry_mismatches
    if run.call_id is None:
        return [*problems, "no call id"]
    if record is None:
        return [*problems, "no record"]
    observed = paths.get(run.call_id, [])
    path, end_reason = EXPECTED[plan.kind]
    if plan.kind in OR_ELSE and tuple(observed) == OR_ELSE[plan.kind][0]:
        path, end_reason = OR_ELSE[plan.kind]
    problems += path_problems(observed, path)
    problems += fixed.get(run.call_id, [])
    if record.status is not CallStatus.ENDED or (record.end_reason and record.end_reason.value) != end_reason:
        problems.append(f"ended as {record.status.value}/{record.end_reason}, expected ended/{end_reason}")
    ours, theirs = (plan.number, OUR_NUMBER) if plan.inbound else (OUR_NUMBER, plan.number)
    if (record.from_number, record.to_number) != (ours, theirs):
        problems.append(f"record is of {record.from_number} -> {record.to_number}, not {ours} -> {theirs}")
    holder = run.holder.sub if run.holder else None
    if record.answered_by != holder:
        problems.append(f"answered by {record.answered_by}, but the API said {holder}")
    if not record.meeting_id or not record.meeting_ended_at:
        problems.append(f"meeting {record.meeting_id} not recorded as ended")
    if record.meeting_id:
        meeting_of_call[run.call_id] = record.meeting_id
    legs = [leg for leg in run.call.legs if leg.kind == "meeting"] if run.call else []
    problems += [
        f"the caller joined meeting {leg.meeting_id}, the record says {record.meeting_id}"
        for leg in legs
        if leg.meeting_id != record.meeting_id
    ]
    if plan.kind == "transfer" and run.call and not any(leg.kind == "bridge" for leg in run.call.legs):
        problems.append(f"the record says {record.end_reason}, but the caller was never bridged anywhere")
    problems += _answer_problems(run, record.meeting_id)
    return problems


def _answer_problems(run: CallRun, meeting_id: str | None) -> list[str]:
    problems = []
    won = [agent for agent, answer in run.answers if answer.status == 200]
    wanted = {"contested": 1, "early_hangup": 0}.get(run.plan.kind, 1 if run.plan.inbound else 0)
    if run.plan.kind == "hangup_race":
        wanted = min(1, len(won))  # the answer may come first, or find the call gone
    if len(won) != wanted:
        problems.append(f"{len(won)} answers succeeded, expected {wanted}: {run.answers}")
    for agent, answer in run.answers:
        if answer.status == 200:
            if (
                answer.field("call", "id") != run.call_id
                or answer.field("meeting", "MeetingId") != meeting_id
            ):
                problems.append(f"{agent.email} was handed another call's meeting: {answer.body}")
            user = str(answer.field("attendee", "ExternalUserId"))
            if not user.startswith(f"agent-{agent.sub}-"):
                problems.append(f"{agent.email} was handed attendee {user}")
        elif answer.status != 409:
            problems.append(f"{agent.email}'s answer got HTTP {answer.status}: {answer.body}")
    return problems


def _meeting_problems(result: LoadResult, meeting_of_call: dict[str, str]) -> list[str]:
    """Each meeting was created for one call, with that call's phone leg; only its agents were added."""
    problems = []
    if len(set(meeting_of_call.values())) != len(meeting_of_call):
        problems.append("two calls share a meeting")
    call_of_meeting = {meeting: call for call, meeting in meeting_of_call.items()}
    holder_of = {run.call_id: run.holder for run in result.runs}
    made_for: set[str] = set()
    for request in result.local.chime.calls_to("CreateMeetingWithAttendees"):
        users = [str(attendee["ExternalUserId"]) for attendee in request.params.get("Attendees", [])]
        token = str(request.params.get("ClientRequestToken", ""))
        phones = [user.split("-", 1)[1] for user in users if user.startswith(PHONE_LEG_PREFIXES)]
        if len(phones) != 1 or phones[0] not in holder_of or phones[0] not in token:
            problems.append(f"meeting {token} was created with attendees {users}")
        else:
            made_for.add(phones[0])
    for request in result.local.chime.calls_to("CreateAttendee"):
        call = call_of_meeting.get(str(request.params["MeetingId"]))
        holder = holder_of.get(call) if call else None
        user = str(request.params["ExternalUserId"])
        if holder is None or not user.startswith(f"agent-{holder.sub}-"):
            problems.append(f"attendee {user} added to the meeting of call {call}")
    problems += [f"no meeting was made for call {call}" for call in sorted(set(meeting_of_call) - made_for)]
    return problems
