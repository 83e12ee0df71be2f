"""The least-privilege action list matches what the code calls and what the tests stub, both ways."""

from __future__ import annotations

import ast
from pathlib import Path

import boto3

from telephony_provider import iam
from tests.unit.lambdas.telephony_provider.testkit import chime_client

TEST_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = Path(iam.__file__).resolve().parent
API_NAMES: dict[str, str] = chime_client().meta.method_to_api_mapping  # python method -> API operation
IAM_API_NAMES: dict[str, str] = {
    method: operation
    for method, operation in boto3.client("iam", region_name="us-east-1").meta.method_to_api_mapping.items()
    if method in ("get_role", "create_service_linked_role")  # the service-linked role's two calls
}
ALLOWED = iam.CHIME_VOICE_ACTIONS | iam.IAM_ROLE_ACTIONS


def _actions(methods: set[str]) -> set[str]:
    return {
        f"chime:{API_NAMES[method]}" if method in API_NAMES else f"iam:{IAM_API_NAMES[method]}"
        for method in methods
    }


def _stubbed_methods() -> set[str]:
    """Every operation queued on a Stubber anywhere in these tests, which must name it literally."""
    methods: set[str] = set()
    for path in TEST_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("add_response", "add_client_error")
            ):
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{path.name}:{node.lineno}: name the stubbed operation literally so this test can see it"
                )
                methods.add(first.value)
    return methods


def _called_methods() -> set[str]:
    """Every chime-sdk-voice client method the package's source calls."""
    methods: set[str] = set()
    for path in PACKAGE_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Attribute) and (node.attr in API_NAMES or node.attr in IAM_API_NAMES):
                methods.add(node.attr)
    return methods


def test_actions_use_the_chime_prefix_and_real_operations() -> None:
    operations = set(API_NAMES.values())
    for action in iam.CHIME_VOICE_ACTIONS:
        prefix, operation = action.split(":")
        assert prefix == "chime"
        assert operation in operations, action


def test_every_stubbed_operation_is_allowed_and_every_allowed_one_is_stubbed() -> None:
    assert _actions(_stubbed_methods()) == ALLOWED


def test_the_package_calls_exactly_the_allowed_operations() -> None:
    assert _actions(_called_methods()) == ALLOWED


def test_iam_module_imports_nothing_so_the_cdk_app_can_import_it_cheaply() -> None:
    tree = ast.parse(Path(iam.__file__).read_text())
    assert not [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]


def test_log_delivery_actions_are_cloudwatch_logs_actions() -> None:
    assert iam.LOG_DELIVERY_ACTIONS
    assert all(action.startswith("logs:") for action in iam.LOG_DELIVERY_ACTIONS)
