"""The meetings Region lists match botocore's endpoint data, so no deploy picks a Region with no API."""

from __future__ import annotations

import json
from pathlib import Path

import botocore

from calls.regions import DEFAULT_CONTROL_REGION, MEETINGS_CONTROL_REGIONS, control_region_for


def botocore_meetings_endpoints() -> set[str]:
    data = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    regions: set[str] = set()
    for partition in data["partitions"]:
        service = partition["services"].get("meetings-chime", {})
        regions |= {name for name in service.get("endpoints", {}) if not name.endswith("-fips")}
    return regions


def test_control_regions_are_exactly_where_botocore_has_a_meetings_endpoint() -> None:
    assert botocore_meetings_endpoints() == MEETINGS_CONTROL_REGIONS


def test_a_region_without_the_endpoint_falls_back() -> None:
    assert control_region_for("eu-west-1") == DEFAULT_CONTROL_REGION
    assert control_region_for("ca-central-1") == "ca-central-1"
