"""The push channel as synthesized: agents subscribe with Cognito, only IAM publishes, the stream feeds it."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.unit.stacks.conftest import Synthesized

POOL = [{"AuthType": "AMAZON_COGNITO_USER_POOLS"}]
IAM = [{"AuthType": "AWS_IAM"}]


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def test_browsers_subscribe_with_this_pools_app_client_and_only_iam_publishes(
    default_app: Synthesized,
) -> None:
    template = default_app.raw("meeting-api")
    ((_, api),) = _of_type(template, "AWS::AppSync::Api").items()
    config = api["Properties"]["EventConfig"]
    (pool,) = [p for p in config["AuthProviders"] if p["AuthType"] == "AMAZON_COGNITO_USER_POOLS"]
    assert pool["CognitoConfig"]["UserPoolId"]["Ref"].startswith("IdentityAgents")
    assert "IdentityAgentsWebClient" in json.dumps(pool["CognitoConfig"]["AppIdClientRegex"])
    assert config["DefaultPublishAuthModes"] == IAM
    assert config["DefaultSubscribeAuthModes"] == POOL
    namespaces = {
        r["Properties"]["Name"]: r["Properties"]
        for r in _of_type(template, "AWS::AppSync::ChannelNamespace").values()
    }
    assert sorted(namespaces) == ["call", "queue"]
    for properties in namespaces.values():
        assert properties["PublishAuthModes"] == IAM
        assert properties["SubscribeAuthModes"] == POOL


def test_the_publisher_may_publish_to_the_two_namespaces_and_nothing_else_on_appsync(
    default_app: Synthesized,
) -> None:
    template = default_app.raw("meeting-api")
    appsync = [
        s
        for policy in _of_type(template, "AWS::IAM::Policy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if any(
            str(a).startswith("appsync:")
            for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        )
    ]
    (statement,) = appsync
    assert statement["Action"] == "appsync:EventPublish"
    arns = sorted(json.dumps(r) for r in statement["Resource"])
    assert [a.endswith('/channelNamespace/call"]]}') for a in arns] == [True, False]
    assert arns[1].endswith('/channelNamespace/queue"]]}')


def test_the_calls_table_stream_feeds_the_publisher_with_item_failures(default_app: Synthesized) -> None:
    (table,) = _of_type(default_app.raw("telephony"), "AWS::DynamoDB::GlobalTable").values()
    assert table["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    (mapping,) = _of_type(default_app.raw("meeting-api"), "AWS::Lambda::EventSourceMapping").values()
    properties = mapping["Properties"]
    assert "StreamArn" in json.dumps(properties["EventSourceArn"])
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["MaximumRetryAttempts"] == 2
    assert properties["MaximumBatchingWindowInSeconds"] == 0


def test_the_web_client_learns_the_events_endpoint_and_the_csp_allows_its_websocket(
    default_app: Synthesized,
) -> None:
    (config_json,) = default_app.outdir.glob("asset.*/config.json")
    config = json.loads(re.sub(r"<<marker:0xbaba:\d+>>", "null", config_json.read_text()))
    assert {"eventsRealtimeUrl", "eventsHttpHost"} <= set(config)
    (pages,) = [
        d["Properties"]
        for d in default_app.raw("web-client")["Resources"].values()
        if d["Type"] == "Custom::CDKBucketDeployment" and "DistributionPaths" in d["Properties"]
    ]
    markers = json.dumps(pages["SourceMarkers"])
    assert "/event/realtime" in markers and "wss://" in markers and "EventsApi" in markers
    hosting = json.dumps(default_app.raw("web-hosting"))
    assert "wss://*.appsync-realtime-api.us-east-1.amazonaws.com" in hosting
    assert "https://*.appsync-api" not in hosting  # browsers never publish
