"""Load: 200 calls live at once through the real call-control handler and meeting API, on the local fakes.

Run from the repository root: `.venv/bin/python -m bench.load [--calls 200] [--workers 8] [--seed 11]`.
Prints handler time per event (p50/p99), AWS requests per call by operation, the wall time and the AWS
cost per 1,000 calls of the run's mix; exits 1 only if an invariant broke (simulator/load_checks.py).
It is `python -m simulator load`, run as a module from the repository root so that nothing edits sys.path.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    command = [sys.executable, "-m", "simulator", "load", *sys.argv[1:]]
    return subprocess.run(command, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
