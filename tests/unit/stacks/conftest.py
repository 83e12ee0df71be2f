"""Synthesize the whole app once per test session and region (it takes seconds), then share the result."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")

from aws_cdk import App
from aws_cdk.assertions import Template

from stacks.application import compose
from stacks.settings import settings_from_context

REPO = Path(__file__).resolve().parents[3]
CDK_CONTEXT = json.loads((REPO / "cdk.json").read_text())["context"]


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    templates: dict[str, dict[str, Any]]

    def template(self, part: str) -> Template:
        return Template.from_json(self.templates[part])

    def raw(self, part: str) -> dict[str, Any]:
        return self.templates[part]

    @property
    def validation_report(self) -> dict[str, Any]:
        return json.loads((self.outdir / "validation-report.json").read_text())


def synthesize(outdir: Path, **overrides: Any) -> Synthesized:
    context = {**CDK_CONTEXT, **overrides}
    app = App(context=context, outdir=str(outdir))
    settings = settings_from_context(context)
    line = compose(app, settings)
    assembly = app.synth()
    templates = {}
    for stack in line.stacks:
        part = stack.stack_name.removeprefix(f"{settings.prefix}-")
        templates[part] = assembly.get_stack_by_name(stack.stack_name).template
    return Synthesized(outdir=outdir, templates=templates)


@pytest.fixture(scope="session")
def synth_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Synthesized]]:
    if not (REPO / "frontend" / "dist" / "index.html").exists():
        pytest.fail("frontend/dist is not built: run `make test` (or npm --prefix frontend run build)")
    cache: dict[str, Synthesized] = {}

    def get(**overrides: Any) -> Synthesized:
        key = json.dumps(overrides, sort_keys=True)
        if key not in cache:
            cache[key] = synthesize(tmp_path_factory.mktemp("cdk.out"), **overrides)
        return cache[key]

    return get


@pytest.fixture(scope="session")
def default_app(synth_cache: Callable[..., Synthesized]) -> Synthesized:
    """The app exactly as `make synth` builds it: cdk.json's settings, us-east-1."""
    return synth_cache()


# Settings that change which statements and names exist: another prefix, an imported Azure secret, an
# existing number, meetings in another Region (a different control Region), Voice Connector logging.
VARIANT_CONTEXT: dict[str, Any] = {
    "prefix": "line-b",
    "azureOpenAiSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:line-b/azure-AbCdEf",
    "phoneNumber": "+12065550100",
    "phoneAreaCode": None,
    "meetingRegion": "eu-central-1",
    "sipLogging": True,
}


@pytest.fixture(scope="session")
def variant_app(synth_cache: Callable[..., Synthesized]) -> Synthesized:
    return synth_cache(**VARIANT_CONTEXT)


@pytest.fixture(scope="session")
def west_app(synth_cache: Callable[..., Synthesized]) -> Synthesized:
    """us-west-2, where CloudFormation lacks the Chime voice types and the provider creates them."""
    return synth_cache(region="us-west-2")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep every synth-based test on one xdist worker so the app is synthesized once, not per worker."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.xdist_group("synth"))
            item.add_marker(pytest.mark.synth)
