"""The import rules of docs/architecture.md, read from the source with ast: who may import whom."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Each Lambda's asset root is lambdas/: its packages import each other by their own names (`import calls`).
LAMBDA_PACKAGES = frozenset(path.parent.name for path in (REPO / "lambdas").glob("*/__init__.py"))
SHARED = "calls"  # the shared edge: the call record, store, gateways and contracts of every call Lambda
LOCAL_PACKAGES = frozenset({"stacks", "simulator", "scripts", "tests", "bench", "app"})
# What synth may take from the Lambdas: the shared contracts, and the provider's own contract (the resource
# properties it accepts and the IAM actions it needs), all free of the Lambdas' third-party packages.
STACKS_MAY_IMPORT = ("calls", "telephony_provider.properties", "telephony_provider.iam")


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every absolute import of a first-party module in the file, at any depth."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            if module.split(".")[0] in LAMBDA_PACKAGES | LOCAL_PACKAGES:
                yield node.lineno, module


def sources(*roots: str) -> list[Path]:
    paths = [REPO / root for root in roots]
    return sorted(file for path in paths for file in ([path] if path.is_file() else path.rglob("*.py")))


def allowed(owner: str, module: str) -> bool:
    top = module.split(".", maxsplit=1)[0]
    if owner in LAMBDA_PACKAGES:
        # A Lambda imports itself and the shared edge; calls imports only itself. So meeting_api and
        # call_control never import each other, and no Lambda imports the tools that build or test it.
        return top == owner or (top == SHARED and owner != SHARED)
    rules = {
        "app": top == "stacks",
        "stacks": top == "stacks"
        or any(module == m or module.startswith(f"{m}.") for m in STACKS_MAY_IMPORT),
        # The load run prices what it measured with the deploy summary's list prices (pure data, no AWS).
        "simulator": top == "simulator" or top in LAMBDA_PACKAGES or module == "scripts.costs",
        "scripts": top in {"scripts", "stacks"} | LAMBDA_PACKAGES,
        "tests": top != "bench",
        "bench": True,
    }
    return rules[owner]


def owner_of(path: Path) -> str:
    relative = path.relative_to(REPO)
    return relative.parts[1] if relative.parts[0] == "lambdas" else relative.parts[0].removesuffix(".py")


@pytest.mark.parametrize(
    "roots", [("lambdas",), ("stacks", "app.py"), ("simulator",), ("scripts",), ("tests",), ("bench",)]
)
def test_every_import_follows_the_rules(roots: tuple[str, ...]) -> None:
    broken = [
        f"{path.relative_to(REPO)}:{line}: {owner_of(path)} may not import {module}"
        for path in sources(*roots)
        for line, module in imports(path)
        if not allowed(owner_of(path), module)
    ]
    assert not broken, "\n".join(broken)


def test_the_rules_catch_what_they_forbid(tmp_path: Path) -> None:
    assert not allowed("meeting_api", "call_control.service")
    assert not allowed("call_control", "meeting_api.desk")
    assert not allowed("calls", "call_control")
    assert not allowed("calls", "meeting_api.models")
    assert not allowed("call_control", "simulator.environment")
    assert not allowed("meeting_api", "tests.fakes.azure_openai")
    assert not allowed("stacks", "meeting_api.settings")
    assert not allowed("stacks", "telephony_provider.handler")
    assert not allowed("stacks", "simulator")
    assert not allowed("simulator", "tests.fakes.azure_openai")
    assert not allowed("scripts", "simulator.environment")
    assert not allowed("tests", "bench.call_control")
    assert allowed("stacks", "calls.schema") and allowed("meeting_api", "calls.store")
    assert allowed("tests", "simulator.calls_table")
    source = tmp_path / "example.py"
    source.write_text("import os\nfrom calls import store\n\n\ndef f():\n    import meeting_api.desk\n")
    assert list(imports(source)) == [(2, "calls"), (6, "meeting_api.desk")]


def test_the_check_reads_every_package() -> None:
    assert {"calls", "call_control", "meeting_api", "telephony_provider"} <= LAMBDA_PACKAGES
    assert sources("app.py") == [REPO / "app.py"]
    owners = {
        owner_of(path) for path in sources("lambdas", "stacks", "app.py", "simulator", "scripts", "bench")
    }
    assert owners == LAMBDA_PACKAGES | (LOCAL_PACKAGES - {"tests"})
