"""Check IAM statements the way AWS evaluates them, against the Service Authorization data cfn-lint ships.

`Policies.json` maps each service prefix to its actions (lower-case) and each action to the resource
types it can be scoped to; each resource type has ARN formats such as
``arn:${Partition}:chime:${Region}:${AccountId}:meeting/.*``. An action with no resource types is
evaluated against ``*``: a statement that scopes it to an ARN never matches, and every call is denied.

CloudFormation values (Ref, GetAtt, Join, Sub, ImportValue, pseudo parameters) are resolved into
plausible placeholder ARNs, so an ARN built from tokens is matched by its shape, not skipped.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cfnlint  # type: ignore[import-untyped]

ACCOUNT = "123456789012"
PSEUDO = {"AWS::Partition": "aws", "AWS::AccountId": ACCOUNT, "AWS::URLSuffix": "amazonaws.com"}
# What GetAtt <resource>.Arn (or Ref, where Ref is the ARN) looks like, by resource type; `{name}` is a
# placeholder for the generated name. A type missing here fails the check until it is taught.
ARN_SHAPES = {
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:{region}:{account}:table/{name}",
    "AWS::DynamoDB::GlobalTable": "arn:aws:dynamodb:{region}:{account}:table/{name}",
    "AWS::Lambda::Function": "arn:aws:lambda:{region}:{account}:function:{name}",
    "AWS::Logs::LogGroup": "arn:aws:logs:{region}:{account}:log-group:{name}:*",
    "AWS::S3::Bucket": "arn:aws:s3:::{name}",
    "AWS::SNS::Topic": "arn:aws:sns:{region}:{account}:{name}",
    "AWS::StepFunctions::StateMachine": "arn:aws:states:{region}:{account}:stateMachine:{name}",
    "AWS::SecretsManager::Secret": "arn:aws:secretsmanager:{region}:{account}:secret:{name}",
    "AWS::IAM::Role": "arn:aws:iam::{account}:role/{name}",
    "AWS::Cognito::UserPool": "arn:aws:cognito-idp:{region}:{account}:userpool/{name}",
}
REF_IS_ARN = {"AWS::SNS::Topic", "AWS::StepFunctions::StateMachine", "AWS::SecretsManager::Secret"}
_FORMAT_VARIABLES = {
    "${Partition}": r"aws(-[a-z]+)*",
    "${Region}": r"[a-z]{2}(-[a-z]+)+-\d",
    "${Account}": r"\d{12}",
    "${AccountId}": r"\d{12}",
}


@functools.cache
def service_authorization() -> Mapping[str, Any]:
    path = Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "Policies.json"
    return json.loads(path.read_text())  # type: ignore[no-any-return]


@functools.cache
def _format_regex(arn_format: str) -> re.Pattern[str]:
    parts = re.split(r"(\$\{[^}]+\}|\.\*)", arn_format)
    pattern = "".join(
        _FORMAT_VARIABLES.get(part, r"[^:]+")
        if part.startswith("${")
        else ".*"
        if part == ".*"
        else re.escape(part)
        for part in parts
    )
    return re.compile(pattern)


@dataclass(frozen=True)
class Stack:
    """One synthesized template, the region it was built for, and every template (for ImportValue)."""

    name: str
    template: Mapping[str, Any]
    region: str
    app: Mapping[str, Mapping[str, Any]]


def resolve(value: Any, stack: Stack) -> str:
    """A CloudFormation value as a string, with tokens replaced by placeholders of the right shape."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or len(value) != 1:
        raise ValueError(f"{stack.name}: cannot read {value!r} as a string")
    ((function, argument),) = value.items()
    if function == "Ref":
        return _ref(str(argument), stack)
    if function == "Fn::GetAtt":
        logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
        return _get_att(logical_id, attribute, stack)
    if function == "Fn::Join":
        separator, parts = argument
        return str(separator).join(resolve(part, stack) for part in parts)
    if function == "Fn::Sub":
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        return re.sub(r"\$\{([^}!]+)\}", lambda m: _sub_variable(m.group(1), variables, stack), text)
    if function == "Fn::ImportValue":
        return _import(resolve(argument, stack), stack)
    raise ValueError(f"{stack.name}: teach iam_authorization to resolve {function}")


def _ref(name: str, stack: Stack) -> str:
    if name == "AWS::Region":
        return stack.region
    if name in PSEUDO:
        return PSEUDO[name]
    resource = stack.template.get("Resources", {}).get(name)
    if resource is not None and resource["Type"] in REF_IS_ARN:
        return _arn(name, resource["Type"], stack)
    return f"ref-{name.lower()}"


