"""What the phone line costs to run: AWS list prices (us-east-1, USD) and the arithmetic, in one place.

Prices are as published on the AWS pricing pages named below, read in 2025 (the newest we could check
from here); check the pages before budgeting. Azure OpenAI Realtime is billed by Azure and not included.
"""

from __future__ import annotations

from dataclasses import dataclass

PRICES_READ = "2025 (AWS pricing pages, us-east-1; verify before budgeting)"


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str


# https://aws.amazon.com/chime/chime-sdk/pricing/
PHONE_NUMBER_LOCAL = Price(1.00, "per local number per month", "Chime SDK pricing: phone numbers")
PHONE_NUMBER_TOLL_FREE = Price(2.00, "per toll-free number per month", "Chime SDK pricing: phone numbers")
INBOUND_LOCAL_MINUTE = Price(0.0022, "per inbound minute, US local number", "Chime SDK pricing: PSTN calling")
INBOUND_TOLL_FREE_MINUTE = Price(
    0.0130, "per inbound minute, US toll-free", "Chime SDK pricing: PSTN calling"
)
OUTBOUND_US_MINUTE = Price(0.0049, "per outbound minute to the US", "Chime SDK pricing: PSTN calling")
PSTN_AUDIO_MINUTE = Price(0.002, "per SIP media application minute per leg", "Chime SDK pricing: PSTN audio")
MEETING_ATTENDEE_MINUTE = Price(0.0017, "per attendee-minute", "Chime SDK pricing: meetings")
# https://aws.amazon.com/polly/pricing/
POLLY_STANDARD_CHARACTER = Price(4.00 / 1_000_000, "per character, standard voice", "Polly pricing")
# https://aws.amazon.com/api-gateway/pricing/ , https://aws.amazon.com/lambda/pricing/
HTTP_API_REQUEST = Price(1.00 / 1_000_000, "per HTTP API request", "API Gateway pricing")
LAMBDA_REQUEST = Price(0.20 / 1_000_000, "per Lambda request", "Lambda pricing")
LAMBDA_GB_SECOND_ARM = Price(0.0000133334, "per GB-second, arm64", "Lambda pricing")
# https://aws.amazon.com/dynamodb/pricing/on-demand/
DYNAMODB_WRITE = Price(0.625 / 1_000_000, "per write request unit", "DynamoDB on-demand pricing")
DYNAMODB_READ = Price(0.125 / 1_000_000, "per read request unit", "DynamoDB on-demand pricing")
# https://aws.amazon.com/cognito/pricing/ (Plus feature plan, for threat protection)
COGNITO_PLUS_MAU = Price(0.02, "per monthly active user, Plus plan", "Cognito pricing")
# https://aws.amazon.com/secrets-manager/pricing/ , https://aws.amazon.com/cloudwatch/pricing/
SECRET = Price(0.40, "per secret per month", "Secrets Manager pricing")
ALARM = Price(0.10, "per standard alarm per month", "CloudWatch pricing")
DASHBOARD = Price(3.00, "per dashboard per month beyond 3 free", "CloudWatch pricing")
# https://aws.amazon.com/appsync/pricing/ : AppSync Events. Operations: AWS's price list says "$1 per million
# Event API operations" (effective 2024-09-01; the row read was eu-west-1, us-east-1 assumed the same). An
# operation is a connect, a subscribe, a publish, or one event delivered to one subscriber. Connection
# minutes: AppSync's real-time rate, assumed to apply to Events (not confirmed from here).
EVENTS_OPERATION = Price(1.00 / 1_000_000, "per Event API operation", "AppSync pricing: Events")
EVENTS_CONNECTION_MINUTE = Price(0.08 / 1_000_000, "per connection-minute", "AppSync pricing: real-time")


SAFETY_POLL_SECONDS = 30
KEEPALIVE_MINUTES = 1


@dataclass(frozen=True)
class Estimate:
    monthly_fixed: list[tuple[str, float]]
    per_call_minute: list[tuple[str, float]]
    per_agent_month: list[tuple[str, float]]

    @property
    def fixed_total(self) -> float:
        return sum(amount for _, amount in self.monthly_fixed)

    @property
    def minute_total(self) -> float:
        return sum(amount for _, amount in self.per_call_minute)

    @property
    def agent_total(self) -> float:
        return sum(amount for _, amount in self.per_agent_month)


