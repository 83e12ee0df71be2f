"""SipRule: routes a phone number (or a Voice Connector's host name) to a SIP media application.

For a SipMediaApplicationDialIn number the rule *is* the association: there is no separate
"associate number" call (AssociatePhoneNumbersWithVoiceConnector is for VoiceConnector numbers).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from telephony_provider import logs
from telephony_provider.chime import CONFLICT, NOT_FOUND, Chime, ChimeCallError, ChimeFactory
from telephony_provider.errors import ProviderError
from telephony_provider.events import Outcome, Request
from telephony_provider.properties import SipRuleProps
from telephony_provider.regional import run_lifecycle

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient
    from mypy_boto3_chime_sdk_voice.type_defs import (
        ListSipRulesRequestTypeDef,
        ListSipRulesResponseTypeDef,
        SipRuleTargetApplicationTypeDef,
        SipRuleTypeDef,
    )


def needs_new_rule(old: SipRuleProps | None, new: SipRuleProps) -> bool:
    """A rule's trigger can't be changed in place, and a rule is managed through its region's endpoint."""
    if old is None:
        return False
    return (old.trigger_type, old.trigger_value, old.aws_region) != (
        new.trigger_type,
        new.trigger_value,
        new.aws_region,
    )


def _targets(props: SipRuleProps) -> list[SipRuleTargetApplicationTypeDef]:
    return [
        {
            "SipMediaApplicationId": props.sip_media_application_id,
            "Priority": props.priority,
            "AwsRegion": props.aws_region,
        }
    ]


def on_event(request: Request[SipRuleProps], chimes: ChimeFactory) -> Outcome:
    props = request.props
    chime = chimes(props.aws_region)
    return run_lifecycle(
        request.event,
        replace=needs_new_rule(request.old_props, props),
        create=lambda: _create(chime, props),
        update=lambda physical_id: _update_in_place(chime, physical_id, props),
        delete=lambda physical_id: _delete(chime, physical_id, props),
    )


def _update_in_place(chime: Chime, rule_id: str, props: SipRuleProps) -> Outcome:
    _update(chime, rule_id, props)
    return Outcome(rule_id, {"SipRuleId": rule_id})


def _create(chime: Chime, props: SipRuleProps) -> Outcome:
    try:
        created = chime.call(
            "CreateSipRule",
            lambda c: c.create_sip_rule(
                Name=props.name,
                TriggerType=props.trigger_type,
                TriggerValue=props.trigger_value,
                TargetApplications=_targets(props),
            ),
        )
        rule_id = created["SipRule"].get("SipRuleId", "")
    except ChimeCallError as err:
        if err.code != CONFLICT:
            raise
        rule_id = _adopt_own_rule(chime, props, err)
    if not rule_id:
        raise ProviderError("CreateSipRule answered without a SipRuleId; try again.")
    logs.info("SIP rule in place", id=rule_id, trigger=props.trigger_type, region=chime.region)
    return Outcome(rule_id, {"SipRuleId": rule_id})


def _adopt_own_rule(chime: Chime, props: SipRuleProps, conflict: ChimeCallError) -> str:
    """After a Conflict, take over the rule a previous attempt of this request left behind.

    A retried Create (or one whose first try timed out) finds its own rule already there; a rule with
    the same trigger but another name belongs to someone else and must not be taken.
    """
    existing = _find_rule(chime, props)
    if existing is None:
        raise conflict
    rule_id = existing.get("SipRuleId", "")
    if existing.get("Name") != props.name:
        raise ProviderError(
            f"Another SIP rule ({rule_id}, named {existing.get('Name')!r}) already routes "
            f"{props.trigger_type} {props.trigger_value} in {chime.region}; a trigger can have only one "
            "rule. Delete that rule (disable it first) or use a different number or host name."
        ) from conflict
    logs.warning("adopting SIP rule left by an earlier attempt of this request", id=rule_id)
    _update(chime, rule_id, props)
    return rule_id


def _find_rule(chime: Chime, props: SipRuleProps) -> SipRuleTypeDef | None:
    query: ListSipRulesRequestTypeDef = {"MaxResults": 100}
    while True:
        page = chime.call("ListSipRules", functools.partial(_list_sip_rules, query=query))
        for rule in page.get("SipRules", []):
            if (
                rule.get("TriggerType") == props.trigger_type
                and rule.get("TriggerValue") == props.trigger_value
            ):
                return rule
        next_token = page.get("NextToken")
        if not next_token:
            return None
        query = {"MaxResults": 100, "NextToken": next_token}


def _list_sip_rules(
    client: ChimeSDKVoiceClient, query: ListSipRulesRequestTypeDef
) -> ListSipRulesResponseTypeDef:
    return client.list_sip_rules(**query)


def _update(chime: Chime, rule_id: str, props: SipRuleProps) -> None:
    try:
        chime.call(
            "UpdateSipRule",
            lambda c: c.update_sip_rule(
                SipRuleId=rule_id, Name=props.name, Disabled=False, TargetApplications=_targets(props)
            ),
        )
    except ChimeCallError as err:
        if err.code == NOT_FOUND:
            raise ProviderError(
                f"SIP rule {rule_id} no longer exists in {chime.region}, so it can't be updated. Something "
                "deleted it outside CloudFormation; remove the resource from the stack and add it back."
            ) from err
        raise


def _delete(chime: Chime, rule_id: str, props: SipRuleProps) -> None:
    # AWS requires a rule to be disabled before it can be deleted; UpdateSipRule insists on a Name.
    try:
        chime.call(
            "UpdateSipRule", lambda c: c.update_sip_rule(SipRuleId=rule_id, Name=props.name, Disabled=True)
        )
        chime.call("DeleteSipRule", lambda c: c.delete_sip_rule(SipRuleId=rule_id))
    except ChimeCallError as err:
        if err.code != NOT_FOUND:
            raise
        logs.info("SIP rule already gone", id=rule_id, region=chime.region)
        return
    logs.info("deleted SIP rule", id=rule_id, region=chime.region)
