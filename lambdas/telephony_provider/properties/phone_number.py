"""Properties of a phone number: one to order (what to search for) or one the account already has."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast, get_args

from calls.e164 import is_e164  # botocore allows E.164 without "+"; we insist, it is the SIP rule form
from telephony_provider.properties.reader import COUNTRY, COUNTRY_HINT, PropertyReader
from telephony_provider.properties.values import (
    NumberMode,
    NumberSearch,
    NumberType,
    PhoneNumberProps,
    ProductType,
)

# Patterns from the botocore model, anchored.
_US_AREA_CODE = re.compile(r"[2-9]\d{2}")
_TOLL_FREE_PREFIX = re.compile(r"8(00|33|44|55|66|77|88)")


def parse_phone_number(raw: Mapping[str, Any]) -> PhoneNumberProps:
    r = PropertyReader("PhoneNumber", raw)
    r.only(
        "Mode",
        "E164",
        "Country",
        "AreaCode",
        "TollFreePrefix",
        "NumberType",
        "ProductType",
        "ReleaseOnDelete",
        "AwsRegion",
    )
    mode = cast(NumberMode, r.choice("Mode", get_args(NumberMode)))
    product_type = cast(
        ProductType, r.choice("ProductType", get_args(ProductType), default="SipMediaApplicationDialIn")
    )
    release_on_delete = r.flag("ReleaseOnDelete", default=False)
    aws_region = r.optional_region("AwsRegion")
    if mode == "existing":
        # Search properties are ignored here so one set of construct defaults can serve both modes.
        e164 = r.text("E164", valid=is_e164, hint="an E.164 number such as +12065550100")
        return PhoneNumberProps(mode, product_type, release_on_delete, e164=e164, aws_region=aws_region)
    if r.optional_text("E164") is not None:
        raise r.error(
            "E164", "is only used with Mode 'existing'; with Mode 'order' the number comes from the search"
        )
    return PhoneNumberProps(
        mode, product_type, release_on_delete, search=_number_search(r, product_type), aws_region=aws_region
    )


def _number_search(r: PropertyReader, product_type: ProductType) -> NumberSearch:
    country = r.optional_text("Country", pattern=COUNTRY, hint=COUNTRY_HINT) or "US"
    number_type = cast(NumberType, r.choice("NumberType", get_args(NumberType), default="Local"))
    area_code = r.optional_text(
        "AreaCode", pattern=_US_AREA_CODE, hint="a three-digit US area code such as 206"
    )
    prefix = r.optional_text(
        "TollFreePrefix", pattern=_TOLL_FREE_PREFIX, hint="one of 800, 833, 844, 855, 866, 877, 888"
    )
    # AWS: "For US numbers, provide at least one of AreaCode, City, State, or TollFreePrefix. Numbers
    # outside the US only support the PhoneNumberType filter." (SearchAvailablePhoneNumbers)
    if country != "US":
        if area_code or prefix:
            raise r.error(
                "AreaCode" if area_code else "TollFreePrefix", f"only applies to US numbers, not {country}"
            )
        if product_type != "SipMediaApplicationDialIn":
            raise r.error(
                "ProductType", f"must be SipMediaApplicationDialIn for numbers outside the US ({country})"
            )
    elif number_type == "Local":
        if prefix:
            raise r.error("TollFreePrefix", "only applies when NumberType is TollFree")
        if not area_code:
            raise r.error(
                "AreaCode", "is required to order a US Local number: AWS searches US numbers by area code"
            )
    else:
        if area_code:
            raise r.error("AreaCode", "only applies when NumberType is Local")
        if not prefix:
            raise r.error(
                "TollFreePrefix",
                "is required to order a US TollFree number (800, 833, 844, 855, 866, 877, 888)",
            )
    return NumberSearch(country, number_type, area_code=area_code, toll_free_prefix=prefix)
