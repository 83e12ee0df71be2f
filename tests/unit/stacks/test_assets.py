"""Each function's code asset holds what its handler imports, and nothing of the other functions; the
third-party packages come from one layer per stack, built from lambdas/requirements.txt for arm64."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import marshal
import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from stacks.common.lambda_dependencies import REQUIREMENTS, RUNTIME_PROVIDED, dependencies_dir
from tests.unit.stacks.conftest import Synthesized

OUR_HANDLERS = {
    "call_control.handler.lambda_handler": {"call_control", "calls"},
    "call_control.sweeper.lambda_handler": {"call_control", "calls"},
    "meeting_api.handler.lambda_handler": {"meeting_api", "calls"},
    "telephony_provider.handler.on_event": {"telephony_provider", "calls"},
    "telephony_provider.handler.is_complete": {"telephony_provider", "calls"},
}
# Handlers that import Powertools or pydantic; the provider needs nothing beyond boto3.
TAKES_THE_LAYER = {
    "call_control.handler.lambda_handler",
    "call_control.sweeper.lambda_handler",
    "meeting_api.handler.lambda_handler",
}
# The importable names of RUNTIME_PROVIDED, which the python3.13 runtime has beside the handler.
RUNTIME_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six")
# Markers as Lambda's python3.13 on arm64 evaluates them.
LAMBDA_MARKERS = {
    "python_version": "3.13",
    "python_full_version": "3.13.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "aarch64",
    "os_name": "posix",
}
ELF_MAGIC = b"\x7fELF"
EM_AARCH64 = 183


def _asset(app: Synthesized, s3_key: object) -> Path:
    # The S3 key is "<asset hash>.zip"; the staged directory is cdk.out/asset.<hash>.
    return app.outdir / f"asset.{str(s3_key).removesuffix('.zip')}"


def functions(app: Synthesized) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(handler, function properties, its template) for each of our functions."""
    for template in app.templates.values():
        for resource in template["Resources"].values():
            props: dict[str, Any] = resource.get("Properties", {})
            if resource["Type"] == "AWS::Lambda::Function" and props.get("Handler") in OUR_HANDLERS:
                yield props["Handler"], props, template


def handler_assets(app: Synthesized) -> dict[str, Path]:
    return {handler: _asset(app, props["Code"]["S3Key"]) for handler, props, _ in functions(app)}


