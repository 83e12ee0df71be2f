"""PhoneNumber: order a number (asynchronously) or adopt one the account already has.

The physical id is the E.164 number. An order can stay Processing for minutes, so ``on_event`` only
places it and returns ``Data`` with the order id; the framework calls ``is_complete`` every 30 s until the
order settles. ``Data`` without ``PhoneNumberId`` is the sign that something is still to be resolved.

Numbers people already dial are precious: changed search criteria never order a new number, an adopted
number is never released, and an ordered one only when ``ReleaseOnDelete`` says so.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from telephony_provider import logs
from telephony_provider.chime import (
    BAD_REQUEST,
    NOT_FOUND,
    QUOTA_EXCEEDED,
    REFUSED,
    TRANSIENT,
    Chime,
    ChimeCallError,
    ChimeFactory,
)
from telephony_provider.errors import ProviderError
from telephony_provider.events import DONE, NOT_YET, Completion, Outcome, ProviderEvent, Request
from telephony_provider.properties import NumberSearch, PhoneNumberProps, ProductType

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient
    from mypy_boto3_chime_sdk_voice.type_defs import (
        ListPhoneNumbersRequestTypeDef,
        ListPhoneNumbersResponseTypeDef,
        PhoneNumberOrderTypeDef,
        PhoneNumberTypeDef,
        SearchAvailablePhoneNumbersRequestTypeDef,
    )

SEARCH_RESULTS = 5
# PhoneNumberOrderStatus values. Porting-only states are listed so a new order that enters one is
# understood rather than guessed at.
ORDER_PENDING = frozenset({"Processing", "Submitted", "FOC", "ChangeRequested"})
ORDER_NEEDS_DOCUMENTS = "PendingDocuments"
ORDER_FAILED = frozenset({"Failed", "Partial", "Exception", "CancelRequested", "Cancelled"})
ORDER_SUCCESSFUL = "Successful"
# PhoneNumberStatus values a number can be used (or kept using) in.
USABLE = frozenset({"Unassigned", "Assigned"})
BEING_ACQUIRED = frozenset({"AcquireInProgress", "PortinInProgress"})
# On Delete: already on its way out of the inventory, or never in it (a failed or cancelled order).
NOTHING_TO_RELEASE = frozenset({"ReleaseInProgress", "DeleteInProgress", "AcquireFailed", "Cancelled"})


# --- pure decisions -------------------------------------------------------------------------------


def identity(props: PhoneNumberProps) -> tuple[str, ...]:
    """What makes a different number: the mode, and in existing mode the number itself.

    Search criteria are deliberately not part of it: callers already dial the current number.
    """
    return ("existing", props.e164 or "") if props.mode == "existing" else ("order",)


def search_changed(old: PhoneNumberProps | None, new: PhoneNumberProps) -> bool:
    return old is not None and old.mode == new.mode == "order" and old.search != new.search


@dataclass(frozen=True)
class OrderProgress:
    """Where an order stands: still pending, acquired, or failed with the operator's explanation."""

    pending: bool = False
    failure: str | None = None


def order_progress(order: PhoneNumberOrderTypeDef, e164: str) -> OrderProgress:
    order_id = order.get("PhoneNumberOrderId", "?")
    status = order.get("Status", "")
    number_status = next(
        (
            n.get("Status", "")
            for n in order.get("OrderedPhoneNumbers", [])
            if n.get("E164PhoneNumber") == e164
        ),
        "",
    )
    if status in ORDER_PENDING:
        return OrderProgress(pending=True)
    if status == ORDER_SUCCESSFUL and number_status in ("Acquired", ""):
        return OrderProgress()
    if status == ORDER_NEEDS_DOCUMENTS:
        return OrderProgress(
            failure=(
                f"Phone number order {order_id} for {e164} is waiting for documents from you (status "
                "PendingDocuments). Provide them under Phone number management > Orders in the Amazon "
                "Chime SDK console; once the number is in the inventory, deploy with Mode 'existing' and "
                f"E164 {e164}."
            )
        )
    if status in ORDER_FAILED or status == ORDER_SUCCESSFUL:
        return OrderProgress(
            failure=(
                f"Phone number order {order_id} for {e164} ended with status {status}"
                f"{f' (number status {number_status})' if number_status else ''}. The API gives no "
                "reason: see the order under Phone number management > Orders in the Amazon Chime SDK "
                "console, or ask AWS Support. Deploying again searches for another number."
            )
        )
    logs.warning("unknown phone number order status; waiting", order=order_id, status=status)
    return OrderProgress(pending=True)


