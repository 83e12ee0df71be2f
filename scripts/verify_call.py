"""The test call of `make verify`: placed by the meeting API's own code, followed through the calls table.

The call is placed by `CallDesk.place_call`, the code behind the API's POST /calls, so the SMA Lambda
sees exactly an agent's outbound call: meeting first, record second, the same ArgumentsMap. It is ended
with the hang-up request the API sends. Dialing our own number makes the line answer itself: the
inbound leg is a second call record, with its own meeting.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from calls.chime import ChimeMeetings, SmaCalls
from calls.contracts import hangup_request
from calls.faults import AwsFault, FaultKind
from calls.phone_numbers import DialPolicy
from calls.record import DEFAULT_RETENTION, CallRecord, CallStatus, Direction, EndReason
from calls.store import CallStore
from meeting_api.agents import Agent
from meeting_api.desk import CallDesk
from meeting_api.errors import Problem
from meeting_api.rate_limit import OutboundRateLimiter
from scripts.verify_causes import VerifyFailed, explain, explain_dial

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_meetings import ChimeSDKMeetingsClient
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient
    from mypy_boto3_dynamodb import DynamoDBClient

# Who placed the call, as the calls table shows it; it has its own outbound quota bucket.
VERIFY_AGENT = Agent(id="make-verify")
_QUOTA = 10  # verify calls per hour: a loop of them is a mistake worth stopping
_POLL_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Outputs:
    """What `make verify` reads from the stacks' outputs."""

    phone_number: str
    sma_id: str
    calls_table: str
    api_url: str
    azure_secret_arn: str | None
    web_url: str | None


