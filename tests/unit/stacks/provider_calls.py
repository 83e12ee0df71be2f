"""Which AWS operations each telephony-provider entry point can reach, read from the package's source.

A static call graph over ``telephony_provider`` and its subpackages: from ``handler.on_event`` /
``handler.is_complete`` and the resource kinds the handler's ``KINDS`` registry gives each (parse +
on_event, or parse + is_complete), follow every function, class and module-level value a reachable function names. Any
attribute named like a chime-sdk-voice or IAM client method in a reachable function counts as a call.
It over-approximates (a method name on an unknown object pulls in every method of that name), so it
can only ask for more grants, never hide a call.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import boto3

import telephony_provider

PACKAGE = "telephony_provider"
SOURCE = Path(telephony_provider.__file__).resolve().parent


@functools.cache
def client_methods() -> dict[str, str]:
    """boto3 method name -> IAM action, for the two clients the provider uses."""
    methods: dict[str, str] = {}
    chime = boto3.client("chime-sdk-voice", region_name="us-east-1")
    iam = boto3.client("iam", region_name="us-east-1")
    for prefix, mapping in (
        ("chime", chime.meta.method_to_api_mapping),
        ("iam", iam.meta.method_to_api_mapping),
    ):
        for method, operation in mapping.items():
            methods[method] = f"{prefix}:{operation}"
    return methods


class _Module:
    def __init__(self, name: str, tree: ast.Module) -> None:
        self.name = name
        self.definitions: dict[str, ast.AST] = {}  # functions, classes, module-level values
        self.imports: dict[str, tuple[str, str | None]] = {}  # alias -> (module, symbol or None)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                self.definitions[node.name] = node
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.definitions[target.id] = node.value
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
                for alias in node.names:
                    if node.module == PACKAGE:
                        self.imports[alias.asname or alias.name] = (alias.name, None)
                    else:  # telephony_provider.properties.reader -> properties.reader
                        self.imports[alias.asname or alias.name] = (
                            node.module[len(PACKAGE) + 1 :],
                            alias.name,
                        )


def _module_name(path: Path) -> str:
    """The module's dotted name inside the package: "handler", "properties" (a subpackage), "properties.reader"."""
    parts = path.relative_to(SOURCE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


@functools.cache
def _modules() -> dict[str, _Module]:
    return {
        _module_name(path): _Module(_module_name(path), ast.parse(path.read_text(), filename=str(path)))
        for path in SOURCE.rglob("*.py")
    }


def _methods_named(attribute: str) -> Iterator[tuple[str, str]]:
    for module in _modules().values():
        for name, node in module.definitions.items():
            if isinstance(node, ast.ClassDef) and any(
                isinstance(item, ast.FunctionDef) and item.name == attribute for item in node.body
            ):
                yield module.name, name


def _references(module: _Module, node: ast.AST) -> Iterator[tuple[str, str]]:
    """(module, definition) pairs that `node` names, resolved through the module's imports."""
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            if child.id in module.definitions:
                yield module.name, child.id
            elif child.id in module.imports:
                target, symbol = module.imports[child.id]
                if symbol is not None:
                    yield target, symbol
        elif isinstance(child, ast.Attribute):
            value = child.value
            if isinstance(value, ast.Name) and module.imports.get(value.id, ("", ""))[1] is None:
                target = module.imports[value.id][0]
                if child.attr in _modules()[target].definitions:
                    yield target, child.attr
                    continue
            yield from _methods_named(child.attr)


def _kind_entries(phase: str) -> list[tuple[str, str]]:
    """The functions handler.KINDS gives `phase` ("on_event" or "is_complete"), plus each parser."""
    handler = _modules()["handler"]
    registry = handler.definitions["KINDS"]
    entries: list[tuple[str, str]] = []
    for call in ast.walk(registry):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "ResourceKind":
            arguments = {0: "parse", 1: "on_event", 2: "is_complete"}
            given = {arguments[index]: arg for index, arg in enumerate(call.args)}
            given |= {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
            default = ast.Name(id="_always_complete")
            for role in ("parse", phase):
                entries += _references(handler, given.get(role, default))
    return entries


def reachable(phase: str) -> set[tuple[str, str]]:
    """(module, definition) for everything `handler.<phase>` can reach, re-exports followed to their home."""
    modules = _modules()
    pending = [("handler", phase), *_kind_entries(phase)]
    seen: set[tuple[str, str]] = set()
    while pending:
        key = pending.pop()
        if key in seen or key == ("handler", "KINDS"):
            continue  # KINDS is read per phase by _kind_entries, not as a whole
        module_name, name = key
        module = modules[module_name]
        if name not in module.definitions and module.imports.get(name, ("", None))[1] is not None:
            pending.append(cast(tuple[str, str], module.imports[name]))  # a re-export: follow it home
            continue
        seen.add(key)
        pending += _references(module, module.definitions[name])
    return seen


def reachable_actions(phase: str) -> set[str]:
    """The chime/iam actions `handler.<phase>` can reach."""
    modules = _modules()
    return {
        client_methods()[child.attr]
        for module_name, name in reachable(phase)
        for child in ast.walk(modules[module_name].definitions[name])
        if isinstance(child, ast.Attribute) and child.attr in client_methods()
    }
