"""Imports a handler module in a fresh interpreter as Lambda's init phase would (tracing on), with every
socket call failing and every AWS client creation recorded: what the init used, for the tests to judge."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[3]

_CHILD = """
import json, socket, sys
import botocore.session

def no_network(*args, **kwargs):
    raise AssertionError("network used during import/init")

socket.socket.connect = socket.socket.connect_ex = socket.socket.sendto = no_network
socket.create_connection = socket.getaddrinfo = no_network
created = []
original = botocore.session.Session.create_client

def record(self, service_name, *args, **kwargs):
    created.append(service_name)
    return original(self, service_name, *args, **kwargs)

botocore.session.Session.create_client = record
import {module}
regions = sorted(name for name in sys.modules if name.startswith("phonenumbers.data.region_"))
print(json.dumps({{"clients": created, "phone_metadata": regions}}))
"""


@dataclass(frozen=True)
class InitUse:
    clients: list[str]  # AWS clients created, by service name
    phone_metadata: list[str]  # libphonenumber region metadata modules loaded


def lambda_init(module: str, env: Mapping[str, str]) -> InitUse:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT / "lambdas"),
        "AWS_LAMBDA_FUNCTION_NAME": "function",
        "LAMBDA_TASK_ROOT": str(ROOT / "lambdas"),  # tracing on, as in Lambda: the X-Ray SDK patches botocore
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        # Lambda gives the role's credentials in the environment; without them botocore would look for
        # them on the network (the instance metadata service) when it creates a client.
        "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_SESSION_TOKEN": "token",
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", _CHILD.format(module=module)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return InitUse(**json.loads(done.stdout.splitlines()[-1]))
