"""Chime SDK meetings and voice on 127.0.0.1, for the simulator and the tests.

botocore talks to it through AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS / AWS_ENDPOINT_URL_CHIME_SDK_VOICE, so
every request is validated and serialized by the real client with the real service model. The server
then validates the request again against the same model, including what botocore leaves to the service
(maximum lengths, patterns, enums), and records it. Faults (throttling, 5xx) can be queued per operation.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

SERVICES = ("chime-sdk-meetings", "chime-sdk-voice")

# Error codes and the HTTP status the services answer them with (botocore models' error shapes).
ERROR_STATUS = {
    "BadRequestException": 400,
    "ForbiddenException": 403,
    "AccessDeniedException": 403,
    "NotFoundException": 404,
    "ConflictException": 409,
    "ThrottlingException": 429,
    "ThrottledClientException": 429,
    "LimitExceededException": 400,
    "ServiceFailureException": 500,
    "ServiceUnavailableException": 503,
}


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    service: str
    operation: str
    params: dict[str, Any]
    status: int


@dataclass(slots=True)
class Attendee:
    attendee_id: str
    external_user_id: str
    join_token: str


@dataclass(slots=True)
class Meeting:
    meeting_id: str
    external_meeting_id: str
    media_region: str
    attendees: dict[str, Attendee] = field(default_factory=dict)  # by ExternalUserId
    present: set[str] = field(default_factory=set)  # attendee ids in the meeting right now


@dataclass(frozen=True, slots=True)
class _Route:
    service: str
    operation: OperationModel
    method: str
    path: re.Pattern[str]
    query: dict[str, str]


def _route(service: str, operation: OperationModel) -> _Route:
    uri = operation.http["requestUri"]
    path, _, query = uri.partition("?")
    pattern = re.sub(r"\{(\w+)\+?\}", lambda match: f"(?P<{match.group(1)}>[^/]+)", path)
    return _Route(
        service=service,
        operation=operation,
        method=operation.http["method"],
        path=re.compile(f"^{pattern}$"),
        query=dict(parse_qsl(query)),
    )


def validate(shape: Shape, value: Any, path: str = "") -> list[str]:
    """What the service would refuse in `value` for `shape`: required members, types, lengths, patterns, enums."""
    problems: list[str] = []
    where = path or shape.name
    if isinstance(shape, StructureShape):
        if not isinstance(value, Mapping):
            return [f"{where} must be an object"]
        for required in shape.required_members:
            if required not in value:
                problems.append(f"{where}.{required} is required")
        for name, item in value.items():
            if name not in shape.members:
                problems.append(f"{where}.{name} is not a member of {shape.name}")
                continue
            problems += validate(shape.members[name], item, f"{where}.{name}")
        return problems
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return [f"{where} must be a list"]
        problems += _bounds(shape, len(value), where, "items")
        for index, item in enumerate(value):
            problems += validate(shape.member, item, f"{where}[{index}]")
        return problems
    if isinstance(shape, MapShape):
        if not isinstance(value, Mapping):
            return [f"{where} must be a map"]
        problems += _bounds(shape, len(value), where, "entries")
        for key, item in value.items():
            problems += validate(shape.key, key, f"{where} key")
            problems += validate(shape.value, item, f"{where}[{key}]")
        return problems
    if shape.type_name == "string":
        if not isinstance(value, str):
            return [f"{where} must be a string"]
        problems += _bounds(shape, len(value), where, "characters")
        pattern = shape.metadata.get("pattern")
        if pattern and not re.fullmatch(pattern, value):
            problems.append(f"{where} does not match {pattern}")
        enum = shape.metadata.get("enum")
        if enum and value not in enum:
            problems.append(f"{where} must be one of {enum}")
    elif shape.type_name in {"integer", "long"} and (not isinstance(value, int) or isinstance(value, bool)):
        problems.append(f"{where} must be an integer")
    elif shape.type_name == "boolean" and not isinstance(value, bool):
        problems.append(f"{where} must be a boolean")
    return problems


def _bounds(shape: Shape, size: int, where: str, unit: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        return [f"{where} has {size} {unit}, fewer than {low}"]
    if high is not None and size > high:
        return [f"{where} has {size} {unit}, more than {high}"]
    return []


class FakeChime:
    """The Chime SDK endpoints a call needs, in memory, behind a real HTTP server on loopback."""

    def __init__(self) -> None:
        session = botocore.session.get_session()
        self._routes: list[_Route] = []
        for service in SERVICES:
            model = session.get_service_model(service)
            self._routes += [_route(service, model.operation_model(name)) for name in model.operation_names]
        self.meetings: dict[str, Meeting] = {}
        self._tokens: dict[str, str] = {}  # ClientRequestToken -> MeetingId
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []  # requests the real service would have refused
        self._faults: dict[str, deque[tuple[str, str]]] = {}  # operation -> (code, message)
        self.phone_numbers: dict[str, str] = {}  # E.164 number (its PhoneNumberId) -> Status
        self._lock = threading.RLock()
        # Set by the SMA emulator: (sma_id, transaction_id, arguments) -> False when no such call.
        self.on_update_call: Callable[[str, str, dict[str, str]], bool] | None = None
        # (sma_id, from, to, arguments) -> TransactionId
        self.on_create_call: Callable[[str, str, str, dict[str, str]], str] | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------------

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._serve(self)

            do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-chime", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Chime endpoint is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def environment(self) -> dict[str, str]:
        """The variables that point boto3's Chime SDK clients at this endpoint."""
        return {"AWS_ENDPOINT_URL_CHIME_SDK_MEETINGS": self.url, "AWS_ENDPOINT_URL_CHIME_SDK_VOICE": self.url}

    # -- test controls ----------------------------------------------------------------------------------

    def fail_next(self, operation: str, code: str, times: int = 1, *, message: str | None = None) -> None:
        """Answer the next `times` calls of `operation` with the error `code` (e.g. ThrottlingException)."""
        with self._lock:
            self._faults.setdefault(operation, deque()).extend(
                [(code, message or f"injected {code}")] * times
            )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def calls_to(self, operation: str) -> list[RecordedRequest]:
        with self._lock:
            return [request for request in self.requests if request.operation == operation]

    def reset(self) -> None:
        with self._lock:
            self.meetings.clear()
            self.phone_numbers.clear()
            self._tokens.clear()
            self.requests.clear()
            self.violations.clear()
            self._faults.clear()

    def meeting_of_token(self, join_token: str) -> tuple[Meeting, Attendee] | None:
        with self._lock:
            for meeting in self.meetings.values():
                for attendee in meeting.attendees.values():
                    if attendee.join_token == join_token:
                        return meeting, attendee
        return None

    # -- the HTTP side ----------------------------------------------------------------------------------

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        url = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        body_bytes = request.rfile.read(length) if length else b""
        query = dict(parse_qsl(url.query))
        route, path_params = self._match(request.command, url.path, query)
        if route is None:
            self._send(
                request, 404, {"Code": "UnknownOperationException", "Message": request.path}, "NotFound"
            )
            return
        try:
            body = json.loads(body_bytes) if body_bytes else {}
        except json.JSONDecodeError:
            self._send(
                request, 400, {"Code": "BadRequestException", "Message": "body is not JSON"}, "BadRequest"
            )
            return
        params = {**body, **self._uri_params(route.operation, path_params, query)}
        name = route.operation.name
        problems = validate(route.operation.input_shape, params) if route.operation.input_shape else []
        with self._lock:
            fault = self._faults.get(name)
            injected = fault.popleft() if fault else None
        if problems:
            with self._lock:
                self.violations += [f"{name}: {problem}" for problem in problems]
            status, payload = 400, {"Code": "BadRequestException", "Message": "; ".join(problems)}
        elif injected is not None:
            code, message = injected
            status, payload = ERROR_STATUS.get(code, 500), {"Code": code, "Message": message}
        else:
            status, payload = self._operate(name, params)
        with self._lock:
            self.requests.append(RecordedRequest(route.service, name, params, status))
        error_type = payload.get("Code") if status >= 300 else None
        success_code = int(route.operation.http.get("responseCode", 200))
        self._send(request, status if error_type else success_code, payload, error_type)

    def _match(
        self, method: str, path: str, query: Mapping[str, str]
    ) -> tuple[_Route | None, dict[str, str]]:
        best: tuple[_Route | None, dict[str, str]] = (None, {})
        for route in self._routes:
            if route.method != method:
                continue
            found = route.path.match(path)
            if found is None or any(query.get(key) != value for key, value in route.query.items()):
                continue
            if best[0] is None or len(route.query) > len(best[0].query):
                best = (route, {key: unquote(value) for key, value in found.groupdict().items()})
        return best

    @staticmethod
    def _uri_params(
        operation: OperationModel, path: Mapping[str, str], query: Mapping[str, str]
    ) -> dict[str, Any]:
        params: dict[str, Any] = {}
        shape = operation.input_shape
        if shape is None:
            return params
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "uri" and wire in path:
                params[name] = path[wire]
            elif location == "querystring" and wire in query:
                params[name] = query[wire]
        return params

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler, status: int, payload: Mapping[str, Any], error: str | None
    ) -> None:
        data = json.dumps(payload).encode() if payload or status != 204 else b""
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if error:
            request.send_header("x-amzn-ErrorType", error)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        if data:
            request.wfile.write(data)

    # -- the services' behaviour -------------------------------------------------------------------------

    def _operate(self, name: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            match name:
                case "CreateMeetingWithAttendees":
                    return self._create_meeting(params)
                case "CreateMeeting":
                    status, body = self._create_meeting({**params, "Attendees": []})
                    return status, {"Meeting": body["Meeting"]}
                case "CreateAttendee":
                    meeting = self.meetings.get(params["MeetingId"])
                    if meeting is None:
                        return 404, {"Code": "NotFoundException", "Message": "no such meeting"}
                    return 201, {
                        "Attendee": self._attendee_view(self._attendee(meeting, params["ExternalUserId"]))
                    }
                case "GetMeeting":
                    meeting = self.meetings.get(params["MeetingId"])
                    if meeting is None:
                        return 404, {"Code": "NotFoundException", "Message": "no such meeting"}
                    return 200, {"Meeting": self._meeting_view(meeting)}
                case "DeleteMeeting":
                    if self.meetings.pop(params["MeetingId"], None) is None:
                        return 404, {"Code": "NotFoundException", "Message": "no such meeting"}
                    return 204, {}
                case "GetPhoneNumber":
                    number_status = self.phone_numbers.get(params["PhoneNumberId"])
                    if number_status is None:
                        return 404, {"Code": "NotFoundException", "Message": "no such phone number"}
                    number = {
                        "PhoneNumberId": params["PhoneNumberId"],
                        "E164PhoneNumber": params["PhoneNumberId"],
                        "Status": number_status,
                    }
                    return 200, {"PhoneNumber": number}
                case "UpdateSipMediaApplicationCall":
                    listener = self.on_update_call
                    known = listener is not None and listener(
                        params["SipMediaApplicationId"],
                        params["TransactionId"],
                        dict(params.get("Arguments", {})),
                    )
                    if not known:
                        return 404, {"Code": "NotFoundException", "Message": "no such transaction"}
                    return 202, {"SipMediaApplicationCall": {"TransactionId": params["TransactionId"]}}
                case "CreateSipMediaApplicationCall":
                    creator = self.on_create_call
                    if creator is None:
                        return 404, {"Code": "NotFoundException", "Message": "no such SIP media application"}
                    transaction_id = creator(
                        params["SipMediaApplicationId"],
                        params["FromPhoneNumber"],
                        params["ToPhoneNumber"],
                        dict(params.get("ArgumentsMap", {})),
                    )
                    return 201, {"SipMediaApplicationCall": {"TransactionId": transaction_id}}
                case _:
                    return 400, {"Code": "BadRequestException", "Message": f"{name} is not faked"}

    def _create_meeting(self, params: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        token = params["ClientRequestToken"]
        meeting_id = self._tokens.get(token)
        meeting = self.meetings.get(meeting_id) if meeting_id else None
        if meeting is None:  # a token whose meeting ended makes a new meeting
            meeting = Meeting(
                meeting_id=str(uuid.uuid4()),
                external_meeting_id=params["ExternalMeetingId"],
                media_region=params["MediaRegion"],
            )
            self.meetings[meeting.meeting_id] = meeting
            self._tokens[token] = meeting.meeting_id
        attendees = [self._attendee(meeting, item["ExternalUserId"]) for item in params.get("Attendees", [])]
        return 201, {
            "Meeting": self._meeting_view(meeting),
            "Attendees": [self._attendee_view(attendee) for attendee in attendees],
            "Errors": [],
        }

    @staticmethod
    def _attendee(meeting: Meeting, external_user_id: str) -> Attendee:
        # ExternalUserId is the attendee's idempotency token: the same id returns the same attendee.
        attendee = meeting.attendees.get(external_user_id)
        if attendee is None:
            attendee = Attendee(
                attendee_id=str(uuid.uuid4()),
                external_user_id=external_user_id,
                join_token=uuid.uuid4().hex + uuid.uuid4().hex,
            )
            meeting.attendees[external_user_id] = attendee
        return attendee

    @staticmethod
    def _meeting_view(meeting: Meeting) -> dict[str, Any]:
        base = f"https://fake.chime.{meeting.media_region}.example"
        return {
            "MeetingId": meeting.meeting_id,
            "ExternalMeetingId": meeting.external_meeting_id,
            "MediaRegion": meeting.media_region,
            "MediaPlacement": {
                "AudioHostUrl": f"{base}/audio",
                "AudioFallbackUrl": f"{base}/audio-fallback",
                "SignalingUrl": f"{base}/signal",
                "TurnControlUrl": f"{base}/turn",
                "ScreenDataUrl": f"{base}/screen-data",
                "ScreenViewingUrl": f"{base}/screen-view",
                "ScreenSharingUrl": f"{base}/screen-share",
                "EventIngestionUrl": f"{base}/events",
            },
        }

    @staticmethod
    def _attendee_view(attendee: Attendee) -> dict[str, Any]:
        return {
            "ExternalUserId": attendee.external_user_id,
            "AttendeeId": attendee.attendee_id,
            "JoinToken": attendee.join_token,
        }
