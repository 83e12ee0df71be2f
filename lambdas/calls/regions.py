"""Where Chime SDK meetings live: imported by the Lambdas and by the CDK settings, so one list serves both.

A meeting is created, changed and deleted through the chime-sdk-meetings endpoint of one *control*
Region; its media can be hosted in any *media* Region. Not every Region has a meetings endpoint.
"""

# Regions with a chime-sdk-meetings endpoint (botocore's endpoint data, service "meetings-chime"; a test
# keeps this in step with it).
MEETINGS_CONTROL_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ca-central-1",
        "eu-central-1",
        "eu-west-2",
        "il-central-1",
        "us-east-1",
        "us-west-2",
        "us-gov-east-1",
        "us-gov-west-1",
    }
)
DEFAULT_CONTROL_REGION = "us-east-1"

# MediaRegion values CreateMeeting accepts (Chime SDK API reference, Meeting.MediaRegion).
MEDIA_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ca-central-1",
        "eu-central-1",
        "eu-north-1",
        "eu-south-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "us-gov-east-1",
        "us-gov-west-1",
    }
)


def control_region_for(region: str) -> str:
    """The meetings control Region a deployment in `region` uses: its own, if it has the endpoint."""
    return region if region in MEETINGS_CONTROL_REGIONS else DEFAULT_CONTROL_REGION