def estimate(*, toll_free: bool, alarms: int, dashboards: int) -> Estimate:
    """Fixed monthly cost, cost per minute of an answered inbound call, and polling cost per agent."""
    number = PHONE_NUMBER_TOLL_FREE if toll_free else PHONE_NUMBER_LOCAL
    inbound = INBOUND_TOLL_FREE_MINUTE if toll_free else INBOUND_LOCAL_MINUTE
    # The sweeper runs every minute: ~43,200 short invocations a month.
    sweeper = 43_200 * (LAMBDA_REQUEST.usd + 0.5 * 0.2 * LAMBDA_GB_SECOND_ARM.usd)
    # An agent's browser holds the push channel open 8 h a day, 22 days a month, and polls the call list
    # only as a safety net (frontend/src/calls/feed.ts).
    minutes = 22 * 8 * 60
    polls = minutes * 60 / SAFETY_POLL_SECONDS
    poll_cost = polls * (HTTP_API_REQUEST.usd + LAMBDA_REQUEST.usd + 0.5 * 0.02 * LAMBDA_GB_SECOND_ARM.usd)
    poll_cost += polls * 2 * DYNAMODB_READ.usd  # one list query of a few KB, eventually consistent x2
    # A connect and a subscribe each working day (reconnects add a few), and a keep-alive a minute in case
    # AppSync bills those as operations (not known from here; the cautious reading).
    push_operations = 22 * 2 + minutes / KEEPALIVE_MINUTES
    return Estimate(
        monthly_fixed=[
            (f"phone number ({number.unit})", number.usd),
            ("Azure OpenAI key in Secrets Manager", SECRET.usd),
            (f"{alarms} CloudWatch alarms", alarms * ALARM.usd),
            (f"{dashboards} CloudWatch dashboards (first 3 free)", max(0, dashboards - 3) * DASHBOARD.usd),
            ("sweeper Lambda, every minute", sweeper),
        ],
        per_call_minute=[
            (f"PSTN {inbound.unit}", inbound.usd),
            ("SIP media application (PSTN audio), caller leg", PSTN_AUDIO_MINUTE.usd),
            ("Chime SDK meeting: caller + agent attendees", 2 * MEETING_ATTENDEE_MINUTE.usd),
        ],
        per_agent_month=[
            (
                "call list pushed (AppSync Events): connection minutes, 8 h x 22 days",
                minutes * EVENTS_CONNECTION_MINUTE.usd,
            ),
            (
                "AppSync Events: connects, subscribes, keep-alives if billed",
                push_operations * EVENTS_OPERATION.usd,
            ),
            (f"safety-net poll every {SAFETY_POLL_SECONDS} s (HTTP API, Lambda, DynamoDB)", poll_cost),
            ("Cognito sign-in, Plus plan (threat protection)", COGNITO_PLUS_MAU.usd),
        ],
    )


def push_per_call(*, agents: int, visible_changes: int = 4) -> float:
    """AppSync Events operations a call costs: each visible change (rings, answered, ended...) is published
    to its queue channel and its own channel (2 operations) and delivered to every signed-in agent."""
    return visible_changes * (2 + agents) * EVENTS_OPERATION.usd


def per_call_extras(greeting_characters: int) -> list[tuple[str, float]]:
    return [
        (
            "spoken greeting (Polly, standard voice), once per call",
            greeting_characters * POLLY_STANDARD_CHARACTER.usd,
        )
    ]


def loopback_call(*, seconds: int, toll_free: bool, greeting_characters: int) -> list[tuple[str, float]]:
    """What `make verify`'s test call costs: our number dials itself, so both PSTN legs are ours.

    Each leg is priced as whole minutes (rounded up), the cautious reading of per-minute billing.
    """
    minutes = -(-seconds // 60)
    inbound = INBOUND_TOLL_FREE_MINUTE if toll_free else INBOUND_LOCAL_MINUTE
    return [
        (f"outbound leg: PSTN {OUTBOUND_US_MINUTE.unit} x {minutes}", minutes * OUTBOUND_US_MINUTE.usd),
        (f"inbound leg: PSTN {inbound.unit} x {minutes}", minutes * inbound.usd),
        (f"SIP media application, 2 legs x {minutes} min", 2 * minutes * PSTN_AUDIO_MINUTE.usd),
        (f"meetings: 2 phone attendees x {minutes} min", 2 * minutes * MEETING_ATTENDEE_MINUTE.usd),
        *per_call_extras(greeting_characters),
    ]


@dataclass(frozen=True)
class CallRequests:
    """What an average call of a measured mix asks of AWS: invocations, their duration, table requests."""

    sma_invocations: float
    sma_seconds: float  # per invocation, as measured (Lambda bills its own, rounded up to 1 ms)
    api_requests: float
    api_seconds: float
    dynamodb_writes: float
    dynamodb_reads: float
    write_units_per_write: float  # the item's size in 1 KB units, plus one per index the write reaches
    read_units_per_read: float = 1.0  # a strongly consistent read of an item up to 4 KB
    sma_memory_gb: float = 1.0  # the stacks give both functions 1024 MB
    api_memory_gb: float = 1.0


def per_thousand_calls(mix: CallRequests) -> list[tuple[str, float]]:
    """The request-driven cost of 1,000 calls of the mix at list prices; per-minute media is not in it
    (see `estimate`): PSTN minutes, SIP media application minutes and meeting attendee-minutes."""
    calls = 1000
    sma = mix.sma_invocations * calls
    api = mix.api_requests * calls
    return [
        (
            f"call-control Lambda: {mix.sma_invocations:.1f} invocations/call",
            sma * (LAMBDA_REQUEST.usd + mix.sma_memory_gb * mix.sma_seconds * LAMBDA_GB_SECOND_ARM.usd),
        ),
        (
            f"meeting API: {mix.api_requests:.1f} HTTP API requests + Lambda invocations/call",
            api
            * (
                HTTP_API_REQUEST.usd
                + LAMBDA_REQUEST.usd
                + mix.api_memory_gb * mix.api_seconds * LAMBDA_GB_SECOND_ARM.usd
            ),
        ),
        (
            f"DynamoDB: {mix.dynamodb_writes:.1f} writes x {mix.write_units_per_write:.1f} units/call",
            calls * mix.dynamodb_writes * mix.write_units_per_write * DYNAMODB_WRITE.usd,
        ),
        (
            f"DynamoDB: {mix.dynamodb_reads:.1f} reads x {mix.read_units_per_read:.1f} units/call",
            calls * mix.dynamodb_reads * mix.read_units_per_read * DYNAMODB_READ.usd,
        ),
    ]
