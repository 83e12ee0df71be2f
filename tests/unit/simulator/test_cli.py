"""`python -m simulator` runs from the repository root and prints the dialogue and the outcome."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simulator.__main__ import main

ROOT = Path(__file__).resolve().parents[3]


def test_the_module_runs_from_the_repository_root() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "outbound", "--busy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "NEW_OUTBOUND_CALL" in done.stdout and "end reason: busy" in done.stdout


def test_inbound_options_after_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inbound", "--retry-every-event", "--agent-hangs-up-after", "2"]) == 0
    printed = capsys.readouterr().out
    assert "retried the event: same answer" in printed
    assert "end reason: agent_hung_up" in printed
    assert "meetings still open: 0" in printed


def test_outbound_with_the_attributes_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outbound", "--drop-outbound-attributes", "--agent-hangs-up-after", "5"]) == 0
    printed = capsys.readouterr().out
    assert "drops the attributes" in printed
    assert "JoinChimeMeeting" in printed
    assert "end reason: agent_hung_up" in printed
    assert "meetings still open: 0" in printed
