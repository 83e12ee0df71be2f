"""PhoneNumber: ordering across is_complete calls, adopting existing numbers, never losing a live number."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from telephony_provider import handler
from telephony_provider.errors import ProviderError
from telephony_provider.phone_number import adoption_problem, identity, order_progress
from telephony_provider.properties import parse_phone_number
from tests.unit.lambdas.telephony_provider.testkit import FakeAws, is_complete_event, provider_event

NUMBER = "+12065550100"
OTHER_NUMBER = "+12065550123"
ORDER_ID = "0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f"
ORDER_NAME = "PhoneLine.Number.6f1c2d3e"  # stack name, logical id, first 8 characters of the request id
ORDER_PROPS = {
    "ResourceType": "PhoneNumber",
    "Mode": "order",
    "Country": "US",
    "AreaCode": "206",
    "NumberType": "Local",
    "ProductType": "SipMediaApplicationDialIn",
    "ReleaseOnDelete": "true",
}
EXISTING_PROPS = {
    "ResourceType": "PhoneNumber",
    "Mode": "existing",
    "E164": NUMBER,
    "ProductType": "SipMediaApplicationDialIn",
    "ReleaseOnDelete": "true",
}
SEARCH = {"AreaCode": "206", "Country": "US", "PhoneNumberType": "Local", "MaxResults": 5}
LIST_NUMBERS = {"ProductType": "SipMediaApplicationDialIn", "MaxResults": 100}


def _number(
    e164: str = NUMBER,
    *,
    status: str = "Unassigned",
    product_type: str = "SipMediaApplicationDialIn",
    associations: list[dict[str, str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "PhoneNumberId": e164.replace("+", "%2B"),  # how the service returns it
        "E164PhoneNumber": e164,
        "Country": "US",
        "Type": "Local",
        "ProductType": product_type,
        "Status": status,
        "Associations": associations or [],
        "OrderId": ORDER_ID,
        **extra,
    }


def _order(status: str, number_status: str) -> dict[str, Any]:
    return {
        "PhoneNumberOrder": {
            "PhoneNumberOrderId": ORDER_ID,
            "ProductType": "SipMediaApplicationDialIn",
            "Status": status,
            "OrderType": "New",
            "OrderedPhoneNumbers": [{"E164PhoneNumber": NUMBER, "Status": number_status}],
        }
    }


def _create_order_event() -> dict[str, Any]:
    return provider_event("Create", ORDER_PROPS, logical_id="Number")


def _expect_order_placed(aws: FakeAws) -> None:
    stub = aws.stub()
    stub.add_response(
        "list_phone_numbers", {"PhoneNumbers": [_number(OTHER_NUMBER, Name="someone else")]}, LIST_NUMBERS
    )
    stub.add_response("search_available_phone_numbers", {"E164PhoneNumbers": [NUMBER, OTHER_NUMBER]}, SEARCH)
    stub.add_response(
        "create_phone_number_order",
        _order("Processing", "Processing"),
        {"ProductType": "SipMediaApplicationDialIn", "E164PhoneNumbers": [NUMBER], "Name": ORDER_NAME},
    )


# --- ordering -------------------------------------------------------------------------------------


def test_an_order_is_placed_and_completes_across_is_complete_calls(aws: FakeAws) -> None:
    _expect_order_placed(aws)
    request = _create_order_event()

    placed = handler.on_event(request, None, chimes=aws.chimes)

    assert placed == {
        "PhysicalResourceId": NUMBER,
        "Data": {"PhoneNumber": NUMBER, "PhoneNumberOrderId": ORDER_ID},
    }

    stub = aws.stub()
    stub.add_response(
        "get_phone_number_order", _order("Processing", "Processing"), {"PhoneNumberOrderId": ORDER_ID}
    )
    stub.add_response(
        "get_phone_number_order", _order("Successful", "Acquired"), {"PhoneNumberOrderId": ORDER_ID}
    )
    stub.add_client_error(
        "get_phone_number",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={"PhoneNumberId": NUMBER},
    )
    stub.add_response(
        "get_phone_number_order", _order("Successful", "Acquired"), {"PhoneNumberOrderId": ORDER_ID}
    )
    stub.add_response(
        "get_phone_number", {"PhoneNumber": _number(status="AcquireInProgress")}, {"PhoneNumberId": NUMBER}
    )
    stub.add_response(
        "get_phone_number_order", _order("Successful", "Acquired"), {"PhoneNumberOrderId": ORDER_ID}
    )
    stub.add_response("get_phone_number", {"PhoneNumber": _number()}, {"PhoneNumberId": NUMBER})
    waiting = is_complete_event(request, placed)

    # Processing; then Successful but not yet in the inventory; then still being acquired; then ready.
    answers = [handler.is_complete(waiting, None, chimes=aws.chimes) for _ in range(4)]

    assert answers[:3] == [{"IsComplete": False}] * 3
    assert answers[3] == {
        "IsComplete": True,
        "Data": {"PhoneNumber": NUMBER, "PhoneNumberId": NUMBER, "PhoneNumberOrderId": ORDER_ID},
    }
    assert all(isinstance(v, str) for v in answers[3]["Data"].values())


@pytest.mark.parametrize(
    ("status", "number_status"), [("Failed", "Failed"), ("Partial", "Failed"), ("Cancelled", "")]
)
def test_a_failed_order_fails_the_resource_with_what_is_known(
    aws: FakeAws, status: str, number_status: str
) -> None:
    request = _create_order_event()
    placed = {"PhysicalResourceId": NUMBER, "Data": {"PhoneNumber": NUMBER, "PhoneNumberOrderId": ORDER_ID}}
    aws.stub().add_response(
        "get_phone_number_order", _order(status, number_status), {"PhoneNumberOrderId": ORDER_ID}
    )

    with pytest.raises(ProviderError) as caught:
        handler.is_complete(is_complete_event(request, placed), None, chimes=aws.chimes)

    assert str(caught.value).startswith(
        f"Phone number order {ORDER_ID} for {NUMBER} ended with status {status}"
    )
    assert "Deploying again searches for another number" in str(caught.value)


def test_an_order_waiting_for_documents_tells_the_operator_how_to_finish(aws: FakeAws) -> None:
    placed = {"PhysicalResourceId": NUMBER, "Data": {"PhoneNumber": NUMBER, "PhoneNumberOrderId": ORDER_ID}}
    aws.stub().add_response(
        "get_phone_number_order", _order("PendingDocuments", "Processing"), {"PhoneNumberOrderId": ORDER_ID}
    )

    with pytest.raises(ProviderError, match=f"deploy with Mode 'existing' and E164 \\{NUMBER}"):
        handler.is_complete(is_complete_event(_create_order_event(), placed), None, chimes=aws.chimes)


def test_throttled_polling_just_waits_for_the_next_poll(aws: FakeAws) -> None:
    placed = {"PhysicalResourceId": NUMBER, "Data": {"PhoneNumber": NUMBER, "PhoneNumberOrderId": ORDER_ID}}
    for _ in range(5):
        aws.stub().add_client_error(
            "get_phone_number_order",
            service_error_code="ThrottledClientException",
            http_status_code=429,
            expected_params={"PhoneNumberOrderId": ORDER_ID},
        )

    answer = handler.is_complete(is_complete_event(_create_order_event(), placed), None, chimes=aws.chimes)

    assert answer == {"IsComplete": False}


def test_aws_hiccups_while_polling_just_wait_for_the_next_poll(aws: FakeAws) -> None:
    placed = {"PhysicalResourceId": NUMBER, "Data": {"PhoneNumber": NUMBER, "PhoneNumberOrderId": ORDER_ID}}
    stub = aws.stub()
    stub.add_response(
        "get_phone_number_order", _order("Successful", "Acquired"), {"PhoneNumberOrderId": ORDER_ID}
    )
    stub.add_client_error(
        "get_phone_number",
        service_error_code="ServiceUnavailableException",
        http_status_code=503,
        expected_params={"PhoneNumberId": NUMBER},
    )

    answer = handler.is_complete(is_complete_event(_create_order_event(), placed), None, chimes=aws.chimes)

    assert answer == {"IsComplete": False}


def test_an_order_that_disappeared_fails_the_resource(aws: FakeAws) -> None:
    placed = {"PhysicalResourceId": NUMBER, "Data": {"PhoneNumber": NUMBER, "PhoneNumberOrderId": ORDER_ID}}
    aws.stub().add_client_error(
        "get_phone_number_order",
        service_error_code="NotFoundException",
        service_message="Order not found",
        http_status_code=404,
        expected_params={"PhoneNumberOrderId": ORDER_ID},
    )

    with pytest.raises(ProviderError, match="GetPhoneNumberOrder in us-east-1 returned NotFoundException"):
        handler.is_complete(is_complete_event(_create_order_event(), placed), None, chimes=aws.chimes)


def test_no_number_available_fails_before_ordering(aws: FakeAws) -> None:
    stub = aws.stub()
    stub.add_response("list_phone_numbers", {"PhoneNumbers": []}, LIST_NUMBERS)
    stub.add_response("search_available_phone_numbers", {"E164PhoneNumbers": []}, SEARCH)

    with pytest.raises(ProviderError) as caught:
        handler.on_event(_create_order_event(), None, chimes=aws.chimes)

    assert str(caught.value) == (
        "No Local numbers in area code 206, US are available to order in account 123456789012; "
        "try another area code."
    )


def test_toll_free_search_uses_the_prefix(aws: FakeAws) -> None:
    props = {**ORDER_PROPS, "NumberType": "TollFree", "TollFreePrefix": "888", "AreaCode": ""}
    stub = aws.stub()
    stub.add_response("list_phone_numbers", {"PhoneNumbers": []}, LIST_NUMBERS)
    stub.add_response(
        "search_available_phone_numbers",
        {"E164PhoneNumbers": ["18885550100"]},  # the model allows the "+" to be missing
        {"TollFreePrefix": "888", "Country": "US", "PhoneNumberType": "TollFree", "MaxResults": 5},
    )
    stub.add_response(
        "create_phone_number_order",
        _order("Processing", "Processing"),
        {
            "ProductType": "SipMediaApplicationDialIn",
            "E164PhoneNumbers": ["+18885550100"],
            "Name": ORDER_NAME,
        },
    )

    response = handler.on_event(provider_event("Create", props, logical_id="Number"), None, chimes=aws.chimes)

    assert response["PhysicalResourceId"] == "+18885550100"


def test_a_repeated_create_reuses_the_number_its_first_attempt_ordered(aws: FakeAws) -> None:
    stub = aws.stub()
    stub.add_response(
        "list_phone_numbers",
        {"PhoneNumbers": [_number(OTHER_NUMBER, Name="x")], "NextToken": "page-2"},
        LIST_NUMBERS,
    )
    stub.add_response(
        "list_phone_numbers",
        {"PhoneNumbers": [_number(status="AcquireInProgress", Name=ORDER_NAME)]},
        {**LIST_NUMBERS, "NextToken": "page-2"},
    )

    response = handler.on_event(_create_order_event(), None, chimes=aws.chimes)

    assert response == {
        "PhysicalResourceId": NUMBER,
        "Data": {"PhoneNumber": NUMBER, "PhoneNumberOrderId": ORDER_ID},
    }


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ResourceLimitExceededException", "has reached its phone number quota"),
        ("BadRequestException", "it may have been taken since the search"),
        ("ForbiddenException", "may not order phone numbers"),
    ],
)
def test_a_refused_order_is_explained(aws: FakeAws, code: str, message: str) -> None:
    stub = aws.stub()
    stub.add_response("list_phone_numbers", {"PhoneNumbers": []}, LIST_NUMBERS)
    stub.add_response("search_available_phone_numbers", {"E164PhoneNumbers": [NUMBER]}, SEARCH)
    stub.add_client_error(
        "create_phone_number_order",
        service_error_code=code,
        service_message="no",
        http_status_code=400,
        expected_params={
            "ProductType": "SipMediaApplicationDialIn",
            "E164PhoneNumbers": [NUMBER],
            "Name": ORDER_NAME,
        },
    )

    with pytest.raises(ProviderError, match=message):
        handler.on_event(_create_order_event(), None, chimes=aws.chimes)


# --- adopting an existing number ------------------------------------------------------------------


def test_an_existing_number_is_adopted_and_complete_at_once(aws: FakeAws) -> None:
    aws.stub().add_response("get_phone_number", {"PhoneNumber": _number()}, {"PhoneNumberId": NUMBER})
    request = provider_event("Create", EXISTING_PROPS)

    response = handler.on_event(request, None, chimes=aws.chimes)

    assert response == {
        "PhysicalResourceId": NUMBER,
        "Data": {"PhoneNumber": NUMBER, "PhoneNumberId": NUMBER, "PhoneNumberOrderId": ORDER_ID},
    }
    assert handler.is_complete(is_complete_event(request, response), None, chimes=aws.chimes) == {
        "IsComplete": True,
        "Data": {},
    }


def test_an_unassigned_number_of_another_product_type_is_converted(aws: FakeAws) -> None:
    stub = aws.stub()
    stub.add_response(
        "get_phone_number", {"PhoneNumber": _number(product_type="VoiceConnector")}, {"PhoneNumberId": NUMBER}
    )
    stub.add_response(
        "update_phone_number",
        {"PhoneNumber": _number()},
        {"PhoneNumberId": NUMBER, "ProductType": "SipMediaApplicationDialIn"},
    )

    assert (
        handler.on_event(provider_event("Create", EXISTING_PROPS), None, chimes=aws.chimes)[
            "PhysicalResourceId"
        ]
        == NUMBER
    )


def test_an_assigned_number_of_another_product_type_is_refused(aws: FakeAws) -> None:
    in_use = _number(
        status="Assigned",
        product_type="VoiceConnector",
        associations=[{"Name": "VoiceConnectorId", "Value": "abcdefghijklmnopqrstu"}],
    )
    aws.stub().add_response("get_phone_number", {"PhoneNumber": in_use}, {"PhoneNumberId": NUMBER})

    with pytest.raises(ProviderError) as caught:
        handler.on_event(provider_event("Create", EXISTING_PROPS), None, chimes=aws.chimes)

    assert str(caught.value) == (
        f"Phone number {NUMBER} has product type VoiceConnector and is assigned (VoiceConnectorId "
        "abcdefghijklmnopqrstu), but this stack needs SipMediaApplicationDialIn. Disassociate it first, then "
        "deploy again, or choose another number."
    )


def test_a_number_not_in_the_account_is_named(aws: FakeAws) -> None:
    aws.stub().add_client_error(
        "get_phone_number",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={"PhoneNumberId": NUMBER},
    )

    with pytest.raises(ProviderError) as caught:
        handler.on_event(provider_event("Create", EXISTING_PROPS), None, chimes=aws.chimes)

    assert str(caught.value).startswith(
        f"Phone number {NUMBER} is not in the Amazon Chime SDK phone number inventory of account "
        "123456789012 (us-east-1)."
    )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("AcquireInProgress", "is not ready yet (status AcquireInProgress)"),
        ("PortinInProgress", "is not ready yet (status PortinInProgress)"),
        ("ReleaseInProgress", "can't be used: its status is ReleaseInProgress"),
        ("DeleteFailed", "can't be used: its status is DeleteFailed"),
    ],
)
def test_a_number_in_an_unusable_state_is_refused(aws: FakeAws, status: str, message: str) -> None:
    aws.stub().add_response(
        "get_phone_number", {"PhoneNumber": _number(status=status)}, {"PhoneNumberId": NUMBER}
    )

    with pytest.raises(ProviderError, match=re.escape(message)):
        handler.on_event(provider_event("Create", EXISTING_PROPS), None, chimes=aws.chimes)


# --- updates --------------------------------------------------------------------------------------


def test_changed_search_criteria_keep_the_number(aws: FakeAws, caplog: pytest.LogCaptureFixture) -> None:
    aws.stub().add_response(
        "get_phone_number", {"PhoneNumber": _number(status="Assigned")}, {"PhoneNumberId": NUMBER}
    )
    new = {**ORDER_PROPS, "AreaCode": "425"}
    request = provider_event("Update", new, old_properties=ORDER_PROPS, physical_id=NUMBER)

    with caplog.at_level(logging.WARNING, logger="telephony_provider"):
        response = handler.on_event(request, None, chimes=aws.chimes)

    assert response == {
        "PhysicalResourceId": NUMBER,
        "Data": {"PhoneNumber": NUMBER, "PhoneNumberId": NUMBER, "PhoneNumberOrderId": ORDER_ID},
    }
    assert "keeping the current number because callers already dial it" in caplog.text
    assert (
        handler.is_complete(is_complete_event(request, response), None, chimes=aws.chimes)["IsComplete"]
        is True
    )


def test_switching_from_an_existing_number_to_ordering_orders_a_new_one(aws: FakeAws) -> None:
    _expect_order_placed(aws)
    request = provider_event(
        "Update", ORDER_PROPS, old_properties=EXISTING_PROPS, physical_id="+14255550100", logical_id="Number"
    )

    response = handler.on_event(request, None, chimes=aws.chimes)

    assert response["PhysicalResourceId"] == NUMBER  # new id: CloudFormation deletes (keeps) the adopted one
    assert "PhoneNumberId" not in response["Data"]  # so is_complete polls the order


def test_adopting_a_different_existing_number_gives_a_new_physical_id(aws: FakeAws) -> None:
    aws.stub().add_response(
        "get_phone_number", {"PhoneNumber": _number(OTHER_NUMBER)}, {"PhoneNumberId": OTHER_NUMBER}
    )
    new = {**EXISTING_PROPS, "E164": OTHER_NUMBER}

    response = handler.on_event(
        provider_event("Update", new, old_properties=EXISTING_PROPS, physical_id=NUMBER),
        None,
        chimes=aws.chimes,
    )

    assert response["PhysicalResourceId"] == OTHER_NUMBER


def test_adopting_the_number_this_stack_ordered_keeps_the_physical_id(aws: FakeAws) -> None:
    aws.stub().add_response(
        "get_phone_number", {"PhoneNumber": _number(status="Assigned")}, {"PhoneNumberId": NUMBER}
    )

    response = handler.on_event(
        provider_event("Update", EXISTING_PROPS, old_properties=ORDER_PROPS, physical_id=NUMBER),
        None,
        chimes=aws.chimes,
    )

    assert response["PhysicalResourceId"] == NUMBER


# --- deletion -------------------------------------------------------------------------------------


def test_an_ordered_number_is_released_when_asked_and_a_repeat_is_harmless(aws: FakeAws) -> None:
    stub = aws.stub()
    stub.add_response("get_phone_number", {"PhoneNumber": _number()}, {"PhoneNumberId": NUMBER})
    stub.add_response("delete_phone_number", {}, {"PhoneNumberId": NUMBER})
    stub.add_response(
        "get_phone_number", {"PhoneNumber": _number(status="DeleteInProgress")}, {"PhoneNumberId": NUMBER}
    )
    stub.add_client_error(
        "get_phone_number",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={"PhoneNumberId": NUMBER},
    )
    request = provider_event("Delete", ORDER_PROPS, physical_id=NUMBER)

    for _ in range(3):  # released; then in the deletion queue; then gone
        assert handler.on_event(request, None, chimes=aws.chimes) == {
            "PhysicalResourceId": NUMBER,
            "Data": {},
        }


def test_an_ordered_number_is_kept_unless_release_was_asked_for(
    aws: FakeAws, caplog: pytest.LogCaptureFixture
) -> None:
    request = provider_event("Delete", {**ORDER_PROPS, "ReleaseOnDelete": "false"}, physical_id=NUMBER)

    with caplog.at_level(logging.WARNING, logger="telephony_provider"):
        assert handler.on_event(request, None, chimes=aws.chimes)["PhysicalResourceId"] == NUMBER

    assert "kept phone number because ReleaseOnDelete is false" in caplog.text  # and no call was made


def test_an_adopted_number_is_never_released(aws: FakeAws) -> None:
    request = provider_event("Delete", EXISTING_PROPS, physical_id=NUMBER)  # ReleaseOnDelete is "true"

    assert handler.on_event(request, None, chimes=aws.chimes)["PhysicalResourceId"] == NUMBER
    assert handler.is_complete(
        is_complete_event(request, {"PhysicalResourceId": NUMBER}), None, chimes=aws.chimes
    )["IsComplete"]


def test_a_rollback_after_a_failed_order_finds_nothing_to_release(aws: FakeAws) -> None:
    aws.stub().add_response(
        "get_phone_number", {"PhoneNumber": _number(status="AcquireFailed")}, {"PhoneNumberId": NUMBER}
    )

    assert (
        handler.on_event(provider_event("Delete", ORDER_PROPS, physical_id=NUMBER), None, chimes=aws.chimes)[
            "PhysicalResourceId"
        ]
        == NUMBER
    )


def test_a_number_still_being_acquired_cannot_be_released_yet(aws: FakeAws) -> None:
    aws.stub().add_response(
        "get_phone_number", {"PhoneNumber": _number(status="AcquireInProgress")}, {"PhoneNumberId": NUMBER}
    )

    with pytest.raises(ProviderError, match="is still being acquired"):
        handler.on_event(provider_event("Delete", ORDER_PROPS, physical_id=NUMBER), None, chimes=aws.chimes)


def test_a_number_still_in_use_is_not_released(aws: FakeAws) -> None:
    in_use = _number(status="Assigned", associations=[{"Name": "SipRuleId", "Value": "rule-1"}])
    aws.stub().add_response("get_phone_number", {"PhoneNumber": in_use}, {"PhoneNumberId": NUMBER})

    with pytest.raises(ProviderError, match=r"can't be released while it is associated \(SipRuleId rule-1\)"):
        handler.on_event(provider_event("Delete", ORDER_PROPS, physical_id=NUMBER), None, chimes=aws.chimes)


# --- the decisions on their own -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "number_status", "pending", "fails"),
    [
        ("Processing", "Processing", True, False),
        ("Submitted", "Processing", True, False),
        ("Successful", "Acquired", False, False),
        ("Successful", "Failed", False, True),
        ("Failed", "Failed", False, True),
        ("Exception", "", False, True),
        ("CancelRequested", "", False, True),
        ("PendingDocuments", "Processing", False, True),
        ("SomethingNew", "", True, False),
    ],
)
def test_order_progress(status: str, number_status: str, pending: bool, fails: bool) -> None:
    order = _order(status, number_status)["PhoneNumberOrder"]
    progress = order_progress(order, NUMBER)
    assert (progress.pending, progress.failure is not None) == (pending, fails)


def test_adoption_accepts_usable_numbers_of_the_right_type() -> None:
    assert adoption_problem(_number(status="Assigned"), "SipMediaApplicationDialIn") is None  # type: ignore[arg-type]
    assert adoption_problem(_number(product_type="VoiceConnector"), "SipMediaApplicationDialIn") is None  # type: ignore[arg-type]


def test_identity_ignores_search_criteria() -> None:
    assert identity(parse_phone_number(ORDER_PROPS)) == identity(
        parse_phone_number({**ORDER_PROPS, "AreaCode": "425"})
    )
    assert identity(parse_phone_number(EXISTING_PROPS)) != identity(
        parse_phone_number({**EXISTING_PROPS, "E164": OTHER_NUMBER})
    )
