"""Deleting a call's meeting exactly once, whoever notices first: the SMA Lambda or the sweeper."""

from __future__ import annotations

from datetime import datetime

from call_control.adapters import CallRecords, MeetingGateway
from call_control.observability import logger
from calls.faults import AwsFault
from calls.record import CallRecord
from calls.store import CallNotFound


class MeetingJanitor:
    def __init__(self, records: CallRecords, meetings: MeetingGateway) -> None:
        self._records = records
        self._meetings = meetings

    def clean_up(
        self, call_id: str | None, record: CallRecord | None, remembered: str | None, now: datetime
    ) -> None:
        """Claim the deletion in the record, then delete; a failed deletion is released for the sweeper.

        `remembered` is the meeting id the SMA transaction knows, used when the record cannot say.
        """
        if record is None or call_id is None or record.meeting_id is None:
            if remembered:
                self.delete(remembered)  # no record to claim in (it could not be written or read)
            return
        if remembered and remembered != record.meeting_id:
            # A meeting the transaction knows and the record does not: a setup retried after the call
            # ended got a fresh one. Only this transaction knows it, so it deletes it now.
            self.delete(remembered)
        if record.meeting_ended_at is not None:
            return  # already deleted: a repeated HANGUP changes nothing
        try:
            claimed = self._records.claim_meeting_cleanup(call_id, now=now)
        except CallNotFound:
            claimed = record.meeting_id
        except AwsFault as error:
            logger.error(
                "could not claim the meeting's deletion; deleting anyway", extra={"reason": str(error)}
            )
            self.delete(record.meeting_id)
            return
        if claimed is None:
            return  # someone else claimed it
        if not self.delete(claimed):
            try:
                self._records.release_meeting_cleanup(call_id)  # the sweeper will try again
            except AwsFault as error:
                logger.error("could not leave the meeting to the sweeper", extra={"reason": str(error)})

    def delete(self, meeting_id: str) -> bool:
        """True when the meeting is gone (deleted now or already), False when deleting failed."""
        try:
            deleted = self._meetings.delete(meeting_id)
        except AwsFault as error:
            logger.error(
                "could not delete the meeting", extra={"meeting_id": meeting_id, "reason": str(error)}
            )
            return False
        logger.info(
            "meeting deleted" if deleted else "meeting was already gone", extra={"meeting_id": meeting_id}
        )
        return True