def _get_att(logical_id: str, attribute: str, stack: Stack) -> str:
    resource_type = stack.template["Resources"][logical_id]["Type"]
    if attribute == "Arn":
        return _arn(logical_id, resource_type, stack)
    if attribute == "StreamArn":  # a table's stream: <table ARN>/stream/<creation time>
        return _arn(logical_id, resource_type, stack) + "/stream/2026-01-01T00:00:00.000"
    if attribute.endswith("Id"):  # Chime ids (SipMediaApplicationId, VoiceConnectorId...) are GUIDs
        digest = hashlib.sha256(f"{logical_id}.{attribute}".encode()).hexdigest()
        return str(uuid.UUID(digest[:32]))
    return f"{attribute.lower()}-{logical_id.lower()}"


def _arn(logical_id: str, resource_type: str, stack: Stack) -> str:
    if resource_type not in ARN_SHAPES:
        raise ValueError(f"{stack.name}: teach iam_authorization the ARN of {resource_type} ({logical_id})")
    return ARN_SHAPES[resource_type].format(region=stack.region, account=ACCOUNT, name=logical_id.lower())


def _sub_variable(name: str, variables: Mapping[str, Any], stack: Stack) -> str:
    if name in variables:
        return resolve(variables[name], stack)
    if "." in name:
        logical_id, attribute = name.split(".", 1)
        return _get_att(logical_id, attribute, stack)
    return _ref(name, stack)


def _import(export_name: str, stack: Stack) -> str:
    for name, template in stack.app.items():
        for output in template.get("Outputs", {}).values():
            exported = output.get("Export", {}).get("Name")
            if exported is not None and resolve(exported, Stack(name, template, stack.region, stack.app)) == (
                export_name
            ):
                return resolve(output["Value"], Stack(name, template, stack.region, stack.app))
    raise ValueError(f"{stack.name}: no template exports {export_name}")


def statements(template: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every permission statement (identity and resource policies; trust policies name no Resource)."""

    def walk(node: Any, key: str) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if isinstance(node.get("Statement"), list) and key != "AssumeRolePolicyDocument":
                yield from node["Statement"]
            for child_key, child in node.items():
                yield from walk(child, child_key)
        elif isinstance(node, list):
            for child in node:
                yield from walk(child, key)

    for logical_id, resource in template.get("Resources", {}).items():
        for statement in walk(resource.get("Properties", {}), ""):
            yield logical_id, statement


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _fits(arn: str, resource_types: list[str], service: Mapping[str, Any]) -> bool:
    by_name = {name.lower(): spec for name, spec in service.get("Resources", {}).items()}
    return any(
        _format_regex(arn_format).fullmatch(arn)
        for resource_type in resource_types
        for arn_format in by_name[resource_type.lower()].get("ARNFormats", [])
    )


def problems_in(statement: Mapping[str, Any], stack: Stack, where: str) -> list[str]:
    """Why AWS would not evaluate this statement as written (empty if it would)."""
    if "NotAction" in statement or "NotResource" in statement:
        return [f"{where}: NotAction/NotResource are not checked here; write Action and Resource"]
    if "Resource" not in statement:
        return [f"{where}: statement has no Resource"]
    data = service_authorization()
    arns = [resolve(resource, stack) for resource in _as_list(statement["Resource"])]
    scoped = [arn for arn in arns if arn != "*"]
    found: list[str] = []
    for action in _as_list(statement["Action"]):
        prefix, _, name = str(action).partition(":")
        service = data.get(prefix.lower())
        if service is None:
            found.append(f"{where}: {action}: no service {prefix!r} in the Service Authorization data")
            continue
        names = fnmatch.filter(service["Actions"], name.lower())
        if not names:
            found.append(f"{where}: {action}: no such action for {prefix}")
            continue
        if "*" in name:
            # A pattern grants what it matches; each ARN must fit at least one of those actions.
            types = [t for matched in names for t in service["Actions"][matched].get("Resources", [])]
            found += [f"{where}: {action}: no action it matches applies to {arn}" for arn in scoped
                      if not _fits(arn, types, service)]  # fmt: skip
            continue
        types = service["Actions"][names[0]].get("Resources", [])
        if not types and scoped:
            found.append(
                f'{where}: {action} has no resource type, so IAM evaluates it against "*"; '
                f"scoped to {', '.join(scoped)} it never matches (AccessDenied)"
            )
        elif types:
            found += [
                f"{where}: {action} applies to {', '.join(types)}; {arn} has none of their ARN shapes"
                for arn in scoped
                if not _fits(arn, types, service)
            ]
    return found


def check_app(templates: Mapping[str, Mapping[str, Any]], region: str) -> list[str]:
    found: list[str] = []
    for name, template in templates.items():
        stack = Stack(name, template, region, templates)
        for logical_id, statement in statements(template):
            found += problems_in(statement, stack, f"{name}/{logical_id}")
    return found
