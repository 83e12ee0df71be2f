"""What the SIP media application accepts from its Lambda, as the developer guide documents it.

The emulator refuses a response that breaks these rules with INVALID_LAMBDA_RESPONSE, like the SMA; the
tests use the same check on every response the handler gives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from calls.e164 import is_e164

MAX_ACTIONS = 10
MAX_ATTRIBUTES = 100
MAX_ATTRIBUTES_BYTES = 20 * 1024
TAGS = frozenset({"LEG-A", "LEG-B"})

# Type -> (required parameters, optional parameters)
ACTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "JoinChimeMeeting": (frozenset({"JoinToken", "MeetingId"}), frozenset({"CallId", "ParticipantTag"})),
    "Speak": (frozenset({"Text", "CallId"}), frozenset({"Engine", "LanguageCode", "TextType", "VoiceId"})),
    "PlayAudio": (
        frozenset({"AudioSource"}),
        frozenset({"CallId", "ParticipantTag", "PlaybackTerminators", "Repeat"}),
    ),
    "Hangup": (frozenset(), frozenset({"CallId", "ParticipantTag", "SipResponseCode"})),
    "CallAndBridge": (
        frozenset({"CallerIdNumber", "Endpoints"}),
        frozenset({"CallTimeoutSeconds", "RingbackTone", "SipHeaders"}),
    ),
    "Pause": (frozenset({"DurationInMilliseconds"}), frozenset({"CallId", "ParticipantTag"})),
}


def _strings(parameters: Mapping[str, Any], names: tuple[str, ...], where: str) -> list[str]:
    return [
        f"{where}.{name} must be a non-empty string"
        for name in names
        if name in parameters and not (isinstance(parameters[name], str) and parameters[name])
    ]


def check_action(action: Any, index: int) -> list[str]:
    where = f"Actions[{index}]"
    if not isinstance(action, Mapping):
        return [f"{where} must be an object"]
    kind = action.get("Type")
    parameters = action.get("Parameters", {})
    if kind not in ACTIONS:
        return [f"{where}.Type {kind!r} is not an action this project uses"]
    if not isinstance(parameters, Mapping):
        return [f"{where}.Parameters must be an object"]
    required, optional = ACTIONS[kind]
    problems = [f"{where}.{name} is required for {kind}" for name in sorted(required - parameters.keys())]
    problems += [
        f"{where}.{name} is not a {kind} parameter"
        for name in sorted(parameters.keys() - required - optional)
    ]
    problems += _strings(
        parameters, ("CallId", "JoinToken", "MeetingId", "Text", "VoiceId", "LanguageCode"), where
    )
    tag = parameters.get("ParticipantTag")
    if tag is not None and tag not in TAGS:
        problems.append(f"{where}.ParticipantTag must be LEG-A or LEG-B")
    match kind:
        case "JoinChimeMeeting" if tag not in {None, "LEG-A"}:
            problems.append(f"{where}: JoinChimeMeeting runs on LEG-A only")
        case "Speak":
            text = parameters.get("Text")
            if isinstance(text, str) and len(text) > 1000:
                problems.append(f"{where}.Text is limited to 1,000 characters")
            if parameters.get("TextType", "text") not in {"text", "ssml"}:
                problems.append(f"{where}.TextType must be text or ssml")
            if parameters.get("Engine", "standard") not in {"standard", "neural"}:
                problems.append(f"{where}.Engine must be standard or neural")
        case "PlayAudio":
            source = parameters.get("AudioSource")
            if not isinstance(source, Mapping) or source.get("Type") != "S3":
                problems.append(f"{where}.AudioSource.Type must be S3")
            elif not source.get("BucketName") or not source.get("Key"):
                problems.append(f"{where}.AudioSource needs BucketName and Key")
            if "CallId" not in parameters and tag is None:
                problems.append(f"{where}: PlayAudio needs CallId or ParticipantTag")
        case "Hangup":
            if str(parameters.get("SipResponseCode", "0")) not in {"0", "480", "486"}:
                problems.append(f"{where}.SipResponseCode must be 0, 480 or 486")
        case "CallAndBridge":
            problems += _bridge(parameters, where)
        case "Pause":
            duration = parameters.get("DurationInMilliseconds")
            if not str(duration).isdigit() or int(str(duration)) <= 0:
                problems.append(f"{where}.DurationInMilliseconds must be a positive integer")
    return problems


def _bridge(parameters: Mapping[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    if not is_e164(str(parameters.get("CallerIdNumber", ""))):
        problems.append(f"{where}.CallerIdNumber must be an E.164 number")
    timeout = parameters.get("CallTimeoutSeconds", 30)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1 <= timeout <= 120:
        problems.append(f"{where}.CallTimeoutSeconds must be 1..120")
    endpoints = parameters.get("Endpoints")
    if not isinstance(endpoints, list) or len(endpoints) != 1 or not isinstance(endpoints[0], Mapping):
        return [*problems, f"{where}.Endpoints must hold exactly one endpoint"]
    endpoint = endpoints[0]
    if endpoint.get("BridgeEndpointType") == "PSTN":
        if not is_e164(str(endpoint.get("Uri", ""))) or "Arn" in endpoint:
            problems.append(f"{where}.Endpoints[0]: a PSTN endpoint needs an E.164 Uri and no Arn")
    elif endpoint.get("BridgeEndpointType") == "AWS":
        if not endpoint.get("Arn") or not endpoint.get("Uri"):
            problems.append(f"{where}.Endpoints[0]: an AWS endpoint needs Arn and Uri")
    else:
        problems.append(f"{where}.Endpoints[0].BridgeEndpointType must be PSTN or AWS")
    return problems


def check_response(response: Any) -> list[str]:
    """Every reason the SMA would refuse this Lambda response; empty when it is valid."""
    if not isinstance(response, Mapping):
        return ["the response must be an object"]
    problems: list[str] = []
    if response.get("SchemaVersion") != "1.0":
        problems.append("SchemaVersion must be 1.0")
    found = response.get("Actions")
    if not isinstance(found, list):
        return [*problems, "Actions must be a list"]
    if len(found) > MAX_ACTIONS:
        problems.append(f"at most {MAX_ACTIONS} actions, not {len(found)}")
    for index, action in enumerate(found):
        problems += check_action(action, index)
    if "TransactionAttributes" in response:
        attributes = response["TransactionAttributes"]
        if not isinstance(attributes, Mapping) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in attributes.items()
        ):
            problems.append("TransactionAttributes must map strings to strings")
        elif len(attributes) > MAX_ATTRIBUTES:
            problems.append(f"TransactionAttributes holds at most {MAX_ATTRIBUTES} keys")
        elif len(json.dumps(attributes).encode()) > MAX_ATTRIBUTES_BYTES:
            problems.append("TransactionAttributes is limited to 20 KB")
    unknown = set(response) - {"SchemaVersion", "Actions", "TransactionAttributes"}
    if unknown:
        problems.append(f"unexpected response fields {sorted(unknown)}")
    return problems
