"""`make synth`'s closing summary: what would be deployed, compliance, and the cost arithmetic."""

from __future__ import annotations

import pytest

from scripts import costs
from scripts.deploy_summary import deploy_region, main, summarize
from tests.unit.stacks.conftest import Synthesized


def test_summary_names_the_phone_line_and_its_compliance(default_app: Synthesized) -> None:
    text = summarize(default_app.outdir)
    for stack in (
        "phoneline-telephony",
        "phoneline-web-hosting",
        "phoneline-meeting-api",
        "phoneline-web-client",
    ):
        assert f"Stack {stack}" in text
    assert "number: order a new Local US number (206); kept on stack delete" in text
    assert "1 x SIP media application" in text
    assert "cdk-nag AwsSolutions: success, 0 open findings" in text
    assert "ExportsOutput" not in text


def test_summary_prices_the_line(default_app: Synthesized) -> None:
    text = summarize(default_app.outdir)
    counts = {
        kind: sum(
            resource["Type"] == f"AWS::CloudWatch::{kind}"
            for template in default_app.templates.values()
            for resource in template["Resources"].values()
        )
        for kind in ("Alarm", "Dashboard")
    }
    assert counts["Alarm"] >= 10
    estimate = costs.estimate(toll_free=False, alarms=counts["Alarm"], dashboards=counts["Dashboard"])
    assert f"fixed per month, no calls: ${estimate.fixed_total:,.2f}" in text
    assert f"per minute of an answered inbound call: ${estimate.minute_total:,.4f}" in text


def test_costs_add_up() -> None:
    local = costs.estimate(toll_free=False, alarms=0, dashboards=0)
    toll_free = costs.estimate(toll_free=True, alarms=10, dashboards=5)
    assert toll_free.fixed_total - local.fixed_total == pytest.approx(1.00 + 10 * 0.10 + 2 * 3.00)
    assert local.minute_total == pytest.approx(0.0022 + 0.002 + 2 * 0.0017)
    assert toll_free.minute_total > local.minute_total


def test_region_flag_and_missing_assembly(
    default_app: Synthesized, tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy_region(default_app.outdir) == "us-east-1"
    assert main(["--out", str(tmp_path)]) == 2
    assert "run `make synth` first" in capsys.readouterr().err