def layers(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Our layers (BucketDeployment brings its own AWS CLI layer to the web-client stack)."""
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::LayerVersion"
        and "lambdas/requirements.txt" in resource["Properties"].get("Description", "")
    }


@pytest.fixture(scope="session")
def layer_dir(default_app: Synthesized) -> Path:
    """The python/ directory of the layer as synthesized (the staged asset, not the build cache)."""
    dirs = {
        _asset(default_app, props["Content"]["S3Key"])
        for template in default_app.templates.values()
        for props in layers(template).values()
    }
    assert len(dirs) == 1, f"one layer content for the whole app, found {sorted(map(str, dirs))}"
    return dirs.pop() / "python"


def requirements() -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in REQUIREMENTS.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for requirement in requirements():
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{requirement}: pin an exact release"
        found[canonicalize_name(requirement.name)] = specifier.version
    return found


def bundled(python_dir: Path) -> dict[str, importlib.metadata.Distribution]:
    return {
        canonicalize_name(dist.metadata["Name"]): dist
        for dist in importlib.metadata.distributions(path=[str(python_dir)])
    }


def test_every_handler_ships_only_its_own_packages(default_app: Synthesized) -> None:
    assets = handler_assets(default_app)
    assert set(assets) == set(OUR_HANDLERS)
    for handler, path in assets.items():
        entries = {entry.name for entry in path.iterdir() if entry.name != "__pycache__"}
        assert entries == OUR_HANDLERS[handler], handler  # its packages and nothing else, not even a file
        assert not list(path.rglob("*.pyc")), f"{handler}: compiled files shipped"


def test_functions_take_packages_from_their_own_stacks_layer_only(default_app: Synthesized) -> None:
    for handler, props, template in functions(default_app):
        own = sorted(layers(template))
        expected = [{"Ref": logical_id} for logical_id in own] if handler in TAKES_THE_LAYER else []
        assert props.get("Layers", []) == expected, handler
        assert len(own) == 1, f"{handler}: one layer per stack, found {own}"
    for part, template in default_app.templates.items():
        assert ":layer:" not in json.dumps(template), f"{part}: a layer by ARN (only our own, from an asset)"


def test_the_layer_is_for_python313_on_arm64(default_app: Synthesized) -> None:
    found = [props for template in default_app.templates.values() for props in layers(template).values()]
    assert found
    for props in found:
        assert props["CompatibleRuntimes"] == ["python3.13"]
        assert props["CompatibleArchitectures"] == ["arm64"]


def test_the_layer_holds_exactly_the_pinned_releases(layer_dir: Path) -> None:
    dists = bundled(layer_dir)
    assert {name: dist.version for name, dist in dists.items()} == pins()
    # Every file on disk belongs to one of them (no stray scripts, caches or leftovers of other builds).
    recorded = {
        Path(str(dist.locate_file(file))).resolve() for dist in dists.values() for file in dist.files or []
    }
    on_disk = {path.resolve() for path in layer_dir.rglob("*") if path.is_file()}
    # Beside them only bytecode, which the build compiles (test_lambda_dependencies checks it).
    assert {path for path in on_disk - recorded if "__pycache__" not in path.parts} == set()


def test_compiled_extensions_are_aarch64_elf_for_cp313(layer_dir: Path) -> None:
    elf = [path for path in layer_dir.rglob("*") if path.is_file() and path.read_bytes()[:4] == ELF_MAGIC]
    assert {path.parent.name for path in elf} >= {"pydantic_core", "wrapt"}
    for path in elf:
        header = path.read_bytes()[:20]
        assert header[4] == 2, f"{path.name}: not 64-bit"  # EI_CLASS: ELFCLASS64
        assert int.from_bytes(header[18:20], "little") == EM_AARCH64, f"{path.name}: not aarch64"
        assert path.name.endswith(".cpython-313-aarch64-linux-gnu.so"), path.name


def test_nothing_the_runtime_provides_is_bundled(layer_dir: Path) -> None:
    assert not set(bundled(layer_dir)) & RUNTIME_PROVIDED
    assert not {entry.name.removesuffix(".py") for entry in layer_dir.iterdir()} & set(RUNTIME_MODULES)


def test_the_bundle_with_the_runtime_satisfies_every_requirement(layer_dir: Path) -> None:
    """pip installs the pins with --no-deps, so the pins must name the whole closure but the runtime's."""
    dists = bundled(layer_dir)
    requested_extras: dict[str, set[str]] = {
        canonicalize_name(requirement.name): requirement.extras for requirement in requirements()
    }
    missing = []
    for name, dist in dists.items():
        for extra in {"", *(requested_extras.get(name) or set())}:
            for text in dist.requires or []:
                requirement = Requirement(text)
                if requirement.marker and not requirement.marker.evaluate({**LAMBDA_MARKERS, "extra": extra}):
                    continue
                needed = canonicalize_name(requirement.name)
                if needed in RUNTIME_PROVIDED:
                    continue
                if needed not in dists or dists[needed].version not in requirement.specifier:
                    missing.append(f"{name} needs {requirement}")
    assert missing == []


@pytest.fixture(scope="session")
def host_bundle() -> Path:
    """The same pins built for this machine, to import from: the arm64 .so files cannot load on x86_64."""
    machine = platform.machine()
    if machine == "aarch64":
        return dependencies_dir() / "python"
    return dependencies_dir(f"manylinux2014_{machine}") / "python"


def test_the_host_bundle_differs_from_the_layer_only_in_its_machine_code(
    layer_dir: Path, host_bundle: Path
) -> None:
    """So importing from the host build proves the layer complete: same releases, same files."""
    machine = platform.machine()

    def files(root: Path) -> set[str]:
        names = {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}
        return {name for name in names if not name.endswith(("RECORD", ".so"))}

    def libraries(root: Path, arch: str) -> set[str]:
        return {str(path.relative_to(root)).replace(arch, "<machine>") for path in root.rglob("*.so")}

    assert {name: dist.version for name, dist in bundled(host_bundle).items()} == pins()
    assert files(host_bundle) == files(layer_dir)
    assert libraries(host_bundle, machine) == libraries(layer_dir, "aarch64")


@pytest.fixture(scope="session")
def runtime_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What Lambda's python3.13 runtime adds: boto3 and its dependencies (linked from this environment)."""
    site = tmp_path_factory.mktemp("runtime-site")
    for module in RUNTIME_MODULES:
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None, module
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (site / source.name).symlink_to(source)
    return site


@pytest.mark.parametrize("handler", sorted(OUR_HANDLERS))
def test_each_handler_imports_from_its_asset_and_layer_alone(
    default_app: Synthesized, host_bundle: Path, runtime_site: Path, handler: str
) -> None:
    """Import the handler in an interpreter without site-packages (-S), with only its asset, the layer's
    pins (built for this machine) if it takes the layer, and what the runtime provides on the path."""
    path = handler_assets(default_app)[handler]
    module, function = handler.rsplit(".", 1)
    code = f"import {module} as m; assert callable(m.{function})"
    search = [str(path), *([str(host_bundle)] if handler in TAKES_THE_LAYER else []), str(runtime_site)]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join(search),
        "PYTHONNOUSERSITE": "1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    result = subprocess.run(
        [sys.executable, "-S", "-B", "-c", code],
        cwd=path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_every_module_of_the_layer_ships_unchecked_bytecode_for_the_runtimes_path(layer_dir: Path) -> None:
    """Lambda's disk is read-only: a module without its .pyc is compiled again on every cold start."""
    sources = sorted(layer_dir.rglob("*.py"))
    assert len(sources) > 1000
    for source in sources:
        compiled = Path(importlib.util.cache_from_source(str(source)))
        assert compiled.name.endswith(".cpython-313.pyc"), compiled
        data = compiled.read_bytes()  # FileNotFoundError names the module that has none
        assert data[:4] == importlib.util.MAGIC_NUMBER, f"{compiled}: not for this Python"
        # PEP 552 flags: bit 0 hash-based, bit 1 check_source; unchecked: 0b01 (no timestamp, no re-read)
        assert int.from_bytes(data[4:8], "little") == 0b01, f"{compiled}: not unchecked-hash"
        code = marshal.loads(data[16:])  # noqa: S302 - our own build output, read to check it
        assert code.co_filename == f"/opt/python/{source.relative_to(layer_dir).as_posix()}"
