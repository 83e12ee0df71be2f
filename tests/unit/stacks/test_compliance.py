"""cdk-nag AwsSolutions clean with a reason for every acknowledgement; cfn-lint clean in both regions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from stacks.settings import VOICE_REGIONS
from stacks.telephony.voice import REGIONS_WITH_CFN_CHIME_VOICE
from tests.unit.stacks.conftest import REPO, Synthesized


def cfn_lint(template_path: Path, region: str) -> list[str]:
    config = ManualArgs(regions=[region], ignore_checks=["W3005", "W3045"])
    return [str(match) for match in lint(template_path.read_text(), config=config)]


@pytest.mark.parametrize("app_name", ["default_app", "west_app"])
def test_cdk_nag_has_no_unacknowledged_finding_and_every_reason_is_specific(
    app_name: str, request: pytest.FixtureRequest
) -> None:
    app: Synthesized = request.getfixturevalue(app_name)
    report = app.validation_report
    (nag,) = [plugin for plugin in report["pluginReports"] if plugin["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "success"
    assert nag["violations"] == []
    reasons = {violation["reason"] for violation in nag["suppressedViolations"]}
    assert reasons, "expected some acknowledged findings (provider framework, X-Ray)"
    assert all(len(reason) >= 60 for reason in reasons), sorted(reasons, key=len)[:3]


@pytest.mark.parametrize(("app_name", "region"), [("default_app", "us-east-1"), ("west_app", "us-west-2")])
def test_cfn_lint_finds_nothing_in_any_template(
    app_name: str, region: str, request: pytest.FixtureRequest
) -> None:
    app: Synthesized = request.getfixturevalue(app_name)
    for template in sorted(app.outdir.glob("*.template.json")):
        assert cfn_lint(template, region) == [], template.name


def test_the_cfn_lint_ignores_match_the_repo_config() -> None:
    config = (REPO / ".cfnlintrc.yaml").read_text()
    assert "- W3005" in config
    assert "- W3045" in config


def test_cfn_lint_would_catch_the_chime_types_in_us_west_2(default_app: Synthesized) -> None:
    """The region table below is what keeps us-west-2 lint-clean: prove lint would fail without it."""
    telephony = next(default_app.outdir.glob("*telephony.template.json"))
    findings = cfn_lint(telephony, "us-west-2")
    assert any("AWS::Chime::SipMediaApplication" in finding for finding in findings)


def cfn_lint_region_types(region: str) -> set[str]:
    import cfnlint

    providers = Path(cfnlint.__file__).parent / "data" / "schemas" / "providers" / f"{region}.json"
    return set(json.loads(providers.read_text()))


@pytest.mark.parametrize("region", VOICE_REGIONS)
def test_the_chime_region_table_matches_cfn_lints_region_data(region: str) -> None:
    types = cfn_lint_region_types(region)
    has_both = {"AWS::Chime::VoiceConnector", "AWS::Chime::SipMediaApplication"} <= types
    assert has_both == (region in REGIONS_WITH_CFN_CHIME_VOICE)


def _statements(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if "Effect" in node and "Action" in node else []
        return found + [s for value in node.values() for s in _statements(value)]
    if isinstance(node, list):
        return [s for value in node for s in _statements(value)]
    return []


def test_no_policy_allows_anyone(default_app: Synthesized) -> None:
    """Resource policies may deny everyone (TLS-only), never allow everyone."""
    for part, template in default_app.templates.items():
        for statement in _statements(template["Resources"]):
            if statement["Effect"] == "Allow":
                assert statement.get("Principal") not in ("*", {"AWS": "*"}), (part, statement)


def _lambda_env_size(template: dict[str, Any]) -> int:
    largest = 0
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Function":
            variables = resource["Properties"].get("Environment", {}).get("Variables", {})
            largest = max(largest, len(json.dumps(variables)))
    return largest


def test_lambda_environments_fit_the_4_kb_limit_even_with_the_longest_instructions(synth_cache: Any) -> None:
    app = synth_cache(azureOpenAiInstructions="x" * 2000)
    assert _lambda_env_size(app.raw("meeting-api")) < 4096 - 300  # room for resolved ARNs and ids
