"""cdk-nag acknowledgements: one helper so every one carries a reason written next to its resource."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from constructs import IConstruct

# cdk-nag records one reason per finding and construct (the last given), so a role's Resource::* reason
# must also cover the X-Ray actions every python_function role holds on "*".
XRAY_ON_STAR = "X-Ray's PutTraceSegments and PutTelemetryRecords accept only '*' as well."


def acknowledge(
    construct: IConstruct, rule: str, reason: str, *, applies_to: list[str] | None = None
) -> None:
    """Acknowledge one cdk-nag finding on `construct` (and its children) with a specific reason."""
    if len(reason) < 40:
        raise ValueError(f"acknowledgement of {rule} needs a real reason, not {reason!r}")
    pack = rule.split("-", 1)[0]
    rule_ids = [f"{pack}::{rule}[{finding}]" for finding in applies_to] if applies_to else [f"{pack}::{rule}"]
    for rule_id in rule_ids:
        Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason))


def arn_finding(resource: IConstruct, suffix: str) -> str:
    """cdk-nag's text for a grant on `<Resource.Arn>{suffix}`, e.g. a table's '/index/*' or a function's ':*'."""
    child = resource.node.default_child or resource
    if not isinstance(child, CfnElement):
        raise TypeError(f"{resource.node.path} has no CloudFormation resource to name")
    stack = Stack.of(child)
    return f"Resource::<{stack.resolve(stack.get_logical_id(child))}.Arn>{suffix}"


def partition_text(scope: IConstruct) -> str:
    """How cdk-nag renders the partition: a literal with enablePartitionLiterals, else the pseudo parameter."""
    stack = Stack.of(scope)
    resolved = stack.resolve(stack.partition)
    return resolved if isinstance(resolved, str) else "<AWS::Partition>"


def meeting_finding(scope: IConstruct, control_region: str) -> str:
    return f"Resource::arn:{partition_text(scope)}:chime:{control_region}:<AWS::AccountId>:meeting/*"
