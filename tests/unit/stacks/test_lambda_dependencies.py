"""The Lambdas' packages are built once per lambdas/requirements.txt, and a failed build says what to run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from stacks.common import lambda_dependencies
from stacks.common.lambda_dependencies import (
    DependenciesError,
    cache_key,
    compile_command,
    dependencies_dir,
)


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


def _sources(into: Path) -> Path:
    """A copy of the built layer's sources without their bytecode, as pip leaves them."""
    built = dependencies_dir() / "python"
    shutil.copytree(built, into, ignore=shutil.ignore_patterns("__pycache__"))
    return into


def test_two_builds_compile_byte_identical_bytecode(tmp_path: Path) -> None:
    """CDK hashes the asset's content: bytecode that varied by build (time, directory) would make a new
    layer version on every machine and every rebuild."""
    built = dependencies_dir() / "python"
    for build in ("one", "two"):
        python_dir = _sources(tmp_path / build / "python")
        subprocess.run(compile_command(python_dir), check=True, timeout=900)
        compiled = sorted(path.relative_to(python_dir) for path in python_dir.rglob("*.pyc"))
        assert compiled == sorted(path.relative_to(built) for path in built.rglob("*.pyc"))
        assert len(compiled) > 1000
        for path in compiled:
            assert (python_dir / path).read_bytes() == (built / path).read_bytes(), path


def test_another_python_builds_without_bytecode_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(lambda_dependencies, "PYTHON_VERSION", "3.12")
    assert not lambda_dependencies.compiles_bytecode()
    python_dir = _sources(tmp_path / "python")
    lambda_dependencies._compile(python_dir, lambda_dependencies.LAMBDA_PLATFORM)
    assert not list(python_dir.rglob("*.pyc"))
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("not compiling")]
    # Said, and nothing else (under xdist the captured stream has shown the line twice; once is what counts).
    assert set(said) == {
        "not compiling the Lambdas' packages: this is Python 3.13, the runtime is 3.12 (.pyc are "
        "version-specific); the layer ships without bytecode"
    }


def test_the_cache_key_follows_whether_the_build_compiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """So a directory built without bytecode (or before builds compiled) is not reused as one with it."""
    today = cache_key(lambda_dependencies.LAMBDA_PLATFORM)
    monkeypatch.setattr(lambda_dependencies, "compiles_bytecode", lambda: False)
    assert cache_key(lambda_dependencies.LAMBDA_PLATFORM) != today
