"""Says what `cdk deploy` would create, from the synthesized cloud assembly in cdk.out, and what it costs.

python -m scripts.deploy_summary            # the summary
python -m scripts.deploy_summary --region   # just the deploy region (for cfn-lint)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from scripts.costs import PRICES_READ, estimate, per_call_extras

# Resource types worth naming one by one; the rest are counted.
NOTABLE = {
    "AWS::Chime::VoiceConnector": "Voice Connector",
    "Custom::ChimeVoiceConnector": "Voice Connector (custom resource: no CloudFormation type in this region)",
    "AWS::Chime::SipMediaApplication": "SIP media application",
    "Custom::ChimeSipMediaApplication": "SIP media application (custom resource)",
    "Custom::ChimePreflight": "Preflight: proves the account may create SIP media applications",
    "Custom::ChimePhoneNumber": "Phone number",
    "Custom::ChimeSipRule": "SIP rule",
    "Custom::ChimeVoiceConnectorSettings": "Voice Connector termination/origination/logging",
    "AWS::DynamoDB::GlobalTable": "DynamoDB table",
    "AWS::DynamoDB::Table": "DynamoDB table",
    "AWS::Lambda::Function": "Lambda function",
    "AWS::ApiGatewayV2::Api": "HTTP API",
    "AWS::Cognito::UserPool": "Cognito user pool",
    "AWS::CloudFront::Distribution": "CloudFront distribution",
    "AWS::S3::Bucket": "S3 bucket",
    "AWS::SecretsManager::Secret": "Secrets Manager secret",
    "AWS::CloudWatch::Alarm": "CloudWatch alarm",
    "AWS::CloudWatch::Dashboard": "CloudWatch dashboard",
}


def load_assembly(out: Path) -> list[tuple[str, str, dict[str, Any]]]:
    manifest = json.loads((out / "manifest.json").read_text())
    stacks = []
    for name, artifact in manifest["artifacts"].items():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        template = json.loads((out / artifact["properties"]["templateFile"]).read_text())
        stacks.append((name, artifact["environment"], template))
    return stacks


def describe_phone_number(props: dict[str, Any]) -> str:
    if props.get("Mode") == "existing":
        return f"use existing number {props.get('E164')}"
    where = props.get("AreaCode") or props.get("TollFreePrefix") or "any area code"
    keep = "released" if str(props.get("ReleaseOnDelete")).lower() == "true" else "kept"
    return f"order a new {props.get('NumberType')} {props.get('Country')} number ({where}); {keep} on stack delete"


def summarize(out: Path) -> str:
    stacks = load_assembly(out)
    lines = ["What `cdk deploy --all` would create (synthesized offline from cdk.out):", ""]
    alarms = dashboards = 0
    toll_free = False
    greeting = 0
    for name, environment, template in stacks:
        resources = template.get("Resources", {})
        types = Counter(resource["Type"] for resource in resources.values())
        alarms += types["AWS::CloudWatch::Alarm"]
        dashboards += types["AWS::CloudWatch::Dashboard"]
        lines.append(f"Stack {name}  ({environment}, {len(resources)} resources)")
        for resource_type, label in NOTABLE.items():
            if types[resource_type]:
                lines.append(f"  {types[resource_type]:>3} x {label}")
        for resource in resources.values():
            props = resource.get("Properties", {})
            if resource["Type"] == "Custom::ChimePhoneNumber":
                lines.append(f"        number: {describe_phone_number(props)}")
                toll_free = props.get("NumberType") == "TollFree"
            if resource["Type"] == "AWS::Lambda::Function":
                greeting = max(
                    greeting, len(props.get("Environment", {}).get("Variables", {}).get("GREETING_TEXT", ""))
                )
        others = sum(count for resource_type, count in types.items() if resource_type not in NOTABLE)
        lines.append(f"  {others:>3} x other (IAM roles and policies, log groups, permissions, rules...)")
        outputs = [name for name in template.get("Outputs", {}) if not name.startswith("ExportsOutput")]
        if outputs:
            lines.append(f"  outputs after deploy: {', '.join(sorted(outputs))}")
        lines.append("")

    lines.extend(compliance(out))
    lines.append("")
    cost = estimate(toll_free=toll_free, alarms=alarms, dashboards=dashboards)
    lines.append(f"What it costs to run (AWS list prices, {PRICES_READ}):")
    lines.append(f"  fixed per month, no calls: ${cost.fixed_total:,.2f}")
    for label, amount in cost.monthly_fixed:
        lines.append(f"      ${amount:8.4f}  {label}")
    lines.append(f"  per minute of an answered inbound call: ${cost.minute_total:,.4f}")
    for label, amount in cost.per_call_minute:
        lines.append(f"      ${amount:8.4f}  {label}")
    extras = per_call_extras(greeting)
    for label, amount in extras:
        lines.append(f"  per call: ${amount:,.4f}  {label}")
    lines.append(f"  per signed-in agent per month: ${cost.agent_total:,.2f}")
    for label, amount in cost.per_agent_month:
        lines.append(f"      ${amount:8.4f}  {label}")
    lines.append("  Azure OpenAI Realtime audio is billed by Azure, per token, on top of this.")
    lines.append(
        "  A 5-minute call answered by the AI costs about "
        f"${5 * cost.minute_total + sum(amount for _, amount in extras):.3f} on AWS."
    )
    return "\n".join(lines)


def compliance(out: Path) -> list[str]:
    report_path = out / "validation-report.json"
    if not report_path.exists():
        return ["cdk-nag: no validation report in cdk.out (was synth run with the checks?)"]
    report = json.loads(report_path.read_text())
    lines = []
    for plugin in report.get("pluginReports", []):
        acknowledged = plugin.get("suppressedViolations", [])
        rules = sorted({item["ruleName"].split("[", 1)[0] for item in acknowledged})
        lines.append(
            f"cdk-nag {plugin['pluginName']}: {plugin['conclusion']}, {len(plugin.get('violations', []))} open "
            f"findings, {len(acknowledged)} acknowledged with reasons ({', '.join(rules)})"
        )
    return lines


def deploy_region(out: Path) -> str:
    regions = {environment.rsplit("/", 1)[-1] for _, environment, _ in load_assembly(out)}
    return " ".join(sorted(regions))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("cdk.out"))
    parser.add_argument("--region", action="store_true", help="print only the deploy region(s)")
    args = parser.parse_args(argv)
    if not (args.out / "manifest.json").exists():
        print(f"no cloud assembly in {args.out}: run `make synth` first", file=sys.stderr)
        return 2
    print(deploy_region(args.out) if args.region else summarize(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
