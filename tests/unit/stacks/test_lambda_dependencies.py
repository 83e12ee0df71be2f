"""The Lambdas' packages are built once per lambdas/requirements.txt, and a failed build says what to run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from stacks.common import lambda_dependencies
from stacks.common.lambda_dependencies import DependenciesError, cache_key, dependencies_dir


def test_a_built_directory_is_reused_without_running_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    built = dependencies_dir()

    def no_pip(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"pip ran again: {args}")

    monkeypatch.setattr(subprocess, "run", no_pip)
    assert dependencies_dir() == built
    assert (built / "python" / "pydantic").is_dir()


def test_the_cache_key_follows_the_requirements_and_the_platform(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    today = cache_key(lambda_dependencies.LAMBDA_PLATFORM)
    assert cache_key("manylinux2014_x86_64") != today
    bumped = tmp_path / "requirements.txt"
    bumped.write_text(lambda_dependencies.REQUIREMENTS.read_text().replace("pydantic==", "pydantic==9"))
    monkeypatch.setattr(lambda_dependencies, "REQUIREMENTS", bumped)
    assert cache_key(lambda_dependencies.LAMBDA_PLATFORM) != today


def test_a_build_that_cannot_reach_pypi_fails_in_one_line_saying_what_to_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # No index and no find-links: pip fails at once, without asking any registry.
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    monkeypatch.setattr(lambda_dependencies, "CACHE", tmp_path / "cache")
    with pytest.raises(DependenciesError) as raised:
        dependencies_dir()
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("the Lambdas' packages (lambdas/requirements.txt) could not be built for ")
    assert message.endswith("run `make lambda-dependencies` where PyPI is reachable")
    assert "aws-lambda-powertools" in message  # pip's own first error line says which pin it could not get
    assert list((tmp_path / "cache").iterdir()) == []  # nothing half-built is left to be taken for a build
