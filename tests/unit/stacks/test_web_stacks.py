"""Hosting: a private bucket behind CloudFront with strict headers; content: the build plus config.json."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.unit.stacks.conftest import Synthesized
from tests.unit.stacks.test_telephony_stack import one, resources


def test_site_bucket_is_private_and_tls_only(default_app: Synthesized) -> None:
    template = default_app.raw("web-hosting")
    for key, bucket in resources(template, "AWS::S3::Bucket").items():
        block = bucket["Properties"]["PublicAccessBlockConfiguration"]
        assert all(
            block[flag]
            for flag in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
        ), key
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources(template, "AWS::S3::BucketPolicy").values()
    ]
    for statements in policies:
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in statements
        )
    site_policy = [
        s
        for statements in policies
        for s in statements
        if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
    ]
    assert site_policy, "CloudFront reads the site through origin access control"
    assert all("AWS:SourceArn" in str(s["Condition"]) for s in site_policy)


def test_distribution_is_https_only_with_spa_fallback_and_logging(default_app: Synthesized) -> None:
    template = default_app.raw("web-hosting")
    _, distribution = one(template, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"
    assert {
        (e["ErrorCode"], e["ResponseCode"], e["ResponsePagePath"]) for e in config["CustomErrorResponses"]
    } == {
        (403, 200, "/index.html"),
        (404, 200, "/index.html"),
    }
    assert "Logging" in config
    assert one(template, "AWS::CloudFront::OriginAccessControl")


def test_security_headers_allow_the_microphone_and_only_the_endpoints_the_client_uses(
    synth_cache: Any,
) -> None:
    template = synth_cache(azureOpenAiEndpoint="https://my-res.openai.azure.com").raw("web-hosting")
    _, policy = one(template, "AWS::CloudFront::ResponseHeadersPolicy")
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]
    csp = str(config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert "default-src 'none'" in csp
    assert "script-src 'self';" in csp
    assert "https://my-res.openai.azure.com" in csp
    assert "wss://*.chime.aws" in csp
    # The managed-login domain, for the token endpoint and, at sign-out, the revocation endpoint.
    assert "https://phoneline-agents-" in csp and ".auth.us-east-1.amazoncognito.com" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    headers = {h["Header"]: h["Value"] for h in config["CustomHeadersConfig"]["Items"]}
    assert headers["Permissions-Policy"].startswith("microphone=(self)")
    assert config["SecurityHeadersConfig"]["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000


def test_content_stack_deploys_the_build_and_config_json_and_invalidates(default_app: Synthesized) -> None:
    template = default_app.raw("web-client")
    deployments = [d["Properties"] for d in resources(template, "Custom::CDKBucketDeployment").values()]
    assert len(deployments) == 2
    pages = [d for d in deployments if "DistributionPaths" in d]
    assert len(pages) == 1
    assert sorted(pages[0]["DistributionPaths"]) == ["/config.json", "/index.html"]
    configs = list(default_app.outdir.glob("asset.*/config.json"))
    assert len(configs) == 1, configs
    # Deploy-time values are markers (replaced by quoted JSON strings at deploy); the rest is literal.
    text = configs[0].read_text()
    markers = re.findall(r"<<marker:0xbaba:\d+>>", text)
    config = json.loads(re.sub(r"<<marker:0xbaba:\d+>>", "null", text))
    assert set(config) == {
        "region",
        "apiUrl",
        "userPoolId",
        "userPoolClientId",
        "cognitoDomain",
        "eventsRealtimeUrl",
        "eventsHttpHost",
    }
    assert config["region"] == "us-east-1"
    assert len(markers) == 6
    filled = str(pages[0]["SourceMarkers"])
    assert "ApiHttp" in filled
    assert "IdentityAgents" in filled


def test_web_hosting_synthesizes_without_warnings(default_app: Synthesized) -> None:
    """CDK warns about settings it ignores (minimumProtocolVersion with the default certificate)."""
    (metadata,) = default_app.outdir.glob("*-web-hosting.metadata.json")
    warnings = [
        entry["data"]
        for entries in json.loads(metadata.read_text()).values()
        for entry in entries
        if entry["type"] == "aws:cdk:warning"
    ]
    assert warnings == []