def adoption_problem(number: PhoneNumberTypeDef, wanted: ProductType) -> str | None:
    """Why ``number`` can't be used as a ``wanted`` number, or None if it can (perhaps after an update)."""
    e164 = number.get("E164PhoneNumber", "?")
    status = number.get("Status", "")
    if status in BEING_ACQUIRED:
        return (
            f"Phone number {e164} is not ready yet (status {status}). Deploy again once it shows as "
            "Unassigned in the Amazon Chime SDK phone number inventory."
        )
    if status not in USABLE:
        return (
            f"Phone number {e164} can't be used: its status is {status}. Only Unassigned or Assigned numbers "
            "can be used; choose another number or ask AWS Support."
        )
    if number.get("ProductType") != wanted and status != "Unassigned":
        in_use = (
            ", ".join(f"{a.get('Name')} {a.get('Value')}" for a in number.get("Associations", [])) or "in use"
        )
        return (
            f"Phone number {e164} has product type {number.get('ProductType')} and is assigned "
            f"({in_use}), but this stack needs {wanted}. Disassociate it first, then deploy again, or "
            "choose another number."
        )
    return None


def order_name(event: ProviderEvent) -> str:
    """The Name given to an ordered number: identifies this very request, so a retry finds its number."""
    raw = f"{event.stack_name or 'stack'}.{event.logical_id}.{event.request_id[:8]}"
    return re.sub(r"[^a-zA-Z0-9,._-]", "-", raw)[:256]


def _data(e164: str, number: PhoneNumberTypeDef | None, order_id: str = "") -> dict[str, str]:
    data = {"PhoneNumber": e164, "PhoneNumberOrderId": order_id}
    if number is not None:
        # GetPhoneNumber returns the id URL-encoded (%2B...); decoded it is the E.164 number again.
        data["PhoneNumberId"] = unquote(number.get("PhoneNumberId", e164))
        data["PhoneNumberOrderId"] = number.get("OrderId", order_id)
    return data


# --- lifecycle ------------------------------------------------------------------------------------


def on_event(request: Request[PhoneNumberProps], chimes: ChimeFactory) -> Outcome:
    props, event = request.props, request.event
    chime = chimes(props.aws_region or event.region)
    if event.request_type == "Create":
        return _acquire(chime, props, event)
    physical_id = event.require_physical_id()
    if event.request_type == "Update":
        old = request.old_props
        if old is not None and identity(old) != identity(props):
            # A new number; CloudFormation then deletes the old one, honouring its ReleaseOnDelete.
            return _acquire(chime, props, event)
        if search_changed(old, props):
            logs.warning(
                "search criteria changed; keeping the current number because callers already dial it",
                number=physical_id,
            )
        number = _usable_number(chime, physical_id, props.product_type, event)
        return Outcome(physical_id, _data(physical_id, number))
    _delete(chime, physical_id, props)
    return Outcome(physical_id)


def is_complete(request: Request[PhoneNumberProps], chimes: ChimeFactory) -> Completion:
    props, event = request.props, request.event
    if event.request_type == "Delete" or "PhoneNumberId" in event.data:
        return DONE
    chime = chimes(props.aws_region or event.region)
    try:
        return _order_completion(chime, event)
    except ChimeCallError as err:
        if err.code not in TRANSIENT:
            raise
        # The framework polls again in 30 s; a hiccup must not fail a deployment waiting on an order.
        logs.warning("phone number check failed transiently; will check again", error=str(err))
        return NOT_YET


