"""The HTTP API (API Gateway HTTP API, payload v2): routes, the caller's identity, every error's answer."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from calls.contracts import ApiMetric
from calls.faults import AwsFault, FaultKind
from calls.record import CallRecord
from calls.store import CallNotFound
from meeting_api import errors, runtime
from meeting_api.agents import Agent
from meeting_api.bodies import JsonHttpResolver
from meeting_api.desk import CallDesk, Joined
from meeting_api.models import (
    CALL_ID_PATTERN,
    INVALID_NUMBER,
    MEETING_ID_PATTERN,
    CallEnvelope,
    CallList,
    DialRequest,
    ErrorResponse,
    Health,
    JoinedCall,
    MeetingJoin,
    RealtimeSession,
    RealtimeSessionRequest,
)
from meeting_api.observability import logger, metrics
from meeting_api.policy import entity_tag, not_modified

# A response that breaks its own model is our bug: a 500, never a 4xx blaming the client.
app = JsonHttpResolver(enable_validation=True, response_validation_error_http_code=500)

# Domain error → (HTTP status, error code). One table: the only place errors become HTTP.
STATUS_OF: dict[type[Exception], tuple[int, str]] = {
    errors.Unauthenticated: (401, "unauthorized"),
    errors.EmailNotVerified: (403, "email_not_verified"),
    errors.MalformedBody: (400, "malformed_json"),
    errors.RequestTooLarge: (400, "request_too_large"),
    errors.InvalidRequest: (400, "invalid_request"),
    errors.DestinationNotAllowed: (403, "destination_not_allowed"),
    errors.MeetingNotOwned: (403, "meeting_not_owned"),
    CallNotFound: (404, "call_not_found"),
    errors.MeetingNotFound: (404, "meeting_not_found"),
    errors.UnsupportedMediaType: (415, "unsupported_media_type"),
    errors.CallTaken: (409, "call_taken"),
    errors.CallNotRinging: (409, "call_not_ringing"),
    errors.CallNotHeld: (409, "call_not_held"),
    errors.CallNotActive: (409, "call_not_active"),
    errors.RateLimited: (429, "rate_limited"),
    errors.AzureKeyUnavailable: (502, "azure_key_unavailable"),
    errors.AzureAuthFailed: (502, "azure_auth_failed"),
    errors.AzureRejected: (502, "azure_request_rejected"),
    errors.AzureNotConfigured: (503, "azure_not_configured"),
    errors.AzureThrottled: (503, "azure_throttled"),
    errors.AzureUnavailable: (503, "azure_unavailable"),
}

# AWS fault kind → (HTTP status, error code), for the faults the desk does not turn into domain errors.
STATUS_OF_FAULT: dict[FaultKind, tuple[int, str]] = {
    FaultKind.TRANSIENT: (503, "upstream_unavailable"),  # with Retry-After
    FaultKind.REFUSED: (502, "upstream_failed"),
    FaultKind.NOT_FOUND: (404, "upstream_not_found"),
    FaultKind.CONFLICT: (409, "upstream_conflict"),
}
RETRY_AFTER_SECONDS = 2

CallId = Annotated[str, Path(pattern=CALL_ID_PATTERN, description="The call's id")]
MeetingId = Annotated[str, Path(pattern=MEETING_ID_PATTERN, description="A Chime SDK MeetingId")]


def _responses(success: int, description: str, *errors: int, public: bool = False) -> dict[int, Any]:
    """OpenAPI answers of a route: the success (its schema from the return type) and its errors' one shape."""
    answers: dict[int, Any] = {success: {"description": description}}
    if success == HTTPStatus.NO_CONTENT:
        answers[success]["content"] = {}
    for status in sorted({*errors} | (set() if public else {401, 403})):  # 403: e-mail not verified
        answers[status] = {
            "description": HTTPStatus(status).phrase,
            "content": {content_types.APPLICATION_JSON: {"model": ErrorResponse}},
        }
    return answers


# Dependencies


def current_agent() -> Agent:
    """The agent named by the Cognito ID token API Gateway verified: else 401 (or 403, e-mail unverified)."""
    agent = Agent.from_claims(app.current_event.request_context.authorizer.jwt_claim)
    logger.append_keys(agent=agent.id, agent_email=agent.email)
    return agent


def call_desk() -> CallDesk:
    return runtime.current().desk


AgentDep = Annotated[Agent, Depends(current_agent)]
DeskDep = Annotated[CallDesk, Depends(call_desk)]


def _envelope(call: CallRecord) -> CallEnvelope:
    return CallEnvelope.model_validate({"call": call.to_view()})


def _joined(joined: Joined, *, counted_as: ApiMetric) -> JoinedCall:
    """The answer that puts the agent into a call's meeting; each one counts once as `counted_as`."""
    metrics.add_metric(name=counted_as, unit=MetricUnit.Count, value=1)
    return JoinedCall.model_validate(
        {"call": joined.call.to_view(), "meeting": joined.meeting, "attendee": joined.attendee}
    )