class LoopbackCall:
    def __init__(
        self,
        dynamodb: DynamoDBClient,
        meetings: ChimeSDKMeetingsClient,
        voice: ChimeSDKVoiceClient,
        *,
        outputs: Outputs,
        media_region: str,
        to_number: str,
        out: Callable[[str], None],
        sleep: Callable[[float], None],
        monotonic: Callable[[], float],
        timeout: float,
        new_id: Callable[[], str],
    ) -> None:
        self._store = CallStore(dynamodb, outputs.calls_table)
        self._meetings = ChimeMeetings(meetings, media_region=media_region)
        self._calls = SmaCalls(voice, sip_media_application_id=outputs.sma_id)
        self._desk = CallDesk(
            store=self._store,
            meetings=self._meetings,
            calls=self._calls,
            limiter=OutboundRateLimiter(
                dynamodb, outputs.calls_table, calls_per_hour=_QUOTA, calls_per_day=_QUOTA
            ),
            our_number=lambda: outputs.phone_number,
            # The deployer named this number; the line's dial policy is for agents.
            dial_policy=DialPolicy(allowed_prefixes=(to_number,)),
            retention=DEFAULT_RETENTION,
            clock=lambda: datetime.now(UTC),
            new_id=new_id,
            nonce=lambda: secrets.token_hex(8),
        )
        self._ours = outputs.phone_number
        self._to = to_number
        self._out = out
        self._sleep = sleep
        self._monotonic = monotonic
        self._timeout = timeout
        self._seen: dict[str, CallStatus] = {}

    def run(self) -> None:
        earlier = self._recent_ids()
        try:
            joined = self._desk.place_call(self._to, VERIFY_AGENT)
        except (Problem, AwsFault) as error:
            raise explain_dial(error) from None
        call = joined.call
        self._out(f"dialed: call {call.call_id}, transaction {call.transaction_id}")
        inbound: CallRecord | None = None
        try:
            call = self._until(call.call_id, {CallStatus.RINGING, CallStatus.IN_PROGRESS}, self._never_rang)
            if self._to == self._ours:
                inbound = self._inbound_leg(earlier)
                inbound = self._until(inbound.call_id, {CallStatus.RINGING}, self._never_joined)
            call = self._until(call.call_id, {CallStatus.IN_PROGRESS}, self._never_answered)
            self._out("connected: the phone leg is in its meeting; hanging up")
            self._hang_up(call)
            legs = [leg for leg in (call, inbound) if leg is not None]
            ended = [self._until(leg.call_id, {CallStatus.ENDED}, self._never_ended) for leg in legs]
        except (VerifyFailed, KeyboardInterrupt):  # never leave a paid call ringing
            self._clean_up(call, inbound)
            raise
        problems = [
            self._ended_early(r) for r in ended if r.end_reason in {EndReason.ERROR, EndReason.FAILED}
        ]
        problems += [self._left_over(meeting) for meeting in self._meetings_left(ended)]
        if problems:
            raise VerifyFailed("\n".join(problems))
        self._out(f"ended: {', '.join(f'{r.call_id} {r.end_reason}' for r in ended)}; meetings deleted")

    # Following the records

    def _until(
        self, call_id: str, wanted: Collection[CallStatus], cause: Callable[[CallRecord], str]
    ) -> CallRecord:
        deadline = self._monotonic() + self._timeout
        while True:
            record = self._read(call_id)
            if self._seen.get(call_id) is not record.status:
                self._seen[call_id] = record.status
                self._out(f"  {record.direction.value} {call_id}: {record.status.value}")
            if record.status in wanted:
                return record
            if record.status is CallStatus.ENDED:
                raise VerifyFailed(self._ended_early(record))
            if self._monotonic() >= deadline:
                raise VerifyFailed(cause(record))
            self._sleep(_POLL_SECONDS)

    def _read(self, call_id: str) -> CallRecord:
        try:
            record = self._store.get(call_id)
        except AwsFault as error:
            raise explain(f"reading call {call_id} (dynamodb:GetItem)", error) from None
        if record is None:
            raise VerifyFailed(f"call {call_id}'s record disappeared from the calls table")
        return record

    def _recent(self) -> list[CallRecord]:
        try:
            return self._store.list_recent(limit=50).calls
        except AwsFault as error:
            raise explain("listing calls (dynamodb:Query)", error) from None

    def _recent_ids(self) -> set[str]:
        return {record.call_id for record in self._recent()}

    def _inbound_leg(self, earlier: set[str]) -> CallRecord:
        deadline = self._monotonic() + self._timeout
        while True:
            fresh = [
                record
                for record in self._recent()
                if record.call_id not in earlier
                and record.direction is Direction.INBOUND
                and record.to_number == self._ours
            ]
            if fresh:  # ours shows our caller id; a stranger calling at the same moment does not
                return next((record for record in fresh if record.from_number == self._ours), fresh[0])
            if self._monotonic() >= deadline:
                raise VerifyFailed(
                    f"no inbound call record appeared within {self._timeout:.0f} s although the far end "
                    f"rang. Cause: the SMA Lambda was not invoked for calls to {self._ours}: check the SIP "
                    "rule (ToPhoneNumber trigger to this SMA) and that the number is associated with it."
                )
            self._sleep(_POLL_SECONDS)

    def _meetings_left(self, ended: list[CallRecord]) -> list[str]:
        """The calls' meetings still there after the timeout (the SMA Lambda deletes them as calls end)."""
        waiting = [record.meeting_id for record in ended if record.meeting_id]
        deadline = self._monotonic() + self._timeout
        while True:
            waiting = [meeting_id for meeting_id in waiting if self._meeting_exists(meeting_id)]
            if not waiting or self._monotonic() >= deadline:
                return waiting
            self._sleep(_POLL_SECONDS)

    def _meeting_exists(self, meeting_id: str) -> bool:
        try:
            self._meetings.get_meeting(meeting_id)
        except AwsFault as error:
            if error.kind is FaultKind.NOT_FOUND:
                return False
            raise explain(f"checking meeting {meeting_id} (GetMeeting)", error) from None
        return True

    def _left_over(self, meeting_id: str) -> str:
        self._delete_quietly(meeting_id)
        return (
            f"meeting {meeting_id} still existed {self._timeout:.0f} s after its call ended (verify deleted "
            "it). Cause: the SMA Lambda could not delete it: check its chime:DeleteMeeting permission and logs."
        )

    # Causes, by where the call stopped

    def _never_rang(self, record: CallRecord) -> str:
        return (
            f"call {record.call_id} stayed {record.status.value}: the SMA never reported it ringing. Cause: "
            "the SMA Lambda was not invoked (the SMA's Lambda endpoint or its invoke permission) or failed."
        )

    def _never_joined(self, record: CallRecord) -> str:
        return (
            f"the inbound leg {record.call_id} stayed {record.status.value}: it never joined its meeting. "
            "Cause: the SMA Lambda could not create the meeting (chime:CreateMeetingWithAttendees) or the "
            "greeting failed; see its logs."
        )

    def _never_answered(self, record: CallRecord) -> str:
        return (
            f"call {record.call_id} stayed {record.status.value}: the far end never answered. Cause: "
            f"{self._to} did not pick up, or its phone leg could not join the meeting."
        )

    def _never_ended(self, record: CallRecord) -> str:
        return (
            f"call {record.call_id} is still {record.status.value} after the hang-up request. Cause: the "
            "SMA Lambda did not act on CALL_UPDATE_REQUESTED; see its logs (the sweeper ends it later)."
        )

    @staticmethod
    def _ended_early(record: CallRecord) -> str:
        reason = record.end_reason.value if record.end_reason else "no reason"
        said = f": {record.error}" if record.error else ""
        hint = " Cause: the SMA Lambda's role lacks the permission named." if "AccessDenied" in said else ""
        return f"call {record.call_id} ended early ({reason}{said}).{hint}"

    # Ending it

    def _hang_up(self, call: CallRecord) -> None:
        transaction = call.transaction_id
        if not transaction:
            raise VerifyFailed(f"call {call.call_id} has no transaction id to hang up")
        try:
            if not self._calls.request_update(transaction, hangup_request()):
                raise VerifyFailed(f"call {call.call_id} ended before verify hung up (NotFound)")
        except AwsFault as error:
            raise explain("hanging up (UpdateSipMediaApplicationCall)", error) from None

    def _clean_up(self, call: CallRecord, inbound: CallRecord | None) -> None:
        """After a failure: end what verify started, so nothing keeps ringing or billing."""
        if call.transaction_id:
            with contextlib.suppress(AwsFault):
                self._calls.request_update(call.transaction_id, hangup_request())
        for record in (call, inbound):
            if record is not None and record.meeting_id:
                self._delete_quietly(record.meeting_id)

    def _delete_quietly(self, meeting_id: str) -> None:
        try:
            self._meetings.delete_meeting(meeting_id)
        except AwsFault:
            self._out(f"  could not delete meeting {meeting_id}; delete it in the console")
