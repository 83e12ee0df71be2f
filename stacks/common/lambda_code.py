"""How every function of the app is built: Python 3.13 on arm64, code from lambdas/, Powertools layer."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.common.nag import acknowledge
from stacks.settings import VOICE_REGIONS

LAMBDAS_DIR = Path(__file__).resolve().parents[2] / "lambdas"
RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64

# Powertools for AWS Lambda (Python) v3 public layer, pinned per region: synth never looks it up in SSM.
# The account and version are the same in every region Powertools publishes to; bump all together.
# Layer versions follow releases (v3.2.0 was layer 3, v3.4.1 layer 6, the v3.2x releases the 20s), so 36
# is a v3.3x release: the meeting API needs >= 3.28 (event_handler.depends). Tests run the PyPI version
# pinned in requirements-dev.txt; check both with `aws lambda get-layer-version-by-arn` when bumping.
POWERTOOLS_LAYER_VERSION = 36
POWERTOOLS_LAYER_ARNS = {
    region: f"arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:"
    f"{POWERTOOLS_LAYER_VERSION}"
    for region in VOICE_REGIONS
}

# Each function's asset is lambdas/ minus the other functions' packages, so shared code (calls/) ships
# with both Lambdas that use it and nothing else does.
PACKAGES = ("call_control", "meeting_api", "telephony_provider", "calls")
_ALWAYS_EXCLUDED = ("**/__pycache__", "**/*.pyc", "**/.mypy_cache", "**/tests")


def lambda_code(*packages: str) -> lambda_.Code:
    unknown = set(packages) - set(PACKAGES)
    if unknown:
        raise ValueError(f"unknown Lambda packages: {sorted(unknown)}")
    excluded = [name for name in PACKAGES if name not in packages]
    return lambda_.Code.from_asset(str(LAMBDAS_DIR), exclude=[*excluded, *_ALWAYS_EXCLUDED])


def powertools_layer(scope: Construct, region: str) -> lambda_.ILayerVersion:
    try:
        arn = POWERTOOLS_LAYER_ARNS[region]
    except KeyError:
        raise ValueError(f"no Powertools layer pinned for region {region}") from None
    return lambda_.LayerVersion.from_layer_version_arn(scope, "PowertoolsLayer", arn)


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
        f"Pinned to {RUNTIME.name}: the runtime our tests run on and the one the pinned Powertools public "
        "layer (python313-arm64) is built for; move both together.",
    )
    return function