# Routes


@app.get(
    "/health",
    summary="Liveness; anonymous",
    security=[{}],  # OpenAPI for "no credentials needed"; API Gateway routes it without the authorizer
    responses=_responses(200, "The function is up", public=True),
)
def health() -> Health:
    return Health(status="ok")


@app.get(
    "/calls",
    summary="Recent calls, newest first; poll it (ETag / If-None-Match make unchanged answers 304)",
    responses={
        **_responses(200, "A page of calls", 400, 502, 503),
        200: {
            "description": "A page of calls",
            "content": {content_types.APPLICATION_JSON: {"model": CallList}},
        },
        304: {"description": "Not modified since the ETag in If-None-Match", "content": {}},
    },
)
def list_calls(
    agent: AgentDep,
    desk: DeskDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=2048, description="nextCursor of the previous page")
    ] = None,
    if_none_match: Annotated[str | None, Header(alias="if-none-match", description="A previous ETag")] = None,
) -> Response[Any]:
    page = desk.list_calls(limit=limit, cursor=cursor)
    body = json.dumps(
        {"calls": [call.to_view() for call in page.calls], "nextCursor": page.next_cursor},
        separators=(",", ":"),
    )
    tag = entity_tag(body)
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    if not_modified(if_none_match, tag):
        return Response(status_code=304, headers=headers, body="")
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, headers=headers, body=body)


@app.get("/calls/<call_id>", summary="One call", responses=_responses(200, "The call", 400, 404, 502, 503))
def get_call(call_id: CallId, agent: AgentDep, desk: DeskDep) -> CallEnvelope:
    return _envelope(desk.get_call(call_id))


@app.post(
    "/calls/<call_id>/answer",
    summary="Claim a ringing call (or rejoin one you hold) and join its meeting",
    responses=_responses(200, "Answered: join the meeting with this attendee", 400, 404, 409, 502, 503),
)
def answer_call(call_id: CallId, agent: AgentDep, desk: DeskDep) -> JoinedCall:
    return _joined(desk.answer(call_id, agent), counted_as=ApiMetric.CALLS_ANSWERED)


@app.post(
    "/calls/<call_id>/leave",
    summary="Leave an inbound call without hanging up: it rings again for other agents",
    responses=_responses(200, "Left: the call rings again", 400, 404, 409, 502, 503),
)
def leave_call(call_id: CallId, agent: AgentDep, desk: DeskDep) -> CallEnvelope:
    return _envelope(desk.leave(call_id, agent))


@app.post(
    "/calls",
    status_code=201,
    summary="Place an outbound call from our number; you are its agent",
    responses=_responses(201, "Dialling: join the meeting with this attendee", 400, 403, 415, 429, 502, 503),
)
def place_call(request: Annotated[DialRequest, Body()], agent: AgentDep, desk: DeskDep) -> JoinedCall:
    return _joined(desk.place_call(request.to, agent), counted_as=ApiMetric.OUTBOUND_CALLS_PLACED)


@app.post(
    "/calls/<call_id>/hangup",
    status_code=202,
    summary="Ask the call-control Lambda to hang up; the call's status follows when it has",
    responses=_responses(202, "Hang-up requested", 400, 404, 409, 502, 503),
)
def hang_up(call_id: CallId, agent: AgentDep, desk: DeskDep) -> CallEnvelope:
    return _envelope(desk.hang_up(call_id, agent))


@app.post(
    "/calls/<call_id>/transfer",
    status_code=202,
    summary="Ask the call-control Lambda to transfer the caller to another number",
    responses=_responses(202, "Transfer requested", 400, 403, 404, 409, 415, 502, 503),
)
def transfer(
    call_id: CallId, request: Annotated[DialRequest, Body()], agent: AgentDep, desk: DeskDep
) -> CallEnvelope:
    call = desk.transfer(call_id, request.to, agent)
    # A transfer dials a paid outbound leg: the spend alarm counts it with the calls agents place.
    metrics.add_metric(name=ApiMetric.OUTBOUND_CALLS_PLACED, unit=MetricUnit.Count, value=1)
    return _envelope(call)


@app.post(
    "/meetings",
    status_code=201,
    summary="A test meeting with only you in it, to try the audio bridge without a call",
    responses=_responses(201, "Created: join it with this attendee", 502, 503),
)
def start_test_meeting(agent: AgentDep, desk: DeskDep) -> MeetingJoin:
    access = desk.start_test_meeting(agent)
    return MeetingJoin(meeting=access.meeting, attendee=access.attendee)


@app.delete(
    "/meetings/<meeting_id>",
    status_code=204,
    summary="End one of your test meetings",
    responses=_responses(204, "Ended", 400, 403, 404, 502, 503),
)
def end_test_meeting(meeting_id: MeetingId, agent: AgentDep, desk: DeskDep) -> Response[None]:
    desk.end_test_meeting(meeting_id, agent)
    return Response(status_code=204, body=None)


