"""A deployed line, offline: stacks' outputs (botocore Stubber), moto (DynamoDB, IAM, Secrets Manager), the
fake Chime endpoint, the SMA emulator playing both legs through the real call-control handler, and /health.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from scripts.verify import AwsClients
from simulator.environment import OUR_NUMBER, SMA_ID, TABLE, LocalAws, local_aws
from simulator.fake_chime import FakeChime
from simulator.scenarios import Simulation
from simulator.sma import Behaviour, SimCall
from stacks.settings import DeploySettings, settings_from_context
from telephony_provider.service_linked_role import ROLE_NAME, SERVICE

PREFIX = "phoneline"


class HealthEndpoint:
    """The meeting API's /health on loopback; `status` and `body` say what it answers."""

    def __init__(self) -> None:
        self.status = 200
        self.body = json.dumps({"status": "ok"})
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = self.path == "/prod/health"
                data = (endpoint.body if found else '{"message":"Not Found"}').encode()
                self.send_response(endpoint.status if found else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def api_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/prod/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class PhoneNetwork:
    """What the phone network does between two polls of verify: each `sleep` of verify is one step.

    A call placed through CreateSipMediaApplicationCall is dialed (it rings); when it is to our own
    number, the SIP rule (if `routes_to_sma`) brings it to the SMA as an inbound call, which joins its
    meeting a step later; the next step the outbound leg is answered. When one leg ends, the other party
    hears the hang-up.
    """

    sim: Simulation
    routes_to_sma: bool = True
    busy: bool = False  # another number named with --to answers busy
    invokes_lambda: bool = True  # False: the SMA never calls its Lambda (endpoint or permission broken)
    now: float = 0.0
    outbound: SimCall | None = None
    inbound: SimCall | None = None
    steps: list[Callable[[], None]] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        sma = self.sim.sma
        sma.drain()
        if self.outbound is None and self.invokes_lambda:
            self.outbound = next((call for call in sma.calls.values() if call.direction == "outbound"), None)
            if self.outbound is not None:
                sma.dial(self.outbound)
                if self.outbound.phone.to_number == OUR_NUMBER and self.routes_to_sma:
                    self.steps += [self._ring_our_number, sma.release_held_events, self._answer]
                elif self.busy:
                    self.steps.append(self._busy)
            return
        if self.outbound is None:
            return
        if self.steps:
            self.steps.pop(0)()
            return
        if self.inbound is not None:
            if not self.outbound.live and self.inbound.phone.connected:
                sma.phone_hangs_up(self.inbound)
            elif not self.inbound.live and self.outbound.phone.connected:
                sma.phone_hangs_up(self.outbound)
            sma.drain()

    def _ring_our_number(self) -> None:
        assert self.outbound is not None
        self.sim.sma.behaviour.hold_join_success = True  # the inbound leg stays connecting for a step
        self.inbound = self.sim.sma.inbound_call(self.outbound.phone.from_number, OUR_NUMBER)

    def _busy(self) -> None:
        assert self.outbound is not None
        self.sim.sma.far_end_rejects(self.outbound, 486)

    def _answer(self) -> None:
        assert self.outbound is not None
        self.sim.sma.far_end_answers(self.outbound)


def stack(name: str, outputs: dict[str, str], status: str = "CREATE_COMPLETE") -> dict[str, Any]:
    return {
        "StackName": name,
        "CreationTime": datetime(2026, 11, 1, tzinfo=UTC),
        "StackStatus": status,
        "Outputs": [{"OutputKey": key, "OutputValue": value} for key, value in outputs.items()],
    }


@dataclass
class DeployedLine:
    local: LocalAws
    health: HealthEndpoint
    settings: DeploySettings
    clients: AwsClients
    stubber: Stubber
    secret_arn: str
    lines: list[str] = field(default_factory=list)
    _network: PhoneNetwork | None = None

    @property
    def chime(self) -> FakeChime:
        return self.local.chime

    @property
    def network(self) -> PhoneNetwork:
        """The SMA emulator and the real handler, built only for tests that dial (they take a while)."""
        if self._network is None:
            self._network = PhoneNetwork(Simulation(self.local, behaviour=Behaviour()))
        return self._network

    def close(self) -> None:
        if self._network is not None:
            self._network.sim.close()

    def deployed(self, *, telephony_status: str = "CREATE_COMPLETE") -> None:
        """DescribeStacks answers for the three stacks, in the order verify reads them."""
        outputs = {
            "telephony": {
                "PhoneNumber": OUR_NUMBER,
                "SipMediaApplicationId": SMA_ID,
                "CallsTable": TABLE,
                "Region": "us-east-1",
            },
            "meeting-api": {"ApiUrl": self.health.api_url, "AzureOpenAiSecretArn": self.secret_arn},
            "web-hosting": {"WebClientUrl": "https://d111111abcdef8.cloudfront.net"},
        }
        for part, values in outputs.items():
            name = f"{PREFIX}-{part}"
            status = telephony_status if part == "telephony" else "CREATE_COMPLETE"
            self.stubber.add_response(
                "describe_stacks", {"Stacks": [stack(name, values, status)]}, {"StackName": name}
            )
            if status != "CREATE_COMPLETE":
                return

    def out(self, line: str) -> None:
        self.lines.append(line)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture(scope="session")
def shared_chime() -> Iterator[FakeChime]:
    fake = FakeChime()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def line(shared_chime: FakeChime) -> Iterator[DeployedLine]:
    """Everything healthy: number assigned, Chime voice role present, Azure key set, /health ok."""
    shared_chime.reset()
    health = HealthEndpoint()
    with local_aws(chime=shared_chime) as local:
        shared_chime.phone_numbers[OUR_NUMBER] = "Assigned"
        iam = boto3.client("iam")
        iam.create_role(
            RoleName=ROLE_NAME,
            Path=f"/aws-service-role/{SERVICE}/",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )
        secret_arn = boto3.client("secretsmanager").create_secret(
            Name="azure-openai", SecretString=json.dumps({"apiKey": "k" * 32})
        )["ARN"]
        settings = settings_from_context({"prefix": PREFIX, "phoneAreaCode": "206"})
        clients = AwsClients.create(settings)
        cloudformation = boto3.client("cloudformation", region_name="us-east-1")
        stubber = Stubber(cloudformation)
        stubber.activate()
        deployed = DeployedLine(
            local=local,
            health=health,
            settings=settings,
            clients=replace(clients, cloudformation=cloudformation),
            stubber=stubber,
            secret_arn=secret_arn,
        )
        try:
            yield deployed
        finally:
            stubber.deactivate()
            deployed.close()
            health.stop()
