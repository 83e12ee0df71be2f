"""Every name derived from the prefix is a method of the deploy settings: two copies of a line never collide."""

from __future__ import annotations

from stacks.settings import settings_from_context

ACCOUNT = "<AWS::AccountId>"  # what the stacks pass is CloudFormation's token; any text stands in for it


def test_each_name_carries_the_prefix_once() -> None:
    settings = settings_from_context({"prefix": "line-b", "region": "eu-west-1", "phoneAreaCode": "206"})
    assert settings.stack_name("telephony") == "line-b-telephony"
    assert settings.calls_metrics_namespace == "line-b/calls"
    assert settings.api_metrics_namespace == "line-b/api"
    assert settings.phone_number_parameter_name == "/line-b/telephony/phone-number"
    assert settings.telephony_dashboard_name == "line-b-telephony"
    assert settings.api_dashboard_name == "line-b-api"
    assert settings.events_api_name == "line-b-call-events"
    assert settings.sip_media_application_name == "line-b-calls"
    assert settings.voice_connector_name == "line-b-trunk"
    assert settings.number_sip_rule_name == "line-b-number"
    assert settings.trunk_sip_rule_name == "line-b-trunk"
    assert settings.site_bucket_name(ACCOUNT) == "line-b-web-<AWS::AccountId>-eu-west-1"
    assert settings.cognito_domain_prefix(ACCOUNT) == "line-b-agents-<AWS::AccountId>"
    assert (
        settings.cognito_domain_url(ACCOUNT)
        == "https://line-b-agents-<AWS::AccountId>.auth.eu-west-1.amazoncognito.com"
    )


def test_two_prefixes_share_no_name() -> None:
    one, other = (
        settings_from_context({"prefix": prefix, "phoneAreaCode": "206"}) for prefix in ("line-a", "line-b")
    )
    assert not set(_names(one)) & set(_names(other))


def _names(settings: object) -> list[str]:
    return [
        getattr(settings, name)
        for name in (
            "calls_metrics_namespace",
            "api_metrics_namespace",
            "phone_number_parameter_name",
            "telephony_dashboard_name",
            "api_dashboard_name",
            "events_api_name",
            "sip_media_application_name",
            "voice_connector_name",
            "number_sip_rule_name",
        )
    ]