@app.post(
    "/realtime/session",
    summary="Mint a short-lived Azure OpenAI Realtime credential for the browser's WebRTC connection",
    responses=_responses(200, "A credential for one connection", 400, 404, 415, 429, 502, 503),
)
def realtime_session(
    agent: AgentDep, desk: DeskDep, request: Annotated[RealtimeSessionRequest | None, Body()] = None
) -> RealtimeSession:
    if request is not None and request.call_id is not None:
        desk.get_call(request.call_id)  # a session for a call that doesn't exist is a client bug: say so
        logger.append_keys(call_id=request.call_id)
    current = runtime.current()
    if current.realtime is None:
        raise errors.AzureNotConfigured(
            "the AI assistant is off: set AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT, then redeploy"
        )
    current.sessions.consume(agent)  # each session costs Azure minutes: a stolen token must not mint freely
    credential = current.realtime.mint()
    metrics.add_metric(name=ApiMetric.REALTIME_SESSIONS_MINTED, unit=MetricUnit.Count, value=1)
    return RealtimeSession.model_validate(
        {
            "clientSecret": credential.client_secret,
            "expiresAt": credential.expires_at,
            "webrtcUrl": credential.webrtc_url,
            "model": credential.model,
            "voice": credential.voice,
            "transcriptionModel": credential.transcription_model,
        }
    )


# Errors: every answer that is not a success has the shape {"error": {"code", "message"}}


def problem(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"error": {"code": code, "message": message}},
        headers=headers,
    )


def domain_error(error: Exception) -> Response[Any]:
    status, code = next(entry for kind, entry in STATUS_OF.items() if isinstance(error, kind))
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, errors.RetryLater) else None
    message = str(error)
    if status >= 500:
        metrics.add_metric(name=ApiMetric.UPSTREAM_FAILURES, unit=MetricUnit.Count, value=1)
        logger.error("request failed", extra={"code": code, "reason": message})
        message = f"{message} (request id {_request_id()})"
    else:
        logger.info("request refused", extra={"code": code, "reason": message})
    return problem(status, code, message, headers)


def aws_fault(fault: AwsFault) -> Response[Any]:
    metrics.add_metric(name=ApiMetric.UPSTREAM_FAILURES, unit=MetricUnit.Count, value=1)
    logger.exception(
        "an AWS service failed",
        extra={"reason": fault.message, "kind": fault.kind, "aws_code": fault.code, "detail": fault.detail},
    )
    status, code = STATUS_OF_FAULT[fault.kind]
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if fault.transient else None
    return problem(status, code, f"{fault.message} (request id {_request_id()})", headers)


def invalid_request(error: RequestValidationError) -> Response[Any]:
    issues = error.errors()
    message = "; ".join(_describe(issue) for issue in issues)
    code = "invalid_number" if all(_is_bad_number(issue) for issue in issues) else "invalid_request"
    logger.info("request refused", extra={"code": code, "reason": message})
    return problem(400, code, message)


@app.not_found
def route_not_found(_: NotFoundError) -> Response[Any]:
    method, path = app.current_event.http_method.upper(), app.current_event.path
    routes = app._static_routes + app._dynamic_routes  # Powertools has no public route table
    allowed = sorted({route.method for route in routes if route.rule.match(path)})
    if allowed:
        return problem(
            405,
            "method_not_allowed",
            f"{method} is not allowed on {path}; use {', '.join(allowed)}",
            {"Allow": ", ".join(allowed)},
        )
    return problem(404, "route_not_found", f"no route {method} {path}")


def unexpected_error(_: Exception) -> Response[Any]:
    logger.exception("unexpected error")
    metrics.add_metric(
        name=ApiMetric.UNHANDLED_ERRORS, unit=MetricUnit.Count, value=1
    )  # what the alarm watches
    return problem(500, "internal_error", f"unexpected error; report request id {_request_id()}")


def _describe(issue: dict[str, Any]) -> str:
    location = [str(part) for part in issue.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = ".".join(location) or "body"
    if issue.get("type") == "missing" and field == "body":
        return "a JSON request body is required"
    if _is_bad_number(issue):
        return f"{field}: {issue.get('msg')}"
    if issue.get("type") == "extra_forbidden":
        return f"{field}: unknown field"
    return f"{field}: {issue.get('msg', 'is invalid')}"


def _is_bad_number(issue: dict[str, Any]) -> bool:
    return issue.get("type") == INVALID_NUMBER


def _request_id() -> str:
    return str(app.current_event.request_context.request_id)


# Most specific first is not needed: Powertools looks handlers up along the exception's MRO.
app.exception_handler([errors.Problem, CallNotFound])(domain_error)
app.exception_handler(AwsFault)(aws_fault)
app.exception_handler(RequestValidationError)(invalid_request)
app.exception_handler(Exception)(unexpected_error)
