"""`make verify` reads the deployed stacks' outputs by name: every name it reads is one the stacks declare."""

from __future__ import annotations

from scripts.verify import OUTPUTS
from tests.unit.stacks.conftest import Synthesized


def test_every_output_verify_reads_is_declared_by_its_stack(default_app: Synthesized) -> None:
    for part, keys in OUTPUTS.items():
        declared = set(default_app.raw(part).get("Outputs", {}))
        assert set(keys) <= declared, f"{part} lacks {sorted(set(keys) - declared)}"
