"""Each function's code asset holds what its handler imports, and nothing of the other functions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.unit.stacks.conftest import Synthesized

OUR_HANDLERS = {
    "call_control.handler.lambda_handler": {"call_control", "calls"},
    "call_control.sweeper.lambda_handler": {"call_control", "calls"},
    "meeting_api.handler.lambda_handler": {"meeting_api", "calls"},
    "telephony_provider.handler.on_event": {"telephony_provider", "calls"},
    "telephony_provider.handler.is_complete": {"telephony_provider", "calls"},
}


def handler_assets(app: Synthesized) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for template in app.templates.values():
        for resource in template["Resources"].values():
            props: dict[str, Any] = resource.get("Properties", {})
            handler = props.get("Handler")
            if resource["Type"] == "AWS::Lambda::Function" and handler in OUR_HANDLERS:
                # The S3 key is "<asset hash>.zip"; the staged directory is cdk.out/asset.<hash>.
                asset_hash = str(props["Code"]["S3Key"]).removesuffix(".zip")
                found[handler] = app.outdir / f"asset.{asset_hash}"
    return found


def test_every_handler_ships_only_its_own_packages(default_app: Synthesized) -> None:
    assets = handler_assets(default_app)
    assert set(assets) == set(OUR_HANDLERS)
    for handler, path in assets.items():
        packages = {entry.name for entry in path.iterdir() if entry.is_dir() and entry.name != "__pycache__"}
        assert packages == OUR_HANDLERS[handler], handler
        assert not list(path.rglob("*.pyc")), f"{handler}: compiled files shipped"


@pytest.mark.parametrize("handler", sorted(OUR_HANDLERS))
def test_each_handler_imports_from_its_asset_alone(default_app: Synthesized, handler: str) -> None:
    """Importing the handler with only its asset on the path (plus boto3 and Powertools, which the Lambda
    runtime and the pinned layer provide) proves the asset is complete."""
    path = handler_assets(default_app)[handler]
    module, function = handler.rsplit(".", 1)
    code = f"import {module} as m; assert callable(m.{function})"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(path),
        "PYTHONNOUSERSITE": "1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