def _order_completion(chime: Chime, event: ProviderEvent) -> Completion:
    e164 = event.data.get("PhoneNumber") or event.require_physical_id()
    order_id = event.data.get("PhoneNumberOrderId", "")
    if order_id:
        order = chime.call(
            "GetPhoneNumberOrder", lambda c: c.get_phone_number_order(PhoneNumberOrderId=order_id)
        )["PhoneNumberOrder"]
        progress = order_progress(order, e164)
        if progress.failure:
            raise ProviderError(progress.failure)
        if progress.pending:
            logs.info("phone number order still pending", order=order_id, status=order.get("Status"))
            return NOT_YET
    # Acquired: wait until the inventory shows the number (it can lag the order by a moment).
    number = _get_number(chime, e164)
    if number is None or number.get("Status") in BEING_ACQUIRED:
        return NOT_YET
    logs.info("phone number ready", number=e164, order=order_id)
    return Completion(True, _data(e164, number, order_id))


def _acquire(chime: Chime, props: PhoneNumberProps, event: ProviderEvent) -> Outcome:
    if props.mode == "existing":
        e164 = props.e164 or ""
        number = _usable_number(chime, e164, props.product_type, event)
        logs.info("adopted existing phone number; it will never be released by this stack", number=e164)
        return Outcome(e164, _data(e164, number))
    return _order(chime, props, event)


def _order(chime: Chime, props: PhoneNumberProps, event: ProviderEvent) -> Outcome:
    search = props.search
    if search is None:  # parse_phone_number guarantees a search in order mode
        raise ProviderError("PhoneNumber in order mode has no search criteria.")
    name = order_name(event)
    earlier = _find_named_number(chime, name, props.product_type)
    if earlier is not None and (reused := earlier.get("E164PhoneNumber", "")):
        logs.warning(
            "reusing the number an earlier attempt of this request ordered", number=reused, name=name
        )
        return Outcome(reused, {"PhoneNumber": reused, "PhoneNumberOrderId": earlier.get("OrderId", "")})
    e164 = _first_available(chime, search, event)
    try:
        placed = chime.call(
            "CreatePhoneNumberOrder",
            lambda c: c.create_phone_number_order(
                ProductType=props.product_type, E164PhoneNumbers=[e164], Name=name
            ),
        )
    except ChimeCallError as err:
        explanation = _explain_order_failure(err, e164, event)
        if explanation is None:
            raise
        raise ProviderError(explanation) from err
    order_id = placed["PhoneNumberOrder"].get("PhoneNumberOrderId", "")
    if not order_id:
        raise ProviderError(f"CreatePhoneNumberOrder for {e164} answered without an order id; try again.")
    logs.info("ordered phone number", number=e164, order=order_id, name=name)
    return Outcome(e164, {"PhoneNumber": e164, "PhoneNumberOrderId": order_id})


def _first_available(chime: Chime, search: NumberSearch, event: ProviderEvent) -> str:
    query: SearchAvailablePhoneNumbersRequestTypeDef = {
        "Country": search.country,
        "PhoneNumberType": search.number_type,
        "MaxResults": SEARCH_RESULTS,
    }
    if search.area_code:
        query["AreaCode"] = search.area_code
    if search.toll_free_prefix:
        query["TollFreePrefix"] = search.toll_free_prefix
    found = chime.call("SearchAvailablePhoneNumbers", lambda c: c.search_available_phone_numbers(**query))
    numbers = found.get("E164PhoneNumbers", [])
    if not numbers:
        advice = "try another area code" if search.area_code else "try another prefix or country"
        raise ProviderError(
            f"No {search.describe()} are available to order in account {event.account_id}; {advice}."
        )
    first = numbers[0]
    return first if first.startswith("+") else f"+{first}"


def _explain_order_failure(err: ChimeCallError, e164: str, event: ProviderEvent) -> str | None:
    said = f"(AWS said: {err.code}: {err.aws_message})"
    if err.code == QUOTA_EXCEEDED:
        return (
            f"Account {event.account_id} has reached its phone number quota, so {e164} was not ordered. "
            f"Release unused numbers or ask for a higher quota in Service Quotas. {said}"
        )
    if err.code in REFUSED:
        return (
            f"Account {event.account_id} may not order phone numbers ({e164} was not ordered). Check "
            f"that the provider's role allows chime:CreatePhoneNumberOrder, or ask AWS Support. {said}"
        )
    if err.code == BAD_REQUEST:
        return (
            f"AWS rejected the order for {e164}; it may have been taken since the search. Deploy again to "
            f"search for another number. {said}"
        )
    return None


