"""How every function of the app is built: Python 3.13 on arm64, code from lambdas/, packages from a layer."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.common.lambda_dependencies import dependencies_dir
from stacks.common.nag import acknowledge

LAMBDAS_DIR = Path(__file__).resolve().parents[2] / "lambdas"
RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64

# Each function's asset is lambdas/ minus the other functions' packages: shared code (calls/) ships with
# every function that names it (the provider too, for the E.164 shape check) and nothing else does.
PACKAGES = ("call_control", "call_events", "meeting_api", "telephony_provider", "calls")
_BYTECODE = ["**/__pycache__", "**/*.pyc"]
_ALWAYS_EXCLUDED = (*_BYTECODE, "**/.mypy_cache", "**/tests")
_LAYER_ID = "LambdaDependencies"


def lambda_code(*packages: str) -> lambda_.Code:
    unknown = set(packages) - set(PACKAGES)
    if unknown:
        raise ValueError(f"unknown Lambda packages: {sorted(unknown)}")
    excluded = [name for name in PACKAGES if name not in packages]
    # requirements.txt is not code: its packages reach the functions through dependencies_layer.
    return lambda_.Code.from_asset(
        str(LAMBDAS_DIR), exclude=[*excluded, "requirements.txt", *_ALWAYS_EXCLUDED]
    )


def dependencies_layer(scope: Construct) -> lambda_.ILayerVersion:
    """The stack's layer of lambdas/requirements.txt, created on first use. One per stack, not one shared:
    a layer exported to another stack could not be replaced while that stack imports it."""
    stack = Stack.of(scope)
    existing = stack.node.try_find_child(_LAYER_ID)
    if existing is not None:
        return cast(lambda_.ILayerVersion, existing)
    return lambda_.LayerVersion(
        stack,
        _LAYER_ID,
        # With its bytecode: compiled at build, reproducibly (see lambda_dependencies), for a faster cold start.
        code=lambda_.Code.from_asset(str(dependencies_dir())),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description="The Lambdas' third-party packages: lambdas/requirements.txt for python3.13 on arm64",
    )


def python_function(
    scope: Construct,
    construct_id: str,
    *,
    handler: str,
    packages: tuple[str, ...],
    description: str,
    environment: dict[str, str],
    timeout: Duration,
    memory_size: int = 512,
    layers: list[lambda_.ILayerVersion] | None = None,
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
    reserved_concurrency: int | None = None,
) -> lambda_.Function:
    """A function with its own log group (retention set), its own role (no managed policies) and X-Ray."""
    log_group = logs.LogGroup(
        scope, f"{construct_id}Logs", retention=log_retention, removal_policy=RemovalPolicy.DESTROY
    )
    role = iam.Role(
        scope,
        f"{construct_id}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"{description[:900]} (runtime role)",
    )
    log_group.grant_write(role)
    function = lambda_.Function(
        scope,
        construct_id,
        runtime=RUNTIME,
        architecture=ARCHITECTURE,
        handler=handler,
        code=lambda_code(*packages),
        description=description,
        environment=environment,
        timeout=timeout,
        memory_size=memory_size,
        layers=layers or [],
        log_group=log_group,
        role=role,
        tracing=lambda_.Tracing.ACTIVE,
        reserved_concurrent_executions=reserved_concurrency,
    )
    acknowledge(
        role,
        "AwsSolutions-IAM5",
        "X-Ray's PutTraceSegments and PutTelemetryRecords accept only Resource '*' (no resource-level "
        "permissions); any other '*' on this role is acknowledged with its own reason where it is granted.",
        applies_to=["Resource::*"],
    )
    acknowledge(
        function,
        "AwsSolutions-L1",
        f"Pinned to {RUNTIME.name}: the runtime our tests run on and the one the dependencies layer's "
        "compiled wheels (cp313, aarch64) are built for; move both together.",
    )
    return function
