"""Contracts between the stacks and the Lambda code, read from the synthesized templates.

Each Lambda's environment parses with that Lambda's own settings loader (and sets nothing the loader
ignores); the API's routes are docs/openapi.json's; every alarm watches a metric something emits.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from call_control.settings import load_settings as load_call_control_settings
from call_control.sweeper import build_sweeper
from calls import contracts, schema
from calls.contracts import ApiMetric, CallMetric
from meeting_api.settings import Settings as MeetingApiSettings
from tests.unit.stacks.conftest import REPO, Synthesized
from tests.unit.stacks.iam_authorization import Stack, resolve
from tests.unit.stacks.test_telephony_stack import function_by_handler, resources

APPS = [("default_app", "us-east-1"), ("west_app", "us-west-2")]
# Read by Powertools (logger, metrics, tracer), not by our loaders.
RUNTIME_VARIABLES = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"}
# Set only so that a change of value replaces the API's containers (they re-read the SSM parameter).
CACHE_BUSTERS = {"PHONE_NUMBER_CHOICE"}


class RecordingEnvironment(dict[str, str]):
    """The environment a loader sees, remembering every variable it looked at."""

    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


def _environment(app: Synthesized, part: str, handler: str, region: str) -> dict[str, str]:
    template = app.raw(part)
    _, function = function_by_handler(template, handler)
    stack = Stack(part, template, region, app.templates)
    variables = function["Properties"]["Environment"]["Variables"]
    return {name: resolve(value, stack) for name, value in variables.items()}


def _load_sweeper(env: Mapping[str, str]) -> object:
    import botocore.session

    return build_sweeper(env, session=botocore.session.get_session())


LOADERS: list[tuple[str, str, Callable[[Mapping[str, str]], object]]] = [
    ("telephony", "call_control.handler.lambda_handler", load_call_control_settings),
    ("telephony", "call_control.sweeper.lambda_handler", _load_sweeper),
    ("meeting-api", "meeting_api.handler.lambda_handler", MeetingApiSettings.from_env),
]


@pytest.mark.parametrize("app", APPS, ids=[region for _, region in APPS])
@pytest.mark.parametrize("loader", LOADERS, ids=[handler for _, handler, _ in LOADERS])
def test_each_lambdas_environment_parses_with_its_own_settings_loader(
    app: tuple[str, str],
    loader: tuple[str, str, Callable[[Mapping[str, str]], object]],
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (app_name, region), (part, handler, load) = app, loader
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)  # the sweeper builds clients; Lambda sets both
    environment = _environment(request.getfixturevalue(app_name), part, handler, region)
    recording = RecordingEnvironment({**environment, "AWS_REGION": region})
    load(recording)
    unread = set(environment) - recording.read - RUNTIME_VARIABLES - CACHE_BUSTERS
    assert not unread, f"{handler}: the stack sets variables its loader never reads: {sorted(unread)}"


def test_api_routes_are_exactly_the_openapi_documents(default_app: Synthesized) -> None:
    document = json.loads((REPO / "docs" / "openapi.json").read_text())
    documented = {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "put", "post", "delete", "patch"}
    }
    routes = resources(default_app.raw("meeting-api"), "AWS::ApiGatewayV2::Route")
    assert {route["Properties"]["RouteKey"] for route in routes.values()} == documented


# Metrics AWS services emit themselves for the resources our alarms name.
AWS_METRICS = {"AWS/Lambda": {"Errors", "Throttles"}, "AWS/ApiGateway": {"5xx", "4xx"}}


def _literal(node: ast.expr) -> str:
    """The string a literal argument or a calls.contracts constant (`CallMetric.CALLS_FAILED`) holds;
    empty for anything computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        holder = getattr(contracts, node.value.id, None)
        member = getattr(holder, node.attr, None) if holder is not None else None
        return str(member) if isinstance(member, str) else ""
    return ""


def _emitted_metric_names(package: str) -> set[str]:
    """Metric names the package's code emits: add_metric(name="...") and MetricPoint("...", ...)."""
    names: set[str] = set()
    for path in (REPO / "lambdas" / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if callee == "add_metric":
                names |= {_literal(k.value) for k in node.keywords if k.arg == "name"} - {""}
            elif callee == "MetricPoint" and node.args:
                names |= {_literal(node.args[0])} - {""}
    return names


def _emitters(template: dict[str, Any], stack: Stack) -> dict[tuple[str, str], set[str]]:
    """(namespace, service) -> metric names, for every function that publishes Powertools metrics."""
    emitters: dict[tuple[str, str], set[str]] = {}
    for function in resources(template, "AWS::Lambda::Function").values():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        if "POWERTOOLS_METRICS_NAMESPACE" in variables:
            key = (
                resolve(variables["POWERTOOLS_METRICS_NAMESPACE"], stack),
                resolve(variables["POWERTOOLS_SERVICE_NAME"], stack),
            )
            package = str(function["Properties"]["Handler"]).split(".", 1)[0]
            emitters.setdefault(key, set()).update(_emitted_metric_names(package))
    return emitters


@pytest.mark.parametrize(("app_name", "region"), APPS)
def test_every_alarm_watches_a_metric_that_is_emitted(
    app_name: str, region: str, request: pytest.FixtureRequest
) -> None:
    app: Synthesized = request.getfixturevalue(app_name)
    checked = 0
    for part, template in app.templates.items():
        stack = Stack(part, template, region, app.templates)
        emitters = _emitters(template, stack)
        for alarm_id, alarm in resources(template, "AWS::CloudWatch::Alarm").items():
            props = alarm["Properties"]
            assert "Metrics" not in props, f"{part}/{alarm_id}: teach this test metric math"
            namespace, name = resolve(props["Namespace"], stack), props["MetricName"]
            dimensions = {d["Name"]: d["Value"] for d in props.get("Dimensions", [])}
            if namespace in AWS_METRICS:
                assert name in AWS_METRICS[namespace], f"{part}/{alarm_id}: {namespace} {name}"
                (target,) = dimensions.values()
                assert target["Ref"] in template["Resources"], f"{part}/{alarm_id} watches nothing here"
            else:
                service = resolve(dimensions.get("service", ""), stack)
                emitted = emitters.get((namespace, service), set())
                assert name in emitted, (
                    f"{part}/{alarm_id}: no function emits {namespace} {name} as {service!r}"
                )
            checked += 1
    assert checked >= 8


def test_the_metric_scan_sees_the_metrics_the_code_emits() -> None:
    emitted = _emitted_metric_names("call_control")
    assert {CallMetric.CALLS_FAILED, CallMetric.HANDLER_FAILURES, CallMetric.CALLS_STARTED} <= emitted
    assert ApiMetric.UNHANDLED_ERRORS in _emitted_metric_names("meeting_api")


def test_the_environment_check_notices_a_variable_the_loader_ignores() -> None:
    recording = RecordingEnvironment(
        {schema.TABLE_ENV: "calls", "MEETING_REGION": "us-east-1", "GREETINGS_TEXT": "a typo"}
    )
    load_call_control_settings(recording)
    assert "MEETING_REGION" in recording.read
    assert "GREETINGS_TEXT" not in recording.read