def _find_named_number(chime: Chime, name: str, product_type: ProductType) -> PhoneNumberTypeDef | None:
    query: ListPhoneNumbersRequestTypeDef = {"ProductType": product_type, "MaxResults": 100}
    while True:
        page = chime.call("ListPhoneNumbers", functools.partial(_list_phone_numbers, query=query))
        for number in page.get("PhoneNumbers", []):
            if number.get("Name") == name:
                return number
        next_token = page.get("NextToken")
        if not next_token:
            return None
        query = {"ProductType": product_type, "MaxResults": 100, "NextToken": next_token}


def _list_phone_numbers(
    client: ChimeSDKVoiceClient, query: ListPhoneNumbersRequestTypeDef
) -> ListPhoneNumbersResponseTypeDef:
    return client.list_phone_numbers(**query)


def _get_number(chime: Chime, e164: str) -> PhoneNumberTypeDef | None:
    try:
        return chime.call("GetPhoneNumber", lambda c: c.get_phone_number(PhoneNumberId=e164))["PhoneNumber"]
    except ChimeCallError as err:
        if err.code == NOT_FOUND:
            return None
        raise


def _usable_number(chime: Chime, e164: str, wanted: ProductType, event: ProviderEvent) -> PhoneNumberTypeDef:
    """The number's details, after making sure it exists, is usable and has the wanted product type."""
    number = _get_number(chime, e164)
    if number is None:
        raise ProviderError(
            f"Phone number {e164} is not in the Amazon Chime SDK phone number inventory of account "
            f"{event.account_id} ({chime.region}). Check the E164 property, or order or port the number "
            "first (Mode 'order' orders a new one)."
        )
    problem = adoption_problem(number, wanted)
    if problem:
        raise ProviderError(problem)
    if number.get("ProductType") != wanted:
        updated = chime.call(
            "UpdatePhoneNumber", lambda c: c.update_phone_number(PhoneNumberId=e164, ProductType=wanted)
        )
        logs.info("changed phone number product type", number=e164, product_type=wanted)
        number = updated["PhoneNumber"]
    return number


def _delete(chime: Chime, e164: str, props: PhoneNumberProps) -> None:
    if props.mode != "order":
        logs.info("kept phone number: it was adopted, not ordered, by this stack", number=e164)
        return
    if not props.release_on_delete:
        logs.warning(
            "kept phone number because ReleaseOnDelete is false; it stays in the inventory (and is billed)",
            number=e164,
            release_command=f"aws chime-sdk-voice delete-phone-number --phone-number-id {e164}",
        )
        return
    number = _get_number(chime, e164)
    if number is None:
        logs.info("phone number already gone", number=e164)
        return
    status = number.get("Status", "")
    if status in NOTHING_TO_RELEASE or number.get("DeletionTimestamp"):
        logs.info("phone number already released or never acquired", number=e164, status=status)
        return
    if status in BEING_ACQUIRED:
        raise ProviderError(
            f"Phone number {e164} is still being acquired (status {status}), so it can't be released yet. "
            "Retry the deletion once its order has finished, or release it by hand then: "
            f"aws chime-sdk-voice delete-phone-number --phone-number-id {e164}"
        )
    associations = number.get("Associations", [])
    if associations:
        listed = ", ".join(f"{a.get('Name')} {a.get('Value')}" for a in associations)
        raise ProviderError(
            f"Phone number {e164} can't be released while it is associated ({listed}). Delete the SIP rule "
            "or Voice Connector association that uses it, then retry the deletion."
        )
    try:
        chime.call("DeletePhoneNumber", lambda c: c.delete_phone_number(PhoneNumberId=e164))
    except ChimeCallError as err:
        if err.code != NOT_FOUND:
            raise
    logs.info("released phone number; it stays in the deletion queue for 7 days", number=e164)
