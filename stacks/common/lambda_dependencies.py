"""The Lambdas' third-party packages: lambdas/requirements.txt, built once for Lambda's Python 3.13 on arm64.

pip fetches the pinned wheels for manylinux2014_aarch64 / cp313 (every pin ships a wheel, so no Docker)
into .build/lambda-dependencies/<key>/python, the layout a Lambda layer needs (/opt/python). The key hashes
the requirements file and the target, so synths after the first never download, and a changed pin builds a
new directory and so a new layer version. `python -m stacks.common.lambda_dependencies` builds it ahead.

The directory ships bytecode: Lambda's disk is read-only, so without it every cold start compiles the
packages again (220-290 ms measured, bench/). compileall writes unchecked-hash .pyc (no timestamps, never
checked against the source) with the runtime's path (/opt/python) embedded, so two builds are byte-identical
and the asset's hash, which CDK takes over every file's content, stays put.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REQUIREMENTS = REPO / "lambdas" / "requirements.txt"
CACHE = REPO / ".build" / "lambda-dependencies"
LAMBDA_PLATFORM = "manylinux2014_aarch64"
PYTHON_VERSION = "3.13"
# boto3 and what it depends on come with the python3.13 runtime; aws-xray-sdk's dependency on botocore
# would otherwise pull ~32 MB of them in. pip runs with --no-deps, so requirements.txt names the whole
# closure but these (tests/unit/stacks/test_assets.py checks that the two together satisfy every pin).
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
)
# Bump when the way the directory is built changes, so old builds are not reused.
BUILD_FORMAT = "2"  # 2: bytecode compiled into the directory
LAYER_PATH = "/opt/python"  # where Lambda unpacks the layer's python/; embedded in the .pyc
MAKE_TARGET = "make lambda-dependencies"


class DependenciesError(Exception):
    """The packages could not be built; the message is one line saying what to run."""


def dependencies_dir(platform: str = LAMBDA_PLATFORM) -> Path:
    """The directory that holds python/ with the pinned packages for `platform`, built on first use."""
    target = CACHE / cache_key(platform)
    if not (target / "python").is_dir():
        _build(target, platform)
    return target


def cache_key(platform: str) -> str:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    bytecode = "pyc" if compiles_bytecode() else "no-pyc"
    digest.update(f"\0{platform}\0cp{PYTHON_VERSION}\0{BUILD_FORMAT}\0{bytecode}".encode())
    return f"{platform}-{digest.hexdigest()[:16]}"


def compiles_bytecode() -> bool:
    """.pyc are for one Python version: only an interpreter of the runtime's version may write them."""
    return f"{sys.version_info.major}.{sys.version_info.minor}" == PYTHON_VERSION


def pip_install_command(target: Path, platform: str) -> list[str]:
    # --no-compile: pip's .pyc would embed the staging path and timestamps; compile_command writes them.
    return [
        *(sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"),
        *("--platform", platform, "--implementation", "cp", "--python-version", PYTHON_VERSION),
        *("--only-binary=:all:", "--no-deps", "--no-compile"),
        *("--target", str(target), "--requirement", str(REQUIREMENTS)),
    ]


def compile_command(python_dir: Path) -> list[str]:
    # One process (no -j): the output then depends only on the sources and this interpreter.
    return [
        *(sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash"),
        *("-s", str(python_dir), "-p", LAYER_PATH, str(python_dir)),
    ]


def _build(target: Path, platform: str) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"building {_shown(REQUIREMENTS)} for {platform} into {_shown(target)} (once)", file=sys.stderr)
    # Build beside the target and rename: a concurrent synth never sees half a directory.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=CACHE))
    try:
        try:
            result = subprocess.run(  # noqa: S603 - fixed argv: this interpreter's pip, our requirements
                pip_install_command(staging / "python", platform),
                capture_output=True,
                text=True,
                check=False,
                timeout=900,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise DependenciesError(_failure(platform, str(error))) from None
        if result.returncode != 0:
            raise DependenciesError(_failure(platform, _reason(result.stderr or result.stdout)))
        _compile(staging / "python", platform)
        try:
            staging.rename(target)
        except OSError:
            if not (target / "python").is_dir():  # else another synth finished the same build first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _compile(python_dir: Path, platform: str) -> None:
    if not compiles_bytecode():
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        print(
            f"not compiling the Lambdas' packages: this is Python {version}, the runtime is "
            f"{PYTHON_VERSION} (.pyc are version-specific); the layer ships without bytecode",
            file=sys.stderr,
        )
        return
    result = subprocess.run(  # noqa: S603 - fixed argv: this interpreter's compileall, our build directory
        compile_command(python_dir), capture_output=True, text=True, check=False, timeout=900
    )
    if result.returncode != 0:
        reason = _reason(result.stdout or result.stderr).replace(str(python_dir), LAYER_PATH)
        raise DependenciesError(_failure(platform, f"compileall failed: {reason}"))


def _reason(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors or lines or ["pip failed without a message"])[0]


def _failure(platform: str, reason: str) -> str:
    return (
        f"the Lambdas' packages ({_shown(REQUIREMENTS)}) could not be built for {platform}: "
        f"{reason}; run `{MAKE_TARGET}` where PyPI is reachable"
    )


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _size(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def main() -> None:
    try:
        directory = dependencies_dir()
    except DependenciesError as error:
        sys.exit(f"error: {error}")
    print(f"{_shown(directory)}: {_size(directory) / 1e6:.1f} MB unzipped")


if __name__ == "__main__":
    main()
